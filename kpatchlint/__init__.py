"""kpatchlint: a static analyzer and refactoring linter for Linux-kernel C patch series."""

__version__ = "0.1.0"
