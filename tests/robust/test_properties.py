"""Property-based tests that extend tests/unit/test_{subject,mbox,diff,snapshot}.py.

- subjects: any text parses; a reply prefix changes only is_reply; the title is what follows the tags;
- mboxes: CRLF and LF mboxes read the same; mboxrd quoting of any `From ` body line round-trips;
- diffs: multi-file, multi-hunk `git diff`-shaped text with any context width parses back to the
  exact old and new file contents (via apply_full), including added and deleted files;
- snapshots: a generated series of real mails, applied in memory on a generated tree, gives
  every intermediate version; the reversed series gives the base back; what diff-only mode
  claims to know agrees with the full replay.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpatchlint.series import parse_subject, series_from_bytes
from kpatchlint.series.diff import parse_diff
from kpatchlint.tree import build_snapshots
from kpatchlint.tree.apply import apply_full
from kpatchlint.tree.source import SourceTree, blob_id

# derandomized: CI runs the same examples every time
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

# ---- subjects -----------------------------------------------------------------------

_ANY = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


@SETTINGS
@given(raw=_ANY)
def test_any_subject_parses(raw: str) -> None:
    s = parse_subject(raw)
    assert s.raw.endswith(s.title) or s.title == s.raw.strip() or s.raw.strip().endswith(s.title)
    assert s.counter is None or 0 <= s.counter <= 9999
    assert s.revision >= 0


_TAG = st.sampled_from(["PATCH", "RFC PATCH", "PATCH v2", "PATCH 1/3", "PATCH v3 07/19", "PATCH net-next",
                        "PATCHv4 2/2", "PATCH RESEND 0/5"])
_TITLE = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters="[]"),
                 min_size=1, max_size=30).filter(lambda t: ":" not in t[:4])


@SETTINGS
@given(tag=_TAG, title=_TITLE, reply=st.sampled_from(["Re: ", "RE: ", "Aw: ", "Fwd: ", "SV: ", "Re: Re: "]))
def test_reply_prefix_changes_only_is_reply(tag: str, title: str, reply: str) -> None:
    plain = parse_subject(f"[{tag}] {title}")
    replied = parse_subject(f"{reply}[{tag}] {title}")
    assert replied.is_reply and not plain.is_reply
    assert (replied.title, replied.counter, replied.expected, replied.revision, replied.prefixes) == \
        (plain.title, plain.counter, plain.expected, plain.revision, plain.prefixes)
    assert plain.title == title


# ---- mboxes -------------------------------------------------------------------------

_DIFF = ("diff --git a/lib/blip.c b/lib/blip.c\n--- a/lib/blip.c\n+++ b/lib/blip.c\n"
         "@@ -1,2 +1,2 @@\n int blip(void)\n-{ return 1; }\n+{ return 2; }\n")
_BODY_LINE = st.one_of(
    st.sampled_from(["From here on.", ">From quoted", ">>From deeper", "From", "", "  indented"]),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30).filter(
        lambda t: not t.startswith(("diff", "--", "Index:", "+++", "@@"))),
)


def _mboxrd(bodies: list[list[str]]) -> bytes:
    out = []
    n = len(bodies)
    for i, lines in enumerate(bodies, 1):
        quoted = [(">" + ln) if ln.lstrip(">").startswith("From ") else ln for ln in lines]
        out.append(f"From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: A <a@x>\nSubject: [PATCH {i}/{n}] p{i}\n"
                   f"Message-Id: <{i}@x>\n\nBody.\n" + "\n".join(quoted) + f"\n---\n{_DIFF}\n")
    return "".join(out).encode()


@SETTINGS
@given(st.lists(st.lists(_BODY_LINE, min_size=1, max_size=5), min_size=1, max_size=5))
def test_crlf_and_lf_mboxes_read_the_same(bodies: list[list[str]]) -> None:
    lf = series_from_bytes(_mboxrd(bodies), "lf.mbox")
    crlf = series_from_bytes(_mboxrd(bodies).replace(b"\n", b"\r\n"), "crlf.mbox")
    assert [(p.commit_message, p.files, p.subject) for p in lf.present] == \
        [(p.commit_message, p.files, p.subject) for p in crlf.present]


@SETTINGS
@given(st.lists(st.lists(_BODY_LINE, min_size=1, max_size=6), min_size=1, max_size=4))
def test_mboxrd_quoting_round_trips_exactly(bodies: list[list[str]]) -> None:
    s = series_from_bytes(_mboxrd(bodies), "rd.mbox")
    assert len(s.present) == len(bodies)
    for p, lines in zip(s.present, bodies):
        assert p.commit_message == ("Body.\n" + "\n".join(lines)).strip("\n")


# ---- diffs ---------------------------------------------------------------------------

_CODE = st.sampled_from(["int x;", "}", "{", "", "\treturn 0;", "static int f(void)", "/* c */", "#if A",
                         "#endif", "-- ", "--- a", "+++ b", "@@ x", "\\ no", " lead", "x\ty"])
_FILE = st.lists(_CODE, max_size=25)


def _git_diff(path: str, old: list[str] | None, new: list[str] | None, n: int) -> list[str]:
    a = old or []
    b = new or []
    body = list(difflib.unified_diff(a, b, "/dev/null" if old is None else f"a/{path}",
                                     "/dev/null" if new is None else f"b/{path}", n=n, lineterm=""))
    if not body:
        return []
    head = [f"diff --git a/{path} b/{path}"]
    if old is None:
        head.append("new file mode 100644")
    if new is None:
        head.append("deleted file mode 100644")
    # difflib writes `@@ -1,0 +1 @@` for an empty side like git: keep it
    return head + body


@SETTINGS
@given(files=st.lists(st.tuples(st.one_of(st.none(), _FILE), st.one_of(st.none(), _FILE)), min_size=1, max_size=4),
       context=st.integers(0, 3))
def test_generated_multi_file_diffs_apply_back(files, context: int) -> None:
    lines: list[str] = []
    expect = {}
    for k, (old, new) in enumerate(files):
        if old is None and new is None:
            continue
        if old is not None and new is not None and old == new:
            new = [*new, "added"]
        if old == [] and new is None or old is None and new == []:
            continue  # an empty file created or deleted has no hunk: nothing to check
        path = f"lib/f{k}.c"
        d = _git_diff(path, old, new, context)
        if d:
            lines += d
            expect[path] = (old, new)
    if not lines:
        return
    changes, end = parse_diff(lines, 0, "gen")
    assert end == len(lines)
    assert {c.path for c in changes} == set(expect)
    for c in changes:
        old, new = expect[c.path]
        assert c.is_new == (old is None) and c.is_deleted == (new is None)
        res = apply_full(list(old or []), c.hunks)
        assert not res.failures
        assert res.lines == list(new or [])


# ---- snapshots of generated series ------------------------------------------------------


class MemTree(SourceTree):
    def __init__(self, files: dict[str, str]) -> None:
        self.root = Path("/nonexistent-memtree")
        self.label = "mem"
        self.data = {p: t.encode() for p, t in files.items()}

    def read(self, path: str) -> bytes | None:
        return self.data.get(path)

    def files(self, under=()):
        return sorted(self.data)

    def grep_files(self, names):
        return set()

    def digest(self, path: str) -> str | None:
        d = self.read(path)
        return blob_id(d) if d is not None else None


def _text(lines: list[str]) -> str:
    return "".join(x + "\n" for x in lines)


def _series_mail(versions: list[dict[str, list[str]]]) -> bytes:
    n = len(versions) - 1
    mails = []
    for k in range(1, n + 1):
        diff: list[str] = []
        for path in sorted(versions[k]):
            a, b = versions[k - 1][path], versions[k][path]
            if a != b:
                diff += _git_diff(path, a, b, 3)
        # every patch also steps lib/pad.c (created by 1/n), so no patch is empty
        diff += _git_diff("lib/pad.c", [f"v{k - 1}"] if k > 1 else None, [f"v{k}"], 3)
        mails.append(f"From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: A <a@x>\nSubject: [PATCH {k}/{n}] step {k}\n"
                     f"Message-Id: <s{k}@x>\n\nStep {k}.\n---\n" + "\n".join(diff) + "\n-- \n2.47\n\n")
    return "".join(mails).encode()


_VERSION = st.fixed_dictionaries({"mm/a.c": st.lists(_CODE, min_size=1, max_size=20),
                                  "mm/b.h": st.lists(_CODE, min_size=1, max_size=10)})


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(versions=st.lists(_VERSION, min_size=2, max_size=5))
def test_series_replays_every_version_and_reverses_to_the_base(versions) -> None:
    base = MemTree({p: _text(v) for p, v in versions[0].items()})
    series = series_from_bytes(_series_mail(versions), "gen.mbox")
    snaps, problems = build_snapshots(series, base)
    assert problems == []
    for k, v in enumerate(versions):
        for path, lines in v.items():
            assert list(snaps[k].state(path).lines) == lines + [""], (k, path)
    back = series_from_bytes(_series_mail([versions[-1], versions[0]]), "rev.mbox")
    top = MemTree({p: _text(v) for p, v in versions[-1].items()})
    snaps_back, problems = build_snapshots(back, top)
    assert problems == []
    for path, lines in versions[0].items():
        assert list(snaps_back[1].state(path).lines) == lines + [""]
    # diff-only mode knows less, never something else
    sparse, _ = build_snapshots(series, None)
    for k in range(len(versions)):
        for path, st_ in sparse[k].changed.items():
            if st_ is None or st_.sparse is None or path not in versions[k]:
                continue
            for n, text in st_.sparse.lines.items():
                assert versions[k][path][n - 1] == text, (k, path, n)
