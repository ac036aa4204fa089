"""Snapshots replay a fixture series patch by patch, in memory, with and without a tree."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kpatchlint.series import load_series
from kpatchlint.series.model import Hunk, HunkLine
from kpatchlint.tree import DirTree, build_snapshots
from kpatchlint.tree.apply import Sparse, apply_full, apply_sparse

FIX = Path(__file__).resolve().parents[2] / "fixtures"
TREE = FIX / "trees" / "swap"


def _tree_hash(root: Path) -> str:
    h = hashlib.sha1()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_swap_clean_snapshots_match_the_story() -> None:
    before = _tree_hash(TREE)
    series = load_series(str(FIX / "series" / "swap-clean" / "series.mbox"))
    snaps, problems = build_snapshots(series, DirTree(TREE))
    assert problems == []
    assert len(snaps) == 5
    # base: the 6-parameter prototype (fixtures/trees/swap/mm/swap.h:28-30)
    base_h = snaps[0].state("mm/swap.h")
    assert base_h.line(28).startswith("struct folio *swap_cache_alloc_folio(swp_entry_t entry, gfp_t gfp_mask,")
    assert "skip_if_exists" in base_h.line(30)
    # after 1/4: swap_cache_update_ra renamed everywhere (STORY: callers memory.c:187, shmem.c:110)
    s1 = snaps[1]
    assert "swap_update_readahead" in s1.state("mm/memory.c").line(187)
    assert "swap_update_readahead" in s1.state("mm/shmem.c").line(110)
    assert all("swap_cache_update_ra" not in "\n".join(s1.state(p).lines)
               for p in ("mm/memory.c", "mm/shmem.c", "mm/swap.h", "mm/swap_state.c"))
    # after 2/4: include/linux/swap.h:42 prototype gains `int nr`
    assert snaps[2].state("include/linux/swap.h").line(42) == "int swap_duplicate(swp_entry_t entry, int nr);"
    assert snaps[2].state("mm/memory.c").line(25).strip().endswith("swap_duplicate(entry, 1);") or \
        "swap_duplicate(entry, 1)" in snaps[2].state("mm/memory.c").line(25)
    # after 3/4: prototype ends at line 30 with `bool *new_page_allocated);`, the zswap call loses `true`
    s3 = snaps[3]
    assert s3.state("mm/swap.h").line(30).strip() == "bool *new_page_allocated);"
    assert s3.state("mm/swap_state.c").line(222).strip() == \
        "result = __swap_cache_prepare_and_add(entry, folio, gfp_mask, false);"
    assert s3.state("mm/swap_state.c").line(247).strip().endswith("__swap_cache_prepare_and_add(entry, folio, 0, true);")
    zs = "\n".join(s3.state("mm/zswap.c").lines)
    assert "&folio_was_allocated, true" not in zs and "&folio_was_allocated);" in zs
    # earlier snapshots are untouched by later patches (copy-on-write)
    assert "skip_if_exists" in snaps[2].state("mm/swap.h").line(30)
    # and the tree on disk never changes
    assert _tree_hash(TREE) == before


def test_diff_only_knowledge_agrees_with_the_full_tree() -> None:
    """Every line diff-only mode claims to know must be the line the full replay has."""
    for name in ("swap-clean", "swap-stale", "mut-split-change"):
        series = load_series(str(FIX / "series" / name / "series.mbox"))
        full, _ = build_snapshots(series, DirTree(TREE))
        sparse, _ = build_snapshots(series, None)
        checked = 0
        for k in range(len(full)):
            for path, st_ in sparse[k].changed.items():
                if st_ is None or st_.sparse is None:
                    continue
                ref = full[k].state(path)
                for n, text in st_.sparse.lines.items():
                    assert ref.line(n) == text, (name, k, path, n)
                    checked += 1
        assert checked > 100


def test_hunk_that_does_not_apply_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    tree = tmp_path / "t"
    (tree / "mm").mkdir(parents=True)
    (tree / "mm" / "a.c").write_text("int a(void)\n{\n\treturn 1;\n}\n")
    patch = tmp_path / "0001.patch"
    patch.write_text(
        "From: A <a@example.org>\nSubject: [PATCH] x\n\n---\n"
        "diff --git a/mm/a.c b/mm/a.c\n--- a/mm/a.c\n+++ b/mm/a.c\n"
        "@@ -1,4 +1,4 @@\n int a(void)\n {\n-\treturn 2;\n+\treturn 3;\n }\n")
    series = load_series(str(patch))
    snaps, problems = build_snapshots(series, DirTree(tree))
    assert len(problems) == 1 and problems[0].path == "mm/a.c" and problems[0].hunk == 1
    assert snaps[1].state("mm/a.c").partial


def test_offset_application_like_git_apply() -> None:
    lines = ["x"] * 10 + ["a", "b", "c"] + ["y"] * 5
    h = Hunk(1, 3, 1, 3, "", (HunkLine(" ", "a", 1, 1), HunkLine("-", "b", 2, None),
                             HunkLine("+", "B", None, 2), HunkLine(" ", "c", 3, 3)))
    res = apply_full(lines, (h,))
    assert not res.failures and res.offsets == [10]
    assert res.lines[10:13] == ["a", "B", "c"]


def _diff(old: list[str], new: list[str]) -> tuple[Hunk, ...]:
    import difflib

    hunks = []
    sm = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for group in sm.get_grouped_opcodes(2):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        hl = []
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                hl += [HunkLine(" ", old[a], a + 1, b1 + (a - a1) + 1) for a in range(a1, a2)]
            if tag in ("replace", "delete"):
                hl += [HunkLine("-", old[a], a + 1, None) for a in range(a1, a2)]
            if tag in ("replace", "insert"):
                hl += [HunkLine("+", new[b], None, b + 1) for b in range(b1, b2)]
        ol, nl = i2 - i1, j2 - j1
        hunks.append(Hunk(i1 + 1 if ol else i1, ol, j1 + 1 if nl else j1, nl, "", tuple(hl)))
    return tuple(hunks)


lines_st = st.lists(st.sampled_from(["a", "b", "c", "int x;", "}", "{", ""]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(old=lines_st, new=lines_st)
def test_apply_then_reverse_gives_back_the_original(old: list[str], new: list[str]) -> None:
    fwd = _diff(old, new)
    res = apply_full(old, fwd)
    assert not res.failures and res.lines == new
    back = apply_full(new, _diff(new, old))
    assert back.lines == old
    # sparse application agrees with full application on every line it knows
    sp = Sparse({i + 1: t for i, t in enumerate(old) if random.random() < 0.5})
    out = apply_sparse(sp, fwd)
    for n, t in out.lines.items():
        assert new[n - 1] == t
