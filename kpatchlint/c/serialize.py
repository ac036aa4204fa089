"""FileFacts <-> compact JSON, for the persistent facts cache."""

from __future__ import annotations

import dataclasses
import json
import zlib

from kpatchlint.c.model import (
    CallSite, Comment, DocParam, Export, FileFacts, FunctionSig, KernelDoc, Macro, Param, record_maker,
)
from kpatchlint.location import Confidence


def _fn(f: FunctionSig) -> list:
    doc = None
    if f.doc is not None:
        doc = [f.doc.name, f.doc.line, f.doc.end_line, [[p.name, p.text, p.line] for p in f.doc.params], f.doc.text]
    return [f.name, f.line, f.col, f.end_line, f.kind, f.return_type, [[p.type, p.name] for p in f.params],
            f.storage, f.inline, list(f.cond), int(f.confidence), doc, f.returns_value, f.body_empty,
            None if f.params_used is None else list(f.params_used), f.name_line]


_call = record_maker(CallSite, ("callee", "args", "caller", "path", "line", "col", "end_line", "cond", "confidence",
                                "in_macro"))
_fn_rec = record_maker(FunctionSig, tuple(f.name for f in dataclasses.fields(FunctionSig)))
_CONF = (None, Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH)  # Confidence(i) without the enum call


def _unfn(path: str, r: list) -> FunctionSig:
    doc = None
    if r[11] is not None:
        d = r[11]
        doc = KernelDoc(d[0], d[1], d[2], tuple([DocParam(*p) for p in d[3]]), d[4])
    return _fn_rec(r[0], path, r[1], r[2], r[3], r[4], r[5], tuple([Param(t, n) for t, n in r[6]]), r[7], r[8],
                       tuple(r[9]), _CONF[r[10]], doc, r[12], r[13],
                       None if r[14] is None else tuple(r[14]), r[15])


def dumps(f: FileFacts) -> bytes:
    obj = {
        "fn": [_fn(x) for x in f.functions],
        "call": [[c.callee, c.args, c.caller, c.line, c.col, c.end_line, c.cond, int(c.confidence), c.in_macro]
                 for c in f.calls],
        "mac": [[m.name, m.params, m.line, m.cond, m.body] for m in f.macros],
        "exp": [[e.name, e.kind, e.line] for e in f.exports],
        "com": [[c.line, c.end_line, c.text, c.function] for c in f.comments],
        "inc": list(f.includes), "td": [list(t) for t in f.typedefs], "refs": list(f.refs), "err": f.error_ratio, "frag": f.fragments,
    }
    if f.extra:
        obj["x"] = f.extra
    return zlib.compress(json.dumps(obj, separators=(",", ":")).encode(), 3)


def loads(path: str, digest: str, data: bytes) -> FileFacts:
    o = json.loads(zlib.decompress(data))
    conf = _CONF
    return FileFacts(
        path=path, digest=digest,
        functions=tuple([_unfn(path, r) for r in o["fn"]]),
        calls=tuple([_call(r[0], tuple(r[1]), r[2], path, r[3], r[4], r[5], tuple(r[6]), conf[r[7]], r[8])
                     for r in o["call"]]),
        macros=tuple([Macro(r[0], None if r[1] is None else tuple(r[1]), path, r[2], tuple(r[3]), r[4])
                      for r in o["mac"]]),
        exports=tuple([Export(r[0], r[1], path, r[2]) for r in o["exp"]]),
        comments=tuple([Comment(path, r[0], r[1], r[2], r[3]) for r in o["com"]]),
        includes=tuple(o["inc"]), typedefs=tuple([tuple(t) for t in o.get("td", [])]), refs=tuple(o["refs"]),
        error_ratio=o["err"], fragments=o["frag"], extra=o.get("x", {}),
    )
