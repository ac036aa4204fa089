"""Extra CLI command groups, one module each with `register(app)`; found by scanning this package."""

from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer) -> None:
    import kpatchlint.commands as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        reg = getattr(mod, "register", None)
        if reg is not None:
            reg(app)
