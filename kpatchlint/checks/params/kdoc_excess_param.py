"""PAR001 kdoc-excess-param: kernel-doc describes a parameter the function does not have."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.common import name_loc
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence, Location


class KdocExcessParam(Rule):
    code = "PAR001"
    name = "kdoc-excess-param"
    family = "params"
    severity = Severity.WARNING
    summary = "kernel-doc has an `@name:` line for a parameter the function does not have"
    doc = """
## What it does
For each function the series touches that has a kernel-doc block naming it
(`/** f - ...`), reports every `@x:` section whose `x` is not a parameter of the
declaration the block documents, in scripts/kernel-doc's words:
"Excess function parameter 'x' description in 'f'". It says which patch made the
description stale.

## Why is this bad?
`make W=1` (and the 0-day robot) prints the same warning; the rendered documentation
describes an argument callers cannot pass. It typically appears when a patch drops or
renames a parameter and forgets the comment above the definition, often in a later patch
of the series than the one that added it.

## Example
```c
/**
 * swap_cache_add_folio - Add a folio into the swap cache.
 * @folio: The folio to be added.
 * @alloc: If it's the allocator that is trying to insert a folio.
 */
static int swap_cache_add_folio(struct folio *folio, swp_entry_t entry, void **shadowp)
```

## Use instead
Delete (or rename) the `@alloc:` line in the patch that removes the parameter.

## Known limits
Only blocks directly above the declaration, whose head names the function, are checked
(scripts/kernel-doc also pairs a block with a declaration after blank lines; a head naming
another function is PAR009). Function-like macros are not
checked (their documented arguments are kernel-doc's own well-known source of noise), nor
`@...` of variadic functions, nor declarations with unnamed parameters, nor declarations
parsed from a cut diff fragment (low confidence).
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
                if any(p.name is None and not p.is_variadic for p in f.params):
                    continue
                have = {p.name for p in f.params if p.name}
                for dp in doc.params:
                    if dp.name in have:
                        continue
                    if f.is_variadic and (dp.name == "..." or dp.name.endswith("...")):
                        continue
                    yield self.finding(
                        f"Excess function parameter '{dp.name}' description in '{f.name}'",
                        Location(f.path, dp.line, 1), f"{root}|{f.path}|{dp.name}", function=name,
                        confidence=f.confidence,
                        note=f"`{f.name}` is `{f.signature()}`",
                        labels=[Label(name_loc(f), "the declaration the block documents")],
                    )
