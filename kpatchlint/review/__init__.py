"""Review output for mailing lists: a series summary and one reply mail per patch with findings."""

from kpatchlint.review.summary import SeriesSummary, build_summary, render_json, render_text

__all__ = ["SeriesSummary", "build_summary", "render_json", "render_text"]
