"""Plan a refactoring of one function: find every place, refuse what is unsafe, compute the edits.

The files come from `tree.grep_files({FUNC})`; the places from kpatchlint.c.locate. The
function's scope is the global one (every file without a `static` FUNC of its own), or the
single .c file holding a `static` FUNC.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from kpatchlint.c.locate import CallSpan, DeclSpan, FileSpans, KernelDocSpan, locate
from kpatchlint.errors import InputError
from kpatchlint.refactor.edits import Edit, apply, drop_item, insert_item, item_ranges
from kpatchlint.refactor.style import line_end, line_start, width
from kpatchlint.tree.source import SourceTree, in_kernel_build

KINDS = ("drop-param", "add-param", "rename-param", "rename")

# Macros (and builtins) that have no side effects: an argument made of them can be dropped.
PURE_MACROS = frozenset({
    "likely", "unlikely", "BIT", "BIT_ULL", "BIT_MASK", "BIT_WORD", "GENMASK", "GENMASK_ULL",
    "ARRAY_SIZE", "offsetof", "container_of", "container_of_const", "min", "max", "min_t", "max_t",
    "min3", "max3", "clamp", "clamp_t", "clamp_val", "umin", "umax", "ALIGN", "ALIGN_DOWN",
    "PTR_ALIGN", "PTR_ALIGN_DOWN", "IS_ALIGNED", "DIV_ROUND_UP", "DIV_ROUND_DOWN_ULL",
    "DIV_ROUND_UP_ULL", "DIV_ROUND_CLOSEST", "round_up", "round_down", "roundup", "rounddown",
    "PAGE_ALIGN", "PAGE_ALIGN_DOWN", "PFN_DOWN", "PFN_UP", "PFN_PHYS", "PHYS_PFN", "IS_ENABLED",
    "IS_BUILTIN", "IS_MODULE", "IS_REACHABLE", "ERR_PTR", "PTR_ERR", "IS_ERR", "IS_ERR_OR_NULL",
    "ERR_CAST", "READ_ONCE", "__builtin_constant_p", "__builtin_expect", "sizeof_field",
    "typeof_member", "FIELD_GET", "FIELD_PREP", "U8_MAX", "KBUILD_MODNAME", "MKDEV", "MAJOR",
    "MINOR", "HZ_TO_MSEC", "msecs_to_jiffies", "usecs_to_jiffies", "SZ_1K", "SZ_4K",
    "cpu_to_le16", "cpu_to_le32", "cpu_to_le64", "le16_to_cpu", "le32_to_cpu", "le64_to_cpu",
    "cpu_to_be16", "cpu_to_be32", "cpu_to_be64", "be16_to_cpu", "be32_to_cpu", "be64_to_cpu",
})

_IDENT_RE = re.compile(r"[A-Za-z_]\w*")
_C_KEYWORDS = frozenset({
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
    "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
    "volatile", "while", "_Bool", "bool", "true", "false", "typeof", "asm",
})


class Refused(InputError):
    """The refactoring cannot be done safely; the message says why, in one line."""


@dataclass(frozen=True)
class Request:
    kind: str  # one of KINDS
    func: str
    param: str | None = None  # drop-param, rename-param: the parameter's current name
    new: str | None = None  # rename-param: the new parameter name; rename: the new function name
    decl: str | None = None  # add-param: "TYPE NAME"
    value: str | None = None  # drop-param: used in the body; add-param: passed by the callers
    position: int | None = None  # add-param: 1-based place of the new parameter (default: last)
    doc: str | None = None  # add-param: kernel-doc text for the new parameter
    only_file: str | None = None  # limit to this file (a static FUNC)

    def command(self) -> str:
        args = [self.kind, self.func]
        if self.kind == "drop-param":
            args.append(self.param or "")
        elif self.kind == "add-param":
            args.append(repr(self.decl) if self.decl and " " in self.decl else self.decl or "")
        elif self.kind == "rename-param":
            args += [self.param or "", self.new or ""]
        else:
            args.append(self.new or "")
        if self.value is not None:
            args += ["--value", repr(self.value) if re.search(r"[\s()*&|<>;!]", self.value) else self.value]
        if self.position is not None:
            args += ["--position", str(self.position)]
        if self.doc is not None:
            args += ["--doc", repr(self.doc) if re.search(r"[\s()*&|<>;!'\"]", self.doc) else self.doc]
        if self.only_file is not None:
            args += ["--file", self.only_file]
        return "kpatchlint refactor " + " ".join(args)


@dataclass
class FileResult:
    path: str
    old: bytes
    new: bytes


@dataclass
class Plan:
    request: Request
    files: list[FileResult]
    notes: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    home: str = ""  # the file of the main definition
    param_text: str = ""  # add-param: the parameter as written
    substituted: int = 0  # drop-param: body uses replaced by --value
    chain: list[tuple[str, str]] = field(default_factory=list)  # (function, parameter) to refactor next

    @property
    def changed(self) -> list[FileResult]:
        return [f for f in self.files if f.new != f.old]


def _where(path: str, line: int) -> str:
    return f"{path}:{line}"


def _snippet(text: str, limit: int = 60) -> str:
    t = " ".join(text.split())
    return t if len(t) <= limit else t[:limit - 3] + "..."


def _check_ident(word: str | None, what: str) -> str:
    if not word or not _IDENT_RE.fullmatch(word) or word in _C_KEYWORDS:
        raise Refused(f"{what} {word!r} is not a C identifier")
    return word


def parse_param_decl(decl: str) -> tuple[str, str, str]:
    """'struct foo *bar' -> ("struct foo *", "bar", "struct foo *bar")."""
    d = " ".join(decl.split())
    m = re.fullmatch(r"([A-Za-z_][\w\s\*]*?[\s\*])([A-Za-z_]\w*)", d)
    if not m or not re.fullmatch(r"[\w\s\*]+", d):
        raise Refused(f"give the new parameter as 'TYPE NAME' (a simple declaration such as "
                      f"'bool wait' or 'struct page *page'), not {decl!r}")
    typ = re.sub(r"\s*\*\s*", " *", m.group(1).strip())
    typ = re.sub(r"\*\s+\*", "**", re.sub(r"\*\s+\*", "**", typ)).strip()
    name = m.group(2)
    if name in _C_KEYWORDS or typ.split()[-1] in ("struct", "union", "enum"):
        raise Refused(f"give the new parameter as 'TYPE NAME', not {decl!r}")
    text = f"{typ}{name}" if typ.endswith("*") else f"{typ} {name}"
    return typ, name, text


def _balanced_outer(expr: str, open_: str, close: str) -> bool:
    if not (expr.startswith(open_) and expr.endswith(close)):
        return False
    depth = 0
    for i, ch in enumerate(expr):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0 and i != len(expr) - 1:
                return False
    return True


def as_operand(expr: str) -> str:
    """EXPR where a variable was: parenthesised unless it is one primary expression."""
    e = expr.strip()
    if re.fullmatch(r"[A-Za-z_]\w*|[0-9][\w.]*|'(?:\\.|[^'\\])+'|\"(?:\\.|[^\"\\])*\"", e):
        return e
    if _balanced_outer(e, "(", ")"):
        return e
    m = re.match(r"[A-Za-z_]\w*\s*(?=\()", e)
    if m and _balanced_outer(e[m.end():], "(", ")"):
        return e
    return f"({e})"


def as_argument(expr: str) -> str:
    """EXPR as a call argument: parenthesised only when it holds a top-level comma."""
    e = expr.strip()
    depth = 0
    for ch in e:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            return f"({e})"
    return e


def _side_effects(arg) -> str | None:
    if arg.assigns:
        return "an assignment"
    if arg.updates:
        return "++/--"
    impure = [c for c in arg.callees if c not in PURE_MACROS]
    if impure:
        return f"a call to {impure[0]}()"
    return None


@dataclass
class _File:
    path: str
    src: bytes
    spans: FileSpans
    edits: list[Edit] = field(default_factory=list)
    lists: list[tuple[int, int, bool]] = field(default_factory=list)


def plan(tree: SourceTree, req: Request) -> Plan:
    if req.kind not in KINDS:
        raise Refused(f"unknown refactoring {req.kind!r}")
    func = _check_ident(req.func, "function name")
    if req.kind in ("drop-param", "rename-param"):
        _check_ident(req.param, "parameter name")
    if req.kind in ("rename-param", "rename"):
        _check_ident(req.new, "new name")
        if req.new == (req.param if req.kind == "rename-param" else func):
            raise Refused("the new name is the old name")
    new_param = parse_param_decl(req.decl or "") if req.kind == "add-param" else None

    files = _read(tree, req, func)
    scope, notes = _scope(files, func, req)
    p = Plan(req, [], notes)
    decls = [(f, d) for f in scope for d in f.spans.decls]
    defs = [(f, d) for f, d in decls if d.kind == "definition"]
    if not defs:
        where = ", ".join(_where(f.path, d.name_span.line) for f, d in decls[:3])
        raise Refused(f"no definition of {func}() found in the tree (declared at {where})" if decls else
                      f"no declaration or definition of {func}() found in the tree")
    stubs = {id(d) for f, d in defs if len(defs) > 1 and d.storage == "static" and d.inline
             and f.path.endswith(".h")}
    main = next(((f, d) for f, d in defs if id(d) not in stubs and not f.path.endswith(".h")),
                next(((f, d) for f, d in defs if id(d) not in stubs), defs[0]))
    p.home = main[0].path
    for f, d in decls:
        if d.shared:
            raise Refused(f"{_where(f.path, d.span.line)} declares {func}() together with other names; "
                          "split that declaration first")
        if d.has_error and req.kind != "rename":
            raise Refused(f"cannot parse the parameter list of {func}() at {_where(f.path, d.name_span.line)}")
        kind = "stub" if id(d) in stubs else d.kind
        p.counts[kind] += 1
        if d.doc is not None:
            p.counts["kernel-doc"] += 1
    sig = req.kind in ("drop-param", "add-param")
    n = len(main[1].params)
    if req.kind != "rename":
        if any(d.variadic for _, d in decls):
            raise Refused(f"{func}() takes a variable number of arguments; not supported")
        for f, d in decls:
            if len(d.params) != n:
                raise Refused(f"the declarations of {func}() disagree: {_where(main[0].path, main[1].name_span.line)}"
                              f" has {n} parameters, {_where(f.path, d.name_span.line)} has {len(d.params)}; "
                              "make them agree first")
    idx = _param_index(req, decls, main, func) if req.kind in ("drop-param", "rename-param") else None
    _mentions(scope, req, func, p)
    calls = [(f, c) for f in scope for c in f.spans.calls]
    p.counts["call site"] = len(calls)
    if sig:
        for f, c in calls:
            at = _where(f.path, c.span.line)
            if c.preproc_inside:
                raise Refused(f"the call of {func}() at {at} has preprocessor lines inside its arguments")
            if c.has_error:
                raise Refused(f"cannot split the arguments of the call of {func}() at {at}")
            if len(c.args) != n:
                raise Refused(f"the call at {at} passes {len(c.args)} arguments to {func}(), which takes {n}")

    if req.kind == "drop-param":
        assert idx is not None
        _drop(req, func, idx, decls, calls, p)
    elif req.kind == "add-param":
        assert new_param is not None
        _add(req, func, new_param, n, decls, calls, p)
    elif req.kind == "rename-param":
        assert idx is not None
        _rename_param(req, func, idx, decls, p)
    else:
        _rename(tree, req, func, decls, calls, scope, p)

    for f in scope:
        if not f.edits:
            p.files.append(FileResult(f.path, f.src, f.src))
            continue
        p.files.append(FileResult(f.path, f.src, apply(f.src, f.edits, f.lists)))
    p.files.sort(key=lambda r: r.path.encode())
    return p


def _read(tree: SourceTree, req: Request, func: str) -> list[_File]:
    # tools/ and scripts/ hold user-space programs (and copies of kernel headers): a function
    # of the same name there is another function, unless the user names such a file
    paths = sorted(p for p in tree.grep_files({func}) if in_kernel_build(p) or p == req.only_file)
    if req.only_file:
        paths = [x for x in paths if x == req.only_file]
        if not paths:
            raise Refused(f"{req.only_file} does not mention {func}")
    out = []
    for path in paths:
        data = tree.read(path)
        if data is None:
            continue
        out.append(_File(path, data, locate(path, data, func)))
    if not out:
        raise Refused(f"{func} does not appear in any .c or .h file of the tree")
    return out


def _scope(files: list[_File], func: str, req: Request) -> tuple[list[_File], list[str]]:
    statics = [f for f in files if not f.path.endswith(".h") and any(d.storage == "static" for d in f.spans.decls)]
    others = [f for f in files if f not in statics]
    notes: list[str] = []
    if req.only_file and not statics:
        raise Refused(f"--file is for a static function; {func}() in {req.only_file} is not static")
    if any(f.spans.decls for f in others):
        for f in statics:
            notes.append(f"{f.path}: left alone, it has a static {func}() of its own")
        return others, notes
    if len(statics) == 1:
        return statics, notes
    if not statics:
        return others, notes
    names = ", ".join(f.path for f in statics[:4])
    raise Refused(f"{func}() is a static function in several files ({names}); choose one with --file")


def _param_index(req: Request, decls, main, func: str) -> int:
    order = [main] + [x for x in decls if x is not main and x[1].kind == "definition"] + \
        [x for x in decls if x[1].kind == "prototype"]
    for f, d in order:
        names = [x.name for x in d.params]
        if req.param in names:
            idx = names.index(req.param)
            for f2, d2 in decls:
                names2 = [x.name for x in d2.params]
                if req.param in names2 and names2.index(req.param) != idx:
                    raise Refused(f"{req.param} is parameter {idx + 1} at {_where(f.path, d.name_span.line)} but "
                                  f"parameter {names2.index(req.param) + 1} at {_where(f2.path, d2.name_span.line)}")
            return idx
    have = ", ".join(x.name or "?" for x in main[1].params) or "none"
    raise Refused(f"{func}() has no parameter named {req.param} (its parameters: {have})")


def _mentions(scope: list[_File], req: Request, func: str, p: Plan) -> None:
    sig = req.kind in ("drop-param", "add-param")
    for f in scope:
        for m in f.spans.mentions:
            at = _where(f.path, m.span.line)
            code = _snippet(m.line_text)
            if m.kind == "macro-name" and req.kind != "rename-param":
                raise Refused(f"{func} is also a macro at {at} (`{code}`); change it by hand first")
            if m.kind == "macro-body" and sig:
                raise Refused(f"a macro builds a call of {func}() at {at} (`{code}`); change the macro by hand first")
            if m.kind == "value" and sig:
                raise Refused(f"{func} is used as a function pointer at {at} (`{code}`); its type would change")
            if m.kind == "unknown" and sig:
                raise Refused(f"cannot tell how {func} is used at {at} (`{code}`): the parser could not read it")
            if m.kind == "export" and sig:
                p.counts["export"] += 1


def _forward_note(f: _File, func: str, param: str, u, tail: str) -> str:
    what = param if u.arg_exact else f"an expression of {param} (`{_snippet(u.arg_text, 40)}`)"
    there = _callee_param(f, u.callee, u.arg_index)
    return (f"{func}() passes {what} on to {u.callee}() at {_where(f.path, u.call_line)} "
            f"(argument {u.arg_index + 1}{', ' + there if there else ''}); {tail.format(there=there or '<param>')}")


def _callee_param(f: _File, callee: str, idx: int) -> str | None:
    for d in locate(f.path, f.src, callee).decls:
        if idx < len(d.params) and d.params[idx].name:
            return d.params[idx].name
    return None


def _lists_for_decl(f: _File, d: DeclSpan) -> list[tuple[int, int]]:
    return item_ranges(f.src, d.lparen.start, d.rparen.start, [(x.span.start, x.span.end) for x in d.params])


def _lists_for_call(f: _File, c: CallSpan) -> list[tuple[int, int]]:
    return item_ranges(f.src, c.lparen.start, c.rparen.start, [(a.span.start, a.span.end) for a in c.args])


def _drop(req: Request, func: str, idx: int, decls, calls, p: Plan) -> None:
    param = req.param or ""
    dropped: dict[str, list[tuple[int, int]]] = {}
    for f, c in calls:
        arg = c.args[idx]
        eff = _side_effects(arg)
        if eff is not None:
            raise Refused(f"the call at {_where(f.path, c.span.line)} passes `{_snippet(arg.text, 40)}` for {param}, "
                          f"which has side effects ({eff}); change that caller by hand first")
        items = _lists_for_call(f, c)
        f.edits.append(drop_item(f.src, items, idx, c.lparen.start, c.rparen.start, b"",
                                 f"argument at {f.path}:{c.span.line}"))
        f.lists.append((c.lparen.start, c.rparen.start, True))
        dropped.setdefault(f.path, []).append((arg.span.start, arg.span.end))
    _upward_notes(func, calls, idx, dropped, p)
    forwards: list[str] = []
    for f, d in decls:
        pname = d.params[idx].name
        if d.kind == "definition" and pname:
            uses = [u for u in d.uses if u.name == pname and not any(
                a <= u.span.start and u.span.end <= b for a, b in dropped.get(f.path, []))]
            if uses and req.value is None:
                u = uses[0]
                more = f" (and {len(uses) - 1} more)" if len(uses) > 1 else ""
                fwd = f", passed on to {u.callee}()" if u.callee and u.callee != func else ""
                line = _line_text(f.src, u.span.start)
                raise Refused(f"{pname} is still used in {func}() at {_where(f.path, u.span.line)} "
                              f"(`{_snippet(line)}`{fwd}){more}; give --value EXPR to use EXPR there instead")
            for u in uses:
                f.edits.append(Edit(u.span.start, u.span.end, as_operand(req.value or "").encode(),
                                    f"use of {pname} at {f.path}:{u.span.line}"))
                p.substituted += 1
                if u.callee and u.callee != func:
                    p.chain.append((u.callee, _callee_param(f, u.callee, u.arg_index or 0) or ""))
                    forwards.append(_forward_note(
                        f, func, pname, u,
                        f"it now passes {req.value} there; to drop that parameter too: kpatchlint refactor "
                        f"drop-param {u.callee} {{there}} --value {req.value}"))
            _comment_notes(f, d, pname, func, p)
            if uses:
                p.notes.append(f"{_where(f.path, uses[0].span.line)}: {pname} replaced by {req.value} in {func}() "
                               f"({len(uses)} use{'s' if len(uses) > 1 else ''}); review the result")
        items = _lists_for_decl(f, d)
        f.edits.append(drop_item(f.src, items, idx, d.lparen.start, d.rparen.start, b"void",
                                 f"parameter at {f.path}:{d.name_span.line}"))
        f.lists.append((d.lparen.start, d.rparen.start, True))
        if d.doc is not None:
            _doc_drop(f, d.doc, {param, pname} - {None}, func, p)
    p.notes.extend(forwards)


def _upward_notes(func: str, calls, idx: int, dropped: dict[str, list[tuple[int, int]]], p: Plan) -> None:
    """Callers that passed one of their own parameters in the dropped slot and now ignore it."""
    seen: set[tuple[str, str, str]] = set()
    cache: dict[tuple[str, str], list[DeclSpan]] = {}
    for f, c in calls:
        arg = c.args[idx]
        if c.caller is None or c.caller == func or not _IDENT_RE.fullmatch(arg.text):
            continue
        key = (f.path, c.caller, arg.text)
        if key in seen:
            continue
        seen.add(key)
        if (f.path, c.caller) not in cache:
            cache[(f.path, c.caller)] = [d for d in locate(f.path, f.src, c.caller).decls if d.kind == "definition"]
        for d in cache[(f.path, c.caller)]:
            if arg.text not in [x.name for x in d.params]:
                continue
            rest = [u for u in d.uses if u.name == arg.text and not any(
                a <= u.span.start and u.span.end <= b for a, b in dropped.get(f.path, []))]
            if not rest:
                p.chain.append((c.caller, arg.text))
                p.notes.append(f"{c.caller}() passed its own {arg.text} to {func}() at {_where(f.path, c.span.line)} "
                               f"and no longer uses it; to drop it there too: kpatchlint refactor drop-param "
                               f"{c.caller} {arg.text}")


def _comment_notes(f: _File, d: DeclSpan, name: str, func: str, p: Plan) -> None:
    """The body still names the parameter outside code (a comment, a string)."""
    if d.body is None:
        return
    used = {u.span.start for u in d.uses if u.name == name}
    pat = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
    for m in pat.finditer(f.src, d.body.start, d.body.end):
        if m.start() not in used and not re.search(rb"(?:->|\.)\s*$", f.src[max(0, m.start() - 8):m.start()]):
            p.notes.append(f"{_where(f.path, _lineno(f.src, m.start()))}: a comment in {func}() still mentions "
                           f"{name}: `{_snippet(_line_text(f.src, m.start()))}`")
            return


def _line_text(src: bytes, pos: int) -> str:
    return src[line_start(src, pos):line_end(src, pos)].decode("utf-8", "replace")


def _doc_drop(f: _File, doc: KernelDocSpan, names: set, func: str, p: Plan) -> None:
    removed: list[tuple[int, int]] = []
    for dp in doc.params:
        if dp.name in names:
            if dp.closes:
                raise Refused(f"the kernel-doc line of @{dp.name} at {_where(f.path, dp.lines.line)} also closes "
                              "the comment; edit it by hand first")
            f.edits.append(Edit(dp.lines.start, dp.lines.end, b"", f"kernel-doc @{dp.name}"))
            removed.append((dp.lines.start, dp.lines.end))
    for name, s in doc.mentions:
        if name in names and not any(a <= s.start < b for a, b in removed):
            p.notes.append(f"{_where(f.path, s.line)}: the kernel-doc of {func}() still mentions @{name}; "
                           "reword it")


def _add(req: Request, func: str, new_param: tuple[str, str, str], n: int, decls, calls, p: Plan) -> None:
    typ, name, text = new_param
    pos = n + 1 if req.position is None else req.position
    if not 1 <= pos <= n + 1:
        raise Refused(f"--position must be between 1 and {n + 1} for {func}(), which takes {n} parameters")
    k = pos - 1
    if calls and req.value is None:
        raise Refused(f"add-param needs --value EXPR: what the {len(calls)} call sites of {func}() pass for {name}")
    for f, d in decls:
        names = {x.name for x in d.params if x.name}
        if name in names:
            raise Refused(f"{func}() already has a parameter named {name} at {_where(f.path, d.name_span.line)}")
        if d.kind == "definition" and name in d.body_names:
            u = _first_word(f.src, d.body.start, d.body.end, name) if d.body else d.name_span.start
            raise Refused(f"{name} is already used in the body of {func}() at "
                          f"{_where(f.path, _lineno(f.src, u))}; choose another name")
    p.param_text = text
    for f, d in decls:
        items = _lists_for_decl(f, d)
        unnamed = bool(d.params) and all(x.name is None for x in d.params)
        item = (typ if unnamed else text).encode()
        f.edits.append(insert_item(f.src, items, k, d.lparen.start, d.rparen.start, item,
                                   f"parameter at {f.path}:{d.name_span.line}"))
        f.lists.append((d.lparen.start, d.rparen.start, False))
        if d.doc is not None:
            _doc_add(f, d, k, name, req.doc or "TODO: document", func)
    value = as_argument(req.value or "").encode()
    for f, c in calls:
        items = _lists_for_call(f, c)
        f.edits.append(insert_item(f.src, items, k, c.lparen.start, c.rparen.start, value,
                                   f"argument at {f.path}:{c.span.line}"))
        f.lists.append((c.lparen.start, c.rparen.start, False))
    if req.doc is None and any(d.doc is not None for _, d in decls):
        p.notes.append(f"the kernel-doc of {func}() describes @{name} as \"TODO: document\"; "
                       "give --doc TEXT or edit it")


def _first_word(src: bytes, a: int, b: int, word: str) -> int:
    m = re.compile(rb"\b" + re.escape(word.encode()) + rb"\b").search(src, a, b)
    return m.start() if m else a


def _lineno(src: bytes, pos: int) -> int:
    return src.count(b"\n", 0, pos) + 1


def _doc_add(f: _File, d: DeclSpan, k: int, name: str, text: str, func: str) -> None:
    doc = d.doc
    assert doc is not None
    pnames = [x.name for x in d.params]
    by_name = {dp.name: dp for dp in doc.params}
    ref = None
    at = None
    if k > 0 and pnames[k - 1] in by_name:
        ref = by_name[pnames[k - 1]]
        at = ref.lines.end
    elif k < len(pnames) and pnames[k] in by_name:
        ref = by_name[pnames[k]]
        at = ref.lines.start
    elif doc.params:
        ref = doc.params[-1]
        at = ref.lines.end
    else:
        at = doc.head_end
    if ref is not None and ref.closes and at == ref.lines.end:
        raise Refused(f"the kernel-doc line of @{ref.name} at {_where(f.path, ref.lines.line)} also closes "
                      "the comment; edit it by hand first")
    prefix = ref.prefix if ref is not None else " * "
    sep = ref.after_colon if ref is not None else " "
    if ref is not None and (len(sep) > 1 or "\t" in sep):
        # descriptions aligned in a column: keep the column when the name fits
        col = width(prefix + "@" + ref.name + ":" + sep)
        head = prefix + "@" + name + ":"
        if "\t" in sep:
            pad = ""
            while width(head + pad) < col:
                pad += "\t"
            sep = pad or " "
        else:
            sep = " " * max(1, col - width(head))
    line = f"{prefix}@{name}:{sep}{text}".rstrip() + "\n"
    f.edits.append(Edit(at, at, line.encode(), f"kernel-doc @{name}"))


def _rename_param(req: Request, func: str, idx: int, decls, p: Plan) -> None:
    old, new = req.param or "", req.new or ""
    forwards = []
    for f, d in decls:
        names = {x.name for x in d.params if x.name}
        if new in names:
            raise Refused(f"{func}() already has a parameter named {new} at {_where(f.path, d.name_span.line)}")
        if d.kind == "definition" and new in d.body_names:
            u = _first_word(f.src, d.body.start, d.body.end, new) if d.body else d.name_span.start
            raise Refused(f"{new} is already used in the body of {func}() at {_where(f.path, _lineno(f.src, u))}; "
                          "renaming would capture it")
    for f, d in decls:
        x = d.params[idx]
        if x.name is None or x.name_span is None:
            continue
        if x.name != old:
            p.notes.append(f"{_where(f.path, d.name_span.line)}: the {d.kind} calls parameter {idx + 1} "
                           f"{x.name}, not {old}; renamed to {new} too")
        f.edits.append(Edit(x.name_span.start, x.name_span.end, new.encode(), f"parameter at {f.path}"))
        f.lists.append((d.lparen.start, d.rparen.start, False))
        if d.kind == "definition":
            for u in d.uses:
                if u.name == x.name:
                    f.edits.append(Edit(u.span.start, u.span.end, new.encode(), f"use at {f.path}:{u.span.line}"))
                    p.counts["use"] += 1
                    if u.callee and u.callee != func and _callee_param(f, u.callee, u.arg_index or 0) == x.name:
                        p.chain.append((u.callee, x.name))
                        forwards.append(_forward_note(
                            f, func, x.name, u,
                            f"to rename it there too: kpatchlint refactor rename-param {u.callee} {{there}} {new}"))
        if d.kind == "definition":
            _comment_notes(f, d, x.name, func, p)
        if d.doc is not None:
            _doc_rename(f, d.doc, {old, x.name}, new)
    p.notes.extend(forwards)


def _doc_rename(f: _File, doc: KernelDocSpan, olds: set, new: str) -> None:
    for name, s in doc.mentions:
        if name in olds:
            f.edits.append(Edit(s.start, s.end, new.encode(), f"kernel-doc @{name}"))
    for dp in doc.params:
        if dp.name in olds and len(dp.after_colon) > 1 and set(dp.after_colon) == {" "}:
            colon = f.src.index(b":", dp.name_span.end)
            ws = colon + 1
            n = max(1, len(dp.after_colon) + len(dp.name) - len(new))
            f.edits.append(Edit(ws, ws + len(dp.after_colon), b" " * n, "kernel-doc alignment"))


def _rename(tree: SourceTree, req: Request, func: str, decls, calls, scope: list[_File], p: Plan) -> None:
    new = req.new or ""
    statics = len(scope) == 1 and any(d.storage == "static" for d in scope[0].spans.decls) \
        and not scope[0].path.endswith(".h")
    if statics:
        taken = [scope[0].path] if re.search(rb"\b" + re.escape(new.encode()) + rb"\b", scope[0].src) else []
    else:
        taken = sorted(tree.grep_files({new}))
    if taken:
        more = f" (and {len(taken) - 1} more files)" if len(taken) > 1 else ""
        raise Refused(f"{new} already exists in {taken[0]}{more}; choose another name")
    word = new.encode()
    for f, d in decls:
        f.edits.append(Edit(d.name_span.start, d.name_span.end, word, f"name at {f.path}:{d.name_span.line}"))
        f.lists.append((d.lparen.start, d.rparen.start, False))
    for f, c in calls:
        f.edits.append(Edit(c.name_span.start, c.name_span.end, word, f"call at {f.path}:{c.span.line}"))
        f.lists.append((c.lparen.start, c.rparen.start, False))
    kinds = Counter()
    for f in scope:
        for m in f.spans.mentions:
            if m.kind == "string":
                p.notes.append(f"{_where(f.path, m.span.line)}: {func} appears in a string, left as is: "
                               f"`{_snippet(m.line_text)}`")
                continue
            if m.kind == "macro-name":
                continue
            f.edits.append(Edit(m.span.start, m.span.end, word, f"{m.kind} at {f.path}:{m.span.line}"))
            kinds[m.kind] += 1
            if m.kind in ("value", "macro-body", "unknown"):
                p.notes.append(f"{_where(f.path, m.span.line)}: renamed a use of {func} "
                               f"({'in a macro' if m.kind == 'macro-body' else m.kind}): `{_snippet(m.line_text)}`")
    if kinds["comment"]:
        p.counts["comment"] += kinds["comment"]
    if kinds["export"]:
        p.counts["export"] += kinds["export"]
    if kinds["value"]:
        p.counts["reference"] += kinds["value"]
