"""Safety check for file paths named by diff headers: repo-relative, no `..`, nothing in `.git/`."""

from __future__ import annotations

from kpatchlint.errors import UnsafePathError

NAME_MAX = 255  # bytes in one path component (Linux file systems)
PATH_MAX = 4096  # bytes in a whole path


def _has_control(p: str) -> bool:
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in p)


def check_path(p: str, where: str) -> str:
    """Return `p` as a normalised repo-relative path, or raise UnsafePathError.

    Rejected: empty paths, NUL or other control characters, absolute paths, any `..`
    component, anything inside (or named) `.git`, in any letter case, and names no file
    system can hold (a component over 255 bytes, a path over 4096). `a//b` and `./a` are
    normalised to `a/b` and `a`.
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
    norm = "/".join(parts)
    if len(norm.encode("utf-8", "surrogateescape")) > PATH_MAX or \
            any(len(part.encode("utf-8", "surrogateescape")) > NAME_MAX for part in parts):
        raise UnsafePathError(f"unsafe path {p[:60]!r}...: file name too long", where)
    return norm
