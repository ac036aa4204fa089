"""PAR002 kdoc-missing-param: a function's kernel-doc block does not describe one of its parameters."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.params.shared import param_loc
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence, Location


# Attribute macros scripts/kernel-doc strips from parameter declarations (fortify-string.h).
_ATTR_WORDS = {"POS", "POS0"}


class KdocMissingParam(Rule):
    code = "PAR002"
    name = "kdoc-missing-param"
    family = "params"
    severity = Severity.WARNING
    summary = "a function with a kernel-doc block has a parameter without an `@name:` line"
    doc = """
## What it does
For each function the series touches that has a kernel-doc block naming it, reports each
named parameter that has no `@name:` section, in scripts/kernel-doc's words:
"function parameter 'x' not described in 'f'" (the older Perl script said "Function
parameter or struct member 'x' not described in 'f'").

## Why is this bad?
`make W=1` warns; the generated documentation shows an undocumented argument. The usual
cause is a patch that adds a parameter to a documented function and does not extend the
comment.

## Example
```c
/**
 * swap_cache_add_folio - Add a folio into the swap cache.
 * @folio: The folio to be added.
 * @entry: The swap entry corresponding to the folio.
 */
int swap_cache_add_folio(struct folio *folio, swp_entry_t entry, bool alloc)
```

## Use instead
Add `@alloc: ...` in the patch that adds the parameter.

## Known limits
Only blocks directly above the declaration, whose head names the function; unnamed
parameters and `...` are not reported (kernel-doc reports unnamed ones under their type
name); function-like macros are not checked; declarations parsed from a cut diff fragment
are skipped.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        index = ctx.index
        for name in sorted(ctx.focus):
            fns = index.functions(name)
            if not fns or index.has_function_macro(name):
                continue
            root = ctx.root(name)
            for f in fns:
                doc = f.doc
                if doc is None or doc.name != f.name or f.confidence < Confidence.MEDIUM:
                    continue
                if any(p.name in _ATTR_WORDS for p in f.params):
                    continue  # `char * const POS p`: an attribute macro taken for the name
                described = {dp.name for dp in doc.params}
                for p in f.params:
                    if not p.name or p.is_variadic or p.name in described:
                        continue
                    yield self.finding(
                        f"function parameter '{p.name}' not described in '{f.name}'",
                        param_loc(ctx, f, p.name), f"{root}|{f.path}|{p.name}", function=name,
                        confidence=f.confidence,
                        labels=[Label(Location(f.path, doc.line, 1), "kernel-doc block")],
                    )
