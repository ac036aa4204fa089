"""The whole-tree index: facts of every file (into the facts cache) and a name -> files index.

`kpatchlint index --tree DIR` reads every .c/.h file in a process pool (streaming: read, parse,
extract, drop), writes the facts to the facts cache (keyed by git blob id, so a later `check`
finds them whatever the file's path in a snapshot), and records for every identifier the files
that contain it as a whole word: exactly what `git grep -l -w -F NAME` answers (ASCII words,
as git grep and `LC_ALL=C grep -w` see them). A later `check` or `callgraph` on the same tree
takes the files of its changed names from there instead of searching the tree.

Freshness: the index remembers each file's blob id and its size and mtime. A tree whose listing
(or, for a git revision, whose blob ids) differs from the indexed one in a few files is answered
from the index plus those files read again; more differences mean the index is stale and the
caller searches the tree. Re-running `index` re-reads only the files whose size, mtime or blob
id changed; their names go to a small overlay table until the overlay grows past a quarter of
the files, when the name table is rebuilt.

Files that hold no function body, call or function-like macro (found by a cheap look, e.g. the
generated AMD register headers: license comment plus thousands of `#define`s) are not parsed;
their words are still indexed.

Storage: one SQLite file per tree under $XDG_CACHE_HOME/kpatchlint/index/ (WAL; written in
short transactions so a `check` can read while `index` runs); the grep cache
($XDG_CACHE_HOME/kpatchlint/grep.sqlite3) keeps `name -> files` answers of earlier searches,
keyed by tree identity.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
import warnings
import zlib
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kpatchlint import __version__
from kpatchlint.sqlitedb import connect

INDEX_SCHEMA = f"index-v1-{__version__}"
GREP_SCHEMA = "grep-v1"
MAX_OVERLAY_FILES = 3000  # a tree differing from the index in more files is searched instead
REBUILD_OVERLAY_SHARE = 0.25  # rebuild the name table when this share of files sits in the overlay

# ---------------------------------------------------------------------------------------------
# words: what `git grep -w` and `LC_ALL=C grep -w` call a word


def _word_table() -> bytes:
    word = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
    return bytes(b if b in word else 32 for b in range(256))


_WORDS = _word_table()


def tokens_of(data: bytes) -> set[bytes]:
    """The identifiers `data` holds as whole words (runs of [A-Za-z0-9_] not starting with a digit).

    NAME is in this set exactly when `git grep -w -F NAME` matches the file (for an identifier
    NAME). Files git treats as binary (a NUL byte in the first 8000 bytes) have no words.
    """
    if b"\0" in data[:8000]:
        return set()
    return {t for t in set(data.translate(_WORDS).split()) if t[0] > 64}


# ---------------------------------------------------------------------------------------------
# the cheap look


def worth_parsing(data: bytes) -> bool:
    """False for a file that cannot hold a function body, a call or a function-like macro:
    every `(` sits in a comment line or a preprocessor line other than a function-like `#define`.
    Conservative: anything unclear counts as worth parsing."""
    find, rfind = data.find, data.rfind
    i = find(b"(")
    while i >= 0:
        ls = rfind(b"\n", 0, i) + 1
        line = data[ls:i + 1].lstrip()
        if line.startswith((b"*", b"/*", b"//")):
            pass  # a comment line (a license header's "(the Software)")
        elif line.startswith(b"#"):
            head = line[1:].lstrip()
            if head.startswith(b"define"):
                rest = head[6:].lstrip()
                j = 0
                while j < len(rest) and (rest[j] == 95 or 48 <= rest[j] <= 57 or 65 <= rest[j] <= 90
                                         or 97 <= rest[j] <= 122):
                    j += 1
                if rest[j:j + 1] == b"(":
                    return True  # a function-like macro
        else:
            return True
        nl = find(b"\n", i)
        if nl < 0:
            return False
        i = find(b"(", nl)
    return False


# ---------------------------------------------------------------------------------------------
# file ids packed into blobs


def _pack(ids: Iterable[int]) -> bytes:
    a = array("I", sorted(ids))
    raw = a.tobytes()
    return zlib.compress(raw, 1) if len(raw) > 256 else b"R" + raw


def _unpack(blob: bytes) -> array:
    raw = blob[1:] if blob[:1] == b"R" else zlib.decompress(blob)
    a = array("I")
    a.frombytes(raw)
    return a


def _pack_paths(paths: Iterable[str]) -> bytes:
    return zlib.compress("\n".join(sorted(paths)).encode("utf-8", "surrogateescape"), 1)


def _unpack_paths(blob: bytes) -> set[str]:
    text = zlib.decompress(blob).decode("utf-8", "surrogateescape")
    return set(text.split("\n")) if text else set()


# ---------------------------------------------------------------------------------------------
# the grep cache


class GrepCache:
    """`name -> files` answers of earlier searches, keyed by the identity of the searched tree."""

    KEEP_IDENTITIES = 16

    def __init__(self, directory: Path) -> None:
        self.path = directory / "grep.sqlite3"
        self._db = connect(self.path, "grep cache", GREP_SCHEMA, self._create)

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS grep (ident TEXT, name TEXT, files BLOB, PRIMARY KEY (ident, name))"
                   " WITHOUT ROWID")
        db.execute("CREATE TABLE IF NOT EXISTS idents (ident TEXT PRIMARY KEY, used REAL)")

    def get_many(self, ident: str, names: Iterable[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        names = list(names)
        try:
            for i in range(0, len(names), 500):
                part = names[i:i + 500]
                q = "SELECT name, files FROM grep WHERE ident=? AND name IN (%s)" % ",".join("?" * len(part))
                for name, blob in self._db.execute(q, [ident, *part]):
                    out[name] = _unpack_paths(blob)
        except (sqlite3.DatabaseError, zlib.error):
            return {}
        return out

    def put_many(self, ident: str, found: dict[str, set[str]]) -> None:
        if not found:
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO grep VALUES (?, ?, ?)",
                                     [(ident, n, _pack_paths(f)) for n, f in found.items()])
                self._db.execute("INSERT OR REPLACE INTO idents VALUES (?, ?)", (ident, time.time()))
                old = [r[0] for r in self._db.execute(
                    "SELECT ident FROM idents ORDER BY used DESC LIMIT -1 OFFSET ?", (self.KEEP_IDENTITIES,))]
                for o in old:
                    self._db.execute("DELETE FROM grep WHERE ident=?", (o,))
                    self._db.execute("DELETE FROM idents WHERE ident=?", (o,))
        except sqlite3.DatabaseError as exc:
            warnings.warn(f"could not write grep cache: {exc}")

    def close(self) -> None:
        self._db.close()


# ---------------------------------------------------------------------------------------------
# the name index


def index_path(cache_dir: Path, root: Path) -> Path:
    key = hashlib.sha1(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_dir / "index" / f"{key}.sqlite3"


@dataclass
class FileRow:
    fid: int
    path: str
    blob: str
    stat: str  # "size mtime" as the tree listing gives it
    state: int  # 0: facts in the facts cache, 1: skipped by the cheap look, 2: unreadable
    layer: int  # 0: words in `postings`, 1: words in `overlay`, -1: deleted


class NameIndex:
    """Read side of a tree's index (and the write side used by `build_index`)."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path
        self._files: dict[str, FileRow] | None = None

    @classmethod
    def open(cls, cache_dir: Path, root: Path, create: bool = False) -> "NameIndex | None":
        path = index_path(cache_dir, root)
        db = connect(path, "name index", INDEX_SCHEMA, cls._create, timeout=60, readonly=not create)
        if db is None:
            return None
        return cls(db, path)

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS files (fid INTEGER PRIMARY KEY, path TEXT UNIQUE, blob TEXT, "
                   "stat TEXT, state INT, layer INT)")
        db.execute("CREATE TABLE IF NOT EXISTS postings (name TEXT PRIMARY KEY, fids BLOB) WITHOUT ROWID")
        db.execute("CREATE TABLE IF NOT EXISTS overlay (name TEXT, fid INT, PRIMARY KEY (name, fid)) WITHOUT ROWID")

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT v FROM meta WHERE k=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, **kv: str) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(kv.items()))

    @property
    def complete(self) -> bool:
        """True once a whole-tree index run finished (not one limited to some paths)."""
        return self.meta("complete") == "1"

    def files(self) -> dict[str, FileRow]:
        if self._files is None:
            self._files = {r[1]: FileRow(*r) for r in self.db.execute(
                "SELECT fid, path, blob, stat, state, layer FROM files")}
        return self._files

    def lookup(self, names: Iterable[str]) -> dict[str, set[str]]:
        """Indexed files holding each name as a whole word (files of the overlay count through
        their overlay rows only; deleted files not at all)."""
        names = sorted(set(names))
        by_fid = {r.fid: r for r in self.files().values()}
        out: dict[str, set[str]] = {n: set() for n in names}
        for i in range(0, len(names), 500):
            part = names[i:i + 500]
            marks = ",".join("?" * len(part))
            for name, blob in self.db.execute(f"SELECT name, fids FROM postings WHERE name IN ({marks})", part):
                hit = out[name]
                for fid in _unpack(blob):
                    r = by_fid.get(fid)
                    if r is not None and r.layer == 0:
                        hit.add(r.path)
            for name, fid in self.db.execute(f"SELECT name, fid FROM overlay WHERE name IN ({marks})", part):
                r = by_fid.get(fid)
                if r is not None and r.layer == 1:
                    out[name].add(r.path)
        return out

    def close(self) -> None:
        self.db.close()


# ---------------------------------------------------------------------------------------------
# answering `grep` from the index for a tree that may differ from the indexed one in a few files


@dataclass
class IndexAnswer:
    found: dict[str, set[str]]
    reread: int  # files read again because they differ from the indexed version


def answer_from_index(index: NameIndex, names: Iterable[str], current: dict[str, str] | None,
                      key: str, read: Callable[[str], bytes | None],
                      max_changed: int = MAX_OVERLAY_FILES) -> IndexAnswer | None:
    """`name -> files` for the tree described by `current` (path -> blob id when `key` is "blob",
    path -> "size mtime" when `key` is "stat"), or None when the index cannot answer (not a
    whole-tree index, or too many files differ)."""
    # one read transaction: a concurrent `kpatchlint index` commits in steps, this sees one state
    index.db.execute("BEGIN")
    try:
        return _answer(index, names, current, key, read, max_changed)
    finally:
        index.db.execute("COMMIT")


def _answer(index: NameIndex, names: Iterable[str], current: dict[str, str] | None, key: str,
            read: Callable[[str], bytes | None], max_changed: int) -> IndexAnswer | None:
    if not index.complete:
        return None
    rows = index.files()
    changed: list[str] = []
    live = {p for p, r in rows.items() if r.layer >= 0}
    if current is not None:
        for p, v in current.items():
            r = rows.get(p)
            if r is None or r.layer < 0 or (r.blob if key == "blob" else r.stat) != v:
                changed.append(p)
        gone = live - set(current)
        if len(changed) + len(gone) > max_changed:
            return None
    else:
        gone = set()
    names = set(names)
    found = index.lookup(names)
    stale = set(changed) | gone
    if stale:
        for n in names:
            found[n] -= stale
        want = {n.encode() for n in names}
        for p in changed:
            data = read(p)
            if data is None:
                continue
            hit = want & tokens_of(data)
            for n in hit:
                found[n.decode()].add(p)
    return IndexAnswer(found, len(changed))


# ---------------------------------------------------------------------------------------------
# building


@dataclass
class IndexStats:
    files: int = 0
    parsed: int = 0
    parsed_bytes: int = 0
    cached: int = 0
    skipped: int = 0
    skipped_bytes: int = 0
    unchanged: int = 0
    failed: int = 0
    names: int = 0
    bytes: int = 0
    seconds: float = 0.0
    rebuilt_names: bool = False
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.files} files ({self.bytes / 1e6:.0f} MB): {self.parsed} parsed "
                f"({self.parsed_bytes / 1e6:.0f} MB), {self.cached} facts already cached, {self.skipped} skipped "
                f"by the cheap look ({self.skipped_bytes / 1e6:.0f} MB), {self.unchanged} unchanged, "
                f"{self.failed} unreadable; {self.names} names; {self.seconds:.1f} s")


def _worker_init(cache_dir: str | None) -> None:
    global _W_CACHE
    _W_CACHE = None
    if cache_dir is not None:
        try:
            from kpatchlint.cache import FactsCache

            _W_CACHE = FactsCache(Path(cache_dir))
        except Exception:  # the main process reports cache trouble; workers just parse
            _W_CACHE = None


_W_CACHE = None


def _index_job(job: tuple[str, str, bool]) -> tuple:
    """Read one file, look at it, maybe parse it. Returns
    (path, blob, state, facts blob or None, size, words joined by \\n, parsed?)."""
    root, path, want_words = job
    from kpatchlint.c.extract import extract_facts
    from kpatchlint.c.serialize import dumps
    from kpatchlint.tree.source import blob_id

    try:
        with open(os.path.join(root, path), "rb") as fh:
            data = fh.read()
    except OSError:
        return (path, "", 2, None, 0, b"", False)
    blob = blob_id(data)
    words = b"\n".join(tokens_of(data)) if want_words else b""
    if not worth_parsing(data):
        return (path, blob, 1, None, len(data), words, False)
    cache = _W_CACHE
    if cache is not None and cache.has(path, blob):
        return (path, blob, 0, None, len(data), words, False)
    try:
        facts = extract_facts(path, data, blob)
    except Exception:  # a file tree-sitter chokes on: its words still count
        return (path, blob, 2, None, len(data), words, False)
    return (path, blob, 0, dumps(facts), len(data), words, True)


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == x or path.startswith(x + "/") for x in prefixes)


def build_index(root: Path, cache_dir: Path, jobs: int | None = None, paths: Iterable[str] = (),
                progress: Callable[[int, int, int], None] | None = None) -> IndexStats:
    """Index `root`: facts of every .c/.h file into the facts cache, words into the name index.

    With `paths`, only the facts of the files under them (the name index is a whole-tree thing).
    `progress(done, total, bytes)` is called as files complete.
    """
    from concurrent.futures import ProcessPoolExecutor

    from kpatchlint.cache import FactsCache
    from kpatchlint.tree.source import listing_identity, tree_listing

    t0 = time.monotonic()
    root = root.resolve()
    prefixes = tuple(p.strip("/") for p in paths if p.strip("/"))
    stats = IndexStats()
    facts_cache = FactsCache(cache_dir)
    listing = tree_listing(root)
    whole = not prefixes
    index = NameIndex.open(cache_dir, root, create=True) if whole else None
    if not whole:
        listing = {p: v for p, v in listing.items() if _under(p, prefixes)}
    stats.files = len(listing)
    stats.bytes = sum(int(v.split()[0]) for v in listing.values())
    rows = index.files() if index is not None else {}
    rebuild = False
    gone: list[str] = []
    if index is not None:
        todo = [p for p, st in listing.items()
                if p not in rows or rows[p].stat != st or rows[p].layer < 0 or rows[p].state == 2]
        gone = [p for p, r in rows.items() if r.layer >= 0 and p not in listing]
        live = sum(1 for r in rows.values() if r.layer >= 0)
        overlay = sum(1 for r in rows.values() if r.layer == 1)
        rebuild = not index.complete or overlay + len(todo) + len(gone) > REBUILD_OVERLAY_SHARE * max(live, 1)
        if rebuild:
            todo = list(listing)
        stats.unchanged = len(listing) - len(todo) if not rebuild else 0
    else:
        todo = list(listing)
    stats.rebuilt_names = rebuild
    sizes = {p: int(listing[p].split()[0]) for p in todo}
    todo.sort(key=lambda p: -sizes[p])  # biggest first: the pool stays busy to the end
    jobs = jobs or os.cpu_count() or 1
    db = index.db if index is not None else None
    postings: dict[bytes, array | int] = {}
    file_rows: list[tuple] = []
    overlay_rows: list[tuple] = []
    facts_rows: list[tuple[str, str, bytes]] = []
    next_fid = 1
    if db is not None:
        with db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('complete', ?)", ("0" if rebuild else "1",))
            if rebuild:
                db.execute("DELETE FROM files")
                db.execute("DELETE FROM postings")
                db.execute("DELETE FROM overlay")
                rows = {}
            else:
                next_fid = (db.execute("SELECT max(fid) FROM files").fetchone()[0] or 0) + 1
                for p in todo + gone:
                    r = rows.get(p)
                    if r is not None:
                        db.execute("DELETE FROM overlay WHERE fid=?", (r.fid,))
                for p in gone:
                    db.execute("UPDATE files SET layer=-1 WHERE path=?", (p,))

    def flush() -> None:
        if facts_rows:
            facts_cache.put_raw(facts_rows)
            facts_rows.clear()
        if db is not None and (file_rows or overlay_rows):
            with db:
                db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)", file_rows)
                db.executemany("INSERT OR IGNORE INTO overlay VALUES (?, ?)", overlay_rows)
            file_rows.clear()
            overlay_rows.clear()

    work = [(str(root), p, db is not None) for p in todo]
    pool = None
    if jobs > 1 and len(work) > 8:
        pool = ProcessPoolExecutor(jobs, initializer=_worker_init, initargs=(str(cache_dir),))
        results: Iterator[tuple] = pool.map(_index_job, work, chunksize=4)
    else:
        _worker_init(str(cache_dir))
        results = map(_index_job, work)
    done = done_bytes = 0
    try:
        for path, blob, state, fblob, size, words, parsed in results:
            done += 1
            done_bytes += size
            if state == 1:
                stats.skipped += 1
                stats.skipped_bytes += size
            elif state == 2:
                stats.failed += 1
                stats.errors.append(path)
            elif parsed:
                stats.parsed += 1
                stats.parsed_bytes += size
            else:
                stats.cached += 1
            if fblob is not None:
                facts_rows.append((blob, path, fblob))
            if db is not None:
                r = rows.get(path)
                if r is not None:
                    fid = r.fid
                else:
                    fid = next_fid
                    next_fid += 1
                file_rows.append((fid, path, blob, listing[path], state, 0 if rebuild else 1))
                if words:
                    if rebuild:
                        # most names live in one file: a bare int until a second file shows up
                        get = postings.get
                        for w in words.split(b"\n"):
                            a = get(w)
                            if a is None:
                                postings[w] = fid
                            elif a.__class__ is int:
                                postings[w] = array("I", (a, fid))
                            else:
                                a.append(fid)
                    else:
                        overlay_rows.extend((w.decode("utf-8", "surrogateescape"), fid) for w in words.split(b"\n"))
            if len(facts_rows) >= 200 or len(file_rows) >= 2000 or len(overlay_rows) >= 50000:
                flush()
            if progress is not None:
                progress(done, len(work), done_bytes)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    flush()
    if db is not None and index is not None:
        with db:
            if rebuild:
                db.executemany("INSERT INTO postings VALUES (?, ?)",
                               ((w.decode("utf-8", "surrogateescape"), _pack((a,) if a.__class__ is int else a))
                                for w, a in postings.items()))
                stats.names = len(postings)
            else:
                stats.names = int(index.meta("names") or 0)
            index.set_meta(root=str(root), built=str(time.time()), names=str(stats.names), complete="1",
                           listing=listing_identity(listing))
        postings.clear()
        index.close()
    facts_cache.close()
    stats.seconds = time.monotonic() - t0
    return stats


def rich_progress(enabled: bool):
    """A `progress(done, total, bytes)` callback drawing a rich bar on stderr, and a closer."""
    if not enabled:
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    prog = Progress(TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[mb]} MB"),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=Console(file=sys.stderr),
                    transient=True)
    prog.start()
    task = prog.add_task("index", total=None, mb="0")
    last = [0.0]

    def cb(done: int, total: int, nbytes: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1 and done != total:
            return
        last[0] = now
        prog.update(task, completed=done, total=total, mb=f"{nbytes / 1e6:.0f}")

    return cb, prog.stop


def run_git(root: Path, *args: str) -> str | None:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True)
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "surrogateescape")
