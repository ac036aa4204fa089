"""PAR009 kdoc-wrong-name: a kernel-doc block names another function than the one it documents."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.common import name_loc
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence, Location


class KdocWrongName(Rule):
    code = "PAR009"
    name = "kdoc-wrong-name"
    family = "params"
    severity = Severity.WARNING
    summary = "kernel-doc names another function than the one below it (a rename that missed the comment)"
    doc = """
## What it does
For each function the series touches, compares the name in the head of the kernel-doc
block right above it (`/** name - summary`) with the function's own name, and reports a
difference in scripts/kernel-doc's words: "expecting prototype for old(). Prototype was
for new() instead".

## Why is this bad?
`make W=1` and the 0-day robot print exactly that warning, and the generated documentation
lists the function under a name that no longer exists. It is what a rename leaves behind
when the patch updates the prototype, the definition and the callers but not the comment.

## Example
```c
/**
 * __read_swap_cache_async - allocate a folio in the swap cache
 */
struct folio *swap_cache_alloc_folio(swp_entry_t entry, gfp_t gfp_mask, ...)
```

## Use instead
Rename the head of the comment together with the function.

## Known limits
`_noprof` is ignored as scripts/kernel-doc does (`alloc_pages()` documents
`alloc_pages_noprof()`). Only blocks directly above a function definition or prototype are checked; blocks for
macros, structs and `DOC:` sections are not. Heads that spell the name with a prefix such
as `sys_` for a `SYSCALL_DEFINE` are not told apart from a wrong name and are skipped.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        index = ctx.index
        for name in sorted(ctx.focus):
            if index.has_function_macro(name):
                continue
            for f in index.functions(name):
                doc = f.doc
                # scripts/kernel-doc drops `_noprof` (the memory-profiling wrappers' real names)
                if doc is None or not doc.name or " " in doc.name or doc.name == name.replace("_noprof", ""):
                    continue
                if doc.name.startswith(("sys_", "compat_sys_")) or f.confidence < Confidence.MEDIUM:
                    continue
                yield self.finding(
                    f"expecting prototype for {doc.name}(). Prototype was for {name}() instead",
                    Location(f.path, doc.line + 1, 1), f"{ctx.root(name)}|{f.path}|{doc.name}", function=name,
                    confidence=f.confidence,
                    note=f"the kernel-doc block above `{name}` still names `{doc.name}`",
                    labels=[Label(name_loc(f), f"`{name}` is declared here")],
                )
