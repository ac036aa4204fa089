"""JSON output (schema_version 1, documented in docs/json-schema.md)."""

from __future__ import annotations

import json

from kpatchlint import __version__
from kpatchlint.engine import Result
from kpatchlint.findings import Finding
from kpatchlint.report import register

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict:
    return {
        "code": f.code,
        "name": f.name,
        "level": str(f.severity),
        "confidence": str(f.confidence),
        "message": f.message,
        "function": f.function,
        "file": f.primary.path if f.primary else None,
        "line": f.primary.line if f.primary else None,
        "column": f.primary.col if f.primary else None,
        "patch": f.patch or None,
        "total": f.total or None,
        "patch_subject": f.patch_subject or None,
        "pre_existing": f.pre_existing,
        "repaired_by": f.repaired_by,
        "note": f.note,
        "related": [{"file": lab.location.path, "line": lab.location.line, "message": lab.message} for lab in f.labels],
        "fingerprint": f.fingerprint(),
    }


@register("json")
def write_json(result: Result, opts: dict) -> str:
    s = result.series
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "kpatchlint", "version": __version__},
        "series": None if s is None else {
            "revision": s.revision, "total": s.expected, "base_commit": s.base_commit,
            "cover": s.cover.subject.title if s.cover else None,
            "patches": [None if p is None else {"index": p.index, "subject": p.subject.title, "msgid": p.msgid}
                        for p in s.patches],
        },
        "totals": result.counts(),
        "issues": [finding_dict(f) for f in result.findings],
        "problems": result.problems,
        "stats": result.stats,
    }
    return json.dumps(doc, indent=2) + "\n"
