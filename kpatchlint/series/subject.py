"""Parse mail subjects like `[PATCH v3 RFC 07/19] title` the way b4's LoreSubject does."""

from __future__ import annotations

import re

from kpatchlint import limits
from kpatchlint.series.model import Subject

# no `^`: they are matched at a position with .match(text, pos)
_REPLY_RE = re.compile(r"(?:re|aw|fwd?)\s*+:\s*+", re.IGNORECASE)
# b4: any 2-3 letter word and a colon before a bracket is a localised "Re:" ("SV: [PATCH")
_LOCAL_REPLY_RE = re.compile(r"\w{2,3}\s*+:\s*+(?=\[)")
_PATCH_WORD_RE = re.compile(r"patch|rfc|resend", re.IGNORECASE)
_LEADING_TAG_RE = re.compile(r"\[([^\[\]]*+)\]\s*+")
_COUNTER_RE = re.compile(r"^(\d{1,4})/(\d{1,4})$")
_VERSION_RE = re.compile(r"^v(\d{1,4})$", re.IGNORECASE)
_GLUED_VERSION_RE = re.compile(r"^(patch|rfc|resend)(v\d{1,4})$", re.IGNORECASE)


def _unfold(raw: str) -> str:
    """Join a header folded over several lines and collapse whitespace runs."""
    return " ".join(raw.split())


def _strip_replies(text: str, pos: int = 0) -> tuple[int, bool]:
    """Skip `Re:`/`Aw:`/`SV:` prefixes from `pos`; return where the rest starts.

    Works on positions, never on slices, so 100,000 `Re: ` cost linear time.
    """
    is_reply = False
    while True:
        m = _REPLY_RE.match(text, pos) or _LOCAL_REPLY_RE.match(text, pos)
        if not m or m.end() == pos:
            return pos, is_reply
        is_reply = True
        pos = m.end()


def _drop_list_tags(text: str, pos: int) -> int:
    """Skip leading `[list-name]` tags that come before a `[PATCH ...]` tag."""
    while True:
        m = _LEADING_TAG_RE.match(text, pos)
        if not m or _PATCH_WORD_RE.search(m.group(1)):
            return pos
        nxt = _LEADING_TAG_RE.match(text, m.end())
        if not nxt or not _PATCH_WORD_RE.search(nxt.group(1)):
            return pos
        pos = m.end()


def _chunks(bracketed: str) -> list[str]:
    out: list[str] = []
    for chunk in re.split(r"[\s,;]+", bracketed):
        if not chunk:
            continue
        glued = _GLUED_VERSION_RE.match(chunk)
        if glued:
            out.extend([glued.group(1), glued.group(2)])
        else:
            out.append(chunk)
    return out


def parse_subject(raw: str) -> Subject:
    """Parse one subject line (folding allowed); never raises.

    `prefixes` keeps the bracket words other than the version and the counter, in order
    (`("RFC", "PATCH")`, `("PATCH", "mm-unstable")`); `PATCHv2` counts as `PATCH v2`.
    Without a counter `counter`/`expected` stay None (the series builder treats that as 1/1).
    A subject longer than `limits.max_subject_chars` is cut there first.
    """
    text = _unfold(raw)
    cap = limits.current().max_subject_chars
    if cap and len(text) > cap:
        text = text[:cap]
    pos, is_reply = _strip_replies(text)
    pos = _drop_list_tags(text, pos)
    revision = 1
    inferred = True
    counter: int | None = None
    expected: int | None = None
    prefixes: list[str] = []
    is_patch = False
    while True:
        m = _LEADING_TAG_RE.match(text, pos)
        if not m:
            break
        for chunk in _chunks(m.group(1)):
            cm = _COUNTER_RE.match(chunk)
            vm = _VERSION_RE.match(chunk)
            if cm:
                counter, expected = int(cm.group(1)), int(cm.group(2))
            elif vm:
                revision, inferred = int(vm.group(1)), False
            else:
                prefixes.append(chunk)
                if _PATCH_WORD_RE.fullmatch(chunk):
                    is_patch = True
        pos = m.end()
    rest = text[pos:]
    return Subject(
        raw=text,
        title=rest.strip(),
        revision=revision,
        revision_inferred=inferred,
        counter=counter,
        expected=expected,
        prefixes=tuple(prefixes),
        is_reply=is_reply,
        is_patch=is_patch,
    )
