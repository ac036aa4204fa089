"""`kpatchlint b4-check` with the real b4 (PyPI) in a scratch repository.

The repository holds a copy of fixtures/trees/swap; `b4 prep -n test` starts a series and two
commits drop the `addr` parameter of swap_cache_update_ra(), leaving (bad variant) the caller
in mm/swapfile.c:182 stale. `b4 prep --check` must show kpatchlint's finding under patch 2 and
pass a fixed series.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import missing

REPO = Path(__file__).resolve().parents[2]
SWAP = REPO / "fixtures" / "trees" / "swap"
PY = os.path.abspath(sys.executable)
TIMEOUT = 300
CHECK_CMD = f"{PY} -m kpatchlint b4-check"
LINE = ("mm/swapfile.c:182: ERROR:CALL_ARG_COUNT: too many arguments to function 'swap_cache_update_ra' "
        "(expected 2, have 3)")


def _b4() -> list[str]:
    local = Path(sys.executable).parent / "b4"
    if local.is_file() and os.access(local, os.X_OK):
        return [str(local)]
    found = shutil.which("b4")
    if found:
        return [found]
    missing("b4 is not installed (pip install b4; it is in the test extra)")
    raise AssertionError("unreachable")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "B4_"))}
    home = tmp_path / "home"
    home.mkdir()
    e.update({
        "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"), "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(tmp_path / "xdg-cache")),
        "LC_ALL": "C", "NO_COLOR": "1", "PYTHONPATH": str(REPO), "EDITOR": "true", "GIT_EDITOR": "true",
    })
    (home / ".gitconfig").write_text("[user]\n\tname = Tester\n\temail = tester@example.org\n"
                                     "[init]\n\tdefaultBranch = master\n")
    return e


def git(repo: Path, env: dict[str, str], *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def run(cmd: list[str], repo: Path, env: dict[str, str], stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=repo, env=env, input=stdin, capture_output=True, timeout=TIMEOUT)


def _sub(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def make_repo(tmp: Path, env: dict[str, str]) -> Path:
    repo = tmp / "linux"
    shutil.copytree(SWAP, repo, ignore=shutil.ignore_patterns("README.md"))
    git(repo, env, "init", "-q", "-b", "master")
    git(repo, env, "add", "-A")
    git(repo, env, "commit", "-q", "-m", "base")
    return repo


def commit_series(repo: Path, env: dict[str, str], fixed: bool) -> None:
    with open(repo / "mm" / "page_io.c", "a") as fh:
        fh.write("/* page_io: end of file */\n")
    git(repo, env, "commit", "-q", "-a", "-m", "mm/page_io: add an end marker")
    _sub(repo / "mm/swap.h", "void swap_cache_update_ra(struct folio *folio, struct vm_area_struct *vma,\n"
         "\t\t\t  unsigned long addr);", "void swap_cache_update_ra(struct folio *folio, struct vm_area_struct *vma);")
    _sub(repo / "mm/swap.h", "static inline void swap_cache_update_ra(struct folio *folio,\n"
         "\t\t\t\t\tstruct vm_area_struct *vma,\n\t\t\t\t\tunsigned long addr)",
         "static inline void swap_cache_update_ra(struct folio *folio,\n\t\t\t\t\tstruct vm_area_struct *vma)")
    _sub(repo / "mm/swap_state.c", " * @addr: the faulting address, only meaningful with @vma.\n", "")
    _sub(repo / "mm/swap_state.c", "void swap_cache_update_ra(struct folio *folio, struct vm_area_struct *vma,\n"
         "\t\t\t  unsigned long addr)", "void swap_cache_update_ra(struct folio *folio, struct vm_area_struct *vma)")
    _sub(repo / "mm/swap_state.c", "WRITE_ONCE(vma->swap_ra_addr, addr & PAGE_MASK);",
         "WRITE_ONCE(vma->swap_ra_hits, 1);")
    _sub(repo / "mm/memory.c", "swap_cache_update_ra(folio, vma, vmf->address);", "swap_cache_update_ra(folio, vma);")
    _sub(repo / "mm/shmem.c", "swap_cache_update_ra(folio, NULL, 0);", "swap_cache_update_ra(folio, NULL);")
    if fixed:
        _sub(repo / "mm/swapfile.c", "swap_cache_update_ra(folio, vma, addr);", "swap_cache_update_ra(folio, vma);")
    git(repo, env, "commit", "-q", "-a", "-m", "mm/swap: drop the addr argument of swap_cache_update_ra()")


def prep_series(tmp: Path, env: dict[str, str], fixed: bool, strategy: str | None = None) -> Path:
    b4 = _b4()
    repo = make_repo(tmp, env)
    if strategy:
        git(repo, env, "config", "b4.prep-cover-strategy", strategy)
    proc = run([*b4, "prep", "-n", "test"], repo, env)
    assert proc.returncode == 0, proc.stderr.decode()
    commit_series(repo, env, fixed)
    git(repo, env, "config", "b4.prep-perpatch-check-cmd", CHECK_CMD)
    return repo


def prep_check(repo: Path, env: dict[str, str]) -> str:
    proc = run([*_b4(), "prep", "--check", "-C"], repo, env)
    out = (proc.stdout + proc.stderr).decode()
    assert proc.returncode == 0, out
    return out


def show(repo: Path, env: dict[str, str], rev: str) -> bytes:
    """The patch as b4 feeds it: `git show --format=email` of the commit, without the From line."""
    out = subprocess.run(["git", "show", "--format=email", "--patch-with-stat", "--find-renames", rev], cwd=repo,
                         env=env, capture_output=True, timeout=TIMEOUT, check=True).stdout
    return out.split(b"\n", 1)[1]


# ----------------------------------------------------------------------------- b4 prep --check


@pytest.mark.real
def test_b4_prep_check_shows_the_stale_caller(tmp_path: Path, env) -> None:
    repo = prep_series(tmp_path, env, fixed=False)
    head = git(repo, env, "rev-parse", "HEAD")
    out = prep_check(repo, env)
    assert LINE in out, out
    assert "Success: 1, Warning: 0, Error: 1" in out
    # the finding sits under patch 2, not under patch 1
    lines = out.splitlines()
    at = next(i for i, ln in enumerate(lines) if LINE in ln)
    assert "mm/swap: drop the addr argument" in lines[at - 1]
    assert git(repo, env, "rev-parse", "HEAD") == head and git(repo, env, "status", "--porcelain") == ""


@pytest.mark.real
def test_b4_prep_check_passes_the_fixed_series(tmp_path: Path, env) -> None:
    repo = prep_series(tmp_path, env, fixed=True)
    out = prep_check(repo, env)
    assert "Success: 2, Warning: 0, Error: 0" in out, out
    assert "kpatchlint" not in out.replace(CHECK_CMD, "")


@pytest.mark.real
def test_b4_prep_check_with_the_branch_description_strategy_and_b4_config(tmp_path: Path, env) -> None:
    repo = prep_series(tmp_path, env, fixed=False, strategy="branch-description")
    assert "b4-submit-tracking" not in git(repo, env, "log", "--format=%B")
    # the command comes from the tree's .b4-config this time (as docs/workflow.md suggests)
    git(repo, env, "config", "--unset-all", "b4.prep-perpatch-check-cmd")
    (repo / ".b4-config").write_text(f"[b4]\n    prep-perpatch-check-cmd = {CHECK_CMD}\n")
    out = prep_check(repo, env)
    assert LINE in out and "Success: 1, Warning: 0, Error: 1" in out, out


# ----------------------------------------------------------------------------- the per-patch contract


@pytest.mark.real
def test_b4_check_contract_stdin_stdout_exit_status(tmp_path: Path, env) -> None:
    repo = prep_series(tmp_path, env, fixed=False)
    cmd = [PY, "-m", "kpatchlint", "b4-check"]
    bad = run(cmd, repo, env, show(repo, env, "HEAD"))
    assert bad.stdout.decode() == LINE + "\n"
    assert bad.stderr == b"" and bad.returncode == 1
    again = run(cmd, repo, env, show(repo, env, "HEAD"))
    assert again.stdout == bad.stdout  # deterministic: b4 caches the result
    good = run(cmd, repo, env, show(repo, env, "HEAD~1"))
    assert good.stdout == b"" and good.stderr == b"" and good.returncode == 0
    cover = run(cmd, repo, env, show(repo, env, "HEAD~2"))  # b4's empty cover-letter commit
    assert cover.stdout == b"" and cover.returncode == 0
    # run from a subdirectory it still finds the top level
    sub = run(cmd, repo / "mm", env, show(repo, env, "HEAD"))
    assert sub.stdout == bad.stdout


@pytest.mark.real
def test_b4_check_against_head_when_the_patch_is_not_on_the_branch(tmp_path: Path, env) -> None:
    """The am case: a patch from the list, checked against the maintainer's HEAD."""
    repo = prep_series(tmp_path, env, fixed=False)
    patch = show(repo, env, "HEAD")
    git(repo, env, "checkout", "-q", "master")
    proc = run([PY, "-m", "kpatchlint", "b4-check"], repo, env, patch)
    assert proc.stdout.decode() == LINE + "\n"
    # as patch 2/2 of a series whose patch 1 is unknown, only the diff itself is checked
    numbered = patch.replace(b"Subject: [PATCH] ", b"Subject: [PATCH 2/2] ", 1)
    assert numbered != patch
    proc = run([PY, "-m", "kpatchlint", "b4-check", "--review"], repo, env, numbered)
    data = _json(proc)
    assert data[0]["status"] == "pass" and "diff-only mode" in data[0]["details"]


# ----------------------------------------------------------------------------- b4 review JSON protocol


def _json(proc: subprocess.CompletedProcess) -> list[dict]:
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    data = json.loads(proc.stdout)
    assert isinstance(data, list)
    for entry in data:
        assert entry["tool"] == "kpatchlint" and entry["status"] in ("pass", "warn", "fail")
        assert isinstance(entry.get("summary", ""), str) and isinstance(entry.get("details", ""), str)
    return data


@pytest.mark.real
def test_b4_check_review_json(tmp_path: Path, env) -> None:
    repo = prep_series(tmp_path, env, fixed=False)
    cmd = [PY, "-m", "kpatchlint", "b4-check", "--review"]
    bad = _json(run(cmd, repo, env, show(repo, env, "HEAD")))
    assert len(bad) == 1 and bad[0]["status"] == "fail" and bad[0]["summary"] == "1 error"
    assert bad[0]["details"].splitlines()[0] == LINE
    good = _json(run(cmd, repo, env, show(repo, env, "HEAD~1")))
    assert len(good) == 1 and good[0]["status"] == "pass"
    assert _json(run(cmd, repo, env, show(repo, env, "HEAD~2"))) == []


def _review_branch(repo: Path, env: dict[str, str], tmp: Path) -> tuple[Path, str]:
    """Lay out what `b4 review` leaves: b4/review/<change-id> holding the series and, at its tip, an
    empty tracking commit; the tracking data goes in a file named by B4_TRACKING_FILE."""
    base = git(repo, env, "rev-parse", "master").strip()
    git(repo, env, "checkout", "-q", "-b", "b4/review/20260101-swap-ra-0123456789ab", "master")
    commit_series(repo, env, fixed=False)
    first = git(repo, env, "rev-parse", "HEAD~1").strip()
    tracking = {"series": {"change-id": "20260101-swap-ra-0123456789ab", "revision": 1, "base-commit": base,
                           "first-patch-commit": first, "expected": 2, "complete": True}, "patches": []}
    git(repo, env, "commit", "-q", "--allow-empty", "-m",
        "Swap readahead cleanup\n\n--- b4-review-tracking ---\n" + json.dumps(tracking, indent=2))
    git(repo, env, "checkout", "-q", "master")
    path = tmp / "b4-tracking.json"
    path.write_text(json.dumps(tracking))
    return path, first


def test_b4_review_perpatch_and_series_with_tracking_file(tmp_path: Path, env) -> None:
    repo = make_repo(tmp_path, env)
    tracking, first = _review_branch(repo, env, tmp_path)
    e = dict(env, B4_TRACKING_FILE=str(tracking))
    patch2 = show(repo, env, "b4/review/20260101-swap-ra-0123456789ab~1")

    per = _json(run([PY, "-m", "kpatchlint", "b4-check", "--review"], repo, e, patch2))
    assert per[0]["status"] == "fail" and per[0]["details"].splitlines()[0] == LINE
    assert "b4 review branch" in per[0]["details"]
    per1 = _json(run([PY, "-m", "kpatchlint", "b4-check", "--review"], repo, e, show(repo, env, first)))
    assert per1[0]["status"] == "pass"

    cover = b"From: Tester <tester@example.org>\nSubject: [PATCH 0/2] Swap readahead cleanup\n\nCover.\n"
    series = _json(run([PY, "-m", "kpatchlint", "b4-check", "--series"], repo, e, cover))
    assert len(series) == 1 and series[0]["status"] == "fail"
    assert series[0]["details"].splitlines()[0] == LINE + " (patch 2/2)"
    # the work tree stayed on master, untouched
    assert git(repo, env, "rev-parse", "--abbrev-ref", "HEAD").strip() == "master"
    assert git(repo, env, "status", "--porcelain") == ""
