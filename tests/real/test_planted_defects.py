"""Defects planted in linux-6.12 by series written at test time (never committed), checked with
the tree, the way a reviewer's or the test robot's report would name them.

Each case is a small series against the real tree and its correct twin. The planted defect
must be reported at the place it was planted (file and the line holding the given text, the
patch that planted it); the correct twin must give no error or warning that the base tree does
not already have. Expected findings were written from reading the tree and the edits below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from kpatchlint.analysis.facts import FactsProvider
from kpatchlint.cache import FactsCache
from kpatchlint.engine import lint_series
from kpatchlint.findings import Severity
from kpatchlint.series import series_from_bytes
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree
from tests.helpers import line_of
from tests.helpers.patchgen import Editor, mail

pytestmark = pytest.mark.real

Edits = Callable[[Editor, bool], list[tuple[str, list[str]]]]  # (editor, planted?) -> [(subject, diffs)]


@dataclass
class Case:
    name: str
    build: Edits
    # (rule code, file, text on the line, patch n) the planted version must report
    expect: list[tuple[str, str, str, int]] = field(default_factory=list)


class _Recorder(Editor):
    """An Editor that keeps the content of every file after each patch."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.after: list[dict[str, str]] = []

    def patch(self) -> list[str]:
        out = super().patch()
        self.after.append(dict(self.current))
        return out


def _series(tree: Path, case: Case, planted: bool) -> tuple[bytes, list[dict[str, str]]]:
    """The series as an mbox, and every edited file's text after each of its patches."""
    ed = _Recorder(tree)
    patches = case.build(ed, planted)
    out = []
    for i, (subject, diffs) in enumerate(patches, 1):
        out.append(mail(i, len(patches), subject, diffs))
    return "".join(out).encode("utf-8", "surrogateescape"), ed.after


# ----------------------------------------------------------------------------- the cases

def stub_forgotten(ed: Editor, planted: bool):
    """swapcache_prepare() gains `bool cached`; the !CONFIG_SWAP stub is left behind."""
    ed.replace("include/linux/swap.h", "extern int swapcache_prepare(swp_entry_t entry, int nr);",
               "extern int swapcache_prepare(swp_entry_t entry, int nr, bool cached);")
    if not planted:
        ed.replace("include/linux/swap.h", "static inline int swapcache_prepare(swp_entry_t swp, int nr)\n",
                   "static inline int swapcache_prepare(swp_entry_t swp, int nr, bool cached)\n")
    ed.replace("mm/swapfile.c", "int swapcache_prepare(swp_entry_t entry, int nr)\n{\n"
               "\treturn __swap_duplicate(entry, SWAP_HAS_CACHE, nr);",
               "int swapcache_prepare(swp_entry_t entry, int nr, bool cached)\n{\n"
               "\treturn __swap_duplicate(entry, cached ? SWAP_HAS_CACHE : 1, nr);")
    ed.replace("mm/memory.c", "if (swapcache_prepare(entry, nr_pages)) {",
               "if (swapcache_prepare(entry, nr_pages, false)) {")
    ed.replace("mm/swap_state.c", "err = swapcache_prepare(entry, 1);", "err = swapcache_prepare(entry, 1, true);")
    return [("mm, swap: tell swapcache_prepare() whether the folio is cached", ed.patch())]


def definition_retyped(ed: Editor, planted: bool):
    """swapcache_prepare()'s `nr` becomes unsigned in the definition; the prototype keeps `int`."""
    ed.replace("mm/swapfile.c", "int swapcache_prepare(swp_entry_t entry, int nr)\n{",
               "int swapcache_prepare(swp_entry_t entry, unsigned int nr)\n{")
    if not planted:
        ed.replace("include/linux/swap.h", "extern int swapcache_prepare(swp_entry_t entry, int nr);",
                   "extern int swapcache_prepare(swp_entry_t entry, unsigned int nr);")
        ed.replace("include/linux/swap.h", "static inline int swapcache_prepare(swp_entry_t swp, int nr)\n",
                   "static inline int swapcache_prepare(swp_entry_t swp, unsigned int nr)\n")
    return [("mm, swap: swapcache_prepare() counts are unsigned", ed.patch())]


def rename_leaves_caller(ed: Editor, planted: bool):
    """filemap_get_incore_folio() becomes swap_get_incore_folio(); memcontrol-v1.c is missed."""
    for old, new in (("struct folio *filemap_get_incore_folio(struct address_space *mapping,",
                      "struct folio *swap_get_incore_folio(struct address_space *mapping,"),):
        ed.replace("mm/swap.h", old, new, count=2)
        ed.replace("mm/swap_state.c", old, new)
    ed.replace("mm/swap_state.c", " * filemap_get_incore_folio - Find", " * swap_get_incore_folio - Find")
    ed.replace("mm/mincore.c", "folio = filemap_get_incore_folio(mapping, index);",
               "folio = swap_get_incore_folio(mapping, index);")
    if not planted:
        ed.replace("mm/memcontrol-v1.c", "folio = filemap_get_incore_folio(vma->vm_file->f_mapping, index);",
                   "folio = swap_get_incore_folio(vma->vm_file->f_mapping, index);")
    return [("mm: rename filemap_get_incore_folio() to swap_get_incore_folio()", ed.patch())]


def split_over_two_patches(ed: Editor, planted: bool):
    """swap_duplicate() gains `int nr` in 1/2; mm/rmap.c's caller is updated only in 2/2."""
    ed.replace("include/linux/swap.h", "extern int swap_duplicate(swp_entry_t);",
               "extern int swap_duplicate(swp_entry_t, int nr);")
    ed.replace("include/linux/swap.h", "static inline int swap_duplicate(swp_entry_t swp)\n",
               "static inline int swap_duplicate(swp_entry_t swp, int nr)\n")
    ed.replace("mm/swapfile.c", "int swap_duplicate(swp_entry_t entry)\n{", "int swap_duplicate(swp_entry_t entry, int nr)\n{")
    ed.replace("mm/swapfile.c", "while (!err && __swap_duplicate(entry, 1, 1) == -ENOMEM)",
               "while (!err && __swap_duplicate(entry, 1, nr) == -ENOMEM)")
    ed.replace("mm/memory.c", "if (swap_duplicate(entry) < 0)\n\t\t\treturn -EIO;",
               "if (swap_duplicate(entry, 1) < 0)\n\t\t\treturn -EIO;")
    if not planted:
        ed.replace("mm/rmap.c", "if (swap_duplicate(entry) < 0) {", "if (swap_duplicate(entry, 1) < 0) {")
        return [("mm, swap: let swap_duplicate() take a count", ed.patch())]
    first = ed.patch()
    ed.replace("mm/rmap.c", "if (swap_duplicate(entry) < 0) {", "if (swap_duplicate(entry, 1) < 0) {")
    return [("mm, swap: let swap_duplicate() take a count", first), ("mm/rmap: pass the count", ed.patch())]


def kdoc_left_behind(ed: Editor, planted: bool):
    """swapin_readahead()'s `gfp_mask` is renamed `gfp`; its kernel-doc still says @gfp_mask."""
    if not planted:
        ed.replace("mm/swap_state.c", " * @gfp_mask: memory allocation flags\n * @vmf: fault information\n *\n"
                   " * Returns the struct folio", " * @gfp: memory allocation flags\n * @vmf: fault information\n *\n"
                   " * Returns the struct folio")
    ed.replace("mm/swap_state.c", "struct folio *swapin_readahead(swp_entry_t entry, gfp_t gfp_mask,\n"
               "\t\t\t\tstruct vm_fault *vmf)\n{", "struct folio *swapin_readahead(swp_entry_t entry, gfp_t gfp,\n"
               "\t\t\t\tstruct vm_fault *vmf)\n{")
    ed.replace("mm/swap_state.c", "\t\tswap_vma_readahead(entry, gfp_mask, mpol, ilx, vmf) :\n"
               "\t\tswap_cluster_readahead(entry, gfp_mask, mpol, ilx);",
               "\t\tswap_vma_readahead(entry, gfp, mpol, ilx, vmf) :\n\t\tswap_cluster_readahead(entry, gfp, mpol, ilx);")
    return [("mm, swap: shorter names in swapin_readahead()", ed.patch())]


def kdoc_not_extended(ed: Editor, planted: bool):
    """filemap_get_incore_folio() gains `bool swap`, documented only in the correct twin."""
    ed.replace("mm/swap.h", "struct folio *filemap_get_incore_folio(struct address_space *mapping,\n\t\tpgoff_t index);",
               "struct folio *filemap_get_incore_folio(struct address_space *mapping,\n\t\tpgoff_t index, bool swap);")
    ed.replace("mm/swap.h", "struct folio *filemap_get_incore_folio(struct address_space *mapping,\n\t\tpgoff_t index)\n{",
               "struct folio *filemap_get_incore_folio(struct address_space *mapping,\n\t\tpgoff_t index, bool swap)\n{")
    if not planted:
        ed.replace("mm/swap_state.c", " * @index: The page cache index.\n *\n * This differs",
                   " * @index: The page cache index.\n * @swap: Also look in the swap cache.\n *\n * This differs")
    ed.replace("mm/swap_state.c", "struct folio *filemap_get_incore_folio(struct address_space *mapping,\n\t\tpgoff_t index)\n{",
               "struct folio *filemap_get_incore_folio(struct address_space *mapping,\n\t\tpgoff_t index, bool swap)\n{")
    ed.replace("mm/swap_state.c", "\tif (!shmem_mapping(mapping))\n\t\treturn ERR_PTR(-ENOENT);\n\n\tswp = radix",
               "\tif (!swap || !shmem_mapping(mapping))\n\t\treturn ERR_PTR(-ENOENT);\n\n\tswp = radix")
    ed.replace("mm/mincore.c", "folio = filemap_get_incore_folio(mapping, index);",
               "folio = filemap_get_incore_folio(mapping, index, true);")
    ed.replace("mm/memcontrol-v1.c", "folio = filemap_get_incore_folio(vma->vm_file->f_mapping, index);",
               "folio = filemap_get_incore_folio(vma->vm_file->f_mapping, index, true);")
    return [("mm: let filemap_get_incore_folio() skip the swap cache", ed.patch())]


def _rename_in(ed: Editor, path: str, old: str, new: str, keep: int = 0) -> None:
    """Rename every `old(` of `path` to `new(`, but leave the last `keep` of them."""
    text = ed.read(path)
    n = text.count(old + "(") - keep
    ed.replace(path, old + "(", new + "(", count=n)


def header_inline_caller(ed: Editor, planted: bool):
    """swp_swap_info() becomes swap_entry_info(); the static inline swap_zeromap_batch() in
    mm/swap.h keeps calling the old name."""
    for path in ("include/linux/swap.h", "mm/page_io.c", "mm/swapfile.c", "mm/memory.c", "mm/swap_state.c"):
        _rename_in(ed, path, "swp_swap_info", "swap_entry_info")
    _rename_in(ed, "mm/swap.h", "swp_swap_info", "swap_entry_info", keep=1 if planted else 0)
    return [("mm, swap: rename swp_swap_info() to swap_entry_info()", ed.patch())]


def new_call_wrong_count(ed: Editor, planted: bool):
    """A new call of swp_swapcount() passes two arguments to a one-parameter function."""
    args = "entry, 1" if planted else "entry"
    ed.replace("mm/memory.c", "		    __swap_count(entry) == 1) {",
               f"\t\t    __swap_count(entry) == 1 && swp_swapcount({args}) == 1) {{")
    return [("mm: check the swap count before skipping the swap cache", ed.patch())]


def removed_still_called(ed: Editor, planted: bool):
    """__swap_count() is removed; do_swap_page() still calls it."""
    ed.replace("include/linux/swap.h", "extern int __swap_count(swp_entry_t entry);\n", "")
    ed.replace("include/linux/swap.h", "static inline int __swap_count(swp_entry_t entry)\n{\n\treturn 0;\n}\n\n", "")
    ed.replace("mm/swapfile.c", "int __swap_count(swp_entry_t entry)\n{\n\tstruct swap_info_struct *si = "
               "swp_swap_info(entry);\n\tpgoff_t offset = swp_offset(entry);\n\n"
               "\treturn swap_count(si->swap_map[offset]);\n}\n\n", "")
    if not planted:
        ed.replace("mm/memory.c", "\t\t    __swap_count(entry) == 1) {", "\t\t    swp_swapcount(entry) == 1) {")
    return [("mm, swap: remove __swap_count()", ed.patch())]


def nonvoid_stub_empty(ed: Editor, planted: bool):
    """A new function with a !CONFIG_SWAP stub that returns `int` but has an empty body."""
    ed.replace("include/linux/swap.h", "extern int swp_swapcount(swp_entry_t entry);\n",
               "extern int swp_swapcount(swp_entry_t entry);\nextern int swap_entry_users(swp_entry_t entry);\n")
    body = "{\n}\n" if planted else "{\n\treturn 0;\n}\n"
    ed.replace("include/linux/swap.h", "static inline int swp_swapcount(swp_entry_t entry)\n{\n\treturn 0;\n}\n",
               "static inline int swp_swapcount(swp_entry_t entry)\n{\n\treturn 0;\n}\n\n"
               "static inline int swap_entry_users(swp_entry_t entry)\n" + body)
    ed.replace("mm/swapfile.c", "int swp_swapcount(swp_entry_t entry)\n{",
               "int swap_entry_users(swp_entry_t entry)\n{\n\treturn swp_swapcount(entry);\n}\n\n"
               "int swp_swapcount(swp_entry_t entry)\n{")
    ed.replace("fs/proc/task_mmu.c", "mapcount = swp_swapcount(swpent);", "mapcount = swap_entry_users(swpent);")
    return [("mm, swap: add swap_entry_users()", ed.patch())]


DRAIN = ("static void drain_mmlist(void)\n{\n\tstruct list_head *p, *next;\n\tunsigned int type;\n\n"
         "\tfor (type = 0; type < nr_swapfiles; type++)\n\t\tif (swap_info[type]->inuse_pages)\n\t\t\treturn;\n")


def missing_prototype(ed: Editor, planted: bool):
    """A new helper swap_users() in mm/swapfile.c, used only there and not `static`."""
    storage = "" if planted else "static "
    ed.replace("mm/swapfile.c", DRAIN,
               f"{storage}int swap_users(struct swap_info_struct *si)\n{{\n\treturn si->inuse_pages;\n}}\n\n"
               + DRAIN.replace("if (swap_info[type]->inuse_pages)", "if (swap_users(swap_info[type]))"))
    return [("mm, swap: add swap_users()", ed.patch())]


def unused_static_function(ed: Editor, planted: bool):
    """swapoff stops calling drain_mmlist(); only the correct twin removes it too."""
    ed.replace("mm/swapfile.c", "\tdrain_mmlist();\n", "")
    if not planted:
        ed.replace("mm/swapfile.c", DRAIN + "\tspin_lock(&mmlist_lock);\n\tlist_for_each_safe(p, next, &init_mm.mmlist)\n"
                   "\t\tlist_del_init(p);\n\tspin_unlock(&mmlist_lock);\n}\n\n", "")
    return [("mm, swap: leave init_mm's mmlist alone on swapoff", ed.patch())]


def unused_variable(ed: Editor, planted: bool):
    """drain_mmlist() stops checking the swap devices; `type` stays declared."""
    decl = "\tunsigned int type;\n" if planted else ""
    ed.replace("mm/swapfile.c", DRAIN, "static void drain_mmlist(void)\n{\n\tstruct list_head *p, *next;\n" + decl + "\n")
    return [("mm, swap: drain the mmlist unconditionally", ed.patch())]


def helper_added_later(ed: Editor, planted: bool):
    """1/2 makes do_swap_page() call swap_entry_users(); 2/2 adds it (the correct twin: one patch)."""
    ed.replace("mm/memory.c", "\t\t    __swap_count(entry) == 1) {",
               "\t\t    __swap_count(entry) == 1 && swap_entry_users(entry) == 1) {")
    first = ed.patch() if planted else []
    ed.replace("include/linux/swap.h", "extern int swp_swapcount(swp_entry_t entry);\n",
               "extern int swp_swapcount(swp_entry_t entry);\nextern int swap_entry_users(swp_entry_t entry);\n")
    ed.replace("include/linux/swap.h", "static inline int swp_swapcount(swp_entry_t entry)\n{\n\treturn 0;\n}\n",
               "static inline int swp_swapcount(swp_entry_t entry)\n{\n\treturn 0;\n}\n\n"
               "static inline int swap_entry_users(swp_entry_t entry)\n{\n\treturn 0;\n}\n")
    ed.replace("mm/swapfile.c", "int swp_swapcount(swp_entry_t entry)\n{",
               "int swap_entry_users(swp_entry_t entry)\n{\n\treturn swp_swapcount(entry);\n}\n\n"
               "int swp_swapcount(swp_entry_t entry)\n{")
    if planted:
        return [("mm: skip the swap cache only for entries with one user", first),
                ("mm, swap: add swap_entry_users()", ed.patch())]
    return [("mm, swap: add swap_entry_users() and use it in do_swap_page()", ed.patch())]


def set_but_unused(ed: Editor, planted: bool):
    """swap_node() stops reading `bdev` but keeps assigning it (the twin drops it too)."""
    old = ("\tstruct block_device *bdev;\n\n\tif (si->bdev)\n\t\tbdev = si->bdev;\n\telse\n"
           "\t\tbdev = si->swap_file->f_inode->i_sb->s_bdev;\n\n\treturn bdev ? bdev->bd_disk->node_id : NUMA_NO_NODE;")
    new = old.replace("return bdev ? bdev->bd_disk->node_id : NUMA_NO_NODE;", "return NUMA_NO_NODE;")
    if not planted:
        new = "\treturn NUMA_NO_NODE;"
    ed.replace("mm/swapfile.c", old, new)
    return [("mm, swap: no NUMA node for swap devices", ed.patch())]


def removed_macro_left(ed: Editor, planted: bool):
    """SWAP_MAP_SHMEM leaves include/linux/swap.h; the test in swap_entry_put-side code stays."""
    ed.replace("include/linux/swap.h", "#define SWAP_MAP_SHMEM\t0xbf\t/* Owned by shmem/tmpfs */\n", "")
    ed.replace("mm/swapfile.c", "\t__swap_duplicate(entry, SWAP_MAP_SHMEM, nr);", "\t__swap_duplicate(entry, 0xbf, nr);")
    if not planted:
        ed.replace("mm/swapfile.c", "} else if (count == SWAP_MAP_SHMEM) {", "} else if (count == 0xbf) {")
    return [("mm, swap: spell the shmem swap map value out", ed.patch())]


def caller_passing_constants(ed: Editor, planted: bool):
    """read_swap_cache_async() gains `bool readahead`; the caller passing GFP_HIGHUSER_MOVABLE is
    missed (too few arguments: an unknown all-caps constant is one argument, not a list)."""
    ed.replace("mm/swap.h", "\t\tstruct vm_area_struct *vma, unsigned long addr,\n\t\tstruct swap_iocb **plug);\n"
               "struct folio *__read_swap_cache_async(",
               "\t\tstruct vm_area_struct *vma, unsigned long addr,\n\t\tstruct swap_iocb **plug, bool readahead);\n"
               "struct folio *__read_swap_cache_async(")
    ed.replace("mm/swap_state.c", "\t\tstruct vm_area_struct *vma, unsigned long addr,\n\t\tstruct swap_iocb **plug)\n{",
               "\t\tstruct vm_area_struct *vma, unsigned long addr,\n\t\tstruct swap_iocb **plug, bool readahead)\n{")
    ed.replace("mm/swap_state.c", "\tif (page_allocated)\n\t\tswap_read_folio(folio, plug);",
               "\tif (page_allocated && !readahead)\n\t\tswap_read_folio(folio, plug);")
    ed.replace("mm/madvise.c", "mapping_gfp_mask(mapping),\n\t\t\t\t\t     vma, addr, &splug);",
               "mapping_gfp_mask(mapping),\n\t\t\t\t\t     vma, addr, &splug, false);")
    if not planted:
        ed.replace("mm/madvise.c", "GFP_HIGHUSER_MOVABLE,\n\t\t\t\t\t     vma, addr, &splug);",
                   "GFP_HIGHUSER_MOVABLE,\n\t\t\t\t\t     vma, addr, &splug, false);")
    return [("mm, swap: let read_swap_cache_async() callers skip the read", ed.patch())]


CASES = [
    Case("stub-forgotten", stub_forgotten,
         [("SIG003", "include/linux/swap.h", "static inline int swapcache_prepare(swp_entry_t swp, int nr)", 1)]),
    # what the series missed is reported: the prototype it left as it was
    Case("definition-retyped", definition_retyped,
         [("SIG002", "include/linux/swap.h", "extern int swapcache_prepare(swp_entry_t entry, int nr);", 1)]),
    Case("rename-leaves-caller", rename_leaves_caller,
         [("SIG006", "mm/memcontrol-v1.c", "folio = filemap_get_incore_folio(vma->vm_file->f_mapping, index);", 1)]),
    Case("split-over-two-patches", split_over_two_patches,
         [("SIG001", "mm/rmap.c", "if (swap_duplicate(entry) < 0) {", 1),
          ("SIG007", "mm/rmap.c", "if (swap_duplicate(entry) < 0) {", 1)]),
    Case("kdoc-left-behind", kdoc_left_behind,
         [("PAR001", "mm/swap_state.c", " * @gfp_mask: memory allocation flags\n * @vmf", 1),
          ("PAR002", "mm/swap_state.c", "struct folio *swapin_readahead(swp_entry_t entry, gfp_t gfp,", 1)]),
    Case("kdoc-not-extended", kdoc_not_extended,
         [("PAR002", "mm/swap_state.c", "\t\tpgoff_t index, bool swap)", 1)]),
    Case("header-inline-caller", header_inline_caller,
         [("SIG006", "mm/swap.h", "\tstruct swap_info_struct *sis = swp_swap_info(entry);", 1)]),
    Case("new-call-wrong-count", new_call_wrong_count,
         [("SIG001", "mm/memory.c", "swp_swapcount(entry, 1) == 1) {", 1)]),
    Case("removed-still-called", removed_still_called,
         [("SIG006", "mm/memory.c", "\t\t    __swap_count(entry) == 1) {", 1)]),
    Case("nonvoid-stub-empty", nonvoid_stub_empty,
         [("SIG004", "include/linux/swap.h", "static inline int swap_entry_users(swp_entry_t entry)", 1)]),
    Case("missing-prototype", missing_prototype,
         [("BLD001", "mm/swapfile.c", "int swap_users(struct swap_info_struct *si)", 1)]),
    Case("unused-static-function", unused_static_function,
         [("BLD002", "mm/swapfile.c", "static void drain_mmlist(void)", 1)]),
    Case("helper-added-later", helper_added_later,
         [("SIG009", "mm/memory.c", "__swap_count(entry) == 1 && swap_entry_users(entry) == 1) {", 1),
          ("SIG007", "mm/memory.c", "__swap_count(entry) == 1 && swap_entry_users(entry) == 1) {", 1)]),
    Case("set-but-unused", set_but_unused,
         [("BLD004", "mm/swapfile.c", "\tstruct block_device *bdev;\n\n\tif (si->bdev)", 1)]),
    Case("removed-macro-left", removed_macro_left,
         [("SIG010", "mm/swapfile.c", "} else if (count == SWAP_MAP_SHMEM) {", 1)]),
    Case("caller-passing-constants", caller_passing_constants,
         [("SIG001", "mm/madvise.c", "folio = read_swap_cache_async(entry, GFP_HIGHUSER_MOVABLE,", 1)]),
    Case("unused-variable", unused_variable,
         [("BLD003", "mm/swapfile.c", "\tunsigned int type;\n\n\tspin_lock(&mmlist_lock);", 1)]),
]


# ----------------------------------------------------------------------------- running them

@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> FactsProvider:
    return FactsProvider(FactsCache(tmp_path_factory.mktemp("planted-cache")))


def _lint(tree: Path, data: bytes, provider: FactsProvider):
    return lint_series(series_from_bytes(data, "planted"), DirTree(tree), Settings(), provider)


def _line(tree: Path, path: str, text: str, edited: dict[str, str]) -> int:
    """Line of `text` in `path` as the series left it at that patch."""
    body = edited.get(path)
    if body is None:
        return line_of(tree, path, text)
    idx = body.find(text)
    assert idx >= 0, f"{path}: {text!r} not in the edited file"
    return body.count("\n", 0, idx) + 1


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_planted_defect_is_reported_where_it_was_planted(linux_tree: Path, provider, case: Case) -> None:
    data, after = _series(linux_tree, case, True)
    r = _lint(linux_tree, data, provider)
    assert not r.problems, r.problems
    got = {(f.code, f.primary.path, f.primary.line, f.patch) for f in r.findings if f.primary and not f.pre_existing}
    for code, path, text, patch in case.expect:
        want = _line(linux_tree, path, text, after[patch - 1])
        near = [g for g in got if g[0] == code and g[1] == path and abs(g[2] - want) <= 2 and g[3] == patch]
        assert near, f"{code} at {path}:{want} (patch {patch}) not reported; got {sorted(got)}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_correct_twin_is_clean(linux_tree: Path, provider, case: Case) -> None:
    r = _lint(linux_tree, _series(linux_tree, case, False)[0], provider)
    assert not r.problems, r.problems
    bad = [f"{f.code} {f.primary} {f.message}" for f in r.findings
           if f.severity >= Severity.WARNING and not f.pre_existing]
    assert bad == []
