"""Findings in a reviewer's words: short plain sentences, identifiers as `name()`, no markup.

Rules write terse one-line messages for terminals and CI. A reply on a mailing list reads
better as what a careful human reviewer would write ("This caller in mm/zswap.c still passes
six arguments; ..."), so the codes this module knows get a sentence of their own, built from the
message and the facts of the snapshot; any other code falls back to its message, cleaned up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kpatchlint.findings import Finding, Severity

_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve"]
_TICK_RE = re.compile(r"`([^`]+)`")
_IDENT_RE = re.compile(r"^[A-Za-z_]\w*$")


def number(n: int) -> str:
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


@dataclass
class Facts:
    """What a sentence may need beyond the finding itself."""

    patch_label: str  # "3/4"
    in_patch: bool  # the primary location is a line this patch's hunks show
    changed_here: set[str] = field(default_factory=set)  # functions whose signature this patch changes
    functions: set[str] = field(default_factory=set)  # names known to be functions
    caller: str | None = None  # for a call site: the enclosing function
    subjects: dict[int, str] = field(default_factory=dict)  # patch number -> title
    total: int = 0


def plain(text: str, facts: Facts, function: str | None = None) -> str:
    """Drop the backticks of a rule message; function names get their `()`."""

    def sub(m: re.Match) -> str:
        word = m.group(1)
        if _IDENT_RE.match(word) and (word == function or word in facts.functions):
            return f"{word}()"
        return word

    return _TICK_RE.sub(sub, text)


_LEAD_IDENT_RE = re.compile(r"^`[A-Za-z_]\w*`")
_LEAD_LABEL_RE = re.compile(r"^\w+:\s")  # "gcc: ...", a quoted tool message


def _sentence(text: str, original: str | None = None) -> str:
    """End with a full stop; capitalise, unless the text starts with an identifier or a tool label."""
    text = text.strip()
    if not text:
        return text
    orig = (original or text).lstrip()
    if not (_LEAD_IDENT_RE.match(orig) or _LEAD_LABEL_RE.match(orig)):
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!", ":")) else text + "."


def _patch_ref(k: int, facts: Facts) -> str:
    title = facts.subjects.get(k)
    label = f"{k}/{facts.total}" if facts.total else str(k)
    return f'{label} ("{title}")' if title else label


_ARGS_RE = re.compile(r"too (many|few) arguments to function `(\w+)` \(expected (\d+), have (\d+)\)")
_STUB_RE = re.compile(r"^(?P<stale>.+?) of `(?P<name>\w+)` (?:does not match|disagrees with) the (?P<ref>.+?): it (?P<diff>.+)$")
_TAKES_RE = re.compile(r"^takes (\d+) parameters?, the .+? takes (\d+)$")
_GONE_RE = re.compile(r"^`(?P<name>\w+)` was (?P<what>.+?) but is still called here$")


def _call_arg_count(f: Finding, facts: Facts) -> str | None:
    m = _ARGS_RE.search(f.message)
    if not m:
        return None
    name, expected, have = m.group(2), int(m.group(3)), int(m.group(4))
    where = f"in {f.primary.path}" if f.primary else ""
    if facts.caller:
        where = f"in {facts.caller}()" if facts.in_patch else f"in {f.primary.path if f.primary else ''}"
    who = "This call" if facts.in_patch else f"This caller {where}".rstrip()
    takes = f"{name}() takes {number(expected)}"
    if name in facts.changed_here:
        takes += " after this patch"
    breaks = "so the build breaks here" if f.severity >= Severity.ERROR else "which the compiler rejects"
    args = f"{number(have)} argument{'' if have == 1 else 's'}"
    if facts.in_patch and name not in facts.changed_here:
        return f"{who} passes {args}, but {takes}; {breaks}."
    return f"{who} still passes {args}; {takes}, {breaks}."


def _stub_drift(f: Finding, facts: Facts) -> str | None:
    m = _STUB_RE.match(f.message)
    if not m:
        return None
    stale = plain(m.group("stale"), facts, f.function)
    ref = plain(m.group("ref"), facts, f.function)
    name = m.group("name")
    where = f" in {f.primary.path}" if f.primary else ""
    diff = plain(m.group("diff"), facts, f.function)
    t = _TAKES_RE.match(m.group("diff"))
    if t:
        diff = f"still takes {number(int(t.group(1)))} parameters against the {ref}'s {number(int(t.group(2)))}"
    cfg = ""
    if stale.startswith("!CONFIG_") or stale.startswith("!"):
        cfg = f" A build without {stale.split()[0][1:]} (allnoconfig, for one) breaks."
    elif "stub" in stale:
        cfg = " A build in the configuration that uses the stub breaks."
    if name in facts.changed_here:
        return (f"This patch updates the {ref} of {name}() but not the {stale}{where}, "
                f"which {diff}.{cfg}")
    return f"The {stale} of {name}(){where} {diff}.{cfg}"


def _removed_still_used(f: Finding, facts: Facts) -> str | None:
    m = _GONE_RE.match(f.message)
    if not m:
        return None
    name, what = m.group("name"), plain(m.group("what"), facts, f.function)
    who = "This call" if facts.in_patch else (
        f"This caller in {f.primary.path}" if f.primary else "A caller")
    what = re.sub(r"\bin patch (\d+)/(\d+)", lambda mm: "in this patch" if int(mm.group(1)) == f.patch
                  else "in " + _patch_ref(int(mm.group(1)), facts), what)
    return f"{who} still uses {name}(), which was {what}; the build breaks here."


_TEMPLATES = {
    "SIG001": _call_arg_count,
    "SIG003": _stub_drift,
    "SIG002": _stub_drift,
    "SIG006": _removed_still_used,
}


def explain(f: Finding, facts: Facts) -> list[str]:
    """Paragraphs (unwrapped) about finding `f`, in reviewer prose."""
    paras: list[str] = []
    tmpl = _TEMPLATES.get(f.code)
    text = tmpl(f, facts) if tmpl else None
    if text is None:
        text = _sentence(plain(f.message, facts, f.function), f.message)
        if f.note:
            text += " " + _sentence(plain(f.note, facts, f.function), f.note)
    if f.pre_existing:
        text = ("This is not new: the base tree already has it, and this patch touches "
                f"{f.function + '()' if f.function else 'the code'}, so it may be worth fixing "
                "while you are here. " + text)
    paras.append(text)
    if f.repaired_by:
        later = _patch_ref(f.repaired_by, facts)
        if f.severity >= Severity.ERROR:
            paras.append(f"Patch {later} fixes this again, but every commit in between fails to "
                         "build, which breaks git bisect. Could the fix move into this patch?")
        else:
            paras.append(f"Patch {later} makes this go away.")
    return paras
