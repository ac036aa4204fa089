"""Read-only git helpers for the workflow commands (no shell, no writes to the repository)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from kpatchlint.errors import InputError

TIMEOUT = 300
# How far back in HEAD's history a patch is looked for when nothing bounds the search.
HISTORY_DEPTH = 500


def git(cwd: Path, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
    """Run `git ARGS` in `cwd`; return stdout. Raise InputError on failure when `check`."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True,
                              timeout=TIMEOUT, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed or not on PATH", str(cwd)) from None
    except subprocess.TimeoutExpired:
        raise InputError(f"`git {args[0]}` took longer than {TIMEOUT}s", str(cwd)) from None
    if check and proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"`git {args[0]}` failed: {err[-1] if err else proc.returncode}", str(cwd))
    return proc.stdout if proc.returncode == 0 else b""


def git_text(cwd: Path, *args: str, check: bool = True) -> str:
    return git(cwd, *args, check=check).decode("utf-8", "replace").strip()


def toplevel(path: Path) -> Path:
    """The work-tree top of the repository holding `path`."""
    path = Path(path)
    if not path.is_dir():
        raise InputError("not a directory", str(path))
    out = git_text(path, "rev-parse", "--show-toplevel", check=False)
    if not out:
        raise InputError("not inside a git work tree", str(path))
    return Path(out)


def resolve_commit(top: Path, rev: str | None) -> str | None:
    """Full sha of `rev` as a commit, or None."""
    if not rev or rev.startswith("-"):
        return None
    out = git_text(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False)
    return out or None


def current_branch(top: Path) -> str | None:
    out = git_text(top, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return out or None


def config_get(top: Path, key: str) -> str | None:
    out = git(top, "config", "--get", key, check=False)
    return out.decode("utf-8", "replace").strip() or None


def common_dir(top: Path) -> Path:
    out = git_text(top, "rev-parse", "--git-common-dir")
    p = Path(out)
    return (p if p.is_absolute() else top / p).resolve()


def hooks_dir(top: Path) -> Path:
    """Where git looks for hooks (`core.hooksPath` honoured); relative paths are from `top`."""
    out = git_text(top, "rev-parse", "--git-path", "hooks")
    p = Path(out)
    return p if p.is_absolute() else (top / p)


def patch_id(top: Path, data: bytes) -> str | None:
    """`git patch-id --stable` of one mail or diff; None when it holds no diff."""
    out = git(top, "patch-id", "--stable", input=data, check=False).decode("ascii", "replace").split()
    return out[0] if out else None


# Diff options for computing commit patch-ids. The mail may come from b4 (`git show
# --find-renames --default-prefix`), from `git format-patch` with git's defaults, or with the
# user's own diff config (noprefix, another algorithm): try them in that order.
_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("--find-renames", "--src-prefix=a/", "--dst-prefix=b/"),
    ("--no-renames", "--src-prefix=a/", "--dst-prefix=b/"),
    (),
)


def commit_patch_ids(top: Path, revs: list[str], variant: tuple[str, ...]) -> list[tuple[str, str]]:
    """(commit, patch-id) for the non-merge commits of `revs`, newest first."""
    log = git(top, "log", "-p", "--no-color", "--no-ext-diff", "--no-merges", "--no-decorate",
              "--format=medium", *variant, *revs, "--", check=False)
    if not log:
        return []
    out = git(top, "patch-id", "--stable", input=log, check=False).decode("ascii", "replace")
    pairs = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2:
            pairs.append((parts[1], parts[0]))
    return pairs


def commit_subjects(top: Path, revs: list[str]) -> list[tuple[str, str]]:
    """(commit, subject) for the non-merge commits of `revs`, newest first."""
    out = git(top, "log", "--no-merges", "--format=%H %s", *revs, "--", check=False).decode("utf-8", "replace")
    return [(line[:40], line[41:]) for line in out.splitlines() if len(line) > 40]


@dataclass(frozen=True)
class Match:
    commit: str
    by: str  # "patch-id" or "subject"


def _norm(text: str) -> str:
    return " ".join(text.split())


def find_commit(top: Path, data: bytes, title: str, revs: list[str]) -> Match | None:
    """The commit of `revs` this mail corresponds to: same patch-id, else the one commit with its subject."""
    pid = patch_id(top, data)
    if pid:
        for variant in _VARIANTS:
            for commit, cpid in commit_patch_ids(top, revs, variant):
                if cpid == pid:
                    return Match(commit, "patch-id")
    if title:
        hits = [c for c, s in commit_subjects(top, revs) if _norm(s) == _norm(title)]
        if len(hits) == 1:
            return Match(hits[0], "subject")
    return None


def recent(rev: str = "HEAD") -> list[str]:
    """Revision arguments for `rev`'s recent history."""
    return [f"--max-count={HISTORY_DEPTH}", rev]
