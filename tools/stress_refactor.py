#!/usr/bin/env python3
"""Precision stress test: correct series made by `kpatchlint refactor` on random real functions,
checked with the tree. Every finding of warning or error level it prints must be justified
(an add-param leaves its parameter unused: PAR005 is right); an error is a false positive.

    KPATCHLINT_LINUX_TREE=... python tools/stress_refactor.py [SEED] [FUNCTIONS]

Patches are written to a temporary directory and never kept; the tree is not modified.
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

DIRS = ["mm", "kernel/sched", "fs/ext4", "lib", "net/core", "block", "drivers/base"]
HEAD_RE = re.compile(r"^(?:int|void|bool|long|unsigned long|struct \w+ \*)\s+([a-z_][a-z0-9_]{4,})\(([^;{]*)\)\n\{",
                     re.M)


def main() -> int:
    tree = os.environ.get("KPATCHLINT_LINUX_TREE")
    if not tree:
        print("set KPATCHLINT_LINUX_TREE to an extracted kernel tree", file=sys.stderr)
        return 2
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    want = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    kp = [sys.executable, "-m", "kpatchlint"]
    rnd = random.Random(seed)
    names = []
    for d in DIRS:
        for p in sorted(Path(tree, d).rglob("*.c")):
            names += HEAD_RE.findall(p.read_text(errors="replace"))
    pool = sorted({n for n, _ in names})
    rnd.shuffle(pool)
    errors = 0
    with tempfile.TemporaryDirectory() as tmp:
        patch = Path(tmp) / "p.patch"
        for name in pool[:want]:
            for kind, args in (("add", ["add-param", name, "int kp_extra", "--value", "0"]),
                               ("rename", ["rename", name, name + "_kp"])):
                r = subprocess.run([*kp, "refactor", *args, "--tree", tree, "--no-check"], capture_output=True,
                                   text=True, timeout=600)
                if r.returncode != 0 or not r.stdout.strip():
                    continue
                patch.write_text(r.stdout)
                c = subprocess.run([*kp, "check", str(patch), "--tree", tree, "--format", "json", "--fresh"],
                                   capture_output=True, text=True, timeout=900)
                doc = json.loads(c.stdout)
                bad = [f for f in doc["issues"] if f["level"] in ("error", "warning") and not f["pre_existing"]]
                errors += sum(1 for f in bad if f["level"] == "error")
                print(f"{name:40s} {kind:6s} files={r.stdout.count('diff --git'):4d} findings={len(bad)}", flush=True)
                for f in bad[:8]:
                    print(f"    {f['code']} {f['file']}:{f['line']} {f['message'][:150]}")
    print(f"errors: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
