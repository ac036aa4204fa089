"""Parse mail subjects like `[PATCH v3 RFC 07/19] title` the way b4's LoreSubject does."""

from __future__ import annotations

import re

from kpatchlint.series.model import Subject

_REPLY_RE = re.compile(r"^(?:re|aw|fwd?)\s*:\s*", re.IGNORECASE)
# b4: any 2-3 letter word and a colon before a bracket is a localised "Re:" ("SV: [PATCH")
_LOCAL_REPLY_RE = re.compile(r"^\w{2,3}\s*:\s*(?=\[)")
_PATCH_WORD_RE = re.compile(r"patch|rfc|resend", re.IGNORECASE)
_LEADING_TAG_RE = re.compile(r"^\[([^\[\]]*)\]\s*")
_COUNTER_RE = re.compile(r"^(\d{1,4})/(\d{1,4})$")
_VERSION_RE = re.compile(r"^v(\d{1,4})$", re.IGNORECASE)
_GLUED_VERSION_RE = re.compile(r"^(patch|rfc|resend)(v\d{1,4})$", re.IGNORECASE)


def _unfold(raw: str) -> str:
    """Join a header folded over several lines and collapse whitespace runs."""
    return " ".join(raw.split())


def _strip_replies(text: str) -> tuple[str, bool]:
    is_reply = False
    while True:
        m = _REPLY_RE.match(text) or _LOCAL_REPLY_RE.match(text)
        if not m:
            return text, is_reply
        is_reply = True
        text = text[m.end():]


def _drop_list_tags(text: str) -> str:
    """Drop leading `[list-name]` tags that come before a `[PATCH ...]` tag."""
    while True:
        m = _LEADING_TAG_RE.match(text)
        if not m or _PATCH_WORD_RE.search(m.group(1)):
            return text
        rest = text[m.end():]
        nxt = _LEADING_TAG_RE.match(rest)
        if not nxt or not _PATCH_WORD_RE.search(nxt.group(1)):
            return text
        text = rest


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
    """
    text = _unfold(raw)
    rest, is_reply = _strip_replies(text)
    rest = _drop_list_tags(rest)
    revision = 1
    inferred = True
    counter: int | None = None
    expected: int | None = None
    prefixes: list[str] = []
    is_patch = False
    while True:
        m = _LEADING_TAG_RE.match(rest)
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
        rest = rest[m.end():]
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
