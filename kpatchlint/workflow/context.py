"""Recover the series context of a patch that arrives alone (a send-email file, b4's stdin).

A *plan* says what to lint: a Series, the git revision of the tree it applies to (None for
diff-only mode), which patch of it we report on, and a one-line explanation of the choice.
The tree is always read from git objects (`GitTree`); the work tree, index and refs are never
touched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from kpatchlint.engine import Result, lint_series
from kpatchlint.findings import Finding, Severity
from kpatchlint.series import series_from_git
from kpatchlint.series.model import Patch, Series
from kpatchlint.settings import Settings
from kpatchlint.workflow import gitutil


@dataclass(frozen=True)
class Base:
    """A candidate revision for the tree under a patch, and why it was chosen."""

    rev: str
    how: str
    tentative: bool = False  # a guess: fall back to diff-only mode if the patches do not apply


@dataclass
class Plan:
    series: Series
    rev: str | None  # the tree under patch 1 of `series`; None: diff-only mode
    how: str
    focus: int = 0  # report only findings attributed to this patch (1-based); 0: all patches
    tentative: bool = False
    label: tuple[int, int] | None = None  # shown as "patch k/n" for the focus patch; None: as analysed

    @property
    def where(self) -> str:
        return f"{self.rev[:12]}, {self.how}" if self.rev else f"none, diff-only mode: {self.how}"


def load_settings(top: Path | None, fail_on: str | None = None) -> Settings:
    """Defaults, then `.kpatchlint.toml` at the top of the work tree, then `fail_on`."""
    from kpatchlint.config import apply_config, load_config

    settings = apply_config(Settings(), load_config(top))
    if fail_on:
        settings = replace(settings, fail_on=Severity.parse(fail_on))
    return settings


def make_provider(settings: Settings):
    from kpatchlint.analysis.facts import FactsProvider
    from kpatchlint.cache import FactsCache

    cache = None
    if settings.cache:
        try:
            cache = FactsCache(settings.cache_dir)
        except Exception:  # an unusable cache never stops a check
            cache = None
    return FactsProvider(cache=cache, jobs=settings.jobs)


def single_series(patch: Patch, rev: str | None) -> Series:
    return Series(revision=patch.subject.revision, expected=1, cover=None,
                  patches=(replace(patch, index=1, total=1),), base_commit=rev)


def _lint(top: Path, series: Series, rev: str | None, settings: Settings, provider) -> Result:
    from kpatchlint.tree.source import GitTree

    tree = GitTree(top, rev) if rev else None
    try:
        return lint_series(series, tree, settings, provider, reuse=True)
    finally:
        if tree is not None:
            tree.close()


def run(top: Path, plan: Plan, settings: Settings, provider=None) -> tuple[Result, Plan]:
    """Lint the plan; a tentative base the patches do not apply to is replaced by diff-only mode."""
    provider = provider or make_provider(settings)
    result = _lint(top, plan.series, plan.rev, settings, provider)
    if plan.rev and plan.tentative and any(f.code == "ING001" for f in result.findings):
        plan = replace(plan, rev=None, how=f"{plan.how}, but the patches do not apply there")
        result = _lint(top, plan.series, None, settings, provider)
    return result, plan


def report_findings(result: Result, plan: Plan, min_severity: Severity = Severity.WARNING,
                    pre_existing: bool = False) -> list[Finding]:
    """The findings to show: the focus patch's, at or above `min_severity`, relabelled for display."""
    out = []
    for f in result.findings:
        if plan.focus and f.patch != plan.focus:
            continue
        if f.severity < min_severity or (f.pre_existing and not pre_existing):
            continue
        if plan.focus and plan.label is not None:
            k, n = plan.label
            f = f.with_(patch=k, total=n)
        out.append(f)
    return out


def blocking(findings: list[Finding], settings: Settings) -> list[Finding]:
    """The findings that make a check fail (same rule as `kpatchlint check`'s exit status)."""
    return [f for f in findings if f.severity >= settings.fail_on
            and (settings.fail_on_pre_existing or not f.pre_existing)]


def plan_for_patch(top: Path, data: bytes, patch: Patch, *, base: Base | None = None,
                   end: str = "HEAD", fallbacks: tuple[Base, ...] = (), use_head: bool = True) -> Plan:
    """Where does this one patch belong? In order:

    1. the commit of `base..end` (or, without `base`, of `end`'s last HISTORY_DEPTH commits) with the
       same patch-id (or, failing that, the only one with the same subject): with `base`, the series
       `base..commit` is analysed and the patch is its last one; without, the patch is checked on
       top of that commit's parent;
    2. for a first or unnumbered patch only (a later one needs the patches before it, which are
       not in the repository either): each of `fallbacks` that resolves (e.g. b4's tracking base,
       the mail's base-commit footer), then HEAD if the patch applies there (`use_head`);
    3. no tree: diff-only mode.
    """
    title = patch.subject.title
    revs = [f"{base.rev}..{end}"] if base else gitutil.recent(end)
    match = gitutil.find_commit(top, data, title, revs)
    if match is not None:
        found = f"{match.commit[:12]} matched by {match.by}"
        if base is not None:
            series = series_from_git(top, f"{base.rev}..{match.commit}")
            k = len(series.patches)
            # check the mail's own diff in the place of the commit it matched
            patches = series.patches[:-1] + (replace(patch, index=k, total=k),)
            series = replace(series, patches=patches, expected=k, base_commit=base.rev)
            return Plan(series, base.rev, f"{base.how}; the patch is {found}, commit {k} of the series",
                        focus=k)
        parent = gitutil.resolve_commit(top, f"{match.commit}^")
        if parent:
            return Plan(single_series(patch, parent), parent, f"the parent of {found}", focus=1)
        return Plan(single_series(patch, None), None, f"the patch is the root commit {found}", focus=1)
    counter = patch.subject.counter
    if counter and counter > 1:
        # patches 1..counter-1 are not in the repository either: on any base without them this
        # patch could only be checked wrongly (e.g. callers updated for a prototype they change)
        return Plan(single_series(patch, None), None,
                    f"patch {counter}/{patch.subject.expected or counter} is not in the repository's history "
                    "and the patches before it are unknown", focus=1)
    for fb in fallbacks:
        rev = gitutil.resolve_commit(top, fb.rev)
        if rev:
            return Plan(single_series(patch, rev), rev, f"{fb.how}; the patch is not among its commits",
                        focus=1, tentative=fb.tentative)
    if use_head:
        head = gitutil.resolve_commit(top, "HEAD")
        if head:
            return Plan(single_series(patch, head), head, "HEAD: the patch is not in its recent history",
                        focus=1, tentative=True)
    return Plan(single_series(patch, None), None, "the patch is not in the repository's history", focus=1)


def footer_base(top: Path, series: Series) -> Base | None:
    """The series' `base-commit:` footer, if the repository has that commit."""
    if series.base_commit:
        rev = gitutil.resolve_commit(top, series.base_commit)
        if rev:
            return Base(rev, "the base-commit: footer of the series")
    return None
