"""Human text: file:line:col, code, message, a code frame with a caret, patch n/m, totals."""

from __future__ import annotations

from kpatchlint.engine import Result
from kpatchlint.findings import Finding
from kpatchlint.report import register


def _frame(result: Result, f: Finding) -> list[str]:
    if f.primary is None:
        return []
    k = f.patch if f.at is None else f.at
    ctx = next((c for c in result.contexts if c.k == k), result.contexts[0] if result.contexts else None)
    if ctx is None:
        return []
    out = []
    for n in range(f.primary.line - 1, f.primary.line + 2):
        text = ctx.line_text(f.primary.path, n)
        if text is None:
            continue
        mark = ">" if n == f.primary.line else " "
        out.append(f"  {mark} {n:5d} | {text.expandtabs(8)}")
        if n == f.primary.line:
            col = len(text[:f.primary.col - 1].expandtabs(8))
            out.append(f"          | {' ' * col}^")
    return out


def render_finding(result: Result, f: Finding, frames: bool = True) -> list[str]:
    where = str(f.primary) if f.primary else "-"
    patch = f" [{f.patch}/{f.total}]" if f.total else ""
    tags = []
    if f.pre_existing:
        tags.append("pre-existing")
    if f.repaired_by:
        tags.append(f"repaired by {f.repaired_by}/{f.total}")
    if f.confidence.name != "HIGH":
        tags.append(f"{f.confidence} confidence")
    tag = f" ({', '.join(tags)})" if tags else ""
    lines = [f"{where}: {f.code} {f.severity}{patch}: {f.message}{tag}"]
    if f.at is not None and f.at != f.patch:
        lines.append(f"  (lines as before patch {f.patch}/{f.total})")
    if frames:
        lines += _frame(result, f)
    if f.note:
        lines.append(f"  = note: {f.note}")
    for lab in f.labels[:4]:
        lines.append(f"  = see {lab.location}: {lab.message}")
    return lines


@register("text")
def write_text(result: Result, opts: dict) -> str:
    lines: list[str] = []
    by_patch: dict[int, list[Finding]] = {}
    for f in result.findings:
        by_patch.setdefault(f.patch, []).append(f)
    series = result.series
    for k in sorted(by_patch):
        if series is not None and k:
            p = series.patches[k - 1] if k - 1 < len(series.patches) else None
            title = p.subject.title if p is not None else "(missing)"
            lines.append(f"== patch {k}/{result.findings[0].total or len(series.patches)}: {title}")
        for f in by_patch[k]:
            lines += render_finding(result, f, frames=not opts.get("no_frames"))
            lines.append("")
    for prob in result.problems:
        lines.append(f"note: {prob}")
    c = result.counts()
    pre = sum(1 for f in result.findings if f.pre_existing)
    lines.append(f"total: {c['error']} errors, {c['warning']} warnings, {c['info'] + c['hint']} notes"
                 + (f" ({pre} pre-existing)" if pre else ""))
    return "\n".join(lines) + "\n"
