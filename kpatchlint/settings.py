"""Settings: frozen options from flags and `.kpatchlint.toml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kpatchlint.findings import Severity


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()  # rule codes or prefixes ("SIG"); empty = all
    ignore: tuple[str, ...] = ()
    severity_overrides: tuple[tuple[str, Severity], ...] = ()
    fail_on: Severity = Severity.ERROR
    fail_on_pre_existing: bool = False
    min_confidence: str = "low"
    protocol_files: tuple[Path, ...] = ()
    use_builtin_protocols: bool = True
    baseline: Path | None = None
    cache: bool = True
    cache_dir: Path | None = None
    jobs: int | None = None
    revision: int | None = None
    timeout: float | None = None
    extra: dict = field(default_factory=dict)

    def selected(self, code: str) -> bool:
        def hit(pats: tuple[str, ...]) -> bool:
            return any(code == p or code.startswith(p) for p in pats)

        if self.select and not hit(self.select):
            return False
        return not hit(self.ignore)

    def severity_for(self, code: str, default: Severity) -> Severity:
        for c, sev in self.severity_overrides:
            if code == c or code.startswith(c):
                return sev
        return default
