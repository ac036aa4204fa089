"""What one patch changed in the functions of the files it touches: signatures, renames, calls."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kpatchlint.c.model import CallSite, FileFacts, FunctionSig


def shape(f: FunctionSig) -> tuple:
    """What callers depend on: return type and parameter types (not names)."""
    return (f.return_type, tuple(p.type for p in f.params))


@dataclass
class Delta:
    k: int
    changed: dict[str, tuple[list[FunctionSig], list[FunctionSig]]] = field(default_factory=dict)
    added: dict[str, list[FunctionSig]] = field(default_factory=dict)
    removed: dict[str, list[FunctionSig]] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)  # old -> new
    calls_added: list[CallSite] = field(default_factory=list)
    calls_removed: list[CallSite] = field(default_factory=list)
    params_added: dict[str, set[str]] = field(default_factory=dict)
    params_removed: dict[str, set[str]] = field(default_factory=dict)

    @property
    def touched_names(self) -> set[str]:
        out = set(self.changed) | set(self.added) | set(self.removed) | set(self.renamed.values())
        out |= {c.callee for c in self.calls_added} | {c.callee for c in self.calls_removed}
        out |= {c.caller for c in self.calls_added if c.caller} | {c.caller for c in self.calls_removed if c.caller}
        return out


def _by_name(facts: dict[str, FileFacts], paths: set[str], names: set[str]) -> dict[str, list[FunctionSig]]:
    out: dict[str, list[FunctionSig]] = defaultdict(list)
    for p in sorted(paths):
        f = facts.get(p)
        if f is not None:
            for fn in f.functions:
                if fn.name in names:
                    out[fn.name].append(fn)
    return out


def _call_key(c: CallSite) -> tuple:
    return (c.path, c.caller, c.callee, c.args)


def compute_delta(k: int, before: dict[str, FileFacts], after: dict[str, FileFacts], paths: set[str]) -> Delta:
    d = Delta(k)
    # only names declared in a file the patch changed can differ; their declarations are
    # gathered from every file (a prototype in an untouched header still counts)
    changed = sorted(p for p in paths if before.get(p) is not after.get(p))
    names = {fn.name for p in changed for side in (before, after) if (f := side.get(p)) for fn in f.functions}
    old = _by_name(before, paths, names)
    new = _by_name(after, paths, names)
    for name in sorted(set(old) | set(new)):
        o, n = old.get(name, []), new.get(name, [])
        if o and not n:
            d.removed[name] = o
        elif n and not o:
            d.added[name] = n
        elif {shape(f) for f in o} != {shape(f) for f in n}:
            d.changed[name] = (o, n)
        if o and n:
            onames = {p.name for f in o for p in f.params if p.name}
            nnames = {p.name for f in n for p in f.params if p.name}
            # a parameter counts as added/removed when its name is new/gone in every variant
            if nnames - onames:
                d.params_added[name] = nnames - onames
            if onames - nnames:
                d.params_removed[name] = onames - nnames
    for r, rf in d.removed.items():
        rshapes = {tuple(p.type for p in f.params) for f in rf}
        for a, af in d.added.items():
            if {tuple(p.type for p in f.params) for f in af} & rshapes and a not in d.renamed.values():
                d.renamed[r] = a
                break
    oc: dict[tuple, list[CallSite]] = defaultdict(list)
    nc: dict[tuple, list[CallSite]] = defaultdict(list)
    # the calls of a file the patch left alone are the same on both sides and cancel out
    for p in changed:
        for c in (before.get(p).calls if before.get(p) else ()):
            oc[_call_key(c)].append(c)
        for c in (after.get(p).calls if after.get(p) else ()):
            nc[_call_key(c)].append(c)
    for key, cs in nc.items():
        extra = len(cs) - len(oc.get(key, []))
        if extra > 0:
            d.calls_added.extend(cs[-extra:])
    for key, cs in oc.items():
        gone = len(cs) - len(nc.get(key, []))
        if gone > 0:
            d.calls_removed.extend(cs[-gone:])
    return d
