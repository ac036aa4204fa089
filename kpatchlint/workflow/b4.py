"""b4 integration: `prep-perpatch-check-cmd` (checkpatch-shaped lines) and the `b4 review`
JSON protocol (`review-perpatch-check-cmd`, `review-series-check-cmd`).

b4 hands a check command one message on stdin and runs it in the git top level. The series
around it is recovered from the repository:

* `b4 prep` branches: the cover-letter commit holding `--- b4-submit-tracking ---` JSON
  (`commit` strategy: the series starts after it; `tip-commit`: it sits at the tip and the
  series starts at the fork point with its `base-branch`), or the `branch.<name>.b4-tracking`
  config (`branch-description` strategy);
* `b4 review` (`B4_TRACKING_FILE`): the review branch `b4/review/<change-id>` from the
  `first-patch-commit`, else the tracking `base-commit`;
* otherwise the fork point with the branch's upstream, else the commit's parent.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from kpatchlint.errors import InputError
from kpatchlint.findings import Finding, Severity
from kpatchlint.report.checkpatch import line_for
from kpatchlint.series import parse_patch_bytes, series_from_bytes, series_from_git
from kpatchlint.series.model import Patch
from kpatchlint.workflow import context, gitutil

PREP_MARKER = "--- b4-submit-tracking ---"
REVIEW_MARKER = "--- b4-review-tracking ---"
TOOL = "kpatchlint"


@dataclass(frozen=True)
class SeriesRange:
    base: context.Base
    end: str  # last commit of the series (inclusive)


# --------------------------------------------------------------------------- finding the series


def _tracking_json(message: str, marker: str) -> dict:
    _cover, _, rest = message.partition(marker)
    lines = [ln for ln in rest.splitlines() if not ln.startswith("#")]
    text = "\n".join(lines)
    start = text.find("{")
    if start < 0:
        return {}
    try:
        data = json.loads(text[start:])
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def fork_point(top: Path, base_branch: str) -> str | None:
    if not base_branch or base_branch.startswith("-"):
        return None
    out = gitutil.git_text(top, "merge-base", "--fork-point", "--end-of-options", base_branch, "HEAD", check=False)
    if not out:
        out = gitutil.git_text(top, "merge-base", "--end-of-options", "HEAD", base_branch, check=False)
    return out.split()[0] if out else None


def prep_range(top: Path) -> SeriesRange | None:
    """The series of the current `b4 prep` branch (or the fork point with the upstream branch)."""
    head = gitutil.resolve_commit(top, "HEAD")
    if head is None:
        return None
    cover = gitutil.git_text(top, "rev-list", "--max-count=1", "--since=1.year", "--fixed-strings",
                             f"--grep={PREP_MARKER}", "HEAD", "--", check=False)
    branch = gitutil.current_branch(top)
    if cover:
        msg = gitutil.git_text(top, "log", "-1", "--format=%B", cover, check=False)
        tracking = _tracking_json(msg, PREP_MARKER).get("series", {})
        strategy = gitutil.config_get(top, f"branch.{branch}.b4-prep-cover-strategy") if branch else None
        if cover == head or strategy == "tip-commit":
            fp = fork_point(top, str(tracking.get("base-branch") or ""))
            if fp:
                end = gitutil.resolve_commit(top, f"{cover}^") or head
                return SeriesRange(context.Base(fp, f"the fork point of this b4 prep branch with "
                                                    f"{tracking.get('base-branch')}"), end)
        else:  # `commit` strategy: the series starts after the (empty) cover-letter commit, whose
            # tree is the series base; starting the range at its parent would make format-patch count it
            return SeriesRange(context.Base(cover, "the b4 prep cover-letter commit, the series base"), head)
    if branch:
        raw = gitutil.config_get(top, f"branch.{branch}.b4-tracking")
        if raw:
            try:
                base_branch = json.loads(raw).get("series", {}).get("base-branch")
            except (json.JSONDecodeError, AttributeError):
                base_branch = None
            fp = fork_point(top, str(base_branch or ""))
            if fp:
                return SeriesRange(context.Base(fp, f"the fork point of this b4 prep branch with {base_branch}"), head)
    upstream = gitutil.git_text(top, "rev-parse", "--verify", "--quiet", "--symbolic-full-name", "@{upstream}",
                                check=False)
    if upstream:
        fp = fork_point(top, upstream)
        if fp and fp != head:
            return SeriesRange(context.Base(fp, f"the fork point with the upstream branch {upstream}"), head)
    return None


def review_tracking(env: dict[str, str]) -> dict:
    path = env.get("B4_TRACKING_FILE")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def review_range(top: Path, tracking: dict) -> tuple[SeriesRange | None, context.Base | None]:
    """From b4 review tracking data: the review branch's range, and the base-commit as a fallback."""
    series = tracking.get("series", {}) if isinstance(tracking.get("series"), dict) else {}
    base_commit = gitutil.resolve_commit(top, str(series.get("base-commit") or ""))
    fallback = context.Base(base_commit, "the base-commit of the b4 review tracking data") if base_commit else None
    change_id = str(series.get("change-id") or "")
    first = str(series.get("first-patch-commit") or "")
    branch = f"refs/heads/b4/review/{change_id}" if change_id else ""
    tip = gitutil.resolve_commit(top, branch) if branch else None
    start = gitutil.resolve_commit(top, f"{first}^") if first else None
    if tip and REVIEW_MARKER in gitutil.git_text(top, "log", "-1", "--format=%B", tip, check=False):
        # the tracking commit at the tip is empty: leave it out (format-patch would count it)
        tip = gitutil.resolve_commit(top, f"{tip}^")
    if tip and start:
        return SeriesRange(context.Base(start, f"the b4 review branch b4/review/{change_id}"), tip), fallback
    return None, fallback


# --------------------------------------------------------------------------- checks


@dataclass
class Outcome:
    findings: list[Finding]
    plan: context.Plan | None  # None: nothing to check (no diff)
    settings: object = None


def _options(top: Path, fail_on: str | None):
    return context.load_settings(top, fail_on)


def check_patch(top: Path, data: bytes, *, env: dict[str, str] | None = None, min_severity: Severity = Severity.WARNING,
                pre_existing: bool = False, fail_on: str | None = None) -> Outcome:
    """Lint one patch (b4's stdin) in the context of its series; only its own findings are kept."""
    env = dict(os.environ if env is None else env)
    settings = _options(top, fail_on)
    item = parse_patch_bytes(data, "<stdin>")
    if not isinstance(item, Patch):
        return Outcome([], None, settings)
    tracking = review_tracking(env)
    rng, fallback = review_range(top, tracking) if tracking else (None, None)
    if rng is None:
        rng = prep_range(top)
    fallbacks = tuple(b for b in (fallback, context.footer_base(top, _as_series(data, item))) if b)
    plan = context.plan_for_patch(top, data, item, base=rng.base if rng else None,
                                  end=rng.end if rng else "HEAD", fallbacks=fallbacks)
    result, plan = context.run(top, plan, settings)
    return Outcome(context.report_findings(result, plan, min_severity, pre_existing), plan, settings)


def check_series(top: Path, data: bytes, *, env: dict[str, str] | None = None,
                 min_severity: Severity = Severity.WARNING, pre_existing: bool = False,
                 fail_on: str | None = None) -> Outcome:
    """Lint the whole series that the message on stdin (cover letter or first patch) belongs to."""
    env = dict(os.environ if env is None else env)
    settings = _options(top, fail_on)
    tracking = review_tracking(env)
    rng, fallback = review_range(top, tracking) if tracking else (None, None)
    if rng is None:
        rng = prep_range(top)
    if rng is not None:
        count = gitutil.git_text(top, "rev-list", "--count", "--no-merges", f"{rng.base.rev}..{rng.end}", check=False)
        if count in ("", "0"):
            return Outcome([], None, settings)  # a series without commits yet
        series = series_from_git(top, f"{rng.base.rev}..{rng.end}")
        plan = context.Plan(series, rng.base.rev, rng.base.how)
        result, plan = context.run(top, plan, settings)
        return Outcome(context.report_findings(result, plan, min_severity, pre_existing), plan, settings)
    try:
        item = parse_patch_bytes(data, "<stdin>")
    except InputError:
        item = None
    if isinstance(item, Patch):  # a lone patch: check it as check_patch would
        return check_patch(top, data, env=env, min_severity=min_severity, pre_existing=pre_existing, fail_on=fail_on)
    return Outcome([], None, settings)


def _as_series(data: bytes, patch: Patch):
    try:
        return series_from_bytes(data, "<stdin>")
    except InputError:
        return context.single_series(patch, None)


# --------------------------------------------------------------------------- output


def prep_lines(findings: list[Finding]) -> list[str]:
    """checkpatch `--terse --showfile` lines for b4 (no patch label: b4 shows them under the commit)."""
    return [line_for(f.with_(total=0)) for f in findings]


_STATUS = {Severity.ERROR: "fail", Severity.WARNING: "warn", Severity.INFO: "pass", Severity.HINT: "pass"}
_ORDER = {"pass": 0, "warn": 1, "fail": 2}


def review_json(outcome: Outcome, *, keep_labels: bool = False) -> list[dict[str, str]]:
    """b4 review CI results: `[]` when there was nothing to check (no diff), else one entry."""
    if outcome.plan is None:
        return []
    findings = outcome.findings
    if not findings:
        n = len(outcome.plan.series.present)
        what = "the series" if keep_labels and n > 1 else "the patch"
        return [{"tool": TOOL, "status": "pass", "summary": f"no findings in {what}",
                 "details": f"checked against {outcome.plan.where}"}]
    status = "pass"
    counts: dict[Severity, int] = {}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
        if _ORDER[_STATUS[f.severity]] > _ORDER[status]:
            status = _STATUS[f.severity]
    parts = []
    for sev, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "check"),
                      (Severity.HINT, "hint")):
        if counts.get(sev):
            parts.append(f"{counts[sev]} {word}{'s' if counts[sev] != 1 else ''}")
    lines = [line_for(f if keep_labels else f.with_(total=0)) for f in findings]
    lines.append(f"checked against {outcome.plan.where}")
    return [{"tool": TOOL, "status": status, "summary": ", ".join(parts), "details": "\n".join(lines)}]


def dump_json(results: list[dict[str, str]]) -> str:
    return json.dumps(results, indent=2, sort_keys=True) + "\n"


__all__ = ["Outcome", "SeriesRange", "check_patch", "check_series", "prep_lines", "prep_range",
           "review_json", "review_range", "dump_json"]
