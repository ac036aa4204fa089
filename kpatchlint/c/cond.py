"""Preprocessor conditions: turn `#ifdef`/`#if`/`#else` nodes into readable condition strings."""

from __future__ import annotations

import re

_DEFINED_RE = re.compile(r"^\s*(!)?\s*(?:defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)|IS_ENABLED\s*\(\s*(\w+)\s*\)|IS_BUILTIN\s*\(\s*(\w+)\s*\)|(\w+))\s*$")


def normalise(cond: str) -> str:
    """`defined(CONFIG_SWAP)` -> `CONFIG_SWAP`, `!IS_ENABLED(CONFIG_X)` -> `!CONFIG_X`."""
    text = " ".join(cond.split())
    m = _DEFINED_RE.match(text)
    if m:
        name = next(g for g in m.groups()[1:] if g)
        return ("!" if m.group(1) else "") + name
    return text


def negate(cond: str) -> str:
    if cond.startswith("!") and re.fullmatch(r"!\w+", cond):
        return cond[1:]
    if re.fullmatch(r"\w+", cond):
        return "!" + cond
    return f"!({cond})"


def exclusive(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when two condition stacks can never hold at once (one has X, the other !X)."""
    sa, sb = set(a), set(b)
    return any(negate(c) in sb for c in sa)


def disabled(stack: tuple[str, ...]) -> bool:
    """Code under `#if 0` is never compiled."""
    return "0" in stack
