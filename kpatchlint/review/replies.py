"""Review replies: one mail per patch with findings, one to the cover letter with the summary.

Each patch reply quotes only the hunk lines a finding concerns (`> `, `[ ... ]` for gaps) and
puts the finding under the line, in a reviewer's words. A finding whose line no hunk of the patch
shows is anchored at a related line the patch does change (the prototype it disagrees with, say)
and written out with its file:line and the line from the post-patch tree; if no related line is
in the patch either, it goes after the quoted part.
"""

from __future__ import annotations

import email.utils
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from kpatchlint import __version__
from kpatchlint.engine import Result
from kpatchlint.findings import Finding, Severity
from kpatchlint.review import mail
from kpatchlint.review.prose import Facts, explain, number, plain
from kpatchlint.review.quote import Anchor, Quoter, find_anchor, tree_excerpt
from kpatchlint.review.summary import WIDTH, build_summary, render_text
from kpatchlint.series.model import Cover, Patch


@dataclass
class ReviewOptions:
    own: str = mail.FALLBACK_FROM  # From: of the replies
    date: datetime | None = None  # Date: of the first reply (default: now); later ones follow by a second
    base: str | None = None  # what the series was applied to, for the footer ("origin/master", a sha)
    summary: bool = True  # also reply to the cover letter with the series summary
    min_severity: Severity = Severity.INFO  # per-patch replies leave out findings below this


@dataclass
class Placed:
    finding: Finding
    anchor: Anchor | None
    via_label: bool = False  # anchored at a label, not at the primary location


@dataclass
class Reply:
    """A reply before it becomes a mail: whom it answers and what it says."""

    target: Patch | Cover
    subject: str
    body: str
    findings: list[Finding] = field(default_factory=list)
    kind: str = "patch"  # "patch" | "summary" (the reply to the cover letter)


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [""]


def _headers(item: Patch | Cover) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in item.headers:
        out.setdefault(name.lower(), " ".join(value.split()))
    return out


def _attribution(item: Patch | Cover) -> str:
    h = _headers(item)
    who = h.get("from") or item.author
    name = email.utils.parseaddr(who)[0] or mail.addr_of(who) or "you"
    when = mail.parse_date(h.get("date") or getattr(item, "date", ""))
    if when is None:
        return f"{name} wrote:"
    stamp = when.strftime("%a, %b %d, %Y at %I:%M:%S%p %z")
    return f"On {stamp}, {name} wrote:"


def _tag(f: Finding, also: list[Finding] | None = None) -> str:
    bits = [str(f.severity)]
    if f.pre_existing:
        bits.append("pre-existing")
    if f.confidence.name != "HIGH":
        bits.append(f"{f.confidence} confidence")
    more = "".join(f", {g.code} {g.name}" for g in (also or []))
    return f"[{', '.join(bits)}] {f.code} {f.name}{more}"


# a finding of these codes repeats another finding at the same place (it says "and so the
# series does not bisect"); in a reply it joins that finding's tag instead of a comment of its own
FOLDED_CODES = ("SIG007",)


def fold_companions(findings: list[Finding]) -> tuple[list[Finding], dict[int, list[Finding]]]:
    """(findings to comment on, id(finding) -> companions folded into it)."""
    keep: list[Finding] = []
    folded: dict[int, list[Finding]] = {}
    for f in findings:
        host = None
        if f.code in FOLDED_CODES and f.primary is not None:
            host = next((g for g in findings if g is not f and g.code not in FOLDED_CODES
                         and g.primary is not None and (g.primary.path, g.primary.line) ==
                         (f.primary.path, f.primary.line)), None)
        if host is None:
            keep.append(f)
        else:
            folded.setdefault(id(host), []).append(f)
    return keep, folded


def remark_words(fs: list[Finding]) -> tuple[str, str]:
    """("two remarks", "both errors"), ("one remark", "a warning"), ("five remarks", "two errors and three notes")."""
    n = len(fs)
    head = f"{number(n)} remark{'s' if n != 1 else ''}"
    if len({f.severity for f in fs}) == 1:
        word = _counts_words(fs).split(" ", 1)[1]
        if n == 1:
            return head, f"{'an' if word[0] in 'aeiou' else 'a'} {word}"
        return head, f"{'both' if n == 2 else 'all'} {word}"
    return head, _counts_words(fs)


def _counts_words(fs: list[Finding]) -> str:
    names = {Severity.ERROR: ("error", "errors"), Severity.WARNING: ("warning", "warnings"),
             Severity.INFO: ("note", "notes"), Severity.HINT: ("hint", "hints")}
    parts = []
    for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.HINT):
        n = sum(1 for f in fs if f.severity == sev)
        if n:
            parts.append(f"{number(n)} {names[sev][0] if n == 1 else names[sev][1]}")
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else "nothing"


class _Writer:
    def __init__(self, result: Result, opts: ReviewOptions) -> None:
        self.result = result
        self.opts = opts
        self.series = result.series
        self.total = (self.series.expected if self.series else 0) or len(result.contexts) - 1
        self.subjects = {}
        if self.series is not None:
            self.subjects = {p.index: p.subject.title for p in self.series.present}
        self._names: set[str] | None = None

    # -- facts -----------------------------------------------------------

    def ctx(self, k: int):
        ctxs = self.result.contexts
        return ctxs[k] if 0 <= k < len(ctxs) else None

    def functions(self) -> set[str]:
        if self._names is None:
            names: set[str] = set()
            for c in self.result.contexts:
                names |= c.index.names()
            self._names = names
        return self._names

    def changed_at(self, k: int) -> set[str]:
        c = self.ctx(k)
        d = c.delta if c is not None else None
        if d is None:
            return set()
        return set(d.changed) | set(d.renamed) | set(d.renamed.values()) | set(d.removed)

    def caller_of(self, f: Finding) -> str | None:
        c = self.ctx(f.patch)
        if c is None or f.primary is None or not f.function:
            return None
        for name in {f.function, c.root(f.function)}:
            for call in c.index.calls_to(name):
                if call.path == f.primary.path and call.line == f.primary.line:
                    return call.caller
        return None

    def facts(self, f: Finding, in_patch: bool) -> Facts:
        return Facts(patch_label=f.patch_label, in_patch=in_patch, changed_here=self.changed_at(f.patch),
                     functions=self.functions(), caller=self.caller_of(f), subjects=self.subjects,
                     total=self.total)

    def line_text(self, k: int):
        c = self.ctx(k)
        return c.line_text if c is not None else (lambda path, line: None)

    # -- placing ---------------------------------------------------------

    def place(self, patch: Patch, f: Finding) -> Placed:
        if f.primary is not None:
            a = find_anchor(patch, f.primary.path, f.primary.line, f.primary.end_line)
            if a is not None:
                # a multi-line finding (a whole function) is commented under its first line
                if f.primary.end_line and f.primary.end_line - f.primary.line > 3:
                    a = find_anchor(patch, f.primary.path, f.primary.line) or a
                return Placed(f, a)
        for lab in f.labels:
            a = find_anchor(patch, lab.location.path, lab.location.line, lab.location.end_line)
            if a is not None:
                return Placed(f, a, via_label=True)
        return Placed(f, None)

    # -- one finding -----------------------------------------------------

    def comment(self, patch: Patch, p: Placed, also: list[Finding] | None = None) -> list[str]:
        f = p.finding
        in_patch = p.anchor is not None and not p.via_label
        out = [_tag(f, also), ""]
        if not in_patch and f.primary is not None:
            out += self.location_block(patch, f)
        for para in explain(f, self.facts(f, in_patch)):
            out += _wrap(para)
            out.append("")
        shown = {(f.primary.path, f.primary.line)} if f.primary else set()
        extra = []
        for lab in f.labels:
            if (lab.location.path, lab.location.line) in shown:
                continue
            if p.via_label and p.anchor is not None and find_anchor(
                    patch, lab.location.path, lab.location.line, lab.location.end_line) == p.anchor:
                continue
            extra.append(f"{lab.location.path}:{lab.location.line} ({self.plain(f, lab.message)})")
        if extra:
            out += _wrap("See also " + "; ".join(extra) + ".")
            out.append("")
        return out

    def plain(self, f: Finding, text: str) -> str:
        return plain(text, self.facts(f, False), f.function)

    def location_block(self, patch: Patch, f: Finding) -> list[str]:
        loc = f.primary
        assert loc is not None
        caller = self.caller_of(f)
        touched = any(fc.new_path == loc.path for fc in patch.files)
        where = f"{loc.path}:{loc.line}" + (f", in {caller}()" if caller else "")
        where += ", which this patch does not change" if touched else ", in a file this patch does not touch"
        excerpt = tree_excerpt(self.line_text(f.patch), loc.path, loc.line, loc.end_line)
        out = _wrap(where + (":" if excerpt else "."))
        if excerpt:
            out.append("")
            out += excerpt
        out.append("")
        return out

    # -- bodies ----------------------------------------------------------

    def patch_body(self, patch: Patch, findings: list[Finding]) -> str:
        lines: list[str] = []
        who = mail.first_name(patch.author) or mail.first_name(_headers(patch).get("from", ""))
        if who:
            lines += [f"Hi {who},", ""]
        shown, folded = fold_companions(findings)
        head, qual = remark_words(shown)
        lines += _wrap(f"kpatchlint has {head} on this patch ({qual}); "
                       + ("comments inline." if len(shown) > 1 else "the comment is inline."))
        lines.append("")
        placed = [self.place(patch, f) for f in shown]
        anchored = sorted((p for p in placed if p.anchor is not None), key=lambda p: (p.anchor, p.finding.sort_key()))
        loose = [p for p in placed if p.anchor is None]
        if anchored:
            lines.append(_attribution(patch))
            q = Quoter(patch)
            for p in anchored:
                assert p.anchor is not None
                quoted = q.excerpt(p.anchor)
                if quoted:
                    lines += quoted
                    lines.append("")
                lines += self.comment(patch, p, folded.get(id(p.finding)))
        if loose:
            if anchored:
                lines.append("[ ... ]")
                lines.append("")
            lines += _wrap("Outside the lines this patch shows:")
            lines.append("")
            for p in loose:
                lines += self.comment(patch, p, folded.get(id(p.finding)))
        lines += self.footer(findings)
        return "\n".join(lines).rstrip() + "\n"

    def cover_body(self, target: Patch | Cover) -> str:
        res = self.result
        summ = build_summary(res)
        lines: list[str] = []
        who = mail.first_name(target.author)
        if who:
            lines += [f"Hi {who},", ""]
        fs = remarks(res.findings, self.opts.min_severity)
        if fs:
            patches = sorted({f.patch for f in fs if f.patch})
            where = ""
            if len(patches) == 1:
                where = f"in {patches[0]}/{self.total}"
            replies = ("the reply to that patch quotes" if len(patches) == 1
                       else "the replies to those patches quote")
            head, qual = remark_words(fs)
            text = (f"kpatchlint checked this series patch by patch{self.on_top()} and has "
                    f"{head} ({qual}{', ' + where if where else ''}); "
                    f"{replies} the lines concerned. Below is the list, "
                    "then what the series does to function signatures and how far their call "
                    "sites follow.")
        else:
            text = (f"kpatchlint checked this series patch by patch{self.on_top()} and found "
                    "nothing to remark on. Below is what the series does to function signatures "
                    "and how far their call sites follow, for whoever reviews it next.")
        lines += _wrap(text)
        lines.append("")
        lines.append(render_text(summ).rstrip())
        if res.problems:
            lines.append("")
            lines.append("Notes")
            lines.append("-----")
            for prob in res.problems:
                lines += textwrap.wrap(prob, WIDTH, initial_indent="- ", subsequent_indent="  ",
                                       break_long_words=False, break_on_hyphens=False)
        lines.append("")
        lines += self.footer([])
        return "\n".join(lines).rstrip() + "\n"

    def base_words(self) -> str:
        c = self.ctx(0)
        if c is not None and c.diff_only:
            return "nothing but its own diffs (no kernel tree was given)"
        if self.opts.base:
            return self.opts.base
        if self.series is not None and self.series.base_commit:
            return self.series.base_commit[:12]
        return "the given tree"

    def on_top(self) -> str:
        c = self.ctx(0)
        if c is not None and c.diff_only:
            return ", from its diffs alone (no kernel tree was given),"
        return f" on top of {self.base_words()}"

    def footer(self, findings: list[Finding]) -> list[str]:
        out = ["-- "]
        c = self.ctx(0)
        how = ("reads the series patch by patch from its diffs alone" if c is not None and c.diff_only
               else f"applies the series patch by patch to {self.base_words()}")
        out += _wrap(f"This reply was written by kpatchlint {__version__}, a static checker that "
                     f"{how} and checks each step. It can be wrong: if it is, please say so in a reply"
                     + (", or add a line like the one below under the \"---\" of this patch in "
                        "the next revision:" if findings else "."))
        if findings:
            out.append("")
            seen = []
            for f in findings:
                line = f"kpatchlint-ignore: {f.code}" + (f" {f.function}" if f.function else "")
                if line not in seen:
                    seen.append(line)
            out += seen
        return out


def resolved_in_place(f: Finding) -> bool:
    """A pre-existing finding that the patch it is attributed to also removes: nothing to say."""
    return f.repaired_by is not None and f.repaired_by <= f.patch


def remarks(findings: list[Finding], min_severity: Severity = Severity.INFO) -> list[Finding]:
    """The findings worth a reply to their patch.

    Left out: those the patch itself resolves, those below `min_severity`, and pre-existing
    notes (below warning), which the patch did not cause; the cover-letter summary lists all.
    """
    return [f for f in findings if not resolved_in_place(f) and f.severity >= min_severity
            and not (f.pre_existing and f.severity < Severity.WARNING)]


def build_replies(result: Result, opts: ReviewOptions | None = None) -> list[Reply]:
    """The replies for a linted series: the cover letter's first (if opts.summary), then patches in order."""
    opts = opts or ReviewOptions()
    series = result.series
    if series is None:
        raise ValueError("review replies need a series (a tree-only run has no mails to answer)")
    w = _Writer(result, opts)
    out: list[Reply] = []
    by_patch: dict[int, list[Finding]] = {}
    for f in remarks(result.findings, opts.min_severity):
        by_patch.setdefault(f.patch, []).append(f)
    if opts.summary:
        target: Patch | Cover | None = series.cover or (series.present[0] if series.present else None)
        if target is not None:
            out.append(Reply(target, mail.reply_subject(target.subject.raw), w.cover_body(target),
                             remarks(result.findings, opts.min_severity), kind="summary"))
    for p in series.present:
        fs = by_patch.get(p.index)
        if not fs:
            continue
        fs = sorted(fs, key=lambda f: f.sort_key())
        out.append(Reply(p, mail.reply_subject(p.subject.raw), w.patch_body(p, fs), fs))
    return out


def to_messages(replies: list[Reply], opts: ReviewOptions | None = None) -> list[mail.Mail]:
    opts = opts or ReviewOptions()
    start = opts.date or datetime.now(timezone.utc).replace(microsecond=0)
    msgs = []
    for i, r in enumerate(replies):
        when = start + timedelta(seconds=i)
        h = _headers(r.target)
        to, cc = mail.recipients(h, r.target.author, opts.own)
        seed = "\0".join([r.target.msgid, r.subject, when.isoformat()] + [f.fingerprint() for f in r.findings])
        msgs.append(mail.build_message(
            own=opts.own, to=to, cc=cc, subject=r.subject, when=when,
            msgid=mail.message_id(seed, when, opts.own), in_reply_to=r.target.msgid,
            refs=mail.references(h, r.target.msgid), body=r.body,
        ))
    return msgs


def review_mbox(result: Result, opts: ReviewOptions | None = None) -> str:
    """The whole review as mboxrd text."""
    opts = opts or ReviewOptions()
    return mail.mbox_text(to_messages(build_replies(result, opts), opts))
