"""SIG003 stub-drift: a declaration under another preprocessor branch no longer matches."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.c.cond import exclusive
from kpatchlint.c.model import FunctionSig
from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.common import compare, kind_label, loc, pick_stale, solid
from kpatchlint.findings import Finding, Severity


def _pointer(t: str) -> bool:
    return "*" in t or "[" in t


def _build_severity(a: FunctionSig, b: FunctionSig, sev: Severity) -> Severity:
    """The two variants are never in one build: what breaks is the callers. A different count
    of parameters does (every caller passes one of the counts), and so does a pointer where the
    other variant takes a number (gcc 14: -Werror=int-conversion) or a pointer to another type
    (-Werror=incompatible-pointer-types; compare() already tells `void *` and qualifiers apart);
    `int` for an `enum`, or `int` returned where the other returns `void`, builds (callers that
    use the value are the other variant's): that is drift, a warning."""
    if a.arity != b.arity:
        return sev
    for p, q in zip(a.params, b.params):
        if _pointer(p.type) or _pointer(q.type):
            if p.type != q.type:
                return sev
    if a.is_void or b.is_void:
        return min(sev, Severity.WARNING)
    if _pointer(a.return_type) or _pointer(b.return_type):
        return sev
    return min(sev, Severity.WARNING)


class StubDrift(Rule):
    code = "SIG003"
    name = "stub-drift"
    family = "signature"
    severity = Severity.ERROR
    summary = "a `static inline` stub or prototype under another #ifdef branch differs from the real one"
    doc = """
## What it does
Finds declarations of one function that live under mutually exclusive preprocessor branches
(`#ifdef CONFIG_SWAP` ... `#else` ... `#endif`), or a `static inline` stub and a prototype of
the same header, and compares their parameters and return type.

## Why is this bad?
Only one branch is compiled in any configuration, so the author's build passes while
`allnoconfig` breaks: "too few arguments to function call, expected 2, have 1" in a caller
that is right for the other branch.

## Example
```c
#ifdef CONFIG_SWAP
int folio_alloc_swap(struct folio *folio);
#else
static inline int folio_alloc_swap(struct folio *folio, gfp_t gfp) { return -EINVAL; }
#endif
```

## Use instead
Change the stub in the same patch as the prototype.

## Known limits
Branches are compared only when their conditions are visibly exclusive (`X` / `!X`,
`#if` / `#else`) or when both are in one header (a `static inline` and an extern prototype
of one name can only share a header under exclusive branches); arch-specific variants in
different directories are not compared.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        for name in sorted(ctx.focus):
            fns = [f for f in solid(ctx.index.functions(name)) if not (f.storage == "static" and not f.path.endswith(".h"))]
            stubs = [f for f in fns if f.is_stub]
            if not stubs:
                continue
            others = [f for f in fns if not f.is_stub]
            protos = [f for f in others if not f.is_definition]
            refs = protos or others
            for s in stubs:
                for r in refs:
                    if not (exclusive(s.cond, r.cond) or s.path == r.path):
                        continue
                    if compare(s, r, ctx) is None:
                        continue
                    stale, ref = pick_stale(ctx, s, r)
                    diff = compare(stale, ref, ctx)
                    if diff is None:
                        continue
                    yield self.finding(
                        f"{kind_label(stale)} of `{name}` does not match the {kind_label(ref)}: it {diff.text}",
                        loc(stale), f"{name}|{s.path}|{'/'.join(s.cond)}|{r.path}", function=name,
                        severity=_build_severity(stale, ref, diff.severity),
                        confidence=min(s.confidence, r.confidence),
                        note=f"{kind_label(ref)} at {ref.path}:{ref.line}: `{ref.signature()}`; "
                             "a build with the other configuration (e.g. allnoconfig) breaks",
                        labels=[Label(loc(ref), kind_label(ref))],
                    )
                    break
