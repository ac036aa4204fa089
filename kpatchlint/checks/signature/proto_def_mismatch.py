"""SIG002 proto-def-mismatch: a prototype and the definition it declares disagree."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.c.cond import exclusive
from kpatchlint.c.model import FunctionSig
from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.common import compare, kind_label, loc, pick_stale, solid
from kpatchlint.findings import Finding, Severity


def visible_prototypes(ctx: Context, d: FunctionSig, fns: list[FunctionSig]) -> list[FunctionSig]:
    """Prototypes of `d` the compiler sees together with it: in its file or its headers."""
    protos = [f for f in fns if f.kind == "prototype" and not exclusive(f.cond, d.cond)]
    if d.storage == "static" and not d.path.endswith(".h"):
        return [p for p in protos if p.path == d.path]
    inc = ctx.index.includes(d.path)
    if inc:
        return [p for p in protos if p.path == d.path or p.path in inc]
    if ctx.diff_only:
        return [p for p in protos if p.path == d.path or p.path.endswith(".h")]
    return [p for p in protos if p.path == d.path]


class ProtoDefMismatch(Rule):
    code = "SIG002"
    name = "proto-def-mismatch"
    family = "signature"
    severity = Severity.ERROR
    summary = "a prototype and the function's definition disagree (parameter count, types or return type)"
    doc = """
## What it does
Compares each definition with the prototypes the compiler sees beside it: in the same file,
or in a header the file includes (`"swap.h"`, `<linux/swap.h>`).

## Why is this bad?
"conflicting types for `f`": the build breaks, or, where the prototype is not visible to the
definition, callers are compiled against the wrong signature.

## Example
```c
/* mm/swap.h */   int swap_cache_add_folio(struct folio *folio, swp_entry_t entry, void **shadow);
/* mm/swap_state.c */ int swap_cache_add_folio(struct folio *folio, swp_entry_t entry, void **shadow, bool alloc)
```

## Use instead
Change the prototype in the same patch as the definition.

## Known limits
Typedefs are compared by name (`gfp_t` and `unsigned int` differ); top-level `const` on
value parameters is ignored, as C does. Stubs under the other `#ifdef` branch are SIG003.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name in sorted(ctx.focus):
            fns = solid(ctx.index.functions(name))
            defs = [f for f in fns if f.is_definition and not f.is_stub]
            for d in defs:
                for p in visible_prototypes(ctx, d, fns):
                    if compare(p, d, ctx) is None:
                        continue
                    stale, ref = pick_stale(ctx, p, d)
                    diff = compare(stale, ref, ctx)
                    if diff is None:
                        continue
                    yield self.finding(
                        f"{kind_label(stale)} of `{name}` disagrees with the {kind_label(ref)}: it {diff.text}",
                        loc(stale), f"{name}|{p.path}|{d.path}", function=name, severity=diff.severity,
                        confidence=min(p.confidence, d.confidence),
                        note=f"{kind_label(ref)} at {ref.path}:{ref.line}: `{ref.signature()}`",
                        labels=[Label(loc(ref), kind_label(ref))],
                    )
