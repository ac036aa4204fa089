"""The run cache: a run with the same series, tree and settings is answered from the stored
results; any change to one of them computes again."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from kpatchlint.analysis.facts import FactsProvider
from kpatchlint.cache import FactsCache
from kpatchlint.engine import lint_series
from kpatchlint.report import writer
from kpatchlint.runcache import finding_from_record, finding_record
from kpatchlint.series import load_series
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree
from kpatchlint.tree.source import DirTree as _DirTree

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SERIES = FIXTURES / "series" / "swap-stale" / "series.mbox"


@pytest.fixture()
def tree(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the swap fixture tree, treated like a big tree whose files are old enough."""
    root = tmp_path / "tree"
    shutil.copytree(FIXTURES / "trees" / "swap", root)
    monkeypatch.setattr(_DirTree, "PERSIST_MIN_FILES", 0)
    monkeypatch.setattr(_DirTree, "RACY_SECONDS", 0.0)
    return root


def _run(tree: Path, cache: Path, settings: Settings | None = None, series: Path = SERIES):
    return lint_series(load_series(str(series)), DirTree(tree), settings or Settings(),
                       FactsProvider(FactsCache(cache)), reuse=True)


def test_the_same_run_again_is_reused_and_reports_the_same(tree: Path, tmp_path: Path) -> None:
    first = _run(tree, tmp_path / "c")
    assert not first.stats.get("reused_run")
    assert [f.code for f in first.findings if f.code == "SIG001"]  # the demo series has findings
    again = _run(tree, tmp_path / "c")
    assert again.stats.get("reused_run") is True
    assert again.findings == first.findings and again.problems == first.problems
    for fmt in ("text", "checkpatch", "sarif"):  # code frames come from the snapshots
        assert writer(fmt)(again, {}) == writer(fmt)(first, {})
    a, b = json.loads(writer("json")(again, {})), json.loads(writer("json")(first, {}))
    assert a.pop("stats")["reused_run"] is True and "reused_run" not in b.pop("stats")
    assert a == b


def test_a_changed_tree_file_is_not_reused(tree: Path, tmp_path: Path) -> None:
    _run(tree, tmp_path / "c")
    p = tree / "mm" / "shmem.c"
    p.write_text(p.read_text() + "\nint shmem_extra(void) { return 0; }\n")
    st = p.stat()
    time.sleep(0.01)
    assert not _run(tree, tmp_path / "c").stats.get("reused_run")
    assert st.st_size == p.stat().st_size


def test_other_settings_or_another_series_are_not_reused(tree: Path, tmp_path: Path) -> None:
    _run(tree, tmp_path / "c")
    assert not _run(tree, tmp_path / "c", Settings(select=("SIG",))).stats.get("reused_run")
    assert not _run(tree, tmp_path / "c", series=FIXTURES / "series" / "swap-clean" / "series.mbox"
                    ).stats.get("reused_run")
    assert _run(tree, tmp_path / "c").stats.get("reused_run")  # the first one is still there


def test_small_or_fresh_trees_are_never_reused(tmp_path: Path) -> None:
    # the fixture tree as it is: 11 files, under DirTree.PERSIST_MIN_FILES
    _run(FIXTURES / "trees" / "swap", tmp_path / "c")
    assert not _run(FIXTURES / "trees" / "swap", tmp_path / "c").stats.get("reused_run")


def test_a_damaged_entry_is_a_miss(tree: Path, tmp_path: Path) -> None:
    _run(tree, tmp_path / "c")
    c = FactsCache(tmp_path / "c")
    c._db.execute("UPDATE runs SET data='{\"findings\": [[1]]'")
    c._db.commit()
    c.close()
    again = _run(tree, tmp_path / "c")
    assert not again.stats.get("reused_run") and again.findings


def test_records_round_trip(tree: Path, tmp_path: Path) -> None:
    for f in _run(tree, tmp_path / "c").findings:
        assert finding_from_record(finding_record(f)) == f
