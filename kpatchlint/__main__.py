"""Entry point for `python -m kpatchlint`."""

from kpatchlint.cli import main

main()
