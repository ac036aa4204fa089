"""Opening kpatchlint's SQLite files (facts cache, grep cache, name index): WAL, versioned, healed.

Two runs may create or open the same file at once. SQLite's busy handler does not cover every
lock taken while a connection is set up (switching to WAL needs an exclusive lock and fails at
once with "database is locked" while another connection is creating the file), so the whole
setup is retried until `timeout` runs out. A file written by another version or one SQLite
cannot read is moved aside (`.bad`) and rebuilt with a warning; a lock held past the timeout is
an error, never a reason to drop somebody's cache.
"""

from __future__ import annotations

import random
import sqlite3
import time
import warnings
from pathlib import Path
from typing import Callable


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


def move_aside(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.replace(Path(str(p) + ".bad"))


def connect(path: Path, what: str, schema: str, create: Callable[[sqlite3.Connection], None],
            *, timeout: float = 30.0, readonly: bool = False) -> sqlite3.Connection | None:
    """Open (or create) `path` in WAL mode with tables made by `create`.

    None when `readonly` and the file does not exist."""
    if readonly and not path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    healed = False
    while True:
        db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            with db:
                db.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
                row = db.execute("SELECT v FROM meta WHERE k='schema'").fetchone()
                if row is None:
                    create(db)
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (schema,))
            if row is not None and row[0] != schema:
                db.close()
                if healed:
                    raise sqlite3.DatabaseError(f"{what} {path} keeps another version's schema")
                warnings.warn(f"{what} {path} is from another version ({row[0]}); rebuilding")
                move_aside(path)
                healed = True
                continue
            return db
        except sqlite3.DatabaseError as exc:
            if db is not None:
                db.close()
            if is_busy(exc):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02 + random.random() * 0.08)
                continue
            if healed:
                raise
            warnings.warn(f"{what} {path} is unreadable ({exc}); rebuilding")
            move_aside(path)
            healed = True
