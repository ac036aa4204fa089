"""Apply hunks in memory: to a whole file (exact, then at an offset like `git apply`), or to
sparse knowledge of a file (diff-only mode: known lines by number, shifted by each hunk)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from kpatchlint import limits
from kpatchlint.limits import check_deadline
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


def _squash(line: str) -> str:
    return " ".join(line.split())


class _Budget:
    """Line comparisons left for offset searches (`limits.max_apply_compares`); 0 = unlimited."""

    def __init__(self) -> None:
        self.left = limits.current().max_apply_compares or -1

    def spend(self, n: int) -> bool:
        if self.left < 0:
            return True
        self.left -= n
        return self.left >= 0


def _find(out: list[str], nominal: int, old: list[str], budget: _Budget) -> tuple[int | None, bool]:
    """Where `old` is in `out`, nearest to `nominal` first (like git apply); (None, gave_up).

    Candidates are found by one scan for the hunk's rarest-looking line (its longest), so a
    search costs O(file) plus a comparison per candidate, within `budget`.
    """
    if _matches(out, nominal, old):
        return nominal, False
    if not old:  # a pure insertion past either end: the nearest place that exists
        return max(0, min(nominal, len(out))), False
    key_i = max(range(len(old)), key=lambda i: len(old[i].strip()))
    key = old[key_i]
    if not budget.spend(len(out)):
        return None, True
    lo, hi = nominal - MAX_OFFSET_SEARCH, nominal + MAX_OFFSET_SEARCH
    cands = [i - key_i for i, line in enumerate(out) if line == key]
    cands = [c for c in cands if lo < c < hi and c != nominal]
    cands.sort(key=lambda c: (abs(c - nominal), c > nominal))  # nearest first, before after
    for n, c in enumerate(cands):
        if n % 256 == 0:
            check_deadline("applying a hunk at an offset")
        if not budget.spend(len(old)):
            return None, True
        if _matches(out, c, old):
            return c, False
    return None, False


def apply_full(lines: list[str], hunks: tuple[Hunk, ...]) -> ApplyResult:
    """Apply to complete file content. A hunk that matches nowhere is forced in at its
    nominal place (so later hunks still land) and reported as a failure.

    Hunks are applied in order, each searched at an offset in the text the previous ones
    left (like `git apply`). Hunks landing in order are stitched in one pass; only a hunk
    that lands before the previous one costs a copy of the file.
    """
    src = list(lines)  # the text to the right of the cursor lives in src[cur:]
    head: list[str] = []  # finished text, left of the cursor
    cur = 0
    res = ApplyResult(head)
    budget = _Budget()
    delta = 0  # how far the current text has moved relative to the original numbering

    for i, h in enumerate(hunks):
        old = h.old_lines
        new = h.new_lines
        nominal = (h.old_start - 1 if h.old_len else h.old_start) + delta
        base = len(head)
        pos, gave_up = _find_split(head, src, cur, nominal, old, budget)
        if pos is None:
            reason = "context does not match the tree"
            total = base + len(src) - cur
            if gave_up:
                reason += " (offset search stopped at the comparison limit, KPATCHLINT_MAX_APPLY_COMPARES)"
            elif old and budget.spend(2 * total):
                # a mailer that turned tabs into spaces or ate trailing blanks: the hunk matches
                # once whitespace is ignored; apply it there (a better guess than the nominal place)
                loose, _ = _find([_squash(x) for x in head + src[cur:]], nominal, [_squash(x) for x in old], budget)
                if loose is not None:
                    reason = "context matches only if whitespace is ignored: whitespace-damaged mail?"
                    pos = loose
            res.failures.append(HunkFailure(i, h, reason))
            if pos is None:
                pos = max(0, min(nominal, total))
            removed = min(len(old), total - pos)
        else:
            removed = len(old)
        res.offsets.append(pos - nominal)
        if pos < base:  # lands before the cursor: join everything and splice (rare)
            whole = head + src[cur:]
            whole[pos:pos + removed] = new
            head.clear()
            head.extend(whole[:pos + len(new)])
            src, cur = whole, pos + len(new)
        else:
            head.extend(src[cur:cur + (pos - base)])
            cur += pos - base
            head.extend(new)
            cur += removed
        delta += (pos - nominal) + len(new) - removed
    head.extend(src[cur:])
    return res


def _find_split(head: list[str], src: list[str], cur: int, nominal: int, old: list[str],
                budget: _Budget) -> tuple[int | None, bool]:
    """_find over the text head + src[cur:] without building it, unless a match may straddle."""
    base = len(head)
    if cur == 0 and base == 0:
        return _find(src, nominal, old, budget)
    if _matches_split(head, src, cur, nominal, old):
        return nominal, False
    # an offset search: on the whole current text, built for it (charged to the budget)
    if not budget.spend(base + len(src) - cur):
        return None, True
    return _find(head + src[cur:], nominal, old, budget)


def _matches_split(head: list[str], src: list[str], cur: int, pos: int, old: list[str]) -> bool:
    base = len(head)
    if pos < 0 or pos + len(old) > base + len(src) - cur:
        return False
    if pos >= base:
        p = cur + pos - base
        return src[p:p + len(old)] == old
    k = base - pos  # lines taken from head
    return head[pos:] == old[:k] and src[cur:cur + len(old) - k] == old[k:]


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


class Shifter:
    """Where line n goes when hunk ranges [start, end) change by d lines: O(log hunks) a line.

    shift(n) is None inside any range, else n plus the d of every range ending at or before n
    (the same answer as a scan over the ranges in order, also for overlapping ranges).
    """

    def __init__(self, ranges: list[tuple[int, int, int]]) -> None:
        by_start = sorted(ranges)
        self.starts = [r[0] for r in by_start]
        self.max_end: list[int] = []
        top = None
        for _s, e, _d in by_start:
            top = e if top is None else max(top, e)
            self.max_end.append(top)
        by_end = sorted((e, d) for _s, e, d in ranges)
        self.ends = [e for e, _d in by_end]
        self.sums = [0]
        for _e, d in by_end:
            self.sums.append(self.sums[-1] + d)

    def inside(self, n: int) -> bool:
        i = bisect_right(self.starts, n) - 1
        return i >= 0 and self.max_end[i] > n

    def shift(self, n: int) -> int | None:
        if self.inside(n):
            return None
        return n + self.sums[bisect_right(self.ends, n)]


def apply_sparse(sp: Sparse, hunks: tuple[Hunk, ...]) -> Sparse:
    """Post-image knowledge: lines outside hunks shift, lines inside are replaced."""
    learn_old_side(sp, hunks)
    ranges = []
    for h in hunks:
        end = h.old_start + h.old_len if h.old_len else h.old_start + 1
        start = h.old_start if h.old_len else h.old_start + 1
        ranges.append((start, end, h.new_len - h.old_len))
    removed_texts = {ln.text for h in hunks for ln in h.lines if ln.kind == "-"}
    shift = Shifter(ranges).shift

    out = Sparse(mismatches=sp.mismatches)
    for n, text in sp.lines.items():
        m = shift(n)
        if m is not None:
            out.lines[m] = text
    for h in hunks:
        for ln in h.lines:
            if ln.new_no is not None:
                out.lines[ln.new_no] = ln.text
    known = set(out.lines.values())
    for n, text in sp.floating.items():
        if text in removed_texts:
            continue  # the line was removed by this patch
        m = shift(n)
        if m is None:
            m = n  # approximate anyway
        if text in known:
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
