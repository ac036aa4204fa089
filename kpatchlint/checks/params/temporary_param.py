"""PAR006 temporary-param: a parameter its own documentation calls temporary."""

from __future__ import annotations

import re
from typing import Iterator

from kpatchlint.c.model import FunctionSig
from kpatchlint.checks.base import Context, Rule
from kpatchlint.checks.params.shared import param_comment
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence, Location

MARKER_RE = re.compile(r"\b(work[- ]?arounds?|temporar(?:y|ily)|transitional|FIXME|XXX|HACK)\b", re.IGNORECASE)
# "will be removed" only when it is said of the thing itself ("this ... will be removed",
# "remove it once ..."), not of the data ("the pages that will be removed")
PHRASE_RE = re.compile(
    r"\b(?:this|it)\b(?:\s+\S+){0,6}?\s+(?:will|would|should|shall|is going to|is to)\s+be\s+"
    r"(?:removed|dropped|gone|reverted)\b|\b(?:remove|drop|revert)\s+(?:this|it)\s+"
    r"(?:shortly|soon|later|once|when|after)\b|\bto\s+be\s+(?:removed|dropped)\s+(?:shortly|soon|later|once|when|after)\b",
    re.IGNORECASE,
)
_CASED = {"fixme", "xxx", "hack"}


def marker(text: str) -> str | None:
    """The first marker of `text`: a plain word ("workaround"), else a removal phrase."""
    for m in MARKER_RE.finditer(text):
        w = m.group(1)
        if w.lower() in _CASED and w != w.upper():
            continue  # "xxx" in prose, "hack" as a verb: only the shouting forms are markers
        return w
    m = PHRASE_RE.search(text)
    return " ".join(m.group().split()) if m else None


def _quote(text: str, limit: int = 100) -> str:
    t = " ".join(text.replace("/*", " ").replace("*/", " ").replace("*", " ").split())
    return t if len(t) <= limit else t[:limit - 3] + "..."


class TemporaryParam(Rule):
    code = "PAR006"
    name = "temporary-param"
    family = "params"
    severity = Severity.INFO
    summary = "a parameter is documented as temporary (workaround, FIXME, XXX, will be removed)"
    doc = """
## What it does
Finds parameters whose kernel-doc text (`@x: ... This is a workaround that will be removed
shortly.`), a comment on the parameter itself, or a comment in (or just above) the function
that names the parameter in the same sentence, marks them as temporary: "workaround",
"temporary", "transitional", "FIXME", "XXX", "HACK", or "this/it ... will be removed",
"remove it once ...".

## Why is this bad?
It is not wrong, it is a promise. Listing the promises a series touches lets the reviewer
check they are kept: when a later patch removes the parameter, PAR007 checks nothing of it
is left behind; when the series ends with the parameter still there, the finding stays.

## Example
```c
/**
 * @skip_if_exists: if the slot is a partially cached state, return NULL.
 *                  This is a workaround that would be removed shortly.
 */
```

## Use instead
Remove the workaround when its reason is gone (and the parameter with it), or reword the
comment if it is permanent after all.

## Known limits
Only the parameter's own `@x:` text, a comment inside its declaration, and body comments
that contain both a marker and the parameter's name are read; a marker in the general
description of the function is not tied to a parameter. "FIXME", "XXX" and "HACK" count
only in capitals; "will be removed" counts only when said of "this"/"it" (not "the pages
that will be removed"). Body comments are those the extractor keeps for their marker words
(it does not keep "transitional").
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name in sorted(ctx.focus):
            done: set[str] = set()
            for f in ctx.index.functions(name):
                for pname, where, text, conf in self._marks(ctx, f):
                    if pname in done:
                        continue
                    done.add(pname)
                    w = marker(text)
                    yield self.finding(
                        f"parameter `{pname}` of `{name}` is marked temporary (\"{w}\"): \"{_quote(text)}\"",
                        where, f"{ctx.root(name)}|{pname}", function=name, confidence=conf,
                        note="if a patch of the series removes it, PAR007 checks the removal is complete",
                    )

    def _marks(self, ctx: Context, f: FunctionSig):
        names = [p.name for p in f.params if p.name]
        if not names:
            return
        doc = f.doc
        if doc is not None and doc.name in (f.name, ""):
            for dp in doc.params:
                if dp.name in names and marker(dp.text):
                    yield dp.name, Location(f.path, dp.line, 1), dp.text, f.confidence
        for pname in names:
            pc = param_comment(ctx, f, pname)
            if pc is not None and marker(pc[1]):
                yield pname, Location(f.path, pc[0], 1), pc[1], f.confidence
        # comments in the body or right above the function (the extractor keeps those with
        # marker words); the marker and the name must share a sentence
        for c in ctx.index.comments_of(f.name):
            if c.path != f.path or not (f.line - 40 <= c.line <= f.end_line):
                continue
            if doc is not None and c.line == doc.line:
                continue  # the kernel-doc block: its @x: sections were read above
            for sentence in _sentences(c.text):
                if not marker(sentence):
                    continue
                for pname in names:
                    if _named(sentence, pname):
                        line = c.line + next((i for i, ln in enumerate(c.text.splitlines())
                                              if re.search(r"\b" + re.escape(pname) + r"\b", ln)), 0)
                        yield pname, Location(f.path, line, 1), sentence, min(f.confidence, Confidence.MEDIUM)


def _sentences(text: str) -> list[str]:
    lines = [re.sub(r"^\s*(?:/\*+|\*+(?!/)|//)?\s?", "", ln) for ln in text.splitlines()]
    t = " ".join(" ".join(lines).replace("*/", " ").split())
    return [s for s in re.split(r"(?<=[.;!?])\s+|\s+(?=@[\w.]+\s*:)", t) if s.strip()]


def _named(text: str, pname: str) -> bool:
    """The comment names the parameter itself, not just a word that happens to be its name."""
    e = re.escape(pname)
    if "_" in pname.strip("_") or any(ch.isdigit() for ch in pname):
        return re.search(r"\b" + e + r"\b", text) is not None
    return re.search(r"@" + e + r"\b|`" + e + r"`|'" + e + r"'", text) is not None
