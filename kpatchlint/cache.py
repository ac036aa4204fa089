"""Persistent cache of extracted facts in SQLite, keyed by git blob id (or content digest).

Safe with two runs at once (WAL, short transactions); a corrupt database or one written by
another version is moved aside and rebuilt with a warning.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import warnings
from pathlib import Path

from kpatchlint import __version__
from kpatchlint.c.model import FileFacts
from kpatchlint.c.serialize import dumps, loads
from kpatchlint.sqlitedb import connect

def _extraction_digest() -> str:
    """Facts depend on the extractor's code: any change to it is another schema."""
    import hashlib

    here = Path(__file__).resolve().parent / "c"
    h = hashlib.sha1()
    for p in sorted([*here.glob("queries/*.scm"), *(here / n for n in _EXTRACTION)]):
        if p.exists():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


# the modules that turn source into FileFacts (the rest of kpatchlint.c reads source on demand)
_EXTRACTION = ("extract.py", "parser.py", "kerneldoc.py", "text.py", "cond.py", "model.py", "serialize.py")


SCHEMA = f"facts-v3-{__version__}-{_extraction_digest()}"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kpatchlint"


class FactsCache:
    """get/put FileFacts by (path, digest); path is part of the key since facts name their file."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or default_cache_dir()
        self.path = self.directory / "facts.sqlite3"
        self._lock = threading.Lock()
        self._db = self._open()
        self.hits = 0
        self.misses = 0

    def _open(self) -> sqlite3.Connection:
        db = connect(self.path, "facts cache", SCHEMA, self._create)
        assert db is not None
        return db

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS facts (digest TEXT, path TEXT, data BLOB, PRIMARY KEY (digest, path))")

    def get(self, path: str, digest: str) -> FileFacts | None:
        with self._lock:
            try:
                row = self._db.execute("SELECT data FROM facts WHERE digest=? AND path=?", (digest, path)).fetchone()
            except sqlite3.DatabaseError:
                row = None
        if row is None:
            self.misses += 1
            return None
        try:
            facts = loads(path, digest, row[0])
        except Exception:  # a damaged row: recompute
            self.misses += 1
            return None
        self.hits += 1
        return facts

    def has(self, path: str, digest: str) -> bool:
        """Whether facts for (path, digest) are stored (without decoding them)."""
        with self._lock:
            try:
                return self._db.execute("SELECT 1 FROM facts WHERE digest=? AND path=?",
                                        (digest, path)).fetchone() is not None
            except sqlite3.DatabaseError:
                return False

    def put_raw(self, rows: list[tuple[str, str, bytes]]) -> None:
        """Store already serialised facts: (digest, path, serialize.dumps(facts)) rows."""
        if not rows:
            return
        with self._lock:
            try:
                self._db.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?, ?)", rows)
                self._db.commit()
            except sqlite3.DatabaseError as exc:
                warnings.warn(f"could not write facts cache: {exc}")

    def put_many(self, items: list[FileFacts]) -> None:
        if not items:
            return
        rows = [(f.digest, f.path, dumps(f)) for f in items]
        with self._lock:
            try:
                self._db.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?, ?)", rows)
                self._db.commit()
            except sqlite3.DatabaseError as exc:
                warnings.warn(f"could not write facts cache: {exc}")

    def load_run(self, key: str):
        """A whole run's stored results (kpatchlint.runcache), or None."""
        from kpatchlint import runcache

        with self._lock:
            return runcache.load(self._db, key)

    def store_run(self, key: str, findings, problems, stats) -> None:
        from kpatchlint import runcache

        with self._lock:
            runcache.store(self._db, key, findings, problems, stats)

    def close(self) -> None:
        with self._lock:
            self._db.close()
