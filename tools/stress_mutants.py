#!/usr/bin/env python3
"""Recall stress test: take the collateral patch `kpatchlint refactor` writes for a random real
function (add-param or rename), drop the hunk that updates one caller, and check that
`kpatchlint check --tree` reports that caller (SIG001 for add-param, SIG006 for rename) within
two lines of where it stays, at patch 1/1.

    KPATCHLINT_LINUX_TREE=... python tools/stress_mutants.py [SEED] [FUNCTIONS]

Patches live in a temporary directory only; the tree is not modified.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

DIRS = ["mm", "kernel", "fs/ext4", "lib", "net/core", "block", "drivers/base"]
HEAD_RE = re.compile(r"^(?:int|void|bool|long|unsigned long|struct \w+ \*)\s+([a-z_][a-z0-9_]{4,})\(([^;{]*)\)\n\{",
                     re.M)
HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.M)


def split_patch(text: str) -> tuple[str, list[tuple[str, str, list[str]]], str]:
    """(mail head, [(path, file header, [hunk texts])], tail)."""
    first = text.index("diff --git ")
    end = text.rfind("\n-- \n")
    head, body, tail = text[:first], text[first:end + 1], text[end + 1:]
    files = []
    for part in re.split(r"(?m)^(?=diff --git )", body):
        if not part.strip():
            continue
        path = part.split("\n", 1)[0].split(" b/", 1)[1]
        i = part.index("\n@@")
        hunks = re.split(r"(?m)^(?=@@ )", part[i + 1:])
        files.append((path, part[:i + 1], [h for h in hunks if h]))
    return head, files, tail


def main() -> int:
    tree = os.environ.get("KPATCHLINT_LINUX_TREE")
    if not tree:
        print("set KPATCHLINT_LINUX_TREE", file=sys.stderr)
        return 2
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    want = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    kp = [sys.executable, "-m", "kpatchlint"]
    rnd = random.Random(seed)
    pool = []
    for d in DIRS:
        for p in sorted(Path(tree, d).rglob("*.c")):
            pool += [n for n, _ in HEAD_RE.findall(p.read_text(errors="replace"))]
    pool = sorted(set(pool))
    rnd.shuffle(pool)
    hits = misses = tried = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in pool:
            if tried >= want:
                break
            kind = rnd.choice(["add", "rename"])
            args = ["add-param", name, "int kp_extra", "--value", "0"] if kind == "add" else ["rename", name, name + "_kp"]
            r = subprocess.run([*kp, "refactor", *args, "--tree", tree, "--no-check"], capture_output=True, text=True,
                               timeout=600)
            if r.returncode != 0 or not r.stdout.strip():
                continue
            head, files, tail = split_patch(r.stdout)
            # a caller hunk in a .c file: a `-` line calls the function, none defines it
            cands = []
            for fi, (path, fh, hunks) in enumerate(files):
                if not path.endswith(".c"):
                    continue
                for hi, h in enumerate(hunks):
                    minus = [ln for ln in h.split("\n") if ln.startswith("-")
                             and not ln[1:].lstrip().startswith(("*", "/*", "//"))]
                    if any(re.search(r"\b" + name + r"\s*\(", ln) and ln[1:2].isspace() for ln in minus):
                        cands.append((fi, hi))
            if not cands:
                continue
            tried += 1
            fi, hi = rnd.choice(cands)
            path, fh, hunks = files[fi]
            dropped = hunks[hi]
            # where the stale call stays: old line of its `-` line, shifted by the earlier hunks
            m = HUNK_RE.match(dropped)
            old_line = int(m.group(1))
            shift = 0
            for h in hunks[:hi]:
                hm = HUNK_RE.match(h)
                shift += int(hm.group(4) or 1) - int(hm.group(2) or 1)
            n = old_line
            for ln in dropped.split("\n")[1:]:
                if ln.startswith("-") and re.search(r"\b" + name + r"\s*\(", ln):
                    break
                if ln.startswith((" ", "-")):
                    n += 1
            want_line = n + shift
            rest = hunks[:hi] + hunks[hi + 1:]
            out = [head]
            for j, (p, h2, hs) in enumerate(files):
                hs = rest if j == fi else hs
                if hs:
                    out.append(h2 + "".join(hs))
            patch = Path(tmp) / "m.patch"
            patch.write_text("".join(out) + tail)
            c = subprocess.run([*kp, "check", str(patch), "--tree", tree, "--format", "json", "--fresh"],
                               capture_output=True, text=True, timeout=900)
            doc = json.loads(c.stdout)
            code = "SIG001" if kind == "add" else "SIG006"
            got = [f for f in doc["issues"] if f["code"] == code and f["file"] == path
                   and abs((f["line"] or 0) - want_line) <= 2]
            errs = [f for f in doc["issues"] if f["level"] == "error" and f not in got and f["code"] != "SIG007"]
            ok = bool(got)
            hits += ok
            misses += not ok
            print(f"{'HIT ' if ok else 'MISS'} {kind:6s} {name:36s} {path}:{want_line}"
                  + ("" if not errs else f"  other errors: {[(e['code'], e['file'], e['line']) for e in errs[:3]]}"),
                  flush=True)
            if not ok:
                print("     found:", [(f["code"], f["file"], f["line"]) for f in doc["issues"]
                                      if f["level"] in ("error", "warning")][:6], "problems:", doc["problems"][:2])
    print(f"hits {hits}, misses {misses}")
    return 0 if not misses else 1


if __name__ == "__main__":
    sys.exit(main())
