"""PAR004 near-constant-arg: all call sites but one pass the same constant for a parameter."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from kpatchlint.analysis.index import func_key
from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.common import loc
from kpatchlint.checks.params.shared import (
    call_tables, call_where, const_value, later_values, leftover_targets, param_loc, used_as_value,
)
from kpatchlint.findings import Finding, Severity

MAX_LABELS = 8


class NearConstantArg(Rule):
    code = "PAR004"
    name = "near-constant-arg"
    family = "params"
    severity = Severity.INFO
    summary = "a parameter receives the same constant at all call sites but one (three or more)"
    doc = """
## What it does
For each function the series touches, when kpatchlint sees every call of it, looks for a
parameter that receives one constant (`false`, `0`, `NULL`, a number, an UPPER_CASE name)
at every call site but one, with at least three sites, where the odd one out passes another
constant, and names it.

## Why is this bad?
A flag set by a single caller is often a special case bolted onto a general function: a
workaround for one user, or an option that survives only because one call was never
converted. Naming the outlier tells the reviewer where to look, and tells the author which
caller to change to drop the parameter.

## Example
```c
folio = swap_cache_alloc_folio(entry, gfp, mpol, ilx, &allocated, false);  /* 5 callers */
folio = swap_cache_alloc_folio(swpentry, GFP_KERNEL, mpol, NO_INTERLEAVE_INDEX,
			       &folio_was_allocated, true);               /* zswap only */
```
"`skip_if_exists` of `swap_cache_alloc_folio` is `false` at 5 call sites and `true` only in
`zswap_writeback_entry` (mm/zswap.c:1015)"

## Use instead
Give the one caller its own helper (or make it pass the common value) and drop the
parameter, or document why it exists.

## Known limits
An odd one out that passes a variable is not reported: the parameter then carries data
(an optional output pointer that most callers pass as `NULL`, a `gfp` most callers fix).
A later patch of the series that passes a third value silences the earlier patches.
Same call-set requirements as PAR003 (complete call set, address not taken, no macro of
that name, consistent argument counts); without a tree only functions whose calls change
argument count in the series, with low confidence.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        skip = leftover_targets(ctx, "forwarded-to")
        for name in sorted(ctx.focus):
            for t in call_tables(ctx, name):
                n = len(t.calls)
                if n < 3:
                    continue
                d = t.decl
                keypath = d.path if "::" in func_key(d) else ""
                for i in range(d.arity):
                    pname = t.pname(i)
                    if (name, pname) in skip:
                        continue
                    texts = [c.args[i] for c in t.calls]
                    common, count = Counter(texts).most_common(1)[0]
                    v = const_value(common)
                    if count != n - 1 or v is None:
                        continue
                    odd = next(c for c in t.calls if c.args[i] != common)
                    if const_value(odd.args[i]) is None:
                        continue  # a variable there: the parameter carries data
                    if later_values(ctx, name, d.arity, i) - {common, odd.args[i]}:
                        continue  # a later patch of the series passes a third value
                    if used_as_value(ctx, d):
                        break  # called through pointers too: the calls seen are not all
                    where = "call sites the series shows" if t.seen_only else "call sites"
                    yield self.finding(
                        f"`{pname}` of `{name}` is `{v}` at {count} {where} and `{odd.args[i]}` only in "
                        f"{call_where(ctx, odd)}",
                        param_loc(ctx, d, pname) if d.params[i].name else loc(d),
                        f"{ctx.root(name)}|{keypath}|{pname}", function=name, confidence=t.confidence,
                        note=f"only one caller needs `{pname}`: give it its own helper or drop the parameter",
                        labels=[Label(loc(odd), f"the only call passing `{odd.args[i]}`")] +
                               [Label(loc(c), f"`{v}`") for c in t.calls if c is not odd][:MAX_LABELS],
                    )
