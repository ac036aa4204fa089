"""The Rule interface, the per-snapshot Context rules read, and rule discovery."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Iterator

from kpatchlint.findings import Finding, Label, Severity
from kpatchlint.location import Confidence, Location

if TYPE_CHECKING:
    from kpatchlint.analysis.facts import FactsProvider
    from kpatchlint.analysis.delta import Delta
    from kpatchlint.analysis.index import SymbolIndex
    from kpatchlint.protocols import Protocol
    from kpatchlint.series.model import Series
    from kpatchlint.tree.snapshot import Snapshot


@dataclass
class Context:
    """What a snapshot-scope rule sees: snapshot k, its index, and the change from k-1."""

    k: int
    total: int
    snapshot: "Snapshot"
    index: "SymbolIndex"
    prev_index: "SymbolIndex | None"
    delta: "Delta | None"
    focus: set[str]
    series: "Series | None" = None
    diff_only: bool = False
    protocols: list["Protocol"] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # renamed name -> name at base
    # functions whose definition a patch <= k removed: name -> (patch, new name if renamed)
    gone: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    provider: "FactsProvider | None" = None  # for rules that pull in more files (protocols)
    # functions that have a definition before the first patch (None: not known, linting a tree)
    base_defined: frozenset[str] | None = None
    # functions some hunk of the series falls in (None: linting a tree, every function counts)
    bodies_touched: frozenset[str] | None = None
    # macros whose #define a patch <= k removed and nothing defines again: name -> patch
    macros_gone: dict[str, int] = field(default_factory=dict)

    def root(self, name: str) -> str:
        seen = set()
        while name in self.aliases and name not in seen:
            seen.add(name)
            name = self.aliases[name]
        return name

    def line_text(self, path: str, line: int) -> str | None:
        st = self.snapshot.state(path)
        return st.line(line) if st is not None else None


@dataclass
class SeriesContext:
    """What a series-scope rule sees: every snapshot's context and the findings so far."""

    contexts: list[Context]
    findings: list[Finding]


class Rule:
    code: str = ""
    name: str = ""
    family: str = ""
    severity: Severity = Severity.WARNING
    scope: str = "snapshot"  # or "series"
    summary: str = ""  # one line for `kpatchlint rules`
    doc: str = ""  # markdown with the fixed headings

    def check(self, ctx: Context) -> Iterator[Finding]:  # snapshot scope
        return iter(())

    def check_series(self, sctx: SeriesContext) -> Iterator[Finding]:  # series scope
        return iter(())

    def finding(self, message: str, loc: Location | None, key: str, *, function: str | None = None,
                confidence: Confidence = Confidence.HIGH, note: str = "", labels: Iterable[Label] = (),
                severity: Severity | None = None) -> Finding:
        return Finding(
            code=self.code, name=self.name, message=message,
            severity=self.severity if severity is None else severity, confidence=confidence,
            primary=loc, key=f"{self.code}:{key}", function=function, note=note, labels=tuple(labels),
        )


def _iter_modules() -> Iterable[str]:
    import kpatchlint.checks as pkg

    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if not info.ispkg and not info.name.endswith(".base"):
            yield info.name


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for modname in _iter_modules():
        mod = importlib.import_module(modname)
        for _, obj in inspect.getmembers(mod, inspect.isclass):
            if issubclass(obj, Rule) and obj is not Rule and obj.__module__ == modname and obj.code:
                rules.append(obj())
    rules.sort(key=lambda r: r.code)
    codes = [r.code for r in rules]
    dupes = {c for c in codes if codes.count(c) > 1}
    if dupes:
        raise RuntimeError(f"duplicate rule codes: {sorted(dupes)}")
    return tuple(rules)


def rule_by_code(code: str) -> Rule | None:
    code = code.strip()
    for r in all_rules():
        if r.code.lower() == code.lower() or r.name == code:
            return r
    return None


def loc_of(path: str, line: int, col: int = 1, end_line: int | None = None) -> Location:
    return Location(path, line, col, end_line)
