"""`kpatchlint review` and `kpatchlint summary`: reply mails, threading, quoting, the summary.

The fixture series swap-stale (fixtures/series/swap-stale/STORY.md) has an incomplete 3/4: the
caller in mm/zswap.c and the `!CONFIG_SWAP` stub in mm/swap.h still have the removed
`skip_if_exists`. The expected quoted lines below are copied by hand from its series.mbox.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import json
import mailbox
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpatchlint.cli import app
from kpatchlint.engine import lint_series
from kpatchlint.findings import Finding, Label, Severity
from kpatchlint.location import Confidence, Location
from kpatchlint.review import mail
from kpatchlint.review.quote import Quoter, find_anchor, hunk_header
from kpatchlint.review.replies import ReviewOptions, build_replies, remarks, review_mbox, to_messages
from kpatchlint.review.summary import build_summary, is_constant, render_text, wrap_signature
from kpatchlint.series import load_series
from kpatchlint.settings import Settings
from kpatchlint.tree import open_tree

REPO = Path(__file__).resolve().parents[2]
SERIES = REPO / "fixtures" / "series" / "swap-stale" / "series.mbox"
TREE = REPO / "fixtures" / "trees" / "swap"
MSGID = "<20250106100000.swap-stale.{}@example.org>"
REVIEWER = "Rev Iewer <rev@example.com>"
DATE = "2025-01-07T09:00:00+00:00"
T = "\t"

# 3/4, mm/swap.h: the prototype the series changes; SIG001 (mm/zswap.c) and SIG003 (the stub)
# are both about it, and neither of their own lines is in the patch
EXPECTED_SWAP_H = [
    "> diff --git a/mm/swap.h b/mm/swap.h",
    "> @@ -27,7 +27,7 @@ int swap_cache_add_folio(struct folio *folio, swp_entry_t entry,",
    ">  void swap_cache_del_folio(struct folio *folio);",
    ">  struct folio *swap_cache_alloc_folio(swp_entry_t entry, gfp_t gfp_mask,",
    f">  {T*4}     struct mempolicy *mpol, pgoff_t ilx,",
    f"> -{T*4}     bool *new_page_allocated, bool skip_if_exists);",
    f"> +{T*4}     bool *new_page_allocated);",
]


@pytest.fixture(scope="module")
def result():
    series = load_series(str(SERIES))
    return lint_series(series, open_tree(TREE, None), Settings(cache=False))


@pytest.fixture(scope="module")
def review_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("review")
    mbox = out / "review.mbox"
    r = CliRunner().invoke(app, ["review", str(SERIES), "--tree", str(TREE), "--reply-mbox", str(mbox),
                                 "--reply-dir", str(out / "eml"), "--from", REVIEWER, "--date", DATE,
                                 "--no-cache"])
    assert r.exit_code == 0, r.output
    return out


def _messages(path: Path) -> list[email.message.EmailMessage]:
    box = mailbox.mbox(str(path), factory=lambda f: email.message_from_binary_file(f, policy=email.policy.default))
    return list(box)


def _by_reply_to(msgs) -> dict[str, email.message.EmailMessage]:
    return {str(m["In-Reply-To"]): m for m in msgs}


def _body(m) -> str:
    return m.get_content()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _quoted(body: str) -> list[str]:
    return [ln for ln in body.split("\n") if ln.startswith(">")]


# ---------------------------------------------------------------- threading and headers


def test_reply_threading_headers(review_dir):
    msgs = _messages(review_dir / "review.mbox")
    by = _by_reply_to(msgs)
    assert MSGID.format(0) in by, "no reply to the cover letter"
    assert MSGID.format(3) in by, "no reply to 3/4"
    m = by[MSGID.format(3)]
    assert str(m["Subject"]) == "Re: [PATCH 3/4] mm/swap: remove the skip_if_exists workaround"
    refs = str(m["References"]).split()
    assert refs[-1] == MSGID.format(3)
    assert refs == [MSGID.format(0), MSGID.format(3)]  # the original References, then the patch
    assert email.utils.parseaddr(str(m["From"])) == ("Rev Iewer", "rev@example.com")
    assert email.utils.parseaddr(str(m["To"])) == ("Ada Dev", "ada@example.org")
    assert m["Message-ID"] and m["Date"]
    assert m.get_content_type() == "text/plain"
    cover = by[MSGID.format(0)]
    assert str(cover["Subject"]) == "Re: [PATCH 0/4] mm/swap: swap cache cleanups"
    assert str(cover["References"]).split() == [MSGID.format(0)]
    ids = [str(x["Message-ID"]) for x in msgs]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("<") and i.endswith("@example.com>") for i in ids)
    dates = [email.utils.parsedate_to_datetime(str(x["Date"])) for x in msgs]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)


def test_replies_only_for_patches_with_findings(review_dir, result):
    msgs = _messages(review_dir / "review.mbox")
    targets = [str(m["In-Reply-To"]) for m in msgs]
    with_remarks = sorted({f.patch for f in remarks(result.findings)})
    assert 3 in with_remarks
    # the cover letter first, then one reply per patch with something to say, in patch order
    assert targets == [MSGID.format(0)] + [MSGID.format(k) for k in with_remarks]
    # a pre-existing note, or one the patch itself resolves, is no reason to write to a patch
    assert not remarks([replace(f, pre_existing=True, severity=Severity.INFO) for f in result.findings])
    assert not remarks([replace(f, repaired_by=f.patch) for f in result.findings if f.patch])


def test_thread_with_the_original_series(review_dir):
    """Series and review together form one thread under the cover letter (what mutt shows)."""
    msgs = _messages(SERIES) + _messages(review_dir / "review.mbox")
    parent = {}
    for m in msgs:
        mid = str(m["Message-ID"] or m["Message-Id"])
        irt = m["In-Reply-To"]
        parent[mid] = str(irt) if irt else None
    for mid in parent:
        seen = set()
        while parent.get(mid):
            assert parent[mid] in parent, f"{mid}: parent {parent[mid]} not in the thread"
            assert mid not in seen
            seen.add(mid)
            mid = parent[mid]
        assert mid == MSGID.format(0)


def test_mbox_is_mboxrd_and_dir_matches(review_dir):
    text = (review_dir / "review.mbox").read_text(encoding="utf-8")
    assert text.startswith("From kpatchlint@localhost ")
    files = sorted((review_dir / "eml").iterdir())
    msgs = _messages(review_dir / "review.mbox")
    assert len(files) == len(msgs)
    for f, m in zip(files, msgs):
        one = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        assert str(one["Message-ID"]) == str(m["Message-ID"])
        assert one.get_content() == m.get_content()
    for line in text.split("\n"):
        assert len(line.encode()) <= 998


# ---------------------------------------------------------------- the 3/4 reply body


def test_quoted_lines_are_the_right_hunk_lines(review_dir):
    body = _body(_by_reply_to(_messages(review_dir / "review.mbox"))[MSGID.format(3)])
    q = _quoted(body)
    assert q[:len(EXPECTED_SWAP_H)] == EXPECTED_SWAP_H
    lines = body.split("\n")
    end = lines.index(EXPECTED_SWAP_H[-1])
    assert lines[end - len(EXPECTED_SWAP_H) + 1:end + 1] == EXPECTED_SWAP_H  # contiguous
    assert lines[end - len(EXPECTED_SWAP_H)].startswith("On Mon, Jan 06, 2025 at 10:03:00AM +0000, Ada Dev wrote:")
    # both findings are written under that line, before anything else is quoted
    nxt = next((i for i in range(end + 1, len(lines)) if lines[i].startswith(">")), len(lines))
    under = "\n".join(lines[end + 1:nxt])
    assert "[error] SIG003 stub-drift" in under
    assert "[error] SIG001 call-arg-count" in under
    # nothing of mm/zswap.c is quoted with "> ": it is not in the patch
    assert not any("zswap" in ln for ln in q)


def test_out_of_patch_finding_shows_tree_line_and_prose(review_dir):
    body = _body(_by_reply_to(_messages(review_dir / "review.mbox"))[MSGID.format(3)])
    assert "mm/zswap.c:69, in zswap_writeback_entry(), in a file this patch does not" in _flat(body) or \
        "mm/zswap.c:69, in zswap_writeback_entry(), in a file this patch does not touch:" in _flat(body)
    # the line from the tree after 3/4, numbered, tabs kept
    assert f"    69  {T}folio = swap_cache_alloc_folio(swpentry, GFP_KERNEL, mpol," in body.split("\n")
    assert ("This caller in mm/zswap.c still passes six arguments; swap_cache_alloc_folio() takes "
            "five after this patch, so the build breaks here.") in _flat(body)
    # the stub: its file is in the patch, its lines are not
    assert "mm/swap.h:74, which this patch does not change:" in body
    assert f"    76  {T*3}bool *new_page_allocated, bool skip_if_exists)" in body.split("\n")
    assert "CONFIG_SWAP (allnoconfig, for one) breaks." in _flat(body)


def test_footer_and_wrapping(review_dir):
    for m in _messages(review_dir / "review.mbox"):
        body = _body(m)
        lines = body.split("\n")
        assert "-- " in lines, "no signature separator"
        sig = "\n".join(lines[lines.index("-- "):])
        assert "kpatchlint" in sig
        for ln in lines:
            if ln.startswith(">") or ln[:8].strip().isdigit() or ln.startswith("kpatchlint-ignore:"):
                continue  # quotes and code are never rewrapped
            if ln.startswith(("    before:", "    after:", "      mm/")):
                continue
            assert len(ln.expandtabs()) <= 72, f"line over 72 columns: {ln!r}"
    body = _body(_by_reply_to(_messages(review_dir / "review.mbox"))[MSGID.format(3)])
    sig = body[body.index("\n-- \n"):]
    assert "kpatchlint-ignore: SIG001 swap_cache_alloc_folio" in sig.split("\n")
    assert "kpatchlint-ignore: SIG003 swap_cache_alloc_folio" in sig.split("\n")
    assert '"---"' in sig


def test_cover_reply_has_summary(review_dir):
    body = _body(_by_reply_to(_messages(review_dir / "review.mbox"))[MSGID.format(0)])
    assert body.startswith("Hi Ada,\n")
    for head in ("Findings", "Signature changes", "Parameters"):
        assert f"\n{head}\n" in body
    flat = _flat(body)
    assert "swap_cache_alloc_folio() drops skip_if_exists" in flat
    assert "5 of 6 call sites updated in this patch; 1 still uses the old argument list" in flat
    assert "mm/zswap.c:69 zswap_writeback_entry()" in flat
    assert "swap_duplicate() adds nr" in flat
    assert "swap_cache_update_ra() renamed to swap_update_readahead()" in flat
    assert "removed in 3/4 (still in the !CONFIG_SWAP stub at mm/swap.h:74)" in flat
    assert "false 5 times, true once" in flat


def test_ignore_line_from_footer_silences_the_finding(result):
    """The dispute route the footer gives works: the engine honours the line below `---`."""
    series = load_series(str(SERIES))
    p3 = series.patches[2]
    patched = replace(p3, notes=p3.notes + "\n\nkpatchlint-ignore: SIG001 swap_cache_alloc_folio")
    series2 = replace(series, patches=series.patches[:2] + (patched,) + series.patches[3:])
    r2 = lint_series(series2, open_tree(TREE, None), Settings(cache=False))
    assert any(f.code == "SIG001" for f in result.findings)
    assert not any(f.code == "SIG001" and f.patch == 3 for f in r2.findings)


# ---------------------------------------------------------------- quoting, unit level


def _finding(code: str, path: str, line: int, end: int | None = None, *, patch: int = 3, pre: bool = False,
             labels=(), msg: str = "something is off", sev=Severity.WARNING, fn: str | None = None) -> Finding:
    return Finding(code=code, name="test-rule", message=msg, severity=sev, confidence=Confidence.HIGH,
                   primary=Location(path, line, 1, end), key=f"{code}:{path}:{line}", function=fn,
                   labels=tuple(labels), patch=patch, total=4, pre_existing=pre)


def test_in_hunk_findings_quote_context_and_gaps(result):
    p3 = result.series.patches[2]
    findings = [
        # `+	result = __swap_cache_prepare_and_add(entry, folio, gfp_mask, false);` (new line 222)
        _finding("TST001", "mm/swap_state.c", 222, fn="swap_cache_alloc_folio"),
        # the definition's last parameter line, `+ bool *new_page_allocated)` (new line 202)
        _finding("TST002", "mm/swap_state.c", 202, pre=True, fn="swap_cache_alloc_folio"),
    ]
    res = replace(result, findings=findings)
    replies = build_replies(res, ReviewOptions(own=REVIEWER, summary=False))
    assert [r.target.msgid for r in replies] == [p3.msgid]
    lines = replies[0].body.split("\n")
    q = [ln for ln in lines if ln.startswith(">") or ln == "[ ... ]"]
    assert q == [
        "> diff --git a/mm/swap_state.c b/mm/swap_state.c",
        "> @@ -197,16 +193,13 @@ fail_unlock:",
        "[ ... ]",
        ">   */",
        ">  struct folio *swap_cache_alloc_folio(swp_entry_t entry, gfp_t gfp_mask,",
        f">  {T*4}     struct mempolicy *mpol, pgoff_t ilx,",
        f"> -{T*4}     bool *new_page_allocated,",
        f"> -{T*4}     bool skip_if_exists)",
        f"> +{T*4}     bool *new_page_allocated)",
        "[ ... ]",
        "> @@ -226,8 +219,7 @@ struct folio *swap_cache_alloc_folio(swp_entry_t entry, gfp_t gfp_mask,",
        f">  {T}if (!folio)",
        f">  {T*2}return NULL;",
        ">",
        f"> -{T}result = __swap_cache_prepare_and_add(entry, folio, gfp_mask, false,",
        f"> -{T*5}      skip_if_exists);",
        f"> +{T}result = __swap_cache_prepare_and_add(entry, folio, gfp_mask, false);",
    ]
    body = "\n".join(lines)
    # each comment sits right under its line; the pre-existing one says so
    i1 = lines.index(f"> +{T*4}     bool *new_page_allocated)")
    assert lines[i1 + 2] == "[warning, pre-existing] TST002 test-rule"
    assert "This is not new" in body
    i2 = lines.index(f"> +{T}result = __swap_cache_prepare_and_add(entry, folio, gfp_mask, false);")
    assert lines[i2 + 2] == "[warning] TST001 test-rule"
    assert "which this patch does not change" not in body  # both are in the patch's own lines


def test_finding_nowhere_in_the_patch_goes_after_the_quotes(result):
    f = _finding("TST003", "mm/page_io.c", 55, fn="swap_read_folio", msg="`swap_read_folio` looks odd")
    res = replace(result, findings=[f])
    body = build_replies(res, ReviewOptions(own=REVIEWER, summary=False))[0].body
    assert not _quoted(body)
    assert "Outside the lines this patch shows:" in body
    assert "mm/page_io.c:55, in a file this patch does not touch:" in body
    assert "swap_read_folio() looks odd." in body  # backticks gone, function gets its ()


def test_quoter_helpers(result):
    p3 = result.series.patches[2]
    a = find_anchor(p3, "mm/swap.h", 28, 30)
    assert a is not None and a.line > a.first
    assert find_anchor(p3, "mm/swap.h", 74, 79) is None
    assert find_anchor(p3, "mm/zswap.c", 69) is None
    assert hunk_header(p3.files[0].hunks[0]) == "@@ -27,7 +27,7 @@ int swap_cache_add_folio(struct folio *folio, swp_entry_t entry,"
    out = Quoter(p3).excerpt(a)
    assert out == EXPECTED_SWAP_H


def test_label_anchor_and_see_also(result):
    lab_in = Label(Location("mm/swap.h", 28, 1, 30), "`CONFIG_SWAP` prototype")
    lab_out = Label(Location("mm/shmem.c", 99), "another caller")
    f = _finding("TST004", "mm/zswap.c", 69, 70, labels=[lab_in, lab_out], fn="swap_cache_alloc_folio")
    body = build_replies(replace(result, findings=[f]), ReviewOptions(own=REVIEWER, summary=False))[0].body
    assert _quoted(body) == EXPECTED_SWAP_H
    assert "See also mm/shmem.c:99 (another caller)." in _flat(body)
    assert "mm/swap.h:28" not in body.split("See also")[-1]  # the anchor is not repeated


# ---------------------------------------------------------------- mail details


def test_recipients_copy_to_and_cc():
    original = {"from": "Kairui Song <ryncsn@gmail.com>", "to": "linux-mm@kvack.org",
                "cc": 'Andrew Morton <akpm@linux-foundation.org>, "Huang, Ying" <ying.huang@linux.alibaba.com>, '
                      "Rev Iewer <REV@example.com>, linux-mm@kvack.org"}
    to, cc = mail.recipients(original, "Nhat Pham <nphamcs@gmail.com>", REVIEWER)
    assert to == "Kairui Song <ryncsn@gmail.com>"
    assert cc == ["linux-mm@kvack.org", "Andrew Morton <akpm@linux-foundation.org>",
                  '"Huang, Ying" <ying.huang@linux.alibaba.com>', "Nhat Pham <nphamcs@gmail.com>"]


def test_headers_fold_like_format_patch_and_encode_non_ascii():
    from datetime import datetime, timezone

    m = mail.build_message(own="José Núñez <jose@example.org>", to="Ada Dev <ada@example.org>",
                           cc=[f"Person {i} <p{i}@example.org>" for i in range(8)],
                           subject="Re: [PATCH 12/19] mm, swap: use swap cache as the swap in synchronize layer",
                           when=datetime(2025, 1, 7, tzinfo=timezone.utc), msgid="<a@b>", in_reply_to="<x@y>",
                           refs="<w@y> <x@y>", body="café → ok\nFrom the start of a line\n")
    text = m.as_text()
    head = text.split("\n\n", 1)[0]
    assert "Subject: Re: [PATCH 12/19] mm, swap: use swap cache as the swap in synchronize\n layer" in head
    assert all(len(ln) <= 78 for ln in head.split("\n"))
    assert "José" not in head and "=?utf-8?" in head
    parsed = m.as_message()
    assert email.utils.parseaddr(str(parsed["From"]))[0] == "José Núñez"
    assert parsed.get_content() == "café → ok\nFrom the start of a line\n"
    assert str(parsed["Content-Transfer-Encoding"]) == "8bit"
    box = mail.mbox_text([m])
    assert "\n>From the start of a line\n" in box  # mboxrd escaping


def test_identity(monkeypatch, tmp_path):
    assert mail.identity("Ann <ann@example.org>") == "Ann <ann@example.org>"
    assert mail.identity("ann@example.org") == "ann@example.org"
    with pytest.raises(ValueError):
        mail.identity("not an address")
    for k, v in {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
                 "GIT_CONFIG_GLOBAL": os.devnull}.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("GIT_DIR", raising=False)
    assert mail.identity(None, tmp_path) == mail.FALLBACK_FROM
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(tmp_path / "r")], check=True)
        subprocess.run(["git", "-C", str(tmp_path / "r"), "config", "user.name", "Git User"], check=True)
        subprocess.run(["git", "-C", str(tmp_path / "r"), "config", "user.email", "git@example.org"], check=True)
        assert mail.identity(None, tmp_path / "r") == "Git User <git@example.org>"


def test_review_needs_an_output():
    r = CliRunner().invoke(app, ["review", str(SERIES), "--tree", str(TREE)])
    assert r.exit_code == 2
    assert "--reply-mbox" in r.output


def test_review_to_stdout_and_bad_from():
    r = CliRunner().invoke(app, ["review", str(SERIES), "--tree", str(TREE), "--reply-mbox", "-",
                                 "--from", REVIEWER, "--date", DATE, "--no-cache"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("From kpatchlint@localhost ")
    r = CliRunner().invoke(app, ["review", str(SERIES), "--reply-mbox", "-", "--from", "nobody"])
    assert r.exit_code == 2


def test_same_date_gives_same_mbox(result):
    from datetime import datetime, timezone

    opts = ReviewOptions(own=REVIEWER, date=datetime(2025, 1, 7, 9, tzinfo=timezone.utc))
    assert review_mbox(result, opts) == review_mbox(result, opts)
    msgs = to_messages(build_replies(result, opts), opts)
    assert msgs[0].get("Date") == "Tue, 07 Jan 2025 09:00:00 +0000"


@pytest.mark.real
def test_git_send_email_dry_run(review_dir, tmp_path):
    """git send-email accepts the --reply-dir files and keeps their threading headers."""
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    probe = subprocess.run(["git", "send-email", "-h"], capture_output=True, text=True)
    if "--dump-aliases" not in probe.stdout + probe.stderr:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and git send-email is missing")
        pytest.skip("git send-email is not installed (Debian: git-email)")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull}
    out = subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "send-email", "--dry-run",
         "--confirm=never", "--no-validate", "--suppress-cc=all", "--smtp-server=/bin/true",
         "--from", REVIEWER, str(review_dir / "eml")],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, stdin=subprocess.DEVNULL)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log
    n = len(list((review_dir / "eml").iterdir()))
    assert log.count("Dry-OK") == n
    assert f"In-Reply-To: {MSGID.format(3)}" in log
    assert f"In-Reply-To: {MSGID.format(0)}" in log


def test_git_mailsplit_splits_the_mbox(review_dir, tmp_path):
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    out = subprocess.run(["git", "mailsplit", f"-o{tmp_path}", str(review_dir / "review.mbox")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) == len(_messages(review_dir / "review.mbox"))


# ---------------------------------------------------------------- summary


def test_summary_json(result):
    r = CliRunner().invoke(app, ["summary", str(SERIES), "--tree", str(TREE), "--format", "json", "--no-cache"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    changes = {(c["patch"], c["function"]): c for c in doc["signature_changes"]}
    sac = changes[(3, "swap_cache_alloc_folio")]
    assert sac["kind"] == "changed" and sac["what"] == ["drops skip_if_exists"]
    assert sac["call_sites"]["total"] == 6
    assert sac["call_sites"]["updated"] == 5
    assert [(s["file"], s["line"], s["caller"]) for s in sac["call_sites"]["stale_sites"]] == \
        [("mm/zswap.c", 69, "zswap_writeback_entry")]
    assert sac["call_sites"]["fixed_in"] is None
    assert sac["new"].endswith("bool *new_page_allocated)")
    assert any("!CONFIG_SWAP stub at mm/swap.h:74" in x for x in sac["lagging"])
    dup = changes[(2, "swap_duplicate")]
    assert dup["what"] == ["adds nr"] and dup["call_sites"]["updated"] == 2 and not dup["call_sites"]["stale_sites"]
    ren = changes[(1, "swap_cache_update_ra")]
    assert ren["kind"] == "renamed" and ren["new_name"] == "swap_update_readahead"
    lives = {(p["function"], p["param"]): p for p in doc["parameters"]}
    skip = lives[("swap_cache_alloc_folio", "skip_if_exists")]
    ev = [(e["patch"], e["event"]) for e in skip["events"]]
    assert ev == [(0, "present"), (0, "passed-constant"), (3, "removed")]
    assert skip["events"][1]["values"]["false"][0]["file"] == "mm/swap_state.c"
    assert [s["file"] for s in skip["events"][1]["values"]["true"]] == ["mm/zswap.c"]
    nr = lives[("swap_duplicate", "nr")]
    assert [(e["patch"], e["event"]) for e in nr["events"]] == [(2, "introduced")]
    assert doc["findings"]["totals"]["error"] >= 2


def test_summary_text_and_help():
    r = CliRunner().invoke(app, ["summary", str(SERIES), "--tree", str(TREE), "--no-cache"])
    assert r.exit_code == 0, r.output
    assert "Signature changes" in r.stdout and "Parameters" in r.stdout
    for cmd in ("review", "summary"):
        h = CliRunner().invoke(app, [cmd, "--help"])
        assert h.exit_code == 0
        assert "Example:" in h.stdout and f"kpatchlint {cmd} " in h.stdout
    bad = CliRunner().invoke(app, ["summary", str(SERIES), "--format", "xml"])
    assert bad.exit_code == 2


def test_summary_split_change_is_fixed_later():
    series = load_series(str(REPO / "fixtures" / "series" / "mut-split-change" / "series.mbox"))
    res = lint_series(series, open_tree(TREE, None), Settings(cache=False))
    s = build_summary(res)
    dup = next(c for c in s.changes if c.name == "swap_duplicate")
    assert dup.patch == 2 and len(dup.stale) == 2 and dup.fixed_in == 3
    assert "2 still use the old argument list until 3/5" in " ".join(render_text(s).split())


def test_summary_helpers():
    assert is_constant("false") and is_constant("NULL") and is_constant("0x10") and is_constant("GFP_KERNEL")
    assert is_constant("(true)") and is_constant("'a'") and is_constant("-1")
    assert not is_constant("gfp_mask") and not is_constant("nr_pages") and not is_constant("a + 1")
    lines = wrap_signature("struct folio *swap_cache_alloc_folio(swp_entry_t entry, gfp_t gfp_mask, "
                           "struct mempolicy *mpol, pgoff_t ilx, bool *new_page_allocated)", "    after:  ")
    assert all(len(ln) <= 72 for ln in lines) and len(lines) == 3
    assert lines[-1].endswith("bool *new_page_allocated)")


# ---------------------------------------------------------------- the committed sample


def test_sample_review_mbox_is_readable():
    sample = REPO / "docs" / "sample-review.mbox"
    assert sample.is_file(), "run python3 tools/make_sample_review.py"
    msgs = _messages(sample)
    assert len(msgs) >= 2
    ids = {MSGID.format(k) for k in range(5)}
    for m in msgs:
        assert str(m["In-Reply-To"]) in ids
        assert str(m["Subject"]).startswith("Re: [PATCH ")
    assert any(EXPECTED_SWAP_H[-1] in _body(m).split("\n") for m in msgs)


# ---------------------------------------------------------------- the real thread (diff only)


@pytest.mark.real
def test_real_thread_replies_copy_recipients(corpus, tmp_path):
    mbox = corpus / "swap-table-p2-v1" / "series.mbox"
    out = tmp_path / "r.mbox"
    r = CliRunner().invoke(app, ["review", str(mbox), "--reply-mbox", str(out), "--from", REVIEWER,
                                 "--date", DATE, "--no-cache"])
    assert r.exit_code == 0, r.output
    msgs = _messages(out)
    assert msgs
    cover_id = "<20251029-swap-table-p2-v1-0-3d43f3b6ec32@tencent.com>"
    for m in msgs:
        assert email.utils.parseaddr(str(m["To"]))[1] == "ryncsn@gmail.com"
        cc = [a for _, a in email.utils.getaddresses([str(m["Cc"])])]
        assert "linux-mm@kvack.org" in cc and "akpm@linux-foundation.org" in cc
        assert "rev@example.com" not in cc
        refs = str(m["References"]).split()
        assert refs[0] == cover_id and refs[-1] == str(m["In-Reply-To"])
        assert str(m["Subject"]).startswith("Re: [PATCH ")
    by = _by_reply_to(msgs)
    p15 = by.get("<20251029-swap-table-p2-v1-15-3d43f3b6ec32@tencent.com>")
    assert p15 is not None, "the void * stub of __swap_cache_add_folio (15/19) gets no reply"
    q = _quoted(_body(p15))
    assert "> +static inline void *__swap_cache_add_folio(struct swap_cluster_info *ci," in q
    assert "> diff --git a/mm/swap.h b/mm/swap.h" in q


def test_prose_for_known_codes():
    from kpatchlint.review.prose import Facts, explain

    facts = Facts(patch_label="2/5", in_patch=False, changed_here={"swap_duplicate"}, caller="copy_swap_pte",
                  subjects={3: "mm: convert swap_duplicate() callers"}, total=5)
    f = _finding("SIG001", "mm/memory.c", 25, patch=2, sev=Severity.ERROR, fn="swap_duplicate",
                 msg="too few arguments to function `swap_duplicate` (expected 2, have 1)")
    f = replace(f, total=5, repaired_by=3)
    paras = explain(f, facts)
    assert paras[0] == ("This caller in mm/memory.c still passes one argument; swap_duplicate() takes two "
                        "after this patch, so the build breaks here.")
    assert paras[1].startswith('Patch 3/5 ("mm: convert swap_duplicate() callers") fixes this again')
    assert "git bisect" in paras[1]
    g = _finding("SIG006", "mm/shmem.c", 110, patch=1, sev=Severity.ERROR, fn="swap_cache_update_ra",
                 msg="`swap_cache_update_ra` was renamed to `swap_update_readahead` in patch 1/4 but is still called here")
    facts1 = Facts(patch_label="1/4", in_patch=False, functions={"swap_update_readahead"}, total=4)
    assert explain(g, facts1) == ["This caller in mm/shmem.c still uses swap_cache_update_ra(), which was renamed "
                                  "to swap_update_readahead() in this patch; the build breaks here."]
    h = _finding("XYZ001", "a.c", 1, msg="`foo` does a thing", fn="foo", pre=True)
    h = replace(h, note="gcc: warning: something")
    text = explain(h, Facts(patch_label="3/4", in_patch=True))[0]
    assert text.startswith("This is not new:")
    assert "foo() does a thing. gcc: warning: something." in text
