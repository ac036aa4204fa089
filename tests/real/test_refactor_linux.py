"""`kpatchlint refactor` on the real linux-6.12 tree (KPATCHLINT_LINUX_TREE), never modified.

- drop-param __read_swap_cache_async skip_if_exists: refused, the body still tests it
  (`if (skip_if_exists)` in mm/swap_state.c); with --value false: the patch touches mm/swap.h, mm/swap_state.c and
  mm/zswap.c only, `git apply --check` accepts it, the engine finds no new SIG* and no PAR001.
- add-param shmem_get_folio 'bool nowait': an exported mm/ function called from mm/shmem.c,
  mm/khugepaged.c, mm/userfaultfd.c, fs/xfs/xfs_buf_mem.c and fs/xfs/scrub/xfile.c (12 calls in
  6.12.118, 13 in 6.12.117, read off the tree: grep shows no other user but comments).

The expected hunks below were written from reading the tree; the patches are generated at
test time. Places are named by their text: Debian's linux-source-6.12 follows the stable
releases, so lines move and, now and then, a caller goes (a call site the tree no longer has
is not expected; one the lists below do not know fails the test).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpatchlint.cli import app
from kpatchlint.engine import lint_series
from kpatchlint.series import series_from_bytes
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree
from tests.helpers import line_of

pytestmark = pytest.mark.real

AUTHOR = "Kernel Dev <dev@example.org>"


def cli(*args: str):
    return CliRunner().invoke(app, ["refactor", *args], catch_exceptions=False)


def changes(patch: str) -> dict[str, list[tuple[list[str], list[str]]]]:
    """Per file, per hunk: (removed lines, added lines)."""
    series = series_from_bytes(patch.encode(), "generated")
    (p,) = series.present
    out: dict[str, list[tuple[list[str], list[str]]]] = {}
    for fc in p.files:
        out[fc.path] = [([ln.text for ln in h.lines if ln.kind == "-"], [ln.text for ln in h.lines if ln.kind == "+"])
                        for h in fc.hunks]
    return out


def git_apply_check(linux: Path, patch: str, tmp: Path) -> None:
    """`git apply --check` in a scratch repository holding copies of the touched files."""
    work = tmp / "scratch"
    work.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    for path in changes(patch):
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(linux / path, work / path)
    (tmp / "p.patch").write_text(patch)
    proc = subprocess.run(["git", "apply", "--check", "-v", str(tmp / "p.patch")], cwd=work, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr


def recheck(linux: Path, patch: str):
    result = lint_series(series_from_bytes(patch.encode(), "generated"), DirTree(linux),
                         Settings(select=("SIG", "PAR"), cache=False))
    return result


# ----------------------------------------------------------------------------- drop-param


def test_drop_param_refuses_while_the_body_uses_it(linux_tree: Path) -> None:
    use = line_of(linux_tree, "mm/swap_state.c", "\t\tif (skip_if_exists)")
    res = cli("drop-param", "__read_swap_cache_async", "skip_if_exists", "--tree", str(linux_tree))
    assert res.exit_code == 2
    assert res.stdout == ""
    assert res.stderr.strip() == (
        "kpatchlint: error: refactor drop-param: skip_if_exists is still used in __read_swap_cache_async() at "
        f"mm/swap_state.c:{use} (`if (skip_if_exists)`); give --value EXPR to use EXPR there instead")


@pytest.fixture(scope="module")
def drop_patch(linux_tree: Path) -> str:
    res = cli("drop-param", "__read_swap_cache_async", "skip_if_exists", "--value", "false",
              "--tree", str(linux_tree), "--author", AUTHOR, "--no-check")
    assert res.exit_code == 0, res.stderr
    use = line_of(linux_tree, "mm/swap_state.c", "\t\tif (skip_if_exists)")
    assert f"mm/swap_state.c:{use}: skip_if_exists replaced by false in __read_swap_cache_async() (1 use)" in res.stderr
    return res.stdout


DROP_EXPECTED = {
    "mm/swap.h": [
        (["\t\tstruct mempolicy *mpol, pgoff_t ilx, bool *new_page_allocated,", "\t\tbool skip_if_exists);"],
         ["\t\tstruct mempolicy *mpol, pgoff_t ilx, bool *new_page_allocated);"]),
    ],
    "mm/swap_state.c": [
        (["\t\tstruct mempolicy *mpol, pgoff_t ilx, bool *new_page_allocated,", "\t\tbool skip_if_exists)"],
         ["\t\tstruct mempolicy *mpol, pgoff_t ilx, bool *new_page_allocated)"]),
        (["\t\tif (skip_if_exists)"], ["\t\tif (false)"]),
        # read_swap_cache_async(): joined it would be 81 columns, so the line stays
        (["\t\t\t\t\t&page_allocated, false);"], ["\t\t\t\t\t&page_allocated);"]),
        # swap_cluster_readahead(): `(` ends its line, the indentation is kept
        (["\t\t\t\tgfp_mask, mpol, ilx, &page_allocated, false);"],
         ["\t\t\t\tgfp_mask, mpol, ilx, &page_allocated);"]),
        (["\t\t\t\t\t&page_allocated, false);"], ["\t\t\t\t\t&page_allocated);"]),
        # swap_vma_readahead(), twice
        (["\t\t\t\t\t\t&page_allocated, false);"], ["\t\t\t\t\t\t&page_allocated);"]),
        (["\t\t\t\t\t&page_allocated, false);"], ["\t\t\t\t\t&page_allocated);"]),
    ],
    "mm/zswap.c": [
        (["\t\t\t\tNO_INTERLEAVE_INDEX, &folio_was_allocated, true);"],
         ["\t\t\t\tNO_INTERLEAVE_INDEX, &folio_was_allocated);"]),
    ],
}


def test_drop_param_value_false_hunks(drop_patch: str) -> None:
    assert changes(drop_patch) == DROP_EXPECTED
    assert "\n 3 files changed, 9 insertions(+), 11 deletions(-)\n" in drop_patch


def test_drop_param_value_false_applies(linux_tree: Path, drop_patch: str, tmp_path: Path) -> None:
    git_apply_check(linux_tree, drop_patch, tmp_path)


def test_drop_param_value_false_rechecks_clean(linux_tree: Path, drop_patch: str) -> None:
    result = recheck(linux_tree, drop_patch)
    assert not result.problems
    bad = [f"{f.code} {f.message}" for f in result.findings
           if f.code == "PAR001" or (f.code.startswith("SIG") and not f.pre_existing)]
    assert bad == []


# ----------------------------------------------------------------------------- add-param

# The first line of every call of shmem_get_folio() read off the tree (6.12.117 and 6.12.118).
CALLERS = {
    "fs/xfs/scrub/xfile.c": ["if (shmem_get_folio(inode, pos >> PAGE_SHIFT, 0, &folio,",
                             "if (shmem_get_folio(inode, pos >> PAGE_SHIFT, 0, &folio,",
                             "error = shmem_get_folio(inode, pos >> PAGE_SHIFT, 0, &folio,"],
    "fs/xfs/xfs_buf_mem.c": ["error = shmem_get_folio(inode, pos >> PAGE_SHIFT, 0, &folio, SGP_CACHE);"],
    "mm/khugepaged.c": ["if (shmem_get_folio(mapping->host, index, 0,"],
    "mm/shmem.c": ["shmem_get_folio(inode, index, 0, &folio, SGP_READ);",  # 6.12.117 only
                   "ret = shmem_get_folio(inode, index, pos + len, &folio, SGP_WRITE);",
                   "error = shmem_get_folio(inode, index, 0, &folio, SGP_READ);",
                   "error = shmem_get_folio(inode, *ppos / PAGE_SIZE, 0, &folio,",
                   "error = shmem_get_folio(inode, index, offset + len,",
                   "error = shmem_get_folio(inode, 0, 0, &folio, SGP_WRITE);",
                   "error = shmem_get_folio(inode, 0, 0, &folio, SGP_READ);"],
    "mm/userfaultfd.c": ["ret = shmem_get_folio(inode, pgoff, 0, &folio, SGP_NOALLOC);"],
}

ADD_EXPECTED = {
    "fs/xfs/scrub/xfile.c": [
        # xfs indents continuations with two more tabs: kept
        (["\t\t\t\tSGP_READ) < 0)"], ["\t\t\t\tSGP_READ, false) < 0)"]),
        (["\t\t\t\tSGP_CACHE) < 0)"], ["\t\t\t\tSGP_CACHE, false) < 0)"]),
        (["\t\t\t(flags & XFILE_ALLOC) ? SGP_CACHE : SGP_READ);"],
         ["\t\t\t(flags & XFILE_ALLOC) ? SGP_CACHE : SGP_READ, false);"]),
    ],
    "fs/xfs/xfs_buf_mem.c": [
        # 81 columns on one line: wrapped under the parenthesis
        (["\terror = shmem_get_folio(inode, pos >> PAGE_SHIFT, 0, &folio, SGP_CACHE);"],
         ["\terror = shmem_get_folio(inode, pos >> PAGE_SHIFT, 0, &folio, SGP_CACHE,", "\t\t\t\tfalse);"]),
    ],
    "include/linux/shmem_fs.h": [
        (["\t\tstruct folio **foliop, enum sgp_type sgp);"],
         ["\t\tstruct folio **foliop, enum sgp_type sgp, bool nowait);"]),
    ],
    "mm/khugepaged.c": [
        (["\t\t\t\t\t\t&folio, SGP_NOALLOC)) {"], ["\t\t\t\t\t\t&folio, SGP_NOALLOC, false)) {"]),
    ],
    "mm/shmem.c": [
        (["\tshmem_get_folio(inode, index, 0, &folio, SGP_READ);"],
         ["\tshmem_get_folio(inode, index, 0, &folio, SGP_READ, false);"]),
        ([], [" * @nowait:\tfail instead of sleeping"]),
        (["\t\t    struct folio **foliop, enum sgp_type sgp)"],
         ["\t\t    struct folio **foliop, enum sgp_type sgp, bool nowait)"]),
        (["\tret = shmem_get_folio(inode, index, pos + len, &folio, SGP_WRITE);"],
         ["\tret = shmem_get_folio(inode, index, pos + len, &folio, SGP_WRITE,", "\t\t\t      false);"]),
        (["\t\terror = shmem_get_folio(inode, index, 0, &folio, SGP_READ);"],
         ["\t\terror = shmem_get_folio(inode, index, 0, &folio, SGP_READ,", "\t\t\t\t\tfalse);"]),
        (["\t\t\t\t\tSGP_READ);"], ["\t\t\t\t\tSGP_READ, false);"]),
        (["\t\t\t\t\t\t&folio, SGP_FALLOC);"], ["\t\t\t\t\t\t&folio, SGP_FALLOC, false);"]),
        (["\t\terror = shmem_get_folio(inode, 0, 0, &folio, SGP_WRITE);"],
         ["\t\terror = shmem_get_folio(inode, 0, 0, &folio, SGP_WRITE, false);"]),
        (["\t\terror = shmem_get_folio(inode, 0, 0, &folio, SGP_READ);"],
         ["\t\terror = shmem_get_folio(inode, 0, 0, &folio, SGP_READ, false);"]),
    ],
    "mm/userfaultfd.c": [
        (["\tret = shmem_get_folio(inode, pgoff, 0, &folio, SGP_NOALLOC);"],
         ["\tret = shmem_get_folio(inode, pgoff, 0, &folio, SGP_NOALLOC, false);"]),
    ],
}


@pytest.fixture(scope="module")
def add_patch(linux_tree: Path) -> str:
    res = cli("add-param", "shmem_get_folio", "bool nowait", "--value", "false", "--doc", "fail instead of sleeping",
              "--tree", str(linux_tree), "--author", AUTHOR, "--no-check")
    assert res.exit_code == 0, res.stderr
    return res.stdout


def _calls_in_tree(linux: Path) -> dict[str, list[str]]:
    """Every `shmem_get_folio(` outside comments and the definition, as stripped line texts."""
    found: dict[str, list[str]] = {}
    for path in sorted(DirTree(linux).grep_files({"shmem_get_folio"})):
        for line in (linux / path).read_text(errors="replace").splitlines():
            code = line.split("/*")[0].split("//")[0]
            if "shmem_get_folio(" in code and not code.lstrip().startswith("*") and \
                    not code.startswith("int shmem_get_folio("):
                found.setdefault(path, []).append(line.strip())
    return found


def _expected_here(linux: Path) -> dict[str, list[tuple[list[str], list[str]]]]:
    """ADD_EXPECTED without the hunks of callers this version of the tree does not have."""
    out = {}
    for path, hunks in ADD_EXPECTED.items():
        text = (linux / path).read_text(errors="replace").splitlines()
        out[path] = [(old, new) for old, new in hunks if all(line in text for line in old)]
    return out


def test_add_param_callers_read_off_the_tree(linux_tree: Path) -> None:
    """The caller list the expectations rely on: no caller the lists do not know."""
    found = _calls_in_tree(linux_tree)
    assert set(found) == set(CALLERS)
    for path, calls in found.items():
        unknown = list(calls)
        for known in CALLERS[path]:
            if known in unknown:
                unknown.remove(known)
        assert unknown == [], f"{path}: callers not read yet: {unknown}"


def test_add_param_hunks(linux_tree: Path, add_patch: str) -> None:
    expected = _expected_here(linux_tree)
    assert changes(add_patch) == expected
    calls = sum(len(c) for c in _calls_in_tree(linux_tree).values())
    assert calls == sum(len(h) for h in expected.values()) - 3  # all but the prototype, doc and definition hunks
    assert f"Update 1 prototype, 1 definition, 1 kernel-doc comment and {calls} call sites" in " ".join(add_patch.split())


def test_add_param_applies(linux_tree: Path, add_patch: str, tmp_path: Path) -> None:
    git_apply_check(linux_tree, add_patch, tmp_path)


def test_add_param_rechecks_clean(linux_tree: Path, add_patch: str) -> None:
    result = recheck(linux_tree, add_patch)
    assert not result.problems
    bad = [f"{f.code} {f.message}" for f in result.findings
           if f.code == "PAR001" or (f.code.startswith("SIG") and not f.pre_existing)]
    assert bad == []
