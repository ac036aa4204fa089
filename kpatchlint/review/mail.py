"""Mail plumbing for review replies: identity, headers, Message-IDs, and the mboxrd file.

Messages are `Mail` objects (header fields and a plain-text UTF-8 body) written out by hand, so
headers fold the way git format-patch folds them. The mbox is
mboxrd (body lines matching `^>*From ` get one more `>`), the format lore serves and mutt,
`git mailsplit` and Python's `mailbox` read. `git send-email` sends one message per file, so
`write_dir` also writes one `.eml` file per reply for it.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import hashlib
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

FALLBACK_FROM = "kpatchlint <kpatchlint@localhost>"
_FROM_LINE_RE = re.compile(r"^>*From ")


def git_identity(cwd: str | Path | None = None) -> str | None:
    """`Name <addr>` from `git config user.name` / `user.email`, or None."""

    def get(key: str) -> str:
        try:
            out = subprocess.run(["git", "config", "--get", key], cwd=cwd, capture_output=True, text=True,
                                 timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip() if out.returncode == 0 else ""

    name, addr = get("user.name"), get("user.email")
    if not addr:
        return None
    return email.utils.formataddr((name, addr)) if name else addr


def identity(from_opt: str | None, cwd: str | Path | None = None) -> str:
    """The reviewer's address: --from, else git's user.name/user.email, else a placeholder."""
    if from_opt and from_opt.strip():
        name, addr = email.utils.parseaddr(from_opt)
        if not addr or "@" not in addr:
            raise ValueError(f"--from {from_opt!r} is not a mail address (use \"Name <addr>\")")
        return email.utils.formataddr((name, addr)) if name else addr
    return git_identity(cwd) or FALLBACK_FROM


def addr_of(value: str) -> str:
    return email.utils.parseaddr(value)[1].lower()


def first_name(value: str) -> str | None:
    name, _ = email.utils.parseaddr(value)
    name = name.strip().strip('"')
    if not name:
        return None
    if "," in name:  # "Huang, Ying"
        rest = name.split(",", 1)[1].strip()
        return rest.split()[0] if rest else None
    return name.split()[0]


def recipients(original: dict[str, str], author: str, own: str) -> tuple[str, list[str]]:
    """(To, Cc) of a reply: to the mail's sender, Cc everyone it was sent to (and the in-body
    author if that is someone else), never ourselves, no duplicates."""
    sender = original.get("from", "") or author
    seen = {addr_of(own)}
    to = ""
    if sender and addr_of(sender) not in seen:
        to = sender
        seen.add(addr_of(sender))
    cc: list[str] = []
    pool = []
    for key in ("to", "cc"):
        if original.get(key):
            pool += email.utils.getaddresses([original[key]])
    if author:
        pool.append(email.utils.parseaddr(author))
    for name, addr in pool:
        if not addr or addr.lower() in seen:
            continue
        seen.add(addr.lower())
        cc.append(email.utils.formataddr((name, addr)) if name else addr)
    return to, cc


def message_id(seed: str, when: datetime, own: str) -> str:
    domain = addr_of(own).rpartition("@")[2] or "localhost"
    h = hashlib.sha1(seed.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"<{when.strftime('%Y%m%d%H%M%S')}.{h}.kpatchlint@{domain}>"


def references(original: dict[str, str], msgid: str) -> str:
    ids = re.findall(r"<[^<>\s]+>", original.get("references", ""))
    if not ids and original.get("in-reply-to"):
        ids = re.findall(r"<[^<>\s]+>", original["in-reply-to"])
    if msgid and msgid not in ids:
        ids.append(msgid)
    return " ".join(ids)


@dataclass
class Mail:
    """A plain-text mail: header fields in order, and a body. `as_text()` gives RFC 5322 text."""

    headers: list[tuple[str, str]]
    body: str

    def get(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    def as_text(self) -> str:
        lines = []
        for name, value in self.headers:
            lines += fold(name, value)
        body = self.body if self.body.endswith("\n") else self.body + "\n"
        return "\n".join(lines) + "\n\n" + body

    def as_message(self) -> EmailMessage:
        data = self.as_text().encode("utf-8", "surrogateescape")
        return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


_ADDRESS_HEADERS = {"from", "to", "cc"}


def _encode_words(text: str) -> str:
    """RFC 2047 for a non-ASCII unstructured value (Subject)."""
    if text.isascii():
        return text
    return email.header.Header(text, "utf-8", maxlinelen=76).encode()


def _encode_address(value: str) -> str:
    name, addr = email.utils.parseaddr(value)
    if not addr:
        return value
    return email.utils.formataddr((name, addr), charset="utf-8") if name else addr


def fold(name: str, value: str, width: int = 78) -> list[str]:
    """One header field, folded at spaces (addresses after their commas) to `width` columns,
    continuation lines starting with one space as git format-patch writes them."""
    if name.lower() in _ADDRESS_HEADERS:
        addrs = [_encode_address(a) for a in split_addresses(value)]
        tokens = [a + ("," if i < len(addrs) - 1 else "") for i, a in enumerate(addrs)]
    else:
        tokens = (_encode_words(value) if name.lower() == "subject" else value).split()
    out: list[str] = []
    cur = f"{name}:"
    for tok in tokens:
        if len(cur) + 1 + len(tok) > width and cur.strip() != f"{name}:":
            out.append(cur)
            cur = " " + tok
        else:
            cur += " " + tok
    out.append(cur)
    return out


def split_addresses(value: str) -> list[str]:
    return [email.utils.formataddr((n, a)) if n else a for n, a in email.utils.getaddresses([value]) if a]


def build_message(*, own: str, to: str, cc: list[str], subject: str, when: datetime, msgid: str,
                  in_reply_to: str, refs: str, body: str) -> Mail:
    h: list[tuple[str, str]] = [("From", own)]
    if to:
        h.append(("To", to))
    if cc:
        h.append(("Cc", ", ".join(cc)))
    h += [("Subject", subject), ("Date", email.utils.format_datetime(when)), ("Message-ID", msgid)]
    if in_reply_to:
        h.append(("In-Reply-To", in_reply_to))
    if refs:
        h.append(("References", refs))
    h += [("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=utf-8"),
          ("Content-Transfer-Encoding", "7bit" if body.isascii() else "8bit")]
    return Mail(h, body)


def reply_subject(subject: str) -> str:
    s = " ".join(subject.split())
    return s if re.match(r"(?i)^re:", s) else f"Re: {s}"


def envelope_line(when: datetime) -> str:
    return "From kpatchlint@localhost " + when.astimezone(timezone.utc).strftime("%a %b %e %H:%M:%S %Y")


def mbox_text(messages: list[Mail]) -> str:
    """The messages as one mboxrd file."""
    parts: list[str] = []
    for msg in messages:
        when = email.utils.parsedate_to_datetime(msg.get("Date") or "")
        lines = msg.as_text().split("\n")
        body_started = False
        out = [envelope_line(when)]
        for ln in lines:
            if body_started and _FROM_LINE_RE.match(ln):
                ln = ">" + ln
            if not ln and not body_started:
                body_started = True
            out.append(ln)
        text = "\n".join(out).rstrip("\n") + "\n"
        parts.append(text + "\n")
    return "".join(parts)


def write_dir(messages: list[Mail], directory: Path) -> list[Path]:
    """One file per message (`0000-re-cover.eml`, ...), the layout `git send-email DIR` takes."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, msg in enumerate(messages):
        subj = re.sub(r"[^A-Za-z0-9]+", "-", (msg.get("Subject") or "").lower()).strip("-")[:52].rstrip("-")
        p = directory / f"{i:04d}-{subj}.eml"
        p.write_text(msg.as_text(), encoding="utf-8")
        paths.append(p)
    return paths


def parse_date(text: str) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError, IndexError):
        return None
