"""Helpers shared by rules: confidence filters, stale-side choice, wording."""

from __future__ import annotations

from kpatchlint.analysis.delta import shape
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


def describe_difference(a: FunctionSig, b: FunctionSig) -> str | None:
    """How `a` differs from `b` in what callers see, or None if they agree."""
    if a.is_variadic or b.is_variadic:
        return None
    if a.arity != b.arity:
        return f"takes {plural(a.arity, 'parameter')}, the {kind_label(b)} takes {b.arity}"
    if a.return_type != b.return_type:
        return f"returns `{a.return_type}`, the {kind_label(b)} returns `{b.return_type}`"
    for i, (pa, pb) in enumerate(zip(a.params, b.params), start=1):
        if pa.type != pb.type:
            return f"has parameter {i} `{pa}`, the {kind_label(b)} has `{pb}`"
    return None


def where(f) -> str:
    return f"{f.path}:{f.line}"
