"""Mail as it really arrives, beyond tests/unit/test_mbox.py: format=flowed, CRLF mboxes, mixed
encodings in one thread, 8-bit headers, whitespace damage (reported as such), out-of-order
patches with replies and an older revision interleaved."""

from __future__ import annotations

import base64
import quopri
import shutil
from pathlib import Path

from kpatchlint.engine import lint_series
from kpatchlint.series import series_from_bytes
from kpatchlint.series.mbox import unflow
from kpatchlint.series.model import Patch
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree
from tests.robust.clihelp import STALE, SWAP

DIFF = ("diff --git a/lib/blip.c b/lib/blip.c\n--- a/lib/blip.c\n+++ b/lib/blip.c\n"
        "@@ -1,3 +1,3 @@\n int blip(void)\n-{ return 1; }\n+{ return 2; }\n \n")


def _mail(subject: str, body: str, headers: str = "", n: int = 1) -> str:
    return (f"From: Ada <ada@example.org>\nSubject: {subject}\nMessage-Id: <m{n}.{abs(hash(subject))}@x>\n"
            f"{headers}\n{body}")


def _mbox(*mails: str | bytes) -> bytes:
    out = b""
    for m in mails:
        out += b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + (m if isinstance(m, bytes) else m.encode()) + b"\n"
    return out


def test_unflow_like_git_mailinfo() -> None:
    assert unflow("a \nb\n-- \nsig", delsp=False) == "a b\n-- \nsig"
    assert unflow("a \nb", delsp=True) == "ab"
    assert unflow("  context\n+x", delsp=False) == " context\n+x"  # space-stuffing undone
    assert unflow("end ", delsp=False) == "end "


def test_format_flowed_patch_is_unflowed_and_reported() -> None:
    # a flowing mailer space-stuffs lines that start with a space and breaks long ones softly
    flowed = ("Make blip return 2, a commit message long enough that the mailer \nwrapped it.\n\n---\n"
              + "\n".join((" " + ln if ln.startswith(" ") else ln) for ln in DIFF.split("\n")))
    text = _mail("[PATCH] lib: blip", flowed, "Content-Type: text/plain; charset=utf-8; format=flowed\n")
    s = series_from_bytes(text.encode(), "flowed.patch")
    (p,) = s.present
    assert p.files[0].hunks[0].old_lines == ["int blip(void)", "{ return 1; }", ""]
    assert "the mailer wrapped it." in p.commit_message
    assert any("format=flowed" in pr.what for pr in s.problems)


def test_format_flowed_delsp() -> None:
    diff = DIFF.replace("@@ -1,3 +1,3 @@", "@@ -1,2 +1,2 @@").replace("\n \n", "\n")
    diff = "\n".join((" " + ln if ln.startswith(" ") else ln) for ln in diff.split("\n"))  # space-stuffed
    body = "Fix it.\n---\n" + diff.replace("+{ return 2; }", "+{ ret \nurn 2; }")
    text = _mail("[PATCH] lib: blip", body, "Content-Type: text/plain; format=flowed; delsp=yes\n")
    (p,) = series_from_bytes(text.encode(), "d.patch").present
    assert p.files[0].hunks[0].new_lines[1] == "{ return 2; }"


def test_crlf_mbox_with_several_patches() -> None:
    data = STALE.read_bytes().replace(b"\n", b"\r\n")
    s = series_from_bytes(data, "crlf.mbox")
    assert [p.label for p in s.present] == ["1/4", "2/4", "3/4", "4/4"]
    assert not any("\r" in ln.text for p in s.present for f in p.files for h in f.hunks for ln in h.lines)
    assert not any("\r" in p.commit_message or "\r" in p.subject.title for p in s.present)
    ref = series_from_bytes(STALE.read_bytes(), "lf.mbox")
    assert [p.files for p in s.present] == [p.files for p in ref.present]


def test_mixed_encodings_in_one_thread() -> None:
    diff = DIFF.replace("{ return 2; }", "{ return 2; } /* Ça marche */")
    body = f"Fix it. Café.\n---\n{diff}"
    m1 = _mail("[PATCH 1/3] lib: latin-1", "", "Content-Type: text/plain; charset=iso-8859-1\n"
               "Content-Transfer-Encoding: 8bit\n", 1).encode() + body.encode("latin-1")
    m2 = _mail("=?utf-8?q?=5BPATCH_2/3=5D_lib=3A_qp_=C3=A9t=C3=A9?=", quopri.encodestring(body.encode()).decode(),
               "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n", 2)
    m3 = _mail("[PATCH 3/3] lib: base64", base64.encodebytes(body.encode("utf-8").replace(b"\n", b"\r\n")).decode(),
               "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n", 3)
    s = series_from_bytes(_mbox(m1, m2, m3), "mixed.mbox")
    assert [p.label for p in s.present] == ["1/3", "2/3", "3/3"]
    assert s.present[1].subject.title == "lib: qp été"
    for p in s.present:
        assert p.commit_message.startswith("Fix it. Café.")
        assert p.files[0].hunks[0].new_lines[1] == "{ return 2; } /* Ça marche */"
    assert s.problems == ()


def test_raw_utf8_and_raw_latin1_headers() -> None:
    m = ("From: José Ñandú <jose@example.org>\nSubject: [PATCH] lib: ünïcode\n\nx\n---\n" + DIFF).encode()
    (p,) = series_from_bytes(m, "u.patch").present
    assert p.author.startswith("José Ñandú") and p.subject.title == "lib: ünïcode"
    m = "From: Jos\xe9 <j@x>\nSubject: [PATCH] lib: caf\xe9\n\nx\n---\n".encode("latin-1") + DIFF.encode()
    (p,) = series_from_bytes(m, "l.patch").present
    assert p.subject.title.startswith("lib: caf")  # undecodable byte replaced, not a crash


def test_whitespace_damaged_patch_in_a_series_is_reported_and_the_rest_goes_on() -> None:
    good = _mail("[PATCH 1/2] lib: good", "x\n---\n" + DIFF, n=1)
    # a mailer that ate the leading space of the blank context line and wrapped nothing else
    damaged = _mail("[PATCH 2/2] lib: damaged", "x\n---\n" + DIFF.replace("\n \n", "\n\n").replace(
        " int blip", "int blip"), n=2)
    s = series_from_bytes(_mbox(good, damaged), "ws.mbox")
    assert [p.label for p in s.present] == ["1/2"] and s.missing == [2]
    assert any("whitespace-damaged" in pr.what for pr in s.problems), s.problems


def test_tabs_turned_into_spaces_are_named_as_whitespace_damage(tmp_path: Path) -> None:
    tree = tmp_path / "t"
    shutil.copytree(SWAP, tree)
    parts = STALE.read_text().split("\nFrom ")
    damaged = "\nFrom ".join(p.replace("\t", "        ") if "Subject: [PATCH 1/4]" in p else p for p in parts)
    s = series_from_bytes(damaged.encode(), "tabs.mbox")
    res = lint_series(s, DirTree(tree), Settings(cache=False))
    ws = [p for p in res.problems if "whitespace-damaged" in p]
    assert ws and all(p.startswith("patch 1/4") for p in ws), res.problems
    # applied where it matched loosely: the rename still happened in the snapshot
    assert "swap_update_readahead" in "\n".join(res.contexts[1].snapshot.state("mm/swapfile.c").lines)


def test_out_of_order_patches_replies_and_an_older_revision_interleaved() -> None:
    def patch(rev: str, n: int, m: int) -> str:
        return _mail(f"[PATCH{rev} {n}/{m}] lib: step {n}", "x\n---\n" + DIFF, n=n * 10 + len(rev))

    reply = _mail("Re: [PATCH v2 2/3] lib: step 2", "> quoted\n> ---\n> diff --git a/x b/x\nLooks good.\n", n=99)
    noise = _mail("lib: unrelated chatter", "hello\n", n=98)
    data = _mbox(patch(" v2", 3, 3), reply, patch("", 1, 2), patch(" v2", 1, 3), noise, patch("", 2, 2),
                 patch(" v2", 2, 3), _mail("[PATCH v2 0/3] cover", "the cover\n", n=97))
    s = series_from_bytes(data, "thread.mbox")
    assert s.revision == 2 and [p.label for p in s.present] == ["1/3", "2/3", "3/3"]
    assert [p.subject.title for p in s.present] == ["lib: step 1", "lib: step 2", "lib: step 3"]
    assert s.cover is not None and s.cover.body.startswith("the cover")
    assert all(isinstance(p, Patch) for p in s.patches)
