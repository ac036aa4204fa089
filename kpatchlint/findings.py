"""Findings: what a rule reports, with severity, confidence, patch and evidence."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field, replace

from kpatchlint.location import Confidence, Location


class Severity(enum.IntEnum):
    HINT = 0
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError as exc:
            raise ValueError(f"unknown severity {text!r} (use error, warning, info or hint)") from exc


@dataclass(frozen=True, slots=True)
class Label:
    """A secondary location: evidence in another place (the prototype, the stub, the other caller)."""

    location: Location
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # stable rule code, e.g. "SIG001"
    name: str  # kebab rule name, e.g. "call-arg-count"
    message: str  # one line, present tense, identifiers in backticks
    severity: Severity
    confidence: Confidence
    primary: Location | None
    key: str  # identity across snapshots: same defect => same key
    function: str | None = None
    note: str = ""
    labels: tuple[Label, ...] = ()
    patch: int = 0  # 1-based patch that introduced it; 0 when linting a tree without a series
    total: int = 0
    pre_existing: bool = False
    repaired_by: int | None = None  # later patch after which the finding no longer holds
    patch_subject: str = ""
    at: int | None = None  # snapshot whose line numbers `primary` uses, when not `patch`
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def patch_label(self) -> str:
        return f"{self.patch}/{self.total}" if self.total else ""

    def fingerprint(self) -> str:
        """Stable id for baselines: rule, key and function, not line numbers."""
        return hashlib.sha1(f"{self.code}\0{self.key}".encode()).hexdigest()[:16]

    def sort_key(self) -> tuple:
        loc = self.primary
        return (
            self.patch,
            loc.path if loc else "",
            loc.line if loc else 0,
            loc.col if loc else 0,
            self.code,
            self.message,
        )

    def with_(self, **kw) -> "Finding":
        return replace(self, **kw)
