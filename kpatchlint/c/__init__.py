"""C facts through tree-sitter: no tree-sitter type leaves this package."""

from kpatchlint.c.extract import extract_facts, extract_fragments

__all__ = ["extract_facts", "extract_fragments"]
