"""Refactorings that write the collateral patch: drop, add or rename a parameter, rename a function.

plan.plan() finds the places and the edits (or refuses), patchfile.format_patch() writes the
patch, worktree has the --series/--at view of the tree and --write, verify re-checks the
generated patch with the engine.
"""

from kpatchlint.refactor.patchfile import format_patch
from kpatchlint.refactor.plan import KINDS, Plan, Refused, Request, plan

__all__ = ["KINDS", "Plan", "Refused", "Request", "format_patch", "plan"]
