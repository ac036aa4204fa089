"""PRO003 protocol-acquire-sites: the object is acquired in more than one place (a summary)."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.common import loc
from kpatchlint.checks.protocols._analysis import analysis
from kpatchlint.checks.protocols._sites import Site, sites
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence


class ProtocolAcquireSites(Rule):
    code = "PRO003"
    name = "protocol-acquire-sites"
    family = "protocols"
    severity = Severity.INFO
    summary = "lists every place that acquires for an acquire-before-sink protocol, when there are several"
    doc = """
## What it does
For each `acquire-before-sink` protocol, collects the calls of the acquire
(`mem_cgroup_swapin_charge_folio()`) and, when more than one function acquires, reports one
summary finding listing each site: the function, `file:line`, and where it stands against
the sinks (the insertions):

* *inside the insertion*: the acquiring function is itself a sink (the charge inside
  `__swap_cache_prepare_and_add()`, taken only when `charged` is false), with the flag each
  caller passes;
* *before the insertion*: the object is later handed to a sink in the same function, or
  the function returns it to a caller that does (`do_swap_page()` → `alloc_swap_folio()`
  → `__alloc_swap_folio()`, then `swapin_folio()`);
* *no insertion on the path*: the object is returned up the call graph to functions that
  never hand it to a sink (the anonymous swap-in that bypasses the swap cache).

## Why is this bad?
It is not a defect by itself. Several acquire sites for one resource are where double or
missing acquires come from; a reviewer of a series touching any of them wants the whole
list. The review of the swap-table series counted four swap-in charge sites (anon THP, anon
order-0, shmem THP, and the common order-0 one inside the swap cache).

## Example
Four functions call `mem_cgroup_swapin_charge_folio()`: `alloc_swap_folio()`,
`__alloc_swap_folio()`, `shmem_swap_alloc_folio()` and `__swap_cache_prepare_and_add()`.

## Use instead
Nothing to fix; consider funnelling the acquire into one place.

## Known limits
Sites are functions, not lines (two acquires in one function are one site). In series mode
the summary is given when one of the sites, or a function calling or called by one, is
touched by the series; the finding is keyed by the set of site functions, so a patch that
adds or removes a site starts a new summary. The path shown is one path, found by following
the returned object up at most 8 callers.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        a = analysis(ctx)
        for proto in ctx.protocols:
            if proto.kind != "acquire-before-sink":
                continue
            calls = a.acquire_calls(proto)
            funcs = {(c.path, c.caller) for c in calls}
            if len(funcs) < 2:
                continue
            if not any(a.related(c.caller) for c in calls):
                continue
            uniq: dict[tuple[str, str], Site] = {}
            for s in sites(a, proto):
                uniq.setdefault((s.call.path, s.call.caller or ""), s)
            found = list(uniq.values())
            acq = sorted(proto.acquire_names)[0]
            names = ", ".join(f"`{s.call.caller}()`" for s in found)
            msg = f"{len(found)} functions {proto.term('acquire')} with `{acq}()` (protocol `{proto.id}`): {names}"
            counts = {w: sum(1 for s in found if s.where == w) for w in ("inside", "before", "bypass", "unknown")}
            how = ", ".join(f"{n} {w}" for w, n in (("inside the insertion", counts["inside"]),
                                                  ("before it", counts["before"]),
                                                  ("on a path without it", counts["bypass"]),
                                                  ("not placed", counts["unknown"])) if n)
            note = f"{how}; each site is labelled with where it stands and one path; {proto.message}"
            labels = [Label(loc(s.call), f"`{s.call.caller}()`: {s.detail}") for s in found]
            first = found[0]
            key = f"{proto.id}|" + ",".join(sorted({s.call.caller or "" for s in found}))
            conf = min([s.call.confidence for s in found] + [Confidence.HIGH])
            yield self.finding(msg, loc(first.call), key, function=first.call.caller, confidence=conf,
                               note=note, labels=labels)
