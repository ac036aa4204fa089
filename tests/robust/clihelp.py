"""Run the CLI as users and hooks do (`python -m kpatchlint`) and check it never shows a traceback."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "fixtures"
SWAP = FIX / "trees" / "swap"
STALE = FIX / "series" / "swap-stale" / "series.mbox"
CLEAN = FIX / "series" / "swap-clean" / "series.mbox"


def run(*args: str, input: bytes | None = None, env: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(REPO)
    e.setdefault("NO_COLOR", "1")
    if env:
        e.update(env)
    return subprocess.run([sys.executable, "-m", "kpatchlint", *args], capture_output=True, input=input,
                          env=e, cwd=cwd, timeout=timeout)


def assert_clean_exit(p: subprocess.CompletedProcess, codes: tuple[int, ...] = (0, 1, 2)) -> str:
    err = p.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert p.returncode in codes, (p.returncode, err[-2000:], p.stdout[-2000:])
    if p.returncode == 2:
        errors = [ln for ln in err.splitlines() if ln.startswith("kpatchlint: error:")]
        assert len(errors) == 1, err
    return err


def tree_hash(root: Path) -> str:
    """Every file, symlink and directory under root (including .git): names, modes, contents."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            st = os.lstat(p)
            h.update(str(p.relative_to(root)).encode("utf-8", "surrogateescape") + b"\0")
            h.update(b"%o\0" % st.st_mode)
            if os.path.islink(p):
                h.update(os.readlink(p).encode("utf-8", "surrogateescape"))
            elif p.is_file():
                h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def mail(diff: str, subject: str = "[PATCH] lib: test", body: str = "Change it.") -> bytes:
    return (f"From: Ada <ada@example.org>\nSubject: {subject}\nMessage-Id: <t@example.org>\n\n"
            f"{body}\n\nSigned-off-by: Ada <ada@example.org>\n---\n{diff}-- \n2.47.0\n").encode()
