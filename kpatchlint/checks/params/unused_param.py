"""PAR005 unused-param: a parameter no definition of the function uses."""

from __future__ import annotations

import re
from typing import Iterator

from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.common import loc
from kpatchlint.checks.params.shared import (
    bound_calls, calls_complete, group_by_key, head_text, is_stub_like, leftover_targets, param_loc,
    param_marked_unused, real_def, trivial_body, used_as_value,
)
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence

_WEAK_RE = re.compile(r"\b__weak\b|__attribute__\s*\(\(\s*(__)?weak")


class UnusedParam(Rule):
    code = "PAR005"
    name = "unused-param"
    family = "params"
    severity = Severity.WARNING
    summary = "a parameter is not used in the body of any definition of the function"
    doc = """
## What it does
For each function the series touches, reports a named parameter that no definition of the
function uses in its body (preprocessor branches included), when kpatchlint knows every
use of the function and the function is called directly at least once.

## Why is this bad?
Every caller computes and passes a value that is thrown away; readers assume it matters.
In a series it usually means a patch removed the last use (the code that read the flag)
but kept the parameter, or a helper was split and one half kept the whole parameter list.

## Example
```c
static void swap_free_cluster(struct swap_info_struct *si, struct swap_cluster_info *ci,
			      unsigned long offset, unsigned int order)
{
	swap_range_free(si, offset, 1 << ci->order);   /* `order` is never read */
}
```

## Use instead
Drop the parameter and update the callers, or mark it `__always_unused` if an interface
requires it.

## Known limits
Skipped: functions whose address is taken or that appear in an initializer (callbacks and
ops tables must keep their signature), exported functions, functions not called directly
anywhere kpatchlint sees, `__weak` defaults, `static inline` functions in headers and any
definition under a negated config (stubs), bodies that are a bare `return x;` / `BUG();`,
empty bodies, parameters marked `__always_unused`/`__maybe_unused`, unnamed parameters,
definitions parsed with errors around them (confidence below medium), and functions whose
uses may be in files kpatchlint did not index (see PAR003's call-set rules); without a tree
nothing is reported. A parameter used only by a macro that names it implicitly is reported.
When the parameter is unused because the series removed it from the function it was passed
to, PAR007 reports it instead.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.diff_only:
            return
        index = ctx.index
        fwd = leftover_targets(ctx, "forwarder")
        for name in sorted(ctx.focus):
            fns = index.functions(name)
            defs = [f for f in fns if f.is_definition]
            if not defs or index.has_function_macro(name) or index.ref_files(name) or index.exports(name):
                continue
            for group in group_by_key(fns).values():
                gdefs = [f for f in group if f.is_definition]
                real = [f for f in gdefs if real_def(f) and not is_stub_like(f)]
                if not real or any(f.confidence < Confidence.MEDIUM for f in real):
                    continue
                if any(f.body_empty or f.params_used is None for f in real):
                    continue
                d = real[0]
                # every definition, stubs and other configurations' variants included, must
                # leave the parameter alone
                if any(len(f.params) != len(d.params) or f.params_used is None for f in gdefs):
                    continue
                unused = [i for i, p in enumerate(d.params)
                          if p.name and not p.is_variadic and not any(f.params_used[i] for f in gdefs)]
                if not unused or not calls_complete(ctx, d)[0]:
                    continue
                if any(trivial_body(ctx, f) or _WEAK_RE.search(head_text(ctx, f)) for f in real):
                    continue
                calls = bound_calls(index, d)
                if not calls or used_as_value(ctx, d):
                    continue
                for i in unused:
                    pname = d.params[i].name
                    assert pname is not None
                    if (name, pname) in fwd:
                        continue
                    if any(f.params[i].name != pname or param_marked_unused(ctx, f, pname) for f in real):
                        continue
                    more = f" (and {len(real) - 1} more definitions)" if len(real) > 1 else ""
                    yield self.finding(
                        f"parameter `{pname}` of `{name}` is not used{more}",
                        param_loc(ctx, d, pname), f"{ctx.root(name)}|{d.path}|{pname}", function=name,
                        confidence=min(f.confidence for f in real),
                        note=f"{len(calls)} call site{'s' if len(calls) != 1 else ''} pass a value that is ignored",
                        labels=[Label(loc(c), "passes it") for c in calls[:3]],
                    )
