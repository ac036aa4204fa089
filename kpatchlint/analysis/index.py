"""SymbolIndex: name -> definitions, prototypes, call sites, macros and exports of a snapshot."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass, field

from kpatchlint.c.cond import disabled, exclusive
from kpatchlint.c.model import CallSite, Comment, Export, FileFacts, FunctionSig, Macro


def is_header(path: str) -> bool:
    return path.endswith(".h")


def func_key(f: FunctionSig) -> str:
    """Static functions in .c files are private to their file; everything else shares the name."""
    if f.storage == "static" and not is_header(f.path):
        return f"{f.path}::{f.name}"
    return f.name


def resolve_include(path: str, inc: str) -> str | None:
    if inc.startswith('"') and inc.endswith('"'):
        return posixpath.normpath(posixpath.join(posixpath.dirname(path), inc[1:-1]))
    if inc.startswith("<") and inc.endswith(">"):
        name = inc[1:-1]
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


class SymbolIndex:
    """Facts of the files relevant to a run, at one snapshot.

    Built as a shared part (files no patch touches) plus a small overlay (touched files at
    this snapshot), so twenty snapshots do not re-index a hundred unchanged files.
    """

    def __init__(self, files: dict[str, FileFacts], shared: "SymbolIndex | None" = None) -> None:
        self.files = dict(shared.files) if shared is not None else {}
        self.files.update(files)
        self._shared = shared._own if shared is not None else None
        self._own = _Part()
        for f in files.values():
            self._own.add(f)

    def _get(self, attr: str, name: str) -> list:
        own = getattr(self._own, attr).get(name, [])
        if self._shared is None:
            return list(own)
        return list(getattr(self._shared, attr).get(name, [])) + list(own)

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
        out = set(self._own.refs.get(name, ()))
        if self._shared is not None:
            out |= self._shared.refs.get(name, set())
        return out

    def names(self) -> set[str]:
        out = set(self._own.funcs)
        if self._shared is not None:
            out |= set(self._shared.funcs)
        return out

    def includes(self, path: str) -> set[str]:
        f = self.files.get(path)
        if f is None:
            return set()
        return {r for inc in f.includes if (r := resolve_include(path, inc))}

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
        inc = self.includes(call.path)
        if inc:
            from_headers = [f for f in visible if f.path in inc or f.path == call.path]
            if from_headers:
                return from_headers
        return visible
