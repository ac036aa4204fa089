"""Split mbox files into messages, decode them, and turn one message into a Patch or Cover."""

from __future__ import annotations

import codecs
import email
import email.policy
import re
from dataclasses import dataclass, field, replace
from email.header import decode_header
from email.message import Message as EmailMessage

from kpatchlint import limits
from kpatchlint.errors import InputError
from kpatchlint.limits import check_deadline
from kpatchlint.series.diff import find_diff_start, parse_diff
from kpatchlint.series.model import Cover, IngestProblem, Patch, Subject
from kpatchlint.series.subject import parse_subject

KEPT_HEADERS = ("to", "cc", "from", "date", "message-id", "in-reply-to", "references")
_HEADER_LINE_RE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")
_QUOTED_FROM_RE = re.compile(rb"^>(>*From )")
_PSEUDO_RE = re.compile(r"^(From|Date|Subject):\s*(.*)$")
_PATCH_PARTS = ("text/x-patch", "text/x-diff", "application/x-patch", "text/x-patch-file")
_MULTIPART_RE = re.compile(rb"^content-type:[ \t]*+multipart/", re.IGNORECASE | re.MULTILINE)


@dataclass
class Message:
    """One decoded mail, before it is known whether it is a patch, a cover letter or a reply."""

    where: str  # for error messages: "file: message N (<msgid>)" or "file"
    source: str  # "file: message N"
    subject: Subject
    headers: tuple[tuple[str, str], ...]
    author: str
    date: str
    msgid: str
    body: str
    problems: list[IngestProblem] = field(default_factory=list)
    line_offset: int | None = None  # file line = body line + offset, when the body is not encoded


def looks_like_mbox(data: bytes) -> bool:
    return data.startswith(b"From ")


def looks_like_message(data: bytes) -> bool:
    first = data.lstrip(b"\r\n").split(b"\n", 1)[0]
    return bool(_HEADER_LINE_RE.match(first)) and not first.startswith(b"From ")


def split_mbox(data: bytes) -> list[tuple[int, bytes]]:
    """Split mboxrd/mboxo data at `From ` lines that start a message; undo `>From ` quoting.

    Returns (1-based line of the message's first header, message bytes) pairs. A `From `
    line counts as a separator only at the start or after a blank line, and when a header
    line follows, so an unquoted "From " sentence in a body (mboxo from careless writers,
    `git format-patch` output) does not split a message.
    """
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    starts = [
        i for i, line in enumerate(lines)
        if line.startswith(b"From ")
        and (i == 0 or lines[i - 1] == b"")
        and i + 1 < len(lines) and _HEADER_LINE_RE.match(lines[i + 1])
    ]
    messages = []
    for n, first in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        body = [_QUOTED_FROM_RE.sub(rb"\1", line) for line in lines[first + 1:end]]
        messages.append((first + 2, b"\n".join(body).rstrip(b"\n") + b"\n"))
    return messages


def _decode_header(raw: str) -> str:
    """Unfold a header value and decode RFC 2047 words; raw 8-bit bytes are read as UTF-8.

    The caller cuts values to `limits.max_header_chars` first: the standard library
    decodes encoded words in quadratic time.
    """
    value = " ".join(raw.split())
    try:
        if any("\udc80" <= ch <= "\udcff" for ch in value):
            value = value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
        if "=?" not in value:
            return value
        parts = []
        for chunk, charset in decode_header(value):
            if isinstance(chunk, bytes):
                parts.append(chunk.decode(_codec(charset) or "utf-8", "replace"))
            else:
                parts.append(chunk)
        return "".join(parts)
    except Exception:  # noqa: BLE001 - a hostile header must not stop the run
        return value


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset).name
    except (LookupError, ValueError, TypeError):  # unknown, or a NUL in the name
        return None


def unflow(text: str, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed the way `git mailinfo` does.

    The `-- ` signature line is kept; one leading space is removed (space-stuffing); a line
    ending in a space is a soft break joined to the next line (without that space under
    DelSp=yes). Patches sent by flowing mailers get their context lines back this way.
    """
    out: list[str] = []
    prev: list[str] = []
    for line in text.split("\n"):
        if line == "-- ":
            if prev:
                out.append("".join(prev))
                prev = []
            out.append(line)
            continue
        if line.startswith(" "):
            line = line[1:]
        if line.endswith(" "):
            prev.append(line[:-1] if delsp else line)
            continue
        if prev:
            prev.append(line)
            line = "".join(prev)
            prev = []
        out.append(line)
    if prev:
        out.append("".join(prev))
    return "\n".join(out)


def _cap_content_type(part: EmailMessage, where: str, problems: list[IngestProblem]) -> None:
    """Cut an overlong Content-Type before its parameters are read: the standard library
    parses parameters in quadratic time in the header's length."""
    cap = limits.current().max_header_chars
    value = part.get("Content-Type")
    if cap and value is not None and len(str(value)) > cap:
        problems.append(IngestProblem(where, f"header Content-Type is {len(str(value)):,} characters long; "
                                             f"cut to {cap:,} (KPATCHLINT_MAX_HEADER_CHARS)"))
        part.replace_header("Content-Type", str(value)[:cap])


def _decode_part(part: EmailMessage, where: str, problems: list[IngestProblem]) -> str:
    _cap_content_type(part, where, problems)
    try:
        payload = part.get_payload(decode=True)
    except Exception as exc:  # noqa: BLE001 - broken encodings become problems, not crashes
        problems.append(IngestProblem(where, f"cannot decode the transfer encoding: {exc}"))
        payload = b""
    if not isinstance(payload, bytes):
        return ""
    declared = part.get_content_charset()
    codec = _codec(declared) or "utf-8"
    if declared and _codec(declared) is None:
        problems.append(IngestProblem(where, f"unknown charset {declared!r}, read as UTF-8"))
    for attempt in (codec, "utf-8"):
        try:
            text = payload.decode(attempt)
        except UnicodeDecodeError:
            continue
        except Exception:  # noqa: BLE001 - a codec that fails in another way (e.g. a bad encoder state)
            continue
        if attempt != codec:
            problems.append(IngestProblem(where, f"body is not {declared or codec} but UTF-8"))
        break
    else:
        try:
            text = payload.decode(codec, "replace")
        except Exception:  # noqa: BLE001 - a codec that cannot even replace
            text = payload.decode("utf-8", "replace")
        problems.append(IngestProblem(where, f"undecodable bytes in the body ({codec}) replaced by U+FFFD"))
    text = text.replace("\r\n", "\n")
    if str(part.get_param("format", "", header="content-type") or "").lower() == "flowed":
        delsp = str(part.get_param("delsp", "", header="content-type") or "").lower() == "yes"
        text = unflow(text, delsp)
        problems.append(IngestProblem(where, "format=flowed mail: unflowed like `git am`; "
                                             "patches should be sent as plain text (git send-email)"))
    return text


def _body(msg: EmailMessage, where: str, problems: list[IngestProblem]) -> str:
    if not msg.is_multipart():
        if msg.get_content_maintype() not in ("text", "application") and msg.get("Content-Type"):
            return ""
        return _decode_part(msg, where, problems)
    texts = []
    cap = limits.current().max_mime_parts
    for n, part in enumerate(_parts(msg)):
        if cap and n >= cap:
            problems.append(IngestProblem(where, f"more than {cap} MIME parts; the rest is ignored "
                                                 "(KPATCHLINT_MAX_MIME_PARTS)"))
            break
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain" or ctype in _PATCH_PARTS:
            texts.append(_decode_part(part, where, problems))
    return "\n".join(texts)


def _parts(msg: EmailMessage):
    """msg.walk() without recursion (walk() recurses once per nesting level)."""
    stack = [msg]
    while stack:
        part = stack.pop()
        yield part
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(reversed(payload))


def _body_offset(raw: bytes, msg: EmailMessage, first_line: int) -> int | None:
    """Lines before the body in the file, if body lines map 1:1 to file lines (no encoding)."""
    cte = str(msg.get("Content-Transfer-Encoding", "")).strip().lower()
    if msg.is_multipart() or msg.defects or cte not in ("", "7bit", "8bit", "binary"):
        return None
    head = raw.split(b"\n\n", 1)[0]
    return first_line + head.count(b"\n") + 1


def _cut_header(name: str, value: str, where: str, problems: list[IngestProblem]) -> str:
    cap = limits.current().max_header_chars
    if cap and len(value) > cap:
        problems.append(IngestProblem(where, f"header {name[:40]} is {len(value):,} characters long; "
                                             f"cut to {cap:,} (KPATCHLINT_MAX_HEADER_CHARS)"))
        return value[:cap]
    return value


def read_message(raw: bytes, file: str, number: int | None, first_line: int = 1) -> Message:
    """Decode one RFC 2822 message starting at file line `first_line`.

    `number` is its 1-based place in an mbox holding several messages, None for a lone one.
    """
    where = f"{file}: message {number}" if number else file
    limits.enforce("max_message_bytes", len(raw), "mail is too large", where)
    raw = raw.replace(b"\r\n", b"\n")
    if not looks_like_message(raw):
        raise InputError("not a mail message (no header lines)", where)
    depth_cap = limits.current().max_mime_depth
    if depth_cap and len(_MULTIPART_RE.findall(raw, 0, len(raw))) > depth_cap:
        raise limits.LimitError(f"more than {depth_cap} multipart containers in one mail", where,
                                limit="max_mime_depth")
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except RecursionError:
        raise InputError("MIME parts nested too deeply", where) from None
    problems: list[IngestProblem] = []
    items = [(name, _decode_header(_cut_header(name, str(value), where, problems))) for name, value in msg.raw_items()]
    first = {name.lower(): value for name, value in reversed(items)}
    msgid = first.get("message-id", "").strip()
    if number and msgid:
        where += f" ({msgid[:200]})"
    if msg.defects:
        problems.append(IngestProblem(where, f"malformed mail: {type(msg.defects[0]).__name__}"))
    try:
        body = _body(msg, where, problems)
    except RecursionError:
        raise InputError("MIME parts nested too deeply", where) from None
    return Message(
        where=where,
        source=f"{file}: message {number or 1}",
        subject=parse_subject(first.get("subject", "")),
        headers=tuple((n, v) for n, v in items if n.lower() in KEPT_HEADERS),
        author=first.get("from", ""),
        date=first.get("date", ""),
        msgid=msgid,
        body=body,
        problems=problems,
        line_offset=_body_offset(raw, msg, first_line),
    )


def _pseudo_headers(lines: list[str]) -> tuple[dict[str, str], int]:
    """In-body `From:`/`Date:`/`Subject:` lines at the top of the body; return them and where the text starts."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    found: dict[str, str] = {}
    while i < len(lines):
        m = _PSEUDO_RE.match(lines[i])
        if not m:
            break
        value = m.group(2)
        i += 1
        while i < len(lines) and lines[i][:1] in (" ", "\t") and lines[i].strip():
            value += " " + lines[i].strip()
            i += 1
        found[m.group(1).lower()] = value.strip()
    if not found or (i < len(lines) and lines[i].strip()):
        return {}, 0  # not a pseudo-header block: it must end with a blank line
    return found, i


def _message_end(lines: list[str], start: int) -> int:
    """Index of the `---` line that ends the commit message, or of the diff start."""
    for i in range(start, len(lines)):
        if re.match(r"^---\s*$", lines[i]):
            return i
    return len(lines)


def _text(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")


def build_message(msg: Message) -> Patch | Cover | None:
    """Turn a decoded message into a Patch (it has a diff) or a Cover (0/N); None for replies and chatter.

    Raises InputError when the diff is unreadable; the caller decides whether that is fatal.
    """
    subject = msg.subject
    if subject.is_reply:
        return None
    if subject.is_cover:
        return Cover(subject, msg.author, msg.msgid, msg.body, msg.headers)
    lines = msg.body.split("\n")
    start = find_diff_start(lines)
    if start is None:
        return None
    files, _end = parse_diff(lines, start, msg.where, msg.line_offset)
    pseudo, text_start = _pseudo_headers(lines[:start])
    sep = min(_message_end(lines[:start], text_start), start)
    if "subject" in pseudo:  # git am takes the commit title from an in-body Subject:
        subject = replace(subject, title=parse_subject(pseudo["subject"]).title)
    return Patch(
        index=subject.counter or 1,
        total=subject.expected or 1,
        subject=subject,
        author=pseudo.get("from") or msg.author,
        msgid=msg.msgid,
        date=pseudo.get("date") or msg.date,
        commit_message=_text(lines[text_start:sep]),
        notes=_text(lines[sep + 1:start]) if sep < start else "",
        files=files,
        headers=msg.headers,
        source=msg.source,
    )


def read_messages(data: bytes, file: str) -> list[Message]:
    """All messages of an mbox, or the one message of a lone RFC 2822 file."""
    limits.enforce("max_input_bytes", len(data), "input is too large", file)
    stripped = data.lstrip(b"\r\n")
    skipped = data[:len(data) - len(stripped)].count(b"\n")
    if looks_like_mbox(stripped):
        chunks = split_mbox(stripped)
        if not chunks:
            raise InputError("not an mbox: no message found after the `From ` line", file)
        limits.enforce("max_messages", len(chunks), "too many messages in the mbox", file)
        single = len(chunks) == 1
        out = []
        for n, (first, chunk) in enumerate(chunks, 1):
            check_deadline(f"reading message {n} of {file}")
            out.append(read_message(chunk, file, None if single else n, first + skipped))
        return out
    if looks_like_message(stripped):
        return [read_message(stripped, file, None, 1 + skipped)]
    what = "empty input" if not stripped.strip() else "not an mbox or a mail message"
    raise InputError(what, file)
