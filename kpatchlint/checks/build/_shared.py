"""Helpers of the build-warning rules: where gcc's kernel flags apply, and file texts by version."""

from __future__ import annotations

import re

from kpatchlint.c.locals import identifier_lines
from kpatchlint.checks.base import Context
from kpatchlint.tree.source import in_kernel_build


_LINES: dict[tuple[str, str], dict[str, list[int]]] = {}


def kernel_c(path: str) -> bool:
    return path.endswith(".c") and in_kernel_build(path)


def file_identifier_lines(ctx: Context, path: str) -> dict[str, list[int]] | None:
    """identifier -> lines of the whole file at this snapshot; None unless the whole file is known."""
    st = ctx.snapshot.state(path)
    if st is None or not st.is_full or st.partial:
        return None
    key = (path, st.digest)
    got = _LINES.get(key)
    if got is None:
        if len(_LINES) > 2048:
            _LINES.clear()
        got = _LINES[key] = identifier_lines(st.data().decode("utf-8", "surrogateescape"))
    return got


_NONCODE: dict[tuple[str, str], tuple[list[int], list[int], list[int]]] = {}
_NONCODE_RE = re.compile(rb'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.DOTALL)


def name_lines(ctx: Context, path: str, name: str) -> list[int] | None:
    """Lines where `name` occurs as a word in code (not in a comment or string) in the whole
    file at this snapshot; None unless the whole file is known. One regex scan for the name,
    and one per file version for the comments, strings and line starts: much cheaper than
    listing every identifier of the file."""
    from bisect import bisect_right

    st = ctx.snapshot.state(path)
    if st is None or not st.is_full or st.partial:
        return None
    key = (path, st.digest)
    hit = _NAME_LINES.get((key, name))
    if hit is not None:
        return hit
    data = st.data()
    spans = _NONCODE.get(key)
    if spans is None:
        starts, ends = [], []
        for m in _NONCODE_RE.finditer(data):
            starts.append(m.start())
            ends.append(m.end())
        newlines = [m.start() for m in _NL_RE.finditer(data)]
        if len(_NONCODE) > 2048:
            _NONCODE.clear()
        spans = _NONCODE[key] = (starts, ends, newlines)
    starts, ends, newlines = spans
    out = []
    for m in re.finditer(rb"\b" + re.escape(name.encode()) + rb"\b", data):
        i = bisect_right(starts, m.start()) - 1
        if i >= 0 and m.start() < ends[i]:
            continue
        out.append(bisect_right(newlines, m.start()) + 1)
    if len(_NAME_LINES) > 50_000:
        _NAME_LINES.clear()
    _NAME_LINES[(key, name)] = out
    return out


_NL_RE = re.compile(rb"\n")
_NAME_LINES: dict[tuple[tuple[str, str], str], list[int]] = {}


def file_text(ctx: Context, path: str) -> str | None:
    st = ctx.snapshot.state(path)
    if st is None or not st.is_full:
        return None
    return st.data().decode("utf-8", "surrogateescape")


_CALLEE_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_ARG_RE = re.compile(r"^\s*&?\s*([A-Za-z_]\w*)\s*$")
_PASTE: dict[tuple[str, str], frozenset[str]] = {}


def macro_arguments(ctx: Context, path: str) -> frozenset[str]:
    """Identifiers passed to macro-looking invocations in the file (`DEFINE_SHOW_ATTRIBUTE(foo)`,
    `BDI_SHOW(read_ahead_kb, K(bdi->ra_pages))`, or any macro whose known body pastes tokens
    with `##`): names such macros build (`foo_show`, `read_ahead_kb_store`) do not occur in the
    file as written."""
    st = ctx.snapshot.state(path)
    text = file_text(ctx, path)
    if st is None or text is None:
        return frozenset()
    key = (path, st.digest)
    got = _PASTE.get(key)
    if got is None:
        pasting = _pasting_macros(ctx.index)
        out: set[str] = set()
        for m in _CALLEE_RE.finditer(text):
            callee = m.group(1)
            if not (callee.isupper() or callee in pasting):
                continue
            for arg in _top_level_args(text, m.end()):
                a = _ARG_RE.match(arg)
                if a:
                    out.add(a.group(1))
        if len(_PASTE) > 2048:
            _PASTE.clear()
        got = _PASTE[key] = frozenset(out)
    return got


def _top_level_args(text: str, start: int, limit: int = 2000) -> list[str]:
    """The comma-separated arguments of the call whose `(` ends just before `start`."""
    args: list[str] = []
    depth, cur = 1, start
    end = min(len(text), start + limit)
    i = start
    while i < end:
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append(text[cur:i])
                return args
        elif c == "," and depth == 1:
            args.append(text[cur:i])
            cur = i + 1
        i += 1
    return []


def _pasting_macros(index) -> set[str]:
    got = getattr(index, "_pasting_macros", None)
    if got is None:
        got = {m.name for f in index.files.values() for m in f.macros if m.body and "##" in m.body}
        index._pasting_macros = got
    return got


def maybe_pasted(name: str, bases: frozenset[str]) -> bool:
    """Could a macro have built `name` from one of `bases` (`foo` -> `foo_show`, `trace_foo`)?"""
    padded = f"_{name}_"
    for b in bases:
        core = b.strip("_")
        if len(core) < 2:
            continue
        if name.startswith(b + "_") or name.endswith("_" + b) or name == b:
            return True
        if (b.endswith("_") and name.startswith(b)) or (b.startswith("_") and name.endswith(b)):
            return True  # CONFIGFS_ATTR(f_usb9pfs_opts_, buflen) -> f_usb9pfs_opts_buflen_show
        if len(core) >= 4 and f"_{core}_" in padded:
            return True
    return False


_CHAIN_RE = re.compile(r"\w+(?:\s*##\s*\w+)+")
DEFINE_RE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)(?:\(([^)]*)\))?((?:[^\n]*\\\n)*[^\n]*)", re.MULTILINE)
_TEMPLATES: dict[tuple[int, str], list[re.Pattern[str]]] = {}


def paste_templates(ctx: Context, path: str) -> list[re.Pattern[str]]:
    """Names the token-pasting macros known at `path` (its own and its headers') can build:
    `journal_entry_##f##_validate` gives `journal_entry_\\w+_validate`."""
    index = ctx.index
    key = (id(index), path)
    got = _TEMPLATES.get(key)
    if got is not None:
        return got
    out: list[re.Pattern[str]] = []
    seen: set[str] = set()
    macros: list[tuple[set[str], str]] = []
    for p in sorted(index.includes(path)):
        facts = index.files.get(p)
        if facts is not None:
            macros += [(set(m.params or ()), m.body) for m in facts.macros if m.body and "##" in m.body]
    # the file's own `#define`s from its text: tree-sitter misses those inside initialisers
    for m in DEFINE_RE.finditer(file_text(ctx, path) or ""):
        if "##" in m.group(3):
            macros.append(({a.strip() for a in (m.group(2) or "").split(",")}, m.group(3)))
    for params, body in macros:
        params = params | {"__VA_ARGS__"}
        for chain in _CHAIN_RE.findall(body):
            parts = [p.strip() for p in chain.split("##")]
            if all(p in params for p in parts):
                continue  # `a ## b`: any name at all (see _generic_paste)
            rx = "".join(r"\w+" if p in params else re.escape(p) for p in parts)
            if rx not in seen:
                seen.add(rx)
                out.append(re.compile(rx))
    if _generic_paste(ctx, path):
        out.append(re.compile(r"\w+"))
    if len(_TEMPLATES) > 4096:
        _TEMPLATES.clear()
    _TEMPLATES[key] = out
    return out


def _generic_paste(ctx: Context, path: str) -> bool:
    """Do the file or its local ("quoted") headers use a macro that pastes its arguments
    together (`#define IPSET_CONCAT(a, b) a##b`)? Templates such as ip_set_hash_gen.h build
    any name from `MTYPE` that way."""
    index = ctx.index
    generic: set[str] = set()
    for facts in index.files.values():
        for m in facts.macros:
            if m.body and "##" in m.body and m.params:
                ps = set(m.params) | {"__VA_ARGS__"}
                if any(all(p.strip() in ps for p in c.split("##")) for c in _CHAIN_RE.findall(m.body)):
                    generic.add(m.name)
    if not generic:
        return False
    # and the macros built on those (`#define IPSET_TOKEN(a, b) IPSET_CONCAT(a, b)`)
    bodies = [(m.name, set(_WORD_RE.findall(m.body))) for f in index.files.values() for m in f.macros
              if m.body and m.params]
    for _ in range(3):
        more = {name for name, words in bodies if name not in generic and words & generic}
        if not more:
            break
        generic |= more
    texts = [file_text(ctx, path) or ""]
    facts = index.files.get(path)
    if facts is not None:
        from kpatchlint.analysis.index import resolve_include

        for inc in facts.includes:
            if inc.startswith('"'):
                r = resolve_include(path, inc)
                if r is not None:
                    texts.append(file_text(ctx, r) or "")
    words = set()
    for t in texts:
        words |= set(_WORD_RE.findall(t))
    return bool(words & generic)


_WORD_RE = re.compile(r"[A-Za-z_]\w*")


def maybe_generated(ctx: Context, path: str, name: str) -> bool:
    """Could a macro build `name` without writing it (token pasting), so that its uses or its
    declarations do not show as written?"""
    if maybe_pasted(name, macro_arguments(ctx, path)):
        return True
    return any(t.fullmatch(name) for t in paste_templates(ctx, path))


def directory_macros(ctx: Context, path: str) -> dict[str, list[tuple[frozenset[str], str]]]:
    """Macros (name -> [(parameters, body)]) of the headers beside `path` and in the two
    directories above it, included directly or not: a driver's own `#define e_dev_info(fmt,
    ...) dev_info(&adapter->pdev->dev, ...)`, amdgpu's `REG()` in dc/dio/ for dc/dio/dcn401/."""
    base = ctx.snapshot.base
    d = path.rsplit("/", 1)[0] if "/" in path else ""
    key = (id(base), d)
    got = _DIR_MACROS.get(key)
    if got is None:
        got = {}
        if base is not None:
            dirs = {d}
            for _ in range(2):
                if "/" in d:
                    d = d.rsplit("/", 1)[0]
                    dirs.add(d)
            names: list[str] = []
            for one in sorted(dirs):
                try:
                    names += [p for p in base.files([one]) if p.endswith(".h") and p.rsplit("/", 1)[0] == one]
                except Exception:  # an unlistable directory: no macros
                    continue
            for p in names[:300]:
                st = ctx.snapshot.state(p)
                if st is None or not st.is_full:
                    continue
                for m in DEFINE_RE.finditer(st.data().decode("utf-8", "surrogateescape")):
                    params = frozenset(a.strip() for a in (m.group(2) or "").split(",") if a.strip())
                    got.setdefault(m.group(1), []).append((params, m.group(3)))
        if len(_DIR_MACROS) > 1024:
            _DIR_MACROS.clear()
        _DIR_MACROS[key] = got
    return got


_DIR_MACROS: dict[tuple[int, str], dict[str, list[tuple[frozenset[str], str]]]] = {}


def used_by_headers(ctx: Context, path: str, name: str) -> bool:
    """A header known at `path` calls `name` or names it in a macro body: a `static` function
    of a .c file is used that way when the header is included after it (trace_probe_tmpl.h)."""
    index = ctx.index
    if any(c.path.endswith(".h") for c in index.calls_to(name)):
        return True
    if any(p.endswith(".h") for p in index.ref_files(name)):
        return True
    pat = re.compile(r"\b" + re.escape(name) + r"\b")
    for p in index.includes(path):
        facts = index.files.get(p)
        if facts is not None and any(m.body and pat.search(m.body) for m in facts.macros):
            return True
    return False


_MACRO_WORD_RE = re.compile(r"^\s*([A-Z_][A-Z0-9_]*)\b")


def macro_storage(head: str) -> bool:
    """The head starts with an all-caps macro (`STATIC int xfs_...`, `EXPORT_FOR_TESTS`): the
    function's linkage is whatever that macro expands to."""
    m = _MACRO_WORD_RE.match(head)
    return bool(m) and m.group(1) not in ("__init", "__exit")


def tree_mentions(base, names: set[str]) -> dict[str, set[str] | None]:
    """name -> files of the tree that name it: one search for all (None: it cannot be searched)."""
    try:
        if hasattr(base, "grep_names"):
            found = dict(base.grep_names(names))
        else:
            found = {n: set(base.grep_files({n})) for n in names}
    except Exception:  # a tree that cannot be searched: say nothing
        return {n: None for n in names}
    return {n: {p for p in files if in_kernel_build(p)} for n, files in found.items()}
