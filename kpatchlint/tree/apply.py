"""Apply hunks in memory: to a whole file (exact, then at an offset like `git apply`), or to
sparse knowledge of a file (diff-only mode: known lines by number, shifted by each hunk)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpatchlint.series.model import Hunk

MAX_OFFSET_SEARCH = 100_000  # lines; git apply searches the whole file, nearest first


@dataclass(slots=True)
class HunkFailure:
    hunk_index: int  # 0-based within the file's hunks
    hunk: Hunk
    reason: str


@dataclass(slots=True)
class ApplyResult:
    lines: list[str]
    failures: list[HunkFailure] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)  # per hunk: applied at old_start + offset


def _matches(lines: list[str], pos: int, old: list[str]) -> bool:
    if pos < 0 or pos + len(old) > len(lines):
        return False
    return lines[pos:pos + len(old)] == old


def apply_full(lines: list[str], hunks: tuple[Hunk, ...]) -> ApplyResult:
    """Apply to complete file content. A hunk that matches nowhere is forced in at its
    nominal place (so later hunks still land) and reported as a failure."""
    out = list(lines)
    res = ApplyResult(out)
    delta = 0  # how far the current text has moved relative to the original numbering
    for i, h in enumerate(hunks):
        old = h.old_lines
        new = h.new_lines
        nominal = (h.old_start - 1 if h.old_len else h.old_start) + delta
        pos = None
        if _matches(out, nominal, old):
            pos = nominal
        else:
            for d in range(1, min(len(out) + 1, MAX_OFFSET_SEARCH)):
                if _matches(out, nominal - d, old):
                    pos = nominal - d
                    break
                if _matches(out, nominal + d, old):
                    pos = nominal + d
                    break
                if nominal - d < 0 and nominal + d > len(out):
                    break
        if pos is None:
            res.failures.append(HunkFailure(i, h, "context does not match the tree"))
            pos = max(0, min(nominal, len(out)))
            removed = min(len(old), len(out) - pos)
        else:
            removed = len(old)
        res.offsets.append(pos - nominal)
        out[pos:pos + removed] = new
        delta += (pos - nominal) + len(new) - removed
    return res


@dataclass(slots=True)
class Sparse:
    """What is known of a file without the file: lines by 1-based number, plus section-header
    lines whose exact place is unknown (git copies them from above the hunk)."""

    lines: dict[int, str] = field(default_factory=dict)
    floating: dict[int, str] = field(default_factory=dict)  # approximate line -> text
    mismatches: int = 0

    def copy(self) -> "Sparse":
        return Sparse(dict(self.lines), dict(self.floating), self.mismatches)


def learn_old_side(sp: Sparse, hunks: tuple[Hunk, ...]) -> None:
    """Record what the pre-image shows (context and removed lines, section headers)."""
    for h in hunks:
        for ln in h.lines:
            if ln.old_no is not None:
                known = sp.lines.get(ln.old_no)
                if known is not None and known != ln.text:
                    sp.mismatches += 1
                sp.lines[ln.old_no] = ln.text
        if h.section.strip():
            approx = max(1, h.old_start - 1)
            if approx not in sp.lines or sp.lines[approx] != h.section:
                sp.floating[approx] = h.section


def apply_sparse(sp: Sparse, hunks: tuple[Hunk, ...]) -> Sparse:
    """Post-image knowledge: lines outside hunks shift, lines inside are replaced."""
    learn_old_side(sp, hunks)
    ranges = []
    for h in hunks:
        end = h.old_start + h.old_len if h.old_len else h.old_start + 1
        start = h.old_start if h.old_len else h.old_start + 1
        ranges.append((start, end, h.new_len - h.old_len))
    removed_texts = {ln.text for h in hunks for ln in h.lines if ln.kind == "-"}

    def shift(n: int) -> int | None:
        s = 0
        for start, end, d in ranges:
            if start <= n < end:
                return None
            if n >= end:
                s += d
        return n + s

    out = Sparse(mismatches=sp.mismatches)
    for n, text in sp.lines.items():
        m = shift(n)
        if m is not None:
            out.lines[m] = text
    for h in hunks:
        for ln in h.lines:
            if ln.new_no is not None:
                out.lines[ln.new_no] = ln.text
    for n, text in sp.floating.items():
        if text in removed_texts:
            continue  # the line was removed by this patch
        m = shift(n)
        if m is None:
            m = n  # approximate anyway
        if out.lines.get(m) == text or text in out.lines.values():
            continue
        out.floating[m] = text
    return out


def sparse_chunks(sp: Sparse) -> list[tuple[int, str]]:
    """Runs of consecutive known lines as (first line, text) chunks; floating lines alone."""
    chunks: list[tuple[int, str]] = []
    if sp.lines:
        nums = sorted(sp.lines)
        start = prev = nums[0]
        buf = [sp.lines[start]]
        for n in nums[1:]:
            if n == prev + 1:
                buf.append(sp.lines[n])
            else:
                chunks.append((start, "\n".join(buf) + "\n"))
                start, buf = n, [sp.lines[n]]
            prev = n
        chunks.append((start, "\n".join(buf) + "\n"))
    known = set(sp.lines.values())
    for n, text in sorted(sp.floating.items()):
        if text not in known:
            chunks.append((n, text + "\n"))
    return chunks
