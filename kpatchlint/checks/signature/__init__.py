"""Signature family: call sites, prototypes, definitions and stubs that disagree."""
