"""Extract FileFacts from one C file (or from diff fragments of it) with tree-sitter queries.

Design: one parse, one query run in C, then byte-interval lookups (not per-node parent
walks) to attach each fact to its enclosing function, preprocessor condition and ERROR
region. Parse trees are dropped on return; only plain facts leave this module.

Speed (see docs/performance.md): the Python work per fact is kept to a few attribute reads
and one bisect; comments are not all visited (kernel-doc is looked up from the declaration
it documents, marker comments are found by a byte search first); argument lists are split
by a token scan with a cache. The output is the same as a per-node walk would give.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from operator import attrgetter
from typing import Iterable

from tree_sitter import Node, QueryCursor

from kpatchlint.c.cond import negate, normalise
from kpatchlint.c.kerneldoc import parse_kerneldoc
from kpatchlint.c.model import (
    CallSite, Comment, Export, FileFacts, FunctionSig, KernelDoc, Macro, Param, record_maker,
)
from kpatchlint.c.parser import mask_kernel_macros, parser, query
from kpatchlint.c.text import split_args, strip_comments, squash
from kpatchlint.limits import too_deep
from kpatchlint.location import Confidence

_TOP_Q = """
(function_definition) @def
(translation_unit (declaration) @decl)
(preproc_if (declaration) @decl)
(preproc_ifdef (declaration) @decl)
(preproc_else (declaration) @decl)
(preproc_elif (declaration) @decl)
(linkage_specification (declaration_list (declaration) @decl))
(translation_unit (ERROR (declaration) @decl))
(preproc_function_def) @fmacro
(preproc_def) @omacro
(preproc_include path: (_) @inc)
(translation_unit (type_definition) @typedef)
(preproc_ifdef (type_definition) @typedef)
(preproc_if (type_definition) @typedef)
(preproc_else (type_definition) @typedef)
(preproc_ifdef) @ifdef
(preproc_if) @if
(ERROR) @error
"""
_CALL_Q = "(call_expression function: (identifier) @callee arguments: (argument_list) @args) @call"
_REF_Q = """
(initializer_pair value: (identifier) @ref)
(initializer_list (identifier) @ref)
(pointer_expression argument: (identifier) @ref)
(argument_list (identifier) @ref)
(assignment_expression right: (identifier) @ref)
(init_declarator value: (identifier) @ref)
(return_statement (identifier) @ref)
(conditional_expression (identifier) @ref)
(cast_expression value: (identifier) @ref)
"""
# calls: only the callee and the argument list are captured (the call spans exactly both)
_ALL_Q = _TOP_Q + "(call_expression function: (identifier) @callee arguments: (argument_list) @args)\n" + _REF_Q
_IDENT_Q = "(identifier) @id"
_RETURN_Q = "(return_statement) @ret"

_MARKER_RE = re.compile(
    r"\b(workaround|work around|will be (?:removed|dropped)|to be (?:removed|dropped)|"
    r"removed? (?:shortly|soon|later)|temporar(?:y|ily)|FIXME|XXX|HACK|TODO|deprecated)\b",
    re.IGNORECASE,
)
_NORETURN_RE = re.compile(rb"\b(BUG|panic|unreachable|__builtin_unreachable|do_exit|BUILD_BUG|kthread_exit|make_task_dead)\s*\(")
_MACRO_CALL_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_DIRECTIVE_RE = re.compile(r"^\s*#\s*(?:if|else|elif|endif)", re.MULTILINE)
_SYSCALL_RE = re.compile(r"^(?:COMPAT_)?SYSCALL_DEFINE\d$")
_CONTAINERS = {"translation_unit", "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif",
               "preproc_elifdef", "linkage_specification", "declaration_list"}


def _text(src: bytes, node: Node) -> str:
    return src[node.start_byte:node.end_byte].decode("utf-8", "replace")


def _inner(decl: Node | None) -> Node | None:
    if decl is None:
        return None
    nxt = decl.child_by_field_name("declarator")
    if nxt is None and decl.type in ("parenthesized_declarator", "attributed_declarator"):
        kids = [k for k in decl.named_children if k.type != "comment"]
        nxt = kids[0] if kids else None
    return nxt


def _func_declarator(declarator: Node | None) -> tuple[Node | None, int]:
    """Walk down to the function_declarator; count pointer levels of the return type."""
    stars = 0
    d = declarator
    while d is not None and d.type != "function_declarator":
        if d.type == "pointer_declarator":
            stars += 1
        elif d.type not in ("attributed_declarator",):
            return None, 0
        d = _inner(d)
    return d, stars


def _name_node(fdecl: Node) -> Node | None:
    """The identifier naming a function_declarator; None for function pointers `(*fp)(...)`."""
    d = fdecl.child_by_field_name("declarator")
    while d is not None and d.type == "attributed_declarator":
        d = _inner(d)
    if d is not None and d.type == "identifier":
        return d
    return None


_STAR_RE = re.compile(r"\s*(\*+)\s*")
_UNSIGNED_RE = re.compile(r"\b(un)?signed(?!\s+(?:int|long|char|short))\b")
_LONGINT_RE = re.compile(r"\b(long|short)\s+int\b")
_TOPCONST_RE = re.compile(r"\b(?:const|volatile|register)\s+")
_PTRCONST_RE = re.compile(r"(\*)\s*(?:const|volatile)\s*$")


def normalise_type(text: str) -> str:
    """Canonical spelling of a type: one space, `struct folio *`, top-level `const` dropped."""
    t = squash(strip_comments(text))
    if "*" in t:
        t = _STAR_RE.sub(r" \1", t).strip()
    if "signed" in t:
        t = _UNSIGNED_RE.sub(lambda m: (m.group(1) or "") + "signed int", t)
    if " int" in t:
        t = _LONGINT_RE.sub(r"\1", t)
    if "*" not in t and "(" not in t:
        if "const" in t or "volatile" in t or "register" in t:
            t = _TOPCONST_RE.sub("", t).strip()
    elif t.endswith(("const", "volatile")):
        t = _PTRCONST_RE.sub(r"\1", t).strip()
    return t


_norm_cache: dict[str, str] = {}


def _norm_type(text: str) -> str:
    """normalise_type, memoised (type spellings repeat a lot)."""
    t = _norm_cache.get(text)
    if t is None:
        if len(_norm_cache) > 50000:
            _norm_cache.clear()
        t = _norm_cache[text] = normalise_type(text)
    return t


_CAPS_WORD_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_C_TYPE_WORDS = frozenset("int char long short unsigned signed float double void const volatile _Bool bool "
                          "restrict register".split())
_TRAILING_ATTR_RE = re.compile(r"^(.*[\w*\s])\b([a-z_]\w*)\s*$", re.DOTALL)


def _params(src: bytes, plist: Node, tx=None) -> tuple[Param, ...]:
    if tx is None:
        def tx(n: Node) -> str:
            return tx(n)
    out: list[Param] = []
    for p in plist.named_children:
        if p.type == "comment":
            continue
        if p.type == "variadic_parameter":
            out.append(Param("...", None))
            continue
        if p.type == "identifier":  # K&R
            out.append(Param("int", tx(p)))
            continue
        if p.type != "parameter_declaration":
            out.append(Param(_norm_type(tx(p)), None))
            continue
        d = p.child_by_field_name("declarator")
        while d is not None and d.type != "identifier":
            d = _inner(d)
        if d is None:
            out.append(Param(_norm_type(tx(p)), None))
            continue
        ps, pe = p.start_byte, p.end_byte
        typ = (src[ps:d.start_byte] + src[d.end_byte:pe]).decode("utf-8", "replace")
        name = tx(d)
        m = _TRAILING_ATTR_RE.match(typ) if _CAPS_WORD_RE.match(name) else None
        if m and m.group(2) not in _C_TYPE_WORDS and not m.group(1).rstrip().endswith(("struct", "union", "enum")):
            # `ppc_cpu_t dialect ATTRIBUTE_UNUSED`: the last word is an attribute macro
            typ, name = m.group(1), m.group(2)
        out.append(Param(_norm_type(typ), name))
    if len(out) == 1 and out[0].name is None and out[0].type == "void":
        return ()
    return tuple(out)


def _inside_body(node: Node) -> bool:
    p = node.parent
    while p is not None:
        if p.type in ("compound_statement", "function_definition"):
            return True
        if p.type == "translation_unit":
            return False
        p = p.parent
    return False


def _storage(src: bytes, node: Node) -> tuple[str, bool, list[str]]:
    storage, inline, quals = "", False, []
    for c in node.children:
        if c.type == "storage_class_specifier":
            word = _text(src, c).strip()
            if word in ("inline", "__inline", "__inline__", "__forceinline"):
                inline = True
            elif word in ("static", "extern"):
                storage = word
        elif c.type == "type_qualifier":
            quals.append(_text(src, c).strip())
    return storage, inline, quals


class _Sweep:
    """Answer "which intervals contain byte b" for properly nested intervals, b increasing."""

    def __init__(self, intervals: Iterable[tuple[int, int, object]]) -> None:
        self._items = sorted(intervals, key=lambda x: (x[0], -x[1]))
        self._i = 0
        self._stack: list[tuple[int, int, object]] = []
        self._last = -1

    def at(self, pos: int) -> list[object]:
        if pos < self._last:  # queries out of order: restart
            self._i, self._stack = 0, []
        self._last = pos
        while self._i < len(self._items) and self._items[self._i][0] <= pos:
            item = self._items[self._i]
            while self._stack and self._stack[-1][1] <= item[0]:
                self._stack.pop()
            self._stack.append(item)
            self._i += 1
        while self._stack and self._stack[-1][1] <= pos:
            self._stack.pop()
        return [s[2] for s in self._stack] if self._stack else []


def _cond_intervals(src: bytes, nodes: list[Node]) -> list[tuple[int, int, object]]:
    out: list[tuple[int, int, object]] = []
    for n in nodes:
        alt = n.child_by_field_name("alternative")
        then_end = alt.start_byte if alt is not None else n.end_byte
        if n.type == "preproc_ifdef":
            name_node = n.child_by_field_name("name")
            if name_node is None:
                continue
            name = _text(src, name_node)
            negative = _text(src, n.children[0]).strip() == "#ifndef"
            if negative:
                first = [c for c in n.named_children if c.type not in ("comment", "identifier")][:1]
                if first and first[0].type == "preproc_def" and first[0].child_by_field_name("name") is not None \
                        and _text(src, first[0].child_by_field_name("name")) == name:
                    continue  # header guard
            cond = ("!" + name) if negative else name
        else:
            cnode = n.child_by_field_name("condition")
            if cnode is None:
                continue
            cond = normalise(_text(src, cnode))
        out.append((n.start_byte, then_end, cond))
        # walk the #elif/#else chain
        prev = [cond]
        while alt is not None:
            nxt = alt.child_by_field_name("alternative")
            end = nxt.start_byte if nxt is not None else alt.end_byte
            if alt.type == "preproc_else":
                c = negate(prev[0]) if len(prev) == 1 else "!(" + " || ".join(prev) + ")"
            elif alt.type == "preproc_elif":
                cn = alt.child_by_field_name("condition")
                c = normalise(_text(src, cn)) if cn is not None else "?"
                prev.append(c)
            else:  # preproc_elifdef
                nn = alt.child_by_field_name("name")
                c = _text(src, nn) if nn is not None else "?"
                prev.append(c)
            out.append((alt.start_byte, end, c))
            alt = nxt
    return out


def _line_starts(src: bytes) -> list[int]:
    starts = [0]
    find = src.find
    i = find(b"\n")
    while i >= 0:
        starts.append(i + 1)
        i = find(b"\n", i + 1)
    return starts


# operators and punctuation no parameter type holds (array sizes aside): a misread call
_GARBAGE_PARAM_RE = re.compile(r'&|->|[,"!?+=%<>]')
_BRACKETS_RE = re.compile(r"\[[^\]]*\]|\([^()]*\)")


def _matching_paren(src: bytes, i: int, limit: int = 8192) -> int:
    """Offset just past the `)` matching the `(` at src[i], skipping strings, character
    constants and comments; -1 when there is none within `limit` bytes."""
    if i >= len(src) or src[i] != 0x28:
        return -1
    depth = 0
    n = min(len(src), i + limit)
    while i < n:
        c = src[i]
        if c in (0x22, 0x27):
            j = i + 1
            while j < n and src[j] != c and src[j] != 0x0A:
                j += 2 if src[j] == 0x5C else 1
            i = j + 1
            continue
        if c == 0x2F and i + 1 < n and src[i + 1] == 0x2A:
            j = src.find(b"*/", i + 2, n)
            if j < 0:
                return -1
            i = j + 2
            continue
        if c == 0x2F and i + 1 < n and src[i + 1] == 0x2F:
            j = src.find(b"\n", i, n)
            i = n if j < 0 else j
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        elif c in (0x3B, 0x7B, 0x7D) and depth:
            return -1  # `;`, `{` or `}` inside: not one argument list
        i += 1
    return -1


def _garbage_param(t: str) -> bool:
    """Array sizes and function-pointer parameter lists aside, does the type hold an operator?"""
    for _ in range(4):
        u = _BRACKETS_RE.sub("", t)
        if u == t:
            break
        t = u
    return bool(_GARBAGE_PARAM_RE.search(t))


def extract_facts(path: str, src: bytes, digest: str = "", *, line_offset: int = 0,
                  cap: Confidence = Confidence.HIGH, fragment_rows: tuple[int, int] | None = None) -> FileFacts:
    """Parse `src` and return its facts. Lines are shifted by `line_offset` (for fragments).

    Source nested deeper than any real C (limits.too_deep) is not parsed: its facts are empty
    and say why, since extraction is quadratic in the nesting."""
    why = too_deep(src)
    if why is not None:
        return FileFacts(path=path, digest=digest, error_ratio=1.0, extra={"not_parsed": why})
    masked = mask_kernel_macros(src)
    tree = parser().parse(masked)
    root = tree.root_node
    try:
        return _extract(path, masked, root, digest, line_offset, cap, fragment_rows)
    finally:
        del tree


def _extract(path: str, src: bytes, root: Node, digest: str, off: int, cap: Confidence,
             frag_rows: tuple[int, int] | None) -> FileFacts:
    # One query pass for everything; capture lists come back in no reliable order, so each
    # list is put in document order here (facts are emitted in document order).
    caps = QueryCursor(query(_ALL_Q)).captures(root)
    get = caps.get
    stext: str | None = None
    if src.isascii():
        stext = src.decode("ascii")

        def tx(node: Node) -> str:
            return stext[node.start_byte:node.end_byte]  # type: ignore[index]
    else:
        def tx(node: Node) -> str:
            return src[node.start_byte:node.end_byte].decode("utf-8", "replace")

    errors = sorted(get("error", ()), key=_ERR_ORDER)
    ifs = get("ifdef", []) + get("if", [])
    ifs.sort(key=_START)
    cond_iv = _cond_intervals(src, ifs)
    err_iv = [(e.start_byte, e.end_byte, True) for e in errors]
    err_bytes = 0
    last_end = -1
    for e in errors:
        if e.start_byte >= last_end:
            err_bytes += e.end_byte - e.start_byte
            last_end = e.end_byte
    total = max(1, len(src))
    hi, med = min(Confidence.HIGH, cap), min(Confidence.MEDIUM, cap)
    low = min(Confidence.LOW, cap)

    def conf(node: Node, in_error: bool) -> Confidence:
        c = med if (in_error or node.has_error) else hi
        if frag_rows is not None and (node.start_point[0] <= frag_rows[0] or node.end_point[0] >= frag_rows[1]):
            c = low
        return c

    # (condition stack, inside an ERROR node) for every byte position: one bisect per fact
    ce_pts, ce_vals = _cond_err_table(cond_iv, err_iv)

    # ---- functions -------------------------------------------------------------------
    func_nodes: list[tuple[Node, str]] = [(d, "definition") for d in get("def", ())]
    func_nodes.extend((d, "prototype") for d in get("decl", ()))
    func_nodes.sort(key=_FIRST_START)

    functions: list[FunctionSig] = []
    fn_iv: list[tuple[int, int, object]] = []
    fn_params: dict[str, set[str]] = {}
    for node, kind in func_nodes:
        if kind == "prototype":
            nkids = node.child_count
            last = node.child(nkids - 1) if nkids else None
            if last is None or last.type != ";" or last.is_missing:
                continue  # a definition's head line (hunk header) or a cut declaration
            if _inside_body(node):
                continue  # `#ifdef` inside a function: statements, not prototypes
        declarators = node.children_by_field_name("declarator")
        cond, in_err = ce_vals[bisect_right(ce_pts, node.start_byte)]
        doc: KernelDoc | None | bool = False  # False: not looked up yet
        for dcl in declarators:
            fdecl, stars = _func_declarator(dcl)
            if fdecl is None:
                continue
            name_node = _name_node(fdecl)
            plist = fdecl.child_by_field_name("parameters")
            if name_node is None or plist is None:
                continue
            name = tx(name_node)
            if _SYSCALL_RE.match(name):
                continue
            storage, inline, quals = _storage(src, node)
            tnode = node.child_by_field_name("type")
            rtype = tx(tnode) if tnode is not None else "int"
            rtype = _norm_type(" ".join(quals + [rtype]) + " " + "*" * stars)
            if "(" in rtype:
                continue  # a macro invocation parsed as a type: not a real declaration
            if doc is False:
                doc = _doc_before(node, tx, off, frag_rows)
            fs_kwargs: dict = {}
            params = _params(src, plist, tx)
            if any(_garbage_param(p.type) for p in params):
                continue  # `f(a, &b->c);` read as a declaration (code after a macro tree-sitter cut short)
            if kind == "definition":
                body = node.child_by_field_name("body")
                if body is None:
                    continue
                fs_kwargs = _body_facts(src, body, params)
                fn_iv.append((body.start_byte, body.end_byte, name))
                fn_params[name] = {p.name for p in params if p.name}
            start = node.start_point
            functions.append(FunctionSig(
                name=name, path=path, line=start[0] + 1 + off, col=start[1] + 1,
                end_line=node.end_point[0] + 1 + off, kind=kind, return_type=rtype,
                params=params, storage=storage, inline=inline, cond=cond,
                confidence=conf(node, in_err), doc=doc, name_line=name_node.start_point[0] + 1 + off,
                **fs_kwargs,
            ))

    # ---- calls -------------------------------------------------------------------------
    calls: list[CallSite] = []
    exports: list[Export] = []
    fn_pts, fn_vals = _fn_table(fn_iv)
    callees = get("callee", [])
    argss = get("args", [])
    callees.sort(key=_START)
    argss.sort(key=_START)
    memo = _split_memo
    new_call = _new_call
    split = _split_cached
    bis = bisect_right
    for cnode, anode in zip(callees, argss):
        pos = cnode.start_byte
        if stext is not None:
            callee = stext[pos:cnode.end_byte]
            args_text = stext[anode.start_byte:anode.end_byte]
        else:
            callee = tx(cnode)
            args_text = tx(anode)
        args = memo.get(args_text)
        if args is None:
            args = split(args_text)
        caller = fn_vals[bis(fn_pts, pos)]
        cond, in_err = ce_vals[bis(ce_pts, pos)]
        start = cnode.start_point
        line = start[0] + 1 + off
        if callee.startswith(("EXPORT_SYMBOL", "EXPORT_PER_CPU_SYMBOL")):
            if args:
                exports.append(Export(args[0], callee, path, line))
            continue
        if "SYSCALL_DEFINE" in callee and _SYSCALL_RE.match(callee) and args:
            # the compound statement after it is the body of sys_<name>
            call = cnode.parent
            nxt = call.parent.next_sibling if call is not None and call.parent is not None else None
            if nxt is not None and nxt.type == "compound_statement":
                fn_iv.append((nxt.start_byte, nxt.end_byte, "sys_" + args[0]))
                fn_pts, fn_vals = _fn_table(fn_iv)
            continue
        if caller is not None and callee in fn_params.get(caller, ()):
            continue  # a call through a function-pointer parameter that shadows a global name
        end_row = anode.end_point[0]
        confidence = med if (in_err or cnode.has_error or anode.has_error) else hi
        if anode.has_error or not args_text.endswith(")"):
            # tree-sitter cut the argument list short (an unexpanded macro nearby): count the
            # arguments from the text up to the matching `)`, or trust none of them
            e = _matching_paren(src, anode.start_byte)
            if e < 0:
                confidence = Confidence.LOW
            else:
                full = src[anode.start_byte:e].decode("utf-8", "replace")
                if full != args_text:
                    args_text = full
                    args = split(full)
        if frag_rows is not None and (start[0] <= frag_rows[0] or end_row >= frag_rows[1]):
            confidence = low
        if "#" in args_text and _DIRECTIVE_RE.search(args_text):
            confidence = Confidence.LOW  # `#ifdef` inside the argument list: the count depends on config
        calls.append(new_call(callee, args, caller, path, line, start[1] + 1, end_row + 1 + off, cond, confidence))

    # ---- macros, includes, exports, comments --------------------------------------------
    macros: list[Macro] = []
    mnodes = get("fmacro", []) + get("omacro", [])
    mnodes.sort(key=_START)
    for mnode in mnodes:
        nn = mnode.child_by_field_name("name")
        if nn is None:
            continue
        pnode = mnode.child_by_field_name("parameters")
        params = None
        if pnode is not None:
            params = tuple(tx(p) for p in pnode.named_children if p.type != "comment")
            if any(k.type == "..." for k in pnode.children):
                params = params + ("...",)
        vnode = mnode.child_by_field_name("value")
        body = tx(vnode) if vnode is not None else ""
        line = mnode.start_point[0] + 1 + off
        cond = ce_vals[bisect_right(ce_pts, mnode.start_byte)][0]
        mname = tx(nn)
        macros.append(Macro(mname, params, path, line, cond, body=_squash(body)[:400]))
        if params is not None and body:
            calls.extend(_macro_calls(body, mname, path, line, cond))
    incs = get("inc", [])
    incs.sort(key=_START)
    includes = tuple(tx(n) for n in incs)
    tdefs = get("typedef", [])
    tdefs.sort(key=_START)
    typedefs = _typedefs(src, tdefs)

    kept_comments: list[Comment] = []
    for c, offsets in _marker_comments(src, root):
        text = tx(c)
        if not _is_marker(text, offsets):
            continue
        fname = fn_vals[bisect_right(fn_pts, c.start_byte)]
        if fname is None:
            nxt = c.next_named_sibling
            if nxt is not None and nxt.type in ("function_definition", "declaration"):
                fd, _ = _func_declarator(nxt.child_by_field_name("declarator"))
                nn = _name_node(fd) if fd is not None else None
                fname = tx(nn) if nn is not None else None
        kept_comments.append(Comment(path, c.start_point[0] + 1 + off, c.end_point[0] + 1 + off, text, fname))

    if stext is not None:
        refs = sorted({stext[n.start_byte:n.end_byte] for n in get("ref", ())})
    else:
        refs = sorted({tx(n) for n in get("ref", ())})
    return FileFacts(
        path=path, digest=digest, functions=tuple(functions), calls=tuple(calls),
        macros=tuple(macros), exports=tuple(exports), comments=tuple(kept_comments),
        includes=includes, typedefs=typedefs, refs=tuple(refs), error_ratio=round(err_bytes / total, 4),
        fragments=frag_rows is not None,
    )


_START = attrgetter("start_byte")


def _FIRST_START(x: tuple[Node, str]) -> int:
    return x[0].start_byte


def _ERR_ORDER(n: Node) -> tuple[int, int]:
    return (n.start_byte, -n.end_byte)  # an enclosing ERROR before the ones it holds


class _Stack:
    """The stack of `_Sweep` advanced position by position (positions never decrease); `advance`
    says whether the stack changed, so values built from it are rebuilt only then."""

    __slots__ = ("items", "i", "stack")

    def __init__(self, intervals: Iterable[tuple[int, int, object]]) -> None:
        self.items = sorted(intervals, key=lambda x: (x[0], -x[1]))
        self.i = 0
        self.stack: list[tuple[int, int, object]] = []

    def advance(self, pos: int) -> bool:
        items, stack, i = self.items, self.stack, self.i
        changed = False
        while i < len(items) and items[i][0] <= pos:
            item = items[i]
            while stack and stack[-1][1] <= item[0]:
                stack.pop()
            stack.append(item)
            changed = True
            i += 1
        self.i = i
        while stack and stack[-1][1] <= pos:
            stack.pop()
            changed = True
        return changed


def _cond_err_table(cond_iv: list[tuple[int, int, object]], err_iv: list[tuple[int, int, object]]
                    ) -> tuple[list[int], list[tuple[tuple[str, ...], bool]]]:
    """For every byte position, what `_Sweep(cond_iv).at(pos)` (as strings) and
    `bool(_Sweep(err_iv).at(pos))` answer: values[bisect_right(points, pos)].

    The answers only change at interval starts and ends, so they are computed once per such
    point (values[0] holds the answer before the first point).
    """
    points = sorted({p for s, e, _ in cond_iv for p in (s, e)} | {p for s, e, _ in err_iv for p in (s, e)})
    cs, es = _Stack(cond_iv), _Stack(err_iv)
    cond: tuple[str, ...] = ()
    err = False
    values: list[tuple[tuple[str, ...], bool]] = [(cond, err)]
    for p in points:
        if cs.advance(p):
            cond = tuple(str(x[2]) for x in cs.stack)
        if es.advance(p):
            err = bool(es.stack)
        values.append((cond, err))
    return points, values


def _fn_table(fn_iv: list[tuple[int, int, object]]) -> tuple[list[int], list[str | None]]:
    """The same for the enclosing function: str(_Sweep(fn_iv).at(pos)[-1]) or None."""
    points = sorted({p for s, e, _ in fn_iv for p in (s, e)})
    st = _Stack(fn_iv)
    cur: str | None = None
    values: list[str | None] = [None]
    for p in points:
        if st.advance(p):
            cur = str(st.stack[-1][2]) if st.stack else None
        values.append(cur)
    return points, values


def _doc_before(node: Node, tx, off: int, frag_rows: tuple[int, int] | None) -> KernelDoc | None:
    """The kernel-doc comment right before a declaration (at most one blank line between)."""
    prev = node.prev_sibling
    if prev is None or prev.type != "comment":
        return None
    if node.start_point[0] - prev.end_point[0] > 1:
        return None
    text = tx(prev)
    if not (text.startswith("/**") or (frag_rows is not None and prev.start_point[0] == 0)):
        return None
    if prev.start_point[1] != 0 and not (frag_rows is not None and prev.start_point[0] == 0):
        return None  # scripts/kernel-doc only reads `/**` at the start of a line (" /**" is a plain comment)
    return parse_kerneldoc(text, prev.start_point[0] + 1 + off)


# Cheap pre-filter for marker comments: literal words of _MARKER_RE, searched in the lowered bytes.
# Every match of _MARKER_RE starts where one of these matches in the lowered bytes.
_MARKER_HINT_RES = [re.compile(p) for p in (
    rb"workaround", rb"work around", rb"will be (?:removed|dropped)", rb"to be (?:removed|dropped)",
    rb"removed? (?:shortly|soon|later)", rb"temporar(?:y|ily)", rb"fixme", rb"xxx", rb"hack", rb"todo",
    rb"deprecated")]
# Non-ASCII letters that `re.IGNORECASE` matches to ASCII ones (dotted/dotless i, long s, Kelvin sign)
_CASEFOLD_TRAPS = ("\u0130", "\u0131", "\u017f", "\u212a")


def _marker_comments(src: bytes, root: Node) -> list[tuple[Node, list[int] | None]]:
    """Comments that may match _MARKER_RE, in document order, each with the byte offsets (from
    the comment's start) where a match could begin, or None: search the whole comment."""
    if not src.isascii() and any(ch.encode() in src for ch in _CASEFOLD_TRAPS):
        nodes = QueryCursor(query("(comment) @c")).captures(root).get("c", [])
        nodes.sort(key=_START)
        return [(n, None) for n in nodes]
    low = src.lower()
    hits: set[int] = set()
    for rx in _MARKER_HINT_RES:
        for m in rx.finditer(low):
            hits.add(m.start())
    if not hits:
        return []
    exact = src.isascii()  # byte offsets are character offsets
    out: dict[int, tuple[Node, list[int] | None]] = {}
    for pos in sorted(hits):
        n = root.descendant_for_byte_range(pos, pos + 1)
        if n is None or n.type != "comment":
            continue
        got = out.get(n.start_byte)
        if got is None:
            got = out[n.start_byte] = (n, [] if exact else None)
        if got[1] is not None:
            got[1].append(pos - n.start_byte)
    return [out[k] for k in sorted(out)]


def _is_marker(text: str, offsets: list[int] | None) -> bool:
    """_MARKER_RE.search(text) is not None; every match starts at one of `offsets` (when known)."""
    if offsets is None:
        return _MARKER_RE.search(text) is not None
    match = _MARKER_RE.match
    return any(match(text, k) is not None for k in offsets)


_RETURN_VALUE_RE = re.compile(rb"\breturn\b\s*[^;\s]")
_RETURN_AHEAD_RE = re.compile(rb"return(?=\b\s*[^;\s])")
_NORETURN_WORDS = (b"BUG", b"panic", b"unreachable", b"do_exit", b"kthread_exit", b"make_task_dead")


def _returns_value(btext: bytes) -> bool:
    """bool(_RETURN_VALUE_RE.search(btext)) or bool(_NORETURN_RE.search(btext)), faster: the
    search jumps to the literal `return` and checks the word boundary before it here; the
    no-return calls are looked for only when one of their names occurs."""
    for m in _RETURN_AHEAD_RE.finditer(btext):
        i = m.start()
        if i == 0 or btext[i - 1] not in _WORD_BYTES:
            return True
    if any(w in btext for w in _NORETURN_WORDS):
        return _NORETURN_RE.search(btext) is not None
    return False
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_PLAIN_WORD_RE = re.compile(r"[A-Za-z0-9_]+")
_word_res: dict[str, tuple[re.Pattern, bool]] = {}


def _has_word(name: str, text: bytes) -> bool:
    """re.search(rb"\\b" + name + rb"\\b", text) is not None, faster: for a plain identifier the
    pattern starts with the name itself (a literal prefix re can jump to) and the word boundary
    before it is checked here."""
    got = _word_res.get(name)
    if got is None:
        if len(_word_res) > 20000:
            _word_res.clear()
        if _PLAIN_WORD_RE.fullmatch(name):
            got = (re.compile(re.escape(name.encode()) + rb"(?![A-Za-z0-9_])"), True)
        else:
            got = (re.compile(rb"\b" + re.escape(name.encode()) + rb"\b"), False)
        _word_res[name] = got
    rx, plain = got
    if not plain:
        return rx.search(text) is not None
    for m in rx.finditer(text):
        i = m.start()
        if i == 0 or text[i - 1] not in _WORD_BYTES:
            return True
    return False


_CMT_CAND_RE = re.compile(r"[\"'/]")
_STRING_RE = re.compile(r"\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.DOTALL)


def _strip_comments(text: str) -> str:
    """The same result as kpatchlint.c.text.strip_comments (comments become one space, string
    and character literals are kept), without trying a regex at every character."""
    if "/" not in text:
        return text
    out: list[str] = []
    pos = i = 0
    search, smatch, find = _CMT_CAND_RE.search, _STRING_RE.match, text.find
    while True:
        c = search(text, i)
        if c is None:
            break
        j = c.start()
        if text[j] == "/":
            nx = text[j + 1:j + 2]
            if nx == "*":
                e = find("*/", j + 2)
                if e < 0:
                    i = j + 1
                    continue
                e += 2
            elif nx == "/":
                e = find("\n", j + 2)
                if e < 0:
                    e = len(text)
            else:
                i = j + 1
                continue
            out.append(text[pos:j])
            out.append(" ")
            pos = i = e
        else:
            m = smatch(text, j)
            i = j + 1 if m is None else m.end()
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _squash(text: str) -> str:
    """kpatchlint.c.text.squash without a regex: str.split() and \\s agree on what is whitespace."""
    return " ".join(text.split())


_new_call = record_maker(CallSite, ("callee", "args", "caller", "path", "line", "col", "end_line", "cond",
                                     "confidence"))


_SPLIT_TOKEN_RE = re.compile(r"[()\[\]{}\"',\\]")
_split_memo: dict[str, tuple[str, ...]] = {}


def _split_cached(arglist: str) -> tuple[str, ...]:
    """tuple(split_args(arglist)), memoised (argument lists such as `(folio)` repeat a lot)."""
    got = _split_memo.get(arglist)
    if got is None:
        if len(_split_memo) > 100000:
            _split_memo.clear()
        got = _split_memo[arglist] = tuple(_split_args_fast(arglist))
    return got


def _split_args_fast(arglist: str) -> list[str]:
    """The same result as kpatchlint.c.text.split_args, scanning only the characters that matter
    (brackets, quotes, commas, backslashes) instead of every character in Python."""
    t = _strip_comments(arglist).strip()
    if t.startswith("("):
        t = t[1:]
    if t.endswith(")"):
        t = t[:-1]
    if not t.strip():
        return []
    if not any(c in t for c in "([{\"'"):
        return [" ".join(a.split()) for a in t.split(",")]
    out: list[str] = []
    depth = 0
    quote = ""
    skip = -1  # position of a character escaped by a backslash inside a quote
    start = 0
    for m in _SPLIT_TOKEN_RE.finditer(t):
        i = m.start()
        ch = t[i]
        if quote:
            if i == skip:
                continue
            if ch == "\\":
                skip = i + 1
            elif ch == quote:
                quote = ""
            continue
        if ch == '"' or ch == "'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(" ".join(t[start:i].split()))
            start = i + 1
    out.append(" ".join(t[start:].split()))
    return out
def _typedefs(src: bytes, nodes: list[Node]) -> tuple[tuple[str, str], ...]:
    """`typedef struct foo foo_t;` -> ("foo_t", "struct foo"); function-pointer typedefs skipped."""
    out: list[tuple[str, str]] = []
    for n in nodes:
        tnode = n.child_by_field_name("type")
        if tnode is None:
            continue
        if tnode.type in ("struct_specifier", "union_specifier", "enum_specifier"):
            kw = tnode.type.split("_")[0]
            nn = tnode.child_by_field_name("name")
            base = f"{kw} {_text(src, nn)}" if nn is not None else None
        else:
            base = normalise_type(_text(src, tnode))
        quals = " ".join(_text(src, c) for c in n.children if c.type == "type_qualifier")
        for d in n.children_by_field_name("declarator"):
            stars = 0
            while d is not None and d.type == "pointer_declarator":
                stars += 1
                d = d.child_by_field_name("declarator")
            if d is None or d.type != "type_identifier":
                continue
            if base is None:
                base = "struct <anonymous " + _text(src, d) + ">"
            out.append((_text(src, d), normalise_type(f"{quals} {base} {'*' * stars}".strip())))
    return tuple(out)


def _body_facts(src: bytes, body: Node, params: tuple[Param, ...]) -> dict:
    empty = True
    c = body.named_child(0) if body.named_child_count else None
    while c is not None:
        if c.type != "comment":
            empty = False
            break
        c = c.next_named_sibling
    btext = src[body.start_byte:body.end_byte]
    if b"/*" in btext or b"//" in btext:
        btext = _strip_comments(btext.decode("utf-8", "replace")).encode()
    returns_value = _returns_value(btext)
    used: tuple[bool, ...] | None = None
    if params:
        used = tuple(True if not p.name else _has_word(p.name, btext) for p in params)
    return {"returns_value": returns_value, "body_empty": empty, "params_used": used}


_PAREN_RE = re.compile(r"[()]")


_BODY_LEXEME_RE = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.DOTALL)


def _macro_calls(body: str, mname: str, path: str, line: int, cond: tuple[str, ...]) -> list[CallSite]:
    out: list[CallSite] = []
    # strings and comments of the body blanked (same length): "Skip submit_bio() for ..." is no call
    text = body
    body = _BODY_LEXEME_RE.sub(lambda m: m.group()[0] + " " * (len(m.group()) - 2) + m.group()[-1]
                               if m.group()[0] in "\"'" else " " * len(m.group()), body)
    for m in _MACRO_CALL_RE.finditer(body):
        callee = m.group(1)
        if callee in ("defined", "sizeof", "typeof", "__typeof__", "if", "while", "for", "switch", "return"):
            continue
        depth, i = 0, -1
        for p in _PAREN_RE.finditer(body, m.end() - 1):
            if p.group() == "(":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    i = p.start()
                    break
        if depth != 0:
            continue
        args = _split_cached(text[m.end() - 1:i + 1])  # the arguments as written
        if any("__VA_ARGS__" in a or a.endswith("...") or "##" in a for a in args):
            continue  # the count depends on the macro's caller
        out.append(CallSite(callee, args, mname, path, line, 1, line, cond, Confidence.MEDIUM, in_macro=True))
    return out


def extract_fragments(path: str, chunks: list[tuple[int, str]], digest: str = "") -> FileFacts:
    """Facts from known pieces of a file: `chunks` are (first 1-based line, text) pairs.

    Each chunk is parsed alone; facts touching a chunk's first or last line are LOW
    confidence (the piece may cut them), others at most MEDIUM.
    """
    parts: list[FileFacts] = []
    for start, text in chunks:
        text = repair_chunk_start(text)
        nrows = text.count("\n")
        parts.append(extract_facts(path, text.encode("utf-8", "replace"), digest, line_offset=start - 1,
                                   cap=Confidence.MEDIUM, fragment_rows=(0, max(0, nrows - (1 if text.endswith("\n") else 0)))))
    return merge_facts(path, digest, parts, fragments=True)


_LEX_RE = re.compile(r'/\*|\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'')


def repair_chunk_start(text: str) -> str:
    """Make a piece of a file parse as what it is: a chunk cut inside a comment starts one
    (its first ` * ` line becomes `/**`, same length); one ending inside a comment is closed."""
    first, nl, rest = text.partition("\n")
    stripped = first.lstrip()
    if stripped.startswith("*/"):
        text = " " * len(first) + nl + rest
    elif first.startswith(" * ") or first == " *":
        text = "/**" + first[3:] + nl + rest
    elif stripped.startswith("* ") or stripped == "*":
        i = len(first) - len(stripped)
        text = (first[:max(0, i - 1)] + "/*" + stripped[1:] if i else "/*" + stripped[1:]) + nl + rest
    in_comment = False
    for m in _LEX_RE.finditer(text):
        tok = m.group()
        if in_comment:
            if tok == "*/":
                in_comment = False
        elif tok == "/*":
            in_comment = True
    if in_comment:
        text = text.rstrip("\n") + " */\n"
    return text


def merge_facts(path: str, digest: str, parts: list[FileFacts], fragments: bool) -> FileFacts:
    def cat(attr: str) -> tuple:
        out: list = []
        for p in parts:
            out.extend(getattr(p, attr))
        return tuple(out)

    return FileFacts(
        path=path, digest=digest, functions=cat("functions"), calls=cat("calls"), macros=cat("macros"),
        exports=cat("exports"), comments=cat("comments"), includes=cat("includes"), typedefs=cat("typedefs"),
        refs=tuple(sorted(set(cat("refs")))),
        error_ratio=max((p.error_ratio for p in parts), default=0.0), fragments=fragments,
    )


def line_index(src: bytes) -> list[int]:
    return _line_starts(src)


def line_of(starts: list[int], byte: int) -> int:
    return bisect_right(starts, byte)
