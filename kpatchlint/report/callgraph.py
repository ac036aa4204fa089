"""Render a callgraph query: a table per function with arguments aligned under parameter names,
JSON, or Graphviz dot."""

from __future__ import annotations

import json

from kpatchlint.analysis.query import CallgraphReport, Site


def _param_names(rep: CallgraphReport) -> list[str]:
    best = None
    for f in rep.signatures:
        if f.is_definition and not f.is_stub:
            best = f
            break
    best = best or (rep.signatures[0] if rep.signatures else None)
    if best is None:
        return []
    return [p.name or f"arg{i}" for i, p in enumerate(best.params, start=1)]


def render_text(rep: CallgraphReport) -> str:
    lines: list[str] = []
    at = f" after patch {rep.at}" if rep.at else ""
    lines.append(f"{rep.function}{at}")
    for f in rep.signatures:
        cond = f" [{' && '.join(f.cond)}]" if f.cond else ""
        kind = "stub" if f.is_stub and f.path.endswith(".h") else f.kind
        lines.append(f"  {kind:10s} {f.path}:{f.line}{cond}: {f.signature()}")
    names = _param_names(rep)
    direct = [s for s in rep.sites if s.level == 1]
    lines.append("")
    lines.append(f"call sites of {rep.function}: {len(direct)}")
    if direct:
        lines += _table(direct, names)
    for level in sorted({s.level for s in rep.sites if s.level > 1}):
        sites = [s for s in rep.sites if s.level == level]
        lines.append("")
        lines.append(f"depth {level}: {len(sites)} call sites of the callers above")
        for s in sites:
            lines.append(f"  {s.caller or '(file scope)'} -> {s.callee}  {s.call.path}:{s.call.line}")
    if rep.callees:
        lines.append("")
        lines.append(f"callees of {rep.function}: {len(rep.callees)}")
        for s in rep.callees:
            lines.append(f"  {s.callee}({', '.join(s.call.args)})  {s.call.path}:{s.call.line}")
    if rep.diff is not None:
        lines.append("")
        lines += render_diff(rep.diff)
    return "\n".join(lines) + "\n"


def _table(sites: list[Site], names: list[str]) -> list[str]:
    width = max((len(s.call.args) for s in sites), default=0)
    heads = ["caller", "file:line"] + [names[i] if i < len(names) else f"arg{i + 1}" for i in range(width)]
    rows = []
    for s in sites:
        args = list(s.call.args) + [""] * (width - len(s.call.args))
        rows.append([s.caller or "(file scope)", f"{s.call.path}:{s.call.line}"] + args)
    cols = [max(len(r[i]) for r in rows + [heads]) for i in range(len(heads))]
    out = ["  " + "  ".join(h.ljust(c) for h, c in zip(heads, cols)).rstrip()]
    out.append("  " + "  ".join("-" * c for c in cols))
    for r in rows:
        out.append("  " + "  ".join(v.ljust(c) for v, c in zip(r, cols)).rstrip())
    return out


def render_diff(diff: dict) -> list[str]:
    lines = ["changes between the two snapshots:"]
    for s in diff["signatures_removed"]:
        lines.append(f"  - signature {s}")
    for s in diff["signatures_added"]:
        lines.append(f"  + signature {s}")
    for s in diff["sites_removed"]:
        lines.append(f"  - {s.caller} {s.call.path}: {s.callee}({', '.join(s.call.args)})")
    for s in diff["sites_added"]:
        lines.append(f"  + {s.caller} {s.call.path}:{s.call.line}: {s.callee}({', '.join(s.call.args)})")
    if len(lines) == 1:
        lines.append("  (none)")
    return lines


def _site(s: Site) -> dict:
    return {"level": s.level, "caller": s.caller, "callee": s.callee, "file": s.call.path, "line": s.call.line,
            "column": s.call.col, "args": list(s.call.args), "condition": list(s.call.cond),
            "confidence": str(s.call.confidence), "in_macro": s.call.in_macro}


def render_json(rep: CallgraphReport) -> str:
    doc = {
        "function": rep.function, "at": rep.at,
        "signatures": [{"kind": f.kind, "file": f.path, "line": f.line, "signature": f.signature(),
                        "params": [p.name for p in f.params], "condition": list(f.cond)} for f in rep.signatures],
        "call_sites": [_site(s) for s in rep.sites],
        "callees": [_site(s) for s in rep.callees],
    }
    if rep.diff is not None:
        doc["diff"] = {
            "signatures_removed": rep.diff["signatures_removed"], "signatures_added": rep.diff["signatures_added"],
            "sites_removed": [_site(s) for s in rep.diff["sites_removed"]],
            "sites_added": [_site(s) for s in rep.diff["sites_added"]],
        }
    return json.dumps(doc, indent=2) + "\n"


def render_dot(rep: CallgraphReport) -> str:
    lines = ["digraph callgraph {", "  rankdir=LR;", f'  "{rep.function}" [style=bold];']
    seen = set()
    for s in rep.sites + rep.callees:
        caller = s.caller or f"{s.call.path} (file scope)"
        key = (caller, s.callee, s.call.path, s.call.line)
        if key in seen:
            continue
        seen.add(key)
        lines.append(f'  "{caller}" -> "{s.callee}" [label="{s.call.path}:{s.call.line}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
