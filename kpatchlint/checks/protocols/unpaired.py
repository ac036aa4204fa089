"""PRO004 protocol-unpaired: a path returns with the acquired object still held."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.protocols._analysis import analysis, sev
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence, Location


class ProtocolUnpaired(Rule):
    code = "PRO004"
    name = "protocol-unpaired"
    family = "protocols"
    severity = Severity.ERROR
    summary = "a function acquires (get) and some path returns without the matching release (put)"
    doc = """
## What it does
For each `pair` protocol (kpatchlint/rules/*.yaml, e.g. `get_swap_device()` /
`put_swap_device()`), follows every path of each function that acquires, from the acquire
to each `return`, to the end of a `void` function and to an assignment that overwrites the
only variable holding the object (`si = NULL;` without the put), and reports an acquire
that some path leaves without the release. It understands the usual kernel shapes: the failure test
right after the acquire (`if (!si) return ...;`, `if (unlikely(!si)) goto out;`), cleanup
labels reached with `goto`, `if (si) put_swap_device(si);` at a shared exit, loops, `switch`,
`BUG()`, and a function that returns the object to its caller (ownership passes on).

## Why is this bad?
The reference is leaked on that path. For `get_swap_device()` a leaked reference makes
`swapoff` wait forever for the device's users to drop to zero.

## Example
```c
si = get_swap_device(entry);
if (!si)
	return false;
if (!(si->flags & SWP_WRITEOK))
	return false;            /* leaves with the reference held */
```

## Use instead
```c
if (!(si->flags & SWP_WRITEOK))
	goto out;
...
out:
	put_swap_device(si);
```

## Known limits
One function at a time: a release done by a callee (`helper_that_puts(si)`) is not seen,
and storing the object elsewhere (`p->si = si`, `x = si`) ends the tracking (no report).
Conditions are not correlated (`if (x) si = get(); ... if (x) put(si);` is reported), and
macros are not expanded: a loop macro followed by a block is taken as a loop; a macro that
hides a `return` or `goto` is not seen.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        a = analysis(ctx)
        for proto in ctx.protocols:
            if proto.kind != "pair":
                continue
            rel = sorted(proto.release_names)[0]
            groups: dict[tuple, list] = defaultdict(list)
            for fn, lk, fl in a.leaks(proto):
                if not a.related(fn.name):
                    continue
                groups[(fn.path, fn.name, lk.obj, lk.callee, lk.acquire_line)].append((fn, lk, fl))
            done: set[str] = set()
            for (path, fname, obj, callee, line), items in sorted(groups.items()):
                key = f"{proto.id}|{fname}|{obj}|{callee}"
                if key in done:
                    continue
                done.add(key)
                fn, _, fl = items[0]
                rets = sorted({lk.return_line for _, lk, _ in items})
                where = ", ".join(f"{path}:{r}" for r in rets[:4]) + (" ..." if len(rets) > 4 else "")
                hows = {lk.how for _, lk, _ in items}
                paths = "the path" if len(rets) == 1 else f"{len(rets)} paths"
                if hows == {"end"}:
                    how = "that falls off the end at"
                elif hows == {"overwrite"}:
                    how = f"that overwrites `{obj}` at"
                else:
                    how = "that leaves at" if len(hows) > 1 else "that returns at"
                msg = (f"`{callee}()` in `{fname}()` is not followed by `{rel}({obj})` on {paths} {how} {where}")
                held = proto.term("acquired")
                at = {lk.return_line: lk.how for _, lk, _ in items}
                what = {"return": "returns here", "end": "ends here", "overwrite": f"overwrites `{obj}` here"}
                labels = [Label(Location(path, r), f"{what[at[r]]} with `{obj}` still {held}") for r in rets[:6]]
                conf = Confidence.MEDIUM if fl.has_error else Confidence.HIGH
                col = 1
                text = ctx.line_text(path, line)
                if text and callee in text:
                    col = text.index(callee) + 1
                yield self.finding(msg, Location(path, line, col), key, function=fname, confidence=conf,
                                   note=f"protocol `{proto.id}`: {proto.message}", labels=labels,
                                   severity=sev(proto))
