"""Subject parsing: a table of real-world shapes and a hypothesis round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpatchlint.series import parse_subject

# raw, title, revision, inferred, counter, expected, prefixes, is_reply, is_patch
CASES = [
    ("[PATCH v3 RFC 07/19] mm: foo", "mm: foo", 3, False, 7, 19, ("PATCH", "RFC"), False, True),
    ("[PATCHv2 1/3] net: bar", "net: bar", 2, False, 1, 3, ("PATCH",), False, True),
    ("[RFC PATCH 2/5] x86: baz", "x86: baz", 1, True, 2, 5, ("RFC", "PATCH"), False, True),
    ("[PATCH mm-unstable v2 0/4] mm: series", "mm: series", 2, False, 0, 4, ("PATCH", "mm-unstable"), False, True),
    ("Re: [PATCH 13/19] mm, swap: remove", "mm, swap: remove", 1, True, 13, 19, ("PATCH",), True, True),
    ("Aw: [PATCH v5 14/19] mm: x", "mm: x", 5, False, 14, 19, ("PATCH",), True, True),
    ("Fwd: Re: [PATCH] y", "y", 1, True, None, None, ("PATCH",), True, True),
    ("RE: RE: [PATCH 1/2] z", "z", 1, True, 1, 2, ("PATCH",), True, True),
    ("SV: [PATCH 1/2] z", "z", 1, True, 1, 2, ("PATCH",), True, True),
    ("[PATCH] mm: single patch", "mm: single patch", 1, True, None, None, ("PATCH",), False, True),
    ("[PATCH RESEND v4 3/8] drm: q", "drm: q", 4, False, 3, 8, ("PATCH", "RESEND"), False, True),
    ("[PATCH 1/3 V2] lib: upper V", "lib: upper V", 2, False, 1, 3, ("PATCH",), False, True),
    ("[linux-next] [PATCH v2 1/2] tag first", "tag first", 2, False, 1, 2, ("PATCH",), False, True),
    ("[PATCH v2][RFC] two brackets", "two brackets", 2, False, None, None, ("PATCH", "RFC"), False, True),
    ("[PATCH net-next,v3,2/7] comma separated", "comma separated", 3, False, 2, 7, ("PATCH", "net-next"), False, True),
    ("mm: a plain subject", "mm: a plain subject", 1, True, None, None, (), False, False),
    ("Re: mm: plain reply", "mm: plain reply", 1, True, None, None, (), True, False),
    ("[GIT PULL] mm fixes", "mm fixes", 1, True, None, None, ("GIT", "PULL"), False, False),
    ("[PATCH] Revert \"mm: x\"", 'Revert "mm: x"', 1, True, None, None, ("PATCH",), False, True),
    ("", "", 1, True, None, None, (), False, False),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] or "empty" for c in CASES])
def test_subject_table(case: tuple) -> None:
    raw, title, rev, inferred, counter, expected, prefixes, is_reply, is_patch = case
    s = parse_subject(raw)
    assert s.title == title
    assert (s.revision, s.revision_inferred) == (rev, inferred)
    assert (s.counter, s.expected) == (counter, expected)
    assert s.prefixes == prefixes
    assert (s.is_reply, s.is_patch) == (is_reply, is_patch)


def test_folded_subject_is_unfolded() -> None:
    s = parse_subject("[PATCH 13/19] mm, swap: remove workaround for unsynchronized swap\n map cache state")
    assert s.title == "mm, swap: remove workaround for unsynchronized swap map cache state"
    assert s.raw == "[PATCH 13/19] mm, swap: remove workaround for unsynchronized swap map cache state"
    assert s.counter == 13


def test_cover_letter() -> None:
    assert parse_subject("[PATCH v2 0/4] x").is_cover
    assert not parse_subject("[PATCH v2 1/4] x").is_cover
    assert not parse_subject("[PATCH] x").is_cover


def test_non_ascii_and_garbage_never_raise() -> None:
    for raw in ["[", "]", "[[PATCH]]", "[PATCH 1/", "[PATCH 99999/1] x", "\x00\x01", "Re:", "[PATCH\tv2\t1/2]\tt"]:
        parse_subject(raw)


_WORDS = st.sampled_from(["RFC", "RESEND", "net-next", "mm-unstable", "bpf", "stable-6.1"])
_TITLE = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF, blacklist_characters="[]"),
    min_size=1, max_size=40,
).map(lambda t: " ".join(t.split())).filter(lambda t: t and not t.lower().startswith(("re:", "aw:", "fwd:", "fw:")))


@given(
    version=st.none() | st.integers(1, 99),
    counter=st.none() | st.tuples(st.integers(0, 999), st.integers(1, 999)),
    extra=st.lists(_WORDS, max_size=3),
    glued=st.booleans(),
    reply=st.sampled_from(["", "Re: ", "Aw: ", "Fwd: ", "Re: Re: "]),
    title=_TITLE,
)
def test_subject_round_trip(version, counter, extra, glued, reply, title) -> None:
    words = []
    if version is not None and glued:
        words.append(f"PATCHv{version}")
    else:
        words.append("PATCH")
        if version is not None:
            words.append(f"v{version}")
    words.extend(extra)
    if counter is not None:
        words.append(f"{counter[0]}/{counter[1]}")
    s = parse_subject(f"{reply}[{' '.join(words)}] {title}")
    assert s.title == title
    assert s.revision == (version or 1)
    assert s.revision_inferred == (version is None)
    assert (s.counter, s.expected) == (counter if counter else (None, None))
    assert s.prefixes == ("PATCH", *extra)
    assert s.is_reply == bool(reply)
    assert s.is_patch
