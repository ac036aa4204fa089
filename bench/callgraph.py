#!/usr/bin/env python3
"""`kpatchlint callgraph FUNC --tree T` next to `git grep -n FUNC` in the same run.

    python bench/callgraph.py                                  # __read_swap_cache_async, /var/tmp/linux-git
    python bench/callgraph.py --tree $KPATCHLINT_LINUX_TREE --func folio_add_lru --repeat 3

Three kpatchlint runs: cold (--no-cache: search the tree, parse the files found), warm (the
second run with the cache: names and facts from the cache) and, when --index-cache points at
an XDG_CACHE_HOME holding a `kpatchlint index` of the tree, with that index.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_bench import KPATCHLINT, best, kp_env, run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", type=Path, default=Path("/var/tmp/linux-git"))
    ap.add_argument("--func", default="__read_swap_cache_async")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kpatchlint-bench")
    ap.add_argument("--index-cache", type=Path, help="an XDG_CACHE_HOME with a `kpatchlint index` of --tree")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    rep = max(1, a.repeat)
    git = ["git", "grep", "-n", a.func] if (a.tree / ".git").exists() else ["grep", "-rn", "--include=*.[ch]", a.func, "."]
    rows = [("git grep -n" if git[0] == "git" else "grep -rn", best([run("grep", git, cwd=a.tree) for _ in range(rep)]))]
    cold = []
    for i in range(rep):
        xdg = a.work / f"xdg-cg-cold-{i}"
        shutil.rmtree(xdg, ignore_errors=True)
        cold.append(run("callgraph cold", [*KPATCHLINT, "callgraph", a.func, "--tree", str(a.tree), "--no-cache"],
                        env={**kp_env(xdg), "KPATCHLINT_NO_CACHE": "1"}))
    rows.append(("callgraph --no-cache", best(cold)))
    xdg = a.work / "xdg-cg-warm"
    shutil.rmtree(xdg, ignore_errors=True)
    run("callgraph fill", [*KPATCHLINT, "callgraph", a.func, "--tree", str(a.tree)], env=kp_env(xdg))
    rows.append(("callgraph warm", best([run("callgraph warm", [*KPATCHLINT, "callgraph", a.func, "--tree", str(a.tree)],
                                             env=kp_env(xdg)) for _ in range(rep)])))
    if a.index_cache:
        rows.append(("callgraph with index", best([run("callgraph index", [*KPATCHLINT, "callgraph", a.func, "--tree",
                                                                           str(a.tree)], env=kp_env(a.index_cache))
                                                   for _ in range(rep)])))
    base = rows[0][1].wall
    print(f"\n{a.func} in {a.tree} (load {' '.join(f'{x:.1f}' for x in os.getloadavg())})\n")
    print(f"{'command':24s} {'wall s':>8s} {'CPU s':>8s} {'RSS MB':>8s} {'x grep':>8s}")
    for name, r in rows:
        print(f"{name:24s} {r.wall:8.2f} {r.cpu:8.2f} {r.tree_rss_mb:8.0f} {r.wall / base:8.2f}")


if __name__ == "__main__":
    main()
