"""Build `git format-patch`-shaped mails from in-memory edits of a tree (test-time only: series
against linux-6.12 are generated in tests, never committed)."""

from __future__ import annotations

import difflib
from pathlib import Path


def file_diff(path: str, old: str, new: str) -> str:
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    body = "".join(difflib.unified_diff(a, b, f"a/{path}", f"b/{path}", n=3))
    return f"diff --git a/{path} b/{path}\n{body}" if body else ""


def mail(index: int, total: int, subject: str, diffs: list[str], date: str = "Mon, 6 Jan 2025 10:00:00 +0000") -> str:
    counter = f"{index:0{len(str(total))}d}/{total}"
    return (
        f"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
        f"From: Test Dev <dev@example.org>\nDate: {date}\n"
        f"Subject: [PATCH {counter}] {subject}\nMessage-Id: <test-{index}@example.org>\n\n"
        f"{subject}.\n\nSigned-off-by: Test Dev <dev@example.org>\n---\n" + "".join(diffs) + "-- \n2.39.5\n\n"
    )


class Editor:
    """Edits on top of a read-only tree; `patch()` returns the diffs since the last call."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.current: dict[str, str] = {}
        self.base: dict[str, str] = {}

    def read(self, path: str) -> str:
        if path not in self.current:
            self.current[path] = (self.root / path).read_text(encoding="utf-8", errors="surrogateescape")
            self.base[path] = self.current[path]
        return self.current[path]

    def replace(self, path: str, old: str, new: str, count: int = 1) -> None:
        text = self.read(path)
        assert text.count(old) >= count, f"{path}: {old!r} found {text.count(old)} times"
        self.current[path] = text.replace(old, new, count)

    def patch(self) -> list[str]:
        out = [file_diff(p, self.base[p], self.current[p]) for p in sorted(self.current)]
        self.base = dict(self.current)
        return [d for d in out if d]
