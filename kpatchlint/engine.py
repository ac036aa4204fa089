"""The lint pipeline: snapshots -> facts -> indexes and deltas -> rules -> attributed findings."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from kpatchlint.analysis.delta import Delta, compute_delta
from kpatchlint.analysis.facts import FactsProvider
from kpatchlint.analysis.index import SymbolIndex, resolve_include
from kpatchlint.c.model import FileFacts
from kpatchlint.checks.base import Context, SeriesContext, all_rules
from kpatchlint.findings import Finding, Severity
from kpatchlint.limits import check_deadline
from kpatchlint.location import Confidence, Location
from kpatchlint.protocols import load_protocols
from kpatchlint.series.model import Series
from kpatchlint.settings import Settings
from kpatchlint.tree.snapshot import FileState, Snapshot, build_snapshots
from kpatchlint.tree.grepmemo import GrepMemo
from kpatchlint.tree.source import SourceTree, in_kernel_build

C_SUFFIXES = (".c", ".h")
_IGNORE_RE = re.compile(r"^\s*kpatchlint-ignore:\s*([A-Z]{3}\d{3})(?:\s+([\w.]+))?", re.MULTILINE)


@dataclass
class Result:
    series: Series | None
    findings: list[Finding]
    problems: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    contexts: list[Context] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {str(s): 0 for s in Severity}
        for f in self.findings:
            out[str(f.severity)] += 1
        return out


def _states(snap: Snapshot, paths) -> list[FileState]:
    out = []
    for p in sorted(paths):
        st = snap.state(p)
        if st is not None:
            out.append(st)
    return out


def _touched_paths(series: Series) -> set[str]:
    out: set[str] = set()
    for p in series.present:
        for fc in p.files:
            for path in (fc.old_path, fc.new_path):
                if path and path.endswith(C_SUFFIXES):
                    out.add(path)
    return out


def _hunk_functions(facts: dict[str, FileFacts], series: Series, k: int) -> set[str]:
    """Functions of patch k's files whose span meets a hunk (post-image lines)."""
    patch = series.patches[k - 1]
    if patch is None:
        return set()
    out: set[str] = set()
    for fc in patch.files:
        f = facts.get(fc.new_path or "")
        if f is None:
            continue
        spans = [(h.new_start, h.new_start + max(h.new_len, 1)) for h in fc.hunks]
        for fn in f.functions:
            if any(fn.line < e and fn.end_line >= s for s, e in spans):
                out.add(fn.name)
    return out


def lint_series(series: Series, tree: SourceTree | None, settings: Settings,
                provider: FactsProvider | None = None, *, reuse: bool = False, store: bool | None = None) -> Result:
    """Check every snapshot of `series` on `tree` (None: diff-only).

    `reuse`: answer from the results of an earlier run with exactly the same inputs
    (kpatchlint.runcache) when the facts cache holds one; such a Result has no indexes or
    deltas in its contexts, only the snapshots (enough for every report format of `check`).
    `store` (default: as `reuse`): keep this run's results there for the next one."""
    t0 = time.monotonic()
    provider = provider or FactsProvider()
    if tree is not None and not isinstance(tree, GrepMemo) and not getattr(tree, "memoizes_grep", False):
        tree = GrepMemo(tree)
    if tree is not None and getattr(tree, "memoizes_grep", False):
        # --no-cache: no persistent grep answers or name index either
        tree.cache_dir = provider.cache.directory if provider.cache is not None else None  # type: ignore[union-attr]
    snaps, apply_problems = build_snapshots(series, tree)
    touched = _touched_paths(series)
    n = len(snaps) - 1
    total = series.expected or n
    run_key = None
    if (reuse or store) and provider.cache is not None:
        from kpatchlint.runcache import run_key as _run_key

        run_key = _run_key(series, tree, settings)
        got = provider.cache.load_run(run_key) if run_key and reuse else None
        if got is not None:
            findings, problems, stats = got
            empty = SymbolIndex({})
            contexts = [Context(k=k, total=total, snapshot=snaps[k], index=empty, prev_index=None, delta=None,
                                focus=set(), series=series, diff_only=tree is None) for k in range(n + 1)]
            stats = {**{k: v for k, v in stats.items() if not k.startswith("time_")}, "reused_run": True,
                     "time_total_s": round(time.monotonic() - t0, 3)}
            return Result(series, findings, problems, stats, contexts)
    # every version of every touched file in one call: parsed once each, in parallel
    provider.get_many([st for s in snaps for st in _states(s, touched)])
    touched_facts = [provider.get_many(_states(s, touched)) for s in snaps]
    deltas: list[Delta | None] = [None]
    aliases: dict[str, str] = {}
    focus: set[str] = set()
    body_touched: list[set[str]] = [set()]
    for k in range(1, n + 1):
        d = compute_delta(k, touched_facts[k - 1], touched_facts[k], touched)
        deltas.append(d)
        for old, new in d.renamed.items():
            aliases[new] = old
        bt = _hunk_functions(touched_facts[k], series, k) | _hunk_functions(touched_facts[k - 1], series, k)
        body_touched.append(bt)
        focus |= d.touched_names | bt
    gone_at = _gone(series, touched_facts, deltas)
    macros_gone_at = _gone_macros(series, touched_facts)
    sig_names = set()
    for d in deltas[1:]:
        assert d is not None
        sig_names |= set(d.changed) | set(d.removed) | set(d.renamed) | set(d.added)
    t1 = time.monotonic()
    shared_facts: dict[str, FileFacts] = {}
    grep_files: set[str] = set()
    protocols = load_protocols(settings)
    if tree is not None:
        # one search answers every name the rules may ask about later (GrepMemo keeps them)
        # callers of a function are looked up tree-wide, except for the `static` functions of a
        # .c file (their callers are in that file, which is parsed anyway)
        defined = {fn.name for f in touched_facts[-1].values() for fn in f.functions
                   if not (fn.storage == "static" and not fn.path.endswith(".h"))} & focus
        proto_names = {spec.call for p in protocols for spec in (*p.acquire, *p.sinks, *p.release)}
        gone_macros = {n for m in macros_gone_at for n in m}
        every = sig_names | defined | proto_names | gone_macros
        # the search runs in the background while the included headers are parsed
        pending = tree.grep_async(every) if hasattr(tree, "grep_async") else None
        headers: set[str] = set()
        for f in touched_facts[0].values():
            for inc in f.includes:
                r = resolve_include(f.path, inc)
                if r and r not in touched:
                    headers.add(r)
        got = provider.get_many(_states(snaps[0], headers))
        if pending is not None:
            pending.result()
        else:
            tree.grep_files(every)
        grep_files = {p for p in (tree.grep_files(sig_names) if sig_names else ()) if p not in touched
                      and in_kernel_build(p)}  # not tools/: its own copies of kernel headers
        got.update(provider.get_many(_states(snaps[0], grep_files - headers)))
        shared_facts = {p: got[p] for p in sorted(got)}
    t2 = time.monotonic()
    shared = SymbolIndex(shared_facts)
    contexts: list[Context] = []
    bodies_touched = frozenset().union(*body_touched)
    base_defined = frozenset(fn.name for f in (*touched_facts[0].values(), *shared_facts.values())
                             for fn in f.functions if fn.is_definition)
    index: SymbolIndex | None = None
    for k in range(0, n + 1):
        # snapshot k's index is k-1's with the files patch k changed re-indexed
        index = SymbolIndex(touched_facts[k], shared=shared) if index is None else index.updated(touched_facts[k])
        contexts.append(Context(
            k=k, total=total, snapshot=snaps[k], index=index,
            prev_index=contexts[-1].index if contexts else None, delta=deltas[k], focus=focus,
            series=series, diff_only=tree is None, protocols=protocols, aliases=aliases,
            gone=gone_at[k], provider=provider, base_defined=base_defined, bodies_touched=bodies_touched,
            macros_gone=macros_gone_at[k],
        ))
    findings = _run_rules(contexts, settings, body_touched, deltas)
    problems = [f"patch {p.patch}/{p.total}: {p.path}: hunk #{p.hunk} (line {p.line}) does not apply: {p.what}"
                for p in apply_problems]
    findings += [_apply_finding(p) for p in apply_problems]
    problems += [f"{pr.where}: {pr.what}" for pr in series.problems]
    problems += [f"{p}: {why}" for p, why in sorted(snaps[0].unreadable.items()) if p not in touched]
    problems += _not_parsed([*touched_facts, shared_facts])
    findings = _finish(findings, series, settings)
    t3 = time.monotonic()
    stats = {
        "patches": n, "touched_files": len(touched), "grep_names": len(sig_names),
        "grep_files": len(grep_files), "related_files": len(shared_facts),
        "parsed_files": provider.parsed_files, "parsed_bytes": provider.parsed_bytes,
        "time_snapshots_s": round(t1 - t0, 3), "time_scope_s": round(t2 - t1, 3),
        "time_rules_s": round(t3 - t2, 3),
    }
    if run_key is not None and provider.cache is not None and (store if store is not None else reuse):
        provider.cache.store_run(run_key, findings, problems, stats)
    return Result(series, findings, problems, stats, contexts)


def lint_tree(tree: SourceTree, paths: list[str], settings: Settings,
              provider: FactsProvider | None = None) -> Result:
    """Lint the tree as it is: the functions of `paths` (default: all files), with their headers."""
    provider = provider or FactsProvider()
    if not isinstance(tree, GrepMemo):
        tree = GrepMemo(tree)
    snap = Snapshot(0, {}, tree)
    files = tree.files(paths)
    facts = provider.get_many(_states(snap, files))
    headers: set[str] = set()
    for f in facts.values():
        for inc in f.includes:
            r = resolve_include(f.path, inc)
            if r and r not in facts:
                headers.add(r)
    hfacts = provider.get_many(_states(snap, headers))
    index = SymbolIndex(facts, shared=SymbolIndex(hfacts))
    focus = {fn.name for f in facts.values() for fn in f.functions}
    ctx = Context(k=0, total=0, snapshot=snap, index=index, prev_index=None, delta=None, focus=focus,
                  series=None, diff_only=False, protocols=load_protocols(settings))
    ctx.extra_paths = set(files)  # type: ignore[attr-defined]
    findings: list[Finding] = []
    for rule in all_rules():
        if rule.scope == "snapshot" and settings.selected(rule.code):
            findings.extend(rule.check(ctx))
    findings = [f for f in findings if f.primary is None or f.primary.path in facts]
    findings = _finish(_dedupe(findings), None, settings)
    return Result(None, findings, [], {"files": len(files), "headers": len(hfacts),
                                       "parsed_files": provider.parsed_files}, [ctx])


def _not_parsed(fact_maps: list[dict[str, FileFacts]]) -> list[str]:
    """One line per file version that was read but not parsed (limits.too_deep)."""
    out: dict[tuple[str, str], str] = {}
    for facts in fact_maps:
        for f in facts.values():
            why = f.extra.get("not_parsed")
            if why:
                out[(f.path, f.digest)] = f"{f.path}: {why}"
    return [out[k] for k in sorted(out)]


def _real_def(fn) -> bool:
    """A definition that provides the function (a `#else` stub does not)."""
    return fn.is_definition and not (fn.is_stub and any(c.startswith("!") for c in fn.cond))


_DEFINE_NAME_RE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)")


def _gone_macros(series: Series, facts: list[dict[str, FileFacts]]) -> list[dict[str, int]]:
    """Per snapshot: macros whose `#define` a patch <= k removed (a `-` line) and that no
    touched file defines afterwards: name -> the patch."""
    out: list[dict[str, int]] = [{}]
    for k in range(1, len(facts)):
        cur = dict(out[-1])
        defined = {m.name for f in facts[k].values() for m in f.macros}
        for name in list(cur):
            if name in defined:
                del cur[name]
        patch = series.patches[k - 1]
        for fc in patch.files if patch else ():
            for h in fc.hunks:
                for ln in h.lines:
                    m = _DEFINE_NAME_RE.match(ln.text) if ln.kind == "-" else None
                    if m and m.group(1) not in defined:
                        cur.setdefault(m.group(1), k)
        out.append(cur)
    return out


def _gone(series: Series, facts: list[dict[str, FileFacts]], deltas: list[Delta | None]
          ) -> list[dict[str, tuple[int, str | None]]]:
    """Per snapshot: functions whose definition some patch removed (seen in its `-` lines)."""
    out: list[dict[str, tuple[int, str | None]]] = [{}]
    for k in range(1, len(facts)):
        cur = dict(out[-1])
        patch = series.patches[k - 1]
        removed_lines = {ln.text.strip() for fc in (patch.files if patch else ()) for h in fc.hunks
                         for ln in h.lines if ln.kind == "-"}
        before = {fn.name: fn for f in facts[k - 1].values() for fn in f.functions if _real_def(fn)}
        after = {fn.name for f in facts[k].values() for fn in f.functions if _real_def(fn)}
        for name in after:
            cur.pop(name, None)
        d = deltas[k]
        for name, fn in before.items():
            if name in after:
                continue
            st = None
            for f in facts[k - 1].values():
                if f.path == fn.path:
                    st = fn
            if st is None:
                continue
            # the definition's lines must really have been removed, not merely fallen out of view
            if not any(name in t for t in removed_lines):
                continue
            cur[name] = (k, d.renamed.get(name) if d else None)
        out.append(cur)
    return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: dict[str, Finding] = {}
    for f in findings:
        seen.setdefault(f.key, f)
    return list(seen.values())


def _run_rules(contexts: list[Context], settings: Settings, body_touched: list[set[str]],
               deltas: list[Delta | None]) -> list[Finding]:
    wanted = {r.code for r in all_rules() if settings.selected(r.code)}
    if any(r.scope == "series" and r.code in wanted for r in all_rules()):
        wanted |= {r.code for r in all_rules() if r.code.startswith(("SIG", "PAR"))}  # series rules read them
    rules = [r for r in all_rules() if r.code in wanted]
    per_k: list[dict[str, Finding]] = []
    for ctx in contexts:
        check_deadline(f"rules on snapshot {ctx.k}")
        got: dict[str, Finding] = {}
        for rule in rules:
            if rule.scope != "snapshot":
                continue
            for f in rule.check(ctx):
                got.setdefault(f.key, f)
        per_k.append(got)
    n = len(contexts) - 1
    total = contexts[0].total

    def first_touch(name: str | None) -> int:
        if name is None:
            return 1
        names = {name, contexts[0].root(name)}
        for k in range(1, n + 1):
            d = deltas[k]
            tn = (d.touched_names if d else set()) | body_touched[k]
            if names & ({contexts[0].root(x) for x in tn} | tn):
                return k
        return 1

    out: list[Finding] = []
    keys = sorted({k for d in per_k for k in d})
    for key in keys:
        present = [k for k in range(n + 1) if key in per_k[k]]
        first = present[0]
        runs = []  # (start, end_exclusive) of consecutive presence
        start = prev = first
        for k in present[1:]:
            if k != prev + 1:
                runs.append((start, prev + 1))
                start = k
            prev = k
        runs.append((start, prev + 1))
        for start, end in runs:
            if start == 0:
                attach = first_touch(per_k[0][key].function)
                if attach < end and key in per_k[attach]:
                    f = per_k[attach][key].with_(patch=attach, pre_existing=True)
                else:  # the patch that first touches it also removes it: show it as it was before
                    seen = min(attach - 1, end - 1)
                    f = per_k[seen][key].with_(patch=attach, pre_existing=True, at=seen)
            else:
                f = per_k[start][key].with_(patch=start)
            if end <= n:
                f = f.with_(repaired_by=end)
            out.append(f.with_(total=total))
    sctx = SeriesContext(contexts, out)
    for rule in rules:
        if rule.scope == "series":
            out.extend(f.with_(total=total) if not f.total else f for f in rule.check_series(sctx))
    return out


def _apply_finding(p) -> Finding:
    return Finding(
        code="ING001", name="hunk-does-not-apply",
        message=f"hunk #{p.hunk} of `{p.path}` does not apply in patch {p.patch}/{p.total}",
        severity=Severity.WARNING, confidence=Confidence.HIGH, primary=Location(p.path, max(1, p.line)),
        key=f"ING001:{p.patch}:{p.path}:{p.hunk}", note=f"{p.what}; the rest of this file is checked in partial mode",
        patch=p.patch, total=p.total,
    )


def _finish(findings: list[Finding], series: Series | None, settings: Settings) -> list[Finding]:
    out = []
    known: set[str] = set()
    if settings.baseline is not None:
        from kpatchlint.baseline import read_baseline

        known = read_baseline(settings.baseline)
    ignores: dict[int, list[tuple[str, str | None]]] = {}
    if series is not None:
        for p in series.present:
            ignores[p.index] = [(m.group(1), m.group(2)) for m in _IGNORE_RE.finditer(p.notes)]
    for f in findings:
        if not settings.selected(f.code):
            continue
        sev = settings.severity_for(f.code, f.severity)
        if sev != f.severity:
            f = f.with_(severity=sev)
        if any(code == f.code and (fn is None or fn == f.function) for code, fn in ignores.get(f.patch, [])):
            continue
        if known and f.fingerprint() in known:
            continue
        if series is not None and f.patch and not f.patch_subject:
            p = series.patches[f.patch - 1] if f.patch - 1 < len(series.patches) else None
            if p is not None:
                f = f.with_(patch_subject=p.subject.title)
        out.append(f)
    out.sort(key=lambda f: f.sort_key())
    return out
