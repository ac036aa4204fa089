"""Hostile paths from mail never reach a file outside the tree, for any command that reads or writes.

Diff headers can name `../x`, `/etc/passwd`, `.git/hooks/...` (also quoted, octal-escaped or
in rename/copy lines); the tree itself may hold symlinks that point outside it. Every command
must refuse the path (exit 2 with one line) or treat the file as unreadable and say so; no
command reads the file behind the symlink or writes anywhere but the output the user named.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kpatchlint.engine import lint_series
from kpatchlint.errors import UnsafePathError
from kpatchlint.series import series_from_bytes
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree
from tests.robust.clihelp import SWAP, assert_clean_exit, listing, mail, run, tree_hash

SECRET = ("int secret_marker_fn(int a, int b)\n{\n\treturn a + b;\n}\n\n"
          "static int hidden_fn(void)\n{\n\treturn secret_marker_fn(1, 2, 3); /* SECRET-CONTENT */\n}\n")

HOSTILE_DIFFS = {
    "dotdot in ---": "diff --git a/mm/a.c b/mm/a.c\n--- a/../../outside/secret.c\n+++ b/mm/a.c\n@@ -1 +1 @@\n-a\n+b\n",
    "absolute +++": "--- a/mm/a.c\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n",
    "dotdot in diff --git": "diff --git a/../x b/../x\n--- a/../x\n+++ b/../x\n@@ -1 +1 @@\n-a\n+b\n",
    ".git in new file": "diff --git a/.git/hooks/pre-commit b/.git/hooks/pre-commit\nnew file mode 100755\n"
                       "--- /dev/null\n+++ b/.git/hooks/pre-commit\n@@ -0,0 +1 @@\n+rm -rf /\n",
    ".GIT any case": "diff --git a/sub/.GiT/config b/sub/.GiT/config\n--- a/sub/.GiT/config\n"
                     "+++ b/sub/.GiT/config\n@@ -1 +1 @@\n-a\n+b\n",
    "rename to ..": "diff --git a/mm/a.c b/evil\nsimilarity index 100%\nrename from mm/a.c\nrename to ../evil\n",
    "copy from absolute": "diff --git a/x b/mm/a.c\nsimilarity index 100%\ncopy from /etc/shadow\ncopy to mm/a.c\n",
    "quoted octal slash": 'diff --git "a/..\\057..\\057x" "b/..\\057..\\057x"\n--- "a/..\\057..\\057x"\n'
                          '+++ "b/..\\057..\\057x"\n@@ -1 +1 @@\n-a\n+b\n',
    "control character": "diff --git a/mm/\x1b[2Ja.c b/mm/\x1b[2Ja.c\n--- a/mm/\x1b[2Ja.c\n+++ b/mm/\x1b[2Ja.c\n"
                         "@@ -1 +1 @@\n-a\n+b\n",
    "non-git dotdot": "--- linux.orig/../../etc/passwd\n+++ linux/../../etc/passwd\n@@ -1 +1 @@\n-a\n+b\n",
}


@pytest.mark.parametrize("name", HOSTILE_DIFFS)
def test_hostile_header_path_is_refused_at_ingest(name: str) -> None:
    with pytest.raises(UnsafePathError):
        series_from_bytes(mail(HOSTILE_DIFFS[name]), "h.patch")


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    """A tree (copy of fixtures/trees/swap) next to an `outside` directory holding a secret."""
    tree = tmp_path / "tree"
    shutil.copytree(SWAP, tree)
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.c").write_text(SECRET)
    (outside / "dir" / "secret.h").write_text(SECRET)
    return {"tree": tree, "outside": outside, "tmp": tmp_path}


COMMANDS = [
    ["check", "{mail}", "--tree", "{tree}"],
    ["check", "{mail}"],
    ["check", "{mail}", "--format", "json", "-o", "{out}"],
    ["callgraph", "swap_cache_alloc_folio", "--tree", "{tree}", "--series", "{mail}"],
    ["review", "{mail}", "--tree", "{tree}", "--reply-mbox", "{out}"],
    ["summary", "{mail}", "--tree", "{tree}"],
    ["refactor", "rename", "swap_cache_alloc_folio", "swap_cache_new_folio", "--tree", "{tree}", "--series", "{mail}"],
]


@pytest.mark.parametrize("name", ["dotdot in ---", ".git in new file", "rename to ..", "quoted octal slash"])
def test_every_command_refuses_hostile_paths(world: dict[str, Path], name: str) -> None:
    m = world["tmp"] / "hostile.patch"
    m.write_bytes(mail(HOSTILE_DIFFS[name]))
    before, outside_before = tree_hash(world["tree"]), tree_hash(world["outside"])
    for args in COMMANDS:
        out = world["tmp"] / "out.txt"
        argv = [a.format(mail=m, tree=world["tree"], out=out) for a in args]
        p = run(*argv)
        err = assert_clean_exit(p, (2,))
        assert "unsafe path" in err, (argv, err)
        assert not out.exists(), argv
    assert tree_hash(world["tree"]) == before
    assert tree_hash(world["outside"]) == outside_before
    assert not (world["tree"] / ".git").exists()


def _symlinked(world: dict[str, Path]) -> None:
    tree = world["tree"]
    (tree / "mm" / "evil.c").symlink_to(world["outside"] / "secret.c")
    (tree / "drivers").symlink_to(world["outside"] / "dir", target_is_directory=True)


def _patch_symlinked_files() -> bytes:
    diff = ("diff --git a/mm/evil.c b/mm/evil.c\n--- a/mm/evil.c\n+++ b/mm/evil.c\n"
            "@@ -1,2 +1,2 @@\n int secret_marker_fn(int a, int b)\n-{\n+{ \n"
            "diff --git a/drivers/secret.h b/drivers/secret.h\n--- a/drivers/secret.h\n+++ b/drivers/secret.h\n"
            "@@ -3,2 +3,2 @@\n-\treturn a + b;\n+\treturn a - b;\n }\n")
    return mail(diff, "[PATCH 1/1] mm: touch files behind symlinks")


def test_symlinks_leaving_the_tree_are_not_followed_by_the_engine(world: dict[str, Path]) -> None:
    _symlinked(world)
    series = series_from_bytes(_patch_symlinked_files(), "s.patch")
    res = lint_series(series, DirTree(world["tree"]), Settings(cache=False))
    problems = "\n".join(res.problems)
    assert "mm/evil.c" in problems and "symlink" in problems, problems
    assert "drivers/secret.h" in problems
    assert all(f.code == "ING001" for f in res.findings if f.primary and f.primary.path in
               ("mm/evil.c", "drivers/secret.h"))
    # what the engine knows of the files comes from the hunks only: line 1 of the post-image
    # is the hunk's, and the rest of the secret (line 4, `}`) was never read
    st = res.contexts[-1].snapshot.state("mm/evil.c")
    assert st is not None and st.partial and not st.is_full


@pytest.mark.parametrize("args", [
    ["check", "{mail}", "--tree", "{tree}", "--format", "json"],
    ["check", "--tree", "{tree}"],
    ["check", "--tree", "{tree}", "mm"],
    ["callgraph", "secret_marker_fn", "--tree", "{tree}"],
    ["callgraph", "secret_marker_fn", "--tree", "{tree}", "--series", "{mail}", "--at", "1"],
    ["review", "{mail}", "--tree", "{tree}", "--reply-mbox", "-"],
    ["summary", "{mail}", "--tree", "{tree}", "--format", "json"],
])
def test_symlinks_leaving_the_tree_through_the_cli(world: dict[str, Path], args: list[str]) -> None:
    _symlinked(world)
    m = world["tmp"] / "s.patch"
    m.write_bytes(_patch_symlinked_files())
    before = tree_hash(world["tree"]), tree_hash(world["outside"])
    p = run(*[a.format(mail=m, tree=world["tree"]) for a in args])
    assert_clean_exit(p)
    # the secret's line 9 (a call with three arguments: SIG001 if it were read) is never seen
    assert b"SECRET-CONTENT" not in p.stdout and b"SECRET-CONTENT" not in p.stderr
    assert b"hidden_fn" not in p.stdout and b"hidden_fn" not in p.stderr
    assert (tree_hash(world["tree"]), tree_hash(world["outside"])) == before


def test_refactor_write_refuses_a_file_behind_a_symlink(world: dict[str, Path]) -> None:
    _symlinked(world)
    before = tree_hash(world["outside"])
    p = run("refactor", "rename", "secret_marker_fn", "other_fn", "--tree", str(world["tree"]), "--write",
            "--file", "mm/evil.c")
    assert_clean_exit(p, (0, 1, 2))
    assert tree_hash(world["outside"]) == before


def test_outputs_go_only_where_the_user_said(world: dict[str, Path]) -> None:
    tmp = world["tmp"]
    series = tmp / "series.mbox"
    # subjects shaped like paths must not become paths of reply files
    text = (SWAP.parents[1] / "series" / "swap-stale" / "series.mbox").read_text()
    text = text.replace("Subject: [PATCH 3/4]", "Subject: [PATCH 3/4] ../../../../tmp/evil/x")
    series.write_text(text)
    work = tmp / "work"
    work.mkdir()
    before = listing(tmp) - {"work"}
    out = work / "replies"
    p = run("review", str(series), "--tree", str(world["tree"]), "--reply-dir", str(out),
            "--reply-mbox", str(work / "r.mbox"), "--date", "2025-01-07T09:00:00+00:00", cwd=work)
    assert_clean_exit(p, (0,))
    assert listing(tmp) - {"work"} - {str(Path("work") / x) for x in listing(work)} == before
    written = listing(work)
    assert "r.mbox" in written and all(x == "r.mbox" or x.startswith("replies") for x in written), written
    assert all("/" not in x.removeprefix("replies/") for x in written if x.startswith("replies/"))
    p = run("check", str(series), "--tree", str(world["tree"]), "-o", str(work / "report.txt"), cwd=work)
    assert_clean_exit(p, (1,))
    assert listing(work) == written | {"report.txt"}
