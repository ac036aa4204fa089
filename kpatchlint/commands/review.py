"""`kpatchlint review` (reply mails for a mailing list) and `kpatchlint summary` (signature changes)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import List, Optional

import typer

from kpatchlint.errors import InputError


def _lint(series_arg: str, tree: Optional[Path], base: Optional[str], revision: Optional[int],
          select, ignore, no_cache: bool, config: Optional[Path]):
    from kpatchlint.cli import _load_series, _provider, _settings
    from kpatchlint.engine import lint_series
    from kpatchlint.tree import open_tree

    settings = _settings(select, ignore, None, no_cache, None, None, tree, config)
    series = _load_series(series_arg, revision, tree, None)
    src = open_tree(tree, base)
    return lint_series(series, src, settings, _provider(settings))


def _fail(exc: BaseException) -> None:
    sys.stderr.write(f"kpatchlint: error: {exc}\n")
    raise typer.Exit(2)


def review(
    series: str = typer.Argument(..., help="The series: an mbox (b4 am -o - output, a lore thread), "
                                           "format-patch files, a directory of them, or - for stdin."),
    reply_mbox: Optional[Path] = typer.Option(None, "--reply-mbox", help="Write the replies to this mbox "
                                              "(mboxrd; - for stdout)."),
    reply_dir: Optional[Path] = typer.Option(None, "--reply-dir", help="Also write one .eml file per reply "
                                             "into this directory, for `git send-email DIR`."),
    tree: Optional[Path] = typer.Option(None, "--tree", help="Kernel tree the series applies to."),
    base: Optional[str] = typer.Option(None, "--base", help="Read the tree at this git revision."),
    from_: Optional[str] = typer.Option(None, "--from", help="From: of the replies, \"Name <addr>\" "
                                        "(default: git config user.name/user.email)."),
    revision: Optional[int] = typer.Option(None, "--revision", help="Pick revision N of a thread."),
    no_summary: bool = typer.Option(False, "--no-summary", help="No reply to the cover letter."),
    min_severity: str = typer.Option("info", "--min-severity", help="Reply to a patch only about findings at "
                                     "or above: error, warning, info (default) or hint."),
    date: Optional[str] = typer.Option(None, "--date", help="Date of the first reply, ISO 8601 "
                                       "(default: now); for reproducible output."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these rule codes or prefixes."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these rule codes or prefixes."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the facts cache."),
    config: Optional[Path] = typer.Option(None, "--config", help="Config file (default: TREE/.kpatchlint.toml)."),
) -> None:
    """Write review replies: one mail per patch with findings, one to the cover letter.

    Each reply quotes only the hunk lines a finding is about and is threaded under the
    patch (In-Reply-To/References), addressed to its author with the original To/Cc
    on Cc. Nothing is sent: read the mbox in mutt (mutt -f OUT), then send it with
    git send-email, one message per file (git send-email takes --reply-dir DIR as is,
    or split the mbox with git mailsplit -oDIR OUT).

    \b
    Example:
      kpatchlint review v2_20251029_swap_table.mbx --tree ~/linux \\
          --base origin/master --reply-mbox review.mbox \\
          --from "Ann Reviewer <ann@example.org>"
      mutt -f review.mbox
    """
    from kpatchlint.findings import Severity
    from kpatchlint.review import mail
    from kpatchlint.review.replies import ReviewOptions, build_replies, to_messages

    if reply_mbox is None and reply_dir is None:
        _fail(InputError("say where the replies go: --reply-mbox FILE (or - for stdout), or --reply-dir DIR"))
        return
    try:
        own = mail.identity(from_, tree)
        when = None
        if date:
            when = datetime.fromisoformat(date)
            if when.tzinfo is None:
                raise InputError("--date needs a time zone, e.g. 2025-01-07T09:00:00+00:00")
        result = _lint(series, tree, base, revision, select, ignore, no_cache, config)
        opts = ReviewOptions(own=own, date=when, base=base, summary=not no_summary,
                             min_severity=Severity.parse(min_severity))
        replies = build_replies(result, opts)
        msgs = to_messages(replies, opts)
    except (InputError, ValueError) as exc:
        _fail(exc)
        return
    for r in replies:
        if not r.target.msgid:
            what = "the cover letter" if r.kind == "summary" and getattr(r.target, "index", None) is None \
                else f"patch {getattr(r.target, 'label', '?')}"
            sys.stderr.write(f"kpatchlint: warning: {what} has no Message-ID; its reply has no "
                             "In-Reply-To and will not thread under it\n")
    if reply_mbox is not None:
        text = mail.mbox_text(msgs)
        if str(reply_mbox) == "-":
            sys.stdout.write(text)
        else:
            reply_mbox.write_text(text, encoding="utf-8")
    if reply_dir is not None:
        mail.write_dir(msgs, reply_dir)
    patches = sum(1 for r in replies if r.kind == "patch")
    where = ", ".join(str(x) for x in (reply_mbox, reply_dir) if x is not None and str(x) != "-")
    sys.stderr.write(f"kpatchlint: {len(msgs)} repl{'y' if len(msgs) == 1 else 'ies'} "
                     f"({len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}"
                     f"{'' if not patches else f' in {patches} patch' + ('es' if patches != 1 else '')})"
                     + (f" written to {where}" if where else "") + "; nothing was sent\n")


def summary(
    series: str = typer.Argument(..., help="The series: an mbox, format-patch files, a directory, or -."),
    tree: Optional[Path] = typer.Option(None, "--tree", help="Kernel tree the series applies to."),
    base: Optional[str] = typer.Option(None, "--base", help="Read the tree at this git revision."),
    revision: Optional[int] = typer.Option(None, "--revision", help="Pick revision N of a thread."),
    fmt: str = typer.Option("text", "--format", help="text or json."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the facts cache."),
    config: Optional[Path] = typer.Option(None, "--config", help="Config file (default: TREE/.kpatchlint.toml)."),
) -> None:
    """Summarise a series: signature changes, their call sites, each parameter's life.

    For every function whose signature a patch changes (or renames, or removes): the
    patch, before and after, how many call sites that patch updated and which ones it
    left behind. For parameters: where each is introduced, passed a constant by every
    caller, and removed. The same text goes into the reply to the cover letter of
    `kpatchlint review`.

    \b
    Example:
      kpatchlint summary fixtures/series/swap-stale/series.mbox \\
          --tree fixtures/trees/swap --format json
    """
    from kpatchlint.review.summary import build_summary, render_json, render_text

    if fmt not in ("text", "json"):
        _fail(InputError(f"unknown format {fmt!r} (text or json)"))
        return
    try:
        result = _lint(series, tree, base, revision, None, None, no_cache, config)
    except InputError as exc:
        _fail(exc)
        return
    s = build_summary(result)
    sys.stdout.write(render_json(s) if fmt == "json" else render_text(s))


def register(app: typer.Typer) -> None:
    app.command("review")(review)
    app.command("summary")(summary)
