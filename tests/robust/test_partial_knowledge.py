"""Partial knowledge: a hunk that does not apply, a file missing from the tree, a tree at another
version than the series' base. The run goes on, lowers confidence where it guesses, and says what
it could not check; through the CLI it exits 0 or 1 and lists the problems, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kpatchlint.engine import lint_series
from kpatchlint.location import Confidence
from kpatchlint.series import load_series
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree
from tests.robust.clihelp import CLEAN, STALE, SWAP, assert_clean_exit, run


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    t = tmp_path / "tree"
    shutil.copytree(SWAP, t)
    return t


def _lint(tree: Path | None, mbox: Path = STALE):
    return lint_series(load_series(mbox), DirTree(tree) if tree else None, Settings(cache=False))


def _errors(res) -> set[tuple[str, str, int]]:
    return {(f.code, f.primary.path, f.patch) for f in res.findings if str(f.severity) == "error"}


def test_reference_run_on_the_fixture_tree() -> None:
    res = _lint(SWAP)
    assert ("SIG001", "mm/zswap.c", 3) in _errors(res)
    assert not [f for f in res.findings if f.code == "ING001"]


def _capped_where_forced(res) -> None:
    """Findings in a file whose hunks were forced in (ING001) rest on guesses: MEDIUM at most."""
    forced = {f.primary.path for f in res.findings if f.code == "ING001"}
    loose = [(f.code, f.primary.path, f.confidence) for f in res.findings
             if f.code != "ING001" and f.primary and f.primary.path in forced and f.confidence > Confidence.MEDIUM]
    assert not loose, loose


def test_file_missing_from_the_tree(tree: Path) -> None:
    (tree / "mm" / "swapfile.c").unlink()  # patches 1/4 and 2/4 change it
    res = _lint(tree)
    assert any("mm/swapfile.c" in p and "not in the tree" in p for p in res.problems), res.problems
    ing = [(f.primary.path, f.patch) for f in res.findings if f.code == "ING001"]
    assert ("mm/swapfile.c", 1) in ing, ing  # said once, where the series first needs it
    _capped_where_forced(res)
    # the rest of the series is checked as before
    assert {("SIG001", "mm/zswap.c", 3), ("SIG003", "mm/swap.h", 3)} <= _errors(res)


def test_hunk_that_does_not_apply(tree: Path) -> None:
    p = tree / "mm" / "swapfile.c"
    text = p.read_text()
    assert text.count("folio = swap_cache_lookup(entry);") == 1
    p.write_text(text.replace("folio = swap_cache_lookup(entry);", "folio = swap_cache_find(entry);"))
    res = _lint(tree)
    ing = [(f.primary.path, f.patch) for f in res.findings if f.code == "ING001"]
    assert ing == [("mm/swapfile.c", 1)], ing
    assert any("does not apply" in p for p in res.problems)
    _capped_where_forced(res)
    assert {("SIG001", "mm/zswap.c", 3), ("SIG003", "mm/swap.h", 3)} <= _errors(res)


def test_tree_at_another_version_shifted_lines(tree: Path) -> None:
    """Lines added above every hunk: hunks apply at an offset, findings move with them."""
    for name in ("mm/zswap.c", "mm/swap.h", "mm/swap_state.c", "mm/memory.c", "mm/shmem.c"):
        p = tree / name
        p.write_text("/* a newer tree */\n" * 7 + p.read_text())
    res = _lint(tree)
    assert not [f for f in res.findings if f.code == "ING001"]
    lines = {(f.code, f.primary.path): f.primary.line for f in res.findings if str(f.severity) == "error"}
    assert lines[("SIG001", "mm/zswap.c")] == 69 + 7


def test_tree_at_another_version_changed_context(tree: Path) -> None:
    """Context lines that differ everywhere: every hunk is forced in, the run still reports."""
    for p in (tree / "mm").glob("*.c"):
        p.write_text(p.read_text().replace("\t", "    "))
    res = _lint(tree)
    assert [f for f in res.findings if f.code == "ING001"]
    _capped_where_forced(res)
    assert ("SIG001", "mm/zswap.c", 3) in _errors(res)  # an untouched file is still read whole


def test_patch_creating_a_file_that_exists(tree: Path, tmp_path: Path) -> None:
    m = tmp_path / "new.patch"
    m.write_text("From: A <a@x>\nSubject: [PATCH] add\n\n---\n"
                 "diff --git a/mm/zswap.c b/mm/zswap.c\nnew file mode 100644\n--- /dev/null\n+++ b/mm/zswap.c\n"
                 "@@ -0,0 +1 @@\n+int x;\n")
    res = _lint(tree, m)
    assert any("already exists" in p for p in res.problems), res.problems


def test_missing_patch_in_the_middle(tmp_path: Path) -> None:
    text = STALE.read_text()
    parts = text.split("\nFrom ")
    m = tmp_path / "holes.mbox"
    m.write_text("\nFrom ".join(p for p in parts if "Subject: [PATCH 2/4]" not in p))
    res = _lint(SWAP, m)
    assert any("2/4" in p and "missing" in p for p in res.problems), res.problems


@pytest.mark.parametrize("case", ["missing-file", "no-apply", "other-version", "no-tree"])
def test_cli_goes_on_and_lists_what_it_could_not_check(tree: Path, case: str) -> None:
    args = ["check", str(STALE), "--tree", str(tree), "--no-cache", "--format", "json"]
    if case == "missing-file":
        (tree / "mm" / "swapfile.c").unlink()
    elif case == "no-apply":
        for p in (tree / "mm").glob("*.c"):
            p.write_text(p.read_text().replace("\t", "  "))
    elif case == "other-version":
        for p in (tree / "mm").glob("*.[ch]"):
            p.write_text("// v6.13\n" * 3 + p.read_text())
    else:
        args = ["check", str(STALE), "--no-cache", "--format", "json"]
    p = run(*args)
    assert_clean_exit(p, (0, 1))
    doc = json.loads(p.stdout)
    if case in ("missing-file", "no-apply"):
        assert doc["problems"], doc
        assert any(i["code"] == "ING001" for i in doc["issues"])
    text = run(*[a if a != "json" else "text" for a in args])
    assert_clean_exit(text, (0, 1))
    if case in ("missing-file", "no-apply"):
        assert b"note: " in text.stdout


def test_clean_series_on_a_tree_missing_every_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    p = run("check", str(CLEAN), "--tree", str(empty), "--no-cache")
    err = assert_clean_exit(p, (0, 1))
    assert b"not in the tree" in p.stdout, (p.stdout, err)
