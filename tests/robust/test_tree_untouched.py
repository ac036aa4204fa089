"""The tree is never modified: every command, run on a scratch git repository, leaves every file
of it (work tree, index, objects, refs, hooks) byte-identical, and writes only where told."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.robust.clihelp import STALE, SWAP, assert_clean_exit, listing, run, tree_hash

GIT_ENV = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_NOSYSTEM": "1"}


def _git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | GIT_ENV
    env["GIT_CONFIG_GLOBAL"] = str(repo.parent / "gitconfig")
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("untouched")
    r = root / "linux"
    shutil.copytree(SWAP, r)
    _git(r, "init", "-q")
    _git(r, "add", ".")
    _git(r, "commit", "-qm", "base")
    (r / "mm" / "page_io.c").write_text((r / "mm" / "page_io.c").read_text() + "\n/* a later commit */\n")
    _git(r, "commit", "-qam", "mm: a later commit")
    return r


def _commands(repo: Path, out: Path) -> list[tuple[list[str], tuple[int, ...], dict]]:
    s, t = str(STALE), str(repo)
    one = out / "one.patch"
    one.write_text("From " + STALE.read_text().split("\nFrom ")[3])  # patch 3/4 alone
    return [
        (["check", s, "--tree", t], (1,), {}),
        (["check", s, "--tree", t, "--base", "HEAD~1", "--format", "json"], (1,), {}),
        (["check", "--git", "HEAD~1..HEAD", "--tree", t], (0, 1), {}),
        (["check", "--tree", t], (0, 1), {}),
        (["check", "--tree", t, "mm/swap_state.c", "--format", "sarif", "-o", str(out / "r.sarif")], (0, 1), {}),
        (["check", "-"], (0, 1), {"input": STALE.read_bytes()}),
        (["callgraph", "swap_cache_alloc_folio", "--tree", t, "--series", s, "--at", "3", "--depth", "2"], (0,), {}),
        (["callgraph", "swap_cache_alloc_folio", "--tree", t, "--series", s, "--diff", "0", "--diff", "3"], (0,), {}),
        (["rules"], (0,), {}),
        (["rule", "SIG001"], (0,), {}),
        (["review", s, "--tree", t, "--reply-mbox", str(out / "replies.mbox"), "--from", "R <r@example.org>",
          "--date", "2025-01-07T09:00:00+00:00"], (0,), {}),
        (["summary", s, "--tree", t], (0,), {}),
        (["refactor", "rename", "swap_cache_alloc_folio", "swap_cache_new_folio", "--tree", t], (0, 1), {}),
        (["refactor", "rename", "swap_cache_alloc_folio", "swap_cache_new_folio", "--tree", t, "-o",
          str(out / "refactor.patch")], (0, 1), {}),
        (["refactor", "rename", "swap_cache_alloc_folio", "swap_cache_new_folio", "--tree", t, "--series", s],
         (0, 1, 2), {}),
        (["hook", "sendemail-validate", str(one), "--repo", t], (0, 1), {}),
        (["b4-check"], (0, 1), {"input": one.read_bytes(), "cwd": repo}),
    ]


def test_no_command_modifies_the_tree(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    cmds = _commands(repo, out)
    before = tree_hash(repo)
    head = _git(repo, "rev-parse", "HEAD")
    for args, codes, kw in cmds:
        p = run(*args, **kw)
        assert_clean_exit(p, codes)
        assert tree_hash(repo) == before, f"`kpatchlint {' '.join(args)}` changed the tree"
    assert _git(repo, "rev-parse", "HEAD") == head
    assert _git(repo, "status", "--porcelain") == ""
    assert listing(out) == {"one.patch", "r.sarif", "replies.mbox", "refactor.patch"}


def test_the_fixture_tree_itself_is_untouched() -> None:
    before = tree_hash(SWAP)
    assert_clean_exit(run("check", str(STALE), "--tree", str(SWAP)), (1,))
    assert tree_hash(SWAP) == before
