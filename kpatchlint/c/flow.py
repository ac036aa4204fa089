"""Intra-function control flow for the protocol rules (acquire/release, acquire-before-sink).

`FunctionFlow(text, first_line)` parses one function definition with tree-sitter and builds a
small control-flow graph of *nodes* (a statement, a condition, a `return`) holding *events*
(the calls and assignments of the node, in evaluation order). Only plain data leaves this
module: `Event`, `Leak`, `Before`, and the answers of the analyses.

What the graph models:

* `if`/`else`, `while`, `do ... while`, `for`, `switch`/`case`/`default`, `break`,
  `continue`, `goto label` (forward and backward), `return`, falling off the end;
* `#ifdef`/`#else` inside a body: every branch may be taken;
* loop macros (`list_for_each_entry(...) { ... }`, any `name(...)` directly followed by a
  block): the body runs zero or more times; `scoped_guard(...) { ... }` runs once;
* calls that do not return (`BUG()`, `panic()`, ...) end their path;
* the right operand of `&&`/`||` and the branches of `?:` are *conditional* events
  (`Event.must` is false): they may or may not run;
* conditions that test a variable against NULL / zero (`!si`, `si == NULL`,
  `unlikely(!si)`, `(si = f(x)) == NULL`, `a && si`, `a || !si`, `IS_ERR_OR_NULL(si)`)
  refine what is known about that variable on each branch.

Loops are handled by a fixpoint over sets of abstract states (so a loop body is "zero or
more times", never unrolled). Correlations between branches are not tracked: with
`if (x) si = get(); ... if (x) put(si);` the analysis believes the path "got, then skipped
the put" exists. Kernel code usually tests the object itself (`if (si) put(si);`), which is
understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

from tree_sitter import Node

from kpatchlint.c.parser import mask_kernel_macros, parser
from kpatchlint.c.text import split_args, squash, strip_comments

NORETURN = frozenset({
    "BUG", "panic", "unreachable", "__builtin_unreachable", "do_exit", "kthread_exit",
    "make_task_dead", "BUILD_BUG", "__noreturn_fn",
})
_GUARD_MACRO_RE = re.compile(r"(?:^|_)guard$|^scoped_")
_NULLISH_RE = re.compile(r"^(?:NULL|0|0L|0UL|false|\(void \*\) ?0)$")
_ERRPTR_RE = re.compile(r"^(?:ERR_PTR|ERR_CAST)\s*\(")
_NO_EVAL = {"sizeof_expression", "alignof_expression", "offsetof_expression", "gnu_asm_expression",
            "string_literal", "concatenated_string", "char_literal", "number_literal"}
_UNWRAP_TESTS = {"likely", "unlikely", "data_race", "READ_ONCE", "WARN_ON", "WARN_ON_ONCE",
                 "unlikely_notrace"}

_IDENT_RE = re.compile(r"^[A-Za-z_]\w*$")
RETURN = "<return>"  # Event.target of a call whose value is the function's return value


def norm(expr: str) -> str:
    """Canonical text of an object expression: comments out, spaces squashed, outer parens off."""
    t = squash(strip_comments(expr))
    while t.startswith("(") and t.endswith(")") and _balanced(t[1:-1]):
        t = t[1:-1].strip()
    return t.replace(" ->", "->").replace("-> ", "->")


def _balanced(t: str) -> bool:
    depth = 0
    for ch in t:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def is_nullish(expr: str) -> bool:
    """`NULL`, `0`, `false`, `ERR_PTR(...)`: a value that does not carry an object."""
    t = norm(expr)
    return not t or bool(_NULLISH_RE.match(t)) or bool(_ERRPTR_RE.match(t)) or t.lstrip("-").isdigit() \
        or (t.startswith("-") and t[1:].isupper())


@dataclass(frozen=True, slots=True)
class Event:
    """A call or an assignment, in evaluation order inside its node."""

    kind: str  # "call" | "assign"
    line: int
    callee: str = ""
    args: tuple[str, ...] = ()
    must: bool = True  # false behind `&&`, `||` or `?:`
    target: str | None = None  # call: the variable its value is stored in, or RETURN; assign: lhs
    value: str = ""  # assign: normalised right-hand side


@dataclass(slots=True)
class _Node:
    kind: str  # "entry" | "plain" | "cond" | "join" | "return"
    line: int
    events: list[Event] = field(default_factory=list)
    succ: list[tuple[int, bool | None]] = field(default_factory=list)
    tests: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # key -> (if true, if false)
    ret: str | None = None  # return node: normalised returned expression ("" for none)
    dead: bool = False  # ends in a call that does not return


@dataclass(frozen=True, slots=True)
class AcquireSpec:
    """What acquires: the callees, which argument is the object (None: the return value), and
    how a failed acquire shows ("null": returns NULL, "nonzero": returns non-zero, "never")."""

    names: frozenset[str]
    obj: int | None = None
    fails: str = "null"


@dataclass(frozen=True, slots=True)
class ReleaseSpec:
    """What releases: the callees and which argument is the object (per callee if they differ)."""

    names: frozenset[str]
    obj: int = 0
    per_name: tuple[tuple[str, int], ...] = ()

    def obj_of(self, callee: str) -> int:
        for n, i in self.per_name:
            if n == callee:
                return i
        return self.obj


@dataclass(frozen=True, slots=True)
class Leak:
    """An acquire at `acquire_line` still held where the path leaves it, on `return_line`:
    a `return` (how="return"), the end of the function ("end"), or an assignment that
    overwrites the only variable holding it ("overwrite")."""

    obj: str
    callee: str
    acquire_line: int
    return_line: int
    how: str = "return"


@dataclass(frozen=True, slots=True)
class Before:
    """Was the object acquired before a point: on every path, on some path, and where."""

    every: bool
    any: bool
    lines: tuple[int, ...]  # lines of the acquires seen before the point (sorted)


# ----------------------------------------------------------------------------------------
# graph construction


def _strip(n: Node) -> Node:
    while n.type in ("parenthesized_expression", "cast_expression", "comma_expression") and n.named_children:
        if n.type == "cast_expression":
            v = n.child_by_field_name("value")
            if v is None:
                break
            n = v
        elif n.type == "comma_expression":
            r = n.child_by_field_name("right")
            if r is None:
                break
            n = r
        else:
            kids = [k for k in n.named_children if k.type != "comment"]
            if len(kids) != 1 or kids[0].type == "compound_statement":
                break
            n = kids[0]
    return n


class _Builder:
    def __init__(self, src: bytes, off: int) -> None:
        self.src = src
        self.off = off
        self.nodes: list[_Node] = []
        self.labels: dict[str, int] = {}
        self.gotos: list[tuple[list[tuple[int, bool | None]], str]] = []
        self.breaks: list[list[tuple[int, bool | None]]] = []
        self.conts: list[list[tuple[int, bool | None]]] = []
        self.has_error = False

    # -- helpers ---------------------------------------------------------------------
    def text(self, n: Node) -> str:
        return self.src[n.start_byte:n.end_byte].decode("utf-8", "replace")

    def line(self, n: Node) -> int:
        return n.start_point[0] + 1 + self.off

    def new(self, kind: str, line: int, pend: Iterable[tuple[int, bool | None]], **kw) -> int:
        self.nodes.append(_Node(kind, line, **kw))
        i = len(self.nodes) - 1
        self.link(pend, i)
        return i

    def link(self, pend: Iterable[tuple[int, bool | None]], target: int) -> None:
        for src, label in pend:
            self.nodes[src].succ.append((target, label))

    def plain(self, n: Node | None, pend, line: int | None = None, kind: str = "plain") -> list:
        events: list[Event] = []
        if n is not None:
            self.events(n, True, events)
        i = self.new(kind, line if line is not None else (self.line(n) if n is not None else 0), pend, events=events)
        if any(e.kind == "call" and e.must and e.callee in NORETURN for e in events):
            self.nodes[i].dead = True
            return []
        return [(i, None)]

    def cond(self, n: Node | None, pend, line: int) -> int:
        events: list[Event] = []
        tests: dict = {}
        if n is not None:
            self.events(n, True, events)
            tests = self.tests(n)
        i = self.new("cond", line, pend, events=events, tests=tests)
        if any(e.kind == "call" and e.must and e.callee in NORETURN for e in events):
            self.nodes[i].dead = True
        return i

    def const(self, n: Node | None) -> bool | None:
        if n is None:
            return True
        t = norm(self.text(n))
        if t in ("1", "true", "1U", "1UL"):
            return True
        if t in ("0", "false"):
            return False
        return None

    # -- expressions -----------------------------------------------------------------
    def events(self, n: Node, must: bool, out: list[Event]) -> None:
        t = n.type
        if t in _NO_EVAL or t == "comment":
            return
        if t == "call_expression":
            fn = n.child_by_field_name("function")
            args = n.child_by_field_name("arguments")
            if args is not None:
                for a in args.named_children:
                    self.events(a, must, out)
            if fn is not None and fn.type == "identifier":
                out.append(Event("call", self.line(n), self.text(fn),
                                 tuple(split_args(self.text(args))) if args is not None else (), must))
            elif fn is not None:
                self.events(fn, must, out)
            return
        if t == "assignment_expression":
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            op = n.child_by_field_name("operator")
            if right is not None:
                self._assign(left, right, op is not None and self.text(op) == "=", must, out)
            return
        if t == "init_declarator":
            d = n.child_by_field_name("declarator")
            v = n.child_by_field_name("value")
            while d is not None and d.type not in ("identifier",):
                d = d.child_by_field_name("declarator")
            if v is not None:
                self._assign(d, v, True, must, out)
            return
        if t == "binary_expression":
            op = n.child_by_field_name("operator")
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            cond = op is not None and self.text(op) in ("&&", "||")
            if left is not None:
                self.events(left, must, out)
            if right is not None:
                self.events(right, must and not cond, out)
            return
        if t == "conditional_expression":
            c = n.child_by_field_name("condition")
            if c is not None:
                self.events(c, must, out)
            for f in ("consequence", "alternative"):
                k = n.child_by_field_name(f)
                if k is not None:
                    self.events(k, False, out)
            return
        if t == "ERROR":
            self.has_error = True
        for c in n.named_children:
            self.events(c, must, out)

    def _assign(self, left: Node | None, right: Node, plain_eq: bool, must: bool, out: list[Event]) -> None:
        if left is not None and left.type != "identifier":
            self.events(left, must, out)
        before = len(out)
        self.events(right, must, out)
        if left is None:
            return
        lhs = norm(self.text(left))
        r = _strip(right)
        if plain_eq and r.type == "call_expression":
            fn = r.child_by_field_name("function")
            if fn is not None and fn.type == "identifier" and len(out) > before and out[-1].kind == "call" \
                    and out[-1].line == self.line(r) and out[-1].callee == self.text(fn):
                last = out[-1]
                out[-1] = Event("call", last.line, last.callee, last.args, last.must, lhs)
                return
        out.append(Event("assign", self.line(left), target=lhs, value=norm(self.text(right)) if plain_eq else "",
                         must=must))

    def tests(self, n: Node) -> dict[str, tuple[str | None, str | None]]:
        """key -> (value if the condition is true, value if false); values "z" (zero/NULL) or "nz"."""
        n = _strip(n)
        t = n.type
        if t == "call_expression":
            fn = n.child_by_field_name("function")
            args = n.child_by_field_name("arguments")
            kids = [k for k in args.named_children if k.type != "comment"] if args is not None else []
            name = self.text(fn) if fn is not None else ""
            if name in _UNWRAP_TESTS and len(kids) == 1:
                return self.tests(kids[0])
            if name in ("IS_ERR_OR_NULL", "IS_ERR") and len(kids) == 1:
                # an error pointer holds nothing either: true -> "z" (no object)
                return {k: ("z", f if name == "IS_ERR_OR_NULL" else None) for k, (_, f) in self.tests(kids[0]).items()}
            if fn is not None and fn.type == "identifier":
                return {f"{name}({','.join(split_args(self.text(args)))})" if args is not None else name + "()":
                        ("nz", "z")}
            return {}
        if t == "unary_expression":
            op = n.child_by_field_name("operator")
            arg = n.child_by_field_name("argument")
            if op is not None and self.text(op) == "!" and arg is not None:
                return {k: (f, tr) for k, (tr, f) in self.tests(arg).items()}
            return {}
        if t in ("identifier", "field_expression"):
            return {norm(self.text(n)): ("nz", "z")}
        if t == "assignment_expression":
            left = n.child_by_field_name("left")
            right = n.child_by_field_name("right")
            out: dict = {}
            if right is not None:
                out.update(self.tests(right))
            if left is not None:
                out[norm(self.text(left))] = ("nz", "z")
            return out
        if t == "binary_expression":
            op = n.child_by_field_name("operator")
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if op is None or left is None or right is None:
                return {}
            o = self.text(op)
            if o in ("==", "!="):
                if is_nullish(self.text(right)) and not _ERRPTR_RE.match(norm(self.text(right))):
                    inner = self.tests(left)
                elif is_nullish(self.text(left)) and not _ERRPTR_RE.match(norm(self.text(left))):
                    inner = self.tests(right)
                else:
                    return {}
                if o == "==":
                    return {k: (f, tr) for k, (tr, f) in inner.items()}
                return inner
            if o in ("&&", "||"):
                a, b = self.tests(left), self.tests(right)
                out = {}
                for k in set(a) | set(b):
                    if o == "&&":  # true: both sides hold; false: nothing certain
                        out[k] = ((b[k][0] if k in b and b[k][0] else None) or (a[k][0] if k in a else None), None)
                    else:  # false: both sides failed; true: nothing certain
                        out[k] = (None, (b[k][1] if k in b and b[k][1] else None) or (a[k][1] if k in a else None))
                return out
        return {}

    # -- statements ------------------------------------------------------------------
    def block(self, kids: list[Node], pend: list) -> list:
        kids = [k for k in kids if k.type not in ("comment", "{", "}")]
        i = 0
        while i < len(kids):
            k = kids[i]
            nxt = kids[i + 1] if i + 1 < len(kids) else None
            if k.type == "expression_statement" and nxt is not None and nxt.type == "compound_statement" \
                    and not self.text(k).rstrip().endswith(";"):
                pend = self.macro_block(k, nxt, pend)
                i += 2
                continue
            pend = self.stmt(k, pend)
            i += 1
        return pend

    def macro_block(self, head: Node, body: Node, pend: list) -> list:
        call = head.named_children[0] if head.named_children else head
        fn = call.child_by_field_name("function") if call.type == "call_expression" else None
        name = self.text(fn) if fn is not None else ""
        if _GUARD_MACRO_RE.search(name):
            pend = self.plain(call, pend)
            return self.stmt(body, pend)
        h = self.cond(call, pend, self.line(head))
        self.breaks.append([])
        self.conts.append([])
        out = self.stmt(body, [(h, True)])
        self.link(out + self.conts.pop(), h)
        return [(h, False)] + self.breaks.pop()

    def stmt(self, n: Node, pend: list) -> list:
        t = n.type
        if t == "compound_statement":
            return self.block(list(n.children), pend)
        if t == "expression_statement":
            kids = [k for k in n.named_children if k.type != "comment"]
            return self.plain(kids[0] if kids else None, pend, self.line(n))
        if t == "declaration":
            return self.plain(n, pend)
        if t == "if_statement":
            c = self.cond(n.child_by_field_name("condition"), pend, self.line(n))
            if self.nodes[c].dead:
                return []
            cons = n.child_by_field_name("consequence")
            out = self.stmt(cons, [(c, True)]) if cons is not None else [(c, True)]
            alt = n.child_by_field_name("alternative")
            if alt is not None:
                inner = [k for k in alt.named_children if k.type != "comment"]
                out += self.stmt(inner[0], [(c, False)]) if inner else [(c, False)]
            else:
                out.append((c, False))
            return out
        if t == "while_statement":
            cn = n.child_by_field_name("condition")
            c = self.cond(cn, pend, self.line(n))
            k = self.const(cn)
            self.breaks.append([])
            self.conts.append([])
            body = n.child_by_field_name("body")
            out = self.stmt(body, [(c, True)]) if body is not None else [(c, True)]
            self.link(out + self.conts.pop(), c)
            return ([(c, False)] if k is not True else []) + self.breaks.pop()
        if t == "do_statement":
            j = self.new("join", self.line(n), pend)
            self.breaks.append([])
            self.conts.append([])
            body = n.child_by_field_name("body")
            out = self.stmt(body, [(j, None)]) if body is not None else [(j, None)]
            cn = n.child_by_field_name("condition")
            c = self.cond(cn, out + self.conts.pop(), self.line(cn) if cn is not None else self.line(n))
            k = self.const(cn)
            if k is not False:
                self.link([(c, True)], j)
            return ([(c, False)] if k is not True else []) + self.breaks.pop()
        if t == "for_statement":
            init = n.child_by_field_name("initializer")
            if init is not None:
                pend = self.plain(init, pend)
            cn = n.child_by_field_name("condition")
            c = self.cond(cn, pend, self.line(n))
            k = self.const(cn)
            self.breaks.append([])
            self.conts.append([])
            body = n.child_by_field_name("body")
            out = self.stmt(body, [(c, True)]) if body is not None else [(c, True)]
            upd = n.child_by_field_name("update")
            out = self.plain(upd, out + self.conts.pop(), self.line(upd) if upd is not None else self.line(n),
                             kind="join" if upd is None else "plain")
            self.link(out, c)
            return ([(c, False)] if k is not True else []) + self.breaks.pop()
        if t == "switch_statement":
            c = self.cond(n.child_by_field_name("condition"), pend, self.line(n))
            self.nodes[c].tests = {}
            body = n.child_by_field_name("body")
            self.breaks.append([])
            cur: list = []
            has_default = False
            for k in (body.children if body is not None else []):
                if k.type == "case_statement":
                    if k.children and k.children[0].type == "default":
                        has_default = True
                    j = self.new("join", self.line(k), cur + [(c, None)])
                    stmts = [s for s in k.children if s.is_named and s.type != "comment"
                             and s != k.child_by_field_name("value")]
                    cur = self.block(stmts, [(j, None)])
                elif k.is_named and k.type != "comment":
                    cur = self.stmt(k, cur)
            out = cur + self.breaks.pop()
            if not has_default:
                out.append((c, None))
            return out
        if t == "return_statement":
            kids = [k for k in n.named_children if k.type != "comment"]
            events: list[Event] = []
            ret = ""
            if kids:
                self.events(kids[0], True, events)
                ret = norm(self.text(kids[0]))
                r = _strip(kids[0])
                if r.type == "call_expression" and events and events[-1].kind == "call" \
                        and events[-1].line == self.line(r):
                    last = events[-1]
                    events[-1] = Event("call", last.line, last.callee, last.args, last.must, RETURN)
            i = self.new("return", self.line(n), pend, events=events, ret=ret)
            if any(e.kind == "call" and e.must and e.callee in NORETURN for e in events):
                self.nodes[i].dead = True
            return []
        if t == "goto_statement":
            lab = n.child_by_field_name("label")
            if lab is not None:
                self.gotos.append((list(pend), self.text(lab)))
            return []
        if t == "labeled_statement":
            lab = n.child_by_field_name("label")
            j = self.new("join", self.line(n), pend)
            if lab is not None:
                self.labels[self.text(lab)] = j
            inner = [k for k in n.named_children if k.type not in ("comment", "statement_identifier")]
            out: list = [(j, None)]
            for k in inner:
                out = self.stmt(k, out)
            return out
        if t == "break_statement":
            if self.breaks:
                self.breaks[-1].extend(pend)
            return []
        if t == "continue_statement":
            if self.conts:
                self.conts[-1].extend(pend)
            return []
        if t in ("preproc_if", "preproc_ifdef", "preproc_elif", "preproc_else", "preproc_elifdef"):
            alt = n.child_by_field_name("alternative")
            skip = {(x.start_byte, x.end_byte) for x in (n.child_by_field_name("condition"),
                                                         n.child_by_field_name("name"), alt) if x is not None}
            kids = [k for k in n.named_children if (k.start_byte, k.end_byte) not in skip]
            out = self.block(kids, list(pend))
            if alt is not None:
                out += self.stmt(alt, list(pend))
            elif t != "preproc_else":
                out += list(pend)
            return out
        if t == "attributed_statement":
            inner = [k for k in n.named_children if k.type not in ("attribute_declaration", "comment")]
            return self.stmt(inner[-1], pend) if inner else pend
        if t in ("comment", ";", "preproc_def", "preproc_function_def", "preproc_call", "preproc_include"):
            return pend
        if t == "ERROR":
            self.has_error = True
            return self.block(list(n.children), pend)
        if not n.is_named:
            return pend
        return self.plain(n, pend)


# ----------------------------------------------------------------------------------------
# analyses

_State = frozenset  # frozenset of tuples


class FunctionFlow:
    """The control-flow graph of one function definition and the analyses on it."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        src = mask_kernel_macros(text.encode("utf-8", "surrogateescape"))
        tree = parser().parse(src)
        root = tree.root_node
        fn = next((c for c in root.named_children if c.type == "function_definition"), None)
        b = _Builder(src, first_line - 1)
        self.name = ""
        self.params: tuple[str, ...] = ()
        entry = b.new("entry", first_line, [])
        if fn is None:
            self.ok = False
            b.has_error = True
            end: list = []
            self.end_line = first_line
        else:
            self.ok = True
            self.name, self.params = _decl_names(b, fn)
            body = fn.child_by_field_name("body")
            end = b.stmt(body, [(entry, None)]) if body is not None else []
            self.end_line = fn.end_point[0] + first_line
        if end:
            b.new("return", self.end_line, end, ret="")
        for pend, lab in b.gotos:
            if lab in b.labels:
                b.link(pend, b.labels[lab])
        self.nodes = b.nodes
        self.has_error = b.has_error
        del tree

    # -- queries on the graph ----------------------------------------------------------
    def events(self) -> list[Event]:
        return [e for n in self.nodes for e in n.events]

    def calls(self, callee: str | None = None) -> list[Event]:
        return [e for e in self.events() if e.kind == "call" and (callee is None or e.callee == callee)]

    def returns(self) -> list[tuple[int, str]]:
        """(line, returned expression) of each `return` (and of falling off the end, with "")."""
        return [(n.line, n.ret or "") for n in self.nodes if n.kind == "return"]

    def _reachable(self) -> set[int]:
        seen = {0}
        work = [0]
        while work:
            i = work.pop()
            if self.nodes[i].dead:
                continue
            for j, _ in self.nodes[i].succ:
                if j not in seen:
                    seen.add(j)
                    work.append(j)
        return seen

    def _solve(self, init: _State, transfer: Callable[[int, _State], _State | None],
               refine: Callable[[int, bool, _State], _State]) -> dict[int, _State]:
        """Forward may-analysis: IN state of every reachable node (union at joins)."""
        IN: dict[int, _State] = {0: init}
        work = [0]
        while work:
            i = work.pop()
            out = transfer(i, IN[i])
            if out is None or self.nodes[i].dead:
                continue
            for j, label in self.nodes[i].succ:
                s = refine(i, label, out) if label is not None else out
                old = IN.get(j)
                new = s if old is None else old | s
                if new != old:
                    IN[j] = new
                    work.append(j)
        return IN

    # -- get/put pairing -----------------------------------------------------------------
    def unpaired(self, acquire: AcquireSpec, release: ReleaseSpec) -> list[Leak]:
        """Acquires that some `return` (or the end of the function) can be reached after,
        with the object still held: states are (object, "H" held | "M" held unless NULL, line)."""
        statuses: dict[str, str] = {}  # `err = acquire(&x)` -> err: x  (for fails: nonzero)
        leaks: set[Leak] = set()
        callee_at: dict[int, str] = {}

        def acq_key(e: Event) -> str | None:
            if acquire.obj is None:
                # stored straight into a structure (`p->si = get(...)`): owned elsewhere
                return e.target if e.target and _IDENT_RE.match(e.target) else None
            if acquire.obj < len(e.args):
                return norm(e.args[acquire.obj])
            return None

        def transfer(i: int, st: _State) -> _State:
            node = self.nodes[i]
            s = set(st)
            for e in node.events:
                if e.kind == "call" and e.callee in acquire.names:
                    key = acq_key(e)
                    if key is None:
                        continue
                    callee_at[e.line] = e.callee
                    kind = "M" if (acquire.obj is None and acquire.fails == "null") else "H"
                    new = {(key, kind, e.line)}
                    if acquire.obj is not None and acquire.fails == "nonzero" and e.target and e.target != RETURN:
                        statuses[e.target] = key
                    if e.must:
                        overwrite(s, key, e.line)
                        s = {x for x in s if x[0] != key} | new
                    else:
                        s |= new
                    continue
                if e.kind == "call" and e.callee in release.names and release.obj_of(e.callee) < len(e.args):
                    key = norm(e.args[release.obj_of(e.callee)])
                    if e.must:
                        s = {x for x in s if x[0] != key}
                    continue
                if e.kind == "assign" and e.value and e.value != e.target:
                    # stored elsewhere (`p->si = si`, `x = si`): ownership escapes, stop tracking
                    s = {x for x in s if x[0] != e.value}
                if e.target and e.target != RETURN:
                    # the variable gets another value: what it held (if anything) is lost here
                    if e.must:
                        overwrite(s, e.target, e.line)
                    s = {x for x in s if x[0] != e.target}
            if node.kind == "return":
                ret = node.ret or ""
                for key, kind, line in s:
                    if ret == key or ret.endswith(")" + key):  # `return si;` `return (void *)si;`
                        continue
                    end = not node.ret and node.line == self.end_line
                    leaks.add(Leak(key, callee_at.get(line, ""), line, node.line, "end" if end else "return"))
            return frozenset(s)

        def overwrite(s: set, key: str, at: int) -> None:
            for k, kind, line in s:
                if k == key and kind == "H":
                    leaks.add(Leak(key, callee_at.get(line, ""), line, at, "overwrite"))

        def refine(i: int, label: bool, st: _State) -> _State:
            node = self.nodes[i]
            if not node.tests:
                return st
            idx = 0 if label else 1
            out = set()
            for key, kind, line in st:
                v = node.tests.get(key, (None, None))[idx]
                # a direct `if (acquire(&x))` / `if (err)` test of an acquire that fails with non-zero
                for k2, val in node.tests.items():
                    if val[idx] == "nz" and (statuses.get(k2) == key or
                                             (acquire.obj is not None and acquire.fails == "nonzero"
                                              and _call_key_obj(k2, acquire) == key)):
                        v = "failed"
                if v in ("z", "failed"):
                    continue  # NULL / failed on this branch: nothing held
                if v == "nz" and kind == "M":
                    kind = "H"
                out.add((key, kind, line))
            return frozenset(out)

        self._solve(frozenset(), transfer, refine)
        return sorted(leaks, key=lambda lk: (lk.acquire_line, lk.return_line))

    # -- acquired before a point -----------------------------------------------------------
    def acquired_before(self, line: int, callee: str, obj: str, acquire: AcquireSpec,
                        producers: frozenset[str] = frozenset(),
                        param_acquirers: dict[str, frozenset[int]] | None = None) -> Before | None:
        """Before the call of `callee` on `line`, was `obj` acquired (an acquire call with `obj`
        as its object argument, `obj = producer(...)`, or a call passing `obj` to a function
        that acquires that parameter)? None when the call is not found or not reachable."""

        def at(i: int, k: int, e: Event) -> bool:
            return e.kind == "call" and e.callee == callee and e.line == line

        return self._before(at, norm(obj), acquire, producers, param_acquirers or {})

    def acquired_at_returns(self, obj: str, acquire: AcquireSpec, producers: frozenset[str] = frozenset(),
                            param_acquirers: dict[str, frozenset[int]] | None = None) -> Before | None:
        """At every `return` (and the end of the function): was `obj` acquired?"""
        return self._before(None, norm(obj), acquire, producers, param_acquirers or {})

    def returned_acquired(self, acquire: AcquireSpec, producers: frozenset[str] = frozenset(),
                          param_acquirers: dict[str, frozenset[int]] | None = None) -> bool:
        """Does the function hand back an acquired object: every `return` of a non-NULL value
        returns a variable acquired on every path to it, or the value of a producer; and at
        least one does."""
        pa = param_acquirers or {}
        good = 0
        live = self._reachable()
        for i, node in enumerate(self.nodes):
            if node.kind != "return" or i not in live:
                continue
            ret = node.ret or ""
            if is_nullish(ret):
                continue
            rc = [e for e in node.events if e.target == RETURN]
            if rc:
                if rc[-1].callee in producers:
                    good += 1
                    continue
                return False
            if not re.fullmatch(r"[A-Za-z_]\w*", ret):
                return False
            b = self._before(lambda j, k, e, i=i: False, ret, acquire, producers, pa, only_node=i)
            if b is None or not b.every:
                return False
            good += 1
        return good > 0

    def _before(self, at, obj: str, acquire: AcquireSpec, producers: frozenset[str],
                pacq: dict[str, frozenset[int]], only_node: int | None = None) -> Before | None:
        seen: set[tuple[str, int]] = set()
        hit = [False]

        def step(s: set, e: Event) -> set:
            new: set | None = None
            if e.kind == "call":
                if e.callee in acquire.names:
                    if acquire.obj is None:
                        if e.target == obj:
                            new = {("A", e.line)}
                    elif acquire.obj < len(e.args) and norm(e.args[acquire.obj]) == obj:
                        new = {("A", e.line)}
                elif e.target == obj:
                    new = {("A", e.line)} if e.callee in producers else {("U", 0)}
                elif e.callee in pacq and any(i < len(e.args) and norm(e.args[i]) == obj for i in pacq[e.callee]):
                    new = {("A", e.line)}
            elif e.kind == "assign" and e.target == obj:
                new = {("U", 0)}
            if new is None:
                return s
            return new if e.must else s | new

        def transfer(i: int, st: _State) -> _State:
            node = self.nodes[i]
            s = set(st)
            for k, e in enumerate(node.events):
                if at is not None and only_node is None and at(i, k, e):
                    seen.update(s)
                    hit[0] = True
                s = step(s, e)
            if only_node is not None and i == only_node:
                seen.update(s)
                hit[0] = True
            elif at is None and node.kind == "return":
                seen.update(s)
                hit[0] = True
            return frozenset(s)

        self._solve(frozenset({("U", 0)}), transfer, lambda i, label, st: st)
        if not hit[0]:
            return None
        lines = tuple(sorted({ln for st, ln in seen if st == "A"}))
        return Before(every=bool(seen) and all(st == "A" for st, _ in seen), any=bool(lines), lines=lines)


def _call_key_obj(key: str, acquire: AcquireSpec) -> str | None:
    """`mutex_lock_interruptible(&m)` (a test key) -> `&m` when it is an acquire call."""
    m = re.match(r"^([A-Za-z_]\w*)\((.*)\)$", key)
    if not m or m.group(1) not in acquire.names or acquire.obj is None:
        return None
    args = split_args("(" + m.group(2) + ")")
    return norm(args[acquire.obj]) if acquire.obj < len(args) else None


def _decl_names(b: _Builder, fn: Node) -> tuple[str, tuple[str, ...]]:
    d = fn.child_by_field_name("declarator")
    while d is not None and d.type != "function_declarator":
        d = d.child_by_field_name("declarator")
    if d is None:
        return "", ()
    nn = d.child_by_field_name("declarator")
    name = b.text(nn) if nn is not None and nn.type == "identifier" else ""
    params: list[str] = []
    plist = d.child_by_field_name("parameters")
    for p in (plist.named_children if plist is not None else []):
        x = p.child_by_field_name("declarator") if p.type == "parameter_declaration" else None
        while x is not None and x.type != "identifier":
            x = x.child_by_field_name("declarator")
        if p.type == "parameter_declaration":
            params.append(b.text(x) if x is not None else "")
    if len(params) == 1 and not params[0] and plist is not None and b.text(plist).replace(" ", "") == "(void)":
        params = []
    return name, tuple(params)


@lru_cache(maxsize=2048)
def function_flow(text: str, first_line: int = 1) -> FunctionFlow:
    """Cached FunctionFlow: snapshots share most function texts."""
    return FunctionFlow(text, first_line)
