"""A SourceTree wrapper that remembers which files name each identifier.

One search answers many names: `grep -o` (or `git grep -o`) prints every match with its file,
so the engine can ask once for every name a run will need and the rules' later questions about
single names cost nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Iterable

from kpatchlint.tree.source import GitTree, SourceTree


class GrepMemo(SourceTree):
    def __init__(self, inner: SourceTree) -> None:
        self.inner = inner
        self.root = inner.root
        self.label = inner.label
        self._per: dict[str, set[str]] = {}
        self.searches = 0

    def __getattr__(self, name: str):  # rev, close, ... of the wrapped tree
        return getattr(self.inner, name)

    def read(self, path: str) -> bytes | None:
        return self.inner.read(path)

    def files(self, under: Iterable[str] = ()) -> list[str]:
        return self.inner.files(under)

    def digest(self, path: str) -> str | None:
        return self.inner.digest(path)

    def grep_names(self, names: Iterable[str]) -> dict[str, set[str]]:
        names = set(names)
        todo = sorted(n for n in names if n not in self._per)
        if todo:
            found = self._search(todo)
            for n in todo:
                self._per[n] = found.get(n, set())
        return {n: set(self._per[n]) for n in names}

    def _search(self, names: list[str]) -> dict[str, set[str]]:
        self.searches += 1
        inner = self.inner
        rev = getattr(inner, "rev", None) if isinstance(inner, GitTree) else None
        use_git = rev is not None or ((inner.root / ".git").exists() and shutil.which("git"))
        if use_git:
            args = ["git", "-c", "grep.threads=2", "grep", "-o", "-w", "-F", "-I", "--no-color"]
        else:
            args = ["grep", "-r", "-o", "-w", "-F", "-I", "--include=*.c", "--include=*.h", "--exclude-dir=.git"]
        for n in names:
            args += ["-e", n]
        if use_git:
            if rev:
                args.append(rev)
            args += ["--", "*.c", "*.h"]
        else:
            args.append(".")
        proc = subprocess.run(args, cwd=inner.root, capture_output=True)
        if proc.returncode not in (0, 1):
            # fall back to the plain per-call search of the wrapped tree
            files = inner.grep_files(names)
            return {n: set(files) for n in names}
        out: dict[str, set[str]] = {}
        prefix = f"{rev}:" if rev else ""
        for line in proc.stdout.decode("utf-8", "replace").splitlines():
            if prefix and line.startswith(prefix):
                line = line[len(prefix):]
            path, _, match = line.rpartition(":")
            if not path:
                continue
            if path.startswith("./"):
                path = path[2:]
            out.setdefault(match, set()).add(path)
        return out
