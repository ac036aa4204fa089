"""Read-only access to a kernel tree: a plain directory, or a git revision read from objects.

Nothing here ever writes to the tree. Paths are checked so a name from a diff cannot reach
outside the tree (`..`, absolute paths, `.git/`, symlinks pointing out).

Finding the files that name some identifiers (`grep_names`, `grep_files`) goes through, in
order: answers already given in this process; the persistent grep cache (keyed by the tree's
identity: the git tree id of a revision, or a fingerprint of path, size and mtime of every
.c/.h file of a directory); the name index of `kpatchlint index` when it matches the tree (up
to a few files read again); and only then `git grep` / `grep` (one search for all missing
names, `-o` so each name gets its own files). `cache_dir = None` turns the persistent layers
off (`--no-cache`). `grep_async` runs the same in a thread so parsing can go on meanwhile.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

from kpatchlint.errors import InputError, UnsafePathError

SOURCE_SUFFIXES = (".c", ".h")
# parts of a kernel tree that the kernel build does not compile with the kernel's headers:
# user-space tools (with their own copies of kernel headers), host scripts, documentation
NOT_KERNEL_BUILD = ("tools/", "scripts/", "usr/", "Documentation/", "samples/bpf/")


def in_kernel_build(path: str) -> bool:
    """Is `path` compiled as kernel code (not a user-space tool's copy of it)?"""
    return not path.startswith(NOT_KERNEL_BUILD)


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
        out: set[str] = set()
        for files in self.grep_names(names).values():
            out |= files
        return out

    def grep_names(self, names: Iterable[str]) -> dict[str, set[str]]:
        """For each name, the .c/.h files that contain it as a whole word."""
        raise NotImplementedError

    def digest(self, path: str) -> str | None:
        data = self.read(path)
        return blob_id(data) if data is not None else None


class _GrepLayers:
    """The lookup chain behind `grep_names` of DirTree and GitTree (see the module docstring)."""

    # set to a directory (or None) per tree; the default follows the facts cache's default
    cache_dir: Path | None
    use_index: bool = True
    memoizes_grep = True  # the engine need not wrap this tree in a GrepMemo

    def _init_grep(self) -> None:
        from kpatchlint.cache import default_cache_dir

        self.cache_dir = None if os.environ.get("KPATCHLINT_NO_CACHE") else default_cache_dir()
        self._memo: dict[str, set[str]] = {}
        self._memo_lock = threading.Lock()
        self._ident: str | None = None
        self.grep_stats = {"names": 0, "memo": 0, "cache": 0, "index": 0, "searched": 0, "searches": 0,
                           "reread": 0, "seconds": 0.0}

    def _persistent(self) -> bool:
        """Whether the persistent layers are worth it (and safe) for this tree."""
        return True

    # subclasses: identity(), _search(names), _index_view()
    def identity(self) -> str | None:
        raise NotImplementedError

    def _search(self, names: list[str]) -> dict[str, set[str]]:
        raise NotImplementedError

    def _index_view(self) -> tuple[dict[str, str] | None, str]:
        raise NotImplementedError

    def grep_names(self, names: Iterable[str]) -> dict[str, set[str]]:
        names = set(names)
        with self._memo_lock:
            t0 = time.monotonic()
            st = self.grep_stats
            todo = sorted(n for n in names if n not in self._memo)
            st["memo"] += len(names) - len(todo)
            if todo:
                self._resolve(todo)
            st["seconds"] += time.monotonic() - t0
            return {n: set(self._memo[n]) for n in names}

    def grep_async(self, names: Iterable[str]) -> "Future[dict[str, set[str]]]":
        """grep_names in a background thread (the search is a subprocess: the caller keeps the CPU)."""
        fut: Future = Future()
        names = set(names)

        def run() -> None:
            try:
                fut.set_result(self.grep_names(names))
            except BaseException as exc:  # handed to the caller by fut.result()
                fut.set_exception(exc)

        threading.Thread(target=run, name="kpatchlint-grep", daemon=True).start()
        return fut

    def _resolve(self, todo: list[str]) -> None:
        st = self.grep_stats
        st["names"] += len(todo)
        found: dict[str, set[str]] = {}
        cache = None
        ident = None
        if self.cache_dir is not None and self._persistent():
            try:
                from kpatchlint.indexer import GrepCache

                ident = self.identity()
                if ident is not None:
                    cache = GrepCache(self.cache_dir)
                    found.update(cache.get_many(ident, todo))
                    st["cache"] += len(found)
            except Exception:  # an unusable cache never stops a run
                cache = None
        rest = [n for n in todo if n not in found]
        fresh: dict[str, set[str]] = {}
        if rest and self.cache_dir is not None and self.use_index and self._persistent():
            got = self._from_index(rest)
            if got is not None:
                st["index"] += len(got)
                fresh.update(got)
                rest = [n for n in rest if n not in got]
        if rest:
            st["searches"] += 1
            st["searched"] += len(rest)
            hits = self._search(rest)
            for n in rest:
                fresh[n] = hits.get(n, set())
        if cache is not None and ident is not None and fresh:
            cache.put_many(ident, fresh)
        if cache is not None:
            cache.close()
        found.update(fresh)
        self._memo.update(found)

    def _from_index(self, names: list[str]) -> dict[str, set[str]] | None:
        try:
            from kpatchlint.indexer import NameIndex, answer_from_index

            index = NameIndex.open(self.cache_dir, self.root)  # type: ignore[arg-type, attr-defined]
            if index is None:
                return None
            try:
                current, key = self._index_view()
                ans = answer_from_index(index, names, current, key, self.read)  # type: ignore[attr-defined]
            finally:
                index.close()
        except Exception:  # a broken index: search instead
            return None
        if ans is None:
            return None
        self.grep_stats["reread"] += ans.reread
        return ans.found


def tree_listing(root: Path) -> dict[str, str]:
    """path -> "size mtime" of the .c/.h files a search of `root` reads: the tracked ones of a git
    checkout (what `git grep` reads), else every regular file outside .git (what `grep -r` reads)."""
    root = root.resolve()
    names: list[str] | None = None
    if (root / ".git").exists() and shutil.which("git"):
        proc = subprocess.run(["git", "ls-files", "-z", "--", "*.c", "*.h"], cwd=root, capture_output=True)
        if proc.returncode == 0:
            names = [n.decode("utf-8", "surrogateescape") for n in proc.stdout.split(b"\0") if n]
    out: dict[str, str] = {}
    if names is not None:
        for n in names:
            try:
                st = os.lstat(os.path.join(root, n))
            except OSError:
                continue
            if not os.path.stat.S_ISREG(st.st_mode):
                continue
            out[n] = f"{st.st_size} {st.st_mtime_ns}"
        return out
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            it = os.scandir(os.path.join(root, rel) if rel else root)
        except OSError:
            continue
        with it:
            for e in it:
                name = e.name
                try:
                    if e.is_dir(follow_symlinks=False):
                        if name != ".git":
                            stack.append(f"{rel}{name}/")
                    elif name.endswith(SOURCE_SUFFIXES) and e.is_file(follow_symlinks=False):
                        st = e.stat(follow_symlinks=False)
                        out[rel + name] = f"{st.st_size} {st.st_mtime_ns}"
                except OSError:
                    continue
    return out


def listing_identity(listing: dict[str, str]) -> str:
    h = hashlib.sha1()
    for p in sorted(listing):
        h.update(f"{p}\0{listing[p]}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


class DirTree(_GrepLayers, SourceTree):
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.label = str(root)
        self._listing: dict[str, str] | None = None
        self._gitview: tuple[str, dict[str, str]] | None | bool = None
        self._init_grep()

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

    def listing(self) -> dict[str, str]:
        if self._listing is None:
            self._listing = tree_listing(self.root)
        return self._listing

    def _git_view(self) -> tuple[str, dict[str, str]] | None:
        """For a git checkout whose tracked .c/.h files match the index (`git diff --quiet`, which
        uses the index's stat data and git's own racy-timestamp checks): an identity from the
        index's blob ids and path -> blob id. None otherwise (then the stat listing is used)."""
        if self._gitview is False:
            return None
        if self._gitview is None:
            self._gitview = False
            if (self.root / ".git").exists() and shutil.which("git"):
                diff = subprocess.run(["git", "diff", "--quiet", "--", "*.c", "*.h"], cwd=self.root,
                                      capture_output=True)
                if diff.returncode == 0:
                    ls = subprocess.run(["git", "ls-files", "-s", "-z", "--", "*.c", "*.h"], cwd=self.root,
                                        capture_output=True)
                    if ls.returncode == 0:
                        blobs: dict[str, str] = {}
                        for rec in ls.stdout.split(b"\0"):
                            meta, _, name = rec.partition(b"\t")
                            parts = meta.split()
                            if len(parts) == 3 and parts[0] != b"120000" and parts[2] == b"0":
                                blobs[name.decode("utf-8", "surrogateescape")] = parts[1].decode()
                        ident = "gitwt:" + hashlib.sha1(ls.stdout).hexdigest()
                        self._gitview = (ident, blobs)
        return self._gitview or None

    # A directory this small is searched in milliseconds: no persistent answers for it (and no
    # doubt about files rewritten within one mtime tick, as tests do).
    PERSIST_MIN_FILES = 2000
    RACY_SECONDS = 2.0  # a file modified this recently may change again unseen within its mtime

    def _persistent(self) -> bool:
        gv = self._git_view()
        if gv is not None:
            return len(gv[1]) >= self.PERSIST_MIN_FILES
        listing = self.listing()
        if len(listing) < self.PERSIST_MIN_FILES:
            return False
        newest = max((int(v.split()[1]) for v in listing.values()), default=0)
        return time.time_ns() - newest > self.RACY_SECONDS * 1e9

    def identity(self) -> str | None:
        """For a clean git checkout, a digest of the index's blob ids; else a fingerprint of
        path, size and mtime of every .c/.h file a search reads."""
        if self._ident is None:
            gv = self._git_view()
            self._ident = gv[0] if gv is not None else "dir:" + listing_identity(self.listing())
        return self._ident

    def _index_view(self) -> tuple[dict[str, str] | None, str]:
        gv = self._git_view()
        if gv is not None:
            return gv[1], "blob"
        return self.listing(), "stat"

    def _search(self, names: list[str]) -> dict[str, set[str]]:
        if (self.root / ".git").exists() and shutil.which("git"):
            out = _git_grep_names(self.root, names, rev=None)
            if out is not None:
                return out
        args = ["grep", "-r", "-H", "-o", "-w", "-F", "-I", "--include=*.c", "--include=*.h", "--exclude-dir=.git"]
        for n in names:
            args += ["-e", n]
        chunks = _grep_chunks(self.root)
        if not chunks:
            return {}

        def run(paths: list[str]) -> bytes:
            proc = subprocess.run([*args, "--", *paths], cwd=self.root, capture_output=True, env=_C_LOCALE)
            if proc.returncode not in (0, 1):
                raise InputError(f"grep failed: {proc.stderr.decode(errors='replace').strip()}", self.label)
            return proc.stdout

        # GNU grep uses one core: the tree is cut into interleaved chunks of second-level
        # directories, searched two at a time (4.5 s -> 2.4 s for 99 names over linux-6.12)
        workers = min(len(chunks), max(1, min(4, os.cpu_count() or 1)))
        with ThreadPoolExecutor(workers) as pool:
            out = b"".join(pool.map(run, chunks))
        return _parse_o(out, "", set(names))


def _grep_chunks(root: Path, parts: int = 16) -> list[list[str]]:
    """The tree's second-level directories and the .c/.h files above them, dealt round-robin
    into `parts` lists (neighbouring directories are alike in size, so the lists are too)."""
    items: list[str] = []
    try:
        top = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return [["."]]
    for e in top:
        if e.name.startswith("."):
            continue
        if e.is_dir(follow_symlinks=False):
            try:
                subs = sorted(os.scandir(e.path), key=lambda x: x.name)
            except OSError:
                continue
            for x in subs:
                # no symlinks: grep follows those named on its command line
                if x.is_dir(follow_symlinks=False) or (x.name.endswith(SOURCE_SUFFIXES)
                                                       and x.is_file(follow_symlinks=False)):
                    items.append(f"{e.name}/{x.name}")
        elif e.name.endswith(SOURCE_SUFFIXES) and e.is_file(follow_symlinks=False):
            items.append(e.name)
    return [c for c in (items[i::parts] for i in range(parts)) if c]


_C_LOCALE = {**os.environ, "LC_ALL": "C"}  # words are ASCII words, as `git grep -w` and the index see them


def _parse_o(out: bytes, prefix: str, names: set[str]) -> dict[str, set[str]]:
    """`path:match` lines of `grep -o` -> name -> paths."""
    found: dict[str, set[str]] = {}
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        if prefix and line.startswith(prefix):
            line = line[len(prefix):]
        path, _, match = line.rpartition(":")
        if not path or match not in names:
            continue
        if path.startswith("./"):
            path = path[2:]
        found.setdefault(match, set()).add(os.path.normpath(path))
    return found


def _git_grep_names(root: Path, names: list[str], rev: str | None) -> dict[str, set[str]] | None:
    args = ["git", "-c", "grep.threads=2", "grep", "-o", "-w", "-F", "-I", "--no-color"]
    for n in names:
        args += ["-e", n]
    if rev:
        args.append(rev)
    args += ["--", "*.c", "*.h"]
    proc = subprocess.run(args, cwd=root, capture_output=True, env=_C_LOCALE)
    if proc.returncode not in (0, 1):
        return None
    return _parse_o(proc.stdout, f"{rev}:" if rev else "", set(names))


def _git_grep(root: Path, names: list[str], rev: str | None) -> set[str] | None:
    """Files naming any of `names` (the per-name search is _git_grep_names)."""
    got = _git_grep_names(root, names, rev)
    if got is None:
        return None
    out: set[str] = set()
    for files in got.values():
        out |= files
    return out


class GitTree(_GrepLayers, SourceTree):
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
        self._some: dict[str, str | None] = {}  # blob ids of the paths prefetch() looked up
        self._batch: subprocess.Popen | None = None
        self._batch_lock = threading.Lock()
        self._init_grep()

    def identity(self) -> str | None:
        """The git tree id of the revision (names the content exactly)."""
        if self._ident is None:
            proc = subprocess.run(["git", "rev-parse", f"{self.rev}^{{tree}}"], cwd=self.root,
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                return None
            self._ident = "git:" + proc.stdout.strip()
        return self._ident

    def _index_view(self) -> tuple[dict[str, str] | None, str]:
        return {p: oid for p, oid in self._index().items() if p.endswith(SOURCE_SUFFIXES)}, "blob"

    def _search(self, names: list[str]) -> dict[str, set[str]]:
        # `git grep REV` inflates every blob; when the work tree holds exactly REV's .c/.h files
        # (checked from the index's stat data, well under a second) searching the files is
        # about twice as fast and gives the same answer.
        rev = None if self._worktree_is_rev() else self.rev
        out = _git_grep_names(self.root, names, rev=rev)
        if out is None:
            raise InputError("git grep failed", self.label)
        return out

    def _worktree_is_rev(self) -> bool:
        proc = subprocess.run(["git", "diff", "--quiet", self.rev, "--", "*.c", "*.h"], cwd=self.root,
                              capture_output=True)
        if proc.returncode != 0:
            return False
        # files git does not track are not searched either way; files it tracks but ignores
        # (`git add -f`) are, in both
        return True

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

    def prefetch(self, paths: Iterable[str]) -> None:
        """Blob ids of `paths` with one `git ls-tree` for just them: the whole listing costs a
        quarter of a second on the kernel, which a run that reads a few files need not pay."""
        if self._ids is not None:
            return
        rels = set()
        for p in paths:
            try:
                rels.add(safe_relpath(p))
            except UnsafePathError:  # refused when it is read, with the reason
                continue
        todo = sorted(rels - set(self._some))
        if not todo:
            return
        proc = subprocess.run(["git", "--literal-pathspecs", "ls-tree", "-z", self.rev, "--", *todo],
                              cwd=self.root, capture_output=True)
        if proc.returncode != 0:
            return
        found = dict.fromkeys(todo)
        for rec in proc.stdout.split(b"\0"):
            meta, _, name = rec.partition(b"\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == b"blob" and parts[0] != b"120000":
                found[name.decode("utf-8", "replace")] = parts[2].decode()
        self._some.update({k: v for k, v in found.items() if k in set(todo)})

    def digest(self, path: str) -> str | None:
        rel = safe_relpath(path)
        if self._ids is None:
            if rel not in self._some and len(self._some) < 400:
                self.prefetch([rel])  # a few files more (code frames of a stored run): one by one
            if rel in self._some:
                return self._some[rel]
        return self._index().get(rel)

    def read(self, path: str) -> bytes | None:
        oid = self.digest(path)
        if oid is None:
            return None
        with self._batch_lock:  # the grep thread may read files while the main thread does
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
