"""PAR008 param-churn: a parameter added by one patch of the series and removed by a later one."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.checks.base import Label, Rule, SeriesContext
from kpatchlint.checks.params.shared import param_changes, param_loc, provider_decls
from kpatchlint.findings import Finding, Severity
from kpatchlint.checks.common import name_loc
from kpatchlint.location import Confidence


class ParamChurn(Rule):
    code = "PAR008"
    name = "param-churn"
    family = "params"
    severity = Severity.INFO
    scope = "series"
    summary = "a parameter is added in one patch of the series and removed again in a later one"
    doc = """
## What it does
Follows the parameter lists of the functions the series changes, patch by patch, and
reports a parameter that one patch adds (the parameter count grows) and a later patch
removes again (the count drops), with both patches named.

## Why is this bad?
Reviewers read and test an interface that does not survive the series; each caller is
touched twice, and the intermediate state (with its own documentation and callers) has to
be right for bisection. It often means two patches could be squashed or reordered.

## Example
Patch 12/19 adds `bool alloc` to `swap_cache_add_folio()` and its callers; patch 15/19
removes it again.

## Use instead
Reorder the series so the final interface is introduced once, or explain in the later
commit message why the intermediate step is needed.

## Known limits
Renames (same place, same type) are neither additions nor removals. Function renames
between the two patches are not followed. The finding is attributed to the adding patch.
"""

    def check_series(self, sctx: SeriesContext) -> Iterator[Finding]:
        ctxs = sctx.contexts
        if len(ctxs) < 3:
            return
        total = ctxs[0].total
        added: dict[tuple[str, str, str], tuple[int, object]] = {}
        reported: set[tuple[str, str, str]] = set()
        for ctx in ctxs[1:]:
            d = ctx.delta
            if d is None or ctx.prev_index is None:
                continue
            names = set(d.params_removed) | set(d.params_added) | set(d.changed)
            if not names:
                continue
            rem, add = param_changes(ctx.prev_index, ctx.index, names, ctx.k)
            for r in rem:
                if r.retyped:
                    continue
                hit = added.pop(r.ident, None)
                if hit is None or r.ident in reported:
                    continue
                reported.add(r.ident)
                i, where = hit
                yield Finding(
                    code=self.code, name=self.name,
                    message=f"parameter `{r.param}` of `{r.func}` is added in patch {i}/{total} "
                            f"and removed again in patch {r.k}/{total}",
                    severity=self.severity, confidence=Confidence.MEDIUM, primary=where,
                    key=f"{self.code}:{ctx.root(r.func)}|{r.path}|{r.param}|{i}", function=r.func,
                    patch=i, total=total,
                    note="the intermediate interface does not survive the series: consider squashing or reordering",
                    labels=tuple(Label(name_loc(f), f"patch {r.k}/{total} removes it")
                                 for f in provider_decls(ctx.index, r.func, r.path)[:1]),
                )
            for a in add:
                if not a.inserted:
                    continue
                decls = provider_decls(ctx.index, a.func, a.path if a.local else None)
                where = param_loc(ctx, decls[0], a.param) if decls else None
                added.setdefault(a.ident, (ctx.k, where))
