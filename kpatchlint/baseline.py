"""Baseline files: known findings (by fingerprint, without line numbers) that a run ignores."""

from __future__ import annotations

import json
from pathlib import Path

from kpatchlint.errors import InputError
from kpatchlint.findings import Finding

VERSION = 1


def write_baseline(path: Path, findings: list[Finding]) -> int:
    entries = sorted({(f.fingerprint(), f.code, f.function or "", f.message) for f in findings})
    doc = {"kpatchlint_baseline": VERSION,
           "findings": [{"fingerprint": fp, "code": c, "function": fn, "message": m} for fp, c, fn, m in entries]}
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    return len(entries)


def read_baseline(path: Path) -> set[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("kpatchlint_baseline") != VERSION:
            raise ValueError("not a kpatchlint baseline (version 1)")
        return {str(e["fingerprint"]) for e in doc["findings"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"bad baseline file: {exc}", str(path)) from exc
