"""SymbolIndex: name -> definitions, prototypes, call sites, macros and exports of a snapshot."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass, field

from kpatchlint.c.cond import disabled, exclusive
from kpatchlint.c.model import CallSite, Comment, Export, FileFacts, FunctionSig, Macro
from kpatchlint.tree.source import in_kernel_build


def is_header(path: str) -> bool:
    return path.endswith(".h")


def func_key(f: FunctionSig) -> str:
    """Static functions in .c files are private to their file; everything else shares the name."""
    if f.storage == "static" and not is_header(f.path):
        return f"{f.path}::{f.name}"
    return f.name


def arch_of(path: str) -> str | None:
    """`x86` for arch/x86/..., None for code every architecture builds."""
    if path.startswith("arch/"):
        parts = path.split("/", 2)
        return parts[1] if len(parts) > 2 else None
    return None


def resolve_include(path: str, inc: str) -> str | None:
    if inc.startswith('"') and inc.endswith('"'):
        return posixpath.normpath(posixpath.join(posixpath.dirname(path), inc[1:-1]))
    if inc.startswith("<") and inc.endswith(">"):
        name = inc[1:-1]
        if name.startswith("asm-generic/"):
            return "include/" + name
        if name.startswith("asm/"):
            # an architecture's own header: known for that architecture's code only
            arch = arch_of(path)
            return f"arch/{arch}/include/{name}" if arch else None
        if name.startswith(("linux/", "uapi/", "trace/", "net/", "crypto/", "kunit/", "vdso/", "keys/",
                            "media/", "sound/", "drm/", "xen/", "scsi/", "rdma/", "video/", "acpi/", "clocksource/",
                            "soc/", "ras/", "pcmcia/", "misc/", "target/", "math-emu/", "dt-bindings/", "kvm/")):
            return "include/" + name
    return None


@dataclass
class _Part:
    funcs: dict[str, list[FunctionSig]] = field(default_factory=lambda: defaultdict(list))
    calls: dict[str, list[CallSite]] = field(default_factory=lambda: defaultdict(list))
    macros: dict[str, list[Macro]] = field(default_factory=lambda: defaultdict(list))
    exports: dict[str, list[Export]] = field(default_factory=lambda: defaultdict(list))
    refs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    comments: dict[str, list[Comment]] = field(default_factory=lambda: defaultdict(list))

    def add(self, f: FileFacts) -> None:
        for fn in f.functions:
            self.funcs[fn.name].append(fn)
        for c in f.calls:
            self.calls[c.callee].append(c)
        for m in f.macros:
            self.macros[m.name].append(m)
        for e in f.exports:
            self.exports[e.name].append(e)
        for r in f.refs:
            self.refs[r].add(f.path)
        for c in f.comments:
            if c.function:
                self.comments[c.function].append(c)

    def replaced(self, gone: list[FileFacts], new: list[FileFacts]) -> "_Part":
        """A copy with the entries of the `gone` file versions taken out and `new` added.
        Copy on write: the lists of names none of those files mention stay shared."""
        out = _Part(defaultdict(list, self.funcs), defaultdict(list, self.calls), defaultdict(list, self.macros),
                    defaultdict(list, self.exports), defaultdict(set, self.refs), defaultdict(list, self.comments))
        fresh: set[tuple[int, str]] = set()

        def mine(d: dict, slot: int, name: str):
            if (slot, name) not in fresh:
                fresh.add((slot, name))
                old = d.get(name)
                d[name] = (set(old) if slot == 4 else list(old)) if old else (set() if slot == 4 else [])
            return d[name]

        for f in gone:
            path = f.path
            for slot, d, names in ((0, out.funcs, {x.name for x in f.functions}),
                                   (1, out.calls, {x.callee for x in f.calls}),
                                   (2, out.macros, {x.name for x in f.macros}),
                                   (3, out.exports, {x.name for x in f.exports}),
                                   (5, out.comments, {x.function for x in f.comments if x.function})):
                for name in names:
                    lst = mine(d, slot, name)
                    lst[:] = [x for x in lst if x.path != path]
            for r in f.refs:
                mine(out.refs, 4, r).discard(path)
        for f in new:
            for fn in f.functions:
                mine(out.funcs, 0, fn.name).append(fn)
            for c in f.calls:
                mine(out.calls, 1, c.callee).append(c)
            for m in f.macros:
                mine(out.macros, 2, m.name).append(m)
            for e in f.exports:
                mine(out.exports, 3, e.name).append(e)
            for r in f.refs:
                mine(out.refs, 4, r).add(f.path)
            for c in f.comments:
                if c.function:
                    mine(out.comments, 5, c.function).append(c)
        return out


class SymbolIndex:
    """Facts of the files relevant to a run, at one snapshot.

    Built in layers: the parts of `shared` (files no patch touches, or files one rule adds)
    plus a small part of its own (touched files at this snapshot), so twenty snapshots do not
    re-index a hundred unchanged files. A path in `files` hides the same path of `shared`.
    """

    def __init__(self, files: dict[str, FileFacts], shared: "SymbolIndex | None" = None) -> None:
        self.files = dict(shared.files) if shared is not None else {}
        self.files.update(files)
        own = _Part()
        for f in files.values():
            own.add(f)
        if shared is not None and any(p in shared.files for p in files):
            # a file given again replaces its shared version: rebuild without the old one
            shared = SymbolIndex({p: f for p, f in shared.files.items() if p not in files})
        self._parts: tuple[_Part, ...] = (*(shared._parts if shared is not None else ()), own)
        self._own_paths = frozenset(files)
        self._includes: dict[str, set[str]] = {}

    def updated(self, files: dict[str, FileFacts]) -> "SymbolIndex":
        """This index with its own part's files replaced by `files` (same paths or new ones;
        a path of its own part missing from `files` is dropped). For the next snapshot: only
        the files the patch changed are re-indexed."""
        own_paths = self._own_paths
        gone = [self.files[p] for p in own_paths if files.get(p) is not self.files[p]]
        new = [f for p, f in files.items() if p not in own_paths or f is not self.files[p]]
        out = SymbolIndex.__new__(SymbolIndex)
        out.files = {p: f for p, f in self.files.items() if p not in own_paths}
        out.files.update(files)
        out._parts = (*self._parts[:-1], self._parts[-1].replaced(gone, new))
        out._own_paths = frozenset(files)
        out._includes = {}
        return out

    @classmethod
    def stack(cls, *indexes: "SymbolIndex") -> "SymbolIndex":
        """One index over several whose files do not overlap, sharing their parts (no copy)."""
        out = cls({})
        out.files = {}
        parts: list[_Part] = []
        for ix in indexes:
            out.files.update(ix.files)
            parts.extend(ix._parts)
        out._parts = tuple(parts)
        out._own_paths = indexes[-1]._own_paths if indexes else frozenset()
        return out

    def _get(self, attr: str, name: str) -> list:
        out: list = []
        for part in self._parts:
            got = getattr(part, attr).get(name)
            if got:
                out.extend(got)
        return out

    def functions(self, name: str) -> list[FunctionSig]:
        return [f for f in self._get("funcs", name) if not disabled(f.cond)]

    def calls_to(self, name: str) -> list[CallSite]:
        return [c for c in self._get("calls", name) if not disabled(c.cond)]

    def macros(self, name: str) -> list[Macro]:
        return self._get("macros", name)

    def exports(self, name: str) -> list[Export]:
        return self._get("exports", name)

    def comments_of(self, name: str) -> list[Comment]:
        return self._get("comments", name)

    def ref_files(self, name: str) -> set[str]:
        out: set[str] = set()
        for part in self._parts:
            out |= part.refs.get(name, set())
        return out

    def names(self) -> set[str]:
        out: set[str] = set()
        for part in self._parts:
            out |= {n for n, v in part.funcs.items() if v}
        return out

    def includes(self, path: str) -> set[str]:
        """Tree paths of the headers `path` includes (do not modify the set: it is shared)."""
        memo = self._includes
        got = memo.get(path)
        if got is None:
            f = self.files.get(path)
            got = memo[path] = set() if f is None else \
                {r for inc in f.includes if (r := resolve_include(path, inc))}
        return got

    def type_resolver(self):
        """A TypeResolver over every typedef in the indexed files (built once)."""
        if getattr(self, "_types", None) is None:
            from kpatchlint.analysis.types import TypeResolver

            tds: dict[str, set[str]] = defaultdict(set)
            for f in self.files.values():
                for name, typ in f.typedefs:
                    tds[name].add(typ)
            self._types = TypeResolver(tds)
        return self._types

    def has_function_macro(self, name: str) -> bool:
        return any(m.is_function_like for m in self.macros(name))

    def candidates_for_call(self, call: CallSite) -> list[FunctionSig]:
        """Declarations a call can bind to: statics of its file, else what its headers declare,
        else every non-static declaration of the name. Variants under a condition that
        excludes the call's own condition are dropped."""
        fns = self.functions(call.callee)
        if not fns:
            return []
        fns = [f for f in fns if not exclusive(f.cond, call.cond)]
        local = [f for f in fns if f.path == call.path]
        if any(f.storage == "static" for f in local) or (local and not is_header(call.path) and
                                                         all(f.storage == "static" for f in local)):
            return local
        visible = [f for f in fns if not (f.storage == "static" and not is_header(f.path))]
        # another architecture's declarations are not compiled with this code, nor are the
        # user-space programs of tools/ compiled with the kernel's (and the other way round)
        arch = arch_of(call.path)
        kernel = in_kernel_build(call.path)
        visible = [f for f in visible if arch_of(f.path) in (None, arch) and in_kernel_build(f.path) == kernel]
        inc = self.includes(call.path)
        if inc:
            from_headers = [f for f in visible if f.path in inc or f.path == call.path]
            if from_headers:
                return from_headers
        return visible
