"""Mutations of the fixture series (fixtures/series/*/STORY.md): each mutation yields exactly its
expected finding at the right patch, file and line; the clean series yields none of them.
Expected findings are the ones written by hand in each STORY.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpatchlint.engine import lint_series
from kpatchlint.findings import Severity
from kpatchlint.series import load_series
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree

FIX = Path(__file__).resolve().parents[2] / "fixtures"
TREE = DirTree(FIX / "trees" / "swap")
CODES = ("SIG", "PAR001", "PRO001", "PRO002", "PRO004")

EXPECTED = {
    "swap-clean": set(),
    "swap-stale": {("SIG001", 3, "mm/zswap.c", 69), ("SIG003", 3, "mm/swap.h", 74)},
    "mut-drop-caller": {("SIG001", 3, "mm/swap_state.c", 349)},
    "mut-stale-doc": {("PAR001", 3, "mm/swap_state.c", 196)},
    "mut-forget-stub": {("SIG003", 3, "mm/swap.h", 74)},
    "mut-rename-leave-caller": {("SIG006", 1, "mm/shmem.c", 110)},
    "mut-split-change": {("SIG001", 2, "mm/memory.c", 25), ("SIG001", 2, "mm/shmem.c", 24),
                         ("SIG007", 2, "mm/memory.c", 25)},
}


def _errors_and_warnings(name: str, tree) -> set[tuple[str, int, str, int]]:
    series = load_series(str(FIX / "series" / name / "series.mbox"))
    r = lint_series(series, tree, Settings(select=CODES))
    return {(f.code, f.patch, f.primary.path, f.primary.line) for f in r.findings
            if f.severity >= Severity.WARNING and not f.pre_existing and f.primary}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_mutation_yields_exactly_its_finding(name: str) -> None:
    assert _errors_and_warnings(name, TREE) == EXPECTED[name]


def test_split_change_is_repaired_by_the_next_patch() -> None:
    series = load_series(str(FIX / "series" / "mut-split-change" / "series.mbox"))
    r = lint_series(series, TREE, Settings(select=("SIG",)))
    sig7 = [f for f in r.findings if f.code == "SIG007"]
    assert len(sig7) == 1 and "breaks the build, repaired by 3/5" in sig7[0].message
    assert all(f.repaired_by == 3 for f in r.findings if f.code == "SIG001")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_diff_only_mode_reports_nothing_false(name: str) -> None:
    """Without a tree only what the hunks show is known: a forgotten caller or stub is not in
    the diff, so it cannot be seen; but nothing may be reported that the tree run does not."""
    got = {x for x in _errors_and_warnings(name, None) if x[0].startswith("SIG")}
    assert got <= EXPECTED[name]


def test_diff_only_mode_sees_a_break_inside_the_hunks() -> None:
    got = _errors_and_warnings("mut-split-change", None)
    assert got == EXPECTED["mut-split-change"]
