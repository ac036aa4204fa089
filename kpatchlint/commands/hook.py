"""`kpatchlint hook install|uninstall|sendemail-validate`: the git send-email pre-send check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kpatchlint.errors import InputError


def _fail(exc: BaseException) -> None:
    sys.stderr.write(f"kpatchlint: error: {exc}\n")
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    hook_app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                           help="The git send-email sendemail-validate hook (see docs/workflow.md).")

    @hook_app.command("install")
    def install(
        repo: Path = typer.Option(Path("."), "--repo", help="The repository (default: the current directory)."),
        fail_on: Optional[str] = typer.Option(None, "--fail-on",
                                              help="Stop the send on findings at or above: error (default), warning, info."),
        python: Optional[str] = typer.Option(None, "--python",
                                             help="Interpreter the hook runs kpatchlint with (default: this one)."),
    ) -> None:
        """Install the sendemail-validate hook (an existing hook is kept and run first).

        Example: kpatchlint hook install --repo ~/linux
        """
        from kpatchlint.workflow.hook import install as do_install

        try:
            rep = do_install(repo, python=python, fail_on=fail_on)
        except (InputError, ValueError, OSError) as exc:
            _fail(exc)
            return
        verb = "updated" if rep.replaced_own else "installed"
        sys.stdout.write(f"kpatchlint: {verb} {rep.hook}\n")
        if rep.chained is not None:
            sys.stdout.write(f"kpatchlint: the previous hook is kept as {rep.chained} and runs first\n")
        for m in rep.messages:
            sys.stdout.write(f"kpatchlint: {m}\n")

    @hook_app.command("uninstall")
    def uninstall(
        repo: Path = typer.Option(Path("."), "--repo", help="The repository (default: the current directory)."),
    ) -> None:
        """Remove kpatchlint's sendemail-validate hook and restore the hook it chained.

        Example: kpatchlint hook uninstall --repo ~/linux
        """
        from kpatchlint.workflow.hook import uninstall as do_uninstall

        try:
            hook, restored = do_uninstall(repo)
        except (InputError, OSError) as exc:
            _fail(exc)
            return
        sys.stdout.write(f"kpatchlint: removed the kpatchlint hook {hook}\n")
        if restored is not None:
            sys.stdout.write(f"kpatchlint: restored the previous hook as {restored}\n")

    @hook_app.command("sendemail-validate")
    def sendemail_validate(
        mail: Path = typer.Argument(..., help="$1 from git: the mail about to be sent."),
        headers: Optional[Path] = typer.Argument(None, help="$2 from git >= 2.42: its SMTP headers."),
        repo: Optional[Path] = typer.Option(None, "--repo", help="The repository (default: the current directory)."),
        fail_on: Optional[str] = typer.Option(None, "--fail-on",
                                              help="Stop on findings at or above: error (default), warning, info."),
    ) -> None:
        """What the installed hook runs, once per file; exit 1 stops git send-email.

        With GIT_SENDEMAIL_FILE_COUNTER/TOTAL set (git >= 2.42) the files are gathered and the whole
        series is checked with the last one; without them each patch is checked on its own.
        """
        from kpatchlint.workflow.hook import validate

        raise typer.Exit(validate(mail, headers, repo=repo, fail_on=fail_on))

    app.add_typer(hook_app, name="hook")
