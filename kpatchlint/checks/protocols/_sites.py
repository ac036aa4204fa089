"""Acquire sites for PRO003: where each call of the acquire stands against the sinks.

A site is *inside* the insertion when the acquiring function is itself a sink; *before* it
when the object is later handed to a sink in the same function, or returned up to a caller
that hands it to one; on a path with *no insertion* when it is returned up to callers that
never do (the swap-in that bypasses the swap cache).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from kpatchlint.c.flow import RETURN, norm
from kpatchlint.c.model import CallSite, FunctionSig
from kpatchlint.checks.protocols._analysis import (
    MAX_DEPTH, ProtocolAnalysis, acquire_spec, param_ref, short,
)
from kpatchlint.protocols import Protocol


@dataclass
class Site:
    """One place that acquires, classified against the sinks (PRO003)."""

    call: CallSite
    fn: FunctionSig | None
    obj: str
    where: str  # "inside" | "before" | "bypass" | "unknown"
    detail: str
    path: list[str]


def sites(a: ProtocolAnalysis, proto: Protocol) -> list[Site]:
    return _Sites(a).sites(proto)


class _Sites:
    def __init__(self, a: ProtocolAnalysis) -> None:
        self.a = a

    def inserts(self, proto: Protocol) -> dict[tuple[str, str], list[tuple[str, int, tuple[str, ...]]]]:
        """(path, function) -> (object expression, line, chain of callees down to a sink)."""
        key = ("inserts", proto.id)
        if key in self.a.memo:
            return self.a.memo[key]  # type: ignore[return-value]
        out: dict[tuple[str, str], list[tuple[str, int, tuple[str, ...]]]] = defaultdict(list)
        work = [(s.call, s.object_arg, (s.call,)) for s in proto.sinks if s.object_arg is not None]
        seen = {(n, i) for n, i, _ in work}
        while work:
            name, idx, chain = work.pop()
            for c in self.a.index.calls_to(name):
                if c.caller is None or c.in_macro or idx is None or idx >= len(c.args):
                    continue
                expr = norm(c.args[idx])
                out[(c.path, c.caller)].append((expr, c.line, chain))
                g = self.a.definition_at(c.caller, c.path, c.line)
                if g is None or len(chain) >= 6:
                    continue
                ref = param_ref(expr, g)
                if ref is not None and not ref[1] and (g.name, ref[0]) not in seen:
                    seen.add((g.name, ref[0]))
                    work.append((g.name, ref[0], (g.name,) + chain))
        self.a.memo[key] = out
        return out

    def sites(self, proto: Protocol) -> list[Site]:
        spec = acquire_spec(proto)
        ins = self.inserts(proto)
        out: list[Site] = []
        for c in self.a.acquire_calls(proto):
            fn = self.a.definition_at(c.caller, c.path, c.line)
            if spec.obj is not None and spec.obj < len(c.args):
                obj = norm(c.args[spec.obj])
            else:
                fl = self.a.flow(fn) if fn else None
                ev = [e for e in (fl.calls(c.callee) if fl else []) if e.line == c.line]
                obj = ev[0].target if ev and ev[0].target and ev[0].target != RETURN else ""
            out.append(self._classify(proto, c, fn, obj, ins))
        return out

    def _classify(self, proto: Protocol, c: CallSite, fn: FunctionSig | None, obj: str, ins) -> Site:
        name = c.caller or ""
        if name in proto.sink_names:
            sink = proto.sink(name)
            detail = f"inside the insertion, in {short(fn, name)}"
            if sink is not None and sink.has_flag and fn is not None:
                fi = next((i for i, p in enumerate(fn.params) if p.name == sink.flag_param), sink.flag_arg)
                fname = sink.flag_param or (fn.params[fi].name if fi is not None and fi < len(fn.params) else "")
                near = (self.a.ctx.line_text(c.path, ln) for ln in range(max(1, c.line - 1), c.line + 1))
                text = " ".join(t for t in near if t)
                if fname and re.search(rf"!\s*{re.escape(fname)}\b", text):
                    detail += f", only when `{fname}` is false"
                how = []
                for site, g in (self.a.callers(fn) if fn else []):
                    if fi is not None and fi < len(site.args):
                        how.append(f"`{g.name}()` passes `{fname or 'flag'}` = `{norm(site.args[fi])}`")
                if how:
                    detail += "; " + ", ".join(how)
            return Site(c, fn, obj, "inside", detail, [name])
        here = [x for x in ins.get((c.path, name), []) if x[0] == obj and x[1] >= c.line]
        if here:
            expr, line, chain = min(here, key=lambda x: x[1])
            users = sorted({g.name for _, g in (self.a.callers(fn) if fn else [])})
            via = ""
            if users:
                via = "; called from " + ", ".join(f"`{u}()`" for u in users[:5]) + (" ..." if len(users) > 5 else "")
            return Site(c, fn, obj, "before", f"before the insertion {self._chain(chain)} at {c.path}:{line}, "
                        f"same function{via}", [name] + list(chain))
        if fn is None:
            return Site(c, fn, obj, "unknown", "its function is not known", [name])
        fl = self.a.flow(fn)
        returns = fl is not None and any(r == obj for _, r in fl.returns())
        if not returns:
            return Site(c, fn, obj, "unknown", f"no insertion of `{obj}` follows in {short(fn)}", [name])
        # follow the returned object up to the functions that use it
        best_bypass: list[str] | None = None
        stack: list[tuple[FunctionSig, list[str]]] = [(fn, [fn.name])]
        seen = {(fn.path, fn.line)}
        while stack:
            g, path = stack.pop(0)
            callers = self.a.callers(g)
            if not callers and best_bypass is None:
                best_bypass = path
            for site, user in callers:
                if (user.path, user.line) in seen or len(path) > MAX_DEPTH:
                    continue
                seen.add((user.path, user.line))
                ufl = self.a.flow(user)
                ev = [e for e in (ufl.calls(g.name) if ufl else []) if e.line == site.line]
                tgt = ev[0].target if ev else None
                if tgt == RETURN:  # `return g(...)`: the object goes further up
                    stack.append((user, [user.name] + path))
                    continue
                if not tgt:
                    if best_bypass is None:
                        best_bypass = [user.name] + path
                    continue
                hit = [x for x in ins.get((user.path, user.name), []) if x[0] == tgt and x[1] >= site.line]
                if hit:
                    expr, line, chain = min(hit, key=lambda x: x[1])
                    p = [user.name] + path
                    return Site(c, fn, obj, "before",
                                f"before the insertion: returned to `{user.name}()`, which hands it to "
                                f"{self._chain(chain)} at {user.path}:{line}; path {' → '.join(p)}", p)
                if best_bypass is None or len(best_bypass) < len(path) + 1:
                    best_bypass = [user.name] + path
        p = best_bypass or [fn.name]
        sink = proto.term("sink")
        return Site(c, fn, obj, "bypass", f"no insertion on the path, {sink} is bypassed: {' → '.join(p)}", p)

    @staticmethod
    def _chain(chain: tuple[str, ...]) -> str:
        return " → ".join(f"`{n}()`" for n in chain)
