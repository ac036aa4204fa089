"""Type comparison the way the compiler sees it: typedefs resolved, kernel integer aliases
(u32, __u32, uint32_t) canonical, and qualifier-only differences told apart from real ones."""

from __future__ import annotations

import re
from functools import lru_cache

_INT_ALIASES = {
    "u8": "unsigned char", "__u8": "unsigned char", "uint8_t": "unsigned char", "u_int8_t": "unsigned char",
    "s8": "signed char", "__s8": "signed char", "int8_t": "signed char",
    "u16": "unsigned short", "__u16": "unsigned short", "uint16_t": "unsigned short", "u_int16_t": "unsigned short",
    "s16": "short", "__s16": "short", "int16_t": "short",
    "u32": "unsigned int", "__u32": "unsigned int", "uint32_t": "unsigned int", "u_int32_t": "unsigned int",
    "uint": "unsigned int",
    "s32": "int", "__s32": "int", "int32_t": "int",
    "u64": "unsigned long long", "__u64": "unsigned long long", "uint64_t": "unsigned long long",
    "s64": "long long", "__s64": "long long", "int64_t": "long long",
    "ulong": "unsigned long", "size_t": "unsigned long", "ssize_t": "long", "_Bool": "bool",
    "ushort": "unsigned short", "uchar": "unsigned char",
}
_PHRASES = [
    (re.compile(r"\blong unsigned( int)?\b"), "unsigned long"),
    (re.compile(r"\bunsigned long long int\b"), "unsigned long long"),
    (re.compile(r"\b(unsigned |signed )?(long long|long|short) int\b"), lambda m: (m.group(1) or "") + m.group(2)),
    (re.compile(r"\bsigned (int|long long|long|short)\b"), r"\1"),
    (re.compile(r"\bunsigned(?! (?:int|long|char|short))\b"), "unsigned int"),
    (re.compile(r"\bsigned(?! (?:int|long|char|short))\b"), "int"),
]
_PRIMITIVE = {"void", "char", "short", "int", "long", "float", "double", "bool", "signed", "unsigned",
              "const", "volatile", "struct", "union", "enum", "restrict", "__restrict", "__restrict__"}
_WORD_RE = re.compile(r"[A-Za-z_]\w*")
_QUAL_RE = re.compile(r"\b(?:const|volatile|__restrict__|__restrict|restrict)\b")


def _squash(t: str) -> str:
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"\s*(\*+)\s*", r" \1", t).strip()
    t = re.sub(r"\s+([\[\])])", r"\1", t)
    t = re.sub(r"([\[(])\s+", r"\1", t)
    return t


class TypeResolver:
    def __init__(self, typedefs: dict[str, set[str]]) -> None:
        # integer aliases are canonical by themselves; other names resolve when unambiguous
        self.typedefs = {k: next(iter(v)) for k, v in typedefs.items() if len(v) == 1 and k not in _INT_ALIASES}

    @lru_cache(maxsize=4096)
    def canon(self, t: str) -> str:
        """Resolve typedefs and integer aliases; drop `restrict`."""
        t = re.sub(r"\b(?:__restrict__|__restrict|restrict)\b", "", t)
        for _ in range(6):
            changed = False

            def sub(m: re.Match) -> str:
                nonlocal changed
                w = m.group()
                if w in self.typedefs and not _preceded_by_tag(t, m.start()):
                    changed = True
                    return self.typedefs[w]
                return w

            t2 = _WORD_RE.sub(sub, t)
            t = t2
            if not changed:
                break
        t = _squash(_WORD_RE.sub(lambda m: _INT_ALIASES.get(m.group(), m.group()), t))
        for rx, rep in _PHRASES:
            t = rx.sub(rep, t)
        return _squash(t)

    def unresolved(self, t: str) -> bool:
        """Does the canonical type still hold a name that may be a typedef we could not see?"""
        c = self.canon(t)
        words = _WORD_RE.findall(c)
        for i, w in enumerate(words):
            if w in _PRIMITIVE or w in _INT_ALIASES:
                continue
            if i > 0 and words[i - 1] in ("struct", "union", "enum"):
                continue
            return True
        return False


def _preceded_by_tag(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return before.endswith(("struct", "union", "enum"))


def strip_quals(t: str) -> str:
    return _squash(_QUAL_RE.sub("", t))


def compatible_pointers(a: str, b: str) -> bool:
    """`void *` converts to and from any object pointer without a cast."""
    a, b = strip_quals(a), strip_quals(b)
    return (a == "void *" and b.endswith("*") and b.count("*") == 1) or \
           (b == "void *" and a.endswith("*") and a.count("*") == 1)
