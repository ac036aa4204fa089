"""Build-warning rules: what gcc's warnings (and so the kernel test robot) report for code a series adds."""
