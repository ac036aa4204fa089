"""A GitHub pull-request review payload (POST /repos/{owner}/{repo}/pulls/{n}/reviews).

`{"body": ..., "event": "COMMENT", "comments": [{"path", "line", "side": "RIGHT", "body"}]}`:
one comment per finding on its post-patch line; findings without a line, and notes about the
input, go into the review body. GitHub rejects comments on lines outside the pull request's
diff, so a caller that posts this may have to move those into the body too.
"""

from __future__ import annotations

import json

from kpatchlint.engine import Result
from kpatchlint.findings import Finding
from kpatchlint.report import register


def comment_body(f: Finding) -> str:
    tags = [str(f.severity)]
    if f.total:
        tags.append(f"patch {f.patch_label}")
    if f.pre_existing:
        tags.append("pre-existing")
    if f.repaired_by:
        tags.append(f"repaired by {f.repaired_by}/{f.total}")
    if f.confidence.name != "HIGH":
        tags.append(f"{f.confidence} confidence")
    parts = [f"**{f.code}** `{f.name}` ({', '.join(tags)})", "", f.message]
    if f.note:
        parts += ["", f.note]
    if f.labels:
        parts += ["", "See also:"]
        parts += [f"- `{lab.location.path}:{lab.location.line}`: {lab.message}" for lab in f.labels]
    return "\n".join(parts)


def review_payload(result: Result) -> dict:
    c = result.counts()
    comments = []
    loose = []
    for f in result.findings:
        if f.primary is None:
            loose.append(f)
            continue
        comments.append({"path": f.primary.path, "line": f.primary.line, "side": "RIGHT", "body": comment_body(f)})
    n = len(result.findings)
    body = [f"kpatchlint: {n} finding{'s' if n != 1 else ''} ({c['error']} errors, {c['warning']} warnings, "
            f"{c['info'] + c['hint']} notes)."]
    for f in loose:
        body += ["", comment_body(f)]
    if result.problems:
        body += ["", "Notes:"] + [f"- {p}" for p in result.problems]
    return {"body": "\n".join(body), "event": "COMMENT", "comments": comments}


@register("github-review")
def write_github_review(result: Result, opts: dict) -> str:
    return json.dumps(review_payload(result), indent=2) + "\n"
