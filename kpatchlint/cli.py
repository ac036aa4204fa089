"""The command line (typer): the only module that touches the terminal."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import List, Optional

import typer

from kpatchlint import __version__
from kpatchlint.errors import InputError
from kpatchlint.findings import Severity

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="kpatchlint: find what a Linux-kernel patch series missed (callers, stubs, docs, bisection).")


def _stderr(msg: str) -> None:
    sys.stderr.write(msg.rstrip("\n") + "\n")


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _fail(exc: BaseException) -> None:
    _stderr(f"kpatchlint: error: {exc}")
    raise typer.Exit(2)


def _load_series(series: str, revision: Optional[int], tree_dir: Optional[Path], git_range: Optional[str]):
    from kpatchlint.series import load_series, series_from_git

    if git_range:
        if tree_dir is None:
            raise InputError("--git needs --tree (the repository holding the range)")
        return series_from_git(tree_dir, git_range)
    stdin = None
    if series == "-":
        from kpatchlint import limits

        cap = limits.current().max_input_bytes
        stdin = sys.stdin.buffer.read(cap + 1 if cap else -1)
    return load_series(series, revision=revision, stdin=stdin)


def _settings(select, ignore, fail_on, no_cache, jobs, protocol, tree_dir, config):
    from kpatchlint.config import apply_config, load_config
    from kpatchlint.settings import Settings

    s = Settings(
        select=tuple(x for v in (select or []) for x in v.split(",") if x),
        ignore=tuple(x for v in (ignore or []) for x in v.split(",") if x),
        fail_on=Severity.parse(fail_on) if fail_on else Severity.ERROR,
        cache=not no_cache, jobs=jobs, protocol_files=tuple(protocol or ()),
    )
    cfg = load_config(tree_dir, config)
    s = apply_config(s, cfg)
    if fail_on:
        s = replace(s, fail_on=Severity.parse(fail_on))
    return s


def _provider(settings):
    from kpatchlint.analysis.facts import FactsProvider
    from kpatchlint.cache import FactsCache

    cache = None
    if settings.cache:
        try:
            cache = FactsCache(settings.cache_dir)
        except Exception as exc:  # an unusable cache never stops a run
            _stderr(f"kpatchlint: warning: facts cache disabled: {exc}")
    return FactsProvider(cache=cache, jobs=settings.jobs)


def _looks_like_series(arg: str) -> bool:
    if arg == "-":
        return True
    p = Path(arg)
    if p.is_dir():
        return any(p.glob("*.patch"))
    if p.is_file():
        return not arg.endswith((".c", ".h"))
    return False


@app.command()
def check(
    inputs: List[str] = typer.Argument(None, help="A series (mbox, patch files, a directory of them, or - for stdin), "
                                                  "or, with --tree and no series, paths of the tree to lint."),
    tree: Optional[Path] = typer.Option(None, "--tree", help="Kernel tree (git checkout or plain directory)."),
    base: Optional[str] = typer.Option(None, "--base", help="Read the tree at this git revision (work tree untouched)."),
    git: Optional[str] = typer.Option(None, "--git", help="Take the series from BASE..HEAD of the --tree repository."),
    revision: Optional[int] = typer.Option(None, "--revision", help="Pick revision N of a thread (default: newest complete)."),
    fmt: str = typer.Option("text", "--format", help="text, checkpatch, json, sarif, github, rdjson, github-review."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Only these rule codes or prefixes (SIG, PAR001)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Skip these rule codes or prefixes."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 on findings at or above: error (default), warning, info."),
    protocol: Optional[List[Path]] = typer.Option(None, "--protocol", help="Extra protocol rule file (YAML)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the facts cache."),
    fresh: bool = typer.Option(False, "--fresh", help="Compute the findings again even when the same run (series, "
                                                      "tree, settings) is stored; facts still come from the cache."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Parallel parse jobs (default: CPU count)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    config: Optional[Path] = typer.Option(None, "--config", help="Config file (default: TREE/.kpatchlint.toml)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing when clean; no notes."),
    stats: bool = typer.Option(False, "--stats", help="Print timing and scope statistics on stderr."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Ignore the known findings listed in this file."),
    write_baseline: Optional[Path] = typer.Option(None, "--write-baseline", help="Write the findings of this run as a baseline file and exit 0."),
    timeout: Optional[float] = typer.Option(None, "--timeout", help="Stop with exit 2 after this many seconds (default: KPATCHLINT_TIMEOUT)."),
) -> None:
    """Check a patch series patch by patch (or a tree as it is).

    Example: kpatchlint check v2_20251029_swap_table.mbx --tree ~/linux --base origin/master
    """
    from kpatchlint.engine import lint_series, lint_tree
    from kpatchlint.report import formats, writer
    from kpatchlint.tree import open_tree

    try:
        from kpatchlint.limits import start_time_limit

        start_time_limit(timeout)
        settings = _settings(select, ignore, fail_on, no_cache, jobs, protocol, tree, config)
        if baseline is not None:
            settings = replace(settings, baseline=baseline)
        if write_baseline is not None:
            settings = replace(settings, baseline=None)
        inputs = inputs or []
        provider = _provider(settings)
        if git or (inputs and _looks_like_series(inputs[0])):
            series = _load_series(inputs[0] if inputs else "", revision, tree, git)
            base_rev = base
            if git and not base_rev:
                base_rev = git.split("..")[0] or None
            src = open_tree(tree, base_rev)
            result = lint_series(series, src, settings, provider, reuse=not fresh, store=True)
        else:
            if tree is None:
                raise InputError("give a series to check, or --tree DIR to lint a tree")
            src = open_tree(tree, base)
            result = lint_tree(src, inputs, settings, provider)
        if fmt not in formats():
            raise InputError(f"unknown format {fmt!r} (one of {', '.join(formats())})")
        text = writer(fmt)(result, {"quiet": quiet})
    except InputError as exc:
        _fail(exc)
        return
    if write_baseline is not None:
        from kpatchlint.baseline import write_baseline as _write

        n = _write(write_baseline, result.findings)
        _stderr(f"kpatchlint: wrote {n} findings to {write_baseline}")
        raise typer.Exit(0)
    counted = [f for f in result.findings if f.severity >= settings.fail_on
               and (settings.fail_on_pre_existing or not f.pre_existing)]
    if output is not None:
        output.write_text(text, encoding="utf-8")
    elif not (quiet and not result.findings):
        sys.stdout.write(text)
    if stats:
        _stderr(f"kpatchlint: stats: {result.stats}")
    raise typer.Exit(1 if counted else 0)


@app.command()
def callgraph(
    func: str = typer.Argument(..., help="Function name."),
    tree: Optional[Path] = typer.Option(None, "--tree", help="Kernel tree."),
    base: Optional[str] = typer.Option(None, "--base", help="Git revision of the tree to read."),
    series: Optional[str] = typer.Option(None, "--series", help="A series to apply first."),
    at: int = typer.Option(0, "--at", help="Show the graph after patch K of --series (0: base)."),
    depth: int = typer.Option(1, "--depth", help="Callers of callers, up to this depth."),
    callees: bool = typer.Option(False, "--callees", help="Also list what FUNC calls."),
    fmt: str = typer.Option("text", "--format", help="text, json or dot."),
    diff: Optional[List[int]] = typer.Option(None, "--diff", help="--diff A --diff B: call sites and signatures that differ between snapshots A and B."),
    no_cache: bool = typer.Option(False, "--no-cache"),
) -> None:
    """Show the call sites of FUNC with each argument under its parameter name.

    Example: kpatchlint callgraph __read_swap_cache_async --tree ~/linux --depth 2
    """
    from kpatchlint.analysis.query import callgraph_query, diff_reports
    from kpatchlint.report.callgraph import render_dot, render_json, render_text
    from kpatchlint.settings import Settings
    from kpatchlint.tree import open_tree

    try:
        src = open_tree(tree, base)
        ser = _load_series(series, None, tree, None) if series else None
        provider = _provider(Settings(cache=not no_cache))
        if diff:
            if len(diff) != 2:
                raise InputError("--diff takes two snapshots: --diff A --diff B")
            a = callgraph_query(func, src, ser, diff[0], 1, False, provider)
            rep = callgraph_query(func, src, ser, diff[1], depth, callees, provider)
            rep.diff = diff_reports(a, rep)
        else:
            rep = callgraph_query(func, src, ser, at, depth, callees, provider)
        if fmt == "json":
            text = render_json(rep)
        elif fmt == "dot":
            text = render_dot(rep)
        elif fmt == "text":
            text = render_text(rep)
        else:
            raise InputError(f"unknown format {fmt!r} (text, json or dot)")
    except InputError as exc:
        _fail(exc)
        return
    sys.stdout.write(text)


@app.command()
def rules() -> None:
    """List the rules: code, name, default severity, one-line summary.

    Example: kpatchlint rules
    """
    from kpatchlint.checks import all_rules

    for r in all_rules():
        sys.stdout.write(f"{r.code}  {r.name:28s} {str(r.severity):8s} {r.summary}\n")


@app.command()
def rule(code: str = typer.Argument(..., help="Rule code or name, e.g. SIG001 or call-arg-count.")) -> None:
    """Print the documentation of one rule.

    Example: kpatchlint rule SIG003
    """
    from kpatchlint.checks import rule_by_code

    r = rule_by_code(code)
    if r is None:
        _fail(InputError(f"no rule {code!r} (see `kpatchlint rules`)"))
        return
    sys.stdout.write(f"# {r.code} {r.name}\n\nDefault severity: {r.severity}. {r.summary}.\n{r.doc}")


@app.command()
def version() -> None:
    """Print the version."""
    sys.stdout.write(f"kpatchlint {__version__}\n")


def _register_commands() -> None:
    from kpatchlint.commands import register_all

    register_all(app)


_register_commands()


def main() -> None:
    try:
        app()
    except InputError as exc:
        _stderr(f"kpatchlint: error: {exc}")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
