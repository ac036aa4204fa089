#!/usr/bin/env python3
"""kpatchlint on linux-6.12: a 19-patch mm/ series, measured next to checkpatch, git grep and ctags.

Everything is measured in one run on the same machine, so the ratios hold even when the
absolute times are noisy (a shared 2-core box: other jobs change the numbers by 25-40 %).

    python bench/run_bench.py                       # everything (the index and ctags take minutes)
    python bench/run_bench.py --quick               # no index, no ctags, no re-index
    python bench/run_bench.py --repeat 3            # best of 3 for the short commands

What it does:
  1. a scratch git repository of the kernel (--git, default /var/tmp/linux-git: cp -a of the plain
     tree, `git add -f .`, one commit, gc.auto=0) is created when missing;
  2. a 19-patch series in the shape of the swap-table series is generated with git plumbing in a
     scratch clone that shares the objects (`git clone --shared --no-checkout`): signature changes
     in mm/swap.h and include/linux/swap.h (renames, added, dropped and retyped parameters), each
     patch rewriting the prototype, the `!CONFIG_SWAP` stub, the definition and every caller
     (found with git grep), then `git format-patch`. Neither the kernel copy's branch nor the
     kpatchlint repository gets a commit;
  3. measures: `kpatchlint check` cold (--no-cache, empty XDG_CACHE_HOME) and warm (second run
     with the cache) against the git checkout (--base HEAD) and the plain directory;
     `scripts/checkpatch.pl --no-tree` on the same 19 patches in one call; `git grep -n -w` for the
     changed names; `ctags -R --langmap=C:+.h` over the tree against `kpatchlint index`; a
     re-index after changing 1 % of the files (in a hard-linked copy of the tree); peak RSS of
     every command (the whole process tree, sampled from /proc, and the largest single process);
  4. prints the ratios against the targets and writes them as JSON (--json).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
KPATCHLINT = [sys.executable, "-m", "kpatchlint"]

# ------------------------------------------------------------------------------------------------
# measuring


@dataclass
class Run:
    what: str
    cmd: list[str]
    wall: float = 0.0
    user: float = 0.0
    sys: float = 0.0
    max_rss_mb: float = 0.0  # largest single process (rusage of the child and its waited children)
    tree_rss_mb: float = 0.0  # peak of the summed RSS of the whole process tree
    rc: int = 0
    note: str = ""
    stderr_tail: str = ""

    @property
    def cpu(self) -> float:
        return self.user + self.sys


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    out.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_rss_kb(pid: int) -> int:
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _rss_kb(p)
        todo.extend(_children(p))
    return total


def run(what: str, cmd: list[str], cwd: Path | None = None, env: dict | None = None,
        stdout=subprocess.DEVNULL, ok=(0, 1)) -> Run:
    r = Run(what, [str(c) for c in cmd])
    t0 = time.monotonic()
    proc = subprocess.Popen(r.cmd, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            stop.wait(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    err_chunks: list[bytes] = []

    def drain() -> None:
        assert proc.stderr is not None
        for chunk in iter(lambda: proc.stderr.read(65536), b""):
            err_chunks.append(chunk)

    dr = threading.Thread(target=drain, daemon=True)
    dr.start()
    _, status, ru = os.wait4(proc.pid, 0)
    r.wall = time.monotonic() - t0
    stop.set()
    th.join()
    dr.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    r.rc = proc.returncode
    r.user, r.sys = ru.ru_utime, ru.ru_stime
    r.max_rss_mb = ru.ru_maxrss / 1024
    r.tree_rss_mb = max(peak[0], ru.ru_maxrss) / 1024
    r.stderr_tail = b"".join(err_chunks).decode("utf-8", "replace")[-2000:]
    if r.rc not in ok:
        raise SystemExit(f"{what}: exit {r.rc}\n{' '.join(r.cmd)}\n{r.stderr_tail}")
    return r


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.wall)


def log(msg: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


# ------------------------------------------------------------------------------------------------
# the git copy of the tree


def ensure_git_copy(plain: Path, git: Path) -> None:
    if (git / ".git").is_dir():
        return
    log(f"creating the git copy {git} (cp -a, git add -f ., commit; takes minutes)")
    subprocess.run(["cp", "-a", str(plain), str(git)], check=True)
    env = _git_env()
    for args in (["init", "-q"], ["config", "gc.auto", "0"], ["add", "-f", "."],
                 ["commit", "-q", "-m", "linux 6.12 base"]):
        subprocess.run(["git", *args], cwd=git, check=True, env=env)


def _git_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update({"GIT_AUTHOR_NAME": "Bench Author", "GIT_AUTHOR_EMAIL": "bench@example.com",
                "GIT_COMMITTER_NAME": "Bench Author", "GIT_COMMITTER_EMAIL": "bench@example.com",
                "GIT_AUTHOR_DATE": "2025-10-29T12:00:00+00:00", "GIT_COMMITTER_DATE": "2025-10-29T12:00:00+00:00"})
    env.update(extra or {})
    return env


# ------------------------------------------------------------------------------------------------
# the series

# (function, change, subject). Changes: ("rename", new) | ("add", param decl, call argument)
# | ("drop", index) | ("retype", index, new param decl)
PLAN: list[tuple[str, tuple, str]] = [
    ("swap_cache_get_folio", ("drop", 2), "mm, swap: swap_cache_get_folio: drop the unused address"),
    ("swap_cache_get_folio", ("drop", 1), "mm, swap: swap_cache_get_folio: look up by entry only"),
    ("get_shadow_from_swap_cache", ("rename", "swap_cache_get_shadow"), "mm, swap: rename get_shadow_from_swap_cache"),
    ("delete_from_swap_cache", ("rename", "swap_cache_del_folio"), "mm, swap: rename delete_from_swap_cache"),
    ("__delete_from_swap_cache", ("rename", "__swap_cache_del_folio"), "mm, swap: rename __delete_from_swap_cache"),
    ("add_to_swap_cache", ("drop", 3), "mm, swap: add_to_swap_cache: the shadow is read separately"),
    ("__read_swap_cache_async", ("add", "struct swap_info_struct *si", "NULL"),
     "mm, swap: __read_swap_cache_async: pass the swap device"),
    ("read_swap_cache_async", ("add", "bool readahead", "false"), "mm, swap: read_swap_cache_async: readahead flag"),
    ("swap_cluster_readahead", ("retype", 1, "gfp_t gfp_mask"), "mm, swap: swap_cluster_readahead: name the gfp mask"),
    ("swapin_readahead", ("add", "unsigned long flags", "0"), "mm, swap: swapin_readahead: take flags"),
    ("clear_shadow_from_swap_cache", ("retype", 0, "unsigned int type"), "mm, swap: swap types are unsigned"),
    ("swapcache_clear", ("drop", 0), "mm, swap: swapcache_clear: find the device from the entry"),
    ("filemap_get_incore_folio", ("rename", "swap_cache_get_incore_folio"), "mm: rename filemap_get_incore_folio"),
    ("add_to_swap", ("add", "gfp_t gfp", "GFP_KERNEL"), "mm, swap: add_to_swap: take a gfp mask"),
    ("swap_read_folio", ("add", "bool synchronous", "false"), "mm, swap: swap_read_folio: synchronous flag"),
    ("folio_mark_accessed", ("add", "bool lazy", "false"), "mm: folio_mark_accessed: lazy flag"),
    ("folio_add_lru", ("add", "bool front", "false"), "mm: folio_add_lru: optional front insertion"),
    ("swap_free_nr", ("retype", 1, "unsigned int nr_pages"), "mm, swap: swap_free_nr: unsigned count"),
    ("free_swap_and_cache_nr", ("add", "bool reclaim", "true"), "mm, swap: free_swap_and_cache_nr: reclaim flag"),
]
SERIES_VERSION = "3"


def _match_paren(text: str, i: int) -> int:
    depth = 0
    for m in re.compile(r"[()]").finditer(text, i):
        depth += 1 if m.group() == "(" else -1
        if depth == 0:
            return m.start()
    return -1


_DECL_PREFIX = re.compile(r"(?:(?:static|inline|extern|__always_inline|const|unsigned|signed|struct|enum|union)\s+"
                          r"|\w+\s*\**\s*|\*\s*)*")


def _split_top(args: str) -> list[str]:
    out, depth, cur = [], 0, []
    for ch in args:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    last = "".join(cur).strip()
    if last or out:
        out.append(last)
    return out


def rewrite(text: str, func: str, change: tuple) -> tuple[str, int]:
    """Apply one signature change to every declaration and call of `func` in `text`."""
    if change[0] == "rename":
        new, n = re.subn(rf"\b{re.escape(func)}\b", change[1], text)
        return new, n
    edits: list[tuple[int, int, str]] = []
    for m in re.finditer(rf"(?<![\w.>]){re.escape(func)}\s*\(", text):
        if text[max(0, m.start() - 8):m.start()].rstrip().endswith("#define"):
            continue
        open_ = m.end() - 1
        close = _match_paren(text, open_)
        if close < 0:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        prefix = text[line_start:m.start()]
        if prefix.lstrip().startswith(("*", "/*", "//")) or "/*" in prefix:
            continue  # a mention in a comment, not a call
        after = text[close + 1:close + 200].lstrip()
        is_decl = (not prefix[:1].isspace()) and _DECL_PREFIX.fullmatch(prefix) is not None \
            and after[:1] in ("{", ";")
        args = _split_top(text[open_ + 1:close])
        if is_decl and args == ["void"]:
            args = []
        kind = change[0]
        if kind == "add":
            args = args + [change[1] if is_decl else change[2]]
        elif kind == "drop":
            if change[1] >= len(args):
                continue
            args = args[:change[1]] + args[change[1] + 1:]
        elif kind == "retype":
            if not is_decl or change[1] >= len(args):
                continue
            args = args[:change[1]] + [change[2]] + args[change[1] + 1:]
        if is_decl and not args:
            args = ["void"]
        edits.append((open_ + 1, close, ", ".join(args)))
    for s, e, new in reversed(edits):
        text = text[:s] + new + text[e:]
    return text, len(edits)


def make_series(git: Path, work: Path) -> tuple[list[Path], list[str]]:
    """Generate the series (cached in work/series) and return (patch files, changed names)."""
    out = work / "series"
    stamp = out / ".version"
    names = sorted({f for f, _, _ in PLAN})
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=git, capture_output=True, text=True,
                          check=True).stdout.strip()
    if stamp.exists() and stamp.read_text() == f"{SERIES_VERSION} {base}":
        return sorted(out.glob("*.patch")), names
    log("generating the 19-patch series")
    scratch = work / "scratch.git"
    shutil.rmtree(scratch, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(git), str(scratch)], check=True)
    env = _git_env({"GIT_INDEX_FILE": str(work / "scratch.index")})
    subprocess.run(["git", "read-tree", base], cwd=scratch, check=True, env=env)
    grep = subprocess.run(["git", "grep", "-l", "-w", "-F", *sum((["-e", n] for n in names), []), base, "--",
                           "*.c", "*.h"], cwd=scratch, capture_output=True, text=True, env=env)
    files = sorted({line.split(":", 1)[1] for line in grep.stdout.splitlines()})
    content: dict[str, str] = {}

    def get(path: str) -> str:
        if path not in content:
            content[path] = subprocess.run(["git", "show", f"{base}:{path}"], cwd=scratch, capture_output=True,
                                           check=True).stdout.decode("utf-8", "surrogateescape")
        return content[path]

    parent = base
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for k, (func, change, subject) in enumerate(PLAN, start=1):
        touched = []
        for path in files:
            text = get(path)
            if func not in text:
                continue
            new, n = rewrite(text, func, change)
            if n and new != text:
                content[path] = new
                touched.append(path)
        if not touched:
            raise SystemExit(f"patch {k}: {func}: nothing to change")
        for path in touched:
            blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=scratch, check=True, env=env,
                                  input=content[path].encode("utf-8", "surrogateescape"),
                                  capture_output=True).stdout.decode().strip()
            subprocess.run(["git", "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}"], cwd=scratch,
                           check=True, env=env)
        tree = subprocess.run(["git", "write-tree"], cwd=scratch, check=True, env=env, capture_output=True,
                              text=True).stdout.strip()
        msg = f"{subject}\n\nBenchmark series patch {k}/19: {change[0]} of {func}() in {len(touched)} files.\n\n" \
              f"Signed-off-by: Bench Author <bench@example.com>\n"
        parent = subprocess.run(["git", "commit-tree", tree, "-p", parent, "-m", msg], cwd=scratch, check=True,
                                env=env, capture_output=True, text=True).stdout.strip()
        log(f"  patch {k:2d}: {func}: {change[0]} in {len(touched)} files")
    subprocess.run(["git", "format-patch", "-q", "-o", str(out), f"{base}..{parent}"], cwd=scratch, check=True,
                   env=env)
    stamp.write_text(f"{SERIES_VERSION} {base}")
    shutil.rmtree(scratch, ignore_errors=True)
    (work / "scratch.index").unlink(missing_ok=True)
    return sorted(out.glob("*.patch")), names


# ------------------------------------------------------------------------------------------------
# the benchmark


@dataclass
class Result:
    runs: dict[str, dict] = field(default_factory=dict)
    ratios: dict[str, dict] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)


def kp_env(xdg: Path) -> dict:
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = str(xdg)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--linux", type=Path, default=Path(os.environ.get("KPATCHLINT_LINUX_TREE",
                                                                      "/var/tmp/kpatchlint-linux/linux-source-6.12")))
    ap.add_argument("--git", type=Path, default=Path("/var/tmp/linux-git"))
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "swap-table-p2-v1")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kpatchlint-bench")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2, help="best of N for the short commands")
    ap.add_argument("--quick", action="store_true", help="skip ctags, the whole-tree index and the re-index")
    ap.add_argument("--json", type=Path, help="write the measurements here")
    ap.add_argument("--series-only", action="store_true", help="only generate the series (into WORK/series)")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    ensure_git_copy(a.linux, a.git)
    patches, names = make_series(a.git, a.work)
    assert len(patches) == 19, patches
    if a.series_only:
        print("\n".join(str(p) for p in patches))
        return
    res = Result()
    res.facts = {"machine": f"{os.cpu_count()} CPUs", "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
                 "patches": str(len(patches)), "names": " ".join(names)}
    R: dict[str, Run] = {}

    def rec(key: str, r: Run) -> Run:
        R[key] = r
        res.runs[key] = {k: v for k, v in asdict(r).items() if k != "stderr_tail"}
        log(f"{key}: {r.wall:.2f} s wall, {r.cpu:.2f} s CPU, RSS {r.tree_rss_mb:.0f} MB (tree) / "
            f"{r.max_rss_mb:.0f} MB (largest){'  ' + r.note if r.note else ''}")
        return r

    rep = max(1, a.repeat)
    # --- checkpatch, git grep ----------------------------------------------------------------
    # checkpatch as developers run it in their tree (`./scripts/checkpatch.pl 00*.patch`: it reads
    # the tree, and in a git tree asks git about commits), and with --no-tree (the patches alone)
    rec("checkpatch", best([run("checkpatch", ["perl", "scripts/checkpatch.pl", "-q", *patches],
                                cwd=a.linux, ok=range(256)) for _ in range(rep)]))
    rec("checkpatch_git", best([run("checkpatch in git tree", ["perl", "scripts/checkpatch.pl", "-q", *patches],
                                    cwd=a.git, ok=range(256)) for _ in range(rep)]))
    rec("checkpatch_notree", best([run("checkpatch --no-tree", ["perl", "scripts/checkpatch.pl", "--no-tree", "-q",
                                                                *patches], cwd=a.linux, ok=range(256))
                                   for _ in range(rep)]))
    real = a.corpus / "series.mbox"
    if real.is_file():
        # the real swap-table series: kpatchlint without a tree (no tree at its base exists here)
        rec("checkpatch_real", best([run("checkpatch --no-tree, real series", ["perl", "scripts/checkpatch.pl",
                                                                              "--no-tree", "-q", str(real)],
                                         cwd=a.linux, ok=range(256)) for _ in range(rep)]))
        rec("check_real_diffonly", best([run("check real series, diff-only", [*KPATCHLINT, "check", str(real),
                                                                             "--no-cache", "-o", os.devnull],
                                             env=kp_env(a.work / "xdg-real")) for _ in range(rep)]))
    grep_cmd = ["git", "grep", "-n", "-w", "-F", *sum((["-e", n] for n in names), []), "--", "*.c", "*.h"]
    rec("git_grep", best([run("git grep", grep_cmd, cwd=a.git) for _ in range(rep)]))
    # --- kpatchlint check: cold and warm, git checkout and plain directory --------------------
    for label, tree_args in (("git", ["--tree", str(a.git), "--base", "HEAD"]), ("dir", ["--tree", str(a.linux)])):
        cold_runs = []
        for i in range(rep):
            xdg = a.work / f"xdg-cold-{label}-{i}"
            shutil.rmtree(xdg, ignore_errors=True)
            cold_runs.append(run(f"check cold {label}", [*KPATCHLINT, "check", str(patches[0].parent), *tree_args,
                                                         "--no-cache", "--stats", "-j", str(a.jobs),
                                                         "-o", str(a.work / f"out-{label}.txt")],
                                 env=kp_env(xdg)))
        r = rec(f"check_cold_{label}", best(cold_runs))
        r.note = _stats(r.stderr_tail)
        res.runs[f"check_cold_{label}"]["note"] = r.note
        xdg = a.work / f"xdg-warm-{label}"
        shutil.rmtree(xdg, ignore_errors=True)
        first = run(f"check fill {label}", [*KPATCHLINT, "check", str(patches[0].parent), *tree_args, "--stats",
                                            "-j", str(a.jobs), "-o", str(a.work / f"out-{label}-fill.txt")],
                    env=kp_env(xdg))
        rec(f"check_fill_{label}", first)
        r = rec(f"check_warm_{label}", best([run(f"check warm {label}", [*KPATCHLINT, "check", str(patches[0].parent),
                                                                         *tree_args, "--stats", "-j", str(a.jobs),
                                                                         "-o", str(a.work / f"out-{label}-warm.txt")],
                                                 env=kp_env(xdg)) for _ in range(rep)]))
        r.note = _stats(r.stderr_tail)
        res.runs[f"check_warm_{label}"]["note"] = r.note
        same = (a.work / f"out-{label}.txt").read_text() == (a.work / f"out-{label}-warm.txt").read_text()
        # the same with every finding computed again (--fresh: facts and grep answers cached)
        r = rec(f"check_warmfacts_{label}", best([run(f"check warm --fresh {label}",
                                                      [*KPATCHLINT, "check", str(patches[0].parent), *tree_args,
                                                       "--fresh", "--stats", "-j", str(a.jobs),
                                                       "-o", str(a.work / f"out-{label}-fresh.txt")],
                                                      env=kp_env(xdg)) for _ in range(rep)]))
        r.note = _stats(r.stderr_tail)
        res.runs[f"check_warmfacts_{label}"]["note"] = r.note
        same = same and (a.work / f"out-{label}.txt").read_text() == (a.work / f"out-{label}-fresh.txt").read_text()
        res.facts[f"warm_equals_cold_{label}"] = str(same)
    rec("python_startup", best([run("kpatchlint version", [*KPATCHLINT, "version"], env=kp_env(a.work / "xdg-x"))
                                for _ in range(rep)]))
    # --- ctags and the index -------------------------------------------------------------------
    if not a.quick:
        tags = a.work / "tags"
        rec("ctags", run("ctags", ["ctags", "-R", "--langmap=C:+.h", "-f", str(tags), "."], cwd=a.linux))
        tags.unlink(missing_ok=True)
        xdg = a.work / "xdg-index"
        shutil.rmtree(xdg, ignore_errors=True)
        r = rec("index", run("kpatchlint index", [*KPATCHLINT, "index", "--tree", str(a.linux), "-j", str(a.jobs),
                                                  "--no-progress"], env=kp_env(xdg)))
        r.note = r.stderr_tail.strip().splitlines()[-1] if r.stderr_tail.strip() else ""
        res.runs["index"]["note"] = r.note
        # a cold check with a fresh index (facts cached by the index, names from the index)
        r = rec("check_indexed_dir", run("check with index", [*KPATCHLINT, "check", str(patches[0].parent), "--tree",
                                                              str(a.linux), "--stats", "-j", str(a.jobs), "-o",
                                                              str(a.work / "out-indexed.txt")], env=kp_env(xdg)))
        r.note = _stats(r.stderr_tail)
        res.runs["check_indexed_dir"]["note"] = r.note
        # re-index after changing 1 % of the files, in a hard-linked copy (the tree itself stays as it is)
        copy = a.work / "linux-copy"
        if not copy.exists():
            subprocess.run(["cp", "-al", str(a.linux), str(copy)], check=True)
        rec("index_copy", run("index copy", [*KPATCHLINT, "index", "--tree", str(copy), "-j", str(a.jobs),
                                             "--no-progress"], env=kp_env(xdg)))
        changed = _change_one_percent(copy)
        time.sleep(1.0)
        r = rec("reindex_1pct", run("re-index 1%", [*KPATCHLINT, "index", "--tree", str(copy), "-j", str(a.jobs),
                                                     "--no-progress"], env=kp_env(xdg)))
        r.note = f"{changed} files changed; " + (r.stderr_tail.strip().splitlines()[-1] if r.stderr_tail.strip() else "")
        res.runs["reindex_1pct"]["note"] = r.note
    # --- ratios ------------------------------------------------------------------------------------
    def ratio(key: str, num: str, den: str | None, target: float, unit: str = "x") -> None:
        if num not in R or (den is not None and den not in R):
            return
        v = R[num].wall / R[den].wall if den else R[num].wall
        res.ratios[key] = {"value": round(v, 3), "target": target, "unit": unit, "met": v <= target}

    ratio("check cold, git  / checkpatch (git tree)", "check_cold_git", "checkpatch_git", 0.7)
    ratio("check cold, dir  / checkpatch (tree)", "check_cold_dir", "checkpatch", 1.0)
    ratio("check cold, git  / checkpatch --no-tree", "check_cold_git", "checkpatch_notree", 0.7)
    ratio("check cold, dir  / checkpatch --no-tree", "check_cold_dir", "checkpatch_notree", 1.0)
    ratio("real series diff-only / checkpatch --no-tree", "check_real_diffonly", "checkpatch_real", 1.0)
    ratio("check warm, git  / git grep", "check_warm_git", "git_grep", 0.3)
    ratio("check warm, dir  / git grep", "check_warm_dir", "git_grep", 0.3)
    ratio("check warm, git (s)", "check_warm_git", None, 1.5, "s")
    ratio("check warm, dir (s)", "check_warm_dir", None, 1.5, "s")
    ratio("check warm --fresh, git / git grep", "check_warmfacts_git", "git_grep", 0.3)
    ratio("check warm --fresh, dir / git grep", "check_warmfacts_dir", "git_grep", 0.3)
    ratio("check warm --fresh, git (s)", "check_warmfacts_git", None, 1.5, "s")
    ratio("check warm --fresh, dir (s)", "check_warmfacts_dir", None, 1.5, "s")
    ratio("index / ctags", "index", "ctags", 1.5)
    ratio("re-index 1% (s)", "reindex_1pct", None, 10.0, "s")
    for key, limit in (("check_cold_git", 1024), ("check_cold_dir", 1024), ("check_warm_git", 1024),
                       ("check_warm_dir", 1024), ("index", 2048)):
        if key in R:
            v = R[key].tree_rss_mb
            res.ratios[f"RSS {key} (MB)"] = {"value": round(v), "target": limit, "unit": "MB", "met": v < limit}
    res.facts["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    _print(res, R)
    if a.json:
        a.json.write_text(json.dumps(asdict(res), indent=2))


def _stats(stderr: str) -> str:
    m = re.search(r"kpatchlint: stats: (\{.*\})", stderr)
    return m.group(1) if m else ""


def _change_one_percent(root: Path) -> int:
    """Rewrite 1 % of the .c files (a new file replaces the hard link: the original tree stays)."""
    files = sorted(str(p) for p in root.rglob("*.c") if not p.is_symlink())
    total = sum(1 for p in root.rglob("*.[ch]") if not p.is_symlink())
    rnd = random.Random(1)
    pick = rnd.sample(files, max(1, total // 100))
    for i, p in enumerate(pick):
        data = Path(p).read_bytes() + f"\nint kpatchlint_bench_fn_{i}(void) {{ return bench_callee_{i}(1); }}\n".encode()
        tmp = Path(p + ".kpnew")
        tmp.write_bytes(data)
        os.replace(tmp, p)
    return len(pick)


def _print(res: Result, R: dict[str, Run]) -> None:
    w = sys.stdout.write
    w(f"\nkpatchlint benchmark ({res.facts.get('machine')}, load {res.facts.get('load_before')} -> "
      f"{res.facts.get('load_after')})\n\n")
    w(f"{'command':24s} {'wall s':>8s} {'CPU s':>8s} {'RSS MB':>8s}  note\n")
    for key, r in R.items():
        w(f"{key:24s} {r.wall:8.2f} {r.cpu:8.2f} {r.tree_rss_mb:8.0f}  {r.note[:150]}\n")
    w(f"\n{'target':46s} {'measured':>10s} {'target':>8s}  met\n")
    for key, v in res.ratios.items():
        w(f"{key:46s} {v['value']:>10} {('<= ' if v['unit'] != 'MB' else '< ') + str(v['target']):>8s}  "
          f"{'yes' if v['met'] else 'NO'}\n")
    for k in ("warm_equals_cold_git", "warm_equals_cold_dir"):
        if k in res.facts:
            w(f"{k}: {res.facts[k]}\n")


if __name__ == "__main__":
    main()
