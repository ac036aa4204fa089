"""Fuzz the ingest path with mutated real-looking mail: only InputError may ever come out.

A FIXED number of cases (CASES, deterministic: hypothesis derandomized, no example database)
mutates the ingest fixtures and the swap-stale series: bytes flipped, lines cut, dropped or
duplicated, headers duplicated, CRLF injected, bodies re-encoded (quoted-printable, base64,
latin-1, UTF-16, a charset that does not exist), MIME wrappers, truncation. Each mail goes
through series_from_bytes and, when it reads, through snapshot building with and without the
fixture tree. A sample of them goes through `python -m kpatchlint check -`: exit 0, 1 or 2
and never a traceback.
"""

from __future__ import annotations

import base64
import quopri
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpatchlint.errors import InputError
from kpatchlint.series import series_from_bytes
from kpatchlint.tree import DirTree, build_snapshots
from tests.robust.clihelp import FIX, STALE, SWAP, assert_clean_exit, run

CASES = 2000
CLI_SAMPLE = 10

_INGEST = FIX / "ingest"
BASES: list[bytes] = sorted(
    [p.read_bytes() for p in _INGEST.rglob("*") if p.is_file() and p.stat().st_size < 20_000]
    + ["From ".encode() + m.encode() for m in STALE.read_text().split("\nFrom ")[1:3]]
    + [STALE.read_bytes()]
)
TREE = DirTree(SWAP)

_OPS = ["flip", "cut_line", "drop_line", "dup_line", "dup_header", "crlf", "cr", "truncate", "insert",
        "swap_lines", "qp", "base64", "latin1", "utf16", "bad_charset", "multipart", "nul", "long_line",
        "tab_to_space", "strip_trailing", "from_line", "flowed"]


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    head, sep, body = data.partition(b"\n\n")
    return head, body if sep else b""


def mutate(data: bytes, ops: list[tuple[str, int, int]]) -> bytes:
    for op, a, b in ops:
        lines = data.split(b"\n")
        i = a % max(len(lines), 1)
        if op == "flip" and data:
            pos = a % len(data)
            data = data[:pos] + bytes([data[pos] ^ (1 << (b % 8))]) + data[pos + 1:]
        elif op == "cut_line" and lines:
            lines[i] = lines[i][: b % (len(lines[i]) + 1)]
            data = b"\n".join(lines)
        elif op == "drop_line" and lines:
            del lines[i]
            data = b"\n".join(lines)
        elif op == "dup_line" and lines:
            lines.insert(i, lines[i])
            data = b"\n".join(lines)
        elif op == "swap_lines" and len(lines) > 1:
            j = b % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif op == "dup_header":
            head, body = _split_head(data)
            hl = head.split(b"\n")
            k = a % len(hl)
            hl.insert(b % (len(hl) + 1), hl[k])
            data = b"\n".join(hl) + b"\n\n" + body
        elif op == "crlf":
            data = data.replace(b"\n", b"\r\n") if b % 2 else b"\r\n".join(lines[:i] + [b"\r\n".join(lines[i:])])
        elif op == "cr":
            data = data.replace(b"\n", b"\r", 1 + b % 3)
        elif op == "truncate":
            data = data[: a % (len(data) + 1)]
        elif op == "insert":
            pos = a % (len(data) + 1)
            data = data[:pos] + bytes([b % 256]) * (1 + b % 7) + data[pos:]
        elif op == "nul":
            pos = a % (len(data) + 1)
            data = data[:pos] + b"\0" + data[pos:]
        elif op == "long_line":
            lines.insert(i, (b"+", b" ", b"-", b"@@ -1 +1 @@", b"diff --git a/x b/x")[b % 5] * (1 + b % 3000))
            data = b"\n".join(lines)
        elif op == "tab_to_space":
            data = data.replace(b"\t", b"        ", 1 + b % 50)
        elif op == "strip_trailing":
            data = b"\n".join(ln.rstrip() for ln in lines)
        elif op == "from_line":
            lines.insert(i, b"From mboxrd@z Thu Jan  1 00:00:00 1970")
            data = b"\n".join(lines)
        elif op in ("qp", "base64", "latin1", "utf16", "bad_charset", "multipart", "flowed"):
            head, body = _split_head(data)
            if op == "qp":
                body = quopri.encodestring(body)
                head += b"\nContent-Transfer-Encoding: quoted-printable"
            elif op == "base64":
                body = base64.encodebytes(body)
                head += b"\nContent-Transfer-Encoding: base64"
            elif op == "latin1":
                body = body.decode("utf-8", "replace").encode("latin-1", "replace")
                head += b"\nContent-Type: text/plain; charset=iso-8859-1"
            elif op == "utf16":
                body = body.decode("utf-8", "replace").encode("utf-16")
                head += b"\nContent-Type: text/plain; charset=utf-16\nContent-Transfer-Encoding: base64"
                body = base64.encodebytes(body)
            elif op == "bad_charset":
                head += b"\nContent-Type: text/plain; charset=x-no-such-charset-" + str(b).encode()
            elif op == "flowed":
                body = b"\n".join((b" " + ln if ln.startswith(b" ") else ln) + (b" " if k % 3 == 0 else b"")
                                  for k, ln in enumerate(body.split(b"\n")))
                head += b"\nContent-Type: text/plain; charset=utf-8; format=flowed; delsp=" + (b"yes" if b % 2 else b"no")
            else:
                head += b'\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="zz"'
                body = (b"--zz\nContent-Type: text/plain\n\nsee below\n--zz\nContent-Type: text/x-patch\n"
                        b"Content-Disposition: attachment\n\n" + body + (b"\n--zz--\n" if b % 2 else b""))
            data = head + b"\n\n" + body
    return data


_MUTATIONS = st.lists(st.tuples(st.sampled_from(_OPS), st.integers(0, 1 << 20), st.integers(0, 1 << 16)),
                      min_size=1, max_size=4)


def ingest(data: bytes) -> str:
    """'ok', or 'input-error'; anything else raises and fails the test."""
    try:
        series = series_from_bytes(data, "fuzz.mbox")
    except InputError as exc:
        assert str(exc)  # a message to show
        assert "\n" not in exc.where
        return "input-error"
    for tree in (None, TREE):
        try:
            build_snapshots(series, tree)
        except InputError:
            return "input-error"
    return "ok"


def test_fuzzed_mail_only_ever_raises_input_error() -> None:
    seen = {"ok": 0, "input-error": 0}

    @settings(max_examples=CASES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(base=st.sampled_from(BASES), ops=_MUTATIONS)
    def one(base: bytes, ops: list[tuple[str, int, int]]) -> None:
        seen[ingest(mutate(base, ops))] += 1

    one()
    total = seen["ok"] + seen["input-error"]
    assert total >= CASES * 0.95, seen  # the fixed budget really ran
    assert seen["ok"] > CASES * 0.2 and seen["input-error"] > CASES * 0.05, seen  # both outcomes exercised


def test_every_base_mail_reads_or_is_refused_cleanly() -> None:
    assert len(BASES) >= 20
    assert {ingest(b) for b in BASES} <= {"ok", "input-error"}


def test_fuzzed_mail_through_the_cli(tmp_path: Path) -> None:
    rng = random.Random(20250107)
    for n in range(CLI_SAMPLE):
        base = BASES[rng.randrange(len(BASES))] if n % 2 else STALE.read_bytes()
        ops = [(rng.choice(_OPS), rng.randrange(1 << 20), rng.randrange(1 << 16)) for _ in range(rng.randint(1, 4))]
        data = mutate(base, ops)
        args = ["check", "-", "--no-cache"] + (["--tree", str(SWAP)] if n % 3 else [])
        p = run(*args, input=data)
        assert_clean_exit(p, (0, 1, 2))
