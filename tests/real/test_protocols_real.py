"""The protocol rules (PRO001-PRO004) on the released linux-6.12 mm/ (KPATCHLINT_LINUX_TREE).

What the tree holds, read by hand in linux-source-6.12:

* `mem_cgroup_swapin_charge_folio()` is called three times, and 6.12 has no `charged` flag
  (there is no `__swap_cache_prepare_and_add()` yet):
    - `__alloc_swap_folio()` (mm/memory.c), the anon order-0 folio of a synchronous swap-in;
      `do_swap_page()` then reads it without the swap cache (`swapcache_prepare()` +
      `swap_read_folio()`), so no insertion follows: the swap cache is bypassed;
    - `alloc_swap_folio()` (mm/memory.c, the CONFIG_TRANSPARENT_HUGEPAGE variant), the anon
      mTHP folio, same path;
    - `__read_swap_cache_async()` (mm/swap_state.c), the common order-0 charge, right before
      `add_to_swap_cache()` in the same function.
  So PRO003 must list exactly these three, and PRO001/PRO002 (which need a flagged sink)
  have nothing to say.
* `get_swap_device()` is called by seven functions of mm/, each reviewed:
    - `filemap_get_incore_folio()` (swap_state.c): `if (!si) return`, then put before return;
    - `__read_swap_cache_async()` (swap_state.c): every exit of the retry loop goes through
      `put_and_return:` (`goto got_folio` → `goto put_and_return`, `fail_unlock:` falls in);
    - `do_swap_page()` (memory.c): `si` is NULL until the get; both exits (`out:` and
      `out_release:`) end with `if (si) put_swap_device(si);`;
    - `shmem_swapin_folio()` (shmem.c): the NULL test comes one statement after the get;
      the `order < 0` exit puts, success and `failed:`/`unlock:` put;
    - `free_swap_and_cache_nr()` (swapfile.c): a void function, `out:` puts;
    - `add_swap_count_continuation()` (swapfile.c): `!si` jumps past the put to `outer:`,
      every other exit reaches `out:`;
    - `move_pages_pte()` (userfaultfd.c): `put_swap_device(si); si = NULL; goto retry;` on the
      trylock failure, `if (si) put_swap_device(si);` at `out:`.
  None leaks: PRO004 must report nothing. To show the silence is not blindness, the last test
  removes each `put_swap_device(si);` of these functions in turn and expects a leak each time.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kpatchlint.analysis.facts import FactsProvider
from kpatchlint.c.extract import extract_facts
from kpatchlint.c.flow import AcquireSpec, FunctionFlow, ReleaseSpec
from kpatchlint.checks.protocols._analysis import analysis
from kpatchlint.engine import lint_tree
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree

pytestmark = pytest.mark.real

CHARGE_SITES = {
    ("mm/memory.c", "__alloc_swap_folio"): "bypass",
    ("mm/memory.c", "alloc_swap_folio"): "bypass",
    ("mm/swap_state.c", "__read_swap_cache_async"): "before",
}
GET_USERS = {
    ("mm/swap_state.c", "filemap_get_incore_folio"), ("mm/swap_state.c", "__read_swap_cache_async"),
    ("mm/memory.c", "do_swap_page"), ("mm/shmem.c", "shmem_swapin_folio"),
    ("mm/swapfile.c", "free_swap_and_cache_nr"), ("mm/swapfile.c", "add_swap_count_continuation"),
    ("mm/userfaultfd.c", "move_pages_pte"),
}
GET = AcquireSpec(frozenset({"get_swap_device"}), None, "null")
PUT = ReleaseSpec(frozenset({"put_swap_device"}), 0)


@pytest.fixture(scope="module")
def provider() -> FactsProvider:
    return FactsProvider()


@pytest.fixture(scope="module")
def pro003(linux_tree: Path, provider: FactsProvider):
    return lint_tree(DirTree(linux_tree), ["mm"], Settings(select=("PRO003",)), provider=provider)


@pytest.fixture(scope="module")
def pro_all(linux_tree: Path, provider: FactsProvider):
    return lint_tree(DirTree(linux_tree), ["mm"], Settings(select=("PRO",)), provider=provider)


def _charge_calls(tree: Path) -> set[tuple[str, int]]:
    """(path, line) of each call of the charge in the two files, read from the text."""
    out = set()
    for rel in ("mm/memory.c", "mm/swap_state.c"):
        for i, line in enumerate((tree / rel).read_text().splitlines(), 1):
            code = line.split("/*")[0]
            if re.search(r"\bmem_cgroup_swapin_charge_folio\s*\(", code) and not line.lstrip().startswith("*"):
                out.add((rel, i))
    return out


def test_pro003_lists_exactly_the_three_charge_sites(pro003, linux_tree: Path) -> None:
    found = [f for f in pro003.findings if f.code == "PRO003"]
    assert len(found) == 1, [f.message for f in found]
    f = found[0]
    assert f.message.startswith("3 functions charge with `mem_cgroup_swapin_charge_folio()`"), f.message
    for _, name in CHARGE_SITES:
        assert f"`{name}()`" in f.message
    where = {(lab.location.path, lab.location.line) for lab in f.labels}
    assert where == _charge_calls(linux_tree)
    assert len(where) == 3
    by_fn = {lab.message.split("`")[1].rstrip("()"): lab.message for lab in f.labels}
    assert "swap cache is bypassed" in by_fn["__alloc_swap_folio"]
    assert "do_swap_page → alloc_swap_folio → __alloc_swap_folio" in by_fn["__alloc_swap_folio"]
    assert "swap cache is bypassed" in by_fn["alloc_swap_folio"]
    assert "before the insertion `add_to_swap_cache()`" in by_fn["__read_swap_cache_async"]


def test_no_protocol_errors_on_mm(pro_all) -> None:
    errors = [f for f in pro_all.findings if f.code in ("PRO001", "PRO002", "PRO004")]
    assert not errors, [f"{f.code} {f.primary} {f.message}" for f in errors]
    assert [f.code for f in pro_all.findings] == ["PRO003"]


def test_pro004_looked_at_every_get_swap_device_user(pro_all) -> None:
    ctx = pro_all.contexts[0]
    a = analysis(ctx)
    proto = next(p for p in ctx.protocols if p.id == "swap-device-ref")
    users = set()
    for c in a.acquire_calls(proto):
        fn = a.definition_at(c.caller, c.path, c.line)
        assert fn is not None, c
        assert a.flow(fn) is not None, f"no control flow for {fn.name}"
        users.add((fn.path, fn.name))
    assert users == GET_USERS
    assert a.leaks(proto) == []


def test_pro004_sees_each_put_removed_from_real_code(linux_tree: Path) -> None:
    """Mutation check: drop one `put_swap_device(si);` of a real function, expect a leak."""
    checked = 0
    for rel in sorted({p for p, _ in GET_USERS}):
        src = (linux_tree / rel).read_bytes()
        lines = src.decode().split("\n")
        for fn in extract_facts(rel, src).functions:
            if not fn.is_definition or (rel, fn.name) not in GET_USERS:
                continue
            text = lines[fn.line - 1:fn.end_line]
            assert FunctionFlow("\n".join(text), fn.line).unpaired(GET, PUT) == [], fn.name
            for i, line in enumerate(text):
                if "put_swap_device(si);" not in line:
                    continue
                mutated = text[:i] + [line.replace("put_swap_device(si);", ";")] + text[i + 1:]
                leaks = FunctionFlow("\n".join(mutated), fn.line).unpaired(GET, PUT)
                assert leaks, f"{rel}:{fn.line + i}: removing the put in {fn.name}() goes unnoticed"
                assert all(lk.callee == "get_swap_device" and lk.obj == "si" for lk in leaks)
                checked += 1
    assert checked >= 10
