"""`kpatchlint callgraph` on linux-6.12: the real call sites of __read_swap_cache_async, read
from the tree by hand (grep -rn and reading mm/swap_state.c, mm/zswap.c), named by their text."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kpatchlint.cli import app
from tests.helpers import line_of

# (caller, file, text of the call's first line, which occurrence, last argument), checked by
# reading linux-6.12; lines are looked up by their text (stable updates of the package move them)
DIRECT = [
    ("read_swap_cache_async", "mm/swap_state.c", "folio = __read_swap_cache_async(entry, gfp_mask, mpol, ilx,", 1, "false"),
    ("swap_cluster_readahead", "mm/swap_state.c", "folio = __read_swap_cache_async(", 2, "false"),
    ("swap_cluster_readahead", "mm/swap_state.c", "folio = __read_swap_cache_async(entry, gfp_mask, mpol, ilx,", 2, "false"),
    ("swap_vma_readahead", "mm/swap_state.c", "folio = __read_swap_cache_async(entry, gfp_mask, mpol, ilx,", 3, "false"),
    ("swap_vma_readahead", "mm/swap_state.c", "folio = __read_swap_cache_async(targ_entry, gfp_mask, mpol, targ_ilx,", 1, "false"),
    ("zswap_writeback_entry", "mm/zswap.c", "folio = __read_swap_cache_async(swpentry, GFP_KERNEL, mpol,", 1, "true"),
]
DEPTH2 = [
    ("swapin_walk_pmd_entry", "mm/madvise.c", "folio = read_swap_cache_async(entry, GFP_HIGHUSER_MOVABLE,", 1),
    ("shmem_swapin_range", "mm/madvise.c", "folio = read_swap_cache_async(entry, mapping_gfp_mask(mapping),", 1),
    ("shmem_swapin_cluster", "mm/shmem.c", "folio = swap_cluster_readahead(swap, gfp, mpol, ilx);", 1),
    ("swapin_readahead", "mm/swap_state.c", "swap_vma_readahead(entry, gfp_mask, mpol, ilx, vmf) :", 1),
    ("swapin_readahead", "mm/swap_state.c", "swap_cluster_readahead(entry, gfp_mask, mpol, ilx);", 1),
    ("shrink_memcg_cb", "mm/zswap.c", "writeback_result = zswap_writeback_entry(entry, swpentry);", 1),
]


def test_callgraph_json_lists_exactly_the_real_call_sites(linux_tree: Path) -> None:
    res = CliRunner().invoke(app, ["callgraph", "__read_swap_cache_async", "--tree", str(linux_tree),
                                   "--format", "json", "--depth", "2"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    level1 = {(s["caller"], f"{s['file']}:{s['line']}", s["args"][-1]) for s in doc["call_sites"] if s["level"] == 1}
    assert level1 == {(c, f"{p}:{line_of(linux_tree, p, t, n)}", a) for c, p, t, n, a in DIRECT}
    assert all(len(s["args"]) == 6 for s in doc["call_sites"] if s["level"] == 1)
    level2 = {(s["caller"], f"{s['file']}:{s['line']}") for s in doc["call_sites"] if s["level"] == 2}
    assert level2 == {(c, f"{p}:{line_of(linux_tree, p, t, n)}") for c, p, t, n in DEPTH2}
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
