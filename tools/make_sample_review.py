#!/usr/bin/env python3
"""Regenerate docs/sample-review.mbox: `kpatchlint review` on the fixture series swap-stale.

    python3 tools/make_sample_review.py           # rewrite docs/sample-review.mbox
    python3 tools/make_sample_review.py --check   # exit 1 if the committed file is stale

The reviewer identity and the date are fixed, so the output only changes when kpatchlint's
findings or its reply format change. Open the result with `mutt -f docs/sample-review.mbox`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SERIES = REPO / "fixtures" / "series" / "swap-stale" / "series.mbox"
TREE = REPO / "fixtures" / "trees" / "swap"
OUT = REPO / "docs" / "sample-review.mbox"
FROM = "Rita Reviewer <rita@example.net>"
DATE = datetime(2025, 1, 7, 9, 30, 0, tzinfo=timezone.utc)


def render() -> str:
    from kpatchlint.engine import lint_series
    from kpatchlint.review.replies import ReviewOptions, review_mbox
    from kpatchlint.series import load_series
    from kpatchlint.settings import Settings
    from kpatchlint.tree import open_tree

    result = lint_series(load_series(str(SERIES)), open_tree(TREE, None), Settings(cache=False))
    return review_mbox(result, ReviewOptions(own=FROM, date=DATE))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        old = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if old != text:
            print(f"{OUT.relative_to(REPO)} is stale: run python3 tools/make_sample_review.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)} ({text.count(chr(10) + 'From kpatchlint@') + 1} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
