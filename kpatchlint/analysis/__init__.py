"""Symbol index, call graph and snapshot deltas built from extracted facts (networkx stays here)."""
