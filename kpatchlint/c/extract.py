"""Extract FileFacts from one C file (or from diff fragments of it) with tree-sitter queries.

Design: one parse, a few queries run in C, then byte-interval sweeps (not per-node parent
walks) to attach each fact to its enclosing function, preprocessor condition and ERROR
region. Parse trees are dropped on return; only plain facts leave this module.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Iterable

from tree_sitter import Node, QueryCursor

from kpatchlint.c.cond import negate, normalise
from kpatchlint.c.kerneldoc import parse_kerneldoc
from kpatchlint.c.model import (
    CallSite, Comment, Export, FileFacts, FunctionSig, KernelDoc, Macro, Param,
)
from kpatchlint.c.parser import mask_kernel_macros, parser, query
from kpatchlint.c.text import split_args, strip_comments, squash
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
(comment) @comment
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


def _params(src: bytes, plist: Node) -> tuple[Param, ...]:
    out: list[Param] = []
    for p in plist.named_children:
        if p.type == "comment":
            continue
        if p.type == "variadic_parameter":
            out.append(Param("...", None))
            continue
        if p.type == "identifier":  # K&R
            out.append(Param("int", _text(src, p)))
            continue
        if p.type != "parameter_declaration":
            out.append(Param(normalise_type(_text(src, p)), None))
            continue
        d = p.child_by_field_name("declarator")
        while d is not None and d.type != "identifier":
            d = _inner(d)
        full = _text(src, p)
        if d is None:
            out.append(Param(normalise_type(full), None))
            continue
        a, b = d.start_byte - p.start_byte, d.end_byte - p.start_byte
        raw = full.encode("utf-8", "replace") if False else src[p.start_byte:p.end_byte]
        typ = (raw[:a] + raw[b:]).decode("utf-8", "replace")
        out.append(Param(normalise_type(typ), _text(src, d)))
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


def extract_facts(path: str, src: bytes, digest: str = "", *, line_offset: int = 0,
                  cap: Confidence = Confidence.HIGH, fragment_rows: tuple[int, int] | None = None) -> FileFacts:
    """Parse `src` and return its facts. Lines are shifted by `line_offset` (for fragments)."""
    masked = mask_kernel_macros(src)
    tree = parser().parse(masked)
    root = tree.root_node
    try:
        return _extract(path, masked, root, digest, line_offset, cap, fragment_rows)
    finally:
        del tree


def _extract(path: str, src: bytes, root: Node, digest: str, off: int, cap: Confidence,
             frag_rows: tuple[int, int] | None) -> FileFacts:
    caps = QueryCursor(query(_TOP_Q)).captures(root)
    defs = caps.get("def", [])
    decls = caps.get("decl", [])
    errors = caps.get("error", [])
    cond_iv = _cond_intervals(src, caps.get("ifdef", []) + caps.get("if", []))
    err_iv = [(e.start_byte, e.end_byte, True) for e in errors]
    err_bytes = 0
    last_end = -1
    for e in sorted(errors, key=lambda n: n.start_byte):
        if e.start_byte >= last_end:
            err_bytes += e.end_byte - e.start_byte
            last_end = e.end_byte
    total = max(1, len(src))

    def conf(node: Node, in_error: bool) -> Confidence:
        c = Confidence.MEDIUM if (in_error or node.has_error) else Confidence.HIGH
        if frag_rows is not None and (node.start_point[0] <= frag_rows[0] or node.end_point[0] >= frag_rows[1]):
            c = Confidence.LOW
        return min(c, cap)

    # ---- functions -------------------------------------------------------------------
    func_nodes: list[tuple[Node, str]] = [(d, "definition") for d in defs]
    func_nodes.extend((d, "prototype") for d in decls)
    func_nodes.sort(key=lambda x: x[0].start_byte)

    comments = caps.get("comment", [])
    docs_by_end: dict[int, tuple[Node, KernelDoc]] = {}
    for c in comments:
        if src[c.start_byte:c.start_byte + 3] == b"/**" or (frag_rows is not None and c.start_point[0] == 0):
            kd = parse_kerneldoc(_text(src, c), c.start_point[0] + 1 + off)
            if kd is not None:
                docs_by_end[c.end_point[0]] = (c, kd)

    cond_sweep = _Sweep(cond_iv)
    err_sweep = _Sweep(err_iv)
    functions: list[FunctionSig] = []
    fn_iv: list[tuple[int, int, object]] = []
    fn_params: dict[str, set[str]] = {}
    for node, kind in func_nodes:
        if kind == "prototype":
            last = node.children[-1] if node.children else None
            if last is None or last.type != ";" or last.is_missing:
                continue  # a definition's head line (hunk header) or a cut declaration
            if _inside_body(node):
                continue  # `#ifdef` inside a function: statements, not prototypes
        declarators = node.children_by_field_name("declarator")
        cond = tuple(str(c) for c in cond_sweep.at(node.start_byte))
        in_err = bool(err_sweep.at(node.start_byte))
        for dcl in declarators:
            fdecl, stars = _func_declarator(dcl)
            if fdecl is None:
                continue
            name_node = _name_node(fdecl)
            plist = fdecl.child_by_field_name("parameters")
            if name_node is None or plist is None:
                continue
            name = _text(src, name_node)
            if _SYSCALL_RE.match(name):
                continue
            storage, inline, quals = _storage(src, node)
            tnode = node.child_by_field_name("type")
            rtype = _text(src, tnode) if tnode is not None else "int"
            rtype = normalise_type(" ".join(quals + [rtype]) + " " + "*" * stars)
            if "(" in rtype:
                continue  # a macro invocation parsed as a type: not a real declaration
            doc = None
            prev = node.prev_sibling
            if prev is not None and prev.type == "comment":
                hit = docs_by_end.get(prev.end_point[0])
                if hit is not None and hit[0].id == prev.id and node.start_point[0] - prev.end_point[0] <= 1:
                    doc = hit[1]
            fs_kwargs: dict = {}
            params = _params(src, plist)
            if kind == "definition":
                body = node.child_by_field_name("body")
                if body is None:
                    continue
                fs_kwargs = _body_facts(src, body, params)
                fn_iv.append((body.start_byte, body.end_byte, name))
                fn_params[name] = {p.name for p in params if p.name}
            functions.append(FunctionSig(
                name=name, path=path, line=node.start_point[0] + 1 + off, col=node.start_point[1] + 1,
                end_line=node.end_point[0] + 1 + off, kind=kind, return_type=rtype,
                params=params, storage=storage, inline=inline, cond=cond,
                confidence=conf(node, in_err), doc=doc, name_line=name_node.start_point[0] + 1 + off,
                **fs_kwargs,
            ))
    # Bodies that follow a macro "call" such as SYSCALL_DEFINE3(read, ...) { ... }
    for es in caps.get("error", []):
        pass
    fn_sweep = _Sweep(fn_iv)

    # ---- calls -------------------------------------------------------------------------
    calls: list[CallSite] = []
    exports: list[Export] = []
    cond_sweep = _Sweep(cond_iv)
    err_sweep = _Sweep(err_iv)
    call_caps = QueryCursor(query(_CALL_Q)).matches(root)
    for _, m in call_caps:
        call = m["call"][0]
        callee = _text(src, m["callee"][0])
        args_text = _text(src, m["args"][0])
        args = split_args(args_text)
        pos = call.start_byte
        enclosing = fn_sweep.at(pos)
        in_err = bool(err_sweep.at(pos))
        cond = tuple(str(c) for c in cond_sweep.at(pos))
        line = call.start_point[0] + 1 + off
        if callee.startswith("EXPORT_SYMBOL") or callee.startswith("EXPORT_PER_CPU_SYMBOL"):
            if args:
                exports.append(Export(args[0], callee, path, line))
            continue
        if _SYSCALL_RE.match(callee) and args:
            # the compound statement after it is the body of sys_<name>
            nxt = call.parent.next_sibling if call.parent is not None else None
            if nxt is not None and nxt.type == "compound_statement":
                fn_iv.append((nxt.start_byte, nxt.end_byte, "sys_" + args[0]))
                fn_sweep = _Sweep(fn_iv)
            continue
        confidence = conf(call, in_err)
        if enclosing and callee in fn_params.get(str(enclosing[-1]), ()):
            continue  # a call through a function-pointer parameter that shadows a global name
        if "#" in args_text and _DIRECTIVE_RE.search(args_text):
            confidence = Confidence.LOW  # `#ifdef` inside the argument list: the count depends on config
        calls.append(CallSite(
            callee=callee, args=tuple(args), caller=str(enclosing[-1]) if enclosing else None,
            path=path, line=line, col=call.start_point[1] + 1, end_line=call.end_point[0] + 1 + off,
            cond=cond, confidence=confidence,
        ))

    # ---- macros, includes, exports, comments --------------------------------------------
    macros: list[Macro] = []
    cond_sweep = _Sweep(cond_iv)
    for mnode in sorted(caps.get("fmacro", []) + caps.get("omacro", []), key=lambda n: n.start_byte):
        nn = mnode.child_by_field_name("name")
        if nn is None:
            continue
        pnode = mnode.child_by_field_name("parameters")
        params = None
        if pnode is not None:
            params = tuple(_text(src, p) for p in pnode.named_children if p.type != "comment")
            if any(k.type == "..." for k in pnode.children):
                params = params + ("...",)
        vnode = mnode.child_by_field_name("value")
        body = _text(src, vnode) if vnode is not None else ""
        line = mnode.start_point[0] + 1 + off
        cond = tuple(str(c) for c in cond_sweep.at(mnode.start_byte))
        mname = _text(src, nn)
        macros.append(Macro(mname, params, path, line, cond, body=squash(body)[:400]))
        if params is not None and body:
            calls.extend(_macro_calls(body, mname, path, line, cond))
    includes = tuple(_text(src, n) for n in caps.get("inc", []))
    typedefs = _typedefs(src, caps.get("typedef", []))

    kept_comments: list[Comment] = []
    fn_sweep = _Sweep(fn_iv)
    for c in comments:
        text = _text(src, c)
        if not _MARKER_RE.search(text):
            continue
        encl = fn_sweep.at(c.start_byte)
        fname = str(encl[-1]) if encl else None
        if fname is None:
            nxt = c.next_named_sibling
            if nxt is not None and nxt.type in ("function_definition", "declaration"):
                fd, _ = _func_declarator(nxt.child_by_field_name("declarator"))
                nn = _name_node(fd) if fd is not None else None
                fname = _text(src, nn) if nn is not None else None
        kept_comments.append(Comment(path, c.start_point[0] + 1 + off, c.end_point[0] + 1 + off, text, fname))

    refs = sorted({_text(src, n) for n in QueryCursor(query(_REF_Q)).captures(root).get("ref", [])})
    return FileFacts(
        path=path, digest=digest, functions=tuple(functions), calls=tuple(calls),
        macros=tuple(macros), exports=tuple(exports), comments=tuple(kept_comments),
        includes=includes, typedefs=typedefs, refs=tuple(refs), error_ratio=round(err_bytes / total, 4),
        fragments=frag_rows is not None,
    )


_RETURN_VALUE_RE = re.compile(rb"\breturn\b\s*[^;\s]")


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
    named = [c for c in body.named_children if c.type != "comment"]
    btext = src[body.start_byte:body.end_byte]
    if b"/*" in btext or b"//" in btext:
        btext = strip_comments(btext.decode("utf-8", "replace")).encode()
    returns_value = bool(_RETURN_VALUE_RE.search(btext)) or bool(_NORETURN_RE.search(btext))
    used: tuple[bool, ...] | None = None
    if params:
        used = tuple(
            True if not p.name else re.search(rb"\b" + re.escape(p.name.encode()) + rb"\b", btext) is not None
            for p in params
        )
    return {"returns_value": returns_value, "body_empty": not named, "params_used": used}


def _macro_calls(body: str, mname: str, path: str, line: int, cond: tuple[str, ...]) -> list[CallSite]:
    out: list[CallSite] = []
    for m in _MACRO_CALL_RE.finditer(body):
        callee = m.group(1)
        if callee in ("defined", "sizeof", "typeof", "__typeof__", "if", "while", "for", "switch", "return"):
            continue
        depth, i = 0, m.end() - 1
        while i < len(body):
            ch = body[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        if depth != 0:
            continue
        args = tuple(split_args(body[m.end() - 1:i + 1]))
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
