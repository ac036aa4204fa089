"""Local variables of one function definition and whether anything else in it names them.

For -Wunused-variable: a function's text is parsed on its own (a definition is a translation
unit tree-sitter accepts), every variable declared in its body is listed, and it counts as
used when its name occurs anywhere else in the function (comments and string literals
removed), be it in a macro argument, an `#ifdef` arm, `sizeof` or inline assembly. Only what
is certain is kept: a declaration that carries an attribute or a cleanup (`__maybe_unused`,
`__free(kfree)`) is not listed, nor one inside an ERROR region, and a name declared twice is
used as soon as it occurs more often than it is declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from kpatchlint.c.parser import mask_kernel_macros, parser

# attributes and macros that make a variable intentionally unused or used behind the scenes
_QUIET_RE = re.compile(r"__maybe_unused|__always_unused|__always_used|__unused|__used|__attribute__|__attribute\b|"
                       r"__free\s*\(|__cleanup\s*\(|__aligned|__section")
_IDENT_RE = re.compile(r"[A-Za-z_]\w*")
_WRAPPERS = ("init_declarator", "pointer_declarator", "array_declarator", "parenthesized_declarator",
             "attributed_declarator")


@dataclass(frozen=True, slots=True)
class LocalVar:
    name: str
    line: int  # 1-based, in the file (first_line + offset)
    declaration: str  # the declaration's text as written


def _declared_name(node: Node) -> Node | None:
    """The identifier a declarator declares; None for a function declarator."""
    while node is not None:
        if node.type == "identifier":
            return node
        if node.type == "function_declarator":
            return None
        if node.type not in _WRAPPERS:
            return None
        node = node.child_by_field_name("declarator")  # type: ignore[assignment]
    return None


_MACRO_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# not macro_type_specifier: `for_each_possible_cpu(cpu) a[cpu] = x;` reads as one
_TYPE_NODES = ("primitive_type", "sized_type_specifier", "struct_specifier", "union_specifier",
               "enum_specifier", "type_identifier")


def _plain_declaration(decl: Node, parent: Node) -> bool:
    """A declaration tree-sitter read without trouble, of a type that is not a macro call:
    unexpanded loop macros (`for_each_online_node(i) x = y;`) read as declarations otherwise."""
    if decl.has_error or parent.type not in ("compound_statement", "for_statement"):
        return False
    p = parent
    while p is not None:
        if p.type == "ERROR":
            return False
        p = p.parent
    t = decl.child_by_field_name("type")
    if t is None or t.type not in _TYPE_NODES:
        return False
    if t.type == "type_identifier" and t.text and _MACRO_NAME_RE.match(t.text.decode("utf-8", "replace")):
        return False
    return True


def local_variables(text: str, first_line: int = 1, *, every: bool = False) -> list[LocalVar]:
    """Variables declared in the body of the one function definition in `text` (`every`: also
    those with attributes or cleanups, for questions of scope rather than of use)."""
    raw = text.encode("utf-8", "surrogateescape")
    tree = parser().parse(mask_kernel_macros(raw))
    fn = next((c for c in tree.root_node.children if c.type == "function_definition"), None)
    if fn is None:
        return []
    body = fn.child_by_field_name("body")
    if body is None:
        return []
    out: list[LocalVar] = []
    stack = [body]
    while stack:
        node = stack.pop()
        for child in node.children:
            if child.type == "declaration":
                if not _plain_declaration(child, node):
                    continue
                decl = raw[child.start_byte:child.end_byte].decode("utf-8", "replace")
                if not every and (_QUIET_RE.search(decl) or "extern" in decl.split("(")[0].split()):
                    continue
                for d in child.children_by_field_name("declarator"):
                    ident = _declared_name(d)
                    if ident is None or not ident.text:
                        continue
                    name = ident.text.decode("utf-8", "replace")
                    if _MACRO_NAME_RE.match(name):
                        continue  # `static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, BURST);` misread
                    out.append(LocalVar(name, first_line + ident.start_point[0], decl))
            elif child.type in ("function_definition",):
                continue
            else:
                stack.append(child)
    out.sort(key=lambda v: (v.line, v.name))
    return out


def name_counts(text: str) -> dict[str, int]:
    """How often each identifier occurs in `text`, comments and string literals removed, and
    not counting member names (`si->bdev`, `p.len`: not the local `bdev` or `len`)."""
    code = _blank(text)
    counts: dict[str, int] = {}
    for m in _MEMBER_OR_IDENT_RE.finditer(code):
        if m.group(1):
            continue
        w = m.group(2)
        counts[w] = counts.get(w, 0) + 1
    return counts


_MEMBER_OR_IDENT_RE = re.compile(r"(\.|->)\s*[A-Za-z_]\w*|([A-Za-z_]\w*)")


def unused_locals(text: str, first_line: int = 1) -> list[LocalVar]:
    """The local variables of the function in `text` that nothing else in it names."""
    code = _blank(text)
    lines = [ln for ln in code.splitlines() if ln.strip()]
    if not lines or lines[-1].strip() != "}" or code.count("{") != code.count("}"):
        return []  # not a whole function: its extent was misread (macros), so uses may lie outside
    found = local_variables(text, first_line)
    if not found:
        return []
    counts = name_counts(text)
    declared: dict[str, int] = {}
    for v in found:
        declared[v.name] = declared.get(v.name, 0) + 1
    return [v for v in found if v.name and counts.get(v.name, 0) <= declared[v.name]]


def identifier_lines(text: str, first_line: int = 1) -> dict[str, list[int]]:
    """identifier -> the lines it occurs on (once per occurrence), comments and strings removed
    (newlines kept, so lines keep their numbers)."""
    code = _blank(text)
    out: dict[str, list[int]] = {}
    line = first_line
    pos = 0
    for m in _IDENT_RE.finditer(code):
        line += code.count("\n", pos, m.start())
        pos = m.start()
        out.setdefault(m.group(), []).append(line)
    return out


# strings, character constants and comments in one scan: whichever starts first wins
_LEXEME_RE = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.DOTALL)


def _blank(text: str) -> str:
    return _LEXEME_RE.sub(lambda m: '""' if m.group()[0] in "\"'" else ("\n" * m.group().count("\n") or " "), text)


# gcc 12 (checked): only a plain `x = ...;` statement sets without using; `x += 1`, `x++`,
# `if (!(x = f()))` and `g(x ^= 1)` all count as uses of x
_ASSIGN_AFTER_RE = re.compile(r"\s*=(?!=)")
_STATEMENT_START = set(";{}):")  # the token before a statement (`else` is checked apart)


def _closes_condition(code: str, j: int) -> bool:
    """Does the `)` at code[j] close the condition of an `if`, `while` or `for`?"""
    depth = 0
    i = j
    while i >= 0:
        c = code[i]
        if c == ")":
            depth += 1
        elif c == "(":
            depth -= 1
            if depth == 0:
                break
        i -= 1
    k = i - 1
    while k >= 0 and code[k] in " \t\n":
        k -= 1
    m = re.search(r"(\w+)$", code[max(0, k - 10):k + 1])
    return bool(m) and m.group(1) in ("if", "while", "for")


def set_but_unused_locals(text: str, first_line: int = 1) -> list[LocalVar]:
    """Locals of the function in `text` that are only ever assigned (-Wunused-but-set-variable):
    every occurrence but the declaration is the target of `=` (or `+=`, ...), nothing reads it."""
    code = _blank(text)
    lines = [ln for ln in code.splitlines() if ln.strip()]
    if not lines or lines[-1].strip() != "}" or code.count("{") != code.count("}"):
        return []
    found = local_variables(text, first_line)
    if not found:
        return []
    declared: dict[str, int] = {}
    for v in found:
        declared[v.name] = declared.get(v.name, 0) + 1
    out = []
    for v in found:
        if declared[v.name] != 1 or re.search(r"\bvolatile\b", v.declaration):
            continue  # writes to a volatile are the point (gcc does not warn)
        occ = [m for m in re.finditer(r"\b" + re.escape(v.name) + r"\b", code)]
        if len(occ) < 2:
            continue  # never named again: that is -Wunused-variable's
        assigned = 0
        for m in occ:
            line_no = first_line + code.count("\n", 0, m.start())
            if line_no == v.line:
                continue  # the declarator (and its initialiser)
            j = m.start() - 1
            while j >= 0 and code[j] in " \t\n":
                j -= 1
            prev = code[j] if j >= 0 else ";"
            if prev == "." or (prev == ">" and j > 0 and code[j - 1] == "-"):
                continue  # `si->bdev`: a member of that name, not the variable
            statement = prev in _STATEMENT_START or code[max(0, j - 3):j + 1] == "else"
            if prev == ")" and not _closes_condition(code, j):
                statement = False  # `*(s32 *) disp = x`: a cast, the variable is read
            if _ASSIGN_AFTER_RE.match(code, m.end()) and statement:
                assigned += 1
                continue
            break  # read somewhere
        else:
            if assigned:
                out.append(v)
    return out
