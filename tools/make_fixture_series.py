#!/usr/bin/env python3
"""Regenerate the fixture patch series (fixtures/series/*/series.mbox) from fixtures/trees/swap.

A series is a list of steps; a step is one commit, made by exact string
replacements in a scratch copy of the tree (a replacement that does not match
exactly once is an error, so a drifting tree cannot silently produce a
different series). The script commits the tree as the base, applies the steps
and writes the output of

    git format-patch --stdout --cover-letter --thread=shallow --base=<base>

with fixed dates and rewritten Message-Ids, so regenerating gives
byte-identical files. Every mbox is then checked by `git am` of patches 1..N
into a fresh copy of the base tree, and the tree after each patch is compared
with the tree the step produced.

Usage:
    tools/make_fixture_series.py                  regenerate every series
    tools/make_fixture_series.py NAME...          regenerate only these series
    tools/make_fixture_series.py --check          compare fresh output with the committed files
    tools/make_fixture_series.py --dump-trees DIR also write the tree after every patch
                                                  to DIR/<series>/<k>/ (k = 0 is the base)

STORY.md files are written by hand: after changing the tree or a step, re-read
the mbox and update the line numbers there.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "fixtures" / "trees" / "swap"
OUT = ROOT / "fixtures" / "series"
TREE_IGNORE = ("README.md",)

NAME = "Ada Dev"
EMAIL = "ada@example.org"
SIGNOFF = f"Signed-off-by: {NAME} <{EMAIL}>"
BRANCH = "fixture"
BASE_TIME = 1736157600  # 2025-01-06 10:00:00 UTC; patch k is dated BASE_TIME + k minutes
SIGNATURE = "kpatchlint-fixtures"


class FixtureError(Exception):
    pass


# --------------------------------------------------------------------------- editing


class Edit:
    """Exact-match string replacement in the scratch tree."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def replace(self, path: str, old: str, new: str, count: int = 1) -> None:
        file = self.root / path
        text = file.read_text(encoding="utf-8")
        found = text.count(old)
        if found != count:
            raise FixtureError(f"{path}: expected {count} match(es) of {old!r}, found {found}")
        file.write_text(text.replace(old, new), encoding="utf-8")


@dataclass(frozen=True)
class Step:
    subject: str
    body: str
    edit: Callable[[Edit], None]

    @property
    def message(self) -> str:
        return f"{self.subject}\n\n{self.body.strip()}\n\n{SIGNOFF}\n"


@dataclass(frozen=True)
class Series:
    name: str
    title: str
    blurb: str
    steps: tuple[Step, ...]


# --------------------------------------------------------------------------- steps
#
# Strings below use \t for tabs so that the alignment of continuation lines is
# visible: "\t\t\t\t     " is four tabs and five spaces.

# -- rename swap_cache_update_ra() -> swap_update_readahead()

RENAME_CALLERS = {
    "mm/memory.c": "\t\tswap_cache_update_ra(folio, vma, vmf->address);\n",
    "mm/shmem.c": "\t\tswap_cache_update_ra(folio, NULL, 0);\n",
    "mm/swapfile.c": "\t\tswap_cache_update_ra(folio, vma, addr);\n",
}


def step_rename(leave_caller: str | None = None) -> Step:
    def edit(t: Edit) -> None:
        t.replace(
            "mm/swap.h",
            "void swap_cache_update_ra(struct folio *folio, struct vm_area_struct *vma,\n"
            "\t\t\t  unsigned long addr);\n",
            "void swap_update_readahead(struct folio *folio, struct vm_area_struct *vma,\n"
            "\t\t\t   unsigned long addr);\n",
        )
        t.replace(
            "mm/swap.h",
            "static inline void swap_cache_update_ra(struct folio *folio,\n"
            "\t\t\t\t\tstruct vm_area_struct *vma,\n"
            "\t\t\t\t\tunsigned long addr)\n",
            "static inline void swap_update_readahead(struct folio *folio,\n"
            "\t\t\t\t\t struct vm_area_struct *vma,\n"
            "\t\t\t\t\t unsigned long addr)\n",
        )
        t.replace(
            "mm/swap_state.c",
            " * swap_cache_update_ra - account a swap cache hit for readahead sizing.\n",
            " * swap_update_readahead - account a swap cache hit for readahead sizing.\n",
        )
        t.replace(
            "mm/swap_state.c",
            "void swap_cache_update_ra(struct folio *folio, struct vm_area_struct *vma,\n"
            "\t\t\t  unsigned long addr)\n",
            "void swap_update_readahead(struct folio *folio, struct vm_area_struct *vma,\n"
            "\t\t\t   unsigned long addr)\n",
        )
        for path, line in RENAME_CALLERS.items():
            if path != leave_caller:
                t.replace(path, line, line.replace("swap_cache_update_ra", "swap_update_readahead"))

    return Step(
        "mm/swap: rename swap_cache_update_ra() to swap_update_readahead()",
        """
The helper does not touch the swap cache at all: it only feeds the
readahead window heuristics when a lookup hits a folio that was read
ahead. Name it after what it does.

No functional change.
""",
        edit,
    )


# -- swap_duplicate(entry) -> swap_duplicate(entry, nr)


def _swap_duplicate_decl(t: Edit) -> None:
    t.replace(
        "include/linux/swap.h",
        "int swap_duplicate(swp_entry_t entry);\n",
        "int swap_duplicate(swp_entry_t entry, int nr);\n",
    )
    t.replace(
        "include/linux/swap.h",
        "static inline int swap_duplicate(swp_entry_t entry)\n",
        "static inline int swap_duplicate(swp_entry_t entry, int nr)\n",
    )
    t.replace(
        "mm/swapfile.c",
        "/**\n"
        " * swap_duplicate - take one more reference on a swap slot.\n"
        " * @entry: the swap slot.\n"
        " *\n"
        " * Return: 0 on success, -ENOENT if the slot is free, -ENOMEM if its count\n"
        " * is saturated.\n"
        " */\n"
        "int swap_duplicate(swp_entry_t entry)\n",
        "/**\n"
        " * swap_duplicate - take one more reference on consecutive swap slots.\n"
        " * @entry: the first swap slot.\n"
        " * @nr: the number of slots, from @entry on.\n"
        " *\n"
        " * Either all slots gain a reference or none does.\n"
        " *\n"
        " * Return: 0 on success, -ENOENT if a slot is free, -ENOMEM if a count\n"
        " * is saturated.\n"
        " */\n"
        "int swap_duplicate(swp_entry_t entry, int nr)\n",
    )
    t.replace(
        "mm/swapfile.c",
        "\terr = swap_range_get(si, swp_offset(entry), 1);\n",
        "\terr = swap_range_get(si, swp_offset(entry), nr);\n",
    )


def _swap_duplicate_callers(t: Edit) -> None:
    t.replace("mm/memory.c", "\terr = swap_duplicate(entry);\n", "\terr = swap_duplicate(entry, 1);\n")
    t.replace(
        "mm/shmem.c",
        "\tint i, err;\n"
        "\n"
        "\tfor (i = 0; i < nr_pages; i++) {\n"
        "\t\terr = swap_duplicate(swp_entry(swp_type(swap),\n"
        "\t\t\t\t\t       swp_offset(swap) + i));\n"
        "\t\tif (err)\n"
        "\t\t\tgoto undo;\n"
        "\t}\n"
        "\tinfo->swapped += nr_pages;\n"
        "\treturn 0;\n"
        "\n"
        "undo:\n"
        "\tif (i)\n"
        "\t\tswap_free_nr(swap, i);\n"
        "\treturn err;\n",
        "\tint err;\n"
        "\n"
        "\terr = swap_duplicate(swap, nr_pages);\n"
        "\tif (err)\n"
        "\t\treturn err;\n"
        "\tinfo->swapped += nr_pages;\n"
        "\treturn 0;\n",
    )


SWAP_DUPLICATE_BODY = """
Callers that need references on a range of slots loop over the slots
and have to undo the ones already taken when one fails. Let
swap_duplicate() take the number of slots instead: it checks them all
under the device lock before taking any reference, so a failure leaves
nothing to undo.

Convert the two callers: fork copies one PTE at a time and passes 1,
shmem passes its whole range and loses its undo path.
"""


def step_nr() -> Step:
    def edit(t: Edit) -> None:
        _swap_duplicate_decl(t)
        _swap_duplicate_callers(t)

    return Step("mm/swap: let swap_duplicate() take a number of slots", SWAP_DUPLICATE_BODY, edit)


def step_nr_decl_only() -> Step:
    return Step(
        "mm/swap: let swap_duplicate() take a number of slots",
        """
Callers that need references on a range of slots loop over the slots
and have to undo the ones already taken when one fails. Let
swap_duplicate() take the number of slots instead: it checks them all
under the device lock before taking any reference, so a failure leaves
nothing to undo.

The callers are converted by the next patch.
""",
        _swap_duplicate_decl,
    )


def step_nr_callers_only() -> Step:
    return Step(
        "mm: convert swap_duplicate() callers to the nr argument",
        """
Fork copies one PTE at a time and passes 1; shmem passes its whole
range and loses its undo path.
""",
        _swap_duplicate_callers,
    )


# -- remove the skip_if_exists workaround

# The callers of swap_cache_alloc_folio() in mm/swap_state.c, as (old, new) text.
ALLOC_CALLERS = {
    "read_swap_cache_async": (
        "\tfolio = swap_cache_alloc_folio(entry, gfp_mask, mpol, ilx,\n"
        "\t\t\t\t       &page_allocated, false);\n"
        "\tmpol_cond_put(mpol);\n",
        "\tfolio = swap_cache_alloc_folio(entry, gfp_mask, mpol, ilx,\n"
        "\t\t\t\t       &page_allocated);\n"
        "\tmpol_cond_put(mpol);\n",
    ),
    "swap_cluster_readahead:loop": (
        "\t\t\t\t\t       gfp_mask, mpol, ilx + i - offset,\n"
        "\t\t\t\t\t       &page_allocated, false);\n",
        "\t\t\t\t\t       gfp_mask, mpol, ilx + i - offset,\n"
        "\t\t\t\t\t       &page_allocated);\n",
    ),
    "swap_cluster_readahead:skip": (
        "\tfolio = swap_cache_alloc_folio(entry, gfp_mask, mpol, ilx,\n"
        "\t\t\t\t       &page_allocated, false);\n"
        "\tif (unlikely(page_allocated))\n",
        "\tfolio = swap_cache_alloc_folio(entry, gfp_mask, mpol, ilx,\n"
        "\t\t\t\t       &page_allocated);\n"
        "\tif (unlikely(page_allocated))\n",
    ),
    # This continuation line is one space off in the base tree; the patch
    # re-aligns it while dropping the argument.
    "swap_vma_readahead:loop": (
        "\t\tfolio = swap_cache_alloc_folio(entry, gfp_mask, mpol, ilx,\n"
        "\t\t\t\t\t\t&page_allocated, false);\n",
        "\t\tfolio = swap_cache_alloc_folio(entry, gfp_mask, mpol, ilx,\n"
        "\t\t\t\t\t       &page_allocated);\n",
    ),
    "swap_vma_readahead:skip": (
        "\tfolio = swap_cache_alloc_folio(targ_entry, gfp_mask, mpol, targ_ilx, &page_allocated, false);\n",
        "\tfolio = swap_cache_alloc_folio(targ_entry, gfp_mask, mpol, targ_ilx, &page_allocated);\n",
    ),
}


def step_skip(
    forget_zswap: bool = False,
    keep_stub: bool = False,
    keep_doc: bool = False,
    leave_caller: str | None = None,
) -> Step:
    def edit(t: Edit) -> None:
        t.replace(
            "mm/swap.h",
            "\t\t\t\t     bool *new_page_allocated, bool skip_if_exists);\n",
            "\t\t\t\t     bool *new_page_allocated);\n",
        )
        if not keep_stub:
            t.replace(
                "mm/swap.h",
                "\t\t\tbool *new_page_allocated, bool skip_if_exists)\n",
                "\t\t\tbool *new_page_allocated)\n",
            )
        # __swap_cache_prepare_and_add(): doc, definition, use.
        t.replace(
            "mm/swap_state.c",
            " * @charged: true if the caller has already charged @folio to a memcg.\n"
            " * @skip_if_exists: if the slot is being cached by another task, fail\n"
            " *                  instead of returning that task's folio.\n"
            " *                  This is a workaround that will be removed shortly.\n",
            " * @charged: true if the caller has already charged @folio to a memcg.\n",
        )
        t.replace(
            "mm/swap_state.c",
            "\t\t\t\t\t\t  gfp_t gfp, bool charged,\n"
            "\t\t\t\t\t\t  bool skip_if_exists)\n",
            "\t\t\t\t\t\t  gfp_t gfp, bool charged)\n",
        )
        t.replace(
            "mm/swap_state.c",
            "\t\tif (err != -EEXIST || folio_test_large(folio) || skip_if_exists)\n",
            "\t\tif (err != -EEXIST || folio_test_large(folio))\n",
        )
        # swap_cache_alloc_folio(): doc, definition.
        if not keep_doc:
            t.replace(
                "mm/swap_state.c",
                " * @skip_if_exists: give up if the slot is in the middle of being cached.\n"
                " *                  This is a workaround that will be removed shortly.\n",
                "",
            )
        t.replace(
            "mm/swap_state.c",
            "\t\t\t\t     bool *new_page_allocated,\n"
            "\t\t\t\t     bool skip_if_exists)\n",
            "\t\t\t\t     bool *new_page_allocated)\n",
        )
        # The two calls of __swap_cache_prepare_and_add().
        t.replace(
            "mm/swap_state.c",
            "\tresult = __swap_cache_prepare_and_add(entry, folio, gfp_mask, false,\n"
            "\t\t\t\t\t      skip_if_exists);\n",
            "\tresult = __swap_cache_prepare_and_add(entry, folio, gfp_mask, false);\n",
        )
        t.replace(
            "mm/swap_state.c",
            "\tret = __swap_cache_prepare_and_add(entry, folio, 0, true, false);\n",
            "\tret = __swap_cache_prepare_and_add(entry, folio, 0, true);\n",
        )
        # The six calls of swap_cache_alloc_folio().
        for label, (old, new) in ALLOC_CALLERS.items():
            if label != leave_caller:
                t.replace("mm/swap_state.c", old, new)
        if not forget_zswap:
            t.replace(
                "mm/zswap.c",
                "\t\t\t\t       NO_INTERLEAVE_INDEX, &folio_was_allocated, true);\n",
                "\t\t\t\t       NO_INTERLEAVE_INDEX, &folio_was_allocated);\n",
            )

    return Step(
        "mm/swap: remove the skip_if_exists workaround",
        """
zswap writeback passed skip_if_exists to swap_cache_alloc_folio() so
that it would not wait for a slot that another task had claimed but not
yet added to the swap cache. Claiming a slot and adding its folio now
happen under the same lock, so that window no longer exists and the
flag has no reason to be.

Drop it from swap_cache_alloc_folio() and __swap_cache_prepare_and_add(),
together with its kernel-doc, and from every caller.
""",
        edit,
    )


# -- unrelated body-only change


def step_uptodate() -> Step:
    def edit(t: Edit) -> None:
        t.replace(
            "mm/page_io.c",
            "\tVM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);\n"
            "\n"
            "\tbio = bio_alloc(si->bdev, 1, REQ_OP_READ, GFP_KERNEL);\n",
            "\tVM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);\n"
            "\n"
            "\t/* Filled by the writeback path while it was still cached. */\n"
            "\tif (folio_test_uptodate(folio)) {\n"
            "\t\tfolio_unlock(folio);\n"
            "\t\treturn;\n"
            "\t}\n"
            "\n"
            "\tbio = bio_alloc(si->bdev, 1, REQ_OP_READ, GFP_KERNEL);\n",
        )

    return Step(
        "mm/page_io: do not read a folio that is already uptodate",
        """
A swap cache folio can be found uptodate by the time its read is
started; reading the slot again only costs I/O. Unlock it and return.
""",
        edit,
    )


# -- charge protocol: a `charged` flag for swapin_folio()


def step_charged_flag() -> Step:
    def edit(t: Edit) -> None:
        t.replace(
            "mm/swap.h",
            "struct folio *swapin_folio(swp_entry_t entry, struct folio *folio);\n",
            "struct folio *swapin_folio(swp_entry_t entry, struct folio *folio,\n"
            "\t\t\t   bool charged);\n",
        )
        t.replace(
            "mm/swap.h",
            "static inline struct folio *swapin_folio(swp_entry_t entry,\n"
            "\t\t\t\t\t struct folio *folio)\n",
            "static inline struct folio *swapin_folio(swp_entry_t entry,\n"
            "\t\t\t\t\t struct folio *folio, bool charged)\n",
        )
        t.replace(
            "mm/swap_state.c",
            " * swapin_folio - read a charged folio in through the swap cache.\n"
            " * @entry: a swap slot covered by @folio.\n"
            " * @folio: a new folio, already charged by the caller.\n"
            " *\n"
            " * Used by the anon and shmem fault paths of synchronous devices, which\n"
            " * allocate and charge their (possibly large) folios themselves.\n",
            " * swapin_folio - read a new folio in through the swap cache.\n"
            " * @entry: a swap slot covered by @folio.\n"
            " * @folio: a new folio.\n"
            " * @charged: true if the caller has already charged @folio to a memcg,\n"
            " *           false to have it charged here.\n"
            " *\n"
            " * Used by the anon and shmem fault paths of synchronous devices, which\n"
            " * allocate their (possibly large) folios themselves.\n",
        )
        t.replace(
            "mm/swap_state.c",
            "struct folio *swapin_folio(swp_entry_t entry, struct folio *folio)\n",
            "struct folio *swapin_folio(swp_entry_t entry, struct folio *folio,\n"
            "\t\t\t   bool charged)\n",
        )
        t.replace(
            "mm/swap_state.c",
            "\tret = __swap_cache_prepare_and_add(entry, folio, 0, true, false);\n",
            "\tret = __swap_cache_prepare_and_add(entry, folio,\n"
            "\t\t\t\t\t   charged ? 0 : GFP_KERNEL,\n"
            "\t\t\t\t\t   charged, false);\n",
        )
        t.replace(
            "mm/memory.c",
            "\t\t\tswapcache = swapin_folio(entry, folio);\n",
            "\t\t\tswapcache = swapin_folio(entry, folio, true);\n",
        )
        t.replace(
            "mm/shmem.c",
            "\tswapcache = swapin_folio(entry, new);\n",
            "\tswapcache = swapin_folio(entry, new, true);\n",
        )

    return Step(
        "mm/swap: let swapin_folio() callers say whether the folio is charged",
        """
swapin_folio() assumes that its caller has charged the folio, which is
what the mTHP paths want: they charge each order they try and fall back
on failure. A caller that only ever allocates a single page has no such
loop and would rather leave the charge to the swap cache.

Add a `charged` argument, passed through to
__swap_cache_prepare_and_add(). Both existing callers charge first and
pass true.
""",
        edit,
    )


def step_anon_small() -> Step:
    def edit(t: Edit) -> None:
        t.replace(
            "mm/memory.c",
            "static vm_fault_t map_swap_folio(struct vm_fault *vmf, struct folio *folio,\n",
            "/*\n"
            " * Synchronous swapin of a single page, for VMAs that do not allow mTHP\n"
            " * swapin: there is no need to look at the PTEs around the fault.\n"
            " */\n"
            "static struct folio *swapin_small_folio(struct vm_fault *vmf,\n"
            "\t\t\t\t\tswp_entry_t entry)\n"
            "{\n"
            "\tstruct folio *folio, *swapcache;\n"
            "\n"
            "\tfolio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE, 0, vmf->vma,\n"
            "\t\t\t\tvmf->address);\n"
            "\tif (!folio)\n"
            "\t\treturn NULL;\n"
            "\n"
            "\tswapcache = swapin_folio(entry, folio, true);\n"
            "\tif (swapcache != folio)\n"
            "\t\tfolio_put(folio);\n"
            "\treturn swapcache;\n"
            "}\n"
            "\n"
            "static vm_fault_t map_swap_folio(struct vm_fault *vmf, struct folio *folio,\n",
        )
        t.replace(
            "mm/memory.c",
            "\t\tswap_cache_update_ra(folio, vma, vmf->address);\n"
            "\t} else if (data_race(si->flags & SWP_SYNCHRONOUS_IO)) {\n",
            "\t\tswap_cache_update_ra(folio, vma, vmf->address);\n"
            "\t} else if (data_race(si->flags & SWP_SYNCHRONOUS_IO) &&\n"
            "\t\t   !thp_swapin_max_order(vma)) {\n"
            "\t\tfolio = swapin_small_folio(vmf, entry);\n"
            "\t} else if (data_race(si->flags & SWP_SYNCHRONOUS_IO)) {\n",
        )

    return Step(
        "mm/memory: skip the mTHP allocator for single-page synchronous swapin",
        """
When the VMA does not allow mTHP swapin, alloc_swap_folio() still walks
the orders before falling back to a single page. Allocate that page
directly instead and hand it to swapin_folio().
""",
        edit,
    )


def step_shmem_small() -> Step:
    def edit(t: Edit) -> None:
        t.replace(
            "mm/shmem.c",
            "/*\n"
            " * Bring the folio at @index of a shmem file back from the swap slot @swap.\n"
            " */\n",
            "/*\n"
            " * Synchronous swapin of a single page of a shmem file: no need to round\n"
            " * the index or to pick a huge page gfp mask.\n"
            " */\n"
            "static struct folio *shmem_swapin_small_folio(struct inode *inode,\n"
            "\t\t\t\t\t      struct vm_area_struct *vma,\n"
            "\t\t\t\t\t      pgoff_t index, swp_entry_t entry,\n"
            "\t\t\t\t\t      gfp_t gfp)\n"
            "{\n"
            "\tstruct folio *new, *swapcache;\n"
            "\n"
            "\tnew = shmem_alloc_folio(gfp, 0, SHMEM_I(inode), index);\n"
            "\tif (!new)\n"
            "\t\treturn ERR_PTR(-ENOMEM);\n"
            "\n"
            "\tif (mem_cgroup_swapin_charge_folio(new, vma ? vma->vm_mm : NULL,\n"
            "\t\t\t\t\t   gfp, entry)) {\n"
            "\t\tfolio_put(new);\n"
            "\t\treturn ERR_PTR(-ENOMEM);\n"
            "\t}\n"
            "\n"
            "\tswapcache = swapin_folio(entry, new, false);\n"
            "\tif (swapcache != new) {\n"
            "\t\tfolio_put(new);\n"
            "\t\treturn swapcache ? swapcache : ERR_PTR(-EEXIST);\n"
            "\t}\n"
            "\treturn new;\n"
            "}\n"
            "\n"
            "/*\n"
            " * Bring the folio at @index of a shmem file back from the swap slot @swap.\n"
            " */\n",
        )
        t.replace(
            "mm/shmem.c",
            "\t\tfolio = shmem_swap_alloc_folio(inode, vma, index, swap, order, gfp);\n",
            "\t\tif (order)\n"
            "\t\t\tfolio = shmem_swap_alloc_folio(inode, vma, index,\n"
            "\t\t\t\t\t\t       swap, order, gfp);\n"
            "\t\telse\n"
            "\t\t\tfolio = shmem_swapin_small_folio(inode, vma, index,\n"
            "\t\t\t\t\t\t\t swap, gfp);\n",
        )

    return Step(
        "mm/shmem: use a single-page path for order-0 synchronous swapin",
        """
Most shmem swap entries are order 0, yet every synchronous swapin goes
through shmem_swap_alloc_folio(), which is written for large folios.
Give order 0 its own small helper.
""",
        edit,
    )


# -- get/put pairing: two new helpers pinning the swap device

SWAP_H_GETPUT_ANCHOR = "long swap_total_inuse(void);\n"
SWAP_H_GETPUT_STUB_ANCHOR = "static inline long swap_total_inuse(void)\n{\n\treturn 0;\n}\n"


def step_slot_count() -> Step:
    def edit(t: Edit) -> None:
        t.replace(
            "include/linux/swap.h",
            SWAP_H_GETPUT_ANCHOR,
            SWAP_H_GETPUT_ANCHOR + "int swap_slot_count(swp_entry_t entry);\n",
        )
        t.replace(
            "include/linux/swap.h",
            SWAP_H_GETPUT_STUB_ANCHOR,
            SWAP_H_GETPUT_STUB_ANCHOR
            + "\nstatic inline int swap_slot_count(swp_entry_t entry)\n{\n\treturn 0;\n}\n",
        )
        t.replace(
            "mm/swapfile.c",
            "void put_swap_device(struct swap_info_struct *si)\n"
            "{\n"
            "\tpercpu_ref_put(&si->users);\n"
            "}\n",
            "void put_swap_device(struct swap_info_struct *si)\n"
            "{\n"
            "\tpercpu_ref_put(&si->users);\n"
            "}\n"
            "\n"
            "/**\n"
            " * swap_slot_count - read the use count of a swap slot.\n"
            " * @entry: the swap slot.\n"
            " *\n"
            " * Return: the number of references on @entry, 0 if it is free or if its\n"
            " * device is going away.\n"
            " */\n"
            "int swap_slot_count(swp_entry_t entry)\n"
            "{\n"
            "\tstruct swap_info_struct *si;\n"
            "\tint count = 0;\n"
            "\n"
            "\tsi = get_swap_device(entry);\n"
            "\tif (!si)\n"
            "\t\treturn 0;\n"
            "\n"
            "\tif (!(si->flags & SWP_WRITEOK))\n"
            "\t\tgoto out;\n"
            "\tcount = READ_ONCE(si->swap_map[swp_offset(entry)]);\n"
            "out:\n"
            "\tput_swap_device(si);\n"
            "\treturn count;\n"
            "}\n",
        )

    return Step(
        "mm/swapfile: add swap_slot_count()",
        """
Debugging code and the upcoming swap-in heuristics want the use count
of a slot without caring about the device. Add a helper that pins the
device around the read.
""",
        edit,
    )


def step_entry_shared() -> Step:
    def edit(t: Edit) -> None:
        t.replace(
            "include/linux/swap.h",
            "int swap_slot_count(swp_entry_t entry);\n",
            "int swap_slot_count(swp_entry_t entry);\nbool swap_entry_is_shared(swp_entry_t entry);\n",
        )
        t.replace(
            "include/linux/swap.h",
            "static inline int swap_slot_count(swp_entry_t entry)\n{\n\treturn 0;\n}\n",
            "static inline int swap_slot_count(swp_entry_t entry)\n{\n\treturn 0;\n}\n"
            "\nstatic inline bool swap_entry_is_shared(swp_entry_t entry)\n{\n\treturn false;\n}\n",
        )
        t.replace(
            "mm/swapfile.c",
            "out:\n"
            "\tput_swap_device(si);\n"
            "\treturn count;\n"
            "}\n",
            "out:\n"
            "\tput_swap_device(si);\n"
            "\treturn count;\n"
            "}\n"
            "\n"
            "/**\n"
            " * swap_entry_is_shared - tell whether a swap slot has more than one user.\n"
            " * @entry: the swap slot.\n"
            " *\n"
            " * Return: true if @entry has more than one reference.\n"
            " */\n"
            "bool swap_entry_is_shared(swp_entry_t entry)\n"
            "{\n"
            "\tstruct swap_info_struct *si;\n"
            "\tunsigned char count;\n"
            "\n"
            "\tsi = get_swap_device(entry);\n"
            "\tif (!si)\n"
            "\t\treturn false;\n"
            "\n"
            "\t/* A device on its way out is not worth a precise answer. */\n"
            "\tif (!(si->flags & SWP_WRITEOK))\n"
            "\t\treturn false;\n"
            "\n"
            "\tcount = READ_ONCE(si->swap_map[swp_offset(entry)]);\n"
            "\tput_swap_device(si);\n"
            "\treturn count > 1;\n"
            "}\n",
        )

    return Step(
        "mm/swapfile: add swap_entry_is_shared()",
        """
Copy-on-write of a swapped-out page can skip the copy when nobody else
holds the slot. Add a helper to ask.
""",
        edit,
    )


# --------------------------------------------------------------------------- series

CLEAN_TITLE = "mm/swap: swap cache cleanups"
CLEAN_BLURB = """
Four small cleanups of the swap code:

 1. rename a readahead helper after what it does;
 2. let swap_duplicate() take a number of slots;
 3. remove the skip_if_exists workaround, now that claiming a slot and
    adding its folio to the swap cache are serialized;
 4. an unrelated fix-up in the swap read path.
"""


def clean_steps(**over: Step) -> tuple[Step, ...]:
    steps = {"rename": step_rename(), "nr": step_nr(), "skip": step_skip(), "uptodate": step_uptodate()}
    steps.update(over)
    return tuple(steps.values())


def all_series() -> list[Series]:
    return [
        Series("swap-clean", CLEAN_TITLE, CLEAN_BLURB, clean_steps()),
        Series(
            "swap-stale",
            CLEAN_TITLE,
            CLEAN_BLURB,
            clean_steps(skip=step_skip(forget_zswap=True, keep_stub=True)),
        ),
        Series(
            "mut-drop-caller",
            CLEAN_TITLE,
            CLEAN_BLURB,
            clean_steps(skip=step_skip(leave_caller="swap_cluster_readahead:skip")),
        ),
        Series("mut-stale-doc", CLEAN_TITLE, CLEAN_BLURB, clean_steps(skip=step_skip(keep_doc=True))),
        Series("mut-forget-stub", CLEAN_TITLE, CLEAN_BLURB, clean_steps(skip=step_skip(keep_stub=True))),
        Series(
            "mut-rename-leave-caller",
            CLEAN_TITLE,
            CLEAN_BLURB,
            clean_steps(rename=step_rename(leave_caller="mm/shmem.c")),
        ),
        Series(
            "mut-split-change",
            CLEAN_TITLE,
            CLEAN_BLURB.replace("Four small", "Small").replace(
                " 2. let swap_duplicate() take a number of slots;\n",
                " 2. let swap_duplicate() take a number of slots, and convert its\n    callers;\n",
            ),
            (step_rename(), step_nr_decl_only(), step_nr_callers_only(), step_skip(), step_uptodate()),
        ),
        Series(
            "charge-protocol",
            "mm/swap: single-page synchronous swapin",
            """
Let swapin_folio() callers tell whether they charged the folio, then
add single-page synchronous swapin paths to the anon and shmem fault
handlers.
""",
            (step_charged_flag(), step_anon_small(), step_shmem_small()),
        ),
        Series(
            "get-put",
            "mm/swapfile: two swap slot helpers",
            """
Two small helpers that read the use count of a swap slot while pinning
its device.
""",
            (step_slot_count(), step_entry_shared()),
        ),
    ]


# --------------------------------------------------------------------------- git


def git_env(date: int | None = None) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": "/nonexistent",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "LC_ALL": "C",
        "TZ": "UTC",
        "GIT_AUTHOR_NAME": NAME,
        "GIT_AUTHOR_EMAIL": EMAIL,
        "GIT_COMMITTER_NAME": NAME,
        "GIT_COMMITTER_EMAIL": EMAIL,
    }
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date} +0000"
    return env


def git(repo: Path, *args: str, date: int | None = None, input_: bytes | None = None) -> bytes:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], env=git_env(date), input=input_, capture_output=True
    )
    if proc.returncode:
        raise FixtureError(f"git {' '.join(args)} failed in {repo}:\n{proc.stderr.decode(errors='replace')}")
    return proc.stdout


def init_base(repo: Path) -> str:
    """Copy the fixture tree to `repo`, commit it as the base, and return the base commit.

    The tree's README.md is left out, so that editing the story does not move
    the base commit recorded in every mbox.
    """
    shutil.copytree(TREE, repo, ignore=shutil.ignore_patterns(*TREE_IGNORE))
    git(repo, "init", "-q", "-b", BRANCH)
    for key, value in (
        ("user.name", NAME),
        ("user.email", EMAIL),
        ("gc.auto", "0"),
        ("core.abbrev", "12"),
        ("core.autocrlf", "false"),
        ("commit.gpgsign", "false"),
    ):
        git(repo, "config", "--local", key, value)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "swap: kpatchlint fixture tree", date=BASE_TIME)
    return git(repo, "rev-parse", "HEAD").decode().strip()


def tree_of(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", f"{rev}^{{tree}}").decode().strip()


def build(series: Series, work: Path, dump: Path | None) -> tuple[bytes, str, list[str]]:
    """Commit the steps of `series`; return the mbox, the base commit and the tree after each step."""
    repo = work / series.name
    base = init_base(repo)
    if dump:
        shutil.copytree(TREE, dump / series.name / "0", ignore=shutil.ignore_patterns(*TREE_IGNORE),
                        dirs_exist_ok=True)
    trees = []
    for k, step in enumerate(series.steps, 1):
        step.edit(Edit(repo))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-F", "-", date=BASE_TIME + 60 * k, input_=step.message.encode())
        trees.append(tree_of(repo, "HEAD"))
        if dump:
            target = dump / series.name / str(k)
            shutil.copytree(repo, target, ignore=shutil.ignore_patterns(".git"), dirs_exist_ok=True)

    git(repo, "config", "--local", f"branch.{BRANCH}.description", f"{series.title}\n\n{series.blurb.strip()}\n")
    raw = git(
        repo,
        "format-patch",
        "--stdout",
        "--cover-letter",
        "--cover-from-description=subject",
        "--thread=shallow",
        f"--base={base}",
        f"--signature={SIGNATURE}",
        f"{base}..HEAD",
        date=BASE_TIME + 60 * (len(series.steps) + 1),
    )
    return fix_message_ids(raw, series.name), base, trees


def fix_message_ids(mbox: bytes, name: str) -> bytes:
    """Replace the time-based Message-Ids of git format-patch by fixed ones."""
    text = mbox.decode("utf-8")
    ids = re.findall(r"^Message-ID: <([^>]+)>$", text, flags=re.M | re.I)
    if not ids:
        raise FixtureError("format-patch wrote no Message-ID headers")
    for k, old in enumerate(ids):
        text = text.replace(f"<{old}>", f"<20250106100000.{name}.{k}@example.org>")
    return text.encode("utf-8")


def split_patches(mbox: bytes) -> list[bytes]:
    """The messages of a format-patch mbox, cover letter first."""
    parts = re.split(rb"^(?=From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$)", mbox, flags=re.M)
    return [p for p in parts if p]


def check_am(series: Series, mbox: bytes, base: str, trees: list[str], work: Path) -> None:
    """Apply patches 1..N with git am to a fresh base tree; each tree must match the step's."""
    repo = work / f"{series.name}-am"
    if init_base(repo) != base:
        raise FixtureError(f"{series.name}: fresh base commit differs")
    messages = split_patches(mbox)
    if len(messages) != len(series.steps) + 1:
        raise FixtureError(f"{series.name}: {len(messages)} messages for {len(series.steps)} patches")
    if b"Subject: [PATCH 0/" not in messages[0]:
        raise FixtureError(f"{series.name}: first message is not a cover letter")
    for k, message in enumerate(messages[1:], 1):
        git(repo, "am", "-q", date=BASE_TIME + 3600, input_=message)
        if tree_of(repo, "HEAD") != trees[k - 1]:
            raise FixtureError(f"{series.name}: tree after git am of patch {k} differs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="series to regenerate (default: all)")
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    parser.add_argument("--dump-trees", type=Path, help="write the tree after every patch here")
    args = parser.parse_args(argv)

    known = {s.name: s for s in all_series()}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        parser.error(f"unknown series: {', '.join(unknown)} (known: {', '.join(known)})")
    chosen = [known[n] for n in args.names] if args.names else list(known.values())

    stale = []
    with tempfile.TemporaryDirectory(prefix="kpl-fixtures-") as tmp:
        work = Path(tmp)
        for series in chosen:
            mbox, base, trees = build(series, work, args.dump_trees)
            check_am(series, mbox, base, trees, work)
            target = OUT / series.name / "series.mbox"
            if args.check:
                if not target.exists() or target.read_bytes() != mbox:
                    stale.append(series.name)
                    print(f"{series.name}: STALE ({target.relative_to(ROOT)})")
                else:
                    print(f"{series.name}: ok")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(mbox)
            print(f"{series.name}: {len(series.steps)} patches, base {base[:12]}, git am ok -> "
                  f"{target.relative_to(ROOT)}")
    return 1 if stale else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except FixtureError as exc:
        print(f"make_fixture_series: {exc}", file=sys.stderr)
        sys.exit(2)
