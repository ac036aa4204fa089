"""Writers: each turns a Result into text for one output format; none of them prints."""

from __future__ import annotations

from typing import Callable

from kpatchlint.engine import Result

Writer = Callable[[Result, dict], str]
_WRITERS: dict[str, Writer] = {}


def register(name: str) -> Callable[[Writer], Writer]:
    def deco(fn: Writer) -> Writer:
        _WRITERS[name] = fn
        return fn
    return deco


def writer(name: str) -> Writer:
    _load()
    if name not in _WRITERS:
        raise KeyError(name)
    return _WRITERS[name]


def formats() -> list[str]:
    _load()
    return sorted(_WRITERS)


def _load() -> None:
    import importlib
    import pkgutil

    import kpatchlint.report as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{info.name}")
