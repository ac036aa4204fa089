"""Diff ingest: paths, renames, binaries, new/deleted files, damaged and hostile diffs, round trips."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpatchlint.errors import InputError, UnsafePathError
from kpatchlint.series import check_path, load_series, parse_patch_bytes, series_from_bytes
from kpatchlint.series.diff import parse_diff, unquote
from kpatchlint.series.model import Patch

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


def one_patch(name: str) -> Patch:
    series = load_series(FIX / name)
    assert len(series.present) == 1
    return series.present[0]


def mail(diff: str, subject: str = "[PATCH] lib: test") -> bytes:
    return (f"From: A <a@example.org>\nSubject: {subject}\nMessage-Id: <t@x>\n\nmsg\n---\n{diff}").encode()


# ---- check_path -------------------------------------------------------------

@pytest.mark.parametrize("raw, norm", [
    ("mm/swap.h", "mm/swap.h"),
    ("./mm//swap.h", "mm/swap.h"),
    ("Documentation/.gitignore", "Documentation/.gitignore"),
    ("tools/git/x.c", "tools/git/x.c"),
    ("a..b/c", "a..b/c"),
])
def test_check_path_accepts(raw: str, norm: str) -> None:
    assert check_path(raw, "here") == norm


@pytest.mark.parametrize("raw", [
    "", "/etc/passwd", "../../etc/passwd", "mm/../../x", "..", ".git/config", ".GIT/hooks/pre-commit",
    "sub/.git/config", ".git", "mm/x\x00.c", "mm/x\n.c", "mm/\x1b[31m.c", ".", "//",
])
def test_check_path_rejects(raw: str) -> None:
    with pytest.raises(UnsafePathError) as info:
        check_path(raw, "f.patch, line 3")
    assert info.value.where == "f.patch, line 3"


def test_unquote_git_names() -> None:
    assert unquote('"a/caf\\303\\251.c"') == "a/café.c"
    assert unquote('"a/tab\\there"') == "a/tab\there"
    assert unquote("a/plain.c") == "a/plain.c"


# ---- well-formed shapes ---------------------------------------------------------

def test_rename_without_and_with_hunks() -> None:
    patch = one_patch("rename.patch")
    pure, edited = patch.files
    assert (pure.old_path, pure.new_path, pure.hunks) == ("drivers/misc/frob.c", "drivers/frob/frob.c", ())
    assert pure.is_rename and not pure.is_new and not pure.is_deleted
    assert (edited.old_path, edited.new_path) == ("drivers/misc/frob_hw.h", "drivers/frob/frob_hw.h")
    assert edited.hunks[0].new_lines == ["#ifndef FROB_HW_H", "#define FROB_HW_H", '#include "frob_regs.h"', "#endif"]


def test_binary_files_have_no_hunks() -> None:
    patch = one_patch("binary.patch")
    blob, logo, source = patch.files
    assert blob.is_binary and blob.is_new and blob.new_path == "firmware/frob.bin" and blob.hunks == ()
    assert logo.is_binary and logo.path == "drivers/frob/logo.png" and logo.hunks == ()
    assert not source.is_binary and len(source.hunks) == 1


def test_new_deleted_and_no_newline_marker() -> None:
    patch = one_patch("new-deleted-nonewline.patch")
    kconfig, new, old = patch.files
    assert new.is_new and new.old_path is None and new.new_path == "drivers/frob/frob_new.h"
    assert old.is_deleted and old.new_path is None and old.old_path == "drivers/frob/frob_old.h"
    kinds = [(ln.kind, ln.text) for ln in kconfig.hunks[0].lines]
    assert kinds == [
        (" ", "config FROB"), (" ", '\ttristate "Frob support"'),
        ("-", "\tdepends on OF"), ("+", "\tdepends on OF || COMPILE_TEST"),
    ]
    assert all(not ln.text.startswith("\\") for f in patch.files for h in f.hunks for ln in h.lines)
    assert new.hunks[0].new_lines == ["#ifndef FROB_NEW_H", "#define FROB_NEW_H", "#endif"]


def test_line_numbers_and_section() -> None:
    patch = one_patch("format-patch/0002-frob-drop-frob_reset.patch")
    hunk = patch.files[0].hunks[0]
    assert (hunk.old_start, hunk.old_len, hunk.new_start, hunk.new_len) == (20, 11, 20, 6)
    assert hunk.section == "static void frob_put(struct frob_dev *fd)"
    first, removed = hunk.lines[0], hunk.lines[3]
    assert (first.kind, first.old_no, first.new_no) == (" ", 20, 20)
    assert (removed.kind, removed.text, removed.old_no, removed.new_no) == ("-", "static void frob_reset(struct frob_dev *fd)", 23, None)
    assert hunk.lines[-1].old_no == 30 and hunk.lines[-1].new_no == 25
    body = (FIX / "format-patch/0002-frob-drop-frob_reset.patch").read_text().split("\n\n", 1)[1].split("\n")
    assert body[hunk.diff_line - 1].startswith("@@ -20,11 +20,6 @@")


def test_non_git_diff_strips_one_component() -> None:
    diff = "--- linux-6.1.orig/mm/x.c\t2025-01-01\n+++ linux-6.1/mm/x.c\t2025-01-02\n@@ -1 +1 @@\n-a\n+b\n"
    patch = parse_patch_bytes(mail(diff), "q.patch")
    assert isinstance(patch, Patch)
    assert (patch.files[0].old_path, patch.files[0].new_path) == ("mm/x.c", "mm/x.c")


def test_quoted_git_names() -> None:
    diff = ('diff --git "a/doc/caf\\303\\251.txt" "b/doc/caf\\303\\251.txt"\n'
            '--- "a/doc/caf\\303\\251.txt"\n+++ "b/doc/caf\\303\\251.txt"\n@@ -1 +1 @@\n-a\n+b\n')
    patch = parse_patch_bytes(mail(diff), "q.patch")
    assert isinstance(patch, Patch) and patch.files[0].path == "doc/café.txt"


def test_crlf_is_normalised() -> None:
    patch = one_patch("crlf.patch")
    hunk = patch.files[0].hunks[0]
    assert hunk.new_lines == ["static int frob_get(struct frob_dev *fd)", "{", "\treturn READ_ONCE(fd->count);", ""]
    assert "\r" not in patch.commit_message


def test_signature_and_trailers_after_diff_are_not_hunk_lines() -> None:
    patch = one_patch("format-patch/0002-frob-drop-frob_reset.patch")
    assert patch.files[0].hunks[0].new_lines[-1] == "\treturn 0;"


@pytest.mark.parametrize("signature", ["-- \nAda <ada@example.org>\n", "--\nAda <ada@example.org>\n", ""])
def test_b4_single_patch_footer(signature: str) -> None:
    diff = ("diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\n"
            "---\nbase-commit: 0123456789abcdef0123456789abcdef01234567\n"
            "change-id: 20250301-x-0123456789ab\n\nBest regards,\n" + signature)
    series = series_from_bytes(mail(diff), "b4.patch")
    (patch,) = series.present
    assert patch.files[0].hunks[0].new_lines == ["a", "c"]
    assert series.base_commit == "0123456789abcdef0123456789abcdef01234567"
    assert series.change_id == "20250301-x-0123456789ab"


# ---- bad diffs ------------------------------------------------------------------

@pytest.mark.parametrize("name, path, line", [
    ("hostile-dotdot.patch", "../../etc/passwd", 7),
    ("hostile-absolute.patch", "/etc/passwd", 7),
    ("hostile-git.patch", ".git/config", 7),
])
def test_hostile_paths(name: str, path: str, line: int) -> None:
    with pytest.raises(UnsafePathError) as info:
        load_series(FIX / name)
    assert path in info.value.what
    assert info.value.where == f"{FIX / name}, line {line}"
    assert (FIX / name).read_text().split("\n")[line - 1].endswith(path)


@pytest.mark.parametrize("diff", [
    "diff --git a/ok.c b/ok.c\n--- a/../../x\n+++ b/ok.c\n@@ -1 +1 @@\n-a\n+b\n",
    "diff --git a/ok.c b/evil\nsimilarity index 100%\nrename from ok.c\nrename to ../evil\n",
    "diff --git a/ok.c b/ok.c\nnew file mode 100644\n--- /dev/null\n+++ b/.git/hooks/post-checkout\n@@ -0,0 +1 @@\n+x\n",
])
def test_hostile_path_in_any_header(diff: str) -> None:
    with pytest.raises(UnsafePathError):
        parse_patch_bytes(mail(diff), "h.patch")


@pytest.mark.parametrize("name, what, line", [
    ("truncated.patch", "message is cut off", 11),
    ("garbage.patch", "garbage hunk header", 10),
    ("whitespace-damaged.patch", "hunk is shorter than its header says: whitespace-damaged mail?", 11),
    ("wrapped.patch", "hunk is shorter than its header says: whitespace-damaged mail?", 14),
])
def test_bad_single_patch_raises(name: str, what: str, line: int) -> None:
    with pytest.raises(InputError) as info:
        load_series(FIX / name)
    assert what in info.value.what
    assert info.value.where == f"{FIX / name}, line {line}"


def test_hunk_longer_than_header() -> None:
    diff = "diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n d\n-e\n"
    with pytest.raises(InputError, match="longer than its header"):
        parse_patch_bytes(mail(diff), "l.patch")


def test_hunk_before_file_header() -> None:
    diff = "diff --git a/x.c b/x.c\n" + "@@ -1 +1 @@\n-a\n+b\n"
    lines = ["@@ -1 +1 @@", "-a", "+b"]
    with pytest.raises(InputError, match="without a file header"):
        parse_diff(lines, 0, "w")
    assert parse_patch_bytes(mail(diff), "ok.patch") is not None


def test_encoded_body_reports_body_line() -> None:
    raw = (FIX / "hostile-dotdot.patch").read_bytes().replace(
        b"Message-Id", b"Content-Transfer-Encoding: quoted-printable\nMessage-Id")
    with pytest.raises(UnsafePathError) as info:
        parse_patch_bytes(raw, "qp.patch")
    assert info.value.where == "qp.patch, body line 3"


# ---- properties -----------------------------------------------------------------

_LINE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
    max_size=30,
) | st.sampled_from(["", "-- ", "--- a/x", "+++ b/x", "@@ -1 +1 @@", "diff --git a/x b/x", "From me"])


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(old=st.lists(_LINE, max_size=15), new=st.lists(_LINE, max_size=15))
def test_generated_unified_diff_round_trips(old: list[str], new: list[str]) -> None:
    if old == new:
        new = [*new, "added"]
    context = max(len(old), len(new))
    diff = list(difflib.unified_diff(old, new, "a/lib/x.c", "b/lib/x.c", n=context, lineterm=""))
    lines = ["diff --git a/lib/x.c b/lib/x.c", *diff]
    files, end = parse_diff(lines, 0, "gen")
    assert end == len(lines)
    (change,) = files
    assert [ln for h in change.hunks for ln in h.old_lines] == old
    assert [ln for h in change.hunks for ln in h.new_lines] == new
    # and through a whole mail, with a signature after the diff
    body = "\n".join(lines) + "\n-- \n2.47.0\n"
    msg = ("From: A <a@x>\nSubject: [PATCH] gen\nContent-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: 8bit\n\nm\n---\n" + body).encode()
    patch = parse_patch_bytes(msg, "gen.patch")
    assert isinstance(patch, Patch)
    assert [ln for h in patch.files[0].hunks for ln in h.new_lines] == new


_BASE = (FIX / "format-patch" / "0002-frob-drop-frob_reset.patch").read_text().split("\n")


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["del", "dup", "edit", "insert"]),
                          st.integers(0, len(_BASE) - 1), _LINE), max_size=4))
def test_mutated_patch_only_ever_raises_input_error(mutations: list[tuple[str, int, str]]) -> None:
    lines = list(_BASE)
    for op, at, text in mutations:
        at %= max(len(lines), 1)
        if op == "del" and lines:
            del lines[at]
        elif op == "dup" and lines:
            lines.insert(at, lines[at])
        elif op == "edit" and lines:
            lines[at] = text
        else:
            lines.insert(at, text)
    try:
        parse_patch_bytes("\n".join(lines).encode(), "fuzz.patch")
    except InputError:
        pass
