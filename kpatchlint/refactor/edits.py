"""Text edits on one file: byte-range replacements, then the re-layout of the lists they touched.

Edits are computed on the original text (from kpatchlint.c.locate spans) and applied in one
pass; an edit inside a range another edit removes is dropped (a use of a parameter inside an
argument that is dropped anyway). Then every parameter or argument list an edit touched is
laid out again (kpatchlint.refactor.style), innermost first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kpatchlint.errors import InputError
from kpatchlint.refactor.style import ListInfo, line_end, line_start, list_info, relayout, split_items


@dataclass(frozen=True, slots=True)
class Edit:
    start: int
    end: int
    text: bytes
    what: str = ""


def item_ranges(src: bytes, lparen: int, rparen: int, nodes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The items of a list as the text has them (an attribute after a parameter's name, masked
    for the parser, belongs to the parameter); the parser's spans when the text is unusual."""
    items = split_items(src, lparen + 1, rparen)
    if items is not None and len(items) == len(nodes):
        return items
    return nodes


def drop_item(src: bytes, items: list[tuple[int, int]], k: int, lparen: int, rparen: int, empty: bytes,
              what: str) -> Edit:
    """Remove item k with one separator, keeping the other items on their lines:
    `a, b,\n c` and `a,\n b,\n c` lose ", b"; `a,\n b, c` and `a, b, c` lose "b, "."""
    n = len(items)
    if n == 1:
        return Edit(lparen + 1, rparen, empty, what)
    if k == n - 1:
        return Edit(items[k - 1][1], items[k][1], b"", what)
    if k == 0:
        return Edit(items[0][0], items[1][0], b"", what)
    if b"\n" in src[items[k][1]:items[k + 1][0]]:
        return Edit(items[k - 1][1], items[k][1], b"", what)
    return Edit(items[k][0], items[k + 1][0], b"", what)


def insert_item(src: bytes, items: list[tuple[int, int]], k: int, lparen: int, rparen: int,
                text: bytes, what: str) -> Edit:
    """Insert `text` as item k (0-based; k == len(items) appends)."""
    n = len(items)
    if n == 0:
        return Edit(lparen + 1, rparen, text, what)
    if k >= n:
        return Edit(items[-1][1], items[-1][1], b", " + text, what)
    return Edit(items[k][0], items[k][0], text + b", ", what)


def apply(src: bytes, edits: list[Edit], lists: list[tuple[int, int, bool]]) -> bytes:
    """Apply `edits`, then lay out again the lists given as (lparen, rparen, join) of `src`."""
    ordered = sorted(set(edits), key=lambda e: (e.start, -(e.end - e.start), e.text))
    kept: list[Edit] = []
    for e in ordered:
        if any(k.start <= e.start and e.end <= k.end and (k.end - k.start) > (e.end - e.start) for k in kept):
            continue  # inside a range that goes away
        for k in kept:
            if (k.start < e.end and e.start < k.end) or (k.start == k.end == e.start == e.end) \
                    or ((k.start, k.end) == (e.start, e.end)):
                raise InputError(f"conflicting edits at byte {e.start}: {k.what} / {e.what}")
        kept.append(e)
    out: list[bytes] = []
    touched: list[tuple[int, int]] = []
    pos = 0
    size = 0
    shifts: list[tuple[int, int]] = []  # (original end, delta) of each edit, in order
    for e in kept:
        out.append(src[pos:e.start])
        size += e.start - pos
        touched.append((size, size + len(e.text)))
        out.append(e.text)
        size += len(e.text)
        pos = e.end
        shifts.append((e.end, len(e.text) - (e.end - e.start)))
    out.append(src[pos:])
    text = b"".join(out)

    infos: dict[int, ListInfo] = {}
    for lp, rp, join in lists:
        if any(e.start <= lp < e.end for e in kept):
            continue  # the list itself went away
        new_lp = lp + sum(d for end, d in shifts if end <= lp)
        info = list_info(src, lp, rp, join)
        info = replace(info, lparen=new_lp)
        old = infos.get(new_lp)
        infos[new_lp] = replace(info, join=info.join or (old.join if old else False))
    for lp in sorted(infos, reverse=True):
        text, s, old_end, new_end = relayout(text, infos[lp], touched)
        if new_end != old_end or s != old_end:
            delta = new_end - old_end
            touched = [(a + delta, b + delta) if a >= old_end else (a, b) for a, b in touched]
            touched.append((s, new_end))
    return _strip_trailing(text, touched)


def _strip_trailing(text: bytes, touched: list[tuple[int, int]]) -> bytes:
    """No trailing whitespace on the lines we wrote."""
    starts: set[int] = set()
    for a, b in touched:
        p = line_start(text, min(a, len(text)))
        while p <= min(b, len(text)):
            starts.add(p)
            p = line_end(text, p) + 1
    out = bytearray()
    pos = 0
    for p in sorted(starts):
        e = line_end(text, p)
        out += text[pos:p]
        out += text[p:e].rstrip(b" \t")
        pos = e
    out += text[pos:]
    return bytes(out)
