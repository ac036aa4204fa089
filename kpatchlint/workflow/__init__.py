"""Workflow integrations: the git send-email validate hook and b4's check commands.

Everything here reads the repository (git objects, config, reflogs) and never writes to its
work tree, index or refs: patches are applied in memory on top of a `GitTree` snapshot.
"""
