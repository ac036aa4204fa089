"""SIG005 param-name-mismatch: a prototype names its parameters differently from the definition."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.common import compare, loc, solid
from kpatchlint.checks.signature.proto_def_mismatch import visible_prototypes
from kpatchlint.findings import Finding, Severity


class ParamNameMismatch(Rule):
    code = "SIG005"
    name = "param-name-mismatch"
    family = "signature"
    severity = Severity.INFO
    summary = "a prototype's parameter names differ from the definition's (same types)"
    doc = """
## What it does
Compares parameter names of a prototype with the definition it declares, when their types
agree.

## Why is this bad?
Harmless to the compiler, but kernel-doc, grep and reviewers read the header: a prototype
saying `gfp_flags` where the definition says `gfp_mask` misleads, and a renamed parameter
left behind in the header is a sign the patch missed the header.

## Example
```c
struct folio *swap_cache_alloc_folio(swp_entry_t entry, gfp_t gfp_flags, ...);   /* header */
struct folio *swap_cache_alloc_folio(swp_entry_t entry, gfp_t gfp_mask, ...)     /* .c */
```

## Use instead
Use the definition's names in the prototype.

## Known limits
Unnamed prototype parameters are not compared. Kernel code has many old cases; this rule is
informational.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name in sorted(ctx.focus):
            fns = solid(ctx.index.functions(name))
            for d in (f for f in fns if f.is_definition and not f.is_stub):
                for p in visible_prototypes(ctx, d, fns):
                    if p.arity != d.arity or compare(p, d, ctx) is not None:
                        continue
                    diffs = [(a.name, b.name) for a, b in zip(p.params, d.params) if a.name and b.name and a.name != b.name]
                    if not diffs:
                        continue
                    text = ", ".join(f"`{a}` (definition: `{b}`)" for a, b in diffs)
                    yield self.finding(
                        f"prototype of `{name}` names parameters differently from the definition: {text}",
                        loc(p), f"{name}|{p.path}|{d.path}|{diffs}", function=name,
                        confidence=min(p.confidence, d.confidence),
                        labels=[Label(loc(d), "definition")],
                    )
