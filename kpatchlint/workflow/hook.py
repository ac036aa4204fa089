"""The git send-email `sendemail-validate` hook: install, uninstall, and the check it runs.

git runs the hook once per file it is about to send, before sending anything; a non-zero exit
stops the whole send. With `GIT_SENDEMAIL_FILE_COUNTER`/`GIT_SENDEMAIL_FILE_TOTAL` (git >= 2.42)
the files are gathered in a private temporary directory and the whole series is linted when the
last one arrives; without them (older git) each patch is checked on its own, in the context of
the commits before it.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import stat
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from kpatchlint.errors import InputError
from kpatchlint.findings import Severity
from kpatchlint.report.checkpatch import line_for
from kpatchlint.series import load_series, parse_patch_bytes
from kpatchlint.series.model import Patch, Series
from kpatchlint.workflow import context, gitutil

HOOK_NAME = "sendemail-validate"
CHAINED_SUFFIX = ".kpatchlint-chained"
MARKER = "# kpatchlint-hook: sendemail-validate v1"
STATE_PREFIX = "kpatchlint-sendemail-"
STALE_AFTER_S = 24 * 3600


# --------------------------------------------------------------------------- install


@dataclass
class InstallReport:
    hook: Path
    chained: Path | None = None  # an existing hook kept and called first
    replaced_own: bool = False
    messages: list[str] = field(default_factory=list)


def hook_paths(repo: Path) -> tuple[Path, Path, Path]:
    top = gitutil.toplevel(repo)
    hdir = gitutil.hooks_dir(top)
    return top, hdir / HOOK_NAME, hdir / (HOOK_NAME + CHAINED_SUFFIX)


def is_ours(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return MARKER.encode() in head


def hook_script(python: str, fail_on: str | None = None) -> str:
    opts = f" --fail-on {shlex.quote(fail_on)}" if fail_on else ""
    return f"""#!/bin/sh
{MARKER}
# Installed by `kpatchlint hook install`; remove with `kpatchlint hook uninstall`.
# git send-email runs this once per file: $1 = the mail, $2 = its SMTP headers (git >= 2.42).
# A non-zero exit stops the send before any mail goes out (bypass: git send-email --no-validate).
KPATCHLINT_PYTHON={shlex.quote(python)}
chained="$(dirname "$0")/{HOOK_NAME}{CHAINED_SUFFIX}"
if [ -x "$chained" ]; then
	"$chained" "$@" || exit $?
fi
if [ ! -x "$KPATCHLINT_PYTHON" ]; then
	echo "kpatchlint: warning: $KPATCHLINT_PYTHON is missing; the series was not checked" \\
	     "(run 'kpatchlint hook install' again)" >&2
	exit 0
fi
exec "$KPATCHLINT_PYTHON" -m kpatchlint hook {HOOK_NAME}{opts} -- "$@"
"""


def default_python() -> str:
    # not resolved: a venv's bin/python is a symlink, and resolving it would leave the venv
    return os.path.abspath(sys.executable)


def install(repo: Path, python: str | None = None, fail_on: str | None = None) -> InstallReport:
    if fail_on:
        Severity.parse(fail_on)
    _top, hook, chained = hook_paths(repo)
    hook.parent.mkdir(parents=True, exist_ok=True)
    report = InstallReport(hook)
    exists = hook.exists() or hook.is_symlink()
    if exists and is_ours(hook):
        report.replaced_own = True
    elif exists:
        if chained.exists() or chained.is_symlink():
            raise InputError(f"{hook} is not kpatchlint's and {chained.name} already exists; "
                             "move one of them away first")
        os.replace(hook, chained)
        report.chained = chained
        if not os.access(chained, os.X_OK):
            report.messages.append(f"note: {chained.name} is not executable, so it is not run (git did not run it either)")
    if not report.chained and (chained.exists() or chained.is_symlink()):
        report.chained = chained
    tmp = hook.with_name(f".{HOOK_NAME}.kpatchlint-tmp")
    tmp.write_text(hook_script(python or default_python(), fail_on), encoding="utf-8")
    tmp.chmod(0o755)
    os.replace(tmp, hook)
    return report


def uninstall(repo: Path) -> tuple[Path, Path | None]:
    """Remove kpatchlint's hook and put back the hook it chained, if any."""
    _top, hook, chained = hook_paths(repo)
    if not (hook.exists() or hook.is_symlink()):
        if chained.exists() or chained.is_symlink():
            os.replace(chained, hook)
            return hook, hook
        raise InputError(f"no {HOOK_NAME} hook in {hook.parent}")
    if not is_ours(hook):
        raise InputError(f"{hook} was not installed by kpatchlint; leaving it alone")
    hook.unlink()
    if chained.exists() or chained.is_symlink():
        os.replace(chained, hook)
        return hook, hook
    return hook, None


# --------------------------------------------------------------------------- state for counted runs


def _proc_parent(pid: int) -> int | None:
    try:
        data = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2:].split()
    try:
        return int(fields[1])
    except (IndexError, ValueError):
        return None


def _proc_cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [x.decode("utf-8", "replace") for x in raw.split(b"\0") if x]


def _is_hook_runner(argv: list[str]) -> bool:
    """`git hook run ...` (git >= 2.42 runs hooks through it) or a shell running our hook script."""
    names = [os.path.basename(a) for a in argv]
    if "hook" in names and "run" in names:
        return True
    return any(a.endswith(HOOK_NAME) for a in argv)


def sender_pid() -> int:
    """The pid of the `git send-email` run that calls us: the same for every file of one send.

    Our parent is `git hook run` on git >= 2.42 (a new one per file), the send-email perl
    process on older git; walk up /proc to the process whose command line mentions send-email,
    else to the first ancestor that is not a hook runner.
    """
    chain: list[int] = []
    pid = os.getppid()
    for _ in range(8):
        if pid <= 1:
            break
        chain.append(pid)
        parent = _proc_parent(pid)
        if parent is None:
            break
        pid = parent
    cmdlines = {p: _proc_cmdline(p) for p in chain}
    for p in chain:
        if any("send-email" in a for a in cmdlines[p]):
            return p
    for p in chain:
        if cmdlines[p] and not _is_hook_runner(cmdlines[p]):
            return p
    return os.getppid()


def _private_root() -> Path:
    root = Path(tempfile.gettempdir()) / f"{STATE_PREFIX}{os.getuid()}"
    try:
        root.mkdir(mode=0o700)
    except FileExistsError:
        pass
    st = os.lstat(root)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise InputError(f"{root} is not a private directory of this user; not using it")
    return root


def state_dir(top: Path, total: int, pid: int | None = None) -> Path:
    """The directory gathering one send's files: keyed by repository, file total and sender pid."""
    key = f"{gitutil.common_dir(top)}\0{total}\0{pid if pid is not None else sender_pid()}"
    return _private_root() / hashlib.sha1(key.encode("utf-8", "surrogateescape")).hexdigest()[:20]


def _clean_stale(root: Path) -> None:
    now = time.time()
    for d in root.iterdir():
        try:
            if d.is_dir() and not d.is_symlink() and now - d.stat().st_mtime > STALE_AFTER_S:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass


# --------------------------------------------------------------------------- the check


def _env_int(env: dict[str, str], name: str) -> int | None:
    try:
        value = int(env.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None


def _has_diff(data: bytes) -> bool:
    return b"\ndiff --git " in data or data.startswith(b"diff --git ")


def validate(mail: Path, headers: Path | None = None, *, repo: Path | None = None,
             fail_on: str | None = None, env: dict[str, str] | None = None,
             err: TextIO | None = None) -> int:
    """Entry point of `kpatchlint hook sendemail-validate`; returns the exit status.

    0: send (clean, or nothing kpatchlint can check); 1: findings at or above --fail-on.
    Trouble inside kpatchlint (an unreadable repository, a mail it cannot parse) prints a
    warning and returns 0: the hook stops bad series, it does not stand in the way of mail.
    """
    env = dict(os.environ if env is None else env)
    err = err or sys.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. a facts cache rebuilt: not the sender's business
        return _validate(mail, repo, fail_on, env, err)


def _validate(mail: Path, repo: Path | None, fail_on: str | None, env: dict[str, str], err: TextIO) -> int:
    counter = _env_int(env, "GIT_SENDEMAIL_FILE_COUNTER")
    total = _env_int(env, "GIT_SENDEMAIL_FILE_TOTAL")
    try:
        top = gitutil.toplevel(repo or Path.cwd())
        settings = context.load_settings(top, fail_on)
        data = Path(mail).read_bytes()
        if counter and total and counter <= total:
            return _counted(top, data, counter, total, settings, err)
        return _one_file(top, mail, data, settings, err)
    except (InputError, OSError) as exc:
        err.write(f"kpatchlint: warning: could not check {mail}: {exc}; not stopping the send\n")
        return 0
    except Exception as exc:  # a bug in kpatchlint must not hold the mail back
        err.write(f"kpatchlint: warning: internal error while checking {mail}: {type(exc).__name__}: {exc}; "
                  "not stopping the send\n")
        return 0


def _counted(top: Path, data: bytes, counter: int, total: int, settings, err: TextIO) -> int:
    d = state_dir(top, total)
    if counter == 1:
        _clean_stale(d.parent)
        if d.exists():
            shutil.rmtree(d)
    d.mkdir(mode=0o700, exist_ok=True)
    (d / f"{counter:05d}.mail").write_bytes(data)
    if counter < total:
        return 0
    try:
        files = sorted(d.glob("*.mail"))
        missing = total - len(files)
        return _whole_series(top, files, missing, settings, err)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _first_patch_file(files: list[Path]) -> tuple[bytes, Patch] | None:
    best: tuple[int, int, bytes, Patch] | None = None
    for order, f in enumerate(files):
        data = f.read_bytes()
        if not _has_diff(data):
            continue
        try:
            item = parse_patch_bytes(data, str(f))
        except InputError:
            continue
        if isinstance(item, Patch):
            key = (item.subject.counter or order + 1, order)
            if best is None or key < best[:2]:
                best = (*key, data, item)
    return (best[2], best[3]) if best else None


def series_base(top: Path, series: Series, files: list[Path]) -> context.Base | None:
    """The tree under a whole series, in order: its `base-commit:` footer; the parent of the commit
    matching its first patch (patch-id, else subject) in HEAD's recent history; HEAD~N for N
    patches (a guess, dropped for diff-only mode if the patches do not apply there)."""
    base = context.footer_base(top, series)
    if base:
        return base
    first = _first_patch_file(files)
    if first is not None:
        data, patch = first
        match = gitutil.find_commit(top, data, patch.subject.title, gitutil.recent("HEAD"))
        if match is not None:
            parent = gitutil.resolve_commit(top, f"{match.commit}^")
            if parent:
                return context.Base(parent, f"the parent of {match.commit[:12]}, the commit matching patch "
                                            f"{patch.subject.counter or 1} by {match.by}")
    n = len(series.patches)
    rev = gitutil.resolve_commit(top, f"HEAD~{n}")
    if rev:
        return context.Base(rev, f"HEAD~{n}, guessed: the patches were not found in HEAD's history",
                            tentative=True)
    return None


def _whole_series(top: Path, files: list[Path], missing: int, settings, err: TextIO) -> int:
    if not any(_has_diff(f.read_bytes()) for f in files):
        return 0  # no patch in this send: nothing to check
    series = load_series([str(f) for f in files])
    base = series_base(top, series, files)
    plan = context.Plan(series, base.rev if base else None,
                        base.how if base else "no base found in the repository",
                        tentative=bool(base and base.tentative))
    result, plan = context.run(top, plan, settings)
    shown = context.report_findings(result, plan, min(Severity.WARNING, settings.fail_on))
    what = f"{len(series.present)} patch{'es' if len(series.present) != 1 else ''}"
    if missing:
        what += f" ({missing} file{'s' if missing != 1 else ''} of this send were not seen)"
    return _finish(shown, settings, f"the series ({what})", plan.where, err)


def _one_file(top: Path, mail: Path, data: bytes, settings, err: TextIO) -> int:
    if not _has_diff(data):
        return 0  # a cover letter or a plain mail
    item = parse_patch_bytes(data, str(mail))
    if not isinstance(item, Patch):
        return 0
    footer = context.footer_base(top, _one(item, data, mail))
    plan = context.plan_for_patch(top, data, item, fallbacks=(footer,) if footer else ())
    if item.subject.counter:
        plan.label = (item.subject.counter, item.subject.expected or item.subject.counter)
    result, plan = context.run(top, plan, settings)
    shown = context.report_findings(result, plan, min(Severity.WARNING, settings.fail_on))
    label = f"patch {plan.label[0]}/{plan.label[1]}" if plan.label else "the patch"
    return _finish(shown, settings, label, plan.where, err)


def _one(patch: Patch, data: bytes, mail: Path) -> Series:
    """The mail as a series of one, for its base-commit: footer."""
    from kpatchlint.series import series_from_bytes

    try:
        return series_from_bytes(data, str(mail))
    except InputError:
        return context.single_series(patch, None)


def _finish(shown, settings, what: str, where: str, err: TextIO) -> int:
    stop = context.blocking(shown, settings)
    for f in shown:
        err.write(line_for(f) + "\n")
    if stop:
        n = len(stop)
        err.write(f"kpatchlint: {what}: {n} finding{'s' if n != 1 else ''} at or above {settings.fail_on}, "
                  f"not sending (tree: {where}). Fix the series, or bypass the check with "
                  "git send-email --no-validate\n")
        return 1
    err.write(f"kpatchlint: {what}: {'no errors' if not shown else 'warnings only'} (tree: {where})\n")
    return 0
