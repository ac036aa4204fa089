"""SARIF 2.1.0 (OASIS): one run, rule metadata from the rule registry, labels as relatedLocations.

Upload with github/codeql-action/upload-sarif for code scanning. Paths are relative to the tree
root; partialFingerprints carry Finding.fingerprint() so results keep their identity across runs
when lines move; pre-existing findings have baselineState "unchanged", the others "new".
"""

from __future__ import annotations

import json

from kpatchlint import __version__
from kpatchlint.engine import Result
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Location
from kpatchlint.report import register

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "kpatchlintFingerprint/v1"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.HINT: "note"}


def _region(loc: Location) -> dict:
    region: dict = {"startLine": max(1, loc.line), "startColumn": max(1, loc.col)}
    if loc.end_line and loc.end_line > loc.line:
        region["endLine"] = loc.end_line
    return region


def _physical(loc: Location) -> dict:
    return {"artifactLocation": {"uri": loc.path}, "region": _region(loc)}


def _rule_descriptor(rule) -> dict:
    d: dict = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary or rule.name},
        "fullDescription": {"text": rule.summary or rule.name},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": [t for t in ("kpatchlint", getattr(rule, "family", "")) if t]},
    }
    doc = (rule.doc or "").strip()
    if doc:
        d["help"] = {"text": doc, "markdown": doc}
    return d


def _message(f: Finding) -> str:
    text = f.message
    if f.note:
        text += f"\n{f.note}"
    return text


def sarif_log(result: Result) -> dict:
    from kpatchlint.checks import all_rules

    rules = [_rule_descriptor(r) for r in all_rules()]
    index = {r["id"]: i for i, r in enumerate(rules)}
    for f in result.findings:  # codes outside the registry (the engine's own ING001, ...)
        if f.code not in index:
            index[f.code] = len(rules)
            rules.append({"id": f.code, "name": f.name, "shortDescription": {"text": f.name},
                          "defaultConfiguration": {"level": LEVEL[f.severity]}})
    results = []
    for f in result.findings:
        r: dict = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVEL[f.severity],
            "message": {"text": _message(f)},
            "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint()},
            "baselineState": "unchanged" if f.pre_existing else "new",
        }
        if f.primary is not None:
            r["locations"] = [{"physicalLocation": _physical(f.primary)}]
        if f.labels:
            r["relatedLocations"] = [
                {"id": i, "physicalLocation": _physical(lab.location), "message": {"text": lab.message}}
                for i, lab in enumerate(f.labels, start=1)
            ]
        props: dict = {"confidence": str(f.confidence)}
        if f.function:
            props["function"] = f.function
        if f.patch:
            props["patch"] = f.patch
            props["patchLabel"] = f.patch_label
        if f.patch_subject:
            props["patchSubject"] = f.patch_subject
        props["preExisting"] = f.pre_existing
        if f.repaired_by is not None:
            props["repairedBy"] = f.repaired_by
        r["properties"] = props
        results.append(r)
    run: dict = {
        "tool": {"driver": {"name": "kpatchlint", "version": __version__, "semanticVersion": __version__,
                            "rules": rules}},
        "results": results,
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [{"level": "warning", "message": {"text": p}} for p in result.problems],
        }],
    }
    s = result.series
    if s is not None:
        props = {"revision": s.revision, "patches": s.expected}
        if s.base_commit:
            props["baseCommit"] = s.base_commit
        if s.cover is not None:
            props["cover"] = s.cover.subject.title
        run["properties"] = props
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


@register("sarif")
def write_sarif(result: Result, opts: dict) -> str:
    return json.dumps(sarif_log(result), indent=2) + "\n"
