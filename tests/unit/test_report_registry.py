"""Every output format named by `formats()` has a writer, and every writer module is named."""

from __future__ import annotations

import pkgutil

import kpatchlint.report as report
from kpatchlint.report import _MODULES, formats, writer


def test_every_format_has_a_writer() -> None:
    for name in formats():
        assert callable(writer(name))


def test_every_writer_module_is_listed() -> None:
    writers = set(_MODULES.values())
    for info in pkgutil.iter_modules(report.__path__):
        src = open(f"{report.__path__[0]}/{info.name}.py", encoding="utf-8").read()
        assert ("@register(" in src) == (info.name in writers), info.name
