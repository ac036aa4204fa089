"""SIG006 removed-still-used: a function removed or renamed by the series is still called,
declared or exported."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.checks.base import Context, Rule
from kpatchlint.checks.common import kind_label, loc
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence, Location
from kpatchlint.tree.source import in_kernel_build


class RemovedStillUsed(Rule):
    code = "SIG006"
    name = "removed-still-used"
    family = "signature"
    severity = Severity.ERROR
    summary = "a function removed or renamed in the series is still called, declared or exported"
    doc = """
## What it does
When a patch removes the definition of a function (or renames it), looks for everything
that still names the old function after that patch: calls anywhere in the tree, prototypes,
`static inline` stubs and `EXPORT_SYMBOL` lines.

## Why is this bad?
A remaining call is an "implicit declaration" build error or a link error ("undefined
reference"); a remaining prototype or stub is dead code that misleads readers and hides
the next mistake.

## Example
```c
/* patch 7/19 removes swapcache_clear() from mm/swapfile.c and its stub, but mm/swap.h keeps */
void swapcache_clear(struct swap_info_struct *si, swp_entry_t entry, int nr);
```

## Use instead
Remove the prototype with the definition; rename every caller with the function.

## Known limits
Without a tree, only what the series' hunks show can be seen; a stale prototype known only
from a hunk's section header is reported with low confidence (its line is approximate).
A remaining call or declaration is an error; a remaining prototype alone is a warning.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name, (k, new) in sorted(ctx.gone.items()):
            again = [f for f in ctx.index.functions(name) if in_kernel_build(f.path) and f.is_definition
                     and not (f.is_stub and any(c.startswith("!") for c in f.cond))]
            if any(f.storage != "static" or f.path.endswith(".h") for f in again):
                continue  # defined again (e.g. an inline wrapper keeps the old name)
            if ctx.index.has_function_macro(name):
                continue
            local = {f.path for f in again}  # a `static` one of that name serves its own file only
            what = f"renamed to `{new}` in patch {k}/{ctx.total}" if new else f"removed in patch {k}/{ctx.total}"
            for c in ctx.index.calls_to(name):
                if c.confidence < Confidence.MEDIUM or c.path in local or not in_kernel_build(c.path):
                    continue
                yield self.finding(
                    f"`{name}` was {what} but is still called here", loc(c),
                    f"call|{name}|{c.path}|{c.caller}|{'|'.join(c.args)}", function=name,
                    confidence=c.confidence,
                )
            for f in ctx.index.functions(name):
                if f.path in local or not in_kernel_build(f.path):
                    continue
                sev = Severity.WARNING if not f.is_definition else Severity.ERROR
                yield self.finding(
                    f"{kind_label(f)} of `{name}` is left behind: the function was {what}", loc(f),
                    f"decl|{name}|{f.path}|{f.kind}|{'/'.join(f.cond)}", function=name, confidence=f.confidence,
                    severity=sev,
                    note="remove the declaration together with the definition" +
                         ("; its line is approximate (known from a hunk header only)" if f.confidence == Confidence.LOW else ""),
                )
            for e in ctx.index.exports(name):
                yield self.finding(
                    f"`{e.kind}({name})` is left behind: the function was {what}", Location(e.path, e.line),
                    f"export|{name}|{e.path}", function=name,
                )
