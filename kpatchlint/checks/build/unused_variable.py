"""BLD003 unused-variable: a local variable nothing in its function names (-Wunused-variable)."""

from __future__ import annotations

import re
from typing import Iterator

from kpatchlint.c.locals import LocalVar, name_counts, unused_locals
from kpatchlint.checks.base import Context, Rule
from kpatchlint.checks.build._shared import DEFINE_RE, directory_macros, file_text, kernel_c
from kpatchlint.checks.params.shared import source_lines
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence, Location

_UNUSED: dict[tuple, list[LocalVar]] = {}


class UnusedVariable(Rule):
    code = "BLD003"
    name = "unused-variable"
    family = "build"
    severity = Severity.WARNING
    summary = "a local variable is declared and never used (gcc -Wunused-variable)"
    doc = """
## What it does
Lists the variables declared in the body of each function the series touches and flags one
whose name occurs nowhere else in the function: not in an expression, a macro argument, an
`#ifdef` arm, `sizeof`, or inline assembly. The whole function must be known (with a tree,
always; without one, when the patches show all of it).

## Why is this bad?
gcc warns "unused variable 'x' [-Wunused-variable]" in every kernel build, and the kernel test
robot reports it, typically after a patch removed the last use of a variable and kept its
declaration. With `CONFIG_WERROR` the build fails.

## Example
```c
static int swap_slot_free(struct swap_info_struct *si, unsigned long offset)
{
	struct swap_cluster_info *ci;	/* the patch removed lock_cluster(si, offset) */
	unsigned char count;
	...
```

## Use instead
Remove the declaration together with its last use.

## Known limits
Declarations with attributes (`__maybe_unused`, `__free(kfree)`, `__attribute__((cleanup))`)
and those tree-sitter cannot parse are skipped; a variable used only by a macro whose body
names it (`#define REG(x) readl(base + (x))`) counts as used when that macro's definition is
known. "Set but not used" (-Wunused-but-set-variable) is not checked.
"""

    finder = staticmethod(unused_locals)
    message = "unused variable `{var}` in `{func}`"
    note = "gcc: unused variable [-Wunused-variable]; remove the declaration with its last use"

    def check(self, ctx: Context) -> Iterator[Finding]:
        index = ctx.index
        names = ctx.focus if ctx.bodies_touched is None else ctx.focus & ctx.bodies_touched
        for name in sorted(names):
            for f in index.functions(name):
                if not f.is_definition or f.is_stub or not kernel_c(f.path):
                    continue
                if f.confidence < Confidence.MEDIUM and not ctx.diff_only:
                    continue
                lines = source_lines(ctx, f.path, f.line, f.end_line)
                if lines is None:
                    continue
                text = "\n".join(lines)
                key = (self.code, text, f.line)  # the same function text at any snapshot: the same answer
                found = _UNUSED.get(key)
                if found is None:
                    found = self.finder(text, f.line)
                    if len(_UNUSED) > 20_000:
                        _UNUSED.clear()
                    _UNUSED[key] = found
                idents: set[str] | None = None
                for v in found:
                    if idents is None:
                        lines = source_lines(ctx, f.path, f.line, f.end_line) or []
                        idents = set(name_counts("\n".join(lines)))
                        if _unknown_macros(index, f, idents):
                            break  # `REG_UPDATE(...)` from a header we do not see may name any local
                    if _macro_names(index, ctx, f.path, v.name, idents) or _own_defines_name(ctx, f.path, v.name):
                        continue
                    text = ctx.line_text(f.path, v.line) or ""
                    col = _column(text, v.name)
                    yield self.finding(
                        self.message.format(var=v.name, func=name), Location(f.path, v.line, col),
                        f"{name}|{f.path}|{v.name}", function=name,
                        confidence=min(f.confidence, Confidence.MEDIUM) if ctx.diff_only else f.confidence,
                        note=self.note,
                    )


def _own_defines_name(ctx: Context, path: str, name: str) -> bool:
    """Does a `#define` of the file itself name `name` (`#define REG(reg) (enc3->regs->reg)`)?
    Drivers reach such macros through chains of helpers from headers we may not see."""
    text = file_text(ctx, path)
    if text is None:
        return False
    pat = re.compile(r"\b" + re.escape(name) + r"\b")
    return any(pat.search(m.group(3)) for m in DEFINE_RE.finditer(text))


def _unknown_macros(index, f, idents: set[str]) -> bool:
    """Does the function invoke an all-caps macro whose definition is not known?"""
    facts = index.files.get(f.path)
    if facts is None:
        return True
    for c in facts.calls:
        if f.line <= c.line <= f.end_line and _CAPS_RE.match(c.callee) and not index.macros(c.callee) \
                and not index.functions(c.callee):
            return True
    return False


_CAPS_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _column(text: str, name: str) -> int:
    m = re.search(r"\b" + re.escape(name) + r"\b", text)
    return m.start() + 1 if m else 1


def _macro_names(index, ctx: Context, path: str, name: str, func_idents: set[str]) -> bool:
    """Does a macro the function invokes, directly or through other macros, name `name` in its
    body without taking it as a parameter (`#define SF(x) (r->x)` uses the caller's `r`)?"""
    local: dict[str, list[tuple[frozenset[str], str]]] = {}
    if not ctx.diff_only:
        local = directory_macros(ctx, path)

    def defs(mname: str) -> list[tuple[frozenset[str], str]]:
        # every definition the index knows (a quoted include may resolve through -I elsewhere)
        found = [(frozenset(m.params or ()), m.body) for m in index.macros(mname) if m.body]
        return found + local.get(mname, [])

    pat = re.compile(r"\b" + re.escape(name) + r"\b")
    todo = [n for n in func_idents if defs(n)]
    seen = set(todo)
    while todo:
        for params, body in defs(todo.pop()):
            if name not in params and pat.search(body):
                return True
            for ident in _IDENT_RE.findall(body):
                if ident not in seen and defs(ident):
                    seen.add(ident)
                    todo.append(ident)
    return False


_IDENT_RE = re.compile(r"[A-Za-z_]\w*")
