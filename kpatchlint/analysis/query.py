"""The `callgraph` query: call sites of a function (and their callers, up to a depth) in a tree,
optionally after patch K of a series, and the difference between two snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpatchlint.analysis.callgraph import CallGraph
from kpatchlint.analysis.facts import FactsProvider
from kpatchlint.analysis.index import SymbolIndex
from kpatchlint.c.model import CallSite, FunctionSig
from kpatchlint.errors import InputError
from kpatchlint.series.model import Series
from kpatchlint.tree.snapshot import Snapshot, build_snapshots
from kpatchlint.tree.source import SourceTree


@dataclass
class Site:
    level: int
    caller: str | None
    callee: str
    call: CallSite


@dataclass
class CallgraphReport:
    function: str
    at: int
    signatures: list[FunctionSig]
    sites: list[Site]
    callees: list[Site] = field(default_factory=list)
    diff: dict | None = None


def _touched(series: Series | None) -> set[str]:
    out: set[str] = set()
    if series is not None:
        for p in series.present:
            for fc in p.files:
                for path in (fc.old_path, fc.new_path):
                    if path and path.endswith((".c", ".h")):
                        out.add(path)
    return out


def _index_for(names: set[str], snap: Snapshot, tree: SourceTree | None, touched: set[str],
               provider: FactsProvider, extra: set[str] | None = None) -> SymbolIndex:
    files = set(touched) | (extra or set())
    if tree is not None and names:
        files |= tree.grep_files(names)
    states = [st for p in sorted(files) if (st := snap.state(p)) is not None]
    return SymbolIndex(provider.get_many(states))


def callgraph_query(func: str, tree: SourceTree | None, series: Series | None, at: int, depth: int,
                    callees: bool, provider: FactsProvider | None = None) -> CallgraphReport:
    provider = provider or FactsProvider()
    if series is not None:
        snaps, _ = build_snapshots(series, tree)
        if not 0 <= at < len(snaps):
            raise InputError(f"--at {at} is outside the series (0..{len(snaps) - 1})")
        snap = snaps[at]
    else:
        if tree is None:
            raise InputError("callgraph needs --tree or --series")
        snap = Snapshot(0, {}, tree)
    touched = _touched(series)
    sites: list[Site] = []
    seen = {func}
    frontier = {func}
    files_seen: set[str] = set()
    index = _index_for({func}, snap, tree, touched, provider)
    files_seen |= set(index.files)
    signatures = sorted(index.functions(func), key=lambda f: (f.path, f.line))
    for level in range(1, depth + 1):
        if level > 1:
            index = _index_for(frontier, snap, tree, touched, provider, files_seen)
            files_seen |= set(index.files)
        graph = CallGraph.from_index(index, names=frontier, qualify_static=False)
        nxt: set[str] = set()
        for name in sorted(frontier):
            for e in sorted(graph.callers_of(name), key=lambda e: (e.site.path, e.site.line)):
                sites.append(Site(level, e.site.caller, e.site.callee, e.site))
                if e.site.caller and e.site.caller not in seen:
                    seen.add(e.site.caller)
                    nxt.add(e.site.caller)
        frontier = nxt
        if not frontier:
            break
    out_callees: list[Site] = []
    if callees:
        idx = _index_for({func}, snap, tree, touched, provider, files_seen)
        for facts in idx.files.values():
            for c in facts.calls:
                if c.caller == func and not c.in_macro:
                    out_callees.append(Site(1, func, c.callee, c))
        out_callees.sort(key=lambda s: (s.call.path, s.call.line))
    return CallgraphReport(func, at, signatures, sites, out_callees)


def diff_reports(a: CallgraphReport, b: CallgraphReport) -> dict:
    """Call sites and signatures that differ between two snapshots (keyed without line numbers)."""
    def skey(s: Site) -> tuple:
        return (s.call.path, s.caller, s.callee, s.call.args)

    ak = {skey(s): s for s in a.sites if s.level == 1}
    bk = {skey(s): s for s in b.sites if s.level == 1}
    asig = {f.signature() for f in a.signatures}
    bsig = {f.signature() for f in b.signatures}
    return {
        "signatures_removed": sorted(asig - bsig), "signatures_added": sorted(bsig - asig),
        "sites_removed": [ak[k] for k in ak if k not in bk], "sites_added": [bk[k] for k in bk if k not in ak],
    }
