"""Helpers shared by rules: confidence filters, stale-side choice, wording."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kpatchlint.analysis.delta import shape
from kpatchlint.analysis.types import compatible_pointers, strip_quals
from kpatchlint.findings import Severity
from kpatchlint.c.model import FunctionSig
from kpatchlint.checks.base import Context
from kpatchlint.location import Confidence, Location


def solid(fns: list[FunctionSig]) -> list[FunctionSig]:
    """Facts good enough for an error: whole-file parses, or fragments away from cut edges."""
    return [f for f in fns if f.confidence >= Confidence.MEDIUM]


def loc(f) -> Location:
    return Location(f.path, f.line, getattr(f, "col", 1), getattr(f, "end_line", None))


def name_loc(f: FunctionSig) -> Location:
    return Location(f.path, f.name_line or f.line, 1)


def cond_label(f: FunctionSig) -> str:
    return " && ".join(f.cond) if f.cond else "unconditional"


def kind_label(f: FunctionSig) -> str:
    if f.is_stub and f.path.endswith(".h"):
        return f"`{cond_label(f)}` stub" if f.cond else "`static inline` stub"
    if f.is_definition:
        return "definition"
    return f"`{cond_label(f)}` prototype" if f.cond else "prototype"


def changed_now(ctx: Context, f: FunctionSig) -> bool:
    """Did this declaration's shape change in the current patch (same file, same name)?"""
    if ctx.prev_index is None or ctx.delta is None:
        return False
    before = [g for g in ctx.prev_index.functions(f.name) if g.path == f.path and g.kind == f.kind]
    if not before:
        return True
    return shape(f) not in {shape(g) for g in before}


def pick_stale(ctx: Context, a: FunctionSig, b: FunctionSig) -> tuple[FunctionSig, FunctionSig]:
    """(stale, reference): the side the current patch did not update is the stale one."""
    ca, cb = changed_now(ctx, a), changed_now(ctx, b)
    if ca and not cb:
        return b, a
    if cb and not ca:
        return a, b
    return a, b


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class Difference:
    text: str
    severity: Severity


_MACRO_TYPE_RE = re.compile(r"^[A-Z][A-Z0-9_]+$")


def _type_diff(res, x: str, y: str) -> Severity | None:
    """None when the compiler sees one type; else how bad the difference is."""
    if x == y:
        return None
    if "(" in x or "(" in y:
        return None  # function-pointer types: parameter names inside them differ harmlessly
    cx, cy = res.canon(x), res.canon(y)
    if cx == cy:
        return None
    if strip_quals(cx) == strip_quals(cy) or compatible_pointers(cx, cy):
        return Severity.WARNING
    if res.unresolved(x) or res.unresolved(y):
        return Severity.WARNING  # a typedef we could not see may make them one type
    return Severity.ERROR


def describe_difference(a: FunctionSig, b: FunctionSig, ctx: Context | None = None) -> str | None:
    d = compare(a, b, ctx)
    return d.text if d else None


def compare(a: FunctionSig, b: FunctionSig, ctx: Context | None = None) -> Difference | None:
    """How `a` differs from `b` in what callers see, or None if they agree."""
    if a.is_variadic or b.is_variadic:
        return None
    if a.arity != b.arity:
        return Difference(f"takes {plural(a.arity, 'parameter')}, the {kind_label(b)} takes {b.arity}", Severity.ERROR)
    res = ctx.index.type_resolver() if ctx is not None else _PLAIN
    worst: Difference | None = None
    if _MACRO_TYPE_RE.match(a.return_type) or _MACRO_TYPE_RE.match(b.return_type):
        rsev = None  # `EXPORT_FOR_TESTS int f(...)`: a macro stands where the type starts
    elif a.is_void != b.is_void:
        rsev = Severity.ERROR
    else:
        rsev = _type_diff(res, a.return_type, b.return_type)
    if rsev is not None:
        worst = Difference(f"returns `{a.return_type}`, the {kind_label(b)} returns `{b.return_type}`", rsev)
    for i, (pa, pb) in enumerate(zip(a.params, b.params), start=1):
        sev = _type_diff(res, pa.type, pb.type)
        if sev is not None and (worst is None or sev > worst.severity):
            worst = Difference(f"has parameter {i} `{pa}`, the {kind_label(b)} has `{pb}`", sev)
    return worst


class _Plain:
    def canon(self, t: str) -> str:
        return t

    def unresolved(self, t: str) -> bool:
        return False


_PLAIN = _Plain()


def where(f) -> str:
    return f"{f.path}:{f.line}"


def local_shadows(ctx: Context, call) -> bool:
    """Is the callee a local variable (a function pointer) of the function the call is in?"""
    if call.caller is None or call.in_macro:
        return False
    for f in ctx.index.functions(call.caller):
        if f.is_definition and f.path == call.path and f.line <= call.line <= f.end_line:
            from kpatchlint.c.locals import local_variables
            from kpatchlint.checks.params.shared import source_lines

            lines = source_lines(ctx, f.path, f.line, f.end_line)
            if lines is None:
                return True  # cannot tell: say nothing
            return any(v.name == call.callee for v in local_variables("\n".join(lines), f.line, every=True))
    return False
