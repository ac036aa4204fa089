"""Flag claims for PRO001/PRO002: follow each call of a flagged sink up the call graph.

A call `sink(..., obj, ..., flag)` is followed upwards while the flag is a parameter of the
calling function (it is forwarded: its value is what each caller passes), and, once the flag
is a literal, while the object is a parameter and the acquire has not been seen yet (the
caller may have acquired it). The walk stops at MAX_DEPTH frames and MAX_PATHS paths per sink
call; a path that reaches a function with no caller in view is not reported (an API entry
point whose callers are out of sight).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kpatchlint.c.flow import AcquireSpec, norm
from kpatchlint.c.model import CallSite, FunctionSig
from kpatchlint.checks.protocols._analysis import (
    MAX_DEPTH, MAX_PATHS, ProtocolAnalysis, acquire_spec, literal, param_ref,
)
from kpatchlint.findings import Label
from kpatchlint.location import Confidence, Location
from kpatchlint.protocols import CallSpec, Protocol


@dataclass(frozen=True)
class Frame:
    fn: FunctionSig  # the function holding `site`
    site: CallSite  # the call down the chain (the last frame's call is the sink call)
    obj: str | None  # the object expression in fn's scope (None: not visible here)


@dataclass
class Claim:
    """A sink call whose flag resolved to a literal somewhere up the chain, with a defect."""

    kind: str  # "missing" | "double"
    proto: Protocol
    sink: CallSpec
    chain: list[Frame]  # top (where it is reported) first, the sink call last
    flag_frame: Frame  # where the literal is
    flag_text: str
    acquires: list[tuple[str, int, str]] = field(default_factory=list)  # (path, line, function)
    confidence: Confidence = Confidence.HIGH


def claims(a: ProtocolAnalysis, proto: Protocol) -> list[Claim]:
    """Every defective claim of the protocol's flagged sinks at this snapshot (memoised)."""
    key = ("claims", proto.id)
    if key not in a.memo:
        a.memo[key] = _Walker(a).claims(proto)
    return a.memo[key]  # type: ignore[return-value]


class _Walker:
    def __init__(self, a: ProtocolAnalysis) -> None:
        self.a = a

    def claims(self, proto: Protocol) -> list[Claim]:
        out: list[Claim] = []
        if proto.kind != "acquire-before-sink":
            return out
        spec = acquire_spec(proto)
        for sink in proto.sinks:
            if not sink.has_flag or sink.object_arg is None:
                continue
            for c in self.a.index.calls_to(sink.call):
                if c.caller is None or c.in_macro or c.caller in proto.ignore_functions:
                    continue
                fn = self.a.definition_at(c.caller, c.path, c.line)
                if fn is None:
                    continue
                flag_i = self._flag_index(sink, c)
                if flag_i is None or flag_i >= len(c.args) or sink.object_arg >= len(c.args):
                    continue
                neg = sink.flag_means == "not-acquired"
                self._walk(proto, spec, sink, [Frame(fn, c, norm(c.args[sink.object_arg]))],
                           ("expr", c.args[flag_i], neg), None, out, [0])
        return out

    def _flag_index(self, sink: CallSpec, c: CallSite) -> int | None:
        """The flag's position: by name in the sink's declaration; by `flag_arg` only when no
        declaration is in view (a declaration without the named flag means the sink has none
        now, e.g. after a patch removed it)."""
        decls = self.a.index.candidates_for_call(c) or self.a.index.functions(sink.call)
        if sink.flag_param and decls:
            for f in decls:
                for i, p in enumerate(f.params):
                    if p.name == sink.flag_param:
                        return i
            return None
        return sink.flag_arg

    def _walk(self, proto: Protocol, spec: AcquireSpec, sink: CallSpec, chain: list[Frame],
              flag: tuple, flag_frame: Frame | None, out: list[Claim], budget: list[int],
              acquired: tuple[bool, list[tuple[str, int, str]]] = (False, [])) -> None:
        """chain[0] is the current top frame. `flag` is ("expr", text, negated) while the flag
        is still an expression of the top frame, ("value", bool) once it is a literal."""
        budget[0] += 1
        if budget[0] > MAX_PATHS or len(chain) > MAX_DEPTH:
            return
        top = chain[0]
        every, lines = acquired
        if top.obj is not None:
            fl = self.a.flow(top.fn)
            if fl is not None:
                b = fl.acquired_before(top.site.line, top.site.callee, top.obj, spec,
                                       self.a.producers(proto), self.a.param_acquirers(proto))
                if b is not None:
                    every = every or b.every
                    lines = lines + [(top.fn.path, ln, top.fn.name) for ln in b.lines]
        if flag[0] == "expr":
            text, neg = flag[1], flag[2]
            val = literal(text)
            if val is not None:
                flag = ("value", (not val) if neg else val, text)
                flag_frame = top
            else:
                ref = param_ref(text, top.fn)
                if ref is None:
                    return  # computed flag: not followed
                idx, neg2 = ref
                for site, g in self.a.callers(top.fn):
                    if idx >= len(site.args):
                        continue
                    obj = self._map_obj(top, site)
                    self._walk(proto, spec, sink, [Frame(g, site, obj)] + chain,
                               ("expr", site.args[idx], neg ^ neg2), None, out, budget, (every, lines))
                return
        assert flag_frame is not None
        says_acquired = flag[1]
        conf = min([f.site.confidence for f in chain] + [Confidence.HIGH])
        if says_acquired:
            if every:
                return
            if self._obj_param(top) is not None:
                # the object comes from the callers: each caller path must have acquired it;
                # with no caller in view (an API entry point) the claim cannot be checked
                for site, g in self.a.callers(top.fn):
                    self._walk(proto, spec, sink, [Frame(g, site, self._map_obj(top, site))] + chain,
                               flag, flag_frame, out, budget, (every, lines))
                return
            out.append(Claim("missing", proto, sink, chain, flag_frame, flag[2], lines, conf))
        else:
            if lines:
                out.append(Claim("double", proto, sink, chain, flag_frame, flag[2], lines, conf))
                return
            if self._obj_param(top) is not None:
                for site, g in self.a.callers(top.fn):
                    self._walk(proto, spec, sink, [Frame(g, site, self._map_obj(top, site))] + chain,
                               flag, flag_frame, out, budget, (every, lines))

    def _obj_param(self, fr: Frame) -> int | None:
        if fr.obj is None:
            return None
        ref = param_ref(fr.obj, fr.fn)
        return ref[0] if ref is not None and not ref[1] else None

    def _map_obj(self, fr: Frame, site: CallSite) -> str | None:
        i = self._obj_param(fr)
        if i is None or i >= len(site.args):
            return None
        return norm(site.args[i])


# -- wording shared by PRO001 and PRO002 ------------------------------------------------------

def flag_name(cl: Claim) -> str:
    return cl.sink.flag_param or f"argument {(cl.sink.flag_arg or 0) + 1}"


def claim_path(cl: Claim) -> str:
    names = [f.fn.name for f in cl.chain] + [cl.sink.call]
    return " → ".join(names)


def claim_labels(cl: Claim) -> list[Label]:
    out: list[Label] = []
    top = cl.chain[0]
    if cl.flag_frame is not top:
        s = cl.flag_frame.site
        out.append(Label(Location(s.path, s.line, s.col), f"`{flag_name(cl)}` = `{cl.flag_text}` is passed here"))
    sink_site = cl.chain[-1].site
    if sink_site is not top.site:
        out.append(Label(Location(sink_site.path, sink_site.line, sink_site.col),
                         f"`{cl.sink.call}()` gets the object and the flag here"))
    for path, line, fn in cl.acquires[:4]:
        out.append(Label(Location(path, line), f"acquired here, in `{fn}()`"))
    return out
