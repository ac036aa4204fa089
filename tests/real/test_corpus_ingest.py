"""Ingest of the real swap-table series (v1 complete, v5 partial) from ../shared/corpus beside the repo."""

from __future__ import annotations

import email
import os
import re
from pathlib import Path

import pytest

from kpatchlint.errors import InputError
from kpatchlint.series import load_series, series_from_bytes
from kpatchlint.series.model import Series

pytestmark = pytest.mark.real

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
V1 = CORPUS / "swap-table-p2-v1"
V5 = CORPUS / "swap-table-p2-v5"


@pytest.fixture(autouse=True, scope="module")
def _need_corpus() -> None:
    if not (V1 / "series.mbox").is_file() or not (V5 / "series.mbox").is_file():
        reason = f"real corpus not found at {CORPUS}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: the corpus is required)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def v1() -> Series:
    return load_series(V1 / "series.mbox")


def test_v1_is_complete(v1: Series) -> None:
    assert (v1.revision, v1.expected) == (1, 19)
    assert v1.missing == [] and len(v1.present) == 19
    assert [p.label for p in v1.present] == [f"{n}/19" for n in range(1, 20)]
    assert v1.cover is not None
    assert v1.cover.subject.raw == (
        "[PATCH 00/19] mm, swap: never bypass swap cache and cleanup flags (swap table phase II)")
    assert v1.base_commit == "f30d294530d939fa4b77d61bc60f25c4284841fa"
    assert v1.change_id == "20251007-swap-table-p2-7d3086e5c38a"
    assert v1.problems == ()


@pytest.mark.parametrize("n, subject", [
    (1, "[PATCH 01/19] mm/swap: rename __read_swap_cache_async to swap_cache_alloc_folio"),
    (13, "[PATCH 13/19] mm, swap: remove workaround for unsynchronized swap map cache state"),
    (19, "[PATCH 19/19] mm, swap: remove no longer needed _swap_info_get"),
])
def test_v1_subjects_are_unfolded(v1: Series, n: int, subject: str) -> None:
    patch = v1.patches[n - 1]
    assert patch is not None
    assert patch.subject.raw == subject
    assert patch.subject.title == subject.split("] ", 1)[1]
    assert patch.msgid == f"<20251029-swap-table-p2-v1-{n}-3d43f3b6ec32@tencent.com>"


def test_v1_patch_13_files_and_hunks(v1: Series) -> None:
    patch = v1.patches[12]
    assert patch is not None
    # counted from the mbox: `@@` lines between patch 13's `diff --git` headers are 1, 12 and 1
    assert [(f.path, len(f.hunks)) for f in patch.files] == [
        ("mm/swap.h", 1), ("mm/swap_state.c", 12), ("mm/zswap.c", 1)]
    assert patch.files[0].hunks[0].old_start == 260
    assert patch.files[0].hunks[0].lines[4].text == "\t\t\t\t     bool *alloced);"


def test_v1_total_hunks_match_readme_and_mbox(v1: Series) -> None:
    total = sum(len(f.hunks) for p in v1.present for f in p.files)
    assert total == 234
    text = (V1 / "series.mbox").read_text(encoding="utf-8")
    assert total == len(re.findall(r"^@@ -", text, flags=re.MULTILINE))


def test_v1_hunk_diff_lines_point_at_the_at_at_lines(v1: Series) -> None:
    raw = (V1 / "series.mbox").read_bytes().split(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n")[1:]
    for patch, chunk in zip(v1.present, raw[1:]):
        body = email.message_from_bytes(chunk).get_payload(decode=True).decode().split("\n")
        for f in patch.files:
            for h in f.hunks:
                assert body[h.diff_line - 1].startswith(f"@@ -{h.old_start},"), (patch.label, h.diff_line)


def test_v1_in_body_from_and_commit_message(v1: Series) -> None:
    p8 = v1.patches[7]
    assert p8 is not None and p8.author.startswith("Nhat Pham")
    assert ("From", "Kairui Song <ryncsn@gmail.com>") in p8.headers
    p1 = v1.patches[0]
    assert p1 is not None and p1.author == "Kairui Song <kasong@tencent.com>"
    assert p1.commit_message.startswith("__read_swap_cache_async is widely used")
    assert p1.commit_message.endswith("Signed-off-by: Kairui Song <kasong@tencent.com>")
    assert p1.notes.splitlines()[0].strip().startswith("mm/swap.h")


def test_replies_alone_are_no_patch() -> None:
    with pytest.raises(InputError, match="no patch found"):
        load_series(V1 / "replies.mbox")


def test_series_plus_replies_ignores_replies() -> None:
    data = (V1 / "series.mbox").read_bytes() + (V1 / "replies.mbox").read_bytes()
    s = series_from_bytes(data, "v1-all.mbox")
    assert len(s.present) == 19 and s.missing == []
    # Barry Song's "Re: [PATCH 13/19]" carries an unquoted, damaged diff: ignored as a reply
    assert s.problems == ()
    assert [len(f.hunks) for f in s.patches[12].files] == [1, 12, 1]  # type: ignore[union-attr]
    both = load_series([V1 / "series.mbox", V1 / "replies.mbox"])
    assert len(both.present) == 19


def test_v5_partial() -> None:
    s = load_series(V5 / "series.mbox")
    assert (s.revision, s.expected) == (5, 19)
    assert s.cover is not None and s.cover.subject.revision == 5
    assert [p.label for p in s.present] == ["14/19"]
    assert s.missing == [n for n in range(1, 20) if n != 14]
    missing = [pr for pr in s.problems if "missing" in pr.what]
    assert len(missing) == 18
    assert s.base_commit == "dc9f44261a74a4db5fe8ed570fc8b3edc53a28a2"
    p14 = s.patches[13]
    assert p14 is not None and p14.subject.title == "mm, swap: cleanup swap entry management workflow"
    assert sum(len(f.hunks) for f in p14.files) == 42


def test_v5_with_replies_multipart_and_quoted_printable() -> None:
    s = load_series([V5 / "series.mbox", V5 / "replies.mbox"])
    assert [p.label for p in s.present] == ["14/19"]
    assert len([pr for pr in s.problems if "missing" in pr.what]) == 18
