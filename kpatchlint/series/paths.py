"""Safety check for file paths named by diff headers: repo-relative, no `..`, nothing in `.git/`."""

from __future__ import annotations

from kpatchlint.errors import UnsafePathError


def _has_control(p: str) -> bool:
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in p)


def check_path(p: str, where: str) -> str:
    """Return `p` as a normalised repo-relative path, or raise UnsafePathError.

    Rejected: empty paths, NUL or other control characters, absolute paths, any `..`
    component and anything inside (or named) `.git`, in any letter case. `a//b` and
    `./a` are normalised to `a/b` and `a`.
    """
    if not p:
        raise UnsafePathError("unsafe path: empty file name", where)
    if _has_control(p):
        raise UnsafePathError(f"unsafe path {p!r}: control character in file name", where)
    if p.startswith("/"):
        raise UnsafePathError(f"unsafe path {p!r}: absolute path", where)
    parts = [part for part in p.split("/") if part not in ("", ".")]
    if not parts:
        raise UnsafePathError(f"unsafe path {p!r}: names no file", where)
    if ".." in parts:
        raise UnsafePathError(f"unsafe path {p!r}: `..` leaves the tree", where)
    if any(part.lower() == ".git" for part in parts):
        raise UnsafePathError(f"unsafe path {p!r}: inside `.git/`", where)
    return "/".join(parts)
