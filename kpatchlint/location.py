"""Locations and confidence levels shared by facts and findings."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Confidence(enum.IntEnum):
    """How sure a fact or finding is: kernel C is seen through unexpanded macros.

    HIGH: parsed from a whole file without a parse error around it.
    MEDIUM: parsed from a whole file, inside or next to a tree-sitter ERROR node.
    LOW: parsed from diff fragments (diff-only or partial mode), or guessed.
    """

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file of a snapshot; line and col are 1-based (as shown to people)."""

    path: str
    line: int
    col: int = 1
    end_line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"
