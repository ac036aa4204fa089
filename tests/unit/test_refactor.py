"""`kpatchlint refactor`: the collateral patch of drop-param, add-param, rename-param and rename.

The fixture tree (fixtures/refactor/tree, see its README) has wpool_get_item() with a
prototype under `#ifdef CONFIG_WPOOL`, a `static inline` stub under `#else`, kernel-doc, the
definition (which forwards `gfp` and `skip_busy` to __wpool_insert()), and callers spread
over several lines in two files; drivers/misc/wlegacy.c has a static function of the same
name. Each command's patch must equal the hand-checked one in fixtures/refactor/expected/
(From/Date lines aside), apply with `git apply`, and re-check clean with the engine.
Refusals run on small trees written by the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpatchlint.c.locate import locate
from kpatchlint.cli import app
from kpatchlint.engine import lint_series
from kpatchlint.refactor import Refused, Request, format_patch, plan
from kpatchlint.refactor.style import ListInfo, indent_to, list_info, relayout, width
from kpatchlint.refactor.verify import generated_series
from kpatchlint.series import series_from_bytes
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "refactor"
TREE = FIX / "tree"
EXPECTED = FIX / "expected"
AUTHOR = "Kernel Dev <dev@example.org>"

CASES = {
    "drop-param": ["drop-param", "wpool_get_item", "skip_busy", "--value", "false"],
    "add-param": ["add-param", "wpool_get_item", "int nid", "--value", "NUMA_NO_NODE", "--position", "3",
                  "--doc", "preferred NUMA node for a new item"],
    "rename-param": ["rename-param", "wpool_get_item", "gfp", "gfp_mask"],
    "rename": ["rename", "wpool_get_item", "wpool_lookup_item"],
}


def cli(*args: str, env: dict | None = None):
    runner = CliRunner()
    return runner.invoke(app, ["refactor", *args], env=env, catch_exceptions=False)


def strip_header(text: str) -> str:
    """Drop the lines that vary between runs: the mbox `From ` line, From: and Date:."""
    return "".join(ln for ln in text.splitlines(keepends=True)
                   if not ln.startswith(("From ", "From: ", "Date: ")))


@pytest.fixture(scope="module")
def patches() -> dict[str, tuple[str, str]]:
    out = {}
    for name, args in CASES.items():
        res = cli(*args, "--tree", str(TREE), "--author", AUTHOR)
        assert res.exit_code == 0, res.stderr
        out[name] = (res.stdout, res.stderr)
    return out


# ----------------------------------------------------------------------------- the four commands


@pytest.mark.parametrize("name", list(CASES))
def test_patch_equals_expected(patches, name: str) -> None:
    expected = (EXPECTED / f"{name}.patch").read_text()
    assert strip_header(patches[name][0]) == strip_header(expected)


@pytest.mark.parametrize("name", list(CASES))
def test_patch_applies_with_git_apply(patches, name: str, tmp_path: Path) -> None:
    work = tmp_path / "tree"
    shutil.copytree(TREE, work)
    patch = tmp_path / "p.patch"
    patch.write_text(patches[name][0])
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    proc = subprocess.run(["git", "apply", "--check", str(patch)], cwd=work, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    subprocess.run(["git", "apply", str(patch)], cwd=work, check=True)
    p = plan(DirTree(TREE), _request(name))
    for f in p.changed:
        assert (work / f.path).read_bytes() == f.new
    assert (work / "drivers/misc/wlegacy.c").read_bytes() == (TREE / "drivers/misc/wlegacy.c").read_bytes()


@pytest.mark.parametrize("name", list(CASES))
def test_recheck_with_engine_is_clean(patches, name: str) -> None:
    series = series_from_bytes(patches[name][0].encode(), name)
    result = lint_series(series, DirTree(TREE), Settings(select=("SIG", "PAR"), cache=False))
    new = [f for f in result.findings if not f.pre_existing]
    if name == "drop-param":
        # the one thing left is the forwarding call, which the command reported for chaining
        assert [(f.code, "__wpool_insert" in f.message) for f in new] == [("PAR007", True)]
    else:
        assert new == [], [f"{f.code} {f.message}" for f in new]
    assert not result.problems


@pytest.mark.parametrize("name", list(CASES))
def test_written_lines_are_kernel_style(patches, name: str) -> None:
    for ln in patches[name][0].splitlines():
        if ln.startswith("+") and not ln.startswith("+++"):
            assert ln == ln.rstrip(), f"trailing whitespace: {ln!r}"
            assert width(ln[1:]) <= 100, ln
            assert not ln[1:].startswith(" " * 8), f"spaces instead of a tab: {ln!r}"


def test_drop_param_reports_forwarding_and_skipped_file(patches) -> None:
    err = patches["drop-param"][1]
    assert "drivers/misc/wlegacy.c: left alone, it has a static wpool_get_item() of its own" in err
    assert ("wpool_get_item() passes skip_busy on to __wpool_insert() at lib/wpool.c:67 (argument 4, skip_busy)"
            in err)
    assert "kpatchlint refactor drop-param __wpool_insert skip_busy --value false" in err
    assert "warning" not in err


def test_rename_param_reports_forwarding_only_for_same_name(patches) -> None:
    err = patches["rename-param"][1]
    assert "kpatchlint refactor rename-param __wpool_insert gfp gfp_mask" in err
    assert "kzalloc" not in err


def test_patch_is_parsed_back_as_one_patch(patches) -> None:
    s = generated_series(patches["rename"][0])
    (p,) = s.present
    assert p.subject.title == "lib: rename wpool_get_item() to wpool_lookup_item()"
    assert [f.path for f in p.files] == ["drivers/misc/wdev.c", "include/linux/wpool.h", "lib/wpool.c"]


def test_no_check_skips_the_engine() -> None:
    res = cli(*CASES["rename"], "--tree", str(TREE), "--author", AUTHOR, "--no-check")
    assert res.exit_code == 0
    assert "as said above" not in res.stderr


def _request(name: str) -> Request:
    return {
        "drop-param": Request("drop-param", "wpool_get_item", param="skip_busy", value="false"),
        "add-param": Request("add-param", "wpool_get_item", decl="int nid", value="NUMA_NO_NODE", position=3,
                             doc="preferred NUMA node for a new item"),
        "rename-param": Request("rename-param", "wpool_get_item", param="gfp", new="gfp_mask"),
        "rename": Request("rename", "wpool_get_item", new="wpool_lookup_item"),
    }[name]


# ----------------------------------------------------------------------------- on top of a series


def test_series_at_works_on_top_of_the_series(tmp_path: Path) -> None:
    """drop-param on the renamed function, after the rename patch of a one-patch series."""
    series = EXPECTED / "rename.patch"
    res = cli("drop-param", "wpool_lookup_item", "skip_busy", "--value", "false", "--tree", str(TREE),
              "--series", str(series), "--at", "1", "--author", AUTHOR)
    assert res.exit_code == 0, res.stderr
    assert " \t\titem = wpool_lookup_item(dev->pool, dev->base + i,\n" \
           "-\t\t\t\t\t GFP_KERNEL | __GFP_NORETRY, &created,\n-\t\t\t\t\t false);\n" \
           "+\t\t\t\t\t GFP_KERNEL | __GFP_NORETRY, &created);\n" in res.stdout
    assert "-\t\t\t\t\t\t   gfp_t gfp, bool *created,\n-\t\t\t\t\t\t   bool skip_busy)\n" \
           "+\t\t\t\t\t\t   gfp_t gfp, bool *created)\n" in res.stdout
    work = tmp_path / "tree"
    shutil.copytree(TREE, work)
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    second = tmp_path / "2.patch"
    second.write_text(res.stdout)
    for p in (series, second):
        proc = subprocess.run(["git", "apply", str(p)], cwd=work, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    text = (work / "include/linux/wpool.h").read_text()
    assert "wpool_lookup_item(struct wpool *pool, unsigned long index,\n\t\t\t\t     gfp_t gfp, bool *created);" in text


def test_at_without_series_is_refused() -> None:
    res = cli(*CASES["rename"], "--tree", str(TREE), "--at", "1")
    assert res.exit_code == 2
    assert res.stderr.strip() == "kpatchlint: error: refactor rename: --at needs --series"


# ----------------------------------------------------------------------------- --write


def _git_tree(tmp_path: Path) -> Path:
    work = tmp_path / "tree"
    shutil.copytree(TREE, work)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e"}
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run(["git", "add", "."], cwd=work, check=True)
    subprocess.run(["git", "commit", "-qm", "base"], cwd=work, check=True, env=env)
    return work


def test_write_applies_to_the_work_tree(tmp_path: Path) -> None:
    work = _git_tree(tmp_path)
    res = cli(*CASES["rename-param"], "--tree", str(work), "--write")
    assert res.exit_code == 0, res.stderr
    assert res.stdout == ""
    assert "kpatchlint: wrote include/linux/wpool.h, lib/wpool.c" in res.stderr
    assert "warning" not in res.stderr  # the engine re-checked the tree before it was written
    p = plan(DirTree(TREE), _request("rename-param"))
    for f in p.changed:
        assert (work / f.path).read_bytes() == f.new
    diff = subprocess.run(["git", "diff"], cwd=work, capture_output=True, text=True).stdout
    expected = (EXPECTED / "rename-param.patch").read_text()
    changes = lambda t: [ln for ln in t.splitlines() if ln[:1] and ln[:1] in "+-"
                         and not ln.startswith(("+++", "---", "-- "))]
    assert changes(diff) == changes(expected.split("\n---\n", 1)[1])


def test_write_refused_when_a_file_is_dirty(tmp_path: Path) -> None:
    work = _git_tree(tmp_path)
    with open(work / "lib/wpool.c", "a") as fh:
        fh.write("/* local change */\n")
    before = (work / "include/linux/wpool.h").read_bytes()
    res = cli(*CASES["rename-param"], "--tree", str(work), "--write")
    assert res.exit_code == 2
    assert res.stderr.strip() == ("kpatchlint: error: refactor rename-param: refusing to --write: lib/wpool.c has "
                                  "uncommitted changes; commit or stash first")
    assert (work / "include/linux/wpool.h").read_bytes() == before


def test_write_with_series_is_refused() -> None:
    res = cli(*CASES["rename-param"], "--tree", str(TREE), "--write", "--series", str(EXPECTED / "rename.patch"))
    assert res.exit_code == 2
    assert "--write cannot be used with --series" in res.stderr


# ----------------------------------------------------------------------------- refusals


def refused(*args: str, tree: Path = TREE) -> str:
    res = cli(*args, "--tree", str(tree))
    assert res.exit_code == 2, res.stdout
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"kpatchlint: error: refactor {args[0]}: ")
    return lines[0].split(": ", 3)[3]


def test_drop_param_still_used_names_the_use() -> None:
    msg = refused("drop-param", "wpool_get_item", "skip_busy")
    assert msg == ("skip_busy is still used in wpool_get_item() at lib/wpool.c:67 (`if (__wpool_insert(pool, item, "
                   "gfp, skip_busy) != item) {`, passed on to __wpool_insert()); give --value EXPR to use EXPR "
                   "there instead")


HEADER = """\
#ifndef _LINUX_FOO_H
#define _LINUX_FOO_H
int foo_get(struct foo *foo, int idx, bool wait);
#endif
"""
DEF = """\
#include <linux/foo.h>

int foo_get(struct foo *foo, int idx, bool wait)
{
	return foo->slots[idx];
}
"""


def small_tree(tmp_path: Path, caller: str, header: str = HEADER, definition: str = DEF) -> Path:
    root = tmp_path / "t"
    (root / "include/linux").mkdir(parents=True)
    (root / "lib").mkdir()
    (root / "drivers").mkdir()
    (root / "include/linux/foo.h").write_text(header)
    (root / "lib/foo.c").write_text(definition)
    (root / "drivers/user.c").write_text("#include <linux/foo.h>\n\n" + caller)
    return root


def test_refuses_side_effects_in_a_dropped_argument(tmp_path: Path) -> None:
    t = small_tree(tmp_path, "int user(struct foo *f)\n{\n\treturn foo_get(f, 1,\n\t\t       try_lock(f));\n}\n")
    msg = refused("drop-param", "foo_get", "wait", tree=t)
    assert msg == ("the call at drivers/user.c:5 passes `try_lock(f)` for wait, which has side effects "
                   "(a call to try_lock()); change that caller by hand first")
    t2 = small_tree(tmp_path / "2", "int user(struct foo *f, int n)\n{\n\treturn foo_get(f, 1, n++);\n}\n")
    assert "which has side effects (++/--)" in refused("drop-param", "foo_get", "wait", tree=t2)
    t3 = small_tree(tmp_path / "3", "int user(struct foo *f, int n)\n{\n\treturn foo_get(f, 1, n = 2);\n}\n")
    assert "which has side effects (an assignment)" in refused("drop-param", "foo_get", "wait", tree=t3)


def test_pure_macros_in_a_dropped_argument_are_fine(tmp_path: Path) -> None:
    t = small_tree(tmp_path, "int user(struct foo *f, int n)\n{\n\treturn foo_get(f, 1, unlikely(n > 2));\n}\n")
    res = cli("drop-param", "foo_get", "wait", "--tree", str(t), "--author", AUTHOR)
    assert res.exit_code == 0, res.stderr
    assert "+\treturn foo_get(f, 1);" in res.stdout


def test_refuses_function_pointer_and_ops_table(tmp_path: Path) -> None:
    ops = "static const struct foo_ops ops = {\n\t.get\t= foo_get,\n};\n"
    t = small_tree(tmp_path, ops)
    msg = refused("drop-param", "foo_get", "wait", tree=t)
    assert msg == ("foo_get is used as a function pointer at drivers/user.c:4 (`.get = foo_get,`); "
                   "its type would change")
    t2 = small_tree(tmp_path / "2", "void user(void)\n{\n\tregister_getter(&foo_get);\n}\n")
    assert refused("add-param", "foo_get", "int x", "--value", "0", tree=t2).startswith(
        "foo_get is used as a function pointer at drivers/user.c:5")


def test_rename_follows_function_pointers_and_exports(tmp_path: Path) -> None:
    ops = "static const struct foo_ops ops = {\n\t.get\t= foo_get,\n};\n"
    t = small_tree(tmp_path, ops, definition=DEF + "EXPORT_SYMBOL(foo_get);\n")
    res = cli("rename", "foo_get", "foo_lookup", "--tree", str(t), "--author", AUTHOR)
    assert res.exit_code == 0, res.stderr
    assert "+\t.get\t= foo_lookup," in res.stdout
    assert "+EXPORT_SYMBOL(foo_lookup);" in res.stdout
    assert "drivers/user.c:4: renamed a use of foo_get (value)" in res.stderr


def test_refuses_a_macro_that_builds_the_call(tmp_path: Path) -> None:
    t = small_tree(tmp_path, "#define FOO_GET_NOWAIT(f, i) foo_get(f, i, false)\n")
    msg = refused("drop-param", "foo_get", "wait", tree=t)
    assert msg == ("a macro builds a call of foo_get() at drivers/user.c:3 "
                   "(`#define FOO_GET_NOWAIT(f, i) foo_get(f, i, false)`); change the macro by hand first")


def test_refuses_a_function_like_macro_of_the_same_name(tmp_path: Path) -> None:
    header = HEADER.replace("int foo_get(struct foo *foo, int idx, bool wait);\n",
                            "#ifdef CONFIG_FOO\nint foo_get(struct foo *foo, int idx, bool wait);\n#else\n"
                            "#define foo_get(foo, idx, wait) (0)\n#endif\n")
    t = small_tree(tmp_path, "int user(struct foo *f)\n{\n\treturn foo_get(f, 1, true);\n}\n", header=header)
    msg = refused("drop-param", "foo_get", "wait", tree=t)
    assert msg == "foo_get is also a macro at include/linux/foo.h:6 (`#define foo_get(foo, idx, wait) (0)`); " \
                  "change it by hand first"


def test_refuses_unknown_parameter_and_bad_position(tmp_path: Path) -> None:
    assert refused("drop-param", "wpool_get_item", "flags") == (
        "wpool_get_item() has no parameter named flags (its parameters: pool, index, gfp, created, skip_busy)")
    assert refused("add-param", "wpool_get_item", "int nid", "--value", "0", "--position", "7") == (
        "--position must be between 1 and 6 for wpool_get_item(), which takes 5 parameters")
    assert refused("add-param", "wpool_get_item", "int nid") == (
        "add-param needs --value EXPR: what the 4 call sites of wpool_get_item() pass for nid")
    assert refused("add-param", "wpool_get_item", "int item", "--value", "0") == (
        "item is already used in the body of wpool_get_item() at lib/wpool.c:52; choose another name")
    assert refused("add-param", "wpool_get_item", "int (*cb)(void)", "--value", "0").startswith(
        "give the new parameter as 'TYPE NAME'")
    assert refused("rename-param", "wpool_get_item", "gfp", "created") == (
        "wpool_get_item() already has a parameter named created at include/linux/wpool.h:11")
    assert refused("rename", "wpool_get_item", "wpool_put_item") == (
        "wpool_put_item already exists in drivers/misc/wdev.c (and 2 more files); choose another name")
    assert refused("rename", "no_such_function", "x") == (
        "no_such_function does not appear in any .c or .h file of the tree")


def test_refuses_calls_with_another_argument_count(tmp_path: Path) -> None:
    t = small_tree(tmp_path, "int user(struct foo *f)\n{\n\treturn foo_get(f, 1);\n}\n")
    assert refused("drop-param", "foo_get", "wait", tree=t) == (
        "the call at drivers/user.c:5 passes 2 arguments to foo_get(), which takes 3")


def test_static_functions_in_several_files_need_file(tmp_path: Path) -> None:
    root = tmp_path / "t"
    root.mkdir()
    for name in ("a.c", "b.c"):
        (root / name).write_text("static int helper(int x, int y)\n{\n\treturn x;\n}\n\n"
                                 "int use_" + name[0] + "(void)\n{\n\treturn helper(1,\n\t\t      2);\n}\n")
    assert refused("drop-param", "helper", "y", tree=root) == (
        "helper() is a static function in several files (a.c, b.c); choose one with --file")
    res = cli("drop-param", "helper", "y", "--file", "b.c", "--tree", str(root), "--author", AUTHOR)
    assert res.exit_code == 0, res.stderr
    assert "diff --git a/b.c b/b.c" in res.stdout and "a/a.c" not in res.stdout
    assert "+\treturn helper(1);" in res.stdout
    assert "+static int helper(int x)" in res.stdout


# ----------------------------------------------------------------------------- smaller pieces


def test_drop_keeps_attributes_and_writes_void(tmp_path: Path) -> None:
    definition = ("#include <linux/foo.h>\n\nint __must_check foo_get(struct foo *foo __maybe_unused)\n{\n"
                  "\treturn 0;\n}\n")
    header = HEADER.replace("int foo_get(struct foo *foo, int idx, bool wait);",
                            "int __must_check foo_get(struct foo *foo __maybe_unused);")
    t = small_tree(tmp_path, "int user(struct foo *f)\n{\n\treturn foo_get(f);\n}\n", header=header,
                   definition=definition)
    res = cli("drop-param", "foo_get", "foo", "--tree", str(t), "--author", AUTHOR)
    assert res.exit_code == 0, res.stderr
    assert "+int __must_check foo_get(void);" in res.stdout
    assert "+int __must_check foo_get(void)\n" in res.stdout
    assert "+\treturn foo_get();" in res.stdout


def test_add_param_to_a_void_function_and_caller_without_arguments(tmp_path: Path) -> None:
    header = HEADER.replace("int foo_get(struct foo *foo, int idx, bool wait);", "int foo_count(void);")
    definition = "#include <linux/foo.h>\n\nint foo_count(void)\n{\n\treturn 0;\n}\n"
    t = small_tree(tmp_path, "int user(void)\n{\n\treturn foo_count();\n}\n", header=header, definition=definition)
    res = cli("add-param", "foo_count", "struct foo *foo", "--value", "NULL", "--tree", str(t), "--author", AUTHOR)
    assert res.exit_code == 0, res.stderr
    assert "+int foo_count(struct foo *foo);" in res.stdout
    assert "+\treturn foo_count(NULL);" in res.stdout


def test_value_is_parenthesised_where_needed(tmp_path: Path) -> None:
    definition = DEF.replace("return foo->slots[idx];", "return !wait ? foo->slots[idx] : 0;")
    t = small_tree(tmp_path, "int user(struct foo *f)\n{\n\treturn foo_get(f, 1, true);\n}\n",
                   definition=definition)
    res = cli("drop-param", "foo_get", "wait", "--value", "foo->busy && idx", "--tree", str(t), "--author", AUTHOR)
    assert res.exit_code == 0, res.stderr
    assert "+\treturn !(foo->busy && idx) ? foo->slots[idx] : 0;" in res.stdout


def test_upward_forwarding_is_reported(tmp_path: Path) -> None:
    caller = "int user(struct foo *f, bool wait)\n{\n\treturn foo_get(f, 1,\n\t\t       wait);\n}\n"
    t = small_tree(tmp_path, caller)
    res = cli("drop-param", "foo_get", "wait", "--tree", str(t), "--author", AUTHOR, "--no-check")
    assert res.exit_code == 0, res.stderr
    assert "+\treturn foo_get(f, 1);" in res.stdout
    assert ("user() passed its own wait to foo_get() at drivers/user.c:5 and no longer uses it; to drop it there "
            "too: kpatchlint refactor drop-param user wait") in res.stderr


def test_locate_spans_survive_kernel_macro_masking() -> None:
    src = (b"/**\n * f - g\n * @a: the a\n *      more about a\n * @b: the b\n */\n"
           b"static __always_inline int __must_check f(int a, struct x __rcu *b)\n{\n\treturn a;\n}\n"
           b"void g(void)\n{\n\tf(1,\n\t  h(2));\n}\n")
    fs = locate("x.c", src, "f")
    (d,) = fs.decls
    assert d.kind == "definition" and d.storage == "static" and d.inline
    assert [src[p.span.start:p.span.end] for p in d.params] == [b"int a", b"struct x __rcu *b"]
    assert src[d.lparen.start:d.lparen.end] == b"(" and src[d.rparen.start:d.rparen.end] == b")"
    assert d.doc is not None and [p.name for p in d.doc.params] == ["a", "b"]
    a = d.doc.params[0]
    assert src[a.lines.start:a.lines.end] == b" * @a: the a\n *      more about a\n"
    assert [(u.name, u.span.line) for u in d.uses] == [("a", 9)]
    (c,) = fs.calls
    assert c.caller == "g" and [a.text for a in c.args] == ["1", "h(2)"] and c.args[1].callees == ("h",)
    assert (c.span.line, c.span.end_line, c.lparen.col) == (13, 14, 2)


def test_style_helpers() -> None:
    assert width("\t\t  x") == 19 and width("ab\tc") == 9
    assert indent_to(37) == b"\t\t\t\t     "
    text = b"\tx = foo(a, bb,\n\t\tccc);\n"
    info = list_info(text, text.index(b"("), text.index(b")"), True)
    assert info == ListInfo(8, 16, 22, True)
    new, *_ = relayout(text, info, [])
    assert new == b"\tx = foo(a, bb, ccc);\n"  # joined: it fits in 80 columns
    wide = b"\tx = foo(" + b", ".join([b"argument_%d" % i for i in range(8)]) + b");\n"
    info = list_info(wide, wide.index(b"("), wide.index(b")"), False)
    new, *_ = relayout(wide, info, [(10, 11)])
    # the line was wider than 100 columns: wrapped at 100, continuation under the `(`
    assert [width(ln) for ln in new.splitlines()] == [99, 28]
    assert new.splitlines()[1] == b"\t\targument_7);"


def test_refused_is_an_input_error() -> None:
    with pytest.raises(Refused):
        plan(DirTree(TREE), Request("rename", "wpool_get_item", new="int"))


def test_format_patch_has_format_patch_shape(patches) -> None:
    text = patches["drop-param"][0]
    head, rest = text.split("\n---\n", 1)
    assert head.splitlines()[0] == "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"
    assert "\nSubject: [PATCH] lib: drop the skip_busy parameter of wpool_get_item()\n" in head
    assert rest.splitlines()[0] == " drivers/misc/wdev.c   | 8 +++-----"
    assert " 3 files changed, 8 insertions(+), 12 deletions(-)\n\ndiff --git" in rest
    assert text.endswith("\n-- \nkpatchlint 0.1.0\n\n")
    p = plan(DirTree(TREE), _request("drop-param"))
    assert strip_header(format_patch(p, author=AUTHOR)) == strip_header(text)


def test_call_the_parser_misreads_is_found_by_its_text(tmp_path: Path) -> None:
    """`foo_get(container_of(...struct...), ...);` as a statement parses as a declaration."""
    caller = ("int user(struct foo_dev *d)\n{\n\tfoo_get(container_of(d, struct foo, dev), 1,\n"
              "\t\ttrue);\n\treturn 0;\n}\n")
    t = small_tree(tmp_path, caller)
    res = cli("drop-param", "foo_get", "wait", "--tree", str(t), "--author", AUTHOR, "--no-check")
    assert res.exit_code == 0, res.stderr
    assert "-\tfoo_get(container_of(d, struct foo, dev), 1,\n-\t\ttrue);\n" \
           "+\tfoo_get(container_of(d, struct foo, dev), 1);\n" in res.stdout


def test_comment_naming_the_dropped_parameter_is_reported(tmp_path: Path) -> None:
    definition = DEF.replace("\treturn foo->slots[idx];", "\t/* no need to honour wait here */\n"
                             "\treturn foo->slots[idx];")
    t = small_tree(tmp_path, "int user(struct foo *f)\n{\n\treturn foo_get(f, 1, true);\n}\n",
                   definition=definition)
    res = cli("drop-param", "foo_get", "wait", "--tree", str(t), "--author", AUTHOR, "--no-check")
    assert res.exit_code == 0, res.stderr
    assert "kpatchlint: note: lib/foo.c:5: a comment in foo_get() still mentions wait: " \
           "`/* no need to honour wait here */`" in res.stderr


def test_file_is_only_for_static_functions() -> None:
    assert refused("rename", "wpool_get_item", "x_item", "--file", "lib/wpool.c") == (
        "--file is for a static function; wpool_get_item() in lib/wpool.c is not static")
