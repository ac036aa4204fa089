"""checkpatch.pl `--terse --showfile` shaped lines: `path:line: LEVEL:TYPE: message`."""

from __future__ import annotations

from kpatchlint.engine import Result
from kpatchlint.findings import Severity
from kpatchlint.report import register

LEVEL = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "CHECK", Severity.HINT: "CHECK"}


def line_for(f) -> str:
    where = f"{f.primary.path}:{f.primary.line}: " if f.primary else ""
    typ = f.name.upper().replace("-", "_")
    patch = f" (patch {f.patch}/{f.total})" if f.total else ""
    msg = f.message.replace("`", "'")
    return f"{where}{LEVEL[f.severity]}:{typ}: {msg}{patch}"


@register("checkpatch")
def write_checkpatch(result: Result, opts: dict) -> str:
    lines = [line_for(f) for f in result.findings]
    if not opts.get("no_summary"):
        c = result.counts()
        lines.append(f"total: {c['error']} errors, {c['warning']} warnings, {c['info'] + c['hint']} checks")
    return "\n".join(lines) + ("\n" if lines else "")
