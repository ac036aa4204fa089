"""Kernel layout of parameter and argument lists: tabs, continuation lines under the `(`.

Rules (Documentation/process/coding-style.rst and what maintainers do in practice, as in
the swap series' "remove skip_if_exists" patch):

- a list whose continuation lines sit under the opening parenthesis (within one tab stop of
  it: lines that were aligned before an earlier rename count too) keeps them there, indented
  with tabs then spaces; a list indented some other way (the statement's indentation plus
  one or two tabs, as mm/ and fs/xfs/ often do) keeps its indentation;
  lines after a `(` that ends its line keep theirs;
- after a drop, a list that now fits on one line of at most JOIN_WIDTH columns is joined;
- no line we write is wider than the wider of PREFERRED_WIDTH and the list's widest original
  line, and never wider than MAX_WIDTH: a longer line is wrapped at item boundaries;
- lines nobody touched stay byte for byte, except that aligned continuation lines follow
  their parenthesis when it moves (a rename);
- no trailing whitespace on any line we write.
"""

from __future__ import annotations

from dataclasses import dataclass

from kpatchlint.c.text import comma_ranges

TAB = 8
JOIN_WIDTH = 80
PREFERRED_WIDTH = 80
MAX_WIDTH = 100
ALIGN_SLACK = TAB  # a continuation line less than this far from the `(` column is "aligned"


def width(text: bytes | str) -> int:
    """Display width of a line prefix: tabs to the next multiple of 8, other chars 1."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    col = 0
    for ch in text:
        if ch == "\t":
            col = (col // TAB + 1) * TAB
        elif ch != "\n":
            col += 1
    return col


def indent_to(col: int) -> bytes:
    """Tabs then spaces up to display column `col`."""
    return b"\t" * (col // TAB) + b" " * (col % TAB)


def line_start(text: bytes, pos: int) -> int:
    return text.rfind(b"\n", 0, pos) + 1


def line_end(text: bytes, pos: int) -> int:
    e = text.find(b"\n", pos)
    return len(text) if e < 0 else e


@dataclass(frozen=True, slots=True)
class ListInfo:
    """What the re-layout of one list needs to remember of the original text."""

    lparen: int  # position of `(` in the text the layout runs on
    old_pc: int  # display column after the `(` in the original
    old_width: int  # widest original line of the list
    join: bool  # an item was dropped: join the list when it fits on one line


def list_info(text: bytes, lparen: int, rparen: int, join: bool) -> ListInfo:
    ls = line_start(text, lparen)
    le = line_end(text, rparen)
    widest = max(width(ln) for ln in text[ls:le].split(b"\n"))
    return ListInfo(lparen, width(text[ls:lparen + 1]), widest, join)


def match_paren(text: bytes, lparen: int) -> int | None:
    """Position of the `)` closing the `(` at lparen; comments, strings and chars skipped."""
    depth = 0
    i, n = lparen, len(text)
    while i < n:
        c = text[i]
        if c == 0x2F and i + 1 < n and text[i + 1] == 0x2A:  # /*
            j = text.find(b"*/", i + 2)
            if j < 0:
                return None
            i = j + 2
            continue
        if c == 0x2F and i + 1 < n and text[i + 1] == 0x2F:  # //
            i = line_end(text, i)
            continue
        if c in (0x22, 0x27):  # " '
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == 0x5C else 1
            i = j + 1
            continue
        if c in b"([{":
            depth += 1
        elif c in b")]}":
            depth -= 1
            if depth == 0:
                return i if c == 0x29 else None
        i += 1
    return None


def split_items(text: bytes, a: int, b: int) -> list[tuple[int, int]] | None:
    """Top-level items of text[a:b] (between the parentheses) as trimmed (start, end) ranges.

    None when something there makes a re-layout unsafe: a comment, a preprocessor line."""
    out = comma_ranges(text, a, b, stop_at_directive=True)
    if out is None:
        return None
    if len(out) == 1 and out[0][0] == out[0][1]:
        return []
    if any(s == e for s, e in out):
        return None
    return out


def _aligned(indent: bytes, stmt: int, pc: int) -> bool:
    """Is a continuation line meant to sit under the `(` at column pc? Yes when it does, or
    when it is less than a tab stop away from it, unless it is the other kernel habit: the
    statement's indentation plus one or two tabs."""
    col = width(indent)
    if col == pc:
        return True
    if indent.strip(b"\t") == b"" and col - stmt in (TAB, 2 * TAB):
        return False
    return abs(col - pc) < ALIGN_SLACK


def relayout(text: bytes, info: ListInfo, touched: list[tuple[int, int]]) -> tuple[bytes, int, int, int]:
    """Re-lay out the list whose `(` is at info.lparen.

    `touched` holds ranges of text this refactoring changed. Returns the new text and the
    replaced range: (text, start, old_end, new_end); start == old_end == new_end when
    nothing changed."""
    lp = info.lparen
    rp = match_paren(text, lp)
    if rp is None:
        return text, lp, lp, lp
    items = split_items(text, lp + 1, rp)
    if not items:
        return text, lp, lp, lp
    if any(b"\n" in text[s:e] for s, e in items):
        return text, lp, lp, lp  # an item spread over lines: its inner layout is its own
    if b"\n" in text[items[-1][1]:rp]:
        return text, lp, lp, lp  # `)` on a line of its own
    ls = line_start(text, lp)
    le = line_end(text, rp)
    head = text[ls:lp + 1]
    tail = text[rp:le]
    new_pc = width(head)
    # group the items by line
    groups: list[list[tuple[int, int]]] = [[]]
    prev = lp + 1
    for s, e in items:
        if b"\n" in text[prev:s]:
            groups.append([])
        groups[-1].append((s, e))
        prev = e
    eol = not groups[0]  # `foo(` ends its line
    if eol:
        groups = groups[1:]

    def is_touched(a: int, b: int) -> bool:
        return any(x <= b and y >= a for x, y in touched)

    multiline = eol or len(groups) > 1
    if info.join and multiline:
        one = b", ".join(text[s:e] for s, e in items)
        if width(head + one + tail) <= JOIN_WIDTH:
            new = text[:lp + 1] + one + text[rp:]
            return new, lp + 1, rp, lp + 1 + len(one)

    # continuation indentation of each group, and for new lines
    conts = groups if eol else groups[1:]
    orig_indents = [text[line_start(text, g[0][0]):g[0][0]] for g in conts]
    stmt = width(head[:len(head) - len(head.lstrip(b" \t"))])
    aligned = [_aligned(ind, stmt, info.old_pc) for ind in orig_indents]
    if eol:
        new_indent = orig_indents[0]
    elif not conts or any(aligned):
        new_indent = indent_to(new_pc)
    else:
        new_indent = orig_indents[-1]
    limit = min(MAX_WIDTH, max(PREFERRED_WIDTH, info.old_width))

    # (indent or None for the head line, items, original text of the items, touched)
    lines: list[tuple[bytes | None, list[bytes], bytes | None]] = []
    for gi, g in enumerate(groups):
        g_touched = is_touched(line_start(text, g[0][0]), line_end(text, g[-1][1]))
        if not eol and gi == 0:
            indent = None
        else:
            k = gi if eol else gi - 1
            indent = orig_indents[k]
            if not eol and aligned[k] and (g_touched or new_pc != info.old_pc):
                if indent != indent_to(new_pc):
                    indent = indent_to(new_pc)
                    g_touched = True
        its = [text[s:e] for s, e in g]
        lines.append((indent, its, None if g_touched else text[g[0][0]:g[-1][1]]))

    # wrap lines we write that are too wide; what does not fit moves to the next line when
    # that line is rewritten anyway, else to a new line
    final: list[tuple[bytes | None, list[bytes], bytes | None]] = []
    last = len(lines) - 1
    carry: list[bytes] = []
    for li, (indent, its, orig) in enumerate(lines):
        if orig is not None and not carry:
            final.append((indent, its, orig))
            continue
        its = carry + its
        carry = []
        prefix = head if indent is None else indent
        suffix = tail if li == last else b","
        next_rewritten = li < last and lines[li + 1][2] is None
        cur: list[bytes] = []
        cur_prefix, cur_indent = prefix, indent
        for k, it in enumerate(its):
            sfx = suffix if k == len(its) - 1 else b","
            if cur and width(cur_prefix + b", ".join(cur + [it]) + sfx) > limit:
                if next_rewritten:
                    carry = its[k:]
                    break
                final.append((cur_indent, cur, None))
                cur, cur_prefix, cur_indent = [], new_indent, new_indent
            cur.append(it)
        final.append((cur_indent, cur, None))

    # render the text between the parentheses
    parts: list[bytes] = []
    last = len(final) - 1
    for li, (indent, its, orig) in enumerate(final):
        body = (orig if orig is not None else b", ".join(its)) + (b"," if li < last else b"")
        parts.append(body if indent is None else b"\n" + indent + body)
    inner = b"".join(parts)
    if inner == text[lp + 1:rp]:
        return text, lp, lp, lp
    new = text[:lp + 1] + inner + text[rp:]
    return new, lp + 1, rp, lp + 1 + len(inner)
