"""The tree-sitter C language and parser, and the masking of kernel attribute macros.

Kernel annotations such as `__must_check`, `__init` or `__releases(x)` are macros that
tree-sitter cannot expand; left in place they turn whole definitions into ERROR nodes. We
overwrite them with spaces of the same length (so byte offsets, lines and columns stay
true) before parsing; `__always_inline` becomes `inline` so the storage is still seen.
"""

from __future__ import annotations

import re
from functools import lru_cache

import tree_sitter_c
from tree_sitter import Language, Parser, Query

LANGUAGE = Language(tree_sitter_c.language())

# Attribute-like macros without arguments: blanked.
_PLAIN = [
    "__init", "__exit", "__initdata", "__initconst", "__exitdata", "__ref", "__refdata",
    "__meminit", "__meminitdata", "__init_memblock", "__cpuinit", "__devinit", "__sched",
    "__must_check", "__cold", "__hot", "__weak", "__pure", "__malloc", "__noreturn",
    "__always_unused", "__maybe_unused", "__used", "__visible", "__latent_entropy",
    "__user", "__kernel", "__iomem", "__percpu", "__rcu", "__force", "__bitwise",
    "__nocast", "__safe", "__private", "__randomize_layout", "__no_randomize_layout",
    "__packed", "notrace", "noinline", "noinstr", "asmlinkage", "__kprobes",
    "__ro_after_init", "__read_mostly", "__lockfunc", "__net_init", "__net_exit",
    "__counted_by_ptr", "__nocfi", "__noinline_for_stack", "noinline_for_stack",
    "__flatten", "__no_kcsan", "__no_sanitize_address", "__attribute_const__",
    "__mustcheck", "__deprecated", "__irq_entry", "__softirq_entry", "__always_used",
    "__free_ptr", "__initcall", "__ftrace_invoke", "__kernel_ulong_t_unused",
    "__nostackprotector", "__fastcall", "fastcall", "__stdcall", "__cdecl", "__head",
    "__noclone", "__naked", "__nocapture", "__no_profile", "__noscs", "__bpf_kfunc",
    "__no_sanitize_memory", "__no_sanitize_thread", "__no_sanitize_coverage", "__no_sanitize_undefined",
    "__no_kmsan_checks", "__noinitretpoline", "__noretpoline", "__cpuidle", "__exitused", "__fix_address",
    "__annotate_jump_table", "__nosavedata", "__refconst", "__aligned_largest", "__exit_call",
]
# Inline spellings that tree-sitter does not know: replaced by `inline` + padding.
_INLINE = ["__always_inline", "__inline_maybe_unused", "noinline_for_tracing", "__fastpath_inline",
           "__no_sanitize_or_inline", "__no_kasan_or_inline", "__gnu_inline"]
# Attribute macros that take an argument list: blanked with their (balanced) arguments.
_CALLS = [
    "__releases", "__acquires", "__must_hold", "__cond_acquires", "__cond_releases",
    "__printf", "__scanf", "__attribute__", "__attribute", "__section", "__aligned",
    "__alloc_size", "__counted_by", "__nonstring_array", "__free", "__cleanup",
    "__diagnose_as", "__no_sanitize_or_inline", "__assume_aligned", "__cacheline_aligned_in_smp",
    "__guarded_by", "__pt_guarded_by", "__must_be_array", "__realloc_size",
]

_KIND = {w.encode(): "plain" for w in _PLAIN}
_KIND.update({w.encode(): "inline" for w in _INLINE})
_KIND.update({w.encode(): "call" for w in _CALLS})
_WORD_RE = re.compile(rb"\b(?:__\w+|notrace|noinline\w*|noinstr|asmlinkage|fastcall)\b")
_MAX_PAREN_SCAN = 4096  # an attribute's argument list longer than this is left alone
# The words _WORD_RE matches, found faster: each regex below starts with a literal that re can
# jump to (one alternation such as _WORD_RE tries every byte); a hit counts when it starts a
# word, and the whole word is then looked up.
_START_RES = (re.compile(rb"__"), re.compile(rb"no(?:trace|inline|instr)"), re.compile(rb"asmlinkage"),
              re.compile(rb"fastcall"))
_WORD_END_RE = re.compile(rb"\w*")
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _macro_words(src: bytes) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every word of _KIND in `src`, in order: the matches of
    _WORD_RE.finditer(src) whose text is in _KIND."""
    hits: list[tuple[int, int, str]] = []
    seen: set[int] = set()
    word_end = _WORD_END_RE.match
    for rx in _START_RES:
        for m in rx.finditer(src):
            s = m.start()
            if s in seen or (s and src[s - 1] in _WORD_BYTES):
                continue
            e = word_end(src, m.end()).end()
            kind = _KIND.get(src[s:e])
            if kind is not None:
                seen.add(s)
                hits.append((s, e, kind))
    hits.sort()
    return hits


_PAREN_RE = re.compile(rb"[()]")


def _paren_closers(src: bytes) -> dict[int, int]:
    """Offset of each `(` -> offset of its matching `)` (the first place the depth returns to 0)."""
    out: dict[int, int] = {}
    stack: list[int] = []
    for m in _PAREN_RE.finditer(src):
        i = m.start()
        if src[i] == 40:
            stack.append(i)
        elif stack:
            out[stack.pop()] = i
    return out


def mask_kernel_macros(src: bytes) -> bytes:
    """Return `src` with attribute macros blanked; same length, same newlines."""
    buf: bytearray | None = None
    n = len(src)
    closers: dict[int, int] | None = None
    for s, e, kind in _macro_words(src):
        if buf is None:
            buf = bytearray(src)
        if kind == "inline":
            buf[s:e] = b"inline" + b" " * (e - s - 6)
            continue
        if kind == "call":
            i = e
            while i < n and src[i] in b" \t":
                i += 1
            if i >= n or src[i] != 40:
                continue
            if closers is None:  # every parenthesis matched once per file: linear however they nest
                closers = _paren_closers(src)
            j = closers.get(i)
            if j is None or j - i >= _MAX_PAREN_SCAN:
                continue
            e = j + 1
        seg = src[s:e]
        buf[s:e] = bytes(10 if ch == 10 else 32 for ch in seg) if b"\n" in seg else b" " * (e - s)
    return bytes(buf) if buf is not None else src


def _mask_reference(src: bytes) -> bytes:
    """The straightforward version of mask_kernel_macros (one regex over every byte), for tests."""
    buf: bytearray | None = None
    n = len(src)
    for m in _WORD_RE.finditer(src):
        kind = _KIND.get(m.group())
        if kind is None:
            continue
        if buf is None:
            buf = bytearray(src)
        s, e = m.start(), m.end()
        if kind == "inline":
            buf[s:e] = b"inline" + b" " * (e - s - 6)
            continue
        if kind == "call":
            i = e
            while i < n and src[i] in b" \t":
                i += 1
            if i >= n or src[i] != 40:
                continue
            depth, limit = 0, min(n, i + _MAX_PAREN_SCAN)
            while i < limit:
                c = src[i]
                if c == 40:
                    depth += 1
                elif c == 41:
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            if depth != 0:
                continue
            e = i + 1
        seg = src[s:e]
        buf[s:e] = bytes(10 if ch == 10 else 32 for ch in seg) if b"\n" in seg else b" " * (e - s)
    return bytes(buf) if buf is not None else src


@lru_cache(maxsize=1)
def parser() -> Parser:
    return Parser(LANGUAGE)


@lru_cache(maxsize=None)
def query(source: str) -> Query:
    return Query(LANGUAGE, source)
