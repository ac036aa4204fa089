"""A baseline written by one run silences exactly those findings in the next run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIX = Path(__file__).resolve().parents[2] / "fixtures"
SERIES = str(FIX / "series" / "swap-stale" / "series.mbox")
TREE = str(FIX / "trees" / "swap")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kpatchlint", *args], capture_output=True, text=True)


def test_write_then_use_baseline(tmp_path: Path) -> None:
    base = tmp_path / "baseline.json"
    p = run("check", SERIES, "--tree", TREE, "--write-baseline", str(base))
    assert p.returncode == 0 and base.is_file()
    doc = json.loads(base.read_text())
    assert {e["code"] for e in doc["findings"]} >= {"SIG001", "SIG003"}
    p = run("check", SERIES, "--tree", TREE, "--baseline", str(base), "--format", "json")
    assert p.returncode == 0
    assert json.loads(p.stdout)["issues"] == []
    # a baseline without the SIG001 entry lets exactly that finding through again
    doc["findings"] = [e for e in doc["findings"] if e["code"] != "SIG001"]
    base.write_text(json.dumps(doc))
    p = run("check", SERIES, "--tree", TREE, "--baseline", str(base), "--format", "json")
    assert p.returncode == 1
    assert [(i["code"], i["file"], i["line"]) for i in json.loads(p.stdout)["issues"]] == [("SIG001", "mm/zswap.c", 69)]


def test_bad_baseline_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text("{nope")
    p = run("check", SERIES, "--tree", TREE, "--baseline", str(bad))
    assert p.returncode == 2 and "bad baseline" in p.stderr and "Traceback" not in p.stderr
