"""The fast paths of the extraction give the same answers as the plain versions they replace."""

from __future__ import annotations

import random
import re

from kpatchlint.c.extract import (
    _NORETURN_RE, _RETURN_VALUE_RE, _Sweep, _cond_err_table, _fn_table, _has_word, _returns_value,
    _split_args_fast, _squash, _strip_comments, extract_facts,
)
from kpatchlint.c.parser import _mask_reference, mask_kernel_macros
from kpatchlint.c.text import split_args, squash, strip_comments


def _rand(rnd: random.Random, alphabet, n: int) -> str:
    return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, n)))


def test_split_and_strip_agree_with_text_helpers():
    rnd = random.Random(1)
    alpha = list('(),[]{}"\'\\ ab/*\n,x')
    for _ in range(40000):
        s = _rand(rnd, alpha, 16)
        if rnd.random() < 0.5:
            s = "(" + s + ")"
        assert _split_args_fast(s) == split_args(s), s
        assert _strip_comments(s) == strip_comments(s), s


def test_squash_agrees():
    rnd = random.Random(2)
    ws = [chr(c) for c in range(0x3100) if chr(c).isspace()] + ["\u3000"]
    alpha = ws + list("ab ,")
    for _ in range(20000):
        s = _rand(rnd, alpha, 10)
        assert _squash(s) == squash(s), repr(s)


def test_has_word_and_returns_value_agree_with_regexes():
    rnd = random.Random(3)
    for _ in range(20000):
        name = _rand(rnd, "ab_1", 3) or "a"
        text = _rand(rnd, "ab_1 .", 12).encode()
        assert _has_word(name, text) == (re.search(rb"\b" + re.escape(name.encode()) + rb"\b", text) is not None)
    toks = [b"return", b" ", b";", b"x", b"(", b"BUG", b"panic", b"\n", b"_", b"do_exit", b"BUILD_BUG", b"1"]
    for _ in range(20000):
        t = b"".join(rnd.choice(toks) for _ in range(rnd.randint(0, 8)))
        assert _returns_value(t) == (bool(_RETURN_VALUE_RE.search(t)) or bool(_NORETURN_RE.search(t))), t


def test_mask_agrees_with_reference():
    rnd = random.Random(4)
    alpha = [b"_", b" ", b"__", b"a", b"(", b")", b"\n", b"notrace", b"__init", b"__always_inline", b"fastcall",
             b"noinline_for_stack", b"__releases", b"x__init", b"__attribute__", b"asmlinkage", b"\t"]
    for _ in range(20000):
        s = b"".join(rnd.choice(alpha) for _ in range(rnd.randint(0, 14)))
        assert mask_kernel_macros(s) == _mask_reference(s), s


def test_interval_tables_agree_with_sweep():
    rnd = random.Random(5)
    from bisect import bisect_right

    for _ in range(3000):
        cond = []
        err = []
        for k in range(rnd.randint(0, 6)):
            s = rnd.randint(0, 30)
            (cond if rnd.random() < 0.5 else err).append((s, s + rnd.randint(0, 15), f"C{k}"))
        pts, vals = _cond_err_table(cond, [(s, e, True) for s, e, _ in err])
        fpts, fvals = _fn_table(cond)
        for pos in range(-1, 50):
            want_cond = tuple(str(c) for c in _Sweep(cond).at(pos))
            want_err = bool(_Sweep([(s, e, True) for s, e, _ in err]).at(pos))
            assert vals[bisect_right(pts, pos)] == (want_cond, want_err)
            st = _Sweep(cond).at(pos)
            assert fvals[bisect_right(fpts, pos)] == (str(st[-1]) if st else None)


SRC = b"""
#include <linux/swap.h>
#include "swap.h"
/* TODO: drop this workaround once the callers are converted */
#ifdef CONFIG_SWAP
static __always_inline int frob(struct folio *folio, int unused)
{
\t/* FIXME: temporary */
\treturn helper(folio, foo(1, "a,b"), (x, y));
}
#else
static inline int frob(struct folio *folio, int unused) { return 0; }
#endif
SYSCALL_DEFINE2(frobnicate, int, a, int, b)
{
\treturn do_frob(a, b);
}
EXPORT_SYMBOL_GPL(frob);
"""


def test_extract_facts_small_file():
    f = extract_facts("mm/frob.c", SRC, "d")
    assert [fn.name for fn in f.functions] == ["frob", "frob"]
    assert f.functions[0].cond == ("CONFIG_SWAP",) and f.functions[1].cond == ("!CONFIG_SWAP",)
    assert f.functions[0].params_used == (True, False)
    calls = [(c.callee, c.args, c.caller) for c in f.calls]
    assert ("helper", ("folio", 'foo(1, "a,b")', "(x, y)"), "frob") in calls
    assert ("do_frob", ("a", "b"), "sys_frobnicate") in calls
    assert [e.name for e in f.exports] == ["frob"]
    assert f.includes == ("<linux/swap.h>", '"swap.h"')
    assert [c.line for c in f.comments] == [4, 8]
    assert f.comments[1].function == "frob"
