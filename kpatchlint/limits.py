"""Resource limits for untrusted input, and the whole-run time limit.

Mail comes from mailing lists: anyone can send a 300 MB mbox, a hunk of ten million lines,
a subject made of 100,000 `Re: `, or a header that the standard library decodes in
quadratic time. Every limit below has a default that no real kernel series comes near
(docs/security.md gives the numbers behind them) and can be changed with an environment
variable `KPATCHLINT_<NAME>` (e.g. `KPATCHLINT_MAX_INPUT_BYTES=1G`); 0 means "no limit".

Going over a limit is an input error with one clear line (`LimitError`, exit 2) when the
input cannot be read without it (a too-large mbox), and a recorded problem when the run can
go on without the thing (a too-long header is cut, a too-large tree file is known only
through its hunks).

The time limit (`--timeout`, `KPATCHLINT_TIMEOUT`) is a deadline: code that loops over
messages, patches and files calls `check_deadline()`; in the main thread a timer also
raises `RunTimeout` wherever the run is, and if something swallowed that, ends the process
with exit 2 a grace period later.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from itertools import accumulate
from operator import sub

from kpatchlint.errors import InputError

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

ENV_PREFIX = "KPATCHLINT_"


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits in force; 0 disables one. Sizes are bytes, counts are items."""

    # one input: an mbox file, a patch file, stdin, `git format-patch` output
    max_input_bytes: int = 256 * MiB
    # messages in one mbox (a lore thread with replies rarely holds more than a few hundred)
    max_messages: int = 10_000
    # one mail, before decoding (the largest kernel patch mails are a few MB)
    max_message_bytes: int = 64 * MiB
    # one header value; longer values are cut (the standard library decodes them in quadratic time)
    max_header_chars: int = 16 * KiB
    # a subject is cut to this many characters before it is parsed
    max_subject_chars: int = 2 * KiB
    # MIME parts in one mail, and how deep multiparts nest
    max_mime_parts: int = 512
    max_mime_depth: int = 32
    # n/m: a series longer than this is refused (every patch is a snapshot)
    max_patches: int = 2_000
    # files in one patch
    max_files_per_patch: int = 50_000
    # lines of diff in one mail, and in one hunk
    max_diff_lines: int = 10_000_000
    max_hunk_lines: int = 2_000_000
    # a tree file larger than this is not read: it is known only through the hunks that show it
    max_file_bytes: int = 64 * MiB
    # line comparisons spent looking for one hunk at an offset (like `git apply`) before giving up
    max_apply_compares: int = 50_000_000
    # nesting of (), {} and #if in one C file beyond which it should not be parsed (extraction
    # is quadratic in it); see c_nesting_depth()
    max_c_nesting: int = 256
    # whole-run time limit in seconds (the --timeout option)
    timeout: float = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Limits":
        """Defaults, overridden by `KPATCHLINT_MAX_...`/`KPATCHLINT_TIMEOUT` variables."""
        env = os.environ if environ is None else environ
        changes: dict[str, float | int] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or not raw.strip():
                continue
            try:
                changes[f.name] = float(raw) if f.name == "timeout" else parse_size(raw)
            except ValueError:
                raise InputError(f"{ENV_PREFIX}{f.name.upper()}={raw!r} is not a number") from None
            if changes[f.name] < 0:
                raise InputError(f"{ENV_PREFIX}{f.name.upper()}={raw!r} is negative")
        return replace(cls(), **changes) if changes else cls()


def parse_size(text: str) -> int:
    """`1000`, `64K`, `256M`, `1G` (binary units; a trailing `B`/`iB` is allowed)."""
    t = text.strip().upper().removesuffix("IB").removesuffix("B")
    mult = {"K": KiB, "M": MiB, "G": GiB}.get(t[-1:], 1)
    if mult != 1:
        t = t[:-1]
    value = float(t.replace("_", ""))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return int(value * mult)


def human(n: int) -> str:
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,}"


_current: Limits | None = None
_lock = threading.Lock()


def current() -> Limits:
    """The limits of this process: defaults and environment, or what `use()` set."""
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = Limits.from_env()
    return _current


@contextmanager
def use(limits: Limits | None = None, **changes: int | float) -> Iterator[Limits]:
    """Run a block under other limits (`with use(max_input_bytes=1000): ...`); for tests and API users."""
    global _current
    before = _current
    new = replace(limits or current(), **changes)
    _current = new
    try:
        yield new
    finally:
        _current = before


class LimitError(InputError):
    """The input goes over a resource limit; the message names the limit and its variable."""

    def __init__(self, what: str, where: str = "", *, limit: str = "") -> None:
        if limit:
            what = f"{what} (set {ENV_PREFIX}{limit.upper()} to change it)"
        super().__init__(what, where)
        self.limit = limit


def over(name: str, value: int) -> bool:
    """Whether `value` goes over the limit `name` (0 = no limit)."""
    lim = getattr(current(), name)
    return bool(lim) and value > lim


def enforce(name: str, value: int, what: str, where: str = "") -> None:
    """Raise LimitError if `value` goes over the limit `name`. `what` says what was counted."""
    lim = getattr(current(), name)
    if lim and value > lim:
        shown = human(lim) if name.endswith("_bytes") else f"{lim:,}"
        got = human(value) if name.endswith("_bytes") else f"{value:,}"
        raise LimitError(f"{what}: {got}, over the limit of {shown}", where, limit=name)


_BRACKETS = bytes(range(256)).translate(None, b"(){}")  # every byte but the four brackets
_STEP = {40: 1, 123: 1, 41: -1, 125: -1}
_PP_RE = re.compile(rb"^[ \t]*+#[ \t]*+(if|endif)", re.MULTILINE)


def _max_depth(steps: "list[int] | map") -> int:
    """Deepest nesting of a sequence of +1/-1 steps, a close with nothing open counting for
    nothing; every loop runs in C (accumulate, map), not in Python."""
    prefix = list(accumulate(steps, initial=0))
    lowest = accumulate(prefix, min)
    return max(map(sub, prefix, lowest), default=0)


def c_nesting_depth(src: bytes) -> int:
    """The deepest nesting of parentheses/braces, or of `#if`, in C source; linear, C-speed scan.

    Kernel code stays below ~40 (macro-heavy headers); hostile text can reach millions, which
    the extraction handles in quadratic time. Comments and strings are not skipped: the
    answer is an upper bound, which is what a limit needs.
    """
    brackets = src.translate(None, _BRACKETS)
    depth = _max_depth(map(_STEP.__getitem__, brackets))
    pp = _max_depth([1 if t == b"if" else -1 for t in _PP_RE.findall(src)])
    return max(depth, pp)


def too_deep(src: bytes) -> str | None:
    """Why `src` should not be parsed (nesting over `max_c_nesting`), or None."""
    cap = current().max_c_nesting
    if not cap:
        return None
    depth = c_nesting_depth(src)
    if depth > cap:
        return f"nested {depth:,} deep, over the limit of {cap:,} (KPATCHLINT_MAX_C_NESTING): not parsed"
    return None


# --------------------------------------------------------------------------- time limit


class RunTimeout(InputError):
    """The whole-run time limit passed. An InputError so that the CLI prints one line and exits 2."""


@dataclass(slots=True)
class Deadline:
    seconds: float
    at: float
    doing: str = ""

    @classmethod
    def after(cls, seconds: float) -> "Deadline":
        return cls(seconds, time.monotonic() + seconds)

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def left(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def error(self, doing: str = "") -> RunTimeout:
        doing = doing or self.doing
        return RunTimeout(f"time limit of {self.seconds:g} s exceeded"
                          + (f" while {doing}" if doing else "") + "; nothing was checked to the end"
                          + f" (--timeout / {ENV_PREFIX}TIMEOUT)")

    def check(self, doing: str = "") -> None:
        if doing:
            self.doing = doing
        if time.monotonic() >= self.at:
            raise self.error(doing)


_deadline: Deadline | None = None


def deadline() -> Deadline | None:
    return _deadline


def check_deadline(doing: str = "") -> None:
    """Raise RunTimeout when the run's deadline has passed; cheap when there is none."""
    d = _deadline
    if d is not None:
        d.check(doing)


HARD_GRACE_S = 10.0


def _hard_exit(d: Deadline) -> None:
    try:
        sys.stderr.write(f"kpatchlint: error: {d.error()} (stopped hard)\n")
        sys.stderr.flush()
    finally:
        os._exit(2)


def start_time_limit(seconds: float | None, *, grace: float = HARD_GRACE_S):
    """Arm the whole-run time limit; returns a function that disarms it.

    `seconds` None or 0: take `KPATCHLINT_TIMEOUT` (0 there too: no limit). In the main
    thread a SIGALRM timer raises RunTimeout wherever the run is (also inside a subprocess
    wait or a parse pool) and, `grace` seconds later, ends the process with exit 2 if the
    first stop was swallowed or is stuck in C code. Elsewhere only `check_deadline()` stops it.
    """
    global _deadline
    if not seconds:
        seconds = current().timeout
    if not seconds or seconds <= 0:
        return lambda: None
    d = Deadline.after(float(seconds))
    previous_deadline = _deadline
    _deadline = d
    use_signal = (threading.current_thread() is threading.main_thread()
                  and hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM"))
    if not use_signal:
        def disarm_soft() -> None:
            global _deadline
            _deadline = previous_deadline
        return disarm_soft
    fired = {"n": 0}

    def on_alarm(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
        fired["n"] += 1
        if fired["n"] == 1:
            if grace > 0:
                signal.setitimer(signal.ITIMER_REAL, grace)
            raise d.error()
        _hard_exit(d)

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(float(seconds), 0.001))

    def disarm() -> None:
        global _deadline
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        _deadline = previous_deadline

    return disarm


@contextmanager
def time_limit(seconds: float | None, *, grace: float = HARD_GRACE_S) -> Iterator[Deadline | None]:
    """`with time_limit(60): lint_series(...)`: RunTimeout once 60 s have passed (see start_time_limit)."""
    disarm = start_time_limit(seconds, grace=grace)
    try:
        yield _deadline
    finally:
        disarm()
