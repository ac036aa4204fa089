"""GitHub Actions workflow commands: `::error file=...,line=...,title=CODE::message`, one per finding.

Printed in a workflow step, they become annotations on the pull request's diff. Columns are only
given when the finding is on one line (GitHub ignores them otherwise).
"""

from __future__ import annotations

from kpatchlint.engine import Result
from kpatchlint.findings import Finding, Severity
from kpatchlint.report import register

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice", Severity.HINT: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command_for(f: Finding) -> str:
    props = []
    loc = f.primary
    if loc is not None:
        props.append(f"file={escape_property(loc.path)}")
        props.append(f"line={loc.line}")
        if loc.end_line and loc.end_line > loc.line:
            props.append(f"endLine={loc.end_line}")
        else:
            props.append(f"col={loc.col}")
    props.append(f"title={escape_property(f.code)}")
    msg = f.message
    tags = []
    if f.total:
        tags.append(f"patch {f.patch_label}")
    if f.pre_existing:
        tags.append("pre-existing")
    if f.repaired_by:
        tags.append(f"repaired by {f.repaired_by}/{f.total}")
    if tags:
        msg += f" [{', '.join(tags)}]"
    if f.note:
        msg += f"\n{f.note}"
    for lab in f.labels[:4]:
        msg += f"\nsee {lab.location.path}:{lab.location.line}: {lab.message}"
    return f"::{COMMAND[f.severity]} {','.join(props)}::{escape_data(msg)}"


@register("github")
def write_github(result: Result, opts: dict) -> str:
    lines = [command_for(f) for f in result.findings]
    lines += [f"::notice title=kpatchlint::{escape_data(p)}" for p in result.problems]
    return "\n".join(lines) + ("\n" if lines else "")
