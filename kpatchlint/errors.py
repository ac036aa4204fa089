"""Input errors: the one exception type that the CLI turns into a one-line message and exit 2."""

from __future__ import annotations


class InputError(Exception):
    """Bad input the user gave us (mail, diff, path, tree); never a bug in kpatchlint.

    `where` names the message and line ("series.mbox: message 3 (<id>), line 41"), so the
    CLI can print one line that points at the problem.
    """

    def __init__(self, what: str, where: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" if self.where else self.what


class UnsafePathError(InputError):
    """A path from a diff header that would leave the tree (`../`, absolute, `.git/`)."""
