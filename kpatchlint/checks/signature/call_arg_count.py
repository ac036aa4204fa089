"""SIG001 call-arg-count: a call passes more or fewer arguments than the function takes."""

from __future__ import annotations

import re
from typing import Iterator

from kpatchlint.checks.base import Context, Label, Rule
from kpatchlint.checks.common import kind_label, loc, local_shadows, plural, solid, where
from kpatchlint.findings import Finding, Severity
from kpatchlint.location import Confidence


_MACRO_CALL_RE = re.compile(r"^\(?\s*([A-Za-z_]\w*)\s*\(")
_CAPS_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _may_expand(index, args: tuple[str, ...]) -> bool:
    """Could an argument be a macro that expands to several arguments (`XFS_DA_LOGRANGE(...)`)?"""
    for a in args:
        m = _MACRO_CALL_RE.match(a)
        name = m.group(1) if m else (a if _CAPS_RE.match(a) else None)
        if name is None:
            continue
        macros = index.macros(name)
        if not macros:
            if m and _CAPS_RE.match(name):
                return True  # an unknown upper-case macro call `FOO(x)`: cannot tell
            # a bare unknown constant (`GFP_KERNEL`, `NULL`, `SWAPFILE_CLUSTER`) is one argument:
            # object-like macros that expand to a list of arguments are too rare to silence
            # every short call that passes a constant
            continue
        if any("," in split_top(mac.body) for mac in macros):
            return True
    return False


def _variadic_macro_args(index, call) -> bool:
    """A call in the body of a variadic macro that passes the macro's variable arguments on
    (`#define REPORT(x...) __fortify_report(x)`): the count is the caller's."""
    if not call.in_macro or call.caller is None:
        return False
    for m in index.macros(call.caller):
        params = m.params or ()
        if "..." not in params and not any(p.endswith("...") for p in params):
            continue
        named = {p[:-3] for p in params if p.endswith("...")} | {"__VA_ARGS__"}
        idx = params.index("...") if "..." in params else -1
        if idx > 0:
            named.add(params[idx - 1])
        if any(a in named or a.startswith("##") for a in call.args):
            return True
    return False


def split_top(body: str) -> str:
    """The body with everything inside brackets removed, so only top-level commas remain."""
    out, depth = [], 0
    for ch in body:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


class CallArgCount(Rule):
    code = "SIG001"
    name = "call-arg-count"
    family = "signature"
    severity = Severity.ERROR
    summary = "a call site passes the wrong number of arguments for the function's current signature"
    doc = """
## What it does
Checks every call of a function the series touches, anywhere in the tree (not only in the
diff), against the function's parameter list after each patch: the prototype in a header the
calling file includes, a `static` function of the same file, or any other declaration.

## Why is this bad?
The build breaks ("too many arguments to function"), often only in a configuration the author
did not build, or in the middle of the series, which breaks `git bisect`.

## Example
```c
/* mm/swap.h after the patch */
struct folio *swap_cache_alloc_folio(swp_entry_t entry, gfp_t gfp, bool *alloced);
/* mm/zswap.c, not updated */
folio = swap_cache_alloc_folio(entry, GFP_KERNEL, &allocated, true);
```

## Use instead
Update every caller in the same patch that changes the signature.

## Known limits
An argument that is a macro expanding to several arguments (`XFS_DA_LOGRANGE(...)`) makes
a short call unknowable, so it is skipped. Calls built by macros are checked through the
macro body only; when a name is also a
function-like macro, or has declarations with different parameter counts that are not
mutually exclusive by `#ifdef`, the call is skipped. Variadic functions are checked for
the minimum count only.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        index = ctx.index
        for name in sorted(ctx.focus):
            calls = index.calls_to(name)
            if not calls or index.has_function_macro(name):
                continue
            for call in calls:
                if call.confidence < Confidence.MEDIUM:
                    continue
                cands = solid(index.candidates_for_call(call))
                # the real declaration decides; `#else` stubs only when nothing else is known
                # (a stub that drifted from the prototype is SIG003's finding, not the caller's)
                real = [f for f in cands if not f.is_stub]
                cands = real or cands
                if not cands:
                    continue
                if any(f.is_variadic for f in cands):
                    fixed = min(f.arity for f in cands)
                    if len(call.args) >= fixed:
                        continue
                    arities = {fixed}
                else:
                    arities = {f.arity for f in cands}
                if len(arities) != 1:
                    continue
                expected = arities.pop()
                have = len(call.args)
                if have == expected:
                    continue
                if have < expected and (_may_expand(index, call.args) or _variadic_macro_args(index, call)):
                    continue
                if local_shadows(ctx, call):
                    continue  # `init_fn clk_init = ...; return clk_init(dev, regmap);`
                decl = next((f for f in cands if not f.is_definition), cands[0])
                word = "many" if have > expected else "few"
                conf = min(call.confidence, decl.confidence)
                note = f"`{name}` is declared at {where(decl)} as `{decl.signature()}`"
                if ctx.delta is not None and name in ctx.delta.changed:
                    note += f"; its signature changes in patch {ctx.k}/{ctx.total}"
                via = f" (in macro `{call.caller}`)" if call.in_macro else ""
                yield self.finding(
                    f"too {word} arguments to function `{name}` (expected {expected}, have {have}){via}",
                    loc(call), f"{name}|{call.path}|{call.caller}|{'|'.join(call.args)}",
                    function=name, confidence=conf, note=note,
                    labels=[Label(loc(decl), f"{kind_label(decl)} with {plural(expected, 'parameter')}")],
                )
