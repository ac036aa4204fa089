"""reviewdog Diagnostic Format, rdjson: a DiagnosticResult with one Diagnostic per finding.

`kpatchlint check ... --format rdjson | reviewdog -f=rdjson -reporter=github-pr-review`.
Labels become related_locations (the stale caller's prototype, the stub's reference).
Lines and columns are 1-based, as reviewdog expects.
"""

from __future__ import annotations

import json

from kpatchlint.engine import Result
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Location
from kpatchlint.report import register
from kpatchlint.report.checkpatch import line_for

SEVERITY = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO", Severity.HINT: "INFO"}


def _location(loc: Location) -> dict:
    rng: dict = {"start": {"line": max(1, loc.line), "column": max(1, loc.col)}}
    if loc.end_line and loc.end_line > loc.line:
        rng["end"] = {"line": loc.end_line}
    return {"path": loc.path, "range": rng}


def diagnostic(f: Finding) -> dict:
    msg = f.message
    if f.total:
        msg += f" (patch {f.patch_label}{', pre-existing' if f.pre_existing else ''})"
    if f.note:
        msg += f"\n{f.note}"
    d: dict = {
        "message": msg,
        "severity": SEVERITY[f.severity],
        "source": {"name": "kpatchlint"},
        "code": {"value": f.code},
        "original_output": line_for(f),
    }
    if f.primary is not None:
        d["location"] = _location(f.primary)
    if f.labels:
        d["related_locations"] = [{"message": lab.message, "location": _location(lab.location)} for lab in f.labels]
    return d


@register("rdjson")
def write_rdjson(result: Result, opts: dict) -> str:
    doc = {"source": {"name": "kpatchlint"}, "diagnostics": [diagnostic(f) for f in result.findings]}
    return json.dumps(doc, indent=2) + "\n"
