"""SIG009 undeclared-call: a call to a function that nothing in the tree declares (yet)."""

from __future__ import annotations

import re
from typing import Iterator

from kpatchlint.checks.base import Context, Rule
from kpatchlint.checks.build._shared import maybe_generated, tree_mentions
from kpatchlint.checks.common import local_shadows, loc
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence

# names the compiler or the kernel's macros provide without a declaration a header spells out
_BUILTIN_RE = re.compile(r"^(?:__builtin_\w+|__atomic_\w+|__sync_\w+|sizeof|typeof|__typeof__|_Alignof|_Generic|"
                         r"offsetof|va_\w+|asm|__asm__|defined|_Static_assert|static_assert|"
                         r"trace_\w+|__trace_\w+|register_trace_\w+|unregister_trace_\w+|rcu_\w+_check)$")


class UndeclaredCall(Rule):
    code = "SIG009"
    name = "undeclared-call"
    family = "signature"
    severity = Severity.ERROR
    summary = "a call to a function that no file of the tree declares or defines at that patch"
    doc = """
## What it does
With a tree, looks at the calls in the files the series touches. A callee that no file of the
base tree mentions, and that the files the patches touch neither declare nor define (nor
provide as a macro) at that patch, is called without any declaration. When a later patch of
the series adds the function, the finding says which one (and SIG007 reports the break).

## Why is this bad?
The kernel builds with `-Werror=implicit-function-declaration`: "error: implicit declaration
of function 'f'". It is what a series gets when a patch uses a helper that only a later patch
adds (the series does not bisect), or when a name is misspelt.

## Example
Patch 2/5 calls `swap_entry_users(entry)`; patch 4/5 adds `swap_entry_users()`.

## Use instead
Add the function in (or before) the patch that first calls it.

## Known limits
Runs only on a whole kernel tree (one with include/linux/compiler.h). Only names that appear
nowhere else in the tree are checked, all-caps names (macros) never, so a function declared in a
header that only some configurations include is never reported. Names that macros build
(tracepoints `trace_*`, token pasting the file's own macros do) and calls through local
function pointers are left alone. Needs a tree.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        base = ctx.snapshot.base
        if base is None or ctx.series is None or not _kernel_tree(base):
            return
        index = ctx.index
        todo = []
        for name in sorted(ctx.focus):
            if _BUILTIN_RE.match(name) or _CAPS_RE.match(name) or index.functions(name) or index.macros(name):
                continue
            if name in ctx.gone or name in ctx.macros_gone:
                continue  # removed or renamed by the series: SIG006 / SIG010 say so
            calls = [c for c in index.calls_to(name) if not c.in_macro and c.confidence >= Confidence.MEDIUM
                     and c.caller is not None]
            if calls:
                todo.append((name, calls))
        if not todo:
            return
        mentions = tree_mentions(base, {n for n, _ in todo})
        touched = _touched(ctx)
        for name, calls in todo:
            files = mentions.get(name)
            if files is None or any(p not in touched for p in files):
                continue  # named somewhere else in the tree: declared there, in some configuration
            for c in calls:
                if maybe_generated(ctx, c.path, name) or local_shadows(ctx, c):
                    continue
                if _declared_in_text(ctx, c.path, name):
                    continue
                yield self.finding(
                    f"implicit declaration of function `{name}`: nothing declares it at patch {ctx.k}/{ctx.total}",
                    loc(c), f"{name}|{c.path}|{c.caller}", function=name, confidence=c.confidence,
                    note="gcc: -Werror=implicit-function-declaration; the function is not in the tree "
                         "(a later patch may add it, or the name is misspelt)",
                )
                break


_CAPS_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")  # a macro, from wherever


def _kernel_tree(base) -> bool:
    """Only a whole kernel tree says that a name it never mentions does not exist."""
    try:
        return base.read("include/linux/compiler.h") is not None
    except Exception:  # a tree we cannot read from: say nothing
        return False


def _touched(ctx: Context) -> set[str]:
    out: set[str] = set()
    for p in ctx.series.present:  # type: ignore[union-attr]
        for fc in p.files:
            out |= {x for x in (fc.old_path, fc.new_path) if x}
    return out


def _declared_in_text(ctx: Context, path: str, name: str) -> bool:
    """The file declares, defines or `#define`s the name in a way the parse may have missed: a
    macro, or `name(` at the start of a line (kernel style puts declarations and definitions
    there; calls are indented inside bodies)."""
    st = ctx.snapshot.state(path)
    if st is None or not st.is_full:
        return True
    text = st.data().decode("utf-8", "surrogateescape")
    e = re.escape(name)
    return re.search(r"#\s*define\s+" + e + r"\b|^(?:[A-Za-z_][\w \t\*]*?[ \t\*])?" + e + r"\s*\(", text, re.M) is not None
