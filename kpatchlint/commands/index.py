"""`kpatchlint index --tree DIR [--jobs N] [PATH...]`: facts and the name index for a whole tree."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("index")
    def index(
        paths: List[str] = typer.Argument(None, help="Only these files or directories (facts only; the name "
                                                     "index needs a whole-tree run)."),
        tree: Path = typer.Option(..., "--tree", help="Kernel tree (a git checkout or a plain directory)."),
        jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Parallel parse jobs (default: CPU count)."),
        cache_dir: Optional[Path] = typer.Option(None, "--cache-dir",
                                                 help="Cache directory (default: $XDG_CACHE_HOME/kpatchlint)."),
        progress: Optional[bool] = typer.Option(None, "--progress/--no-progress",
                                                help="Progress bar on stderr (default: when stderr is a terminal)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary line."),
    ) -> None:
        """Parse every .c/.h file of the tree in parallel into the facts cache and record which files
        name each identifier, so later `check` and `callgraph` runs neither parse nor grep. Run it
        again after the tree changed: only the changed files are read again.

        Example: kpatchlint index --tree ~/linux --jobs 2
        """
        from kpatchlint.cache import default_cache_dir
        from kpatchlint.indexer import build_index, rich_progress

        if not tree.is_dir():
            sys.stderr.write(f"kpatchlint: error: tree {tree} is not a directory\n")
            raise typer.Exit(2)
        show = sys.stderr.isatty() if progress is None else progress
        cb, stop = rich_progress(show)
        try:
            stats = build_index(tree, cache_dir or default_cache_dir(), jobs=jobs, paths=paths or (), progress=cb)
        except KeyboardInterrupt:
            stop()
            raise
        finally:
            stop()
        if not quiet:
            sys.stderr.write(f"kpatchlint: index: {stats.line()}\n")
        for p in stats.errors[:20]:
            sys.stderr.write(f"kpatchlint: warning: could not read or parse {p}\n")
