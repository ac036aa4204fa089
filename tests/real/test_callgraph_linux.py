"""`kpatchlint callgraph` on linux-6.12: the real call sites of __read_swap_cache_async, read
from the tree by hand (grep -rn and reading mm/swap_state.c, mm/zswap.c)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kpatchlint.cli import app

# (caller, file:line, last argument) checked by reading linux-6.12
DIRECT = {
    ("read_swap_cache_async", "mm/swap_state.c:568", "false"),
    ("swap_cluster_readahead", "mm/swap_state.c:684", "false"),
    ("swap_cluster_readahead", "mm/swap_state.c:703", "false"),
    ("swap_vma_readahead", "mm/swap_state.c:833", "false"),
    ("swap_vma_readahead", "mm/swap_state.c:853", "false"),
    ("zswap_writeback_entry", "mm/zswap.c:1070", "true"),
}
DEPTH2 = {
    ("swapin_walk_pmd_entry", "mm/madvise.c:209"),
    ("shmem_swapin_range", "mm/madvise.c:254"),
    ("shmem_swapin_cluster", "mm/shmem.c:1668"),
    ("swapin_readahead", "mm/swap_state.c:882"),
    ("swapin_readahead", "mm/swap_state.c:881"),
    ("shrink_memcg_cb", "mm/zswap.c:1209"),
}


def test_callgraph_json_lists_exactly_the_real_call_sites(linux_tree: Path) -> None:
    res = CliRunner().invoke(app, ["callgraph", "__read_swap_cache_async", "--tree", str(linux_tree),
                                   "--format", "json", "--depth", "2"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    level1 = {(s["caller"], f"{s['file']}:{s['line']}", s["args"][-1]) for s in doc["call_sites"] if s["level"] == 1}
    assert level1 == DIRECT
    assert all(len(s["args"]) == 6 for s in doc["call_sites"] if s["level"] == 1)
    level2 = {(s["caller"], f"{s['file']}:{s['line']}") for s in doc["call_sites"] if s["level"] == 2}
    assert level2 == DEPTH2
    kinds = {(s["kind"], s["file"]) for s in doc["signatures"]}
    assert kinds == {("prototype", "mm/swap.h"), ("definition", "mm/swap_state.c")}


def test_callgraph_text_aligns_arguments_under_parameters(linux_tree: Path) -> None:
    res = CliRunner().invoke(app, ["callgraph", "__read_swap_cache_async", "--tree", str(linux_tree)])
    assert res.exit_code == 0
    lines = res.output.splitlines()
    head = next(line for line in lines if "skip_if_exists" in line and "caller" in line)
    col = head.index("skip_if_exists")
    zswap = next(line for line in lines if "zswap_writeback_entry" in line)
    assert zswap[col:].split()[0] == "true"
