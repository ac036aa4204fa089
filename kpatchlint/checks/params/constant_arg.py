"""PAR003 constant-arg: every call passes the same constant for a parameter."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.analysis.index import func_key
from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.common import loc
from kpatchlint.checks.params.shared import (
    call_tables, const_value, later_values, leftover_targets, param_loc, used_as_value,
)
from kpatchlint.findings import Finding, Severity

MAX_LABELS = 8


class ConstantArg(Rule):
    code = "PAR003"
    name = "constant-arg"
    family = "params"
    severity = Severity.INFO
    summary = "a parameter receives the same constant at every call site (two or more)"
    doc = """
## What it does
For each function the series touches, when kpatchlint sees every call of it, looks for a
parameter that receives the same constant at each of at least two call sites: `true`,
`false`, `0`, `NULL`, a number, or an UPPER_CASE enum/macro name (`GFP_KERNEL`). It reports
the value at the parameter of the definition, with the call sites as labels.

## Why is this bad?
A parameter that never varies is dead flexibility: the branch it controls for the other
value is untested code, and readers must check every caller to learn that. Series often
leave one behind: a workaround flag whose last `true` caller was converted, a mode that
only ever takes one value.

## Example
```c
static int __swap_cache_prepare(swp_entry_t entry, struct folio *folio, bool charged);
...
__swap_cache_prepare(entry, folio, false);   /* mm/swap_state.c:552 */
__swap_cache_prepare(entry, new, false);     /* mm/swap_state.c:601 */
```

## Use instead
Drop the parameter and fold the constant into the function, or say in the kernel-doc why
the parameter stays (an API meant for new callers).

## Known limits
The call set must be complete: a `static` function of a fully known file; in `lint`
of a tree, a function declared only in the linted files and not exported; in a series
with a tree, a function every mentioning file of which is indexed; without a tree, only
functions whose calls change argument count somewhere in the series (they must all be in
the patches), and then with low confidence. Functions whose address is taken, which are
also macros, or whose calls disagree in argument count are skipped. In a series, a parameter
that a later patch passes another value is not reported at the earlier patches (the series
itself varies it; read in the later patches' added call lines). Expressions such as
`A | B` are not treated as constants.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        skip = leftover_targets(ctx, "forwarded-to")
        for name in sorted(ctx.focus):
            for t in call_tables(ctx, name):
                if len(t.calls) < 2:
                    continue
                d = t.decl
                keypath = d.path if "::" in func_key(d) else ""
                for i in range(d.arity):
                    pname = t.pname(i)
                    if (name, pname) in skip:
                        continue
                    values = {const_value(c.args[i]) for c in t.calls}
                    if len(values) != 1 or None in values:
                        continue
                    v = values.pop()
                    if later_values(ctx, name, d.arity, i) - {v}:
                        continue  # a later patch of the series passes another value
                    if used_as_value(ctx, d):
                        break  # called through pointers too: the calls seen are not all
                    where = "call sites the series shows" if t.seen_only else "call sites"
                    yield self.finding(
                        f"`{pname}` of `{name}` is `{v}` at all {len(t.calls)} {where}",
                        param_loc(ctx, d, pname) if d.params[i].name else loc(d),
                        f"{ctx.root(name)}|{keypath}|{pname}", function=name, confidence=t.confidence,
                        note="the parameter never varies: fold the constant into the function or drop it",
                        labels=[Label(loc(c), f"`{v}`" + (f" in `{c.caller}`" if c.caller else ""))
                                for c in t.calls[:MAX_LABELS]],
                    )
