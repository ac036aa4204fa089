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


# format -> module that registers it; imported only when asked for (the callgraph renderers
# in this package pull in networkx, which `check` does not need)
_MODULES = {"text": "text", "checkpatch": "checkpatch", "json": "json_out", "sarif": "sarif", "github": "github",
            "rdjson": "rdjson", "github-review": "github_review"}


def writer(name: str) -> Writer:
    if name not in _WRITERS and name in _MODULES:
        import importlib

        importlib.import_module(f"{__name__}.{_MODULES[name]}")
    if name not in _WRITERS:
        raise KeyError(name)
    return _WRITERS[name]


def formats() -> list[str]:
    return sorted(_MODULES)
