"""The series model: Series -> Patch -> FileChange -> Hunk -> HunkLine, free of unidiff types."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Subject:
    """A parsed mail subject such as `[PATCH v3 RFC 07/19] mm: foo`."""

    raw: str
    title: str
    revision: int = 1
    revision_inferred: bool = True
    counter: int | None = None
    expected: int | None = None
    prefixes: tuple[str, ...] = ()
    is_reply: bool = False
    is_patch: bool = False  # had a [PATCH ...] (or [RFC ...]) prefix

    @property
    def is_cover(self) -> bool:
        return self.counter == 0


@dataclass(frozen=True, slots=True)
class HunkLine:
    """One line of a hunk: kind is ' ', '-' or '+'; line numbers are 1-based, None on the other side."""

    kind: str
    text: str
    old_no: int | None
    new_no: int | None


@dataclass(frozen=True, slots=True)
class Hunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str  # the text after the second @@ (a real line of the file, usually before the hunk)
    lines: tuple[HunkLine, ...]
    diff_line: int = 0  # 1-based line of the @@ header in the message body, for error messages

    @property
    def old_lines(self) -> list[str]:
        return [ln.text for ln in self.lines if ln.kind in " -"]

    @property
    def new_lines(self) -> list[str]:
        return [ln.text for ln in self.lines if ln.kind in " +"]


@dataclass(frozen=True, slots=True)
class FileChange:
    """The diff of one file in one patch. Paths are repository-relative and already checked safe."""

    old_path: str | None  # None for a new file
    new_path: str | None  # None for a deleted file
    hunks: tuple[Hunk, ...]
    is_binary: bool = False

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    @property
    def is_new(self) -> bool:
        return self.old_path is None

    @property
    def is_deleted(self) -> bool:
        return self.new_path is None

    @property
    def is_rename(self) -> bool:
        return self.old_path is not None and self.new_path is not None and self.old_path != self.new_path


@dataclass(frozen=True, slots=True)
class Patch:
    """One patch of a series. `index` is 1-based, `total` the m of n/m."""

    index: int
    total: int
    subject: Subject
    author: str
    msgid: str
    date: str
    commit_message: str
    notes: str  # text between `---` and the first diff (diffstat, changelog, suppressions)
    files: tuple[FileChange, ...]
    headers: tuple[tuple[str, str], ...] = ()  # To, Cc, ... as in the mail
    source: str = ""  # where it came from, for messages: "file.mbox: message 4"

    @property
    def label(self) -> str:
        return f"{self.index}/{self.total}"


@dataclass(frozen=True, slots=True)
class Cover:
    subject: Subject
    author: str
    msgid: str
    body: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """Something wrong with the input that did not stop the run (a missing patch, a bad hunk)."""

    where: str
    what: str


@dataclass(frozen=True, slots=True)
class Series:
    revision: int
    expected: int
    cover: Cover | None
    patches: tuple[Patch | None, ...]  # slot i-1 holds patch i; None marks a missing patch
    base_commit: str | None = None
    change_id: str | None = None
    problems: tuple[IngestProblem, ...] = field(default=())

    @property
    def present(self) -> list[Patch]:
        return [p for p in self.patches if p is not None]

    @property
    def missing(self) -> list[int]:
        return [i + 1 for i, p in enumerate(self.patches) if p is None]
