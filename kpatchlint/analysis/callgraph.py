"""CallGraph: a networkx multigraph of functions with call sites on the edges."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from kpatchlint.analysis.index import SymbolIndex, func_key
from kpatchlint.c.model import CallSite


@dataclass(frozen=True, slots=True)
class Edge:
    caller: str
    callee: str
    site: CallSite


class CallGraph:
    def __init__(self) -> None:
        self._g = nx.MultiDiGraph()
        self._index: SymbolIndex | None = None  # set by lazy(): callers are loaded on demand
        self._loaded: set[str] = set()
        self._statics: dict[str, set[str]] = {}

    @classmethod
    def from_index(cls, index: SymbolIndex, names: set[str] | None = None,
                   qualify_static: bool = True) -> "CallGraph":
        """Edges for every call in the indexed files (or only calls to `names`). Static
        functions are keyed `path::name` unless `qualify_static` is False (plain-name queries)."""
        g = cls()
        for facts in index.files.values():
            statics = {f.name for f in facts.functions if f.storage == "static" and not facts.path.endswith(".h")} \
                if qualify_static else set()
            for c in facts.calls:
                if names is not None and c.callee not in names:
                    continue
                if c.in_macro:
                    continue
                caller = c.caller or f"{c.path}::<file scope>"
                if c.caller and c.caller in statics:
                    caller = f"{c.path}::{c.caller}"
                callee = f"{c.path}::{c.callee}" if c.callee in statics else c.callee
                g.add_call(caller, callee, c)
        return g

    @classmethod
    def lazy(cls, index: SymbolIndex) -> "CallGraph":
        """A graph that takes in the calls to a function the first time its callers are asked
        for: a walk up from a few sinks costs the calls it meets, not every call of the index."""
        g = cls()
        g._index = index
        g._loaded = set()
        g._statics = {}
        return g

    def _static_names(self, path: str) -> set[str]:
        out = self._statics.get(path)
        if out is None:
            facts = self._index.files.get(path)
            out = set() if facts is None or path.endswith(".h") else \
                {f.name for f in facts.functions if f.storage == "static"}
            self._statics[path] = out
        return out

    def _load_callers(self, key: str) -> None:
        name = key.rsplit("::", 1)[-1]
        if name in self._loaded:
            return
        self._loaded.add(name)
        for c in self._index.calls_to(name):
            if c.in_macro:
                continue
            statics = self._static_names(c.path)
            caller = c.caller or f"{c.path}::<file scope>"
            if c.caller and c.caller in statics:
                caller = f"{c.path}::{c.caller}"
            callee = f"{c.path}::{name}" if name in statics else name
            self.add_call(caller, callee, c)

    def add_call(self, caller: str, callee: str, site: CallSite) -> None:
        self._g.add_edge(caller, callee, site=site)

    def nodes(self) -> list[str]:
        return list(self._g.nodes)

    def has(self, name: str) -> bool:
        return name in self._g

    def callers_of(self, name: str) -> list[Edge]:
        if self._index is not None:
            self._load_callers(name)
        if name not in self._g:
            return []
        return [Edge(u, v, d["site"]) for u, v, d in self._g.in_edges(name, data=True)]

    def callees_of(self, name: str) -> list[Edge]:
        if self._index is not None:
            raise NotImplementedError("a lazy call graph knows callers only")
        if name not in self._g:
            return []
        return [Edge(u, v, d["site"]) for u, v, d in self._g.out_edges(name, data=True)]

    def callers_up_to(self, name: str, depth: int) -> list[tuple[int, Edge]]:
        out: list[tuple[int, Edge]] = []
        seen = {name}
        frontier = [name]
        for level in range(1, depth + 1):
            nxt = []
            for n in frontier:
                for e in sorted(self.callers_of(n), key=lambda e: (e.site.path, e.site.line)):
                    out.append((level, e))
                    if e.caller not in seen:
                        seen.add(e.caller)
                        nxt.append(e.caller)
            frontier = nxt
        return out

    def paths_to(self, sink: str, max_depth: int = 6, limit: int = 200) -> list[list[Edge]]:
        """Caller chains ending in `sink`, each listed from the entry point down to the sink."""
        out: list[list[Edge]] = []

        def walk(node: str, chain: list[Edge], seen: set[str]) -> None:
            if len(out) >= limit:
                return
            ins = self.callers_of(node)
            if not ins or len(chain) >= max_depth:
                if chain:
                    out.append(list(reversed(chain)))
                return
            for e in ins:
                if e.caller in seen:
                    out.append(list(reversed(chain + [e])))
                    continue
                walk(e.caller, chain + [e], seen | {e.caller})

        walk(sink, [], {sink})
        return out


def key_of(index: SymbolIndex, name: str, path: str | None = None) -> str:
    for f in index.functions(name):
        if path is None or f.path == path:
            return func_key(f)
    return name
