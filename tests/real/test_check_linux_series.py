"""A series written at test time against linux-6.12: add a parameter to the exported
filemap_fdatawrite_wbc() and update all callers but one. Callers read from the tree by hand
(two in mm/filemap.c, fs/ocfs2/journal.c, fs/btrfs/inode.c, fs/9p/vfs_file.c), named by their text."""

from __future__ import annotations

from pathlib import Path

from kpatchlint.engine import lint_series
from kpatchlint.findings import Severity
from kpatchlint.series import load_series
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree
from tests.helpers import line_of
from tests.helpers.patchgen import Editor, mail

CALLERS = [
    ("mm/filemap.c", "return filemap_fdatawrite_wbc(mapping, &wbc);"),
    ("mm/filemap.c", "\t\tfilemap_fdatawrite_wbc(mapping, &wbc);"),
    ("fs/ocfs2/journal.c", "return filemap_fdatawrite_wbc(mapping, &wbc);"),
    ("fs/btrfs/inode.c", "ret = filemap_fdatawrite_wbc(inode->i_mapping, wbc);"),
    ("fs/9p/vfs_file.c", "filemap_fdatawrite_wbc(inode->i_mapping, &wbc);"),
]


def _series(tree: Path, tmp_path: Path, skip_last: bool) -> Path:
    ed = Editor(tree)
    ed.replace("include/linux/pagemap.h", "int filemap_fdatawrite_wbc(struct address_space *mapping,\n"
               "\t\t\t   struct writeback_control *wbc);",
               "int filemap_fdatawrite_wbc(struct address_space *mapping,\n"
               "\t\t\t   struct writeback_control *wbc, bool sync);")
    ed.replace("mm/filemap.c", "int filemap_fdatawrite_wbc(struct address_space *mapping,\n"
               "\t\t\t   struct writeback_control *wbc)\n{",
               "int filemap_fdatawrite_wbc(struct address_space *mapping,\n"
               "\t\t\t   struct writeback_control *wbc, bool sync)\n{")
    for path, call in CALLERS[:-1] if skip_last else CALLERS:
        ed.replace(path, call, call.replace("wbc);", "wbc, false);"))
    out = tmp_path / ("partial.mbox" if skip_last else "complete.mbox")
    out.write_text(mail(1, 1, "mm: let filemap_fdatawrite_wbc() wait", ed.patch()), encoding="utf-8",
                   errors="surrogateescape")
    return out


def test_the_one_caller_left_behind_is_reported(linux_tree: Path, tmp_path: Path) -> None:
    r = lint_series(load_series(str(_series(linux_tree, tmp_path, skip_last=True))), DirTree(linux_tree),
                    Settings(select=("SIG",)))
    sig = [(f.code, f.primary.path, f.primary.line, f.patch) for f in r.findings if f.severity >= Severity.WARNING]
    left = line_of(linux_tree, "fs/9p/vfs_file.c", CALLERS[-1][1])
    assert sig == [("SIG001", "fs/9p/vfs_file.c", left, 1)]
    assert "too few arguments to function `filemap_fdatawrite_wbc` (expected 3, have 2)" in r.findings[0].message


def test_the_complete_series_has_no_signature_finding(linux_tree: Path, tmp_path: Path) -> None:
    r = lint_series(load_series(str(_series(linux_tree, tmp_path, skip_last=False))), DirTree(linux_tree),
                    Settings(select=("SIG",)))
    assert [f for f in r.findings if f.severity >= Severity.WARNING] == []
