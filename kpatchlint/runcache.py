"""Results of whole `check` runs, kept in the facts cache and reused when nothing changed.

A pre-send hook or `b4 prep --check` often runs right after the same `kpatchlint check` by
hand: the same series, the same tree, the same settings. The run's findings are stored under
a key made of everything they depend on, so such a run costs reading the series, applying it
(for the code frames) and the tree's identity:

- kpatchlint's own code (path, size and mtime of every module and shipped rule file);
- the settings that change findings (rules, severities, fail-on, protocols and their text,
  the baseline's text, every `KPATCHLINT_*` variable such as the limits);
- the whole series as parsed (every patch, its notes where suppressions live, every hunk);
- the tree's identity, the one the grep cache uses: the tree id of `--base REV`, the index
  blob ids of a clean git checkout, or path, size and mtime of every .c/.h file of a plain
  directory. A tree without a trustworthy identity (small directories, files modified in the
  last two seconds) is never served from here.

Findings are stored as plain JSON (never pickled); a damaged entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

from kpatchlint.findings import Finding, Label, Severity
from kpatchlint.location import Confidence, Location

KEEP = 32  # runs kept; the oldest are dropped
_PKG = Path(__file__).resolve().parent


def _code_digest() -> str:
    h = hashlib.sha256()
    for p in sorted(_PKG.rglob("*")):
        if p.suffix in (".py", ".yaml", ".scm") and "__pycache__" not in p.parts:
            st = p.stat()
            h.update(f"{p.relative_to(_PKG)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _file_text(p: Path | None) -> str:
    if p is None:
        return ""
    try:
        return Path(p).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "\0unreadable"


def run_key(series, tree, settings) -> str | None:
    """The key of this run, or None when its inputs cannot be pinned down cheaply and surely."""
    if tree is None or not getattr(tree, "memoizes_grep", False):
        return None
    try:
        if not tree._persistent():  # type: ignore[attr-defined]
            return None
        ident = tree.identity()  # type: ignore[attr-defined]
    except Exception:  # an identity that cannot be had: no reuse
        return None
    if not ident:
        return None
    relevant = {k: v for k, v in vars(settings).items() if k not in ("cache", "cache_dir", "jobs", "timeout")}
    h = hashlib.sha256()
    for part in (_code_digest(), repr(sorted(relevant.items(), key=lambda kv: kv[0])),
                 *(_file_text(p) for p in settings.protocol_files), _file_text(settings.baseline),
                 repr(series), ident,
                 repr(sorted((k, v) for k, v in os.environ.items() if k.startswith("KPATCHLINT_")))):
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0\1")
    return h.hexdigest()


# --------------------------------------------------------------------------- (de)serialising

def _loc(loc: Location | None) -> list | None:
    return None if loc is None else [loc.path, loc.line, loc.col, loc.end_line]


def _unloc(r: list | None) -> Location | None:
    return None if r is None else Location(r[0], r[1], r[2], r[3])


def finding_record(f: Finding) -> list:
    return [f.code, f.name, f.message, int(f.severity), int(f.confidence), _loc(f.primary), f.key, f.function,
            f.note, [[_loc(lab.location), lab.message] for lab in f.labels], f.patch, f.total, f.pre_existing,
            f.repaired_by, f.patch_subject, f.at, [list(x) for x in f.extra]]


def finding_from_record(r: list) -> Finding:
    return Finding(
        code=r[0], name=r[1], message=r[2], severity=Severity(r[3]), confidence=Confidence(r[4]),
        primary=_unloc(r[5]), key=r[6], function=r[7], note=r[8],
        labels=tuple(Label(_unloc(loc), msg) for loc, msg in r[9]),  # type: ignore[arg-type]
        patch=r[10], total=r[11], pre_existing=r[12], repaired_by=r[13], patch_subject=r[14], at=r[15],
        extra=tuple(tuple(x) for x in r[16]),  # type: ignore[misc]
    )


# --------------------------------------------------------------------------- the table

def _table(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, data BLOB, used REAL)")


def load(db: sqlite3.Connection, key: str) -> tuple[list[Finding], list[str], dict] | None:
    try:
        _table(db)
        row = db.execute("SELECT data FROM runs WHERE key=?", (key,)).fetchone()
        if row is None:
            return None
        doc = json.loads(row[0])
        out = ([finding_from_record(r) for r in doc["findings"]], list(doc["problems"]), dict(doc["stats"]))
        with db:
            db.execute("UPDATE runs SET used=? WHERE key=?", (time.time(), key))
        return out
    except (sqlite3.DatabaseError, ValueError, KeyError, TypeError, IndexError):
        return None


def store(db: sqlite3.Connection, key: str, findings: list[Finding], problems: list[str], stats: dict) -> None:
    data = json.dumps({"findings": [finding_record(f) for f in findings], "problems": problems, "stats": stats},
                      separators=(",", ":"))
    try:
        _table(db)
        with db:
            db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?)", (key, data, time.time()))
            db.execute("DELETE FROM runs WHERE key IN (SELECT key FROM runs ORDER BY used DESC LIMIT -1 OFFSET ?)",
                       (KEEP,))
    except sqlite3.DatabaseError:
        pass  # a cache that cannot be written never stops a run
