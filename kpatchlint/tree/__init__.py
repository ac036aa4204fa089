"""The kernel tree (a directory or a git revision, read-only) and in-memory snapshots of a series."""

from kpatchlint.tree.source import DirTree, GitTree, SourceTree, open_tree
from kpatchlint.tree.snapshot import FileState, Snapshot, build_snapshots

__all__ = ["DirTree", "GitTree", "SourceTree", "open_tree", "FileState", "Snapshot", "build_snapshots"]
