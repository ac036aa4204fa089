"""`kpatchlint refactor ...`: drop, add or rename a parameter, rename a function; write the patch."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kpatchlint.errors import InputError

refactor_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, add_completion=False,
    help="Change a function everywhere (prototypes, #else stubs, definitions, kernel-doc, callers) "
         "and write the patch as git format-patch does (or apply it with --write).",
)

_TREE = typer.Option(..., "--tree", help="Kernel tree (git checkout or plain directory).")
_SERIES = typer.Option(None, "--series", help="Work on top of this series (mbox or patch files).")
_AT = typer.Option(None, "--at", help="With --series: after patch K (default: the whole series).")
_WRITE = typer.Option(False, "--write", help="Apply the change to the work tree instead of printing a patch "
                                             "(refused when a file to change has uncommitted changes).")
_OUTPUT = typer.Option(None, "--output", "-o", help="Write the patch to this file instead of stdout.")
_SUBJECT = typer.Option(None, "--subject", help="Subject line of the patch (without [PATCH]).")
_AUTHOR = typer.Option(None, "--author", help="'Name <email>' for the From: line (default: git config).")
_FILE = typer.Option(None, "--file", help="For a static function: the .c file that defines it.")
_CHECK = typer.Option(True, "--check/--no-check", help="Re-check the result with the SIG/PAR rules.")


def _err(msg: str) -> None:
    sys.stderr.write(msg.rstrip("\n") + "\n")


def _run(req, tree: Path, series: Optional[str], at: Optional[int], write: bool, output: Optional[Path],
         subject: Optional[str], author: Optional[str], check: bool) -> None:
    from kpatchlint.refactor import format_patch, plan
    from kpatchlint.refactor.worktree import tree_at, write_files
    from kpatchlint.tree import open_tree

    name = f"refactor {req.kind}"
    findings: list = []
    try:
        base_tree = open_tree(tree)
        assert base_tree is not None
        ser = None
        work = base_tree
        if at is not None and not series:
            raise InputError("--at needs --series")
        if series:
            if write:
                raise InputError("--write cannot be used with --series: the patch applies on top of the series")
            from kpatchlint.series import load_series

            ser = load_series(series)
            at = len(ser.patches) if at is None else at
            work = tree_at(base_tree, ser, at)
        p = plan(work, req)
        if not p.changed:
            raise InputError("nothing to change")
        text = format_patch(p, author=author, subject_line=subject, root=tree)
        # re-check before --write changes the tree the check reads
        checked = []
        if check:
            from kpatchlint.refactor.verify import expected, recheck

            checked = [(f, expected(f, p)) for f in recheck(text, base_tree, ser, at or 0)]
        if write:
            written = write_files(work, p.files)
            _err(f"kpatchlint: wrote {', '.join(written)}")
        elif output is not None:
            output.write_text(text, encoding="utf-8", errors="surrogateescape")
        else:
            sys.stdout.write(text)
        for note in p.notes:
            _err(f"kpatchlint: note: {note}")
        for f, known in checked:
            loc = f" {f.primary.path}:{f.primary.line}" if f.primary else ""
            if known:
                _err(f"kpatchlint: note: as said above, {f.code}{loc}: {f.message}")
            else:
                findings.append(f)
                _err(f"kpatchlint: warning: the result still has {f.code}{loc}: {f.message}")
    except InputError as exc:
        _err(f"kpatchlint: error: {name}: {exc}")
        raise typer.Exit(2)
    if findings:
        raise typer.Exit(1)


@refactor_app.command("drop-param")
def drop_param(
    func: str = typer.Argument(..., help="Function name."),
    param: str = typer.Argument(..., help="The parameter to drop (its name in the definition)."),
    value: Optional[str] = typer.Option(None, "--value", help="Expression to use where the body still uses PARAM."),
    tree: Path = _TREE, series: Optional[str] = _SERIES, at: Optional[int] = _AT, write: bool = _WRITE,
    output: Optional[Path] = _OUTPUT, subject: Optional[str] = _SUBJECT, author: Optional[str] = _AUTHOR,
    file: Optional[str] = _FILE, check: bool = _CHECK,
) -> None:
    """Drop a parameter from FUNC's prototypes, stubs, definitions, kernel-doc and every call.

    Refused when the body still uses PARAM (unless --value), when a caller passes an argument
    with side effects, when FUNC is used as a function pointer, or when a macro builds the call.

    Example: kpatchlint refactor drop-param __read_swap_cache_async skip_if_exists --value false --tree ~/linux
    """
    from kpatchlint.refactor import Request

    _run(Request("drop-param", func, param=param, value=value, only_file=file), tree, series, at, write, output,
         subject, author, check)


@refactor_app.command("add-param")
def add_param(
    func: str = typer.Argument(..., help="Function name."),
    decl: str = typer.Argument(..., help="The new parameter, 'TYPE NAME' (e.g. 'bool wait')."),
    value: Optional[str] = typer.Option(None, "--value", help="Expression every call site passes for it."),
    position: Optional[int] = typer.Option(None, "--position", help="1-based place of the new parameter "
                                                                     "(default: last)."),
    doc: Optional[str] = typer.Option(None, "--doc", help="Kernel-doc description of the new parameter."),
    tree: Path = _TREE, series: Optional[str] = _SERIES, at: Optional[int] = _AT, write: bool = _WRITE,
    output: Optional[Path] = _OUTPUT, subject: Optional[str] = _SUBJECT, author: Optional[str] = _AUTHOR,
    file: Optional[str] = _FILE, check: bool = _CHECK,
) -> None:
    """Add a parameter to FUNC everywhere; every caller passes --value.

    Example: kpatchlint refactor add-param folio_mark_dirty 'bool lazy' --value false --tree ~/linux
    """
    from kpatchlint.refactor import Request

    _run(Request("add-param", func, decl=decl, value=value, position=position, doc=doc, only_file=file),
         tree, series, at, write, output, subject, author, check)


@refactor_app.command("rename-param")
def rename_param(
    func: str = typer.Argument(..., help="Function name."),
    old: str = typer.Argument(..., help="Current parameter name."),
    new: str = typer.Argument(..., help="New parameter name."),
    tree: Path = _TREE, series: Optional[str] = _SERIES, at: Optional[int] = _AT, write: bool = _WRITE,
    output: Optional[Path] = _OUTPUT, subject: Optional[str] = _SUBJECT, author: Optional[str] = _AUTHOR,
    file: Optional[str] = _FILE, check: bool = _CHECK,
) -> None:
    """Rename a parameter in every declaration, the bodies and the kernel-doc.

    Example: kpatchlint refactor rename-param swap_cache_alloc_folio new_page_allocated alloced --tree ~/linux
    """
    from kpatchlint.refactor import Request

    _run(Request("rename-param", func, param=old, new=new, only_file=file), tree, series, at, write, output,
         subject, author, check)


@refactor_app.command("rename")
def rename(
    func: str = typer.Argument(..., help="Function name."),
    new: str = typer.Argument(..., help="New function name."),
    tree: Path = _TREE, series: Optional[str] = _SERIES, at: Optional[int] = _AT, write: bool = _WRITE,
    output: Optional[Path] = _OUTPUT, subject: Optional[str] = _SUBJECT, author: Optional[str] = _AUTHOR,
    file: Optional[str] = _FILE, check: bool = _CHECK,
) -> None:
    """Rename FUNC: declarations, calls, references, exports, macros and comments that name it.

    Example: kpatchlint refactor rename __read_swap_cache_async swap_cache_alloc_folio --tree ~/linux
    """
    from kpatchlint.refactor import Request

    _run(Request("rename", func, new=new, only_file=file), tree, series, at, write, output, subject, author,
         check)


def register(app: typer.Typer) -> None:
    app.add_typer(refactor_app, name="refactor")
