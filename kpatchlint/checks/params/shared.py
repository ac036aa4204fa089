"""Helpers shared by the parameter rules (PAR001-PAR008).

- constants: what counts as a constant argument (`true`, `0`, `NULL`, `GFP_KERNEL`);
- source text: the signature and body lines of a function, read from the snapshot, for the
  line of a parameter, `__always_unused` markers and comments (the facts do not keep them);
- call sets: the calls that bind to one function, and whether kpatchlint sees all of them;
- removals: which parameters the series has removed up to a snapshot, with what forwarded
  them (a snapshot rule sees only its own patch's delta, so the history is kept here across
  the snapshots of one run, which the engine visits in order), and the leftovers of those
  removals that PAR007 reports and PAR003/PAR004/PAR005 then leave alone.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from kpatchlint.analysis.index import func_key, is_header
from kpatchlint.c.kerneldoc import doc_refs
from kpatchlint.c.model import CallSite, FunctionSig
from kpatchlint.c.text import split_args, strip_comments
from kpatchlint.checks.base import Context
from kpatchlint.location import Confidence, Location
from kpatchlint.tree.source import in_kernel_build

if TYPE_CHECKING:
    from kpatchlint.analysis.index import SymbolIndex
    from kpatchlint.series.model import Series

# --------------------------------------------------------------------------- constants

_NUM = r"(?:0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)[uUlL]*"
_CAST = (r"\(\s*(?:const\s+)?(?:(?:unsigned|signed|long|short|int|char|bool|void|u8|u16|u32|u64|s8|s16|s32|s64|"
         r"\w+_t|struct\s+\w+|enum\s+\w+)\s*)+\**\s*\)\s*")
_CONST_RE = re.compile(
    r"^(?:" + _CAST + r")?"
    r"[-~]?\s*(?:true|false|NULL|" + _NUM + r"|'(?:\\.|[^'\\])'|_*[A-Z](?:[A-Z0-9_]*[A-Z0-9])?)$"  # not `_RET_IP_`-style expressions
)


def const_value(arg: str) -> str | None:
    """`arg` if it is a constant literal or an UPPER_CASE (enum/macro) name, else None."""
    a = arg.strip()
    while a.startswith("(") and a.endswith(")") and _balanced(a[1:-1]):
        a = a[1:-1].strip()
    if not a or len(a) > 60:
        return None
    return a if _CONST_RE.match(a) else None


def _balanced(s: str) -> bool:
    depth = 0
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


# --------------------------------------------------------------------------- declarations

def real_def(f: FunctionSig) -> bool:
    """A definition that provides the function (a `#else` stub does not)."""
    return f.is_definition and not (f.is_stub and any(c.startswith("!") for c in f.cond))


def is_stub_like(f: FunctionSig) -> bool:
    """`static inline` in a header, or any definition under a negated config: stubs may ignore
    their parameters."""
    if not f.is_definition:
        return False
    if f.is_stub and is_header(f.path):
        return True
    return any(c.startswith("!") for c in f.cond)


def group_by_key(fns: Iterable[FunctionSig]) -> dict[str, list[FunctionSig]]:
    out: dict[str, list[FunctionSig]] = defaultdict(list)
    for f in fns:
        out[func_key(f)].append(f)
    return out


def decls_by_path(index: "SymbolIndex", name: str) -> dict[str, list[FunctionSig]]:
    """Good-enough declarations of `name` per file: the file's real definitions, else its
    prototypes (a definition seen only through a cut fragment does not count)."""
    by: dict[str, list[FunctionSig]] = defaultdict(list)
    for f in index.functions(name):
        if f.confidence >= Confidence.MEDIUM:
            by[f.path].append(f)
    out = {}
    for path, fns in by.items():
        defs = [f for f in fns if real_def(f)]
        protos = [f for f in fns if not f.is_definition]
        if protos and is_header(path) and all(f.is_stub for f in defs):
            defs = []  # a header with a prototype and a `static inline`: the latter is a stub
        if defs or protos:
            out[path] = defs or protos
    return out


def provider_decls(index: "SymbolIndex", name: str, path: str | None = None) -> list[FunctionSig]:
    """Good-enough declarations of `name` in one file, or anywhere (definitions first)."""
    by = decls_by_path(index, name)
    if path is not None:
        return by.get(path, [])
    fns = [f for fs in by.values() for f in fs]
    defs = [f for f in fns if f.is_definition]
    return defs or fns


def named_params(f: FunctionSig) -> list[str]:
    return [p.name for p in f.params if p.name and not p.is_variadic]


# --------------------------------------------------------------------------- source text

def source_lines(ctx: Context, path: str, start: int, end: int) -> list[str] | None:
    st = ctx.snapshot.state(path)
    if st is None:
        return None
    out = []
    for n in range(start, end + 1):
        t = st.line(n)
        if t is None:
            return None
        out.append(t)
    return out


def signature_lines(ctx: Context, f: FunctionSig) -> list[tuple[int, str]]:
    """(line, text) of the declaration head, up to the `{` or `;` that ends it."""
    out: list[tuple[int, str]] = []
    st = ctx.snapshot.state(f.path)
    if st is None:
        return out
    depth = 0
    opened = False
    for n in range(f.line, min(f.end_line, f.line + 60) + 1):
        t = st.line(n)
        if t is None:
            break
        out.append((n, t))
        for ch in strip_comments(t):
            if ch == "(":
                depth += 1
                opened = True
            elif ch == ")":
                depth -= 1
            elif ch in "{;" and opened and depth == 0:
                return out
    return out


_SEGMENTS: dict[tuple, list[tuple[int, str]] | None] = {}


def _param_segments(ctx: Context, f: FunctionSig) -> list[tuple[int, str]] | None:
    """The parameter declarations of `f` as (line of its name, raw text with comments);
    memoised per file version (every snapshot and rule asks again)."""
    st = ctx.snapshot.state(f.path)
    key = (f.path, st.digest if st is not None else None, f.line, f.name)
    got = _SEGMENTS.get(key, _SEGMENTS)
    if got is _SEGMENTS:
        if len(_SEGMENTS) > 50_000:
            _SEGMENTS.clear()
        got = _SEGMENTS[key] = _param_segments_of(ctx, f)
    return got


def _param_segments_of(ctx: Context, f: FunctionSig) -> list[tuple[int, str]] | None:
    sig = signature_lines(ctx, f)
    if not sig:
        return None
    # walk from the `(` after the function name, splitting on top-level commas
    text_lines = sig
    started = False
    depth = 0
    segs: list[tuple[int, str]] = []
    cur: list[str] = []
    cur_line = 0
    name_re = re.compile(r"\b" + re.escape(f.name) + r"\s*\(")
    for n, t in text_lines:
        i = 0
        if not started:
            m = name_re.search(t)
            if m is None:
                continue
            started = True
            depth = 1
            i = m.end()
            cur_line = n
        while i < len(t):
            ch = t[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    segs.append((cur_line, "".join(cur)))
                    return segs
            elif ch == "," and depth == 1:
                segs.append((cur_line, "".join(cur)))
                cur = []
                cur_line = n
                i += 1
                continue
            if not cur and ch.isspace():
                i += 1
                continue
            if not cur:
                cur_line = n
            cur.append(ch)
            i += 1
        if cur:
            cur.append(" ")
    return segs or None


def param_line(ctx: Context, f: FunctionSig, pname: str) -> int:
    segs = _param_segments(ctx, f) or []
    pat = re.compile(r"\b" + re.escape(pname) + r"\b")
    for n, s in segs:
        if pat.search(strip_comments(s)):
            return n
    return f.name_line or f.line


def param_loc(ctx: Context, f: FunctionSig, pname: str) -> Location:
    return Location(f.path, param_line(ctx, f, pname), 1)


_UNUSED_ATTR_RE = re.compile(r"\b(__always_unused|__maybe_unused|__unused)\b|__attribute__\s*\(\(\s*(__)?unused")


def param_marked_unused(ctx: Context, f: FunctionSig, pname: str) -> bool:
    segs = _param_segments(ctx, f)
    if segs is None:
        return True  # cannot tell: be quiet
    pat = re.compile(r"\b" + re.escape(pname) + r"\b")
    for _, s in segs:
        if pat.search(strip_comments(s)):
            return bool(_UNUSED_ATTR_RE.search(s))
    return False


def param_comment(ctx: Context, f: FunctionSig, pname: str) -> tuple[int, str] | None:
    """A comment written inside the parameter declaration itself (`bool x /* temporary */`)."""
    segs = _param_segments(ctx, f) or []
    pat = re.compile(r"\b" + re.escape(pname) + r"\b")
    for n, s in segs:
        if pat.search(strip_comments(s)):
            m = re.search(r"/\*.*?\*/|//.*", s)
            return (n, m.group()) if m else None
    return None


def head_text(ctx: Context, f: FunctionSig) -> str:
    return " ".join(t for _, t in signature_lines(ctx, f))


def body_text(ctx: Context, f: FunctionSig) -> tuple[int, list[str]] | None:
    """(first line, lines) of a definition's body, from its `{` to the end."""
    if not f.is_definition:
        return None
    lines = source_lines(ctx, f.path, f.line, f.end_line)
    if lines is None:
        return None
    sig = signature_lines(ctx, f)
    first = sig[-1][0] if sig else f.line
    off = first - f.line
    text = lines[off:]
    if text:
        j = text[0].find("{")
        text[0] = text[0][j:] if j >= 0 else ""
    return first, text


_COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)


def body_comments(ctx: Context, f: FunctionSig) -> list[tuple[int, str]]:
    """(line, text) of comments inside a definition's body."""
    b = body_text(ctx, f)
    if b is None:
        return []
    first, lines = b
    text = "\n".join(lines)
    out = []
    for m in _COMMENT_RE.finditer(text):
        out.append((first + text.count("\n", 0, m.start()), m.group()))
    return out


def body_code(ctx: Context, f: FunctionSig) -> str | None:
    b = body_text(ctx, f)
    if b is None:
        return None
    return strip_comments("\n".join(b[1]))


_TRIVIAL_RE = re.compile(
    r"^\{\s*(?:return\s*(?:\(?\s*-?\s*(?:[A-Z_][A-Z0-9_]*|\d+[uUlL]*|NULL|true|false|"
    r"ERR_PTR\s*\(\s*-\s*[A-Z][A-Z0-9_]*\s*\))\s*\)?)?\s*;|"
    r"(?:BUG|WARN_ON(?:_ONCE)?|BUILD_BUG|unreachable)\s*\([^;{}]*\)\s*;)?\s*\}\s*$",
    re.DOTALL)


def trivial_body(ctx: Context, f: FunctionSig) -> bool:
    """`{ }`, `{ return 0; }`, `{ return -ENOSYS; }`, `{ BUG(); }`: a stub in all but name."""
    code = body_code(ctx, f)
    if code is None:
        return True
    return bool(_TRIVIAL_RE.match(code.strip()))


# --------------------------------------------------------------------------- calls

def bound_calls(index: "SymbolIndex", f: FunctionSig) -> list[CallSite]:
    """Calls of `f.name` that bind to the function `f` declares (statics: its file only)."""
    key = func_key(f)
    out = []
    for c in index.calls_to(f.name):
        if any(func_key(g) == key for g in index.candidates_for_call(c)):
            out.append(c)
    return out


_FUNC_HEAD_RE = re.compile(r"^[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*\(")


def caller_of(ctx: Context, c: CallSite) -> str | None:
    """The function a call is in; without the file, the hunk's section header (git's
    function-name line) nearest above it."""
    if c.caller:
        return c.caller
    st = ctx.snapshot.state(c.path)
    if st is None or st.sparse is None:
        return None
    best = None
    for n, text in st.sparse.floating.items():
        if n <= c.line and (best is None or n > best[0]):
            best = (n, text)
    if best is None:
        return None
    # a `}` at column 0 in between: the section's function ends before the call
    for n in range(c.line - 1, best[0], -1):
        t = st.sparse.lines.get(n)
        if t is not None and t[:1] == "}":
            return None
    m = _FUNC_HEAD_RE.match(best[1])
    return m.group(1) if m else None


def call_where(ctx: Context, c: CallSite) -> str:
    if c.in_macro:
        return f"macro `{c.caller}` ({c.path}:{c.line})"
    who = caller_of(ctx, c)
    return f"`{who}` ({c.path}:{c.line})" if who else f"{c.path}:{c.line}"


_CALLISH_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_NOT_CALLS = {"if", "for", "while", "switch", "return", "sizeof", "typeof", "__typeof__", "defined",
              "do", "case", "else", "__attribute__", "alignof", "_Alignof", "offsetof"}


def _arg_counts(text: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for m in _CALLISH_RE.finditer(text):
        name = m.group(1)
        if name in _NOT_CALLS:
            continue
        depth, i = 0, m.end() - 1
        while i < len(text):
            ch = text[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        if depth != 0:
            continue
        args = split_args(text[m.end() - 1:i + 1])
        if args == ["void"]:
            args = []
        out[name].append(len(args))
    return out


_ARITY_CACHE: dict[int, tuple[object, frozenset[str]]] = {}


def arity_changed_names(series: "Series | None") -> frozenset[str]:
    """Names whose calls or declarations change argument count somewhere in the series' hunks.

    Without a tree, such a function's callers must all appear in the series (else the series
    does not build), so its call set seen through the hunks is complete.
    """
    if series is None:
        return frozenset()
    hit = _ARITY_CACHE.get(id(series))
    if hit is not None and hit[0] is series:
        return hit[1]
    names: set[str] = set()
    for p in series.present:
        for fc in p.files:
            if not fc.path.endswith((".c", ".h")):
                continue
            for h in fc.hunks:
                old = _arg_counts(strip_comments("\n".join(h.old_lines)))
                new = _arg_counts(strip_comments("\n".join(h.new_lines)))
                for name in set(old) & set(new):
                    co, cn = Counter(old[name]), Counter(new[name])
                    if (co - cn) and (cn - co):
                        names.add(name)
    out = frozenset(names)
    _ARITY_CACHE.clear()
    _ARITY_CACHE[id(series)] = (series, out)
    return out


_GREP_CACHE: dict[tuple[int, str], set[str]] = {}
_GREP_OWNER: list[object] = []


def _grep(base, name: str) -> set[str]:
    if not _GREP_OWNER or _GREP_OWNER[0] is not base:
        _GREP_CACHE.clear()
        _GREP_OWNER[:] = [base]
    key = (id(base), name)
    if key not in _GREP_CACHE:
        try:
            _GREP_CACHE[key] = set(base.grep_files({name}))
        except Exception:  # a tree we cannot grep: treat as incomplete
            _GREP_CACHE[key] = {"\0unknown"}
    return _GREP_CACHE[key]


def calls_complete(ctx: Context, f: FunctionSig) -> tuple[bool, Confidence]:
    """Does the index hold every call (and every use as a value) of the function `f` declares?

    - without a tree: only for functions whose argument count changes in the series;
    - a `static` function of a .c file: when the whole file is known;
    - linting a tree (`lint_tree`): when every declaration is in the linted files and the
      function is not exported;
    - a series on a tree: when every tree file that names the function is indexed.
    """
    name = f.name
    base = ctx.snapshot.base
    if ctx.diff_only or base is None:
        changed = arity_changed_names(ctx.series)
        root = ctx.root(name)
        same = {name, root} | {n for n in ctx.aliases if ctx.root(n) == root}
        return bool(same & changed), Confidence.LOW
    if f.storage == "static" and not is_header(f.path):
        facts = ctx.index.files.get(f.path)
        return facts is not None and not facts.fragments, Confidence.HIGH
    if ctx.index.exports(name):
        return False, Confidence.HIGH
    extra = getattr(ctx, "extra_paths", None)
    if ctx.series is None:
        if extra is None:
            return False, Confidence.HIGH
        return all(d.path in extra for d in ctx.index.functions(name)), Confidence.MEDIUM
    files = {p for p in _grep(base, name) if in_kernel_build(p)}
    return files <= set(ctx.index.files), Confidence.HIGH


# --------------------------------------------------------------------------- removals

@dataclass(frozen=True)
class Removal:
    func: str
    param: str
    k: int
    path: str  # file of the declaration that lost the parameter
    pos: int  # 0-based position in the old declaration
    forwarders: tuple[tuple[str, str], ...] = ()  # (caller, its file): passed its own `param` in
    forwarded_to: tuple[tuple[str, int], ...] = ()  # (callee, argument index): `func` passed it on
    local: bool = False  # a `static` function of a .c file (its name is per file)
    retyped: bool = False  # its place now holds a parameter of another type

    @property
    def ident(self) -> tuple[str, str, str]:
        return (self.func, self.path if self.local else "", self.param)


@dataclass(frozen=True)
class Addition:
    func: str
    param: str
    k: int
    path: str
    pos: int
    local: bool = False
    inserted: bool = False  # the parameter count grew

    @property
    def ident(self) -> tuple[str, str, str]:
        return (self.func, self.path if self.local else "", self.param)


def _pairs(prev: "SymbolIndex", cur: "SymbolIndex", name: str):
    """(path, old decls, new decls) for the files where `name` is declared before and after."""
    old = decls_by_path(prev, name)
    new = decls_by_path(cur, name)
    for path in sorted(set(old) & set(new)):
        yield path, old[path], new[path]


def align_params(old: FunctionSig, new: FunctionSig) -> tuple[list[int], list[int], list[int]]:
    """Compare two parameter lists: (removed old positions, retyped old positions, added new
    positions). Same names are the same parameter; inside a replaced stretch, parameters in
    the same place with the same type are renames (neither removed nor added)."""
    a = [p.name or f"#{i}" for i, p in enumerate(old.params)]
    b = [p.name or f"#{i}" for i, p in enumerate(new.params)]
    removed: list[int] = []
    retyped: list[int] = []
    added: list[int] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op == "delete":
            removed.extend(range(i1, i2))
        elif op == "insert":
            added.extend(range(j1, j2))
        else:
            n = min(i2 - i1, j2 - j1)
            for x in range(n):
                if old.params[i1 + x].type != new.params[j1 + x].type:
                    retyped.append(i1 + x)
                    added.append(j1 + x)
            removed.extend(range(i1 + n, i2))
            added.extend(range(j1 + n, j2))
    return removed, retyped, added


def param_changes(prev: "SymbolIndex", cur: "SymbolIndex", names: Iterable[str], k: int
                  ) -> tuple[list[Removal], list[Addition]]:
    """Parameters removed (or replaced by one of another type) and added by one patch.

    `Removal.retyped` tells a parameter whose place now holds another type from one that
    went away with its place; `Addition.inserted` likewise."""
    removed: list[Removal] = []
    added: list[Addition] = []
    for name in sorted(set(names)):
        for path, olds, news in _pairs(prev, cur, name):
            seen_r: set[str] = set()
            seen_a: set[str] = set()
            for o in olds:
                n = next((f for f in news if f.cond == o.cond), news[0])
                rem, ret, add = align_params(o, n)
                nnames = {q.name for f in news for q in f.params if q.name}
                onames = {q.name for f in olds for q in f.params if q.name}
                for pos in sorted(rem + ret):
                    p = o.params[pos].name
                    if not p or p in nnames or p in seen_r or o.params[pos].is_variadic:
                        continue
                    seen_r.add(p)
                    removed.append(Removal(name, p, k, path, pos, _forwarders(prev, o, p, pos),
                                           _forwarded_to(prev, o, p), local=_local(o), retyped=pos in ret))
                for pos in add:
                    p = n.params[pos].name
                    if not p or p in onames or p in seen_a or n.params[pos].is_variadic:
                        continue
                    seen_a.add(p)
                    added.append(Addition(name, p, k, path, pos, local=_local(n),
                                          inserted=len(n.params) > len(o.params)))
    return removed, added


def _local(f: FunctionSig) -> bool:
    return f.storage == "static" and not is_header(f.path)


def _forwarders(prev: "SymbolIndex", o: FunctionSig, p: str, pos: int) -> tuple[tuple[str, str], ...]:
    out = []
    for c in bound_calls(prev, o):
        if c.in_macro or not c.caller or len(c.args) <= pos or c.args[pos] != p:
            continue
        for g in provider_decls(prev, c.caller, c.path if not is_header(c.path) else None):
            if g.is_definition and p in named_params(g):
                out.append((c.caller, g.path))
                break
    return tuple(sorted(set(out)))


def _forwarded_to(prev: "SymbolIndex", o: FunctionSig, p: str) -> tuple[tuple[str, int], ...]:
    if not o.is_definition:
        return ()
    out = set()
    for callee_calls in _calls_from(prev, o):
        c = callee_calls
        for i, a in enumerate(c.args):
            if a == p:
                out.add((c.callee, i))
    return tuple(sorted(out))


def _calls_from(index: "SymbolIndex", f: FunctionSig) -> list[CallSite]:
    facts = index.files.get(f.path)
    if facts is None:
        return []
    return [c for c in facts.calls if c.caller == f.name and not c.in_macro and f.line <= c.line <= f.end_line]


class _History:
    """Removals and additions per patch of the run being linted. Only the index of the last
    snapshot seen is kept (to recognise the next snapshot of the same run)."""

    def __init__(self) -> None:
        self.last: tuple[int, object] | None = None
        self.removed: dict[int, list[Removal]] = {}
        self.added: dict[int, list[Addition]] = {}


_H = _History()


def _advance(ctx: Context) -> _History:
    global _H
    if _H.last is not None and _H.last[0] == ctx.k and _H.last[1] is ctx.index:
        return _H  # this snapshot is done already
    if ctx.k == 0 or ctx.prev_index is None or ctx.delta is None:
        _H = _History()
        _H.last = (ctx.k, ctx.index)
        return _H
    if _H.last is None or _H.last[0] != ctx.k - 1 or _H.last[1] is not ctx.prev_index:
        _H = _History()  # not visited in order: only this patch is known
    d = ctx.delta
    names = set(d.params_removed) | set(d.params_added) | set(d.changed)
    rem, add = param_changes(ctx.prev_index, ctx.index, names, ctx.k)
    _H.last = (ctx.k, ctx.index)
    _H.removed[ctx.k] = rem
    _H.added[ctx.k] = add
    return _H


def removals(ctx: Context) -> list[Removal]:
    """Parameters removed by patches 1..k that are still gone at snapshot k (latest removal wins)."""
    h = _advance(ctx)
    latest: dict[tuple[str, str, str], Removal] = {}
    for j in sorted(h.removed):
        if j > ctx.k:
            continue
        for r in h.removed[j]:
            latest[(r.func, r.path, r.param)] = r
    out = []
    for r in latest.values():
        now = provider_decls(ctx.index, r.func, r.path)
        if not now or any(r.param in named_params(f) for f in now):
            continue
        out.append(r)
    return sorted(out, key=lambda r: (r.k, r.func, r.param))


# --------------------------------------------------------------------------- leftovers

@dataclass(frozen=True)
class Leftover:
    kind: str  # doc-ref | comment | call-arg | forwarder | forwarded-to
    removal: Removal
    loc: Location
    message: str
    key: str
    function: str
    confidence: Confidence
    note: str = ""
    target: tuple[str, str] | None = None  # (function, param) the leftover is about, if not the removed one


_LEFT_CACHE: list = [None, None]


def leftovers(ctx: Context) -> list[Leftover]:
    if _LEFT_CACHE[0] is ctx.index and _LEFT_CACHE[1] is not None:
        return _LEFT_CACHE[1]
    out = _compute_leftovers(ctx)
    _LEFT_CACHE[0] = ctx.index
    _LEFT_CACHE[1] = out
    return out


def _distinctive(p: str) -> bool:
    return "_" in p.strip("_") or any(ch.isdigit() for ch in p) or (len(p) >= 4 and not p.isalpha())


def _comment_mentions(text: str, p: str) -> bool:
    e = re.escape(p)
    if re.search(r"@" + e + r"\b|`" + e + r"`|'" + e + r"'|\b" + e + r"(->|\.\w|\[)|[&*]" + e + r"\b", text):
        return True
    return _distinctive(p) and re.search(r"\b" + e + r"\b", text) is not None


def _compute_leftovers(ctx: Context) -> list[Leftover]:
    out: list[Leftover] = []
    total = ctx.total or ctx.k
    for r in removals(ctx):
        F, P = r.func, r.param
        root = ctx.root(F)
        when = f"patch {r.k}/{total}"
        decls = provider_decls(ctx.index, F, r.path)
        if not decls:
            continue
        nf = decls[0]
        # 1. kernel-doc text still referring to @P (the `@P:` section itself is PAR001)
        for f in ctx.index.functions(F):
            if f.doc is None or f.doc.name != F or f.confidence < Confidence.MEDIUM:
                continue
            lines = doc_refs(f.doc, P)
            if lines:
                out.append(Leftover(
                    "doc-ref", r, Location(f.path, lines[0]),
                    f"kernel-doc of `{F}` still refers to `@{P}`, a parameter removed in {when}",
                    f"doc|{root}|{f.path}|{P}", F, f.confidence,
                    note="reword the description: the parameter no longer exists"))
                break
        # 2. comments in the body still naming P (P is not a local variable now)
        for d in (f for f in decls if f.is_definition and f.confidence >= Confidence.MEDIUM):
            code = body_code(ctx, d)
            if code is None or re.search(r"\b" + re.escape(P) + r"\b", code):
                continue
            for line, text in body_comments(ctx, d):
                if _comment_mentions(text, P):
                    out.append(Leftover(
                        "comment", r, Location(d.path, line),
                        f"comment in `{F}` still mentions `{P}`, a parameter removed in {when}",
                        f"comment|{root}|{d.path}|{P}", F, d.confidence))
                    break
        # 3. calls still passing a variable named P, now into another parameter
        if not nf.is_variadic:
            for c in bound_calls(ctx.index, nf):
                if c.confidence < Confidence.MEDIUM or len(c.args) != nf.arity:
                    continue  # a count mismatch is SIG001's
                for i, a in enumerate(c.args):
                    if a == P and nf.params[i].name and nf.params[i].name != P:
                        out.append(Leftover(
                            "call-arg", r, Location(c.path, c.line, c.col),
                            f"call of `{F}` still passes `{P}`, removed in {when}, now as `{nf.params[i].name}` "
                            f"(argument {i + 1})",
                            f"arg|{root}|{P}|{c.path}|{c.caller}|{i}", F, min(c.confidence, nf.confidence),
                            note=f"`{F}` is now `{nf.signature()}`; check that the right argument was dropped"))
        # 4. callers that took P only to pass it to F
        for g_name, g_path in r.forwarders:
            for g in provider_decls(ctx.index, g_name, g_path):
                if not g.is_definition or g.params_used is None or g.body_empty:
                    continue
                names = [q.name for q in g.params]
                if P not in names:
                    continue
                if g.params_used[names.index(P)] or param_marked_unused(ctx, g, P):
                    continue
                if ctx.index.ref_files(g_name):
                    continue  # a callback: its signature is not its own to change
                out.append(Leftover(
                    "forwarder", r, param_loc(ctx, g, P),
                    f"`{g_name}` still takes `{P}` but no longer uses it: it only passed it to `{F}`, "
                    f"which dropped it in {when}",
                    f"fwd|{root}|{P}|{ctx.root(g_name)}|{g_path}", g_name, g.confidence,
                    note=f"remove `{P}` from `{g_name}` too (and from its callers)", target=(g_name, P)))
                break
        # 5. F used to pass P on to H; now passes a constant to H's parameter of that name
        for h_name, i in r.forwarded_to:
            if h_name == F:
                continue
            for d in (f for f in decls if f.is_definition):
                for c in _calls_from(ctx.index, d):
                    if c.callee != h_name or len(c.args) <= i:
                        continue
                    v = const_value(c.args[i])
                    if v is None:
                        continue
                    hs = provider_decls(ctx.index, h_name, c.path if any(
                        g.storage == "static" and g.path == c.path for g in ctx.index.functions(h_name)) else None)
                    if not any(len(h.params) > i and h.params[i].name == P for h in hs):
                        continue
                    out.append(Leftover(
                        "forwarded-to", r, Location(c.path, c.line, c.col),
                        f"`{F}` dropped `{P}` in {when} but still passes `{v}` for `{P}` of `{h_name}`",
                        f"fwdto|{root}|{P}|{ctx.root(h_name)}", F, min(c.confidence, d.confidence),
                        note=f"if `{P}` of `{h_name}` is now constant everywhere, remove it there as well",
                        target=(h_name, P)))
                    break
    return out


def leftover_targets(ctx: Context, kind: str) -> set[tuple[str, str]]:
    return {lo.target for lo in leftovers(ctx) if lo.kind == kind and lo.target is not None}


# --------------------------------------------------------------------------- argument tables

@dataclass(frozen=True)
class CallTable:
    decl: FunctionSig  # the definition (or prototype) the findings point at
    calls: tuple[CallSite, ...]
    confidence: Confidence
    seen_only: bool  # without a tree: the calls are those the series shows

    def pname(self, i: int) -> str:
        p = self.decl.params[i]
        return p.name or f"argument {i + 1}"


def _has_candidate(calls: list[CallSite], arity: int) -> bool:
    """Some argument position holds one constant at all sites but at most one."""
    n = len(calls)
    for i in range(arity):
        value, count = Counter(c.args[i] for c in calls).most_common(1)[0]
        if count >= max(2, n - 1) and const_value(value) is not None:
            return True
    return False


def call_tables(ctx: Context, name: str) -> list[CallTable]:
    """Per function called `name` (statics of different files apart): its calls, when
    kpatchlint sees all of them and they all match its parameter count.

    Memoised for the run by the very fact objects the answer is made of: twenty snapshots
    that leave a function and its callers alone share one answer."""
    index = ctx.index
    every = index.functions(name)
    calls = index.calls_to(name)
    memo = _run_memo(index, "call_tables")
    key = (name, tuple(map(id, every)), tuple(map(id, calls)), bool(index.macros(name)),
           frozenset(index.ref_files(name)), len(index.files))
    got = memo.get(key)
    if got is None:
        got = memo[key] = _call_tables(ctx, name)
    return got


def _run_memo(index: "SymbolIndex", what: str) -> dict:
    """A memo that lives as long as the run's shared index part (so ids of facts stay valid)."""
    part = index._parts[0]
    memos = part.__dict__.setdefault("_memos", {})
    return memos.setdefault(what, {})


def _call_tables(ctx: Context, name: str) -> list[CallTable]:
    index = ctx.index
    fns = [f for f in index.functions(name) if f.confidence >= Confidence.MEDIUM]
    if not fns or index.has_function_macro(name) or index.ref_files(name):
        return []
    out = []
    for group in group_by_key(fns).values():
        defs = [f for f in group if real_def(f) and not is_stub_like(f)]
        decl = defs[0] if defs else group[0]
        if decl.is_variadic or decl.arity == 0:
            continue
        real = [f for f in group if not is_stub_like(f)] or group
        if len({f.arity for f in real}) != 1:
            continue
        calls = bound_calls(index, decl)
        if len(calls) < 2:
            continue
        if any(len(c.args) != decl.arity for c in calls):
            continue  # the build is broken here: SIG001's business
        if not _has_candidate(calls, decl.arity):
            continue
        complete, conf = calls_complete(ctx, decl)  # may grep the tree: only for candidates
        if not complete:
            continue
        conf = min([conf, decl.confidence] + [c.confidence for c in calls])
        out.append(CallTable(decl, tuple(calls), conf, ctx.diff_only))
    return out


# --------------------------------------------------------------------------- value uses

_VALUE_CACHE: dict[tuple[str, str], frozenset[str]] = {}
_IDENT_NOT_CALLED_RE = re.compile(r"\b([A-Za-z_]\w*)\b(?!\s*\()")


def _value_idents(ctx: Context, path: str) -> frozenset[str]:
    """Identifiers of a file that occur somewhere not followed by `(` (comments and string
    literals removed): everything used as a value, declared as a variable, or a type."""
    st = ctx.snapshot.state(path)
    if st is None:
        return frozenset()
    key = (path, st.digest)
    hit = _VALUE_CACHE.get(key)
    if hit is None:
        if st.lines is not None:
            text = "\n".join(st.lines)
        else:
            assert st.sparse is not None
            text = "\n".join(t for _, t in sorted(st.sparse.lines.items()))
        code = strip_comments(text)
        code = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', code)
        hit = frozenset(_IDENT_NOT_CALLED_RE.findall(code))
        if len(_VALUE_CACHE) > 4096:
            _VALUE_CACHE.clear()
        _VALUE_CACHE[key] = hit
    return hit


def used_as_value(ctx: Context, f: FunctionSig) -> bool:
    """Is the function named anywhere other than in a call or a declaration (`.op = f`,
    `INIT_WORK(w, f)`, `&f`), in the files where kpatchlint sees it? Plain text, comments and
    strings removed, so uses inside code tree-sitter could not parse count too."""
    name = f.name
    index = ctx.index
    if f.storage == "static" and not is_header(f.path):
        paths = {f.path}
    else:
        paths = {c.path for c in index.calls_to(name)} | {g.path for g in index.functions(name)}
    paths |= index.ref_files(name)
    return any(name in _value_idents(ctx, p) for p in paths)


# --------------------------------------------------------------------------- later patches

_LATER_CACHE: dict[tuple[int, str], tuple[object, list[tuple[int, tuple[str, ...]]]]] = {}


def _added_calls(series: "Series", name: str) -> list[tuple[int, tuple[str, ...]]]:
    """(patch, arguments) of the calls of `name` that patches add or change: a call whose text
    holds a `+` line of a hunk. Lines starting at column 0 (declarations, macros) are skipped."""
    key = (id(series), name)
    hit = _LATER_CACHE.get(key)
    if hit is not None and hit[0] is series:
        return hit[1]
    out: list[tuple[int, tuple[str, ...]]] = []
    pat = re.compile(r"\b" + re.escape(name) + r"\s*\(")
    for p in series.present:
        for fc in p.files:
            if not fc.path.endswith((".c", ".h")):
                continue
            for h in fc.hunks:
                lines = [ln for ln in h.lines if ln.kind in " +"]
                if not any(ln.kind == "+" for ln in lines):
                    continue
                text = "\n".join(ln.text for ln in lines)
                if name not in text:
                    continue
                starts = [0]
                for ln in lines:
                    starts.append(starts[-1] + len(ln.text) + 1)
                for m in pat.finditer(text):
                    first = bisect_right(starts, m.start()) - 1
                    if lines[first].text[:1].strip():
                        continue  # `int f(...)` at column 0: a declaration
                    depth, i = 0, m.end() - 1
                    while i < len(text):
                        ch = text[i]
                        if ch == "(":
                            depth += 1
                        elif ch == ")":
                            depth -= 1
                            if depth == 0:
                                break
                        i += 1
                    if depth != 0:
                        continue
                    last = bisect_right(starts, i) - 1
                    if not any(lines[j].kind == "+" for j in range(first, last + 1)):
                        continue
                    out.append((p.index, tuple(split_args(strip_comments(text[m.end() - 1:i + 1])))))
    if len(_LATER_CACHE) > 256:
        _LATER_CACHE.clear()
    _LATER_CACHE[key] = (series, out)
    return out


def later_values(ctx: Context, name: str, arity: int, i: int) -> set[str]:
    """Values the later patches of the series pass at position `i` in new or changed calls of
    `name` that have `arity` arguments."""
    if ctx.series is None:
        return set()
    return {args[i] for k, args in _added_calls(ctx.series, name) if k > ctx.k and len(args) == arity}
