"""BLD001 missing-prototype: a global function defined with no prototype (-Wmissing-prototypes)."""

from __future__ import annotations

import re
from typing import Iterator

from kpatchlint.checks.base import Context, Rule
from kpatchlint.checks.build._shared import file_text, kernel_c, macro_storage, maybe_generated, tree_mentions
from kpatchlint.checks.common import loc
from kpatchlint.checks.params.shared import head_text
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence

# definitions that are declared elsewhere by design, or built without the warning
_HEAD_SKIP_RE = re.compile(r"\b(?:__weak|asmlinkage|__visible|__bpf_kfunc|__used|__attribute__)\b|\bweak\b")
# without a tree, also init hooks and the like (mostly declared by generic headers)
_HEAD_SKIP_DIFF_ONLY_RE = re.compile(r"\b(?:__init|__exit|__noreturn|__cold)\b|^\s*(?:int|void)\s+arch_")
# files that turn the warning off, or include headers generated at build time (asn1_compiler)
_FILE_SKIP_RE = re.compile(r"-Wmissing-prototypes|__bpf_kfunc_start_defs|__diag_ignore_all|#\s*include\s*\"[^\"]*\.asn1\.h\"")
_NAME_SKIP = frozenset({"main", "init_module", "cleanup_module"})


class MissingPrototype(Rule):
    code = "BLD001"
    name = "missing-prototype"
    family = "build"
    severity = Severity.WARNING
    summary = "a function with external linkage is defined without a prototype (gcc -Wmissing-prototypes)"
    doc = """
## What it does
Flags a function the series defines in a .c file without `static` when no prototype of it
exists: none in a header, none earlier in the same file. With a tree every file that names
the function is looked at; without one only functions the series adds are checked, and only
when no hunk declares, calls from another file, or mentions them in a header.

## Why is this bad?
`-Wmissing-prototypes` is on in every kernel build since 6.8 (before, in `make W=1`), and the
kernel test robot reports each new one: "no previous prototype for 'f'". Either the function
is used in its own file only and should be `static`, or callers elsewhere see no declaration
and the compiler cannot check the calls against the definition.

## Example
```c
/* mm/swapfile.c */
int swap_slot_users(struct swap_info_struct *si, unsigned long offset)
{
```

## Use instead
`static int swap_slot_users(...)`, or a prototype in the header the callers include.

## Known limits
`__weak`, `asmlinkage`, `__visible`, `__init`/`__exit` and BPF kfunc definitions are not
checked (they are declared by generic headers, called from assembly, or built with the warning
off), nor files that turn the warning off. A header that merely mentions the name is taken to
declare it.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        index = ctx.index
        base = ctx.snapshot.base
        todo = []
        for name in sorted(ctx.focus):
            if name in _NAME_SKIP:
                continue
            fns = index.functions(name)
            defs = [f for f in fns if f.is_definition and f.storage != "static" and not f.inline
                    and kernel_c(f.path) and not f.is_stub]
            if not defs or any(not f.is_definition for f in fns) or index.macros(name):
                continue  # a prototype (or a macro of that name) is there
            if any(g.path.endswith(".h") for g in fns):
                continue  # defined in a header too: declared there in some configuration
            for d in defs:
                if base is not None and d.confidence < Confidence.MEDIUM:
                    continue  # known from hunks only (a file that could not be read): no tree to ask
                head = (_attribute_lines(ctx, d) + " " + head_text(ctx, d)).strip()
                if re.search(r"\bstatic\b", head) or macro_storage(head):
                    continue  # `static` on a line of its own above attributes; `STATIC` (xfs)
                if maybe_generated(ctx, d.path, name):
                    continue  # a header may declare it with a token-pasting macro
                if _HEAD_SKIP_RE.search(head) or (base is None and _HEAD_SKIP_DIFF_ONLY_RE.search(head)):
                    continue
                text = file_text(ctx, d.path)
                if text is not None and (_FILE_SKIP_RE.search(text) or _declared_above(text, name, d.line)):
                    continue
                if base is None and not _new_and_local(ctx, name, d):
                    continue
                todo.append((name, d))
        if not todo:
            return
        mentions = tree_mentions(base, {name for name, _ in todo}) if base is not None else {}
        for name, d in todo:
            if base is not None and _declared_elsewhere(mentions.get(name), d.path, index):
                continue
            yield self.finding(
                f"no previous prototype for `{name}`", loc(d), f"{name}|{d.path}", function=name,
                confidence=d.confidence if base is not None else min(d.confidence, Confidence.LOW),
                note="gcc: -Wmissing-prototypes; make it `static` if only this file uses it, "
                     "else declare it in the header its callers include",
            )


def _declared_above(text: str, name: str, line: int) -> bool:
    """A declaration `name(...);` earlier in the file (one the parse may have missed)."""
    lines = text.split("\n")
    head = "\n".join(lines[:max(0, line - 1)])
    return re.search(r"\b" + re.escape(name) + r"\s*\([^;{}]*\)\s*(?:__\w+(?:\([^;{}]*\))?\s*)*;", head) is not None


def _attribute_lines(ctx: Context, d) -> str:
    """Up to three lines right above the definition that belong to its head (`static inline`,
    `__no_sanitize_memory`) rather than to what comes before."""
    out: list[str] = []
    for n in range(d.line - 1, max(0, d.line - 4), -1):
        t = ctx.line_text(d.path, n)
        if t is None or not t.strip() or t.lstrip().startswith("#") or t.rstrip().endswith((";", "}", "{", "*/", ")")):
            break
        out.insert(0, t)
    return " ".join(out)


def _declared_elsewhere(files: set[str] | None, path: str, index) -> bool:
    """With a tree: a header (or another file not indexed) names the function."""
    if files is None:
        return True
    return any(p != path and (p.endswith(".h") or p not in index.files) for p in files)


def _head_added(ctx: Context, d) -> bool:
    """The line naming the function is one the series adds (a `+` line), not one it only shows
    as context: a function merely seen for the first time is not a new one."""
    text = ctx.line_text(d.path, d.name_line or d.line)
    if text is None or ctx.series is None:
        return False
    added = False
    for p in ctx.series.present:
        if p.index > ctx.k:
            break
        for fc in p.files:
            if d.path not in (fc.new_path, fc.old_path):
                continue
            for h in fc.hunks:
                for ln in h.lines:
                    if ln.text == text:
                        if ln.kind != "+":
                            return False
                        added = True
    return added


def _new_and_local(ctx: Context, name: str, d) -> bool:
    """Without a tree: the series adds the function (no definition before the first patch) and
    nothing shown of other files calls it or mentions it in a header."""
    if ctx.base_defined is None or name in ctx.base_defined or not _head_added(ctx, d):
        return False
    if any(c.path != d.path for c in ctx.index.calls_to(name)):
        return False
    return not any(p.endswith(".h") for p in ctx.index.ref_files(name))
