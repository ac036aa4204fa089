"""Kernel-doc blocks: `/** name - purpose` followed by `@param: text` lines.

Follows scripts/kernel-doc (the Perl script of 6.12 and the 2025 Python rewrite) where it
matters for parameter checks:

- the head is the first line after `/**`: `name - purpose`, `name() - purpose`,
  `name: purpose`, `name()` or a bare `name`; `struct|union|enum|typedef name - ...` names a
  type, and the block's `name` is then `"struct name"` (so it never matches a function);
- a parameter section is `@name:` with `name` made of word characters and dots (spaces
  allowed before the colon, not `@name::`), including `@...:` and `@args...:`; `@a->b:` is
  text, as in scripts/kernel-doc; its text runs on over the following lines until a blank ` *`
  line, the next section (`@x:`, `Return:`, `Context:`, `Note:`, `Example:`,
  `Description:`) or the end of the comment, as kernel-doc reads it;
- `@return:` is the return section, not a parameter.

A block whose text follows `/** ` on its first line (`/** foo - bar`) is not kernel-doc
for scripts/kernel-doc (it wants `/**` alone on the line); it is still parsed, but its name is
left empty so parameter checks skip it. Fragments cut from a diff are repaired by the
extractor into `/**<text>` (no space): that head is kept.
"""

from __future__ import annotations

import re

from kpatchlint.c.model import DocParam, KernelDoc

# scripts/kernel-doc: $doc_decl plus the function/type head forms of process_name().
# Possessive quantifiers: no backtracking over runs of whitespace (a head of 20,000 spaces
# took minutes with the plain ones); the same matches on every kernel-doc head of linux-6.12.
_HEAD_RE = re.compile(
    r"^\s*+\*?+\s*+(?:(struct|union|enum|typedef)\s++)?"
    r"(?:define\s++)?"
    r"(?:[A-Za-z_]\w*+\s*+\*\s*+)?"  # `foo * bar() - desc` (pointer return type spelled in the head)
    r"([A-Za-z_]\w*+)\s*+(?:\(\w*+\))?+\s*+(?:[-:]|$)"
)
# A section, as scripts/kernel-doc's $doc_sect: `@param:`, `@...:`, `@args...:`, `@a.b:`
# (`[.\w]+`; `@a->b:` is not a section there but text); not `@x::` (a literal block).
_PARAM_RE = re.compile(r"^\s*+\*\s*+@([.\w]++)\s*+:(?!:)\s?(.*)$")
_SECTION_RE = re.compile(r"^\s*+\*\s*+(description|context|returns?|notes?|examples?)\s*+:(?!:)", re.IGNORECASE)
_BLANK_RE = re.compile(r"^\s*+\*?+\s*+$")


def _strip_line(raw: str) -> str:
    s = raw.strip()
    if s.endswith("*/"):
        s = s[:-2].rstrip()
    if s.startswith("*"):
        s = s[1:]
    return s.strip()


def parse_head(line: str) -> str:
    """The name a kernel-doc head line declares: `foo`, or `struct foo` for types; '' if none."""
    m = _HEAD_RE.match(line)
    if not m:
        return ""
    kind, ident = m.group(1), m.group(2)
    if ident in ("DOC",):
        return ""
    return f"{kind} {ident}" if kind else ident


def parse_kerneldoc(text: str, first_line: int) -> KernelDoc | None:
    """Parse a comment starting with `/**`; `first_line` is its 1-based line. None if not kernel-doc."""
    if not text.startswith("/**") or text.startswith("/***"):
        return None
    lines = text.splitlines()
    if len(lines) < 2 and "*/" in text:
        # one-line `/** foo */` comments are not kernel-doc blocks
        return None
    first_rest = lines[0][3:]
    name = ""
    if first_rest.strip():
        # Text on the `/**` line: `/**text` is a diff fragment the extractor repaired (its
        # first line was ` * text`); `/** text` is a comment scripts/kernel-doc ignores.
        body_start = 0
        if not first_rest[0].isspace() and _PARAM_RE.match(" * " + first_rest) is None:
            name = parse_head(first_rest)
            body_start = 1
    else:
        body_start = 1
        if len(lines) > 1 and _PARAM_RE.match(lines[1]) is None and not _BLANK_RE.match(lines[1]):
            name = parse_head(lines[1])
            body_start = 2
    params: list[DocParam] = []
    cur_name: str | None = None
    cur_text: list[str] = []
    cur_line = 0

    def flush() -> None:
        nonlocal cur_name, cur_text
        if cur_name is not None:
            params.append(DocParam(cur_name, " ".join(t for t in cur_text if t).strip(), cur_line))
        cur_name, cur_text = None, []

    for i in range(body_start, len(lines)):
        raw = lines[i]
        if i == 0:
            raw = " * " + first_rest.strip()
        pm = _PARAM_RE.match(raw)
        if pm and pm.group(1).lower() != "return":
            flush()
            cur_name = pm.group(1)
            t = pm.group(2)
            if t.rstrip().endswith("*/"):
                t = t.rstrip()[:-2]
            cur_text = [t.strip()]
            cur_line = first_line + i
            if raw.rstrip().endswith("*/"):
                flush()
            continue
        if pm or _SECTION_RE.match(raw):
            flush()
            continue
        if cur_name is None:
            continue
        stripped = _strip_line(raw)
        if not stripped:
            flush()
            continue
        cur_text.append(stripped)
        if raw.rstrip().endswith("*/"):
            flush()
    flush()
    return KernelDoc(
        name=name,
        line=first_line,
        end_line=first_line + len(lines) - 1,
        params=tuple(params),
        text=text,
    )


def doc_refs(doc: KernelDoc, name: str) -> list[int]:
    """Lines of `doc` that refer to `@name` outside its own `@name:` section head."""
    out = []
    ref = re.compile(r"@" + re.escape(name) + r"\b(?!\s*:(?!:))")
    for i, raw in enumerate(doc.text.splitlines()):
        if ref.search(raw):
            out.append(doc.line + i)
    return out
