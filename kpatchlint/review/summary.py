"""Series summary: every signature the series changes, its call sites, and each parameter's life.

Built from the engine's per-snapshot contexts (Result.contexts[k].delta and .index); no rule
runs here. Used by `kpatchlint summary` and by the cover-letter reply of `kpatchlint review`.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kpatchlint.analysis.delta import shape
from kpatchlint.c.model import CallSite, FunctionSig

if TYPE_CHECKING:
    from kpatchlint.engine import Result

WIDTH = 72

_CONST_RE = re.compile(
    r"""^(?:true|false|NULL|\(void\s*\*\)\s*0
        |[-+]?(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*
        |'(?:\\.|[^'\\])+'
        |"(?:\\.|[^"\\])*"
        |[A-Z][A-Z0-9_]*            # macro or enum constant: GFP_KERNEL, NO_INTERLEAVE_INDEX
       )$""",
    re.VERBOSE,
)


def is_constant(arg: str) -> bool:
    """An argument that is the same at every call: a literal, NULL, true/false, or an ALL_CAPS macro."""
    a = arg.strip()
    while a.startswith("(") and a.endswith(")") and a.count("(") == 1:
        a = a[1:-1].strip()
    return bool(_CONST_RE.match(a))


# ---------------------------------------------------------------- model


@dataclass
class Site:
    """A call site as the summary shows it."""

    path: str
    line: int
    caller: str | None
    args: tuple[str, ...]

    @classmethod
    def of(cls, c: CallSite) -> "Site":
        return cls(c.path, c.line, c.caller, c.args)

    def where(self) -> str:
        return f"{self.path}:{self.line}" + (f" {self.caller}()" if self.caller else "")

    def to_json(self) -> dict:
        return {"file": self.path, "line": self.line, "caller": self.caller, "args": list(self.args)}


@dataclass
class SigChange:
    """One function whose signature one patch changes (or renames, or removes)."""

    patch: int
    name: str
    kind: str  # "changed" | "renamed" | "removed"
    old: str  # signature text before the patch
    new: str | None  # signature text after the patch (None when removed)
    new_name: str | None = None  # for renames
    what: list[str] = field(default_factory=list)  # "drops skip_if_exists", "adds nr", "returns int instead of void"
    updated: list[Site] = field(default_factory=list)  # call sites the patch rewrote (or added)
    total: int = 0  # call sites of the function after the patch
    stale: list[Site] = field(default_factory=list)  # call sites that still use the old form after the patch
    fixed_in: int | None = None  # later patch after which no stale call site is left
    lagging: list[str] = field(default_factory=list)  # other declarations still in the old form: "!CONFIG_SWAP stub at mm/swap.h:74"

    @property
    def shown_name(self) -> str:
        return self.new_name or self.name

    def to_json(self) -> dict:
        return {
            "patch": self.patch, "function": self.name, "kind": self.kind, "new_name": self.new_name,
            "old": self.old, "new": self.new, "what": self.what,
            "call_sites": {"total": self.total, "updated": len(self.updated), "stale": len(self.stale),
                           "updated_sites": [s.to_json() for s in self.updated],
                           "stale_sites": [s.to_json() for s in self.stale], "fixed_in": self.fixed_in},
            "lagging": self.lagging,
        }


@dataclass
class ParamEvent:
    patch: int  # 0 = at base
    event: str  # "present" | "introduced" | "renamed" | "passed-constant" | "not-constant" | "removed"
    detail: str = ""
    values: dict[str, list[Site]] = field(default_factory=dict)  # passed-constant: argument -> call sites

    def to_json(self) -> dict:
        out: dict = {"patch": self.patch, "event": self.event, "detail": self.detail}
        if self.values:
            out["values"] = {v: [s.to_json() for s in sites] for v, sites in self.values.items()}
        return out


@dataclass
class ParamLife:
    function: str  # name at the end of its life (after renames)
    names: list[str]  # every name the function had, oldest first
    param: str
    events: list[ParamEvent] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"function": self.function, "names": self.names, "param": self.param,
                "events": [e.to_json() for e in self.events]}


@dataclass
class SeriesSummary:
    total: int
    titles: dict[int, str]
    changes: list[SigChange]
    params: list[ParamLife]
    diff_only: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    by_patch: dict[int, list[str]] = field(default_factory=dict)  # patch -> one line per finding

    def label(self, k: int) -> str:
        return f"{k}/{self.total}" if k else "base"

    def to_json(self) -> dict:
        return {
            "schema_version": 1,
            "total": self.total,
            "diff_only": self.diff_only,
            "patches": [{"index": k, "subject": t} for k, t in sorted(self.titles.items())],
            "signature_changes": [c.to_json() for c in self.changes],
            "parameters": [p.to_json() for p in self.params],
            "findings": {"totals": self.counts, "by_patch": {str(k): v for k, v in sorted(self.by_patch.items())}},
        }


# ---------------------------------------------------------------- helpers


def main_sig(fns: list[FunctionSig]) -> FunctionSig | None:
    """The declaration that stands for the function: a real definition, else an unconditional or
    positive-condition prototype; `!CONFIG_*` stubs last."""
    if not fns:
        return None

    def rank(f: FunctionSig) -> tuple:
        negated = any(c.startswith("!") for c in f.cond)
        return (negated, f.is_stub, not f.is_definition, f.path.endswith(".h"), f.path, f.line)

    return sorted(fns, key=rank)[0]


def _changed_main(old: list[FunctionSig], new: list[FunctionSig]) -> FunctionSig | None:
    """The new declaration that really changed (its shape is not among the old ones), best first."""
    oshapes = {shape(f) for f in old}
    moved = [f for f in new if shape(f) not in oshapes]
    return main_sig(moved) or main_sig(new)


def describe(old: FunctionSig, new: FunctionSig) -> list[str]:
    """What changed for callers, in words: drops/adds parameters, retypes, return type."""
    out: list[str] = []
    onames = [p.name for p in old.params]
    nnames = [p.name for p in new.params]
    if all(onames) and all(nnames):
        dropped = [n for n in onames if n not in nnames]
        added = [n for n in nnames if n not in onames]
        if dropped:
            out.append("drops " + ", ".join(dropped))
        if added:
            out.append("adds " + ", ".join(added))
        otypes = {p.name: p.type for p in old.params}
        for p in new.params:
            if p.name in otypes and otypes[p.name] != p.type:
                out.append(f"{p.name} becomes {p.type.strip()} (was {otypes[p.name].strip()})")
        if not out and onames != nnames and sorted(onames) == sorted(nnames):  # type: ignore[type-var]
            out.append("reorders its parameters")
    elif old.arity != new.arity:
        out.append(f"takes {new.arity} parameters instead of {old.arity}")
    if not out and [p.type for p in old.params] != [p.type for p in new.params]:
        out.append("changes parameter types")
    if old.return_type != new.return_type:
        out.append(f"returns {new.return_type.strip()} instead of {old.return_type.strip()}")
    return out


def _where_decl(f: FunctionSig) -> str:
    if f.is_stub:
        kind = f"{' && '.join(f.cond)} stub" if f.cond else "static inline stub"
    elif f.is_definition:
        kind = "definition"
    else:
        kind = f"{' && '.join(f.cond)} prototype" if f.cond else "prototype"
    return f"{kind} at {f.path}:{f.line}"


def _stale_calls(index, name: str, sig: FunctionSig | None) -> list[CallSite]:
    calls = index.calls_to(name)
    if sig is None:
        return list(calls)
    if sig.is_variadic:
        return [c for c in calls if len(c.args) < sig.arity]
    return [c for c in calls if len(c.args) != sig.arity]


def _sites(calls) -> list[Site]:
    return sorted((Site.of(c) for c in calls), key=lambda s: (s.path, s.line))


# ---------------------------------------------------------------- build


def build_summary(result: "Result") -> SeriesSummary:
    series = result.series
    ctxs = result.contexts
    n = len(ctxs) - 1
    total = (ctxs[0].total if ctxs else 0) or n
    titles: dict[int, str] = {}
    if series is not None:
        for i, p in enumerate(series.patches, start=1):
            titles[i] = p.subject.title if p is not None else "(missing)"
    summ = SeriesSummary(total=total, titles=titles, changes=[], params=[],
                         diff_only=bool(ctxs and ctxs[0].diff_only), counts=result.counts())
    for f in result.findings:
        where = f"{f.primary.path}:{f.primary.line}" if f.primary else "-"
        tags = ["pre-existing"] if f.pre_existing else []
        if f.repaired_by and f.repaired_by <= f.patch:
            tags.append("fixed by this patch")
        elif f.repaired_by:
            tags.append(f"repaired by {f.repaired_by}/{f.total or total}")
        tag = f" ({', '.join(tags)})" if tags else ""
        summ.by_patch.setdefault(f.patch, []).append(f"{f.severity} {f.code} {where}: {f.message}{tag}")
    if n < 1:
        return summ
    for k in range(1, n + 1):
        d = ctxs[k].delta
        if d is None:
            continue
        idx, prev = ctxs[k].index, ctxs[k - 1].index
        for name, (old, new) in sorted(d.changed.items()):
            summ.changes.append(_changed(ctxs, k, name, old, new))
        for old_name, new_name in sorted(d.renamed.items()):
            osig = main_sig(d.removed.get(old_name, []))
            nsig = main_sig(d.added.get(new_name, []))
            ch = SigChange(k, old_name, "renamed", osig.signature() if osig else old_name,
                           nsig.signature() if nsig else new_name, new_name=new_name,
                           what=[f"renamed to {new_name}()"] + (describe(osig, nsig) if osig and nsig else []))
            ch.updated = _sites(c for c in d.calls_added if c.callee == new_name)
            ch.stale = _sites(idx.calls_to(old_name))
            ch.total = len(idx.calls_to(new_name)) + len(ch.stale)
            ch.fixed_in = _fixed_in(ctxs, k, lambda j: len(ctxs[j].index.calls_to(old_name)), ch.stale)
            summ.changes.append(ch)
        for name, fns in sorted(d.removed.items()):
            if name in d.renamed:
                continue
            osig = main_sig(fns)
            ch = SigChange(k, name, "removed", osig.signature() if osig else name, None, what=["removed"])
            ch.stale = _sites(idx.calls_to(name))
            ch.total = len(ch.stale)
            ch.updated = _sites(c for c in d.calls_removed if c.callee == name and c.caller != name)
            ch.fixed_in = _fixed_in(ctxs, k, lambda j: len(ctxs[j].index.calls_to(name)), ch.stale)
            if ch.stale or ch.updated or prev.calls_to(name):
                summ.changes.append(ch)
    summ.params = _param_lives(ctxs, summ.changes, summ.diff_only)
    return summ


def _fixed_in(ctxs, k: int, stale_count, stale: list[Site]) -> int | None:
    if not stale:
        return None
    for j in range(k + 1, len(ctxs)):
        if stale_count(j) == 0:
            return j
    return None


def _changed(ctxs, k: int, name: str, old: list[FunctionSig], new: list[FunctionSig]) -> SigChange:
    d = ctxs[k].delta
    idx = ctxs[k].index
    osig = main_sig(old)
    nsig = _changed_main(old, new)
    assert osig is not None and nsig is not None
    ch = SigChange(k, name, "changed", osig.signature(), nsig.signature(), what=describe(osig, nsig))
    ch.updated = _sites(c for c in d.calls_added if c.callee == name)
    ch.total = len(idx.calls_to(name))
    # calls bind to the real declaration; a stub changed alone does not make callers stale
    ch.stale = _sites(_stale_calls(idx, name, main_sig(new)))
    ch.fixed_in = _fixed_in(ctxs, k, lambda j: len(_stale_calls(ctxs[j].index, name, main_sig(
        ctxs[j].index.functions(name)))), ch.stale)
    nshape = shape(nsig)
    for f in new:
        if shape(f) != nshape and shape(f) in {shape(g) for g in old}:
            ch.lagging.append(_where_decl(f))
    return ch


def _lineages(ctxs, changes: list[SigChange]) -> list[list[tuple[int, str]]]:
    """Each tracked function as [(first snapshot, name), ...] following renames."""
    n = len(ctxs) - 1
    tracked: set[str] = set()
    for ch in changes:
        tracked.add(ch.name)
        if ch.new_name:
            tracked.add(ch.new_name)
    for k in range(1, n + 1):
        d = ctxs[k].delta
        if d is not None:
            tracked |= set(d.params_added) | set(d.params_removed)
    lines: list[list[tuple[int, str]]] = []
    current: dict[str, list[tuple[int, str]]] = {}
    for name in sorted(tracked):
        if ctxs[0].index.functions(name):
            ln = [(0, name)]
            lines.append(ln)
            current[name] = ln
    for k in range(1, n + 1):
        d = ctxs[k].delta
        if d is None:
            continue
        for old, new in d.renamed.items():
            ln = current.pop(old, None)
            if ln is None and old in tracked:
                ln = [(k - 1, old)]
                lines.append(ln)
            if ln is not None:
                ln.append((k, new))
                current[new] = ln
        for name in sorted(tracked):
            if name not in current and ctxs[k].index.functions(name) and \
                    not any(name == nm for ln in lines for _, nm in ln):
                ln = [(k, name)]
                lines.append(ln)
                current[name] = ln
    return lines


def _name_at(lineage: list[tuple[int, str]], k: int) -> str | None:
    out = None
    for start, name in lineage:
        if start <= k:
            out = name
    return out


def _pick(fns: list[FunctionSig], ident: tuple | None) -> FunctionSig | None:
    """The declaration with the same identity (file, kind, condition) as before, else the main one.

    Keeping one identity across snapshots stops a prototype/definition switch (say, when a diff
    fragment first shows the definition) from looking like a parameter change."""
    if ident is not None:
        same = [f for f in fns if (f.path, f.kind, f.cond) == ident]
        if same:
            return same[0]
    return main_sig(fns)


def _param_lives(ctxs, changes: list[SigChange], diff_only: bool = False) -> list[ParamLife]:
    n = len(ctxs) - 1
    changed_names = {c.name for c in changes} | {c.new_name for c in changes if c.new_name}
    out: list[ParamLife] = []
    for lineage in _lineages(ctxs, changes):
        first = lineage[0][0]
        names = [nm for _, nm in lineage]
        lives: dict[str, ParamLife] = {}  # current parameter name -> its life
        order: list[ParamLife] = []
        consts: dict[int, bool] = {}  # id(life) -> passed constant at the previous snapshot
        ident = None
        prev: FunctionSig | None = None
        for k in range(first, n + 1):
            name = _name_at(lineage, k)
            fns = ctxs[k].index.functions(name) if name else []
            sig = _pick(fns, ident)
            if sig is not None:
                ident = (sig.path, sig.kind, sig.cond)
            calls = ctxs[k].index.calls_to(name) if name else []
            if prev is None and sig is not None:
                for p in sig.params:
                    if p.name and not p.is_variadic:
                        life = ParamLife(function=names[-1], names=names, param=p.name)
                        life.events.append(ParamEvent(
                            k, "present", "at base" if k == 0 else "first seen" if diff_only else "new function"))
                        lives[p.name] = life
                        order.append(life)
            elif prev is not None and sig is None:
                for life in lives.values():
                    life.events.append(ParamEvent(k, "removed", f"{_name_at(lineage, k - 1)}() itself is removed"))
                lives = {}
            elif prev is not None and sig is not None:
                before = [p.name for p in prev.params if p.name and not p.is_variadic]
                after = [p.name for p in sig.params if p.name and not p.is_variadic]
                gone = [x for x in before if x not in after]
                new = [x for x in after if x not in before]
                btypes = {p.name: (i, p.type) for i, p in enumerate(prev.params)}
                atypes = {p.name: (i, p.type) for i, p in enumerate(sig.params)}
                for g in list(gone):  # same place and type, new name: a renamed parameter
                    match = next((x for x in new if atypes[x] == btypes[g]), None)
                    if match is not None and g in lives:
                        life = lives.pop(g)
                        life.events.append(ParamEvent(k, "renamed", f"renamed to {match}"))
                        life.param = f"{life.param} -> {match}" if "->" not in life.param else \
                            f"{life.param} -> {match}"
                        lives[match] = life
                        gone.remove(g)
                        new.remove(match)
                for g in gone:
                    life = lives.pop(g, None)
                    if life is None:
                        continue
                    still = [f for f in fns if any(p.name == g for p in f.params)]
                    detail = "still in the " + ", ".join(_where_decl(f) for f in still) if still else ""
                    life.events.append(ParamEvent(k, "removed", detail))
                for x in new:
                    life = ParamLife(function=names[-1], names=names, param=x)
                    life.events.append(ParamEvent(k, "introduced"))
                    lives[x] = life
                    order.append(life)
            if not diff_only:
                for pname, life in lives.items():
                    vals = _constant_values(sig, pname, calls)
                    was = consts.get(id(life), False)
                    if vals is not None and not was:
                        life.events.append(ParamEvent(k, "passed-constant", _values_text(vals), vals))
                    elif vals is None and was:
                        life.events.append(ParamEvent(k, "not-constant", "a caller now passes a variable"))
                    consts[id(life)] = vals is not None
            prev = sig
        for life in order:
            kinds = {e.event for e in life.events
                     if not (e.event == "removed" and e.detail.endswith("itself is removed"))}
            # keep parameters the series adds, drops or renames in a function that stays, and
            # parameters of the functions it changes that every caller passes as a constant
            if kinds & {"introduced", "removed", "renamed"} or (
                    "passed-constant" in kinds and set(names) & changed_names):
                out.append(life)
    out.sort(key=lambda p: (min((e.patch for e in p.events if e.event in ("introduced", "removed", "renamed")),
                                default=1 << 30), p.function, p.param))
    return out


def _constant_values(sig: FunctionSig | None, pname: str, calls: list[CallSite]) -> dict[str, list[Site]] | None:
    """Argument text -> call sites, when every call passes a constant for `pname`; else None."""
    if sig is None or sig.is_variadic:
        return None
    pos = next((i for i, p in enumerate(sig.params) if p.name == pname), None)
    if pos is None:
        return None
    calls = [c for c in calls if len(c.args) == sig.arity and not c.in_macro]
    if not calls or not all(is_constant(c.args[pos]) for c in calls):
        return None
    order = Counter(c.args[pos] for c in calls).most_common()
    return {v: _sites(c for c in calls if c.args[pos] == v) for v, _ in order}


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _values_text(vals: dict[str, list[Site]]) -> str:
    n = sum(len(v) for v in vals.values())
    if n == 1:
        return f"the only caller passes the constant {next(iter(vals))}"
    if len(vals) == 1:
        who = "both callers" if n == 2 else f"all {n} callers"
        return f"{who} pass the same constant, {next(iter(vals))}"
    parts = []
    for v, sites in vals.items():
        part = f"{v} {_times(len(sites))}"
        if len(sites) <= 2:
            part += " (" + ", ".join(s.where() for s in sites) + ")"
        parts.append(part)
    who = "both callers" if n == 2 else f"all {n} callers"
    return f"{who} pass a constant: " + ", ".join(parts)


# ---------------------------------------------------------------- text


def _wrap(text: str, indent: str = "", sub: str | None = None) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent if sub is None else sub,
                         break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]


def wrap_signature(sig: str, first: str, width: int = WIDTH) -> list[str]:
    """A C signature broken after commas (never inside a type), continuation lines indented."""
    head, sep, rest = sig.partition("(")
    pieces = [p.strip() for p in rest.split(",")] if sep else []
    if not pieces:
        return [first + sig]
    pieces = [p + ("," if i < len(pieces) - 1 else "") for i, p in enumerate(pieces)]
    indent = " " * (len(first) + 4)
    out: list[str] = []
    cur = first + head + "(" + pieces[0]
    for p in pieces[1:]:
        if len(cur) + 1 + len(p) <= width:
            cur += " " + p
        else:
            out.append(cur)
            cur = indent + p
    out.append(cur)
    return out


def _count_words(ch: SigChange, s: SeriesSummary) -> str:
    if ch.kind == "removed":
        if not ch.stale:
            return "no call site is left"
        left = f"{len(ch.stale)} call site{'s' if len(ch.stale) != 1 else ''} still call{'s' if len(ch.stale) == 1 else ''} it"
    else:
        upd = len(ch.updated)
        base = f"{upd} of {ch.total} call site{'s' if ch.total != 1 else ''} updated in this patch" if ch.total \
            else "no call site found"
        if upd > ch.total:
            base = f"{upd} call site{'s' if upd != 1 else ''} updated or added in this patch"
        if not ch.stale:
            return base + ("; none left behind" if ch.total else "")
        old = "the old name" if ch.kind == "renamed" else "the old argument list"
        left = f"{base}; {len(ch.stale)} still use{'s' if len(ch.stale) == 1 else ''} {old}"
    if ch.fixed_in:
        return f"{left} until {s.label(ch.fixed_in)}"
    return f"{left}, and no later patch fixes {'it' if len(ch.stale) == 1 else 'them'}"


def render_text(s: SeriesSummary, *, findings: bool = True) -> str:
    """The summary as plain text, wrapped at 72 columns (it goes into a mail as is)."""
    lines: list[str] = []
    if findings:
        c = s.counts
        nfind = sum(c.values())
        lines.append("Findings")
        lines.append("--------")
        if not nfind:
            lines.append("None.")
        for k in sorted(s.by_patch):
            lines.append("")
            lines += _wrap(f"{s.label(k)} {s.titles.get(k, '')}".rstrip()) if k else ["(not tied to a patch)"]
            for item in s.by_patch[k]:
                lines += _wrap(item.replace("`", ""), "  ", "    ")
        lines.append("")
    lines.append("Signature changes")
    lines.append("-----------------")
    if not s.changes:
        lines += _wrap("None: no patch changes the parameters or return type of an existing function.")
    last = None
    for ch in sorted(s.changes, key=lambda c: (c.patch, c.name)):
        if ch.patch != last:
            lines.append("")
            lines += _wrap(f"{s.label(ch.patch)} {s.titles.get(ch.patch, '')}".rstrip())
            last = ch.patch
        head = f"{ch.name}()"
        what = "; ".join(ch.what) if ch.what else ch.kind
        lines += _wrap(f"{head} {what}", "  ", "    ")
        if ch.kind != "renamed" or ch.old.split("(", 1)[1:] != (ch.new or "").split("(", 1)[1:]:
            lines += wrap_signature(ch.old, "    before: ")
            if ch.new:
                lines += wrap_signature(ch.new, "    after:  ")
        lines += _wrap(_count_words(ch, s) + ("" if not ch.stale else ":"), "    ", "    ")
        for site in ch.stale[:8]:
            lines.append(f"      {site.where()}")
        if len(ch.stale) > 8:
            lines.append(f"      ... and {len(ch.stale) - 8} more")
        for lag in ch.lagging:
            lines += _wrap(f"still in the old form: {lag}", "    ", "      ")
    lines.append("")
    lines.append("Parameters")
    lines.append("----------")
    if not s.params:
        lines += _wrap("None: no parameter is added or removed, and none of a changed function is "
                       "always passed a constant.")
    for life in s.params:
        name = " / ".join(f"{nm}()" for nm in life.names) if len(life.names) > 1 else f"{life.function}()"
        lines.append("")
        lines.append(f"  {name}: {life.param}")
        base_events = sum(1 for e in life.events if e.patch == 0)
        for e in life.events:
            when = "at base" if e.patch == 0 else f"in {s.label(e.patch)}"
            if e.event == "present":
                if base_events > 1:
                    continue
                text = ("present at base" if e.patch == 0 else f"first seen {when}" if e.detail == "first seen"
                        else f"comes with the new function {when}")
            elif e.event == "introduced":
                text = f"introduced {when}"
            elif e.event == "removed":
                text = f"removed {when}" + (f" ({e.detail})" if e.detail else "")
            elif e.event == "renamed":
                text = f"{e.detail} {when}"
            elif e.event == "passed-constant":
                text = f"{when}: {e.detail}"
            else:
                text = f"{when}: {e.detail}"
            lines += _wrap(text, "    - ", "      ")
    if s.diff_only:
        lines.append("")
        lines += _wrap("Note: no --tree was given, so call sites are counted only in the lines "
                       "the patches show (the real counts can be higher), and constant arguments "
                       "are not looked for.")
    return "\n".join(lines).rstrip() + "\n"


def render_json(s: SeriesSummary) -> str:
    import json

    return json.dumps(s.to_json(), indent=2) + "\n"
