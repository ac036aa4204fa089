"""Resource limits: documented defaults, clear one-line errors, recorded problems when the run can
go on, the whole-run time limit, and a garbage facts cache end to end."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import fields
from pathlib import Path

import pytest

from kpatchlint import limits
from kpatchlint.engine import lint_series
from kpatchlint.errors import InputError
from kpatchlint.limits import Limits, LimitError, RunTimeout
from kpatchlint.series import load_series, parse_subject, series_from_bytes
from kpatchlint.series.model import Hunk, HunkLine
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree
from kpatchlint.tree.apply import apply_full
from tests.robust.clihelp import CLEAN, REPO, STALE, SWAP, assert_clean_exit, mail, run

DIFF = "diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n"


def test_every_limit_is_documented_with_its_default() -> None:
    doc = (REPO / "docs" / "security.md").read_text()
    for f in fields(Limits):
        var = f"KPATCHLINT_{f.name.upper()}"
        assert var in doc, f"{var} is not in docs/security.md"
        default = getattr(Limits(), f.name)
        shown = limits.human(default) if f.name.endswith("_bytes") else (f"{default:,}" if default else "0")
        row = next(ln for ln in doc.splitlines() if var in ln and ln.startswith("|"))
        assert shown in row or str(default) in row, (var, shown, row)


def test_limits_from_the_environment() -> None:
    lim = Limits.from_env({"KPATCHLINT_MAX_INPUT_BYTES": "1G", "KPATCHLINT_MAX_MESSAGES": "10",
                           "KPATCHLINT_TIMEOUT": "2.5", "KPATCHLINT_MAX_FILE_BYTES": "64KiB"})
    assert (lim.max_input_bytes, lim.max_messages, lim.timeout, lim.max_file_bytes) == (1 << 30, 10, 2.5, 65536)
    for bad in ("lots", "-1", "nan", "1e999"):
        with pytest.raises(InputError, match="KPATCHLINT_MAX_MESSAGES"):
            Limits.from_env({"KPATCHLINT_MAX_MESSAGES": bad})


def test_too_large_input_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.mbox"
    big.write_bytes(STALE.read_bytes())
    with limits.use(max_input_bytes=1000):
        with pytest.raises(LimitError) as info:
            load_series(big)
    msg = str(info.value)
    assert "input is too large" in msg and "KPATCHLINT_MAX_INPUT_BYTES" in msg and str(big) in msg
    with limits.use(max_input_bytes=1000), pytest.raises(LimitError):
        series_from_bytes(STALE.read_bytes(), "stdin")


@pytest.mark.parametrize("name, value, data, what", [
    ("max_messages", 2, STALE.read_bytes(), "too many messages"),
    ("max_message_bytes", 500, STALE.read_bytes(), "mail is too large"),
    ("max_hunk_lines", 1, mail(DIFF.replace("@@ -1 +1 @@\n-a\n+b", "@@ -1,2 +1,2 @@\n-a\n-b\n+c\n+d")),
     "hunk is too long"),
    ("max_files_per_patch", 1, mail(DIFF + DIFF.replace("x.c", "y.c")), "too many files"),
    ("max_diff_lines", 3, mail(DIFF), "diff is too long"),
    ("max_mime_depth", 1, (b'From: a@x\nSubject: [PATCH] x\nContent-Type: multipart/mixed; boundary="a"\n\n--a\n'
                           b'Content-Type: multipart/mixed; boundary="b"\n\n--b\n\nx\n--b--\n--a--\n'),
     "multipart containers"),
])
def test_limit_errors_are_one_clear_line(name: str, value: int, data: bytes, what: str) -> None:
    with limits.use(**{name: value}), pytest.raises(InputError) as info:
        series_from_bytes(data, "in.mbox")
    msg = str(info.value)
    assert what in msg and "\n" not in msg
    assert f"KPATCHLINT_{name.upper()}" in msg


def test_deeply_nested_mime_without_the_depth_limit_is_an_input_error() -> None:
    depth = 400
    head = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(depth))
    with limits.use(max_mime_depth=0), pytest.raises(InputError, match="nested too deeply|no patch|not a mail"):
        series_from_bytes(b"From: a@x\nSubject: [PATCH] x\n" + head + b"x\n", "deep.eml")


def test_cut_instead_of_refused() -> None:
    with limits.use(max_subject_chars=20):
        s = parse_subject("[PATCH 1/2] " + "x" * 10_000)
    assert s.counter == 1 and len(s.raw) == 20
    long = "Cc: " + ", ".join(f"=?utf-8?q?N=C3=A9{i}?= <n{i}@x>" for i in range(3000)) + "\n"
    data = mail(DIFF).replace(b"Message-Id", long.encode() + b"Message-Id")
    with limits.use(max_header_chars=1000):
        s = series_from_bytes(data, "cc.patch")
    assert any("header Cc" in p.what and "KPATCHLINT_MAX_HEADER_CHARS" in p.what for p in s.problems)
    cc = dict(s.present[0].headers)["Cc"]
    assert cc.startswith("Né0 <n0@x>, Né1") and len(cc) <= 1000  # cut, then decoded


def test_series_longer_than_the_limit_is_ignored_with_a_problem() -> None:
    data = STALE.read_bytes().replace(b"[PATCH 4/4]", b"[PATCH 4/9999]")
    s = series_from_bytes(data, "long.mbox")
    assert [p.label for p in s.present] == ["1/4", "2/4", "3/4"]
    assert any("4/9999" in p.what and "KPATCHLINT_MAX_PATCHES" in p.what for p in s.problems)
    only = mail(DIFF, "[PATCH 1/9999] x")
    with pytest.raises(InputError):
        series_from_bytes(only, "one.patch")


def test_too_large_tree_file_is_known_through_its_hunks_only(tmp_path: Path) -> None:
    import shutil

    tree = tmp_path / "t"
    shutil.copytree(SWAP, tree)
    with limits.use(max_file_bytes=4096):
        res = lint_series(load_series(STALE), DirTree(tree), Settings(cache=False))
    assert any("KPATCHLINT_MAX_FILE_BYTES" in p for p in res.problems), res.problems
    p = run("check", str(STALE), "--tree", str(tree), "--no-cache", env={"KPATCHLINT_MAX_FILE_BYTES": "4K"})
    assert_clean_exit(p, (0, 1))
    assert b"KPATCHLINT_MAX_FILE_BYTES" in p.stdout


def test_cli_limit_error_is_one_line_exit_2() -> None:
    p = run("check", str(STALE), "--tree", str(SWAP), env={"KPATCHLINT_MAX_INPUT_BYTES": "1K"})
    err = assert_clean_exit(p, (2,))
    assert "KPATCHLINT_MAX_INPUT_BYTES" in err
    p = run("check", str(STALE), env={"KPATCHLINT_MAX_INPUT_BYTES": "a lot"})
    assert "is not a number" in assert_clean_exit(p, (2,))


def test_offset_search_stops_at_the_comparison_budget() -> None:
    lines = ["x"] * 5000 + ["a", "b", "c"]
    h = Hunk(1, 3, 1, 3, "", (HunkLine(" ", "a", 1, 1), HunkLine("-", "b", 2, None),
                             HunkLine("+", "B", None, 2), HunkLine(" ", "c", 3, 3)))
    assert not apply_full(lines, (h,)).failures
    with limits.use(max_apply_compares=100):
        res = apply_full(lines, (h,))
    assert res.failures and "KPATCHLINT_MAX_APPLY_COMPARES" in res.failures[0].reason


# --------------------------------------------------------------------------- time limit


def test_deadline_is_checked_between_steps() -> None:
    d = limits.Deadline.after(0.05)
    d.check("starting")
    time.sleep(0.06)
    with pytest.raises(RunTimeout, match="time limit of 0.05 s exceeded while parsing"):
        d.check("parsing")
    assert limits.check_deadline() is None  # no deadline armed: nothing happens


def test_time_limit_stops_python_code_anywhere() -> None:
    t0 = time.monotonic()
    with pytest.raises(RunTimeout):
        with limits.time_limit(0.2):
            while True:
                sum(range(1000))
    assert time.monotonic() - t0 < 2
    assert limits.deadline() is None


def test_time_limit_stops_the_engine_between_snapshots() -> None:
    series = load_series(STALE)
    # cooperative checks alone (not the main thread: no signal) stop the run
    out: list[BaseException] = []

    def worker() -> None:
        with limits.time_limit(0.0001):
            time.sleep(0.01)
            try:
                lint_series(series, DirTree(SWAP), Settings(cache=False))
            except RunTimeout as exc:
                out.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    t.join(60)
    assert out and isinstance(out[0], RunTimeout)


def test_a_swallowed_timeout_still_ends_the_process() -> None:
    code = ("import time\nfrom kpatchlint import limits\nlimits.start_time_limit(0.2, grace=0.3)\n"
            "while True:\n    try:\n        time.sleep(0.01)\n    except Exception:\n        pass\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, cwd=REPO)
    assert p.returncode == 2
    err = p.stderr.decode()
    assert "Traceback" not in err and "time limit of 0.2 s exceeded" in err and "stopped hard" in err


def test_cli_with_the_time_limit_armed_exits_2_in_one_line() -> None:
    """What `check --timeout` does once cli.py arms the limit (see docs/security.md)."""
    code = ("import sys\nfrom kpatchlint import limits\nfrom kpatchlint.cli import main\n"
            "limits.start_time_limit(0.05)\nsys.argv = ['kpatchlint'] + sys.argv[1:]\nmain()\n")
    p = subprocess.run([sys.executable, "-c", code, "check", str(STALE), "--tree", str(SWAP), "--no-cache"],
                       capture_output=True, timeout=120, cwd=REPO)
    err = p.stderr.decode()
    assert p.returncode == 2 and "Traceback" not in err, err
    assert re.search(r"kpatchlint: error: .*time limit of 0.05 s exceeded", err), err


# --------------------------------------------------------------------------- facts cache


def _findings(out: bytes) -> tuple:
    import json

    doc = json.loads(out)
    return doc["issues"], doc["problems"]  # not the stats: they hold timings


def _reference() -> tuple:
    p = run("check", str(STALE), "--tree", str(SWAP), "--no-cache", "--format", "json")
    assert_clean_exit(p, (1,))
    return _findings(p.stdout)


@pytest.mark.parametrize("garbage", ["random", "truncated", "directory", "wrong-schema"])
def test_garbage_facts_cache_end_to_end(tmp_path: Path, garbage: str) -> None:
    xdg = tmp_path / "xdg"
    cache = xdg / "kpatchlint"
    cache.mkdir(parents=True)
    db = cache / "facts.sqlite3"
    env = {"XDG_CACHE_HOME": str(xdg)}
    if garbage == "random":
        db.write_bytes(b"SQLite format 3\0" + bytes(range(256)) * 64)
    elif garbage == "truncated":
        assert_clean_exit(run("check", str(CLEAN), "--tree", str(SWAP), env=env), (0,))
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 3])
        for extra in cache.glob("facts.sqlite3-*"):
            extra.write_bytes(b"\xff" * 100)
    elif garbage == "directory":
        db.mkdir()
    else:
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT)")
        con.execute("INSERT INTO meta VALUES ('schema', 'from-the-future')")
        con.execute("CREATE TABLE facts (x)")
        con.commit()
        con.close()
    ref = _reference()
    for _ in range(2):  # the run that finds the garbage, and the one after it
        p = run("check", str(STALE), "--tree", str(SWAP), "--format", "json", env=env)
        assert_clean_exit(p, (1,))
        assert _findings(p.stdout) == ref
    assert list(xdg.iterdir()) == [cache]  # nothing written outside $XDG_CACHE_HOME/kpatchlint


def test_two_runs_sharing_a_cache_at_once(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    ref = _reference()
    import os

    e = dict(os.environ, PYTHONPATH=str(REPO), **env)
    args = [sys.executable, "-m", "kpatchlint", "check", str(STALE), "--tree", str(SWAP), "--format", "json"]
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e) for _ in range(3)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 1 and b"Traceback" not in err, err
        assert _findings(out) == ref
