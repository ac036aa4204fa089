"""Small text helpers for C snippets: comments out, whitespace squashed, arguments split."""

from __future__ import annotations

import re

_COMMENT_RE = re.compile(r"(\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*')|/\*.*?\*/|//[^\n]*", re.DOTALL)
_WS_RE = re.compile(r"\s+")


def strip_comments(text: str) -> str:
    if "/" not in text:
        return text
    return _COMMENT_RE.sub(lambda m: m.group(1) or " ", text)


def squash(text: str) -> str:
    return _WS_RE.sub(" ", text).strip()


def split_args(arglist: str) -> list[str]:
    """Split `(a, f(b, c), "x,y")` into top-level arguments, comments removed, spaces squashed."""
    t = strip_comments(arglist).strip()
    if t.startswith("("):
        t = t[1:]
    if t.endswith(")"):
        t = t[:-1]
    if not t.strip():
        return []
    if not any(c in t for c in "([{\"'"):
        return [squash(a) for a in t.split(",")]
    out: list[str] = []
    depth = 0
    cur: list[str] = []
    quote = ""
    esc = False
    for ch in t:
        if quote:
            cur.append(ch)
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(squash("".join(cur)))
            cur = []
            continue
        cur.append(ch)
    out.append(squash("".join(cur)))
    return out


def comma_ranges(buf: bytes, a: int, b: int, *, stop_at_directive: bool = False) -> list[tuple[int, int]] | None:
    """Top-level comma-separated pieces of buf[a:b] as whitespace-trimmed (start, end) byte ranges.

    Strings and character literals are skipped; None when a comment (or, with
    `stop_at_directive`, a preprocessor line) sits inside, since offsets there cannot be trusted."""
    pieces: list[tuple[int, int]] = []
    depth, i, start = 0, a, a
    while i < b:
        c = buf[i]
        if c == 0x2F and i + 1 < b and buf[i + 1] in (0x2A, 0x2F):
            return None
        if stop_at_directive and c == 0x23 and not buf[buf.rfind(b"\n", 0, i) + 1:i].strip():
            return None
        if c in (0x22, 0x27):
            j = i + 1
            while j < b and buf[j] != c:
                j += 2 if buf[j] == 0x5C else 1
            i = j + 1
            continue
        if c in b"([{":
            depth += 1
        elif c in b")]}":
            depth -= 1
        elif c == 0x2C and depth == 0:
            pieces.append((start, i))
            start = i + 1
        i += 1
    pieces.append((start, b))
    out = []
    for s, e in pieces:
        while s < e and buf[s] in b" \t\r\n":
            s += 1
        while e > s and buf[e - 1] in b" \t\r\n":
            e -= 1
        out.append((s, e))
    return out
