"""Precise places for refactoring one function in one C file: plain spans, no tree-sitter.

`locate(path, src, name)` parses the file once (kernel attribute macros masked: the masking
keeps every byte where it was, so offsets, lines and columns are those of `src`) and returns:

- every declaration of `name` (definition, prototype, `static inline` stub): the span of its
  name, of the parameter list's parentheses, of each parameter and its name, of the body,
  the kernel-doc comment attached to it (with the whole lines of each `@param:` and its
  continuation lines), and for definitions the identifiers of the body that name a parameter
  (with the call they are an argument of, to spot forwarding);
- every call of `name` (`name(...)`): the callee, the parentheses and each argument with the
  side effects tree-sitter sees in it (calls, `++`/`--`, assignments);
- every other mention of the word: as a value (function pointer, ops table), in an
  `EXPORT_SYMBOL()`-like line, in a macro body, as a macro name, in a comment or a string,
  or somewhere the parser could not make sense of.

Spans are byte ranges of the original text with 1-based lines and 0-based byte columns.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from tree_sitter import Node, QueryCursor

from kpatchlint.c.text import comma_ranges
from kpatchlint.c.parser import mask_kernel_macros, parser, query


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # byte offset
    end: int  # byte offset, exclusive
    line: int  # 1-based line of `start`
    col: int  # 0-based byte column of `start`
    end_line: int  # 1-based line of the last byte (of `end` for an empty span)
    end_col: int  # 0-based byte column of `end`


@dataclass(frozen=True, slots=True)
class ParamSpan:
    span: Span
    text: str
    name: str | None
    name_span: Span | None
    variadic: bool = False


@dataclass(frozen=True, slots=True)
class DocParam:
    """One `@name:` entry of a kernel-doc comment with its continuation lines."""

    name: str
    lines: Span  # whole lines: first line's start .. after the last line's newline
    name_span: Span  # the name after `@`
    after_colon: str  # whitespace between `:` and the description
    prefix: str  # text before `@` (" * ")
    closes: bool  # the last line also closes the comment (`*/`)


@dataclass(frozen=True, slots=True)
class KernelDocSpan:
    span: Span
    head_name: str | None
    head_name_span: Span | None
    params: tuple[DocParam, ...]
    mentions: tuple[tuple[str, Span], ...]  # every `@word` in the comment, the word's span
    head_end: int  # byte offset after the newline of the head line (`/**` + `name - purpose`)


@dataclass(frozen=True, slots=True)
class Use:
    """An identifier in a function body; `call` tells which call it is an argument of."""

    name: str
    span: Span
    callee: str | None = None  # innermost call whose argument contains the identifier
    arg_index: int | None = None
    arg_exact: bool = False  # the argument is the identifier itself
    call_line: int = 0
    arg_text: str = ""


@dataclass(frozen=True, slots=True)
class DeclSpan:
    name: str
    kind: str  # "definition" | "prototype"
    span: Span  # the whole declaration or definition
    name_span: Span
    lparen: Span
    rparen: Span
    params: tuple[ParamSpan, ...]  # empty for `()` and `(void)`
    void: bool  # the list is `(void)`
    storage: str  # "static", "extern" or ""
    inline: bool
    body: Span | None
    doc: KernelDocSpan | None
    uses: tuple[Use, ...] = ()  # identifiers of the body named like a parameter
    body_names: frozenset[str] = frozenset()  # every identifier of the body (not member names)
    shared: bool = False  # the declaration declares other things too (`int a(void), b;`)
    has_error: bool = False  # the parser saw an error inside the parameter list

    @property
    def variadic(self) -> bool:
        return any(p.variadic for p in self.params)


@dataclass(frozen=True, slots=True)
class ArgSpan:
    span: Span
    text: str
    callees: tuple[str, ...]  # functions or macros called inside the argument
    updates: bool  # `++`/`--` inside
    assigns: bool  # an assignment inside
    multiline: bool


@dataclass(frozen=True, slots=True)
class CallSpan:
    callee: str
    span: Span
    name_span: Span
    lparen: Span
    rparen: Span
    args: tuple[ArgSpan, ...]
    caller: str | None  # enclosing function
    preproc_inside: bool  # a `#if`/`#else` line between the parentheses
    has_error: bool
    textual: bool = False  # found in code the parser misread; parentheses and commas from the text


@dataclass(frozen=True, slots=True)
class Mention:
    """The word somewhere other than a declaration name or a callee."""

    kind: str  # value | export | macro-body | macro-name | comment | string | member | unknown
    span: Span
    line_text: str
    function: str | None


@dataclass(frozen=True, slots=True)
class FileSpans:
    path: str
    name: str
    decls: tuple[DeclSpan, ...]
    calls: tuple[CallSpan, ...]
    mentions: tuple[Mention, ...]

    def of_kind(self, kind: str) -> list[Mention]:
        return [m for m in self.mentions if m.kind == kind]


# Lines of a kernel-doc comment that start a new section: `@param:`, `Return:`, `Context:` ...
_DOC_SECT_RE = re.compile(r"^\s*\*?\s*(@[\w.]+|@\.\.\.|description|context|returns?|notes?|examples?)\s*:",
                          re.IGNORECASE)
_DOC_PARAM_RE = re.compile(r"^(\s*\*?\s*)@([\w.]+|\.\.\.)\s*:([ \t]*)")
_DOC_MENTION_RE = re.compile(r"@([A-Za-z_]\w*)")
_DOC_HEAD_RE = re.compile(r"^(?:/\*\*)?\s*\*?\s*(?:(?:struct|union|enum|typedef)\s+)?([A-Za-z_]\w*)\s*(?:\(\))?\s*(?:-|:)")

EXPORT_LIKE = frozenset({
    "EXPORT_SYMBOL", "EXPORT_SYMBOL_GPL", "EXPORT_SYMBOL_NS", "EXPORT_SYMBOL_NS_GPL",
    "EXPORT_SYMBOL_FOR_MODULES", "EXPORT_SYMBOL_GPL_FOR_MODULES", "EXPORT_SYMBOL_IF_KUNIT",
    "EXPORT_SYMBOL_FOR_TESTS_ONLY", "EXPORT_PER_CPU_SYMBOL", "EXPORT_PER_CPU_SYMBOL_GPL",
    "ALLOW_ERROR_INJECTION", "NOKPROBE_SYMBOL", "EXPORT_STATIC_CALL", "EXPORT_STATIC_CALL_GPL",
    "BTF_ID_FLAGS", "KUNIT_EXPORT_SYMBOL", "__ADDRESSABLE", "ERROR_INJECT_SYMBOL",
})
_DECL_WRAPPERS = frozenset({"pointer_declarator", "attributed_declarator", "parenthesized_declarator"})
_OWNERS = frozenset({"declaration", "function_definition"})


class _Lines:
    def __init__(self, src: bytes) -> None:
        self.src = src
        starts = [0]
        i = src.find(b"\n")
        while i >= 0:
            starts.append(i + 1)
            i = src.find(b"\n", i + 1)
        self.starts = starts

    def line(self, pos: int) -> int:
        return bisect_right(self.starts, pos)

    def span(self, start: int, end: int) -> Span:
        ln = self.line(start)
        eln = self.line(end - 1) if end > start else ln
        return Span(start, end, ln, start - self.starts[ln - 1], eln, end - self.starts[self.line(end) - 1])

    def node(self, n: Node) -> Span:
        return self.span(n.start_byte, n.end_byte)

    def text(self, n: int) -> str:
        """Text of 1-based line n without its newline."""
        a = self.starts[n - 1]
        b = self.src.find(b"\n", a)
        return self.src[a:b if b >= 0 else len(self.src)].decode("utf-8", "replace")


def _t(src: bytes, n: Node) -> str:
    return src[n.start_byte:n.end_byte].decode("utf-8", "replace")


def _owner(fdecl: Node) -> Node | None:
    """The declaration or definition a function_declarator belongs to (None for a pointer to
    function, a parameter, a struct member or a typedef)."""
    n = fdecl.parent
    while n is not None and n.type in _DECL_WRAPPERS:
        n = n.parent
    if n is None or n.type not in _OWNERS:
        return None
    return n


def _storage(src: bytes, node: Node) -> tuple[str, bool]:
    storage, inline = "", False
    for c in node.children:
        if c.type == "storage_class_specifier":
            w = _t(src, c).strip()
            if w in ("inline", "__inline", "__inline__"):
                inline = True
            elif w in ("static", "extern"):
                storage = w
    return storage, inline


def _param_name(p: Node) -> Node | None:
    d = p.child_by_field_name("declarator")
    while d is not None and d.type != "identifier":
        if d.type in ("function_declarator", "array_declarator", "pointer_declarator",
                      "parenthesized_declarator", "attributed_declarator"):
            nxt = d.child_by_field_name("declarator")
            if nxt is None:
                kids = [k for k in d.named_children if k.type != "comment"]
                nxt = kids[0] if kids else None
            d = nxt
        else:
            return None
    return d


def _kerneldoc(src: bytes, lines: _Lines, comment: Node) -> KernelDocSpan | None:
    text = src[comment.start_byte:comment.end_byte]
    if not text.startswith(b"/**") or text.startswith(b"/***"):
        return None
    first = lines.line(comment.start_byte)
    last = lines.line(max(comment.start_byte, comment.end_byte - 1))
    if first == last:
        return None
    head_name = head_span = None
    head_end = lines.starts[first] if first < len(lines.starts) else comment.end_byte
    for n in (first, first + 1):
        t = lines.text(n)
        if n == first and not t.strip()[3:].strip():
            continue
        m = _DOC_HEAD_RE.match(t[comment.start_point[1]:] if n == first else t)
        if m:
            off = (comment.start_point[1] if n == first else 0)
            a = lines.starts[n - 1] + len(t[:off + m.start(1)].encode())
            head_name = m.group(1)
            head_span = lines.span(a, a + len(head_name.encode()))
            head_end = lines.starts[n] if n < len(lines.starts) else comment.end_byte
        break
    params: list[DocParam] = []
    mentions: list[tuple[str, Span]] = []
    n = first
    while n <= last:
        t = lines.text(n)
        lstart = lines.starts[n - 1]
        for m in _DOC_MENTION_RE.finditer(t):
            a = lstart + len(t[:m.start(1)].encode())
            mentions.append((m.group(1), lines.span(a, a + len(m.group(1).encode()))))
        pm = _DOC_PARAM_RE.match(t)
        if pm and n > first:
            end_n = n
            closes = "*/" in t
            k = n + 1
            while not closes and k <= last:
                tk = lines.text(k)
                body = tk.strip()
                if body.startswith("*/") or body in ("*", "") or _DOC_SECT_RE.match(tk):
                    break
                end_n = k
                closes = "*/" in tk
                k += 1
            for j in range(n + 1, end_n + 1):
                tj = lines.text(j)
                for m in _DOC_MENTION_RE.finditer(tj):
                    a = lines.starts[j - 1] + len(tj[:m.start(1)].encode())
                    mentions.append((m.group(1), lines.span(a, a + len(m.group(1).encode()))))
            a = lstart + len(t[:pm.start(2)].encode())
            stop = lines.starts[end_n] if end_n < len(lines.starts) else len(src)
            params.append(DocParam(pm.group(2), lines.span(lstart, stop),
                                   lines.span(a, a + len(pm.group(2).encode())), pm.group(3), pm.group(1),
                                   closes))
            n = end_n + 1
            continue
        n += 1
    return KernelDocSpan(lines.node(comment), head_name, head_span, tuple(params), tuple(mentions), head_end)


def _doc_before(src: bytes, lines: _Lines, owner: Node) -> KernelDocSpan | None:
    prev = owner.prev_sibling
    if prev is None or prev.type != "comment":
        return None
    if owner.start_point[0] - prev.end_point[0] > 1:
        return None
    return _kerneldoc(src, lines, prev)


def _innermost_call_arg(n: Node, stop: Node) -> tuple[Node, int, Node] | None:
    """(call, argument index, argument node) of the innermost call whose argument holds n."""
    child = n
    p = n.parent
    while p is not None and p.id != stop.id:
        if p.type == "argument_list" and p.parent is not None and p.parent.type == "call_expression":
            idx = 0
            for c in p.children:
                if c.id == child.id:
                    break
                if c.type == ",":
                    idx += 1
            return p.parent, idx, child
        child = p
        p = p.parent
    return None


def _body_uses(src: bytes, lines: _Lines, body: Node, names: set[str]) -> tuple[tuple[Use, ...], frozenset[str]]:
    uses: list[Use] = []
    seen: set[str] = set()
    cur = QueryCursor(query("(identifier) @id"))
    cur.set_byte_range(body.start_byte, body.end_byte)
    for n in cur.captures(body).get("id", []):
        name = _t(src, n)
        seen.add(name)
        if name not in names:
            continue
        hit = _innermost_call_arg(n, body)
        if hit is None:
            uses.append(Use(name, lines.node(n)))
        else:
            call, idx, arg = hit
            fn = call.child_by_field_name("function")
            callee = _t(src, fn) if fn is not None and fn.type == "identifier" else None
            uses.append(Use(name, lines.node(n), callee, idx, arg.id == n.id, call.start_point[0] + 1,
                            " ".join(_t(src, arg).split())))
    uses.sort(key=lambda u: u.span.start)
    return tuple(uses), frozenset(seen)


def _effects(src: bytes, arg: Node) -> tuple[tuple[str, ...], bool, bool]:
    callees: list[str] = []
    updates = assigns = False
    stack = [arg]
    while stack:
        n = stack.pop()
        if n.type == "call_expression":
            fn = n.child_by_field_name("function")
            callees.append(_t(src, fn) if fn is not None else "?")
        elif n.type == "update_expression":
            updates = True
        elif n.type == "assignment_expression":
            assigns = True
        stack.extend(n.children)
    return tuple(callees), updates, assigns


def _enclosing_function(src: bytes, n: Node) -> str | None:
    p = n.parent
    while p is not None:
        if p.type == "function_definition":
            d = p.child_by_field_name("declarator")
            while d is not None and d.type != "function_declarator":
                d = d.child_by_field_name("declarator")
            if d is not None:
                nm = d.child_by_field_name("declarator")
                if nm is not None and nm.type == "identifier":
                    return _t(src, nm)
            return None
        p = p.parent
    return None


def _in_error(n: Node) -> bool:
    p = n.parent
    while p is not None:
        if p.type == "ERROR":
            return True
        p = p.parent
    return False


_STRINGISH = frozenset({"string_literal", "string_content", "char_literal", "system_lib_string",
                        "concatenated_string", "escape_sequence", "raw_string_literal"})


def locate(path: str, src: bytes, name: str) -> FileSpans:
    """Everything about function `name` in one file; see the module docstring."""
    masked = mask_kernel_macros(src)
    tree = parser().parse(masked)
    try:
        return _locate(path, masked, src, tree.root_node, name)
    finally:
        del tree


def _locate(path: str, src: bytes, orig: bytes, root: Node, name: str) -> FileSpans:
    lines = _Lines(orig)
    word = name.encode()
    decls: list[DeclSpan] = []
    calls: list[CallSpan] = []
    mentions: list[Mention] = []
    decl_names: set[int] = set()
    call_names: set[int] = set()

    for m in re.finditer(rb"\b" + re.escape(word) + rb"\b", src):
        s, e = m.start(), m.end()
        n = root.descendant_for_byte_range(s, e)
        if n is None:
            continue
        kind = _classify(src, n, s, e, name)
        if kind == "decl":
            fdecl = n.parent
            owner = _owner(fdecl) if fdecl is not None else None
            if owner is None:
                mentions.append(Mention("value", lines.span(s, e), lines.text(lines.line(s)),
                                        _enclosing_function(src, n)))
                continue
            d = _decl(src, lines, owner, fdecl, n)
            if d is not None:
                decls.append(d)
                decl_names.add(s)
            continue
        if kind == "call":
            c = _call(src, lines, n.parent)
            if c is not None:
                calls.append(c)
                call_names.add(s)
            continue
        if kind == "member":
            continue
        if kind == "unknown":
            c = _textual_call(orig, lines, root, n, s, e)
            if c is not None:
                calls.append(c)
                continue
        mentions.append(Mention(kind, lines.span(s, e), lines.text(lines.line(s)),
                                _enclosing_function(src, n) if kind not in ("comment", "macro-name") else None))
    return FileSpans(path, name, tuple(decls), tuple(calls), tuple(mentions))


_MACRO_LEXEME_RE = re.compile(rb'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.DOTALL)


def _in_macro_text(src: bytes, arg: Node, s: int) -> str:
    """A mention inside a macro body (raw text to tree-sitter): in one of its strings or
    comments, or in its code."""
    for m in _MACRO_LEXEME_RE.finditer(src, arg.start_byte, arg.end_byte):
        if m.start() <= s < m.end():
            return "string" if m.group()[:1] in (b'"', b"'") else "comment"
    return "macro-body"


def _classify(src: bytes, n: Node, s: int, e: int, name: str) -> str:
    t = n.type
    if t == "comment":
        return "comment"
    if t in _STRINGISH or (n.parent is not None and n.parent.type in _STRINGISH):
        return "string"
    if t == "preproc_arg":
        return _in_macro_text(src, n, s)
    if t == "field_identifier":
        return "member"
    if t != "identifier" or n.start_byte != s or n.end_byte != e:
        p = n
        while p is not None:
            if p.type in ("preproc_arg",):
                return _in_macro_text(src, p, s)
            if p.type == "comment":
                return "comment"
            p = p.parent
        return "unknown"
    p = n.parent
    if p is None:
        return "unknown"
    if p.type in ("preproc_def", "preproc_function_def") and p.child_by_field_name("name") is not None \
            and p.child_by_field_name("name").id == n.id:
        return "macro-name"
    if p.type == "function_declarator" and p.child_by_field_name("declarator") is not None \
            and p.child_by_field_name("declarator").id == n.id:
        return "decl"
    if p.type == "call_expression" and p.child_by_field_name("function") is not None \
            and p.child_by_field_name("function").id == n.id:
        return "call"
    if p.type == "argument_list" and p.parent is not None and p.parent.type == "call_expression":
        fn = p.parent.child_by_field_name("function")
        if fn is not None and _t(src, fn) in EXPORT_LIKE:
            return "export"
    if p.type in ("preproc_ifdef", "preproc_defined", "preproc_if", "preproc_elif", "preproc_elifdef",
                  "preproc_undef"):
        return "macro-name"
    if _in_error(n) or p.type == "ERROR":
        return "unknown"
    return "value"


def _decl(src: bytes, lines: _Lines, owner: Node, fdecl: Node, name_node: Node) -> DeclSpan | None:
    plist = fdecl.child_by_field_name("parameters")
    if plist is None:
        return None
    lp = plist.children[0] if plist.children else None
    rp = plist.children[-1] if plist.children else None
    if lp is None or rp is None or lp.type != "(" or rp.type != ")":
        return None
    params: list[ParamSpan] = []
    void = False
    for p in plist.named_children:
        if p.type == "comment":
            continue
        if p.type == "variadic_parameter" or _t(src, p) == "...":
            params.append(ParamSpan(lines.node(p), "...", None, None, True))
            continue
        nm = _param_name(p) if p.type == "parameter_declaration" else (p if p.type == "identifier" else None)
        params.append(ParamSpan(lines.node(p), _t(src, p), _t(src, nm) if nm is not None else None,
                                lines.node(nm) if nm is not None else None))
    if len(params) == 1 and params[0].name is None and params[0].text.strip() == "void":
        params = []
        void = True
    kind = "definition" if owner.type == "function_definition" else "prototype"
    storage, inline = _storage(src, owner)
    body = owner.child_by_field_name("body") if kind == "definition" else None
    uses: tuple[Use, ...] = ()
    body_names: frozenset[str] = frozenset()
    if body is not None:
        uses, body_names = _body_uses(src, lines, body, {p.name for p in params if p.name})
    shared = owner.type == "declaration" and len(owner.children_by_field_name("declarator")) > 1
    return DeclSpan(
        name=_t(src, name_node), kind=kind, span=lines.node(owner), name_span=lines.node(name_node),
        lparen=lines.node(lp), rparen=lines.node(rp), params=tuple(params), void=void,
        storage=storage, inline=inline, body=lines.node(body) if body is not None else None,
        doc=_doc_before(src, lines, owner), uses=uses, body_names=body_names, shared=shared,
        has_error=plist.has_error,
    )


def _call(src: bytes, lines: _Lines, call: Node) -> CallSpan | None:
    fn = call.child_by_field_name("function")
    al = call.child_by_field_name("arguments")
    if fn is None or al is None or not al.children:
        return None
    lp, rp = al.children[0], al.children[-1]
    if lp.type != "(" or rp.type != ")" or rp.is_missing:
        return None
    args: list[ArgSpan] = []
    preproc = False
    for a in al.named_children:
        if a.type == "comment":
            continue
        if a.type.startswith("preproc"):
            preproc = True
            continue
        callees, updates, assigns = _effects(src, a)
        args.append(ArgSpan(lines.node(a), _t(src, a), callees, updates, assigns,
                            a.start_point[0] != a.end_point[0]))
    inner = src[lp.end_byte:rp.start_byte]
    if re.search(rb"(?m)^[ \t]*#", inner):
        preproc = True
    has_error = al.has_error
    if has_error and not preproc:
        # the parser stumbled inside (a type as a macro argument: `container_of(p, struct x, m)`);
        # the text still splits at top-level commas
        text_args = _args_from_text(src, lines, lp.end_byte, rp.start_byte)
        if text_args is not None:
            args, has_error = text_args, False
    return CallSpan(
        callee=_t(src, fn), span=lines.node(call), name_span=lines.node(fn), lparen=lines.node(lp),
        rparen=lines.node(rp), args=tuple(args), caller=_enclosing_function(src, call),
        preproc_inside=preproc, has_error=has_error,
    )


def _match_paren(src: bytes, lp: int) -> int | None:
    depth, i, n = 0, lp, len(src)
    while i < n:
        c = src[i]
        if c == 0x2F and i + 1 < n and src[i + 1] in (0x2A, 0x2F):
            return None
        if c in (0x22, 0x27):
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == 0x5C else 1
            i = j + 1
            continue
        if c == 0x3B or (c == 0x7B and depth > 0):  # `;` or `{` inside: not a call
            return None
        if c in b"([":
            depth += 1
        elif c in b")]":
            depth -= 1
            if depth == 0:
                return i if c == 0x29 else None
        i += 1
    return None


def _textual_call(src: bytes, lines: _Lines, root: Node, n: Node, s: int, e: int) -> CallSpan | None:
    """A call inside a function body that the parser misread (`f(container_of(p, struct x, m));`
    parses as a declaration): the word, `(`, the matching `)`, arguments split by the text."""
    caller = _enclosing_function(src, n)
    if caller is None:
        return None
    lp = e
    while lp < len(src) and src[lp] in b" \t":
        lp += 1
    if lp >= len(src) or src[lp] != 0x28:
        return None
    before = src[lines.starts[lines.line(s) - 1]:s]
    if re.search(rb"(?:\.|->|\w)\s*$", before):  # a member, or a declaration `type f(`
        return None
    rp = _match_paren(src, lp)
    if rp is None:
        return None
    args = _args_from_text(src, lines, lp + 1, rp)
    if args is None:
        return None
    return CallSpan(callee=src[s:e].decode(), span=lines.span(s, rp + 1), name_span=lines.span(s, e),
                    lparen=lines.span(lp, lp + 1), rparen=lines.span(rp, rp + 1), args=tuple(args), caller=caller,
                    preproc_inside=re.search(rb"(?m)^[ \t]*#", src[lp:rp]) is not None, has_error=False,
                    textual=True)


_CALL_WORD_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_ASSIGN_RE = re.compile(r"(?<![=!<>+\-*/%&|^])=(?!=)|[+\-*/%&|^]=|<<=|>>=")
_NOT_CALLS = frozenset({"sizeof", "typeof", "__typeof__", "_Alignof", "alignof", "__alignof__"})


def _args_from_text(src: bytes, lines: _Lines, a: int, b: int) -> list[ArgSpan] | None:
    """Arguments split at top-level commas of src[a:b]; None if a comment is in the way."""
    pieces = comma_ranges(src, a, b)
    if pieces is None:
        return None
    out: list[ArgSpan] = []
    for s, e in pieces:
        if s == e:
            if len(pieces) == 1:
                return []
            return None
        text = src[s:e].decode("utf-8", "replace")
        callees = tuple(m.group(1) for m in _CALL_WORD_RE.finditer(text) if m.group(1) not in _NOT_CALLS)
        out.append(ArgSpan(lines.span(s, e), text, callees, "++" in text or "--" in text,
                           _ASSIGN_RE.search(text) is not None, b"\n" in src[s:e]))
    return out
