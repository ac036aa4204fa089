"""Where a refactoring reads and writes: the tree, the tree after K patches of a series, the work tree.

SnapshotTree answers like a SourceTree for snapshot K of build_snapshots(series, tree):
files the series touched come from the snapshot, the rest from the tree. write_files()
applies a plan to a checkout, refusing when a file it would change has uncommitted changes.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable

from kpatchlint.errors import InputError
from kpatchlint.refactor.plan import FileResult, Refused
from kpatchlint.series.model import Series
from kpatchlint.tree.snapshot import Snapshot, build_snapshots
from kpatchlint.tree.source import SOURCE_SUFFIXES, DirTree, SourceTree, blob_id, safe_relpath


class SnapshotTree(SourceTree):
    def __init__(self, base: SourceTree, snap: Snapshot) -> None:
        self.base = base
        self.snap = snap
        self.root = base.root
        self.label = f"{base.label} + {snap.k} patches"

    def read(self, path: str) -> bytes | None:
        path = safe_relpath(path)
        if path not in self.snap.changed:
            return self.base.read(path)
        st = self.snap.changed[path]
        if st is None:
            return None
        if not st.is_full or st.partial:
            raise InputError(f"{path}: the series does not apply cleanly here; cannot refactor on top of it")
        return st.data()

    def files(self, under: Iterable[str] = ()) -> list[str]:
        under = list(under)
        out = set(self.base.files(under))
        prefixes = tuple(safe_relpath(u).rstrip("/") for u in under)
        for path, st in self.snap.changed.items():
            if prefixes and not any(path == x or path.startswith(x + "/") for x in prefixes):
                continue
            if st is None:
                out.discard(path)
            elif path.endswith(SOURCE_SUFFIXES):
                out.add(path)
        return sorted(out)

    def grep_files(self, names: Iterable[str]) -> set[str]:
        names = sorted(set(names))
        found = {p for p in self.base.grep_files(names) if p not in self.snap.changed}
        if names:
            pat = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")
            for path, st in self.snap.changed.items():
                if st is None or not path.endswith(SOURCE_SUFFIXES):
                    continue
                if st.is_full and pat.search(st.data()):
                    found.add(path)
        return found

    def digest(self, path: str) -> str | None:
        data = self.read(path)
        return blob_id(data) if data is not None else None


def tree_at(base: SourceTree, series: Series, at: int) -> SnapshotTree:
    """The tree after patches 1..at of `series`."""
    n = len(series.patches)
    if not 0 <= at <= n:
        raise InputError(f"--at must be between 0 and {n} (the series has {n} patches)")
    snaps, problems = build_snapshots(series, base)
    for pr in problems:
        if pr.patch <= at:
            raise InputError(f"patch {pr.patch}/{pr.total}: {pr.path}: hunk #{pr.hunk} does not apply: {pr.what}")
    return SnapshotTree(base, snaps[at])


def _git_root(root: Path) -> Path | None:
    try:
        proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None


def dirty_files(root: Path, paths: list[str]) -> list[str]:
    """Which of `paths` have uncommitted changes (staged or not); [] outside git."""
    if _git_root(root) is None:
        return []
    proc = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", *paths], cwd=root,
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise InputError(f"git status failed in {root}: {proc.stderr.strip()}")
    out = []
    for line in proc.stdout.splitlines():
        if len(line) > 3:
            out.append(line[3:].split(" -> ")[-1])
    return out


def write_files(tree: SourceTree, files: list[FileResult]) -> list[str]:
    """Write the changed files into the tree's directory; refuse if one of them is dirty in git."""
    if not isinstance(tree, DirTree):
        raise Refused("--write needs a plain --tree checkout (not --series/--at)")
    changed = [f for f in files if f.new != f.old]
    dirty = dirty_files(tree.root, [f.path for f in changed])
    if dirty:
        more = f" (and {len(dirty) - 1} more)" if len(dirty) > 1 else ""
        raise Refused(f"refusing to --write: {dirty[0]}{more} has uncommitted changes; commit or stash first")
    for f in changed:
        if tree.read(f.path) != f.old:
            raise Refused(f"refusing to --write: {f.path} changed while the refactoring ran")
    written = []
    for f in changed:
        target = tree.root / safe_relpath(f.path)
        mode = target.stat().st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(prefix=".kpatchlint-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(f.new)
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        written.append(f.path)
    return written
