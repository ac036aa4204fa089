"""One parametrized runner over fixtures/rules/<CODE>/<case>/: `fires-*` cases must yield exactly
the findings in expected.txt, `silent-*` (near-miss) cases must yield none of that rule.

A case holds `tree/` (optional base tree), `patches/` (optional *.patch files or one
series.mbox) and `expected.txt`: one finding per line, `PATCH PATH:LINE` (PATCH 0 when the case
lints the tree without a series); `#` starts a comment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kpatchlint.checks import all_rules
from kpatchlint.engine import lint_series, lint_tree
from kpatchlint.series import load_series
from kpatchlint.settings import Settings
from kpatchlint.tree import DirTree

RULES_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "rules"


def _cases() -> list:
    out = []
    if RULES_DIR.is_dir():
        for code_dir in sorted(p for p in RULES_DIR.iterdir() if p.is_dir()):
            for case in sorted(p for p in code_dir.iterdir() if p.is_dir()):
                out.append(pytest.param(code_dir.name.split("-")[0], case, id=f"{code_dir.name}/{case.name}"))
    return out


def run_case(code: str, case: Path):
    tree = DirTree(case / "tree") if (case / "tree").is_dir() else None
    settings = Settings(select=(code,))
    patches = case / "patches"
    if patches.is_dir():
        mbox = patches / "series.mbox"
        series = load_series(str(mbox) if mbox.is_file() else str(patches))
        result = lint_series(series, tree, settings)
    else:
        assert tree is not None, f"{case}: needs tree/ or patches/"
        result = lint_tree(tree, [], settings)
    return [f for f in result.findings if f.code == code]


def _expected(case: Path) -> set[tuple[int, str, int]]:
    out = set()
    for raw in (case / "expected.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        patch, loc = line.split()
        path, lineno = loc.rsplit(":", 1)
        out.add((int(patch), path, int(lineno)))
    return out


@pytest.mark.parametrize("code,case", _cases())
def test_rule_fixture(code: str, case: Path) -> None:
    found = run_case(code, case)
    got = {(f.patch, f.primary.path, f.primary.line) for f in found if f.primary}
    if case.name.startswith("silent"):
        assert not found, "Noisy: " + "; ".join(f"{f.patch} {f.primary} {f.message}" for f in found)
    else:
        expected = _expected(case)
        assert got == expected, (f"Missing: {sorted(expected - got)}  Noisy: {sorted(got - expected)}  "
                                 f"messages: {[f.message for f in found]}")


def test_every_rule_has_fixtures_and_doc() -> None:
    headings = ["## What it does", "## Why is this bad?", "## Example", "## Known limits"]
    for rule in all_rules():
        for h in headings:
            assert h in rule.doc, f"{rule.code} doc lacks {h!r}"
        dirs = [p for p in RULES_DIR.glob(f"{rule.code}*") if p.is_dir()] if RULES_DIR.is_dir() else []
        cases = [c.name for d in dirs for c in d.iterdir() if c.is_dir()]
        assert any(c.startswith("fires") for c in cases), f"{rule.code} has no fires-* fixture"
        assert any(c.startswith("silent") for c in cases), f"{rule.code} has no silent-* fixture"
