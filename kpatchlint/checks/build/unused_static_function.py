"""BLD002 unused-static-function: a `static` function its file no longer uses (-Wunused-function)."""

from __future__ import annotations

import re
from typing import Iterator

from kpatchlint.checks.base import Context, Rule
from kpatchlint.checks.build._shared import (
    directory_macros, kernel_c, maybe_generated, name_lines, used_by_headers,
)
from kpatchlint.checks.common import loc
from kpatchlint.checks.params.shared import head_text
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence

_HEAD_SKIP_RE = re.compile(r"\b(?:__maybe_unused|__always_unused|__used|__unused|__attribute__|inline)\b")
_INCLUDED: dict[tuple[int, str], bool] = {}


class UnusedStaticFunction(Rule):
    code = "BLD002"
    name = "unused-static-function"
    family = "build"
    severity = Severity.WARNING
    summary = "a `static` function is defined but nothing in its file uses it (gcc -Wunused-function)"
    doc = """
## What it does
For each `static` (not `inline`) function of a .c file that the series touches or whose
callers it changes, looks for its name anywhere else in the file: a call, an ops table, a
macro, `EXPORT_SYMBOL`, an `#ifdef` arm. When there is none, the function is unused. Needs
the whole file; without a tree it only checks the `static` functions the series adds, which
no line of any patch names apart from their own definition.

## Why is this bad?
gcc warns "'f' defined but not used [-Wunused-function]" and the kernel test robot reports
it: a patch removed the last caller (or added a helper nobody calls yet, or calls it only from
a later patch, which breaks the build with `CONFIG_WERROR` in the middle of the series).

## Example
```c
static void swap_range_alloc(struct swap_info_struct *si, unsigned int nr)
{	/* its only caller was converted to swap_range_alloc_locked() */
```

## Use instead
Remove the function with its last caller, or add it in the patch that first calls it.

## Known limits
Functions marked `__maybe_unused`/`__used`, `static inline` functions (gcc does not warn about
them) and functions of a .c file another file `#include`s are not flagged, nor a function whose
name a macro could build from one of its arguments (`DEFINE_SHOW_ATTRIBUTE(foo)` uses
`foo_show`, `DEVICE_ATTR_RW(x)` uses `x_show` and `x_store`). A use inside `#if 0` counts.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        if ctx.diff_only:
            yield from self._check_new_helpers(ctx)
            return
        for name in sorted(ctx.focus):
            for f in ctx.index.functions(name):
                if not (f.is_definition and f.storage == "static" and not f.inline and kernel_c(f.path)):
                    continue
                lines = name_lines(ctx, f.path, name)
                if lines is None:
                    continue
                decls = {g.line for g in ctx.index.functions(name) if g.path == f.path}
                head_end = max(f.name_line or f.line, f.line)
                uses = [n for n in lines if not (f.line <= n <= head_end) and n not in decls]
                if uses or _HEAD_SKIP_RE.search(head_text(ctx, f)):
                    continue
                if maybe_generated(ctx, f.path, name) or used_by_headers(ctx, f.path, name):
                    continue
                if _named_by(directory_macros(ctx, f.path), name):
                    continue  # a macro of the headers beside it calls it
                if _included_elsewhere(ctx, f.path):
                    continue
                yield self.finding(
                    f"`{name}` defined but not used", loc(f), f"{name}|{f.path}", function=name,
                    confidence=f.confidence,
                    note="gcc: -Wunused-function; remove it with its last caller, or add it with its first",
                )


    def _check_new_helpers(self, ctx: Context) -> Iterator[Finding]:
        """Without a tree: a `static` function the series adds (its head is a `+` line) that no
        line the patches show names, apart from its own definition, is called nowhere (its
        callers would be in the series too: nothing else in the file could know it)."""
        from kpatchlint.checks.build.missing_prototype import _head_added

        for name in sorted(ctx.focus):
            for f in ctx.index.functions(name):
                if not (f.is_definition and f.storage == "static" and not f.inline and kernel_c(f.path)):
                    continue
                if ctx.base_defined is None or name in ctx.base_defined or not _head_added(ctx, f):
                    continue
                if _HEAD_SKIP_RE.search(head_text(ctx, f)) or _shown_elsewhere(ctx, f):
                    continue
                if maybe_generated(ctx, f.path, name):
                    continue
                yield self.finding(
                    f"`{name}` defined but not used", loc(f), f"{name}|{f.path}", function=name,
                    confidence=min(f.confidence, Confidence.LOW),
                    note="gcc: -Wunused-function; the series adds this `static` function but no patch "
                         "calls it (add it with its first caller)",
                )


def _shown_elsewhere(ctx: Context, f) -> bool:
    """Does any line a patch shows (added, removed or context, up to this one) name the function
    outside its own definition?"""
    pat = re.compile(r"\b" + re.escape(f.name) + r"\b")
    head_end = max(f.name_line or f.line, f.line)
    own = {ctx.line_text(f.path, n) for n in range(f.line, head_end + 1)}
    for p in ctx.series.present if ctx.series is not None else ():
        if p.index > ctx.k:
            break
        for fc in p.files:
            for h in fc.hunks:
                for ln in h.lines:
                    if pat.search(ln.text) and not (fc.path == f.path and ln.text in own):
                        return True
    return False


def _named_by(macros: dict[str, list[tuple[frozenset[str], str]]], name: str) -> bool:
    pat = re.compile(r"\b" + re.escape(name) + r"\b")
    return any(pat.search(body) for defs in macros.values() for _, body in defs)


def _included_elsewhere(ctx: Context, path: str) -> bool:
    """Is this .c file `#include`d by another file (its static functions are used there)?"""
    base = ctx.snapshot.base
    if base is None:
        return True
    stem = path.rsplit("/", 1)[-1][:-2]
    key = (id(base), path)
    if key not in _INCLUDED:
        try:
            files: set[str] | None = set(base.grep_files({stem}))
        except Exception:  # cannot search: assume the worst (quiet)
            files = None
        pat = re.compile(rb'#\s*include\s*["<][^">]*\b' + re.escape(stem.encode()) + rb'\.c[">]')
        found = files is None or any(p != path and pat.search(base.read(p) or b"") for p in files)
        if len(_INCLUDED) > 4096:
            _INCLUDED.clear()
        _INCLUDED[key] = found
    return _INCLUDED[key]
