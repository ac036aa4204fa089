"""CLI behaviour: exit codes, one-line errors without tracebacks, formats, rules listing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from kpatchlint.cli import app

FIX = Path(__file__).resolve().parents[2] / "fixtures"
TREE = str(FIX / "trees" / "swap")


def run(*args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kpatchlint", *args], capture_output=True, input=input)


def test_stale_series_exits_1_and_names_patch_file_line() -> None:
    p = run("check", str(FIX / "series" / "swap-stale" / "series.mbox"), "--tree", TREE, "--format", "checkpatch")
    assert p.returncode == 1
    out = p.stdout.decode()
    assert "mm/zswap.c:69: ERROR:CALL_ARG_COUNT: too many arguments to function 'swap_cache_alloc_folio' " \
           "(expected 5, have 6) (patch 3/4)" in out
    assert "mm/swap.h:74: ERROR:STUB_DRIFT:" in out


def test_clean_series_exits_0() -> None:
    p = run("check", str(FIX / "series" / "swap-clean" / "series.mbox"), "--tree", TREE)
    assert p.returncode == 0, p.stdout.decode()


def test_json_format_is_parseable_and_versioned() -> None:
    p = run("check", str(FIX / "series" / "swap-stale" / "series.mbox"), "--tree", TREE, "--format", "json")
    doc = json.loads(p.stdout)
    assert doc["schema_version"] == 1
    assert {(i["code"], i["file"], i["line"], i["patch"]) for i in doc["issues"] if i["level"] == "error"} == {
        ("SIG001", "mm/zswap.c", 69, 3), ("SIG003", "mm/swap.h", 74, 3)}


def test_stdin_single_patch(tmp_path: Path) -> None:
    mbox = (FIX / "series" / "swap-stale" / "series.mbox").read_bytes()
    p = run("check", "-", "--tree", TREE, input=mbox)
    assert p.returncode == 1


def test_bad_inputs_exit_2_with_one_line() -> None:
    for args, what in [
        (["check", str(FIX / "ingest" / "not-an-mbox.txt")], ""),
        (["check", str(FIX / "ingest" / "hostile-dotdot.patch")], ""),
        (["check", str(FIX / "series" / "swap-clean" / "series.mbox"), "--tree", "/nonexistent/dir"], "not a directory"),
        (["check", "--tree", TREE, "--format", "nope"], "unknown format"),
        (["rule", "XYZ999"], "no rule"),
    ]:
        p = run(*args)
        err = p.stderr.decode()
        assert p.returncode == 2, (args, p.stdout, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert what in err


def test_rules_and_rule_doc() -> None:
    r = CliRunner().invoke(app, ["rules"])
    assert r.exit_code == 0 and "SIG001" in r.output and "call-arg-count" in r.output
    r = CliRunner().invoke(app, ["rule", "SIG003"])
    assert r.exit_code == 0 and "## Why is this bad?" in r.output


def test_tree_is_never_modified() -> None:
    import hashlib

    def h() -> str:
        d = hashlib.sha1()
        for p in sorted(Path(TREE).rglob("*")):
            if p.is_file():
                d.update(p.read_bytes())
        return d.hexdigest()

    before = h()
    run("check", str(FIX / "series" / "swap-stale" / "series.mbox"), "--tree", TREE)
    run("callgraph", "swap_cache_alloc_folio", "--tree", TREE, "--series",
        str(FIX / "series" / "swap-stale" / "series.mbox"), "--at", "3")
    assert h() == before
