"""What the PRO rules share: one ProtocolAnalysis per snapshot context.

It holds the index the protocols are checked on (in series mode, the engine's index plus
the files that call the protocols' functions), tells which functions are related to the
series, gives the control flow of a function (kpatchlint.c.flow) and the interprocedural
summaries the rules need:

* "producers": functions that return an object they acquired (`__alloc_swap_folio()`
  charges the folio it returns);
* "param acquirers": functions that acquire the object passed as one of their parameters
  on every path;
* unpaired acquires of pair protocols (PRO004).

Flag claims (PRO001/PRO002) live in _claims.py, acquire sites (PRO003) in _sites.py.
"""

from __future__ import annotations

import re
from collections import defaultdict

from kpatchlint.analysis.callgraph import CallGraph
from kpatchlint.analysis.index import SymbolIndex, func_key
from kpatchlint.c.extract import extract_facts
from kpatchlint.c.flow import AcquireSpec, FunctionFlow, Leak, ReleaseSpec, function_flow, norm
from kpatchlint.c.model import CallSite, FileFacts, FunctionSig
from kpatchlint.checks.base import Context
from kpatchlint.findings import Severity
from kpatchlint.protocols import Protocol

MAX_DEPTH = 8
MAX_PATHS = 64
MAX_EXTRA_FILES = 80  # files a series-mode run may add to the index for the protocols
_FACTS: dict[tuple[str, str], FileFacts] = {}  # (path, digest) -> facts of files pulled in
_EXTRA_INDEX: dict[tuple, SymbolIndex] = {}  # the files pulled in, indexed
_FLOWS: dict[tuple, "FunctionFlow | None"] = {}  # (path, digest, line, end, name) -> flow of that definition
_GREP: dict[tuple[str, str, str], dict[str, set[str]]] = {}  # tree -> name -> files naming it
_IDENT_RE = re.compile(r"^[A-Za-z_]\w*$")


def _grep(base, names: set[str]) -> set[str]:
    """Files of the base tree that name any of `names` (cached per tree and name)."""
    key = (type(base).__name__, str(getattr(base, "root", "")), str(getattr(base, "rev", "")))
    per = _GREP.setdefault(key, {})
    todo = sorted(n for n in names if n not in per)
    if todo:
        try:
            per.update(base.grep_names(todo))
        except Exception:  # a tree that cannot be searched: keep the engine's index
            per.update({n: set() for n in todo})
    out: set[str] = set()
    for n in names:
        out |= per.get(n, set())
    return out


def _with_extra(index: SymbolIndex, extra: dict[str, FileFacts]) -> SymbolIndex:
    """`index` and the files the protocols pulled in: untouched files, the same at every
    snapshot, so their part is built once."""
    if not extra:
        return index
    key = tuple(sorted((p, f.digest) for p, f in extra.items()))
    part = _EXTRA_INDEX.get(key)
    if part is None:
        if len(_EXTRA_INDEX) > 64:
            _EXTRA_INDEX.clear()
        part = _EXTRA_INDEX[key] = SymbolIndex(extra)
    return SymbolIndex.stack(index, part)


def _facts_of(ctx: Context, states: list) -> dict[str, FileFacts]:
    """Facts of the files the protocols pull in: through the run's provider (memory, cache,
    parallel parse) when there is one."""
    provider = getattr(ctx, "provider", None)
    if provider is not None:
        return provider.get_many(states)
    out = {}
    for st in states:
        fk = (st.path, st.digest)
        facts = _FACTS.get(fk)
        if facts is None:
            if len(_FACTS) > 4096:
                _FACTS.clear()
            facts = _FACTS[fk] = extract_facts(st.path, st.data(), st.digest)
        out[st.path] = facts
    return out


def acquire_spec(p: Protocol) -> AcquireSpec:
    objs = {a.object_arg for a in p.acquire}
    obj = None if any(a.object_return for a in p.acquire) else (objs.pop() if len(objs) == 1 else None)
    fails = {a.fails for a in p.acquire}
    return AcquireSpec(p.acquire_names, obj, fails.pop() if len(fails) == 1 else "null")


def acquire_specs(p: Protocol) -> list[AcquireSpec]:
    """One AcquireSpec per distinct (object, fails) of the protocol's acquire calls."""
    groups: dict[tuple, set[str]] = defaultdict(set)
    for a in p.acquire:
        groups[(None if a.object_return else a.object_arg, a.fails)].add(a.call)
    return [AcquireSpec(frozenset(names), obj, fails) for (obj, fails), names in groups.items()]


def release_spec(p: Protocol) -> ReleaseSpec:
    return ReleaseSpec(p.release_names, 0, tuple((r.call, r.object_arg or 0) for r in p.release))


def literal(expr: str) -> bool | None:
    t = norm(expr)
    neg = False
    while t.startswith("!"):
        neg = not neg
        t = norm(t[1:])
    val = {"true": True, "1": True, "false": False, "0": False}.get(t)
    if val is None:
        return None
    return (not val) if neg else val


def param_ref(expr: str, fn: FunctionSig) -> tuple[int, bool] | None:
    """`charged` / `!charged` naming a parameter of fn -> (index, negated)."""
    t = norm(expr)
    neg = False
    while t.startswith("!"):
        neg = not neg
        t = norm(t[1:])
    if not _IDENT_RE.match(t):
        return None
    for i, p in enumerate(fn.params):
        if p.name == t:
            return i, neg
    return None


def short(fn: FunctionSig | None, name: str = "") -> str:
    return f"`{fn.name if fn else name}()`"


class ProtocolAnalysis:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.base_index = ctx.index
        self.index = self._extended(ctx)
        self._graph: CallGraph | None = None
        self._related: set[str] | None = None
        self._flows: dict[tuple[str, int], FunctionFlow | None] = {}
        self._producers: dict[str, frozenset[str]] = {}
        self._pacq: dict[str, dict[str, frozenset[int]]] = {}
        self.memo: dict[tuple, object] = {}  # results of _claims / _sites per protocol

    # -- scope -----------------------------------------------------------------------------
    @staticmethod
    def _extended(ctx: Context) -> SymbolIndex:
        """In series mode the engine indexes the touched files, the files that use a changed
        signature and their headers. The protocols also need the files that call their
        functions (acquire, sinks, release) and the callers of the non-static functions that
        call the acquire or a flagged sink (for the walks up the call graph). They are found
        with the tree's grep (two searches at most, cached per name and tree) and parsed here
        at this snapshot's content, at most MAX_EXTRA_FILES of them."""
        base = ctx.snapshot.base
        if ctx.series is None or base is None or not ctx.protocols:
            return ctx.index
        files: dict[str, FileFacts] = dict(ctx.index.files)
        wanted: set[str] = set()
        targets: set[str] = set()
        for p in ctx.protocols:
            wanted |= set(p.acquire_names) | set(p.sink_names) | set(p.release_names)
            if p.kind == "acquire-before-sink":
                targets |= set(p.acquire_names) | {s.call for s in p.sinks if s.has_flag}
        searched: set[str] = set()
        extra: dict[str, FileFacts] = {}
        for _ in range(2):
            states = []
            for path in sorted(_grep(base, wanted - searched)):
                if path in files or len(extra) + len(states) >= MAX_EXTRA_FILES:
                    continue
                st = ctx.snapshot.state(path)
                if st is not None and st.is_full:
                    states.append(st)
            got = _facts_of(ctx, states)
            files.update(got)
            extra.update(got)
            searched |= wanted
            ix = _with_extra(ctx.index, extra)
            callers = {c.caller for t in targets for c in ix.calls_to(t) if c.caller and not c.in_macro}
            targets |= callers
            # a static function is called from its own file, which is parsed already
            wanted = {n for n in callers - searched
                      if not all(fn.storage == "static" and not fn.path.endswith(".h") for fn in ix.functions(n))}
            if not wanted:
                break
        return _with_extra(ctx.index, extra)

    @property
    def tree_mode(self) -> bool:
        return self.ctx.series is None

    def related(self, name: str | None) -> bool:
        """In series mode: the function is in the focus, or calls / is called by one that is."""
        if self.tree_mode:
            return True
        if name is None:
            return False
        if self._related is None:
            focus = {self.ctx.root(n) for n in self.ctx.focus} | set(self.ctx.focus)
            rel = set(focus)
            for facts in self.index.files.values():
                for c in facts.calls:
                    if c.caller is None:
                        continue
                    if c.caller in focus:
                        rel.add(c.callee)
                    if c.callee in focus:
                        rel.add(c.caller)
            self._related = rel
        return name in self._related or self.ctx.root(name) in self._related

    @property
    def graph(self) -> CallGraph:
        if self._graph is None:
            self._graph = CallGraph.lazy(self.index)
        return self._graph

    # -- functions -------------------------------------------------------------------------
    def definition_at(self, name: str | None, path: str, line: int) -> FunctionSig | None:
        if name is None:
            return None
        for f in self.index.functions(name):
            if f.is_definition and f.path == path and f.line <= line <= f.end_line:
                return f
        return None

    def flow(self, fn: FunctionSig) -> FunctionFlow | None:
        key = (fn.path, fn.line)
        if key in self._flows:
            return self._flows[key]
        out = None
        st = self.ctx.snapshot.state(fn.path)
        # the same file version at another snapshot has the same flow
        vkey = (fn.path, st.digest if st is not None else None, fn.line, fn.end_line, fn.name)
        if vkey in _FLOWS:
            self._flows[key] = _FLOWS[vkey]
            return _FLOWS[vkey]
        if st is not None:
            lines = [st.line(n) for n in range(fn.line, fn.end_line + 1)]
            if all(ln is not None for ln in lines):
                fl = function_flow("\n".join(lines), fn.line)  # type: ignore[arg-type]
                out = fl if fl.ok and fl.name == fn.name else None
        self._flows[key] = out
        if len(_FLOWS) > 20_000:
            _FLOWS.clear()
        _FLOWS[vkey] = out
        return out

    def callers(self, fn: FunctionSig) -> list[tuple[CallSite, FunctionSig]]:
        """The calls of fn (respecting `static`) with the definition each sits in."""
        out = []
        for e in self.graph.callers_of(func_key(fn)):
            site = e.site
            if site.in_macro or site.caller is None:
                continue
            g = self.definition_at(site.caller, site.path, site.line)
            if g is not None:
                out.append((site, g))
        out.sort(key=lambda x: (x[0].path, x[0].line))
        return out

    def acquire_calls(self, proto: Protocol) -> list[CallSite]:
        out = []
        for name in sorted(proto.acquire_names):
            out += [c for c in self.index.calls_to(name) if c.caller is not None and not c.in_macro
                    and c.caller not in proto.ignore_functions]
        return sorted(out, key=lambda c: (c.path, c.line))

    # -- interprocedural summaries ----------------------------------------------------------
    def param_acquirers(self, proto: Protocol) -> dict[str, frozenset[int]]:
        """name -> parameters that the function acquires on every path (not sinks)."""
        if proto.id in self._pacq:
            return self._pacq[proto.id]
        spec = acquire_spec(proto)
        out: dict[str, frozenset[int]] = {}
        self._pacq[proto.id] = out
        if spec.obj is None:
            return out
        names = set(proto.acquire_names)
        for _ in range(4):
            grew = False
            for callee in sorted(names):
                for c in self.index.calls_to(callee):
                    fn = self.definition_at(c.caller, c.path, c.line)
                    if fn is None or fn.name in proto.sink_names or fn.name in out:
                        continue
                    obj_i = spec.obj if callee in proto.acquire_names else None
                    idxs = [obj_i] if obj_i is not None else sorted(out.get(callee, ()))
                    fl = self.flow(fn)
                    if fl is None:
                        continue
                    got = set()
                    for i in idxs:
                        if i is None or i >= len(c.args):
                            continue
                        ref = param_ref(c.args[i], fn)
                        if ref is None or ref[1]:
                            continue
                        pname = fn.params[ref[0]].name or ""
                        b = fl.acquired_at_returns(pname, spec, self.producers(proto), dict(out))
                        if b is not None and b.every:
                            got.add(ref[0])
                    if got:
                        out[fn.name] = frozenset(got)
                        grew = True
            names |= set(out)
            if not grew:
                break
        return out

    def producers(self, proto: Protocol) -> frozenset[str]:
        """Functions that return an object they (or a producer they call) acquired."""
        if proto.id in self._producers:
            return self._producers[proto.id]
        self._producers[proto.id] = frozenset()
        spec = acquire_spec(proto)
        prods: set[str] = set()
        frontier = set(proto.acquire_names)
        for _ in range(MAX_DEPTH):
            cands: list[FunctionSig] = []
            for name in sorted(frontier):
                for c in self.index.calls_to(name):
                    fn = self.definition_at(c.caller, c.path, c.line)
                    if fn is not None and fn.name not in prods and fn.name not in proto.sink_names:
                        cands.append(fn)
            grew: set[str] = set()
            for fn in cands:
                fl = self.flow(fn)
                if fl is None:
                    continue
                if fl.returned_acquired(spec, frozenset(prods | grew), {}):
                    grew.add(fn.name)
            if not grew:
                break
            prods |= grew
            frontier = grew
        self._producers[proto.id] = frozenset(prods)
        return self._producers[proto.id]

    # -- PRO004 -------------------------------------------------------------------------------
    def leaks(self, proto: Protocol) -> list[tuple[FunctionSig, Leak, FunctionFlow]]:
        out: list[tuple[FunctionSig, Leak, FunctionFlow]] = []
        if proto.kind != "pair":
            return out
        rspec = release_spec(proto)
        done: set[tuple[str, int]] = set()
        for c in self.acquire_calls(proto):
            fn = self.definition_at(c.caller, c.path, c.line)
            if fn is None or (fn.path, fn.line) in done or fn.name in proto.release_names:
                continue
            done.add((fn.path, fn.line))
            fl = self.flow(fn)
            if fl is None:
                continue
            for aspec in acquire_specs(proto):
                for lk in fl.unpaired(aspec, rspec):
                    out.append((fn, lk, fl))
        return out


def analysis(ctx: Context) -> ProtocolAnalysis:
    a = getattr(ctx, "_protocol_analysis", None)
    if a is None or a.base_index is not ctx.index:
        a = ProtocolAnalysis(ctx)
        ctx._protocol_analysis = a  # type: ignore[attr-defined]
    return a


def sev(proto: Protocol) -> Severity:
    return Severity.parse(proto.severity)
