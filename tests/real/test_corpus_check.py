"""`check` in diff-only mode on the real swap-table series (../shared/corpus): the five real
defects that reviewers and the kernel test robot found, and no false error."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpatchlint.engine import lint_series
from kpatchlint.findings import Severity
from kpatchlint.series import load_series
from kpatchlint.settings import Settings


@pytest.fixture(scope="module")
def v1(corpus: Path):
    return lint_series(load_series(str(corpus / "swap-table-p2-v1" / "series.mbox")), None, Settings())


def _has(result, code: str, patch: int, function: str, path: str | None = None) -> bool:
    return any(f.code == code and f.patch == patch and f.function == function
               and (path is None or f.primary.path == path) for f in result.findings)


def test_12_stub_made_int_with_empty_body(v1) -> None:
    # robot: mm/swap.h:428:1: warning: non-void function does not return a value
    assert _has(v1, "SIG004", 12, "swap_cache_add_folio", "mm/swap.h")


def test_14_folio_alloc_swap_stub_has_extra_gfp(v1) -> None:
    # robot: mm/shmem.c: too few arguments to function call, expected 2, have 1 (!CONFIG_SWAP)
    f = [f for f in v1.findings if f.code == "SIG003" and f.patch == 14 and f.function == "folio_alloc_swap"]
    assert f and f[0].primary.path == "mm/swap.h" and "2 parameters" in f[0].message


def test_15_swap_cache_add_folio_stub_returns_pointer(v1) -> None:
    assert _has(v1, "SIG003", 15, "__swap_cache_add_folio", "mm/swap.h")


def test_07_swapcache_clear_prototype_left(v1) -> None:
    f = [f for f in v1.findings if f.code == "SIG006" and f.function == "swapcache_clear"]
    assert f and f[0].patch == 7 and f[0].primary.path == "mm/swap.h"


def test_no_false_error(v1) -> None:
    errors = [f for f in v1.findings if f.severity >= Severity.ERROR and not f.pre_existing]
    allowed = {("SIG004", "swap_cache_add_folio"), ("SIG003", "folio_alloc_swap"),
               ("SIG003", "__swap_cache_add_folio"), ("SIG004", "__swap_cache_add_folio"),
               ("SIG007", "swap_cache_add_folio")}
    unexpected = [(f.code, f.function, f.patch, str(f.primary)) for f in errors if (f.code, f.function) not in allowed]
    assert unexpected == []


def test_v5_14_is_silent(corpus: Path) -> None:
    r = lint_series(load_series(str(corpus / "swap-table-p2-v5" / "series.mbox")), None, Settings())
    assert [f for f in r.findings if f.severity >= Severity.ERROR] == []
    assert len(r.series.missing) == 18
