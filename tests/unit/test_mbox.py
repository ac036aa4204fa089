"""Mail ingest: mbox flavours, threads with several revisions, encodings, sources, series assembly."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpatchlint.errors import InputError, UnsafePathError
from kpatchlint.series import load_series, parse_patch_bytes, series_from_bytes, series_from_git
from kpatchlint.series.model import Cover, Patch

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"

DIFF = """diff --git a/lib/blip.c b/lib/blip.c
--- a/lib/blip.c
+++ b/lib/blip.c
@@ -1,2 +1,2 @@
 int blip(void)
-{ return {n}; }
+{ return {m}; }
"""


def patch_mail(subject: str, body: str = "Change it.", n: int = 1, extra: str = "") -> str:
    diff = DIFF.replace("{n}", str(n)).replace("{m}", str(n + 1))
    return (f"From: Ada <ada@example.org>\nSubject: {subject}\nMessage-Id: <m{n}@example.org>\n{extra}\n"
            f"{body}\n\nSigned-off-by: Ada <ada@example.org>\n---\n{diff}-- \n2.47.0\n")


def mbox(*mails: str) -> bytes:
    return "".join(f"From mboxrd@z Thu Jan  1 00:00:00 1970\n{m}\n" for m in mails).encode()


# ---- threads and revisions ------------------------------------------------------

def test_thread_picks_newest_complete_revision() -> None:
    s = load_series(FIX / "thread-v1-v2.mbox")
    assert (s.revision, s.expected, len(s.present)) == (2, 2, 2)
    assert s.cover is not None and s.cover.subject.raw == "[PATCH v2 0/2] frob: tidy the counters"
    assert s.base_commit == "2" * 40 and s.change_id == "20250301-frob-0123456789ab"
    assert s.problems == ()  # replies, even one with a damaged diff, are ignored silently
    first = s.patches[0]
    assert first is not None and "+\treturn atomic_read(&fd->count);" not in first.commit_message
    assert first.files[0].hunks[0].new_lines[3] == "\treturn atomic_read(&fd->count);"


def test_thread_revision_1_on_request() -> None:
    s = load_series(FIX / "thread-v1-v2.mbox", revision=1)
    assert (s.revision, [p.label for p in s.present]) == (1, ["1/2", "2/2"])
    assert s.base_commit == "1" * 40
    assert s.present[0].files[0].hunks[0].new_lines[3] == "\treturn READ_ONCE(fd->count);"
    with pytest.raises(InputError, match="no revision 3"):
        load_series(FIX / "thread-v1-v2.mbox", revision=3)


def test_patch_fields() -> None:
    path = FIX / "thread-v1-v2.mbox"
    p = load_series(path).patches[0]
    assert p is not None
    assert (p.index, p.total, p.label) == (1, 2, "1/2")
    assert p.subject.title == "frob: read the count once" and p.subject.revision == 2
    assert p.author == "Ada Example <ada@example.org>"
    assert p.msgid == "<20250305-frob-v2-1-bbbb@example.org>"
    assert p.date == "Wed, 05 Mar 2025 10:00:01 +0100"
    assert p.commit_message == ("The count can change under us; read it atomically.\n\n"
                                "Signed-off-by: Ada Example <ada@example.org>")
    assert p.notes.startswith("Changes in v2:\n- use atomic_read()\n---\n drivers/misc/frob.c")
    assert p.notes.endswith("1 file changed, 1 insertion(+), 1 deletion(-)")
    assert [n for n, _ in p.headers] == ["From", "Date", "Message-Id", "In-Reply-To", "References", "To"]
    assert p.source == f"{path}: message 6"


def test_missing_patch_leaves_a_hole() -> None:
    s = load_series(FIX / "missing.mbox")
    assert s.expected == 3 and s.missing == [2]
    assert [p.label if p else None for p in s.patches] == ["1/3", None, "3/3"]
    assert any("2/3" in pr.what and "missing" in pr.what for pr in s.problems)
    assert s.cover is not None and s.cover.body.startswith("Three steps")


def test_duplicate_keeps_the_last_copy() -> None:
    s = load_series(FIX / "duplicate.mbox")
    second = s.patches[1]
    assert second is not None and second.commit_message == "Second copy, sent again."
    assert second.msgid == "<dup-2b@example.org>"
    (problem,) = s.problems
    assert "duplicate" in problem.what and "<dup-2b@example.org>" in problem.where


def test_bad_message_does_not_stop_the_others() -> None:
    hostile = patch_mail("[PATCH 2/2] evil", n=2).replace("lib/blip.c", "../../etc/passwd")
    s = series_from_bytes(mbox(patch_mail("[PATCH 1/2] good", n=1), hostile), "two.mbox")
    assert [p.label if p else None for p in s.patches] == ["1/2", None]
    assert any("../../etc/passwd" in pr.what and "two.mbox: message 2 (<m2@example.org>), line " in pr.where
               for pr in s.problems)


def test_all_messages_bad_raises_the_first_error() -> None:
    hostile = patch_mail("[PATCH 1/1] evil").replace("lib/blip.c", ".git/config")
    with pytest.raises(UnsafePathError) as info:
        series_from_bytes(mbox(hostile, "From: b@x\nSubject: Re: [PATCH 1/1] evil\n\nNo.\n"), "bad.mbox")
    assert info.value.where.startswith("bad.mbox: message 1 (<m1@example.org>), line ")


def test_numbered_patch_without_diff_is_reported() -> None:
    s = series_from_bytes(mbox(patch_mail("[PATCH 1/2] a"), "From: a@x\nSubject: [PATCH 2/2] b\n\nforgot it\n"), "x")
    assert s.missing == [2] and any("no diff" in p.what for p in s.problems)


def test_unnumbered_patches_in_a_directory_are_taken_in_order(tmp_path: Path) -> None:
    (tmp_path / "0002-b.patch").write_text(patch_mail("[PATCH] second", n=2))
    (tmp_path / "0001-a.patch").write_text(patch_mail("[PATCH] first", n=1))
    (tmp_path / "notes.txt").write_text("not a patch")
    s = load_series(tmp_path)
    assert [(p.label, p.subject.title) for p in s.present] == [("1/2", "first"), ("2/2", "second")]


# ---- mbox flavours and sources ----------------------------------------------------

def test_mboxrd_unquoting() -> None:
    p = load_series(FIX / "quoting.mboxrd").present[0]
    assert "\nFrom now on the count is read once.\n>From the old code:" in p.commit_message


def test_mboxo_unquoting_is_lossy_but_safe() -> None:
    p = load_series(FIX / "quoting.mboxo").present[0]
    assert "\nFrom now on the count is read once.\nFrom the old code:" in p.commit_message


def test_format_patch_directory_and_unquoted_from_line() -> None:
    s = load_series(FIX / "format-patch")
    assert [p.label for p in s.present] == ["1/2", "2/2"]
    assert s.present[0].commit_message.startswith("From the start the count was read twice.")
    assert s.base_commit == "0" * 37 + "abc"
    assert s.present[0].source.endswith("0001-frob-read-the-count-once.patch: message 1")


def test_list_of_files_and_stdin() -> None:
    files = sorted((FIX / "format-patch").glob("*.patch"))
    assert len(load_series(files).present) == 2
    one = load_series("-", stdin=files[1].read_bytes())
    assert [p.label for p in one.present] == ["2/2"] and one.missing == [1]
    many = load_series("-", stdin=(FIX / "thread-v1-v2.mbox").read_bytes())
    assert many.revision == 2
    with pytest.raises(InputError):
        load_series("-")


@pytest.mark.parametrize("data, what", [
    ((FIX / "not-an-mbox.txt").read_bytes(), "not an mbox"),
    (b"", "empty input"),
    (b"\n\n", "empty input"),
    (b"From nobody\nthis is prose, not mail\n", "not an mbox"),
    (b"\x00\x01\x02binary", "not an mbox"),
])
def test_not_mail(data: bytes, what: str) -> None:
    with pytest.raises(InputError, match=what):
        series_from_bytes(data, "x")


def test_replies_only_is_no_patch() -> None:
    data = mbox("From: b@x\nSubject: Re: [PATCH 1/2] a\n\n> diff --git a/x b/x\nok\n")
    with pytest.raises(InputError, match="no patch found"):
        series_from_bytes(data, "r.mbox")


def test_missing_file() -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_series(FIX / "does-not-exist.mbox")
    with pytest.raises(InputError, match="no input files"):
        load_series([])


def test_parse_patch_bytes_kinds() -> None:
    cover = mbox("From: a@x\nSubject: [PATCH 0/1] c\nMessage-Id: <c@x>\n\ncover\n")
    assert isinstance(parse_patch_bytes(cover, "c"), Cover)
    assert parse_patch_bytes(b"From: a@x\nSubject: Re: [PATCH 1/1] c\n\nreply\n", "r") is None
    assert isinstance(parse_patch_bytes(patch_mail("[PATCH] p").encode(), "p"), Patch)
    with pytest.raises(InputError, match="several"):
        parse_patch_bytes((FIX / "duplicate.mbox").read_bytes(), "d")


# ---- encodings ------------------------------------------------------------------

def test_quoted_printable_and_base64() -> None:
    s = load_series(FIX / "qp-base64.mbox")
    qp, b64 = s.present
    assert qp.author == "Renée Example <renee@example.org>"
    assert qp.commit_message.startswith("Use the helper. Café was here.")
    assert qp.files[0].hunks[0].new_lines[2] == (
        "\tint x = blip_helper(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);")
    assert b64.files[0].hunks[0].new_lines[2] == "\t/* naïve but fine */"
    assert s.problems == ()


def test_iso_8859_1() -> None:
    s = load_series(FIX / "latin1.patch")
    p = s.present[0]
    assert p.author == "José Cañuelo <jose@example.org>"
    assert "Written by José Cañuelo." in p.commit_message
    assert p.files[0].hunks[0].new_lines[0] == "/* frob driver (c) José Cañuelo */"
    assert s.problems == ()


def test_undecodable_bytes_are_replaced_and_reported() -> None:
    s = load_series(FIX / "undecodable.patch")
    p = s.present[0]
    assert "\ufffd" in p.commit_message and "\ufffd" in p.files[0].hunks[0].new_lines[0]
    assert any("U+FFFD" in pr.what for pr in s.problems)


def test_crlf_mail_headers() -> None:
    p = load_series(FIX / "crlf.patch").present[0]
    assert p.msgid == "<crlf@example.org>" and p.subject.title == "frob: sent from a CRLF mailer"


def test_folded_headers_and_in_body_pseudo_headers() -> None:
    body = ("From: Nhat Example <nhat@example.org>\nDate: Tue, 4 Mar 2025 11:00:00 +0000\n"
            "Subject: [PATCH] frob: the real title\n\nThe body.")
    extra = "Cc: One <one@example.org>, \n Two <two@example.org>\n"
    text = patch_mail("[PATCH 1/1] frob: a long title that\n got folded", body=body, extra=extra)
    p = parse_patch_bytes(text.encode(), "f.patch")
    assert isinstance(p, Patch)
    assert p.author == "Nhat Example <nhat@example.org>"
    assert p.date == "Tue, 4 Mar 2025 11:00:00 +0000"
    assert p.subject.title == "frob: the real title"
    assert p.subject.raw == "[PATCH 1/1] frob: a long title that got folded"
    assert p.commit_message.startswith("The body.")
    assert ("Cc", "One <one@example.org>, Two <two@example.org>") in p.headers


def test_multipart_with_patch_attachment() -> None:
    text = ("From: a@x\nSubject: [PATCH] attached\nMIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="BB"\n\n--BB\nContent-Type: text/plain\n\n'
            "See attachment.\n---\n--BB\nContent-Type: text/x-patch; charset=utf-8\n"
            "Content-Transfer-Encoding: base64\n\n"
            "ZGlmZiAtLWdpdCBhL3ggYi94Ci0tLSBhL3gKKysrIGIveApAQCAtMSArMSBAQAotYQorYgo=\n--BB--\n")
    p = parse_patch_bytes(text.encode(), "m")
    assert isinstance(p, Patch) and p.files[0].hunks[0].new_lines == ["b"]


# ---- git ranges -------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_series_from_git(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        env_args = ["-c", "user.name=Ada", "-c", "user.email=ada@example.org", "-c", "commit.gpgsign=false"]
        return subprocess.run(["git", "-C", str(tmp_path), *env_args, *args], check=True,
                              capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "blip.c").write_text("int blip(void)\n{ return 1; }\n")
    git("add", ".")
    git("commit", "-qm", "base")
    base = git("rev-parse", "HEAD")
    for n in (2, 3):
        (tmp_path / "lib" / "blip.c").write_text(f"int blip(void)\n{{ return {n}; }}\n")
        git("commit", "-qam", f"lib: return {n}\n\nFrom now on it returns {n}.")
    s = series_from_git(tmp_path, "HEAD~2..HEAD")
    assert [p.subject.title for p in s.present] == ["lib: return 2", "lib: return 3"]
    assert s.base_commit == base
    assert s.present[1].files[0].hunks[0].new_lines == ["int blip(void)", "{ return 3; }"]
    assert s.present[0].commit_message.startswith("From now on it returns 2.")
    with pytest.raises(InputError, match="bad revision range"):
        series_from_git(tmp_path, "--output=/tmp/x")
    with pytest.raises(InputError, match="no commits"):
        series_from_git(tmp_path, "HEAD..HEAD")
    with pytest.raises(InputError, match="git format-patch failed"):
        series_from_git(tmp_path, "nosuch..HEAD")


# ---- properties -------------------------------------------------------------------

# lines that end a commit message (`---`, `diff -`, `-- `) are left out: git am cuts there too
_BODY_LINE = st.sampled_from(["From the top.", ">From here.", ">>From there.", "", "plain text", "From x Thu"]) | st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20).filter(
    lambda t: not t.startswith(("diff", "--", "Index:")))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_BODY_LINE, min_size=1, max_size=6), min_size=1, max_size=8))
def test_mbox_split_count(bodies: list[list[str]]) -> None:
    n = len(bodies)
    mails = []
    for i, lines in enumerate(bodies, 1):
        quoted = [(">" + ln) if ln.lstrip(">").startswith("From ") else ln for ln in lines]  # mboxrd
        mails.append(patch_mail(f"[PATCH {i}/{n}] p{i}", body="Body.\n" + "\n".join(quoted), n=i))
    s = series_from_bytes(mbox(*mails), "gen.mbox")
    assert len(s.present) == n and s.missing == []
    for patch, lines in zip(s.present, bodies):
        expected = ("Body.\n" + "\n".join(lines)).strip("\n")
        assert patch.commit_message.startswith(expected.rstrip())


def test_a_non_mail_file_in_a_directory_is_only_a_problem(tmp_path: Path) -> None:
    (tmp_path / "0001-a.patch").write_text(patch_mail("[PATCH 1/1] a"))
    (tmp_path / "0002-junk.patch").write_text("just some notes\n")
    s = load_series(tmp_path)
    assert [p.label for p in s.present] == ["1/1"]
    assert [pr.what for pr in s.problems] == ["not an mbox or a mail message"]
    with pytest.raises(InputError, match="not an mbox"):
        load_series([tmp_path / "0002-junk.patch"])
