"""Helpers shared by tests."""

from __future__ import annotations

from pathlib import Path


def line_of(root: Path, path: str, text: str, nth: int = 1) -> int:
    """1-based line of the `nth` line of `root/path` that contains `text`.

    Tests on the real kernel name a place by what is written there, not by a line number:
    Debian's linux-source-6.12 moves with the stable releases (6.12.117, .118, ...) and lines shift.
    """
    seen = 0
    lines = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
    for i, line in enumerate(lines, 1):
        if text in line:
            seen += 1
            if seen == nth:
                return i
    raise AssertionError(f"{path}: {text!r} occurs {seen} times, wanted occurrence {nth}")
