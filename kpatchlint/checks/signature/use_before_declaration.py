"""SIG008 use-before-declaration: a `static` function is called above its definition with no
declaration before the call (gcc: implicit declaration of function)."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.c.cond import exclusive
from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.build._shared import file_identifier_lines, tree_mentions
from kpatchlint.checks.common import local_shadows, loc, solid
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence


class UseBeforeDeclaration(Rule):
    code = "SIG008"
    name = "use-before-declaration"
    family = "signature"
    severity = Severity.ERROR
    summary = "a `static` function is called before it is declared (implicit declaration of function)"
    doc = """
## What it does
For each `static` function of a .c file that the series touches, looks for calls in the same
file above its definition. When no prototype of it comes before such a call (and no header
declares it), the call uses a function the compiler has not seen yet.

## Why is this bad?
The kernel builds with `-Werror=implicit-function-declaration`: "error: implicit declaration
of function 'f'", followed by "static declaration of 'f' follows non-static declaration". It
typically happens when a patch adds a helper below its first caller, or moves a function
down, and the author's configuration did not build that caller.

## Example
```c
static int frob_get(struct frob *f)
{
	return frob_count(f) + 1;	/* frob_count() is defined further down */
}

static int frob_count(struct frob *f)
{
```

## Use instead
Define the helper above its first caller, or add a `static` prototype near the top.

## Known limits
Calls inside macro bodies are not checked (they expand where the macro is used). The whole
file must be known: with a tree always; without one only for files the series creates.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        index = ctx.index
        todo = []
        for name in sorted(ctx.focus):
            every = index.functions(name)
            if index.macros(name) or any(f.path.endswith(".h") for f in every):
                continue
            for d in solid(every):
                if not (d.is_definition and d.storage == "static" and d.path.endswith(".c")):
                    continue
                if d.confidence < Confidence.MEDIUM or not _whole_file(ctx, d.path):
                    continue
                first = min((f.line for f in every if f.path == d.path), default=d.line)
                early = sorted((c for c in index.calls_to(name) if c.path == d.path and not c.in_macro
                                and c.line < first and c.confidence >= Confidence.MEDIUM
                                and not exclusive(c.cond, d.cond)), key=lambda c: c.line)
                if not early:
                    continue
                c = early[0]
                lines = file_identifier_lines(ctx, d.path)
                if lines is not None and min(lines.get(name, [c.line])) < c.line:
                    continue  # named earlier (`static bio_end_io_t lbmIODone;`, a missed prototype)
                if local_shadows(ctx, c):
                    continue  # a local function pointer of that name
                todo.append((name, d, c))
        if not todo:
            return
        base = ctx.snapshot.base
        mentions = tree_mentions(base, {name for name, _, _ in todo}) if base is not None else {}
        for name, d, c in todo:
            files = mentions.get(name, set()) if base is not None else set()
            if files is None or any(p.endswith(".h") for p in files):
                continue  # a header (an arch's asm/ one, say) may declare it
            yield self.finding(
                f"implicit declaration of function `{name}`: it is called before its `static` definition",
                loc(c), f"{name}|{d.path}", function=name, confidence=min(c.confidence, d.confidence),
                note=f"gcc: -Werror=implicit-function-declaration; `{name}` is defined at {d.path}:{d.line}: "
                     "move it up or declare it before its first caller",
                labels=[Label(loc(d), "the definition")],
            )


def _whole_file(ctx: Context, path: str) -> bool:
    st = ctx.snapshot.state(path)
    if st is None:
        return False
    if st.is_full:
        return not st.partial
    # without a tree: a file the series creates is known from its first line to its last
    sp = st.sparse
    if sp is None or not sp.lines or not _created(ctx, path):
        return False
    lines = sorted(sp.lines)
    return lines[0] == 1 and lines[-1] == len(lines)


def _created(ctx: Context, path: str) -> bool:
    series = ctx.series
    if series is None:
        return False
    return any(fc.is_new and fc.new_path == path for p in series.present if p.index <= ctx.k for fc in p.files)
