"""Read a series from a git range with `git format-patch --stdout`, run without a shell."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kpatchlint.errors import InputError

if TYPE_CHECKING:
    from kpatchlint.series.model import Series

_TIMEOUT = 300


def _git(tree: Path, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    cmd = ["git", "-C", str(tree), *args]
    try:
        return subprocess.run(cmd, capture_output=True, check=False, timeout=_TIMEOUT)
    except FileNotFoundError:
        raise InputError("git is not installed or not on PATH", str(tree)) from None
    except subprocess.TimeoutExpired:
        raise InputError(f"`git {args[0]}` took longer than {_TIMEOUT}s", str(tree)) from None


def _check_range(rev_range: str) -> tuple[str, str]:
    if not rev_range or rev_range.startswith("-") or any(ord(c) < 0x20 for c in rev_range):
        raise InputError(f"bad revision range {rev_range!r}: expected BASE..HEAD")
    if "..." in rev_range or ".." not in rev_range:
        raise InputError(f"bad revision range {rev_range!r}: expected BASE..HEAD")
    base, head = rev_range.split("..", 1)
    if head.startswith("-"):
        raise InputError(f"bad revision range {rev_range!r}: expected BASE..HEAD")
    return base, head


def series_from_git(tree: Path, rev_range: str) -> Series:
    """Run `git format-patch --stdout BASE..HEAD` in `tree` and read its output as an mbox.

    Prefixes, signature and numbering are forced so user config (diff.noprefix,
    format.signature, format.coverLetter) cannot change what we parse; the resolved
    BASE commit becomes Series.base_commit when the patches carry none.
    """
    from kpatchlint.series import series_from_bytes

    base, _head = _check_range(rev_range)
    tree = Path(tree)
    if not tree.is_dir():
        raise InputError("not a directory", str(tree))
    args = [
        "format-patch", "--stdout", "--numbered", "--no-cover-letter", "--no-signature",
        "--src-prefix=a/", "--dst-prefix=b/", "--no-color", "--end-of-options", rev_range,
    ]
    proc = _git(tree, args)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git format-patch failed: {err[-1] if err else proc.returncode}", str(tree))
    if not proc.stdout.strip():
        raise InputError(f"no commits in {rev_range}", str(tree))
    series = series_from_bytes(proc.stdout, f"git format-patch {rev_range}")
    if series.base_commit is None and base:
        rev = _git(tree, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}"])
        sha = rev.stdout.decode("ascii", "replace").strip()
        if rev.returncode == 0 and sha:
            series = replace(series, base_commit=sha)
    return series
