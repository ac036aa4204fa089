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
