"""Shared fixtures: paths to the repo's fixtures, the real kernel tree and the real corpus.

A test that needs a real component skips with a reason when it is missing, except under
CI=true, where it fails: a green CI must mean the real tests ran.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus"


def missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and a real component is missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def linux_tree() -> Path:
    env = os.environ.get("KPATCHLINT_LINUX_TREE")
    if not env:
        missing("KPATCHLINT_LINUX_TREE is not set (the extracted linux-source-6.12 tree)")
    p = Path(env)
    if not (p / "mm" / "swap_state.c").is_file():
        missing(f"KPATCHLINT_LINUX_TREE={env} does not look like a kernel tree")
    return p


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not (CORPUS / "swap-table-p2-v1" / "series.mbox").is_file():
        missing(f"the real series corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Tests never touch the user's cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
