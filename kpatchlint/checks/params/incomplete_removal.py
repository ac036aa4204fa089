"""PAR007 incomplete-removal: a patch removes a parameter but leaves traces of it behind."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.checks.base import Context, Rule
from kpatchlint.checks.params.shared import leftovers
from kpatchlint.findings import Finding, Severity


class IncompleteRemoval(Rule):
    code = "PAR007"
    name = "incomplete-removal"
    family = "params"
    severity = Severity.WARNING
    summary = "a parameter removed by the series is still referred to (docs, comments, callers, forwarders)"
    doc = """
## What it does
After a patch removes parameter `P` of function `F` (the parameter count drops, or `P`'s
place now holds a parameter of another type), looks at every later snapshot for what still
refers to `P`:

- the kernel-doc of `F` still mentions `@P` in its text (another parameter's description,
  the body, `Return:`);
- a comment in `F`'s body still names `P` (as `@P`, `` `P` ``, `P->x`, or by a name that
  cannot be an English word, such as `skip_if_exists`), while `P` is not a local variable now;
- a call of `F` that has the right number of arguments still passes a variable called `P`,
  now in the slot of another parameter (the caller dropped the wrong argument);
- a caller `G` that used to pass its own parameter `P` into `F` still takes `P` and no longer
  uses it (the removal should continue up the call chain);
- `F` used to pass `P` on to `H`, whose parameter of the same name remains, and now passes a
  constant there (the removal should continue down the call chain).

## Why is this bad?
A half-done removal leaves documentation that lies, callers computing values nobody reads,
and flags that are now constant; if a call's arguments shifted, the wrong value may reach
the function without any compiler warning when the types agree.

## Example
```c
/* patch 13/19 drops skip_if_exists from swap_cache_alloc_folio() but keeps */
result = __swap_cache_prepare_and_add(entry, folio, gfp_mask, false, false);
/*                                     ... skip_if_exists of the helper ^^^^^ */
```

## Use instead
Remove the parameter along the whole chain, its documentation and the comments about it,
in the same patch.

## Known limits
Deliberately left to other rules, to avoid double reports: the `@P:` line itself (PAR001),
calls with the old argument count (SIG001), prototypes and `static inline` stubs that still
take `P` (SIG002/SIG003; a stub that differs only by parameter names is harmless). A renamed
parameter (same place, same type) is not a removal. The history of removals is kept across
the snapshots of one run; a rule run on one snapshot alone sees only that patch's removals.
Comments are found only in bodies of definitions kpatchlint can read in full.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        for lo in leftovers(ctx):
            yield self.finding(lo.message, lo.loc, f"{lo.kind}|{lo.key}", function=lo.function,
                               confidence=lo.confidence, note=lo.note)
