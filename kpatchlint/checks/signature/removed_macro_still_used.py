"""SIG010 removed-macro-still-used: a macro whose `#define` the series removed is still used."""

from __future__ import annotations

import re
from typing import Iterator

from kpatchlint.checks.base import Context, Rule
from kpatchlint.checks.build._shared import name_lines, tree_mentions
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence, Location

# lines where naming a macro is fine after its removal: a test of it, or its #undef
_PREPROC_OK_RE = re.compile(r"^\s*#\s*(?:ifdef|ifndef|undef|if|elif|define)\b")
_COMMENT_RE = re.compile(r"/\*.*?\*/|//.*$")


class RemovedMacroStillUsed(Rule):
    code = "SIG010"
    name = "removed-macro-still-used"
    family = "signature"
    severity = Severity.ERROR
    summary = "a macro whose #define the series removes is still used"
    doc = """
## What it does
Follows every `#define` a patch of the series deletes (a `-` line) when no file defines the
name again, and looks for code that still uses the name: in the files the series touches,
and with a tree in every file that names it.

## Why is this bad?
"error: 'SWAP_MAP_SHMEM' undeclared (first use in this function)", or for a function-like
macro "implicit declaration of function": the build breaks where the series did not look.
Cleanup series that drop a flag or a helper macro hit this when one user is in a file they
did not grep.

## Example
```c
/* include/linux/swap.h: patch 3/5 removes */
-#define SWAP_MAP_SHMEM	0xbf
/* mm/shmem.c, untouched */
	swap_duplicate_nr(swap, SWAP_MAP_SHMEM, nr_pages);
```

## Use instead
Convert or remove every user in the patch that removes the definition.

## Known limits
`#ifdef NAME`, `#undef NAME` and `defined(NAME)` are not uses. With a tree, a name that a
header the series does not touch mentions is left alone (it may define it in some
configuration). Without a tree only the lines the patches show are searched, and the
finding is a warning of low confidence (a header the series does not show may define it). Enum constants and variables are not followed.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        if not ctx.macros_gone or ctx.series is None:
            return
        index = ctx.index
        names = {n for n in ctx.macros_gone if not index.macros(n) and not index.functions(n)}
        if not names:
            return
        touched = {x for p in ctx.series.present for fc in p.files for x in (fc.old_path, fc.new_path) if x}
        base = ctx.snapshot.base
        mentions = tree_mentions(base, names) if base is not None else {}
        for name in sorted(names):
            k = ctx.macros_gone[name]
            files = {p for p in touched if p.endswith((".c", ".h"))}
            if base is not None:
                found = mentions.get(name)
                if found is None or any(p.endswith(".h") and p not in touched for p in found):
                    continue
                files |= found
            for path in sorted(files):
                hit = _first_use(ctx, path, name)
                if hit is None:
                    continue
                line, conf = hit
                # without a tree another header may well define it still: a warning only
                yield self.finding(
                    f"`{name}` is used here but its #define was removed in patch {k}/{ctx.total}",
                    Location(path, line, 1), f"{name}|{path}", function=name, confidence=conf,
                    severity=Severity.ERROR if base is not None else Severity.WARNING,
                    note=f"gcc: '{name}' undeclared (or an implicit declaration, for a function-like macro); "
                         "convert this user in the patch that removes the definition",
                )


_IF_RE = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)")


def _guarded(st, n: int, name: str) -> bool:
    """Is line n inside an `#ifdef NAME` / `#if defined(NAME)` branch (walking up to it)?"""
    depth = 0
    pat = re.compile(r"\b" + re.escape(name) + r"\b")
    for i in range(n - 1, max(0, n - 2000), -1):
        t = st.line(i)
        if t is None:
            return False
        m = _IF_RE.match(t)
        if not m:
            continue
        kw = m.group(1)
        if kw == "endif":
            depth += 1
        elif kw in ("if", "ifdef", "ifndef"):
            if depth:
                depth -= 1
                continue
            return kw != "ifndef" and bool(pat.search(m.group(2)))
    return False


def _first_use(ctx: Context, path: str, name: str) -> tuple[int, Confidence] | None:
    st = ctx.snapshot.state(path)
    if st is None:
        return None
    pat = re.compile(r"\b" + re.escape(name) + r"\b")
    if st.is_full:
        lines = name_lines(ctx, path, name)
        if not lines:
            return None
        text = st.data().decode("utf-8", "surrogateescape")
        if re.search(r"^\s*#\s*define\s+" + re.escape(name) + r"\b", text, re.M):
            return None  # the file defines its own
        for n in lines:
            t = st.line(n) or ""
            if _PREPROC_OK_RE.match(t) or re.search(r"defined\s*\(?\s*" + re.escape(name) + r"\b", t):
                continue
            if _guarded(st, n, name):
                continue  # inside `#ifdef NAME`: compiled out now
            return n, Confidence.MEDIUM if st.partial else Confidence.HIGH
        return None
    sp = st.sparse
    if sp is None:
        return None
    for n in sorted(sp.lines):
        if sp.lines[n].lstrip().startswith(("*", "/*", "//")):
            continue  # a comment line (the middle of a block comment shows no `/*`)
        t = _COMMENT_RE.sub("", sp.lines[n])
        if pat.search(t) and not _PREPROC_OK_RE.match(t) and "defined" not in t and '"' not in t:
            return n, Confidence.LOW
    return None
