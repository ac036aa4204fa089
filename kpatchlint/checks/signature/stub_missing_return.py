"""SIG004 stub-missing-return: a non-void `static inline` stub whose body returns no value."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.checks.base import Context, Rule
from kpatchlint.checks.common import kind_label, loc, solid
from kpatchlint.findings import Finding, Severity


class StubMissingReturn(Rule):
    code = "SIG004"
    name = "stub-missing-return"
    family = "signature"
    severity = Severity.ERROR
    summary = "a non-void `static inline` stub has a body that returns nothing"
    doc = """
## What it does
Flags `static inline` functions whose return type is not `void` and whose body is empty
(`{ }`): the typical stub whose return type a patch changed from `void`.

## Why is this bad?
`-Wreturn-type`: "non-void function does not return a value"; the caller reads garbage.
It typically happens when a patch changes a stub's return type from `void` to `int` and
keeps the empty body.

## Example
```c
static inline int swap_cache_add_folio(struct folio *folio, swp_entry_t entry,
				       void **shadow, bool alloc)
{
}
```

## Use instead
`return 0;` (or the error the real function returns when the feature is off).

## Known limits
Only empty bodies are flagged: a body with statements may return through a macro
(kernel headers build bodies with macros such as `__DEFINE_OUTPUT_COPY_BODY`).
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name in sorted(ctx.focus):
            for f in solid(ctx.index.functions(name)):
                if not f.is_stub or f.is_void or f.returns_value is not False or not f.body_empty:
                    continue
                yield self.finding(
                    f"{kind_label(f)} `{name}` returns `{f.return_type}` but its body returns no value",
                    loc(f), f"{name}|{f.path}|{'/'.join(f.cond)}", function=name, confidence=f.confidence,
                    note="gcc: no return statement in function returning non-void [-Wreturn-type]",
                )
