"""Read-only access to a kernel tree: a plain directory, or a git revision read from objects.

Nothing here ever writes to the tree. Paths are checked so a name from a diff cannot reach
outside the tree (`..`, absolute paths, `.git/`, symlinks pointing out).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterable

from kpatchlint.errors import InputError, UnsafePathError

SOURCE_SUFFIXES = (".c", ".h")


def blob_id(data: bytes) -> str:
    """The git blob id of `data`: the cache key shared by checkouts, worktrees and git objects."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def safe_relpath(path: str) -> str:
    p = path.replace("\\", "/")
    if not p or p.startswith("/") or "\0" in p:
        raise UnsafePathError(f"unsafe path {path!r}")
    parts = [x for x in p.split("/") if x not in ("", ".")]
    if any(x == ".." for x in parts) or (parts and parts[0] == ".git"):
        raise UnsafePathError(f"unsafe path {path!r}")
    return "/".join(parts)


class SourceTree:
    """Interface: read files, list them, and find which files mention some names."""

    root: Path
    label: str = ""

    def read(self, path: str) -> bytes | None:
        raise NotImplementedError

    def files(self, under: Iterable[str] = ()) -> list[str]:
        raise NotImplementedError

    def grep_files(self, names: Iterable[str]) -> set[str]:
        """Repository-relative .c/.h files that contain any of `names` as a whole word."""
        raise NotImplementedError

    def digest(self, path: str) -> str | None:
        data = self.read(path)
        return blob_id(data) if data is not None else None


class DirTree(SourceTree):
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.label = str(root)

    def _abs(self, path: str) -> Path | None:
        rel = safe_relpath(path)
        full = self.root / rel
        try:
            real = full.resolve()
        except OSError:
            return None
        if real != self.root and self.root not in real.parents:
            raise UnsafePathError(f"{path!r} leaves the tree through a symlink")
        return real

    def read(self, path: str) -> bytes | None:
        full = self._abs(path)
        if full is None or not full.is_file():
            return None
        try:
            return full.read_bytes()
        except OSError:
            return None

    def files(self, under: Iterable[str] = ()) -> list[str]:
        roots = [self.root / safe_relpath(u) for u in under] or [self.root]
        out: list[str] = []
        for r in roots:
            if r.is_file():
                out.append(str(r.relative_to(self.root)))
                continue
            for dirpath, dirnames, filenames in os.walk(r):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for f in sorted(filenames):
                    if f.endswith(SOURCE_SUFFIXES):
                        out.append(os.path.relpath(os.path.join(dirpath, f), self.root))
        return out

    def grep_files(self, names: Iterable[str]) -> set[str]:
        names = sorted(set(names))
        if not names:
            return set()
        if (self.root / ".git").exists() and shutil.which("git"):
            out = _git_grep(self.root, names, rev=None)
            if out is not None:
                return out
        args = ["grep", "-rlwF", "--include=*.c", "--include=*.h", "--exclude-dir=.git"]
        for n in names:
            args += ["-e", n]
        args.append(".")
        proc = subprocess.run(args, cwd=self.root, capture_output=True)
        if proc.returncode not in (0, 1):
            raise InputError(f"grep failed: {proc.stderr.decode(errors='replace').strip()}", self.label)
        return {os.path.normpath(line) for line in proc.stdout.decode("utf-8", "replace").splitlines() if line}


def _git_grep(root: Path, names: list[str], rev: str | None) -> set[str] | None:
    args = ["git", "-c", "grep.threads=2", "grep", "-l", "-w", "-F", "-I"]
    for n in names:
        args += ["-e", n]
    if rev:
        args.append(rev)
    args += ["--", "*.c", "*.h"]
    proc = subprocess.run(args, cwd=root, capture_output=True)
    if proc.returncode not in (0, 1):
        return None
    out = set()
    prefix = f"{rev}:" if rev else ""
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if prefix and line.startswith(prefix):
            line = line[len(prefix):]
        if line:
            out.add(line)
    return out


class GitTree(SourceTree):
    """Files of one git revision, read with `git cat-file --batch`; the work tree is never touched."""

    def __init__(self, root: Path, rev: str) -> None:
        self.root = root.resolve()
        proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                              cwd=self.root, capture_output=True, text=True)
        if proc.returncode != 0:
            raise InputError(f"no such revision {rev!r} in {root}")
        self.rev = proc.stdout.strip()
        self.label = f"{root}@{rev}"
        self._ids: dict[str, str] | None = None
        self._batch: subprocess.Popen | None = None

    def _index(self) -> dict[str, str]:
        if self._ids is None:
            proc = subprocess.run(["git", "ls-tree", "-r", "-z", self.rev], cwd=self.root, capture_output=True)
            ids: dict[str, str] = {}
            for rec in proc.stdout.split(b"\0"):
                if not rec:
                    continue
                meta, _, name = rec.partition(b"\t")
                mode, typ, oid = meta.split()
                if typ == b"blob" and mode != b"120000":
                    ids[name.decode("utf-8", "replace")] = oid.decode()
            self._ids = ids
        return self._ids

    def digest(self, path: str) -> str | None:
        return self._index().get(safe_relpath(path))

    def read(self, path: str) -> bytes | None:
        oid = self.digest(path)
        if oid is None:
            return None
        if self._batch is None:
            self._batch = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.root,
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self._batch.stdin and self._batch.stdout
        self._batch.stdin.write(oid.encode() + b"\n")
        self._batch.stdin.flush()
        header = self._batch.stdout.readline().split()
        if len(header) < 3:
            return None
        size = int(header[2])
        data = self._batch.stdout.read(size)
        self._batch.stdout.read(1)
        return data

    def files(self, under: Iterable[str] = ()) -> list[str]:
        prefixes = tuple(safe_relpath(u).rstrip("/") for u in under)
        out = []
        for p in sorted(self._index()):
            if not p.endswith(SOURCE_SUFFIXES):
                continue
            if prefixes and not any(p == x or p.startswith(x + "/") for x in prefixes):
                continue
            out.append(p)
        return out

    def grep_files(self, names: Iterable[str]) -> set[str]:
        names = sorted(set(names))
        if not names:
            return set()
        out = _git_grep(self.root, names, rev=self.rev)
        if out is None:
            raise InputError("git grep failed", self.label)
        return out

    def close(self) -> None:
        if self._batch is not None:
            if self._batch.stdin:
                self._batch.stdin.close()
            self._batch.wait()
            self._batch = None


def open_tree(tree: Path | None, base: str | None = None) -> SourceTree | None:
    if tree is None:
        if base:
            raise InputError("--base needs --tree")
        return None
    if not tree.is_dir():
        raise InputError(f"tree {tree} is not a directory")
    if base:
        return GitTree(tree, base)
    return DirTree(tree)
