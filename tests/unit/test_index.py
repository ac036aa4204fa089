"""SymbolIndex: an index updated from the previous snapshot answers exactly like one built anew."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpatchlint.analysis.facts import FactsProvider
from kpatchlint.analysis.index import SymbolIndex
from kpatchlint.series import load_series
from kpatchlint.tree import DirTree
from kpatchlint.tree.snapshot import build_snapshots

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SERIES = sorted(p.parent.name for p in (FIXTURES / "series").glob("*/series.mbox"))


def _answers(ix: SymbolIndex) -> dict:
    names = set()
    for f in ix.files.values():
        names |= {x.name for x in f.functions} | {c.callee for c in f.calls} | {m.name for m in f.macros}
        names |= {e.name for e in f.exports} | set(f.refs) | {c.function for c in f.comments if c.function}
    key = lambda x: (x.path, x.line, repr(x))  # noqa: E731
    return {n: (sorted(ix.functions(n), key=key), sorted(ix.calls_to(n), key=key), sorted(ix.macros(n), key=key),
                sorted(ix.exports(n), key=key), ix.ref_files(n), sorted(ix.comments_of(n), key=key))
            for n in sorted(names)} | {"<names>": ix.names(), "<files>": sorted(ix.files)}


def _states(snap, paths):
    return [st for st in (snap.state(p) for p in paths) if st is not None]


@pytest.mark.parametrize("name", SERIES)
def test_updated_index_equals_a_fresh_one(name: str) -> None:
    series = load_series(str(FIXTURES / "series" / name / "series.mbox"))
    snaps, _ = build_snapshots(series, DirTree(FIXTURES / "trees" / "swap"))
    provider = FactsProvider()
    touched = sorted({fc.new_path or fc.old_path for p in series.present for fc in p.files})
    facts = [provider.get_many(_states(s, touched)) for s in snaps]
    others = [p for p in DirTree(FIXTURES / "trees" / "swap").files() if p not in touched]
    untouched = provider.get_many(_states(snaps[0], others))
    shared = SymbolIndex(untouched)
    ix = SymbolIndex(facts[0], shared=shared)
    changed = 0
    for k in range(1, len(snaps)):
        ix = ix.updated(facts[k])
        fresh = SymbolIndex(facts[k], shared=shared)
        assert _answers(ix) == _answers(fresh), f"snapshot {k}"
        changed += any(facts[k].get(p) is not facts[k - 1].get(p) for p in set(facts[k]) | set(facts[k - 1]))
    assert changed  # the series really changes files


def test_a_file_dropped_from_the_own_part_leaves_no_trace() -> None:
    provider = FactsProvider()
    tree = DirTree(FIXTURES / "trees" / "swap")
    snap = build_snapshots(load_series(str(FIXTURES / "series" / "swap-clean" / "series.mbox")), tree)[0][0]
    facts = provider.get_many([snap.state(p) for p in ("mm/zswap.c", "mm/swap_state.c")])
    ix = SymbolIndex(facts).updated({"mm/swap_state.c": facts["mm/swap_state.c"]})
    assert all(c.path != "mm/zswap.c" for f in facts["mm/zswap.c"].calls for c in ix.calls_to(f.callee))
    assert _answers(ix) == _answers(SymbolIndex({"mm/swap_state.c": facts["mm/swap_state.c"]}))
