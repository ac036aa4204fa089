"""Rules, one module each, grouped by family; found by scanning the package (no central table)."""

from kpatchlint.checks.base import Context, Rule, all_rules, rule_by_code

__all__ = ["Context", "Rule", "all_rules", "rule_by_code"]
