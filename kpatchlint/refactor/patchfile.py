"""The patch as `git format-patch` writes it: mail header, message, diffstat, `diff --git` hunks.

The hunks are unified diffs with three lines of context; hunk headers carry the function
line the way git does for C files in the kernel (`diff=cpp`: the last line before the hunk
that starts with a letter or `_` and is not a label). `index` lines carry real blob ids, so
`git apply --3way` and `git am -3` work.
"""

from __future__ import annotations

import difflib
import email.utils
import os
import re
import subprocess
import textwrap
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kpatchlint import __version__
from kpatchlint.refactor.plan import Plan
from kpatchlint.tree.source import blob_id

CONTEXT = 3
STAT_WIDTH = 72  # format-patch's MAIL_DEFAULT_WRAP
_LABEL_RE = re.compile(r"^[ \t]*[A-Za-z_][A-Za-z_0-9]*:[ \t\r\n\f\v]*($|/[/*])")
_CPP_FUNC_RE = re.compile(r"^((::[ \t]*)?[A-Za-z_].*)$")


@dataclass
class FileDiff:
    path: str
    text: str  # from `diff --git` to the end of the last hunk
    added: int
    deleted: int


def _split(data: bytes) -> tuple[list[str], bool]:
    text = data.decode("utf-8", "surrogateescape")
    if not text:
        return [], True
    eol = text.endswith("\n")
    lines = text[:-1].split("\n") if eol else text.split("\n")
    return lines, eol


def _funcname(lines: list[str], before: int, cpp: bool) -> str:
    for i in range(min(before, len(lines)) - 1, -1, -1):
        ln = lines[i]
        if cpp:
            if _LABEL_RE.match(ln):
                continue
            if not _CPP_FUNC_RE.match(ln):
                continue
        elif not ln or not (ln[0].isalpha() or ln[0] in "_$"):
            continue
        out = ln.encode("utf-8", "surrogateescape")[:80].decode("utf-8", "ignore")
        return out.rstrip()
    return ""


def _range(start: int, length: int) -> str:
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def file_diff(path: str, old: bytes, new: bytes, mode: str = "100644") -> FileDiff:
    a, a_eol = _split(old)
    b, b_eol = _split(new)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    cpp = path.endswith((".c", ".h"))
    out = [f"diff --git a/{path} b/{path}",
           f"index {blob_id(old)[:12]}..{blob_id(new)[:12]} {mode}",
           f"--- a/{path}", f"+++ b/{path}"]
    added = deleted = 0
    for group in sm.get_grouped_opcodes(CONTEXT):
        i1, i2 = group[0][1], group[-1][2]
        j1, j2 = group[0][3], group[-1][4]
        section = _funcname(a, i1, cpp)
        out.append(f"@@ -{_range(i1, i2 - i1)} +{_range(j1, j2 - j1)} @@" + (f" {section}" if section else ""))
        for tag, x1, x2, y1, y2 in group:
            if tag == "equal":
                for k in range(x1, x2):
                    out.append(" " + a[k])
                    if k == len(a) - 1 and not a_eol:
                        out.append("\\ No newline at end of file")
                continue
            for k in range(x1, x2):
                out.append("-" + a[k])
                deleted += 1
                if k == len(a) - 1 and not a_eol:
                    out.append("\\ No newline at end of file")
            for k in range(y1, y2):
                out.append("+" + b[k])
                added += 1
                if k == len(b) - 1 and not b_eol:
                    out.append("\\ No newline at end of file")
    return FileDiff(path, "\n".join(out) + "\n", added, deleted)


def _scale(it: int, width: int, max_change: int) -> int:
    return 0 if not it else 1 + (it * (width - 1) // max_change)


def diffstat(diffs: list[FileDiff], width: int = STAT_WIDTH) -> str:
    """git's --stat as format-patch prints it (72 columns)."""
    if not diffs:
        return " 0 files changed\n"
    max_len = max(len(d.path) for d in diffs)
    max_change = max(d.added + d.deleted for d in diffs)
    number_width = len(str(max_change))
    width = max(width, 16 + 6 + number_width)
    graph_width = max_change
    name_width = max_len
    if name_width + number_width + 6 + graph_width > width:
        if graph_width > width * 3 // 8 - number_width - 6:
            graph_width = max(6, width * 3 // 8 - number_width - 6)
        if name_width > width - number_width - 6 - graph_width:
            name_width = width - number_width - 6 - graph_width
        else:
            graph_width = width - number_width - 6 - name_width
    lines = []
    for d in diffs:
        add, dele = d.added, d.deleted
        if graph_width <= max_change:
            total = _scale(add + dele, graph_width, max_change)
            if total < 2 and add and dele:
                total = 2
            if add < dele:
                add = _scale(add, graph_width, max_change)
                dele = total - add
            else:
                dele = _scale(dele, graph_width, max_change)
                add = total - dele
        name = d.path
        if len(name) > name_width:
            name = "..." + name[len(name) - name_width + 3:]
        n = d.added + d.deleted
        lines.append(f" {name}{' ' * (name_width - len(name))} | {n:>{number_width}}{' ' if n else ''}"
                     f"{'+' * add}{'-' * dele}")
    files = len(diffs)
    ins = sum(d.added for d in diffs)
    dels = sum(d.deleted for d in diffs)
    summary = f" {files} file{'s' if files != 1 else ''} changed"
    if ins or not dels:
        summary += f", {ins} insertion{'s' if ins != 1 else ''}(+)"
    if dels or not ins:
        summary += f", {dels} deletion{'s' if dels != 1 else ''}(-)"
    return "\n".join(lines + [summary]) + "\n"


def _git_config(root: Path | None, key: str) -> str | None:
    try:
        proc = subprocess.run(["git", "config", key], cwd=root if root and root.is_dir() else None,
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    value = proc.stdout.strip()
    return value or None


def default_author(root: Path | None) -> str:
    name = os.environ.get("GIT_AUTHOR_NAME") or _git_config(root, "user.name")
    mail = os.environ.get("GIT_AUTHOR_EMAIL") or _git_config(root, "user.email")
    if name and mail:
        return f"{name} <{mail}>"
    return "kpatchlint <kpatchlint@localhost>"


def mail_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    ts = float(epoch) if epoch and epoch.isdigit() else time.time()
    return email.utils.format_datetime(datetime.fromtimestamp(ts, timezone.utc))


def _prefix(home: str) -> str:
    d = os.path.dirname(home)
    return os.path.basename(d) if d else "treewide"


def _list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, word: str) -> str:
    return f"1 {word}" if n == 1 else f"{n} {word}s"


def subject(p: Plan) -> str:
    r = p.request
    pre = _prefix(p.home)
    if r.kind == "drop-param":
        return f"{pre}: drop the {r.param} parameter of {r.func}()"
    if r.kind == "add-param":
        name = p.param_text.split("*")[-1].split()[-1] if p.param_text else ""
        return f"{pre}: add parameter {name} to {r.func}()"
    if r.kind == "rename-param":
        return f"{pre}: rename the {r.param} parameter of {r.func}() to {r.new}"
    return f"{pre}: rename {r.func}() to {r.new}()"


def message(p: Plan) -> str:
    r = p.request
    changed = [f.path for f in p.changed]
    c = p.counts
    what = []
    for key, word in (("prototype", "prototype"), ("definition", "definition"), ("stub", "stub"),
                      ("kernel-doc", "kernel-doc comment"), ("call site", "call site"),
                      ("comment", "comment"), ("export", "export"), ("reference", "reference"),
                      ("use", "use")):
        if c.get(key):
            if key in ("export", "comment", "reference") and r.kind != "rename":
                continue
            if key == "call site" and r.kind == "rename-param":
                continue
            what.append(_plural(c[key], word) if key != "use" else
                        f"{c[key]} use{'s' if c[key] != 1 else ''} of {r.param}")
    if r.kind == "drop-param":
        first = f"Drop the {r.param} parameter of {r.func}()."
        if p.substituted:
            first += f" Where the function body used {r.param}, it now uses {r.value}."
    elif r.kind == "add-param":
        where = f"parameter {r.position}" if r.position else "the last parameter"
        first = f"Add `{p.param_text}` as {where} of {r.func}()."
        if r.value is not None and c.get("call site"):
            first += f" Every caller passes {r.value} for it."
    elif r.kind == "rename-param":
        first = f"Rename the {r.param} parameter of {r.func}() to {r.new}."
    else:
        first = f"Rename {r.func}() to {r.new}()."
    second = f"Update {_list(what)} in {_list(changed)}." if what else ""
    third = f"Generated with: {r.command()}"
    paras = [textwrap.fill(x, 72, break_long_words=False, break_on_hyphens=False) for x in (first, second) if x]
    return "\n\n".join(paras + [third]) + "\n"


def _mode(root: Path | None, path: str) -> str:
    if root is not None:
        try:
            st = os.stat(root / path)
            return "100755" if st.st_mode & 0o111 else "100644"
        except OSError:
            pass
    return "100644"


def format_patch(p: Plan, *, author: str | None = None, date: str | None = None, subject_line: str | None = None,
                 root: Path | None = None) -> str:
    diffs = [file_diff(f.path, f.old, f.new, _mode(root, f.path)) for f in p.changed]
    head = [
        "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001",
        f"From: {author or default_author(root)}",
        f"Date: {date or mail_date()}",
        f"Subject: [PATCH] {subject_line or subject(p)}",
        "",
    ]
    body = message(p)
    out = "\n".join(head) + "\n" + body + "---\n" + diffstat(diffs) + "\n"
    out += "".join(d.text for d in diffs)
    out += f"-- \nkpatchlint {__version__}\n\n"
    return out
