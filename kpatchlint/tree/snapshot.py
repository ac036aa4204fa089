"""Snapshots: snapshot k = base + patches 1..k, applied in memory, sharing unchanged files.

With a tree, a touched file is its full text (a hunk that does not apply is forced in at its
nominal place and the file is marked partial). Without the file, it is known only through
hunks (`Sparse`): every patch's pre-image is carried back to earlier snapshots, so snapshot
0 knows as much of the base as the whole series shows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from kpatchlint import limits
from kpatchlint.errors import UnsafePathError
from kpatchlint.limits import check_deadline
from kpatchlint.series.model import FileChange, Series
from kpatchlint.tree.apply import Shifter, Sparse, apply_full, apply_sparse, learn_old_side, sparse_chunks
from kpatchlint.tree.source import DirTree, SourceTree, blob_id, safe_relpath


def decode(data: bytes) -> list[str]:
    return data.decode("utf-8", "surrogateescape").split("\n")


def encode(lines: list[str] | tuple[str, ...]) -> bytes:
    return "\n".join(lines).encode("utf-8", "surrogateescape")


@dataclass(slots=True)
class FileState:
    path: str
    lines: tuple[str, ...] | None = None  # full content (split on \n; last item "" if newline-terminated)
    sparse: Sparse | None = None
    partial: bool = False
    _digest: str | None = None
    _data: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def is_full(self) -> bool:
        return self.lines is not None

    def data(self) -> bytes:
        assert self.lines is not None
        if self._data is None:  # rules ask again and again: encode once
            self._data = encode(self.lines)
        return self._data

    @property
    def digest(self) -> str:
        if self._digest is None:
            if self.lines is not None:
                self._digest = blob_id(self.data())
            else:
                assert self.sparse is not None
                h = hashlib.sha1(b"sparse\0")
                for start, text in sparse_chunks(self.sparse):
                    h.update(b"%d\0" % start)
                    h.update(text.encode("utf-8", "surrogateescape"))
                self._digest = "sparse-" + h.hexdigest()
        return self._digest

    def line(self, n: int) -> str | None:
        """Text of 1-based line n, if known."""
        if self.lines is not None:
            return self.lines[n - 1] if 0 < n <= len(self.lines) else None
        assert self.sparse is not None
        return self.sparse.lines.get(n)

    def chunks(self) -> list[tuple[int, str]]:
        if self.lines is not None:
            return [(1, "\n".join(self.lines))]
        assert self.sparse is not None
        return sparse_chunks(self.sparse)


@dataclass(frozen=True, slots=True)
class ApplyProblem:
    patch: int
    total: int
    path: str
    hunk: int  # 1-based
    line: int  # the hunk's old start
    what: str


@dataclass(slots=True)
class Snapshot:
    k: int
    changed: dict[str, FileState | None]  # every path touched by patches 1..k (None = deleted)
    base: SourceTree | None
    _base_cache: dict[str, FileState | None] = field(default_factory=dict)
    # tree files that exist but were not read, and why (too large, a symlink leaving the tree);
    # shared by all snapshots of one build, like _base_cache
    unreadable: dict[str, str] = field(default_factory=dict)

    def state(self, path: str) -> FileState | None:
        if path in self.changed:
            return self.changed[path]
        if self.base is None:
            return None
        if path not in self._base_cache:
            data = _read_base(self.base, path, self.unreadable)
            self._base_cache[path] = None if data is None else FileState(path, tuple(decode(data)),
                                                                         _digest=self.base.digest(path))
        return self._base_cache[path]


def _read_base(base: SourceTree, path: str, unreadable: dict[str, str]) -> bytes | None:
    """The tree's bytes of `path`, or None; a file that must not be read is noted in `unreadable`.

    A path the tree refuses (a symlink pointing out of it, `..`) and a file larger than
    `limits.max_file_bytes` are treated as absent: the series' hunks still show what they show.
    """
    cap = limits.current().max_file_bytes
    try:
        if cap and isinstance(base, DirTree):
            try:
                size = (base.root / safe_relpath(path)).stat().st_size
            except OSError:
                size = 0
            if size > cap:
                unreadable[path] = (f"the file is {limits.human(size)}, over the limit of {limits.human(cap)} "
                                    "(KPATCHLINT_MAX_FILE_BYTES): not read")
                return None
        data = base.read(path)
    except UnsafePathError as exc:
        unreadable[path] = f"not read: {exc.what}"
        return None
    except OSError as exc:  # a name too long for the file system, a permission, an I/O error
        unreadable[path] = f"cannot read: {exc.strerror or exc}"
        return None
    if data is not None and cap and len(data) > cap:
        unreadable[path] = (f"the file is {limits.human(len(data))}, over the limit of {limits.human(cap)} "
                            "(KPATCHLINT_MAX_FILE_BYTES): not read")
        return None
    return data


def build_snapshots(series: Series, base: SourceTree | None) -> tuple[list[Snapshot], list[ApplyProblem]]:
    """Snapshots 0..n and what could not be applied as the patches say.

    With a tree, a patch that changes or deletes a file the tree lacks, creates one it already
    has, or touches one that is not read (too large, a symlink out of the tree) is an
    ApplyProblem: the run goes on with what the hunks show (the file is partial).
    """
    problems: list[ApplyProblem] = []
    base_cache: dict[str, FileState | None] = {}
    unreadable: dict[str, str] = {}
    snaps = [Snapshot(0, {}, base, base_cache, unreadable)]
    total = series.expected or len(series.patches)
    if base is not None and hasattr(base, "prefetch"):
        base.prefetch({p for patch in series.present for fc in patch.files for p in (fc.old_path, fc.new_path) if p})
    for slot, patch in enumerate(series.patches, start=1):
        prev = snaps[-1]
        changed = dict(prev.changed)
        if patch is not None:
            for fc in patch.files:
                check_deadline(f"applying patch {patch.index}/{total} ({fc.path})")
                _apply_file(prev, changed, fc, patch.index, total, problems)
        snaps.append(Snapshot(slot, changed, base, base_cache, unreadable))
    _carry_back(snaps, series)
    # snapshot 0 also holds what the series revealed of files it touches without a tree
    return snaps, problems


def _apply_file(prev: Snapshot, changed: dict[str, FileState | None], fc: FileChange, k: int,
                total: int, problems: list[ApplyProblem]) -> None:
    if fc.is_binary:
        return
    old = None if fc.old_path is None else prev.state(fc.old_path)
    first_line = fc.hunks[0].old_start if fc.hunks else 0

    def problem(path: str, what: str) -> None:
        problems.append(ApplyProblem(k, total, path, 1, first_line, what))

    if prev.base is not None and fc.old_path is not None and old is None:
        if fc.old_path in prev.unreadable:
            problem(fc.old_path, prev.unreadable[fc.old_path])
        elif fc.old_path in prev.changed:
            problem(fc.old_path, "the file was deleted by an earlier patch of the series")
        else:
            problem(fc.old_path, "the file is not in the tree (another version of the tree?)")
    if fc.old_path is not None and fc.is_rename:
        changed[fc.old_path] = None
    if fc.new_path is None:
        if fc.old_path is not None:
            changed[fc.old_path] = None
        return
    path = fc.new_path
    if fc.old_path is None:
        if prev.base is not None and prev.state(path) is not None:
            problem(path, "the patch creates a file that already exists in the tree; its version replaces it")
        lines = apply_full([], fc.hunks).lines if fc.hunks else []
        changed[path] = FileState(path, tuple(lines + [""]) if lines else ("",))
        return
    if old is not None and old.is_full:
        cur = list(old.lines or ())
        trailing = bool(cur) and cur[-1] == ""
        body = cur[:-1] if trailing else cur
        res = apply_full(body, fc.hunks)
        for f in res.failures:
            problems.append(ApplyProblem(k, total, path, f.hunk_index + 1, f.hunk.old_start, f.reason))
        new_lines = res.lines + ([""] if trailing or not res.lines else [])
        changed[path] = FileState(path, tuple(new_lines), partial=old.partial or bool(res.failures))
        return
    sp = old.sparse.copy() if (old is not None and old.sparse is not None) else Sparse()
    changed[path] = FileState(path, sparse=apply_sparse(sp, fc.hunks), partial=True)


def _carry_back(snaps: list[Snapshot], series: Series) -> None:
    """Give each earlier snapshot the lines that later patches show of its sparse files."""
    for k in range(len(snaps) - 1, 0, -1):
        patch = series.patches[k - 1]
        if patch is None:
            continue
        post, pre = snaps[k], snaps[k - 1]
        touched_now = {p for fc in patch.files for p in (fc.old_path, fc.new_path) if p}
        for path, st in post.changed.items():
            # a file this patch does not touch is the same before and after it
            if path not in touched_now and st is not None and st.sparse is not None and path in pre.changed:
                pre.changed[path] = st
        for fc in patch.files:
            if fc.new_path is None or fc.old_path is None or fc.is_binary:
                continue
            after = post.changed.get(fc.new_path)
            if after is None or after.sparse is None:
                continue
            before = pre.changed.get(fc.old_path)
            if before is not None and before.sparse is None:
                continue
            sp = before.sparse.copy() if before is not None and before.sparse is not None else Sparse()
            learn_old_side(sp, fc.hunks)
            # unchanged lines of the post-image exist in the pre-image at inverse-shifted places
            back = Shifter([(h.new_start if h.new_len else h.new_start + 1,
                             h.new_start + h.new_len if h.new_len else h.new_start + 1,
                             h.old_len - h.new_len) for h in fc.hunks]).shift
            for n, text in after.sparse.lines.items():
                m = back(n)
                if m is not None:
                    sp.lines.setdefault(m, text)
            pre.changed[fc.old_path] = FileState(fc.old_path, sparse=sp, partial=True)
