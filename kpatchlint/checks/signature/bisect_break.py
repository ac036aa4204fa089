"""SIG007 bisect-break: a patch leaves the tree broken and a later patch of the series repairs it."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from kpatchlint.checks.base import Label, Rule, SeriesContext
from kpatchlint.findings import Finding, Severity

BUILD_BREAKING = {"SIG001", "SIG002", "SIG003", "SIG004", "SIG006", "SIG008", "SIG009"}


class BisectBreak(Rule):
    code = "SIG007"
    name = "bisect-break"
    family = "signature"
    severity = Severity.ERROR
    scope = "series"
    summary = "a patch in the middle of the series does not build; a later patch repairs it"
    doc = """
## What it does
Looks at each build-breaking finding (SIG001-SIG004, SIG006) that appears after one patch
and disappears after a later one, and reports the pair: "breaks at 7/19, repaired by 9/19".

## Why is this bad?
Every commit of a series must build: `git bisect` lands on each of them, and the kernel
test robot builds patch by patch and will report the intermediate breakage.

## Example
Patch 2/5 changes the prototype and the definition; patch 3/5 updates the callers.

## Use instead
Squash the repair into the patch that breaks, or reorder the series.

## Known limits
Only the defects kpatchlint itself finds are considered.
"""

    def check_series(self, sctx: SeriesContext) -> Iterator[Finding]:
        groups: dict[tuple[int, int], list[Finding]] = defaultdict(list)
        for f in sctx.findings:
            if f.code in BUILD_BREAKING and f.severity >= Severity.ERROR and not f.pre_existing \
                    and f.repaired_by is not None and f.patch:
                groups[(f.patch, f.repaired_by)].append(f)
        total = sctx.contexts[0].total if sctx.contexts else 0
        for (k, j), fs in sorted(groups.items()):
            fs.sort(key=lambda f: f.sort_key())
            first = fs[0]
            names = sorted({f.function for f in fs if f.function})
            more = f" and {len(fs) - 1} more" if len(fs) > 1 else ""
            yield Finding(
                code=self.code, name=self.name,
                message=f"patch {k}/{total} breaks the build, repaired by {j}/{total}: {first.message}{more}",
                severity=self.severity, confidence=min(f.confidence for f in fs), primary=first.primary,
                key=f"{self.code}:{k}:{j}", function=first.function, patch=k, total=total,
                note=f"breaks at {k}/{total}, repaired by {j}/{total}; affected: " + ", ".join(f"`{n}`" for n in names),
                labels=tuple(Label(f.primary, f"{f.code} {f.message}") for f in fs[1:6] if f.primary),
            )
