"""Re-check a generated patch with the lint engine: signature and parameter findings it introduces."""

from __future__ import annotations

from dataclasses import replace

from kpatchlint.engine import lint_series
from kpatchlint.findings import Finding
from kpatchlint.refactor.plan import Plan
from kpatchlint.series import series_from_bytes
from kpatchlint.series.model import Series
from kpatchlint.settings import Settings
from kpatchlint.tree.source import SourceTree

FAMILIES = ("SIG", "PAR")


def generated_series(patch: str, base: Series | None = None, at: int = 0) -> Series:
    """The generated patch alone, or after the first `at` patches of `base`."""
    gen = series_from_bytes(patch.encode("utf-8", "surrogateescape"), "<refactor>")
    if base is None:
        return gen
    head = [p for p in base.patches[:at]]
    mine = gen.patches[0]
    total = at + 1
    patches = [replace(p, total=total) if p is not None else None for p in head]
    assert mine is not None
    patches.append(replace(mine, index=total, total=total))
    return replace(base, expected=total, patches=tuple(patches), cover=None)


def recheck(patch: str, tree: SourceTree, base: Series | None = None, at: int = 0) -> list[Finding]:
    """SIG*/PAR* findings that the generated patch brings (pre-existing ones left out)."""
    series = generated_series(patch, base, at)
    last = len(series.patches)
    result = lint_series(series, tree, Settings(select=FAMILIES, cache=False))
    return [f for f in result.findings if f.patch == last and not f.pre_existing
            and f.code.startswith(FAMILIES)]


def expected(f: Finding, p: Plan) -> bool:
    """A parameter finding about the next step of a chain the plan already reported
    (a function FUNC passed the parameter on to, or a caller that passed its own in)."""
    if not f.code.startswith("PAR"):
        return False
    return any(f"`{fn}`" in f.message or f.function == fn for fn, _ in p.chain if fn != p.request.func)
