"""`kpatchlint b4-check`: b4's per-patch check command (prep/am) and b4 review's JSON protocol."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Optional

import typer

from kpatchlint.errors import InputError
from kpatchlint.findings import Severity


def register(app: typer.Typer) -> None:
    @app.command("b4-check")
    def b4_check(
        review: bool = typer.Option(False, "--review",
                                    help="Speak b4 review's JSON protocol (review-perpatch-check-cmd)."),
        series: bool = typer.Option(False, "--series",
                                    help="Check the whole series the message belongs to (review-series-check-cmd; "
                                         "implies --review)."),
        min_severity: str = typer.Option("warning", "--min-severity",
                                         help="Report findings at or above: error, warning (default), info, hint."),
        pre_existing: bool = typer.Option(False, "--pre-existing",
                                          help="Also report findings the series did not introduce."),
        fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 on findings at or above this level."),
    ) -> None:
        """Check the one patch on stdin in the context of its series (b4's check-cmd contract).

        Run by b4 in the git top level. Default output: one checkpatch-shaped line per finding
        (`path:line: ERROR:TYPE: message`), nothing and exit 0 when clean. With --review or
        --series: a JSON array of {"tool", "status", "summary", "details"}.

        Example: git config b4.prep-perpatch-check-cmd "python3 -m kpatchlint b4-check"
        """
        from kpatchlint.workflow import b4 as wf
        from kpatchlint.workflow.context import blocking
        from kpatchlint.workflow.gitutil import toplevel

        json_mode = review or series
        warnings.simplefilter("ignore")  # b4 turns every stderr line into a failure
        try:
            level = Severity.parse(min_severity)
            data = sys.stdin.buffer.read()
            if not data.strip():
                raise InputError("no message on stdin")
            top = toplevel(Path.cwd())
            if series:
                outcome = wf.check_series(top, data, min_severity=level, pre_existing=pre_existing, fail_on=fail_on)
            else:
                outcome = wf.check_patch(top, data, min_severity=level, pre_existing=pre_existing, fail_on=fail_on)
        except Exception as exc:  # InputError, git trouble, or a kpatchlint bug: one line, never a traceback
            if not isinstance(exc, (InputError, ValueError, OSError)):
                exc = RuntimeError(f"internal error: {type(exc).__name__}: {exc}")
            if json_mode:
                sys.stdout.write(wf.dump_json([{"tool": wf.TOOL, "status": "warn",
                                                "summary": f"could not check: {exc}"}]))
                raise typer.Exit(0)
            # one line, so b4 shows it as a warning under the commit
            sys.stdout.write(f"WARNING:KPATCHLINT: could not check this patch: {exc}\n")
            raise typer.Exit(2)
        if json_mode:
            sys.stdout.write(wf.dump_json(wf.review_json(outcome, keep_labels=series)))
            raise typer.Exit(0)
        lines = wf.prep_lines(outcome.findings)
        if lines:
            sys.stdout.write("\n".join(lines) + "\n")
        raise typer.Exit(1 if blocking(outcome.findings, outcome.settings) else 0)
