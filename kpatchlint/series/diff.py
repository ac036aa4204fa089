"""Cut the diff out of one message body, check it line by line, and convert unidiff's parse into FileChanges."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from unidiff.constants import DEV_NULL
from unidiff.patch import Hunk as UHunk
from unidiff.patch import PatchSet

from kpatchlint import limits
from kpatchlint.errors import InputError
from kpatchlint.series.model import FileChange, Hunk, HunkLine
from kpatchlint.series.paths import check_path

# at most 9 digits: larger numbers are garbage (and int() refuses over 4300 digits)
HUNK_RE = re.compile(r"^@@ -(\d{1,9})(?:,(\d{1,9}))? \+(\d{1,9})(?:,(\d{1,9}))? @@ ?(.*)$")
_GIT_PREFIX_RE = re.compile(r"^[abciow12]/")
_HEADER_PATH_RE = re.compile(r"^(rename from|rename to|copy from|copy to) (.*)$")
# `---` before b4's base-commit footer, and a `-- ` signature whose space a mailer ate
_FOOTER_RULE_RE = re.compile(r"^---?\s*$")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}

SHORT_HUNK = "hunk is shorter than its header says: whitespace-damaged mail?"
LONG_HUNK = "hunk is longer than its header says: whitespace-damaged mail?"
CUT_OFF = "message is cut off: the last hunk is shorter than its header says"


def unquote(name: str) -> str:
    """Undo git's C-style quoting of a file name (`"a/caf\\303\\251"`); unquoted names pass through."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            octal = body[i + 1:i + 4]
            if len(octal) == 3 and all(c in "01234567" for c in octal):
                out.append(int(octal, 8) & 0xFF)
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, ord(nxt) if ord(nxt) < 128 else 63))
            i += 2
            continue
        out.extend(ch.encode("utf-8", "surrogateescape"))
        i += 1
    return out.decode("utf-8", "replace")


def _strip_git_prefix(name: str) -> str:
    return _GIT_PREFIX_RE.sub("", name, count=1)


def _split_git_header(rest: str) -> tuple[str, str] | None:
    """Split the two names of `diff --git A B`; unquoted names may contain spaces."""
    if rest.startswith('"'):
        end = rest.find('" ', 1)
        if end < 0:
            return None
        return unquote(rest[:end + 1]), unquote(rest[end + 2:])
    if rest.endswith('"') and ' "' in rest:
        cut = rest.rfind(' "')
        return rest[:cut], unquote(rest[cut + 1:])
    cuts = [m.start() for m in re.finditer(r" (?=[abciow12]/)", rest)]
    # prefer the split where both sides name the same file: only the middle cut can do that
    mid = (len(rest) - 1) // 2
    if len(rest) % 2 == 1 and mid in cuts and rest[2:mid] == rest[mid + 3:]:
        return rest[:mid], rest[mid + 1:]
    if cuts:
        return rest[:cuts[-1]], rest[cuts[-1] + 1:]
    half = len(rest) // 2
    if len(rest) % 2 == 1 and rest[half] == " " and rest[:half] == rest[half + 1:]:
        return rest[:half], rest[half + 1:]
    return None


def find_diff_start(lines: Sequence[str]) -> int | None:
    """Index of the first `diff --git` line, or of a `--- `/`+++ ` pair for non-git diffs."""
    for i, line in enumerate(lines):
        if line.startswith("diff --git "):
            return i
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            return i
    return None


@dataclass
class _Walk:
    """What the line-by-line check learned: where the diff ends and where each hunk starts."""

    end: int
    hunk_lines: list[int] = field(default_factory=list)  # 1-based body lines of the `@@` headers


def locate(where: str, offset: int | None, body_line: int) -> str:
    """`where, line L` with a file line when the body is not encoded, else the body line."""
    if offset is None:
        return f"{where}, body line {body_line}"
    return f"{where}, line {body_line + offset}"


def _check_header_name(name: str, at: str) -> None:
    name = unquote(name.split("\t", 1)[0])
    if name != DEV_NULL:
        check_path(_strip_git_prefix(name), at)


def _walk(lines: Sequence[str], start: int, where: str, offset: int | None) -> _Walk:
    """Check the diff's structure with exact line numbers; return where it ends.

    The diff ends at the `-- ` signature line (outside a hunk) or at the end of the body.
    Hunk bodies are counted against their `@@` header so damaged mail is caught here,
    with a line number, instead of as an anonymous unidiff exception.
    """
    walk = _Walk(end=len(lines))
    lim = limits.current()
    if lim.max_diff_lines and len(lines) - start > lim.max_diff_lines:
        limits.enforce("max_diff_lines", len(lines) - start, "diff is too long (lines)", locate(where, offset, start + 1))
    old_left = new_left = 0
    in_hunk = after_hunk = have_file = False
    files = 0
    i = start
    while i < len(lines):
        line, line_no = lines[i], i + 1
        if in_hunk:
            kind = line[:1] or " "
            if kind == "\\":
                i += 1
                continue
            if kind not in " +-":
                raise InputError(SHORT_HUNK, locate(where, offset, line_no))
            old_left -= kind in " -"
            new_left -= kind in " +"
            if old_left < 0 or new_left < 0:
                raise InputError(LONG_HUNK, locate(where, offset, line_no))
            if old_left == 0 and new_left == 0:
                in_hunk, after_hunk = False, True
            i += 1
            continue
        at = locate(where, offset, line_no)
        if line == "-- ":
            walk.end = i
            break
        if line.startswith("@@"):
            m = HUNK_RE.match(line)
            if not m:
                raise InputError(f"garbage hunk header {line[:60]!r}", at)
            if not have_file:
                raise InputError("hunk without a file header (`diff --git` or `---`/`+++`)", at)
            old_left = int(m.group(2)) if m.group(2) is not None else 1
            new_left = int(m.group(4)) if m.group(4) is not None else 1
            if old_left == 0 and new_left == 0:
                raise InputError(f"garbage hunk header {line[:60]!r}: empty hunk", at)
            if lim.max_hunk_lines and max(old_left, new_left) > lim.max_hunk_lines:
                limits.enforce("max_hunk_lines", max(old_left, new_left), "hunk is too long (lines)", at)
            walk.hunk_lines.append(line_no)
            in_hunk, after_hunk = True, False
        elif line.startswith("diff --git "):
            files += 1
            if lim.max_files_per_patch and files > lim.max_files_per_patch:
                limits.enforce("max_files_per_patch", files, "too many files in one patch", at)
            names = _split_git_header(line[len("diff --git "):])
            if names is not None:
                for name in names:
                    _check_header_name(name, at)
            have_file, after_hunk = True, False
        elif line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            if not have_file or after_hunk:  # a non-git diff: `---`/`+++` alone start a file
                files += 1
                if lim.max_files_per_patch and files > lim.max_files_per_patch:
                    limits.enforce("max_files_per_patch", files, "too many files in one patch", at)
            _check_header_name(line[4:], at)
            _check_header_name(lines[i + 1][4:], locate(where, offset, line_no + 1))
            have_file, after_hunk = True, False
            i += 2
            continue
        elif (hm := _HEADER_PATH_RE.match(line)) and have_file:
            check_path(unquote(hm.group(2)), at)
        elif after_hunk and line[:1] in ("+", "-", " ") and not _FOOTER_RULE_RE.match(line):
            raise InputError(LONG_HUNK, at)  # hunk-like lines right after a hunk that is already full
        elif line.startswith("\\") and not after_hunk:
            raise InputError(f"stray marker {line[:40]!r} outside a hunk", at)
        elif not line.strip():
            after_hunk = False  # a blank line ends the hunk-like run (b4 footers follow one)
        i += 1
    if in_hunk:
        raise InputError(CUT_OFF, locate(where, offset, walk.hunk_lines[-1]))
    return walk


def _info_paths(info: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw in info:
        m = _HEADER_PATH_RE.match(raw.rstrip("\n"))
        if m:
            found.setdefault(m.group(1), unquote(m.group(2)))
    return found


def _side(name: str, header: str | None, git: bool, at: str) -> str | None:
    if name in (DEV_NULL, "", None):
        return None
    if header is not None:
        return check_path(header, at)
    name = unquote(name)
    if git:
        name = _strip_git_prefix(name)
    elif "/" in name:
        name = name.split("/", 1)[1]  # `patch -p1`, as for a/ b/ or linux.orig/ prefixes
    return check_path(name, at)


def _hunk(uhunk: UHunk, diff_line: int) -> Hunk:
    lines = []
    for ul in uhunk:
        if ul.line_type not in ("+", "-", " "):
            continue  # `\ No newline at end of file` and trailing blank separators
        text = ul.value.removesuffix("\n")
        lines.append(HunkLine(ul.line_type, text, ul.source_line_no, ul.target_line_no))
    return Hunk(
        old_start=uhunk.source_start,
        old_len=uhunk.source_length,
        new_start=uhunk.target_start,
        new_len=uhunk.target_length,
        section=uhunk.section_header.rstrip("\n"),
        lines=tuple(lines),
        diff_line=diff_line,
    )


def parse_diff(
    lines: Sequence[str], start: int, where: str, offset: int | None = None
) -> tuple[tuple[FileChange, ...], int]:
    """Parse the diff in body `lines` from index `start`; return the files and the end index.

    `lines` are the message body split on "\\n" (CRLF already normalised). Raises
    InputError (UnsafePathError for hostile paths) with `where` plus the line: the file
    line when `offset` (file line = body line + offset) is known, else the body line.
    """
    walk = _walk(lines, start, where, offset)
    text = [line + "\n" for line in lines[start:walk.end]]
    try:
        patchset = PatchSet(text)
    except Exception as exc:  # noqa: BLE001 - UnidiffParseError, and ValueErrors on odd input
        raise InputError(f"unreadable diff: {exc}", locate(where, offset, start + 1)) from None
    files: list[FileChange] = []
    hunk_at = iter(walk.hunk_lines)
    for pf in patchset:
        at = locate(where, offset, start + (pf.diff_line_no or 1))
        info_lines = [str(x) for x in (pf.patch_info or [])]
        info = _info_paths(info_lines)
        git = bool(info_lines) and info_lines[0].startswith("diff --git ")
        old = _side(pf.source_file, info.get("rename from", info.get("copy from")), git, at)
        new = _side(pf.target_file, info.get("rename to", info.get("copy to")), git, at)
        if old is None and new is None:
            raise InputError("diff names no file (both sides /dev/null)", at)
        hunks = tuple(_hunk(h, next(hunk_at, 0)) for h in pf)
        files.append(FileChange(old, new, () if pf.is_binary_file else hunks, pf.is_binary_file))
    if sum(len(f.hunks) for f in files if not f.is_binary) != len(walk.hunk_lines):
        at = locate(where, offset, start + 1)
        raise InputError("diff could not be read consistently (hunk count mismatch)", at)
    return tuple(files), walk.end
