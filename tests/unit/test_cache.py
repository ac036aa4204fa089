"""The persistent facts cache: location, WAL, damaged or foreign files, concurrent writers, --no-cache."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from kpatchlint.c.extract import extract_facts
from kpatchlint.c.serialize import dumps
from kpatchlint.cache import SCHEMA, FactsCache, default_cache_dir
from kpatchlint.indexer import GrepCache
from kpatchlint.tree.source import blob_id

SRC = b"""
#include <linux/swap.h>
/**
 * frob - do it
 * @x: the thing
 */
static int frob(int x)
{
\treturn helper(x, 2);
}
"""


def _facts(path: str = "mm/frob.c", src: bytes = SRC):
    return extract_facts(path, src, blob_id(src))


def test_default_dir_follows_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "kpatchlint"
    c = FactsCache()
    assert c.path == tmp_path / "xdg" / "kpatchlint" / "facts.sqlite3"
    c.close()
    assert c.path.exists()


def test_default_dir_without_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / ".cache" / "kpatchlint"


def test_roundtrip_is_keyed_by_blob_id_and_path(tmp_path):
    c = FactsCache(tmp_path)
    f = _facts()
    c.put_many([f])
    assert c.get("mm/frob.c", f.digest) == f
    assert c.get("mm/other.c", f.digest) is None  # facts name their file: the path is part of the key
    assert c.get("mm/frob.c", blob_id(b"x")) is None
    assert c.has("mm/frob.c", f.digest) and not c.has("mm/frob.c", "0" * 40)
    c.close()


def test_put_raw_matches_put_many(tmp_path):
    c = FactsCache(tmp_path)
    f = _facts()
    c.put_raw([(f.digest, f.path, dumps(f))])
    assert c.get(f.path, f.digest) == f
    c.close()


def test_wal_mode(tmp_path):
    c = FactsCache(tmp_path)
    c.put_many([_facts()])
    mode = sqlite3.connect(c.path).execute("PRAGMA journal_mode").fetchone()[0]
    c.close()
    assert mode.lower() == "wal"


def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "facts.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.warns(UserWarning, match="unreadable"):
        c = FactsCache(tmp_path)
    assert (tmp_path / "facts.sqlite3.bad").exists()
    f = _facts()
    c.put_many([f])
    assert c.get(f.path, f.digest) == f
    c.close()


def test_other_version_is_moved_aside_and_rebuilt(tmp_path):
    c = FactsCache(tmp_path)
    f = _facts()
    c.put_many([f])
    c._db.execute("UPDATE meta SET v='facts-v0-ancient' WHERE k='schema'")
    c._db.commit()
    c.close()
    with pytest.warns(UserWarning, match="another version"):
        c = FactsCache(tmp_path)
    assert c.get(f.path, f.digest) is None  # rebuilt empty
    assert c._db.execute("SELECT v FROM meta WHERE k='schema'").fetchone()[0] == SCHEMA
    c.close()
    assert (tmp_path / "facts.sqlite3.bad").exists()


def test_damaged_row_is_a_miss(tmp_path):
    c = FactsCache(tmp_path)
    f = _facts()
    c.put_raw([(f.digest, f.path, b"garbage")])
    assert c.get(f.path, f.digest) is None
    c.close()


def _writer(args: tuple[str, int]) -> int:
    directory, k = args
    c = FactsCache(Path(directory))
    n = 0
    for i in range(40):
        src = SRC + f"int w{k}_{i}(void) {{ return {i}; }}\n".encode()
        c.put_many([extract_facts(f"mm/w{k}.c", src, blob_id(src))])
        n += 1
    c.close()
    return n


def test_two_processes_writing_at_once(tmp_path):
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters, as two `kpatchlint` runs would be
    with ctx.Pool(2) as pool:
        done = pool.map(_writer, [(str(tmp_path), 0), (str(tmp_path), 1)])
    assert done == [40, 40]
    c = FactsCache(tmp_path)
    assert c._db.execute("SELECT count(*) FROM facts").fetchone()[0] == 80
    c.close()
    assert not (tmp_path / "facts.sqlite3.bad").exists()


def test_two_processes_creating_the_cache_at_once(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        done = pool.map(_writer, [(str(tmp_path / "new"), 0), (str(tmp_path / "new"), 1)])
    assert done == [40, 40]
    assert not (tmp_path / "new" / "facts.sqlite3.bad").exists()


def test_grep_cache_roundtrip_and_pruning(tmp_path):
    g = GrepCache(tmp_path)
    g.put_many("git:aaa", {"foo": {"mm/a.c", "mm/b.h"}, "bar": set()})
    assert g.get_many("git:aaa", ["foo", "bar", "baz"]) == {"foo": {"mm/a.c", "mm/b.h"}, "bar": set()}
    assert g.get_many("git:bbb", ["foo"]) == {}
    for i in range(GrepCache.KEEP_IDENTITIES + 2):
        g.put_many(f"dir:{i}", {"x": {"f.c"}})
    assert g.get_many("git:aaa", ["foo"]) == {}  # the oldest identities are dropped
    assert g.get_many(f"dir:{GrepCache.KEEP_IDENTITIES + 1}", ["x"]) == {"x": {"f.c"}}
    g.close()


def test_grep_cache_corrupt_is_rebuilt(tmp_path):
    (tmp_path / "grep.sqlite3").write_bytes(b"\0garbage" * 64)
    with pytest.warns(UserWarning, match="unreadable"):
        g = GrepCache(tmp_path)
    g.put_many("git:a", {"n": {"x.c"}})
    assert g.get_many("git:a", ["n"]) == {"n": {"x.c"}}
    g.close()


SERIES = Path(__file__).resolve().parents[2] / "fixtures" / "series" / "swap-stale" / "series.mbox"
TREE = Path(__file__).resolve().parents[2] / "fixtures" / "trees" / "swap"


@pytest.mark.skipif(not SERIES.exists() or not TREE.exists(), reason="swap fixtures missing")
def test_no_cache_writes_nothing(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "kpatchlint", "check", str(SERIES), "--tree", str(TREE),
                           "--no-cache", "--quiet"], capture_output=True, env=env)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert not (tmp_path / "xdg" / "kpatchlint" / "facts.sqlite3").exists()
    assert not (tmp_path / "xdg" / "kpatchlint" / "grep.sqlite3").exists()
    proc = subprocess.run([sys.executable, "-m", "kpatchlint", "check", str(SERIES), "--tree", str(TREE),
                           "--quiet"], capture_output=True, env=env)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert (tmp_path / "xdg" / "kpatchlint" / "facts.sqlite3").exists()


def test_cache_open_does_not_warn_when_healthy(tmp_path):
    FactsCache(tmp_path).close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FactsCache(tmp_path).close()
