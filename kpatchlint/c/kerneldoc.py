"""Kernel-doc blocks: `/** name - purpose` followed by `@param: text` lines."""

from __future__ import annotations

import re

from kpatchlint.c.model import DocParam, KernelDoc

_HEAD_RE = re.compile(r"^\s*\*?\s*(?:(?:struct|union|enum|typedef)\s+)?([A-Za-z_]\w*)\s*(?:\(\))?\s*(?:-|:)")
_PARAM_RE = re.compile(r"^\s*\*\s*@([A-Za-z_]\w*|\.\.\.)\s*:\s?(.*)$")
_CONT_RE = re.compile(r"^\s*\*(\s{2,}|\t)(\S.*)$")


def parse_kerneldoc(text: str, first_line: int) -> KernelDoc | None:
    """Parse a comment starting with `/**`; `first_line` is its 1-based line. None if not kernel-doc."""
    if not text.startswith("/**") or text.startswith("/***"):
        return None
    lines = text.splitlines()
    if len(lines) < 2 and "*/" in text:
        # one-line `/** foo */` comments are not kernel-doc blocks
        return None
    name = ""
    params: list[DocParam] = []
    # The head is the first non-empty line after `/**` (or on it).
    body_start = 0
    head = lines[0][3:].strip()
    if not head and len(lines) > 1:
        head = lines[1]
        body_start = 1
    m = _HEAD_RE.match(head)
    if m:
        name = m.group(1)
    last: DocParam | None = None
    for i, raw in enumerate(lines[body_start:], start=body_start):
        pm = _PARAM_RE.match(raw)
        if pm:
            if last is not None:
                params.append(last)
            last = DocParam(pm.group(1), pm.group(2).strip(), first_line + i)
            continue
        if last is not None:
            cm = _CONT_RE.match(raw)
            stripped = raw.strip().lstrip("*").strip()
            if cm and stripped and not stripped.endswith("*/"):
                last = DocParam(last.name, f"{last.text} {stripped}".strip(), last.line)
                continue
            params.append(last)
            last = None
    if last is not None:
        params.append(last)
    return KernelDoc(
        name=name,
        line=first_line,
        end_line=first_line + len(lines) - 1,
        params=tuple(params),
        text=text,
    )
