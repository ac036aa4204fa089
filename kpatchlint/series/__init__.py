"""Ingest patch series (mbox, format-patch files, stdin, git ranges) into the Series model."""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from kpatchlint import limits
from kpatchlint.errors import InputError
from kpatchlint.limits import check_deadline
from kpatchlint.series.gitrange import series_from_git
from kpatchlint.series.mbox import Message, build_message, read_messages, split_mbox
from kpatchlint.series.model import (
    Cover,
    FileChange,
    Hunk,
    HunkLine,
    IngestProblem,
    Patch,
    Series,
    Subject,
)
from kpatchlint.series.paths import check_path
from kpatchlint.series.subject import parse_subject

__all__ = [
    "Cover",
    "FileChange",
    "Hunk",
    "HunkLine",
    "IngestProblem",
    "Patch",
    "Series",
    "Subject",
    "check_path",
    "load_series",
    "parse_patch_bytes",
    "parse_subject",
    "series_from_bytes",
    "series_from_git",
]

_BASE_RE = re.compile(r"^base-commit:\s*([0-9a-fA-F]{7,64})\s*$", re.MULTILINE)
_CHANGE_RE = re.compile(r"^change-id:\s*(\S+)\s*$", re.MULTILINE)


@dataclass
class _Read:
    """One message after building: what it became, or the error that stopped it."""

    msg: Message
    item: Patch | Cover | None = None
    error: InputError | None = None


@dataclass
class _Group:
    revision: int
    reads: list[_Read] = field(default_factory=list)

    @property
    def patches(self) -> list[_Read]:
        return [r for r in self.reads if not isinstance(r.item, Cover)]


def parse_patch_bytes(data: bytes, where: str) -> Patch | Cover | None:
    """Parse one RFC 2822 message (a format-patch file or b4's stdin); None for a reply or chatter."""
    stripped = data.lstrip(b"\r\n")
    if stripped.startswith(b"From ") and len(split_mbox(stripped)) > 1:
        raise InputError("expected one message, found an mbox with several", where)
    msgs = read_messages(data, where)
    return build_message(msgs[0])


def load_series(
    source: str | os.PathLike[str] | list[str | os.PathLike[str]],
    *,
    revision: int | None = None,
    stdin: bytes | None = None,
) -> Series:
    """Read a series from an mbox, a directory of `*.patch` files, a list of files, or "-" (stdin)."""
    if isinstance(source, list):
        if not source:
            raise InputError("no input files")
        return _assemble(*_read_files([Path(p) for p in source]), ", ".join(map(str, source)), revision)
    if str(source) == "-":
        if stdin is None:
            raise InputError("no input on stdin", "<stdin>")
        return series_from_bytes(stdin, "<stdin>", revision=revision)
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.patch") if p.is_file())
        if not files:
            raise InputError("no *.patch files in the directory", str(path))
        return _assemble(*_read_files(files), str(path), revision)
    return _assemble(*_read_files([path]), str(path), revision)


def series_from_bytes(data: bytes, name: str, *, revision: int | None = None) -> Series:
    """Build a Series from in-memory mbox or single-message bytes; `name` is used in messages."""
    return _assemble(_build(read_messages(data, name)), [], name, revision)


def _read_files(paths: list[Path]) -> tuple[list[_Read], list[IngestProblem]]:
    """Read every file; with several files, one that is unreadable or not mail is only a problem."""
    reads: list[_Read] = []
    errors: list[InputError] = []
    for path in paths:
        try:
            reads.extend(_build(read_messages(_read_bytes(path), str(path))))
        except OSError as exc:
            errors.append(InputError(f"cannot read: {exc.strerror or exc}", str(path)))
        except InputError as exc:
            errors.append(exc)
    if errors and (len(paths) == 1 or not any(_is_candidate(r) for r in reads)):
        raise errors[0]
    return reads, [IngestProblem(e.where, e.what) for e in errors]


def _read_bytes(path: Path) -> bytes:
    """A file's bytes; one over `limits.max_input_bytes` is refused before it is read."""
    cap = limits.current().max_input_bytes
    if cap and path.is_file():
        limits.enforce("max_input_bytes", path.stat().st_size, "input is too large", str(path))
    return path.read_bytes()


def _build(msgs: list[Message]) -> list[_Read]:
    reads = []
    for msg in msgs:
        check_deadline(f"reading {msg.where}")
        read = _Read(msg)
        try:
            read.item = build_message(msg)
        except InputError as exc:
            read.error = exc
        subject = msg.subject
        if read.item is None and read.error is None and subject.is_patch and subject.counter and not subject.is_reply:
            read.error = InputError("no diff in this numbered patch message; ignored", msg.where)
        reads.append(read)
    return reads


def _is_candidate(read: _Read) -> bool:
    """A message that is (or tried to be) part of a series: a patch, a cover, or a patch that failed."""
    return read.item is not None or read.error is not None


def _assemble(reads: list[_Read], file_problems: list[IngestProblem], name: str, revision: int | None) -> Series:
    candidates = [r for r in reads if _is_candidate(r)]
    groups: dict[int, _Group] = {}
    for read in candidates:
        rev = read.msg.subject.revision
        groups.setdefault(rev, _Group(rev)).reads.append(read)
    with_patches = {rev: g for rev, g in groups.items() if g.patches}
    if not with_patches:
        raise InputError("no patch found (only replies or messages without a diff)", name)
    if revision is not None:
        if revision not in with_patches:
            found = ", ".join(f"v{r}" for r in sorted(with_patches))
            raise InputError(f"no revision {revision} in the input (found {found})", name)
        chosen = with_patches[revision]
    else:
        chosen = _pick(list(with_patches.values()))
    series = _series(chosen, name)
    return replace(series, problems=(*file_problems, *series.problems)) if file_problems else series


def _numbering(group: _Group) -> tuple[list[tuple[int, _Read]], int, list[IngestProblem]]:
    """Slot number for each patch message, the series length, and numbering problems."""
    problems: list[IngestProblem] = []
    patches = group.patches
    numbered = [r for r in patches if r.msg.subject.counter is not None]
    if not numbered:  # `[PATCH] a`, `[PATCH] b` in files sorted by name: take them in order
        limits.enforce("max_patches", len(patches), "too many patches", patches[0].msg.where if patches else "")
        return list(enumerate(patches, 1)), len(patches), problems
    cap = limits.current().max_patches
    if cap and any((r.msg.subject.expected or 0) > cap for r in numbered):
        skip = {id(r) for r in numbered if (r.msg.subject.expected or 0) > cap}
        for r in numbered:
            if id(r) in skip:
                problems.append(IngestProblem(r.msg.where, f"patch {r.msg.subject.counter}/{r.msg.subject.expected}: "
                                              f"a series of more than {cap} patches; ignored (KPATCHLINT_MAX_PATCHES)"))
        numbered = [r for r in numbered if id(r) not in skip]
        patches = [r for r in patches if id(r) not in skip]
        if not numbered:
            limits.enforce("max_patches", len(patches), "too many patches", patches[0].msg.where if patches else "")
            return list(enumerate(patches, 1)), len(patches), problems
    totals = Counter(r.msg.subject.expected or 0 for r in numbered)
    expected = max(totals)
    if len(totals) > 1:
        seen = ", ".join(str(t) for t in sorted(totals))
        problems.append(IngestProblem(numbered[0].msg.where, f"v{group.revision} patches disagree on the series length ({seen})"))
    slots: list[tuple[int, _Read]] = []
    for read in patches:
        counter = read.msg.subject.counter
        if counter is None:
            problems.append(IngestProblem(read.msg.where, "patch without an n/m counter in a numbered series; ignored"))
        elif counter > expected:
            problems.append(IngestProblem(read.msg.where, f"patch {counter}/{expected} is beyond the series length; ignored"))
        else:
            slots.append((counter, read))
    return slots, expected, problems


def _complete(group: _Group) -> bool:
    slots, expected, _ = _numbering(group)
    good = {n for n, r in slots if r.item is not None}
    return expected > 0 and good >= set(range(1, expected + 1))


def _pick(groups: list[_Group]) -> _Group:
    """The newest complete revision, else the newest (b4 am's default)."""
    ordered = sorted(groups, key=lambda g: g.revision, reverse=True)
    usable = [g for g in ordered if any(r.item is not None for r in g.patches)] or ordered
    return next((g for g in usable if _complete(g)), usable[0])


def _series(group: _Group, name: str) -> Series:
    slots, expected, problems = _numbering(group)
    by_slot: dict[int, _Read] = {}
    for number, read in slots:
        if read.error is not None:
            problems.append(IngestProblem(read.error.where or read.msg.where, read.error.what))
            continue
        if number in by_slot:
            problems.append(IngestProblem(read.msg.where, f"duplicate patch {number}/{expected}; keeping this later copy"))
        by_slot[number] = read
    if not by_slot:
        first_error = next((r.error for _, r in slots if r.error is not None), None)
        if first_error is not None:
            raise first_error
        raise InputError("no patch found", name)
    covers = [r for r in group.reads if isinstance(r.item, Cover)]
    if len(covers) > 1:
        problems.append(IngestProblem(covers[-1].msg.where, "duplicate cover letter; keeping this later copy"))
    cover_read = covers[-1] if covers else None
    patches: list[Patch | None] = []
    for number in range(1, expected + 1):
        item = by_slot[number].item if number in by_slot else None
        if isinstance(item, Patch):
            patches.append(_renumber(item, number, expected))
        else:
            problems.append(IngestProblem(name, f"patch {number}/{expected} of v{group.revision} is missing"))
            patches.append(None)
    used = ([cover_read] if cover_read else []) + [by_slot[n] for n in sorted(by_slot)]
    for read in used:
        problems.extend(read.msg.problems)
    bodies = [r.msg.body for r in used]
    return Series(
        revision=group.revision,
        expected=expected,
        cover=cover_read.item if cover_read and isinstance(cover_read.item, Cover) else None,
        patches=tuple(patches),
        base_commit=_trailer(_BASE_RE, bodies),
        change_id=_trailer(_CHANGE_RE, bodies),
        problems=tuple(problems),
    )


def _renumber(patch: Patch, index: int, total: int) -> Patch:
    if patch.index == index and patch.total == total:
        return patch
    return replace(patch, index=index, total=total)


def _trailer(pattern: re.Pattern[str], bodies: list[str]) -> str | None:
    """The first `base-commit:`/`change-id:` footer in the cover letter, else in the patches."""
    for body in bodies:
        found = pattern.findall(body)
        if found:
            return str(found[-1])
    return None
