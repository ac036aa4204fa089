"""Measure how the cost of a parser grows: input x10 must not cost more than x20 time.

`growth(f, make, n)` picks a size where one call costs at least `floor` seconds (doubling
n from the given start), times f on make(n) and make(10 n) (best of a few runs, to shed
noise), and returns (ratio, t_small, t_large).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

MAX_RATIO = 20.0


def _best(f: Callable[[Any], Any], x: Any, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        try:
            f(x)
        except Exception:  # noqa: BLE001 - the cost of a refusal counts too
            pass
        best = min(best, time.perf_counter() - t0)
    return best


def growth(f: Callable[[Any], Any], make: Callable[[int], Any], n: int = 100,
           floor: float = 0.008, max_n: int = 1 << 20) -> tuple[float, float, float]:
    small = _best(f, make(n), 3)
    while small < floor and n < max_n:
        n *= 2
        small = _best(f, make(n), 3)
    if small < floor / 4:
        return 1.0, small, small  # still too cheap to measure at a million: constant time
    large = _best(f, make(10 * n), 2)
    return large / small, small, large


def assert_linearish(name: str, f: Callable[[Any], Any], make: Callable[[int], Any], n: int = 100,
                     floor: float = 0.008, confirm: bool = True) -> None:
    """Fail when input x10 costs more than x20 time, measured twice (at n and at 2n) to shed noise.

    `confirm=False` (known super-linear code, marked xfail) measures once, at a small size.
    """
    ratio, small, large = growth(f, make, n, floor)
    if ratio > MAX_RATIO and confirm:  # a quadratic stays at ~x100; noise does not repeat
        ratio, small, large = growth(f, make, n, 2 * floor)
    assert ratio <= MAX_RATIO, f"{name}: input x10 cost x{ratio:.1f} time ({small:.4f}s -> {large:.4f}s)"
