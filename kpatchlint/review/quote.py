"""Quote only the relevant lines of a patch, the way reviewers on lore do.

An Anchor is a line of one hunk of one patch (by its post-patch line number). `Quoter` turns a
list of anchors into `> `-quoted excerpts: the `diff --git` line of the file, the `@@` header of
the hunk, a few context lines before the line concerned, and `[ ... ]` wherever lines are left
out. After each anchor's excerpt the caller writes its comments.
"""

from __future__ import annotations

from dataclasses import dataclass

from kpatchlint.series.model import FileChange, Hunk, Patch

CONTEXT = 3  # context lines quoted before the line concerned
MAX_RUN = 14  # longest excerpt quoted whole; longer ones keep their head and tail
HEAD = 3
TAIL = 8
GAP = "[ ... ]"


@dataclass(frozen=True, order=True)
class Anchor:
    """A place in a patch: file, hunk, and the span of hunk lines a comment is about."""

    file: int  # index into patch.files
    hunk: int  # index into file.hunks
    line: int  # index into hunk.lines of the last line concerned (the comment goes under it)
    first: int  # index of the first line concerned (<= line)


def hunk_header(h: Hunk) -> str:
    def span(start: int, length: int) -> str:
        return str(start) if length == 1 else f"{start},{length}"

    head = f"@@ -{span(h.old_start, h.old_len)} +{span(h.new_start, h.new_len)} @@"
    return f"{head} {h.section}" if h.section else head


def diff_git_line(fc: FileChange) -> str:
    old = fc.old_path or fc.new_path
    new = fc.new_path or fc.old_path
    return f"diff --git a/{old} b/{new}"


def find_anchor(patch: Patch | None, path: str, line: int, end_line: int | None = None) -> Anchor | None:
    """The hunk lines of `patch` that show post-patch lines line..end_line of `path`, if any.

    Within a span, the comment goes under the last line the hunk shows, and the excerpt starts at
    the first one, so a call or prototype split over lines is quoted whole.
    """
    if patch is None:
        return None
    end = max(line, end_line or line)
    for fi, fc in enumerate(patch.files):
        if fc.new_path != path:
            continue
        for hi, h in enumerate(fc.hunks):
            idx = [i for i, ln in enumerate(h.lines) if ln.new_no is not None and line <= ln.new_no <= end]
            if idx:
                return Anchor(fi, hi, idx[-1], idx[0])
    return None


def _quote(kind: str, text: str) -> str:
    return f"> {kind}{text}".rstrip()


class Quoter:
    """Writes excerpts of one patch in patch order, remembering what it already quoted."""

    def __init__(self, patch: Patch) -> None:
        self.patch = patch
        self._file: int | None = None
        self._hunk: int | None = None
        self._last = -1  # last hunk line index quoted in the current hunk

    def excerpt(self, a: Anchor) -> list[str]:
        """The quoted lines leading to anchor `a` (call with anchors in sorted order)."""
        out: list[str] = []
        fc = self.patch.files[a.file]
        h = fc.hunks[a.hunk]
        if a.file != self._file:
            out.append(_quote("", diff_git_line(fc)))
            self._file, self._hunk = a.file, None
        if a.hunk != self._hunk:
            if self._hunk is not None:
                out.append(GAP)
            out.append(_quote("", hunk_header(h)))
            self._hunk, self._last = a.hunk, -1
        lo = a.first
        # start with the change the line belongs to, then a few lines of context
        while lo > 0 and h.lines[lo - 1].kind in "-+" and h.lines[lo].kind in "-+":
            lo -= 1
        lo = max(0, lo - CONTEXT)
        lo = max(lo, self._last + 1)
        hi = a.line
        if hi < lo:  # already quoted: the comment simply follows the earlier one
            return out
        if lo > self._last + 1:
            out.append(GAP)
        idx = list(range(lo, hi + 1))
        if len(idx) > MAX_RUN:
            idx = idx[:HEAD] + [-1] + idx[-TAIL:]
        for i in idx:
            if i < 0:
                out.append(GAP)
            else:
                ln = h.lines[i]
                out.append(_quote(ln.kind, ln.text))
        self._last = hi
        return out


def tree_excerpt(line_text, path: str, line: int, end_line: int | None = None, limit: int = 6) -> list[str]:
    """Lines of the post-patch file, numbered, for a place no hunk shows.

    The 8-column number prefix keeps the tabs of kernel code aligned as in the file.
    """
    end = max(line, end_line or line)
    end = min(end, line + limit - 1)
    out = []
    for n in range(line, end + 1):
        text = line_text(path, n)
        if text is None:
            break
        out.append(f"{n:6d}  {text}".rstrip())
    return out
