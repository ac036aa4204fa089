#!/usr/bin/env python3
"""Write fixtures/rules/SIG00N-*/ cases (tree/, patches/*.patch, expected.txt) from the small
invented trees below. Expected findings are written by hand next to each case (line numbers in
the file after the named patch). Run from the repo root: python3 tools/make_sig_fixtures.py"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.helpers.patchgen import file_diff, mail  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "fixtures" / "rules"

HDR = """\
#ifndef _LINUX_FROB_H
#define _LINUX_FROB_H

#ifdef CONFIG_FROB
int frob_get(int a, int b);
void frob_put(struct frob *f);
#else
static inline int frob_get(int a, int b)
{
	return 0;
}
static inline void frob_put(struct frob *f)
{
}
#endif

#endif
"""
DEF = """\
#include <linux/frob.h>

int frob_get(int a, int b)
{
	return a + b;
}

void frob_put(struct frob *f)
{
	kfree(f);
}
"""
CALLER_A = """\
#include <linux/frob.h>

static int use_a(int x)
{
	return frob_get(x, 1);
}
"""
CALLER_B = """\
#include <linux/frob.h>

static int use_b(int y)
{
	int r;

	r = frob_get(y,
		     2);
	return r;
}
"""
BASE = {"include/linux/frob.h": HDR, "mm/frob.c": DEF, "mm/a.c": CALLER_A, "mm/b.c": CALLER_B}

ADD_C_PROTO = ("include/linux/frob.h", "int frob_get(int a, int b);", "int frob_get(int a, int b, int c);")
ADD_C_STUB = ("include/linux/frob.h", "static inline int frob_get(int a, int b)\n",
              "static inline int frob_get(int a, int b, int c)\n")
ADD_C_DEF = ("mm/frob.c", "int frob_get(int a, int b)\n", "int frob_get(int a, int b, int c)\n")
ADD_C_A = ("mm/a.c", "frob_get(x, 1);", "frob_get(x, 1, 0);")
ADD_C_B = ("mm/b.c", "\t\t     2);", "\t\t     2, 0);")


def case(code_dir: str, name: str, base: dict[str, str], patches: list[list[tuple[str, str, str]]],
         expected: list[str], with_tree: bool = True) -> None:
    d = OUT / code_dir / name
    if d.exists():
        shutil.rmtree(d)
    if with_tree:
        for path, text in base.items():
            p = d / "tree" / path
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
    if patches:
        (d / "patches").mkdir(parents=True)
        cur = dict(base)
        for i, edits in enumerate(patches, start=1):
            before = dict(cur)
            for path, old, new in edits:
                assert cur[path].count(old) == 1, (name, path, old)
                cur[path] = cur[path].replace(old, new)
            diffs = [file_diff(p, before[p], cur[p]) for p in sorted(cur) if before[p] != cur[p]]
            (d / "patches" / f"{i:04d}-frob.patch").write_text(mail(i, len(patches), f"frob: step {i}", diffs))
    d.mkdir(parents=True, exist_ok=True)
    (d / "expected.txt").write_text("".join(e + "\n" for e in expected))


def main() -> None:
    # SIG001: frob_get gains `c`; mm/b.c keeps two arguments (call starts at mm/b.c:7)
    case("SIG001-call-arg-count", "fires-stale-caller", BASE,
         [[ADD_C_PROTO, ADD_C_STUB, ADD_C_DEF, ADD_C_A]], ["1 mm/b.c:7"])
    case("SIG001-call-arg-count", "silent-all-updated", {
        **BASE,
        "mm/c.c": "static int call_cb(int (*frob_get)(int, int))\n{\n\treturn frob_get(1, 2);\n}\n",
    }, [[ADD_C_PROTO, ADD_C_STUB, ADD_C_DEF, ADD_C_A, ADD_C_B]], [])
    # SIG002: the definition's `b` becomes `long`; the prototype (include/linux/frob.h:5) is stale
    case("SIG002-proto-def-mismatch", "fires-type-changed", BASE,
         [[("mm/frob.c", "int frob_get(int a, int b)\n", "int frob_get(int a, long b)\n")]],
         ["1 include/linux/frob.h:5"])
    case("SIG002-proto-def-mismatch", "silent-typedef-spelling", {
        "include/linux/frob.h": "typedef struct frob frob_t;\nvoid frob_put(frob_t *f);\nint frob_len(u32 n);\n",
        "mm/frob.c": "#include <linux/frob.h>\n\nvoid frob_put(struct frob *f)\n{\n\tkfree(f);\n}\n\n"
                     "int frob_len(__u32 n)\n{\n\treturn n;\n}\n",
    }, [[("mm/frob.c", "\treturn n;", "\treturn (int)n;")]], [])
    # SIG003: prototype and definition gain `c`, the #else stub (include/linux/frob.h:8) does not
    case("SIG003-stub-drift", "fires-stub-forgotten", BASE,
         [[ADD_C_PROTO, ADD_C_DEF, ADD_C_A, ADD_C_B]], ["1 include/linux/frob.h:8"])
    case("SIG003-stub-drift", "silent-stub-updated", BASE,
         [[ADD_C_PROTO, ADD_C_STUB, ADD_C_DEF, ADD_C_A, ADD_C_B]], [])
    # SIG004: frob_put becomes int everywhere; the stub keeps its empty body (include/linux/frob.h:12)
    put_int = [("include/linux/frob.h", "void frob_put(struct frob *f);", "int frob_put(struct frob *f);"),
               ("include/linux/frob.h", "static inline void frob_put(", "static inline int frob_put("),
               ("mm/frob.c", "void frob_put(struct frob *f)\n{\n\tkfree(f);\n",
                "int frob_put(struct frob *f)\n{\n\tkfree(f);\n\treturn 0;\n")]
    case("SIG004-stub-missing-return", "fires-empty-int-stub", BASE, [put_int], ["1 include/linux/frob.h:12"])
    case("SIG004-stub-missing-return", "silent-stub-returns", BASE,
         [put_int + [("include/linux/frob.h", "struct frob *f)\n{\n}\n", "struct frob *f)\n{\n\treturn 0;\n}\n")]], [])
    # SIG005 (tree lint): the prototype says `len`, the definition `n` (include/linux/frob.h:1)
    case("SIG005-param-name-mismatch", "fires-renamed", {
        "include/linux/frob.h": "int frob_len(int len);\nint frob_dup(int);\n",
        "mm/frob.c": "#include <linux/frob.h>\n\nint frob_len(int n)\n{\n\treturn n;\n}\n\n"
                     "int frob_dup(int n)\n{\n\treturn n;\n}\n",
    }, [], ["0 include/linux/frob.h:1"])
    case("SIG005-param-name-mismatch", "silent-unnamed-or-same", {
        "include/linux/frob.h": "int frob_len(int n);\nint frob_dup(int);\n",
        "mm/frob.c": "#include <linux/frob.h>\n\nint frob_len(int n)\n{\n\treturn n;\n}\n\n"
                     "int frob_dup(int n)\n{\n\treturn n;\n}\n",
    }, [], [])
    # SIG006: frob_put is removed (prototype, stub, definition) but mm/c.c still calls it (mm/c.c:5)
    with_user = {**BASE, "mm/c.c": "#include <linux/frob.h>\n\nvoid drop(struct frob *f)\n{\n\tfrob_put(f);\n}\n"}
    remove_put = [("include/linux/frob.h", "void frob_put(struct frob *f);\n", ""),
                  ("include/linux/frob.h", "static inline void frob_put(struct frob *f)\n{\n}\n", ""),
                  ("mm/frob.c", "\nvoid frob_put(struct frob *f)\n{\n\tkfree(f);\n}\n", "")]
    case("SIG006-removed-still-used", "fires-caller-left", with_user, [remove_put], ["1 mm/c.c:5"])
    case("SIG006-removed-still-used", "silent-wrapper-keeps-name", with_user,
         [remove_put + [("include/linux/frob.h", "#endif\n\n#endif\n",
                         "#endif\n\nstatic inline void frob_put(struct frob *f)\n{\n\tkfree(f);\n}\n\n#endif\n")]], [])
    # SIG007: 1/2 changes prototype, stub and definition, 2/2 fixes the callers (first: mm/a.c:5)
    case("SIG007-bisect-break", "fires-split", BASE,
         [[ADD_C_PROTO, ADD_C_STUB, ADD_C_DEF], [ADD_C_A, ADD_C_B]], ["1 mm/a.c:5"])
    case("SIG007-bisect-break", "silent-one-patch", BASE,
         [[ADD_C_PROTO, ADD_C_STUB, ADD_C_DEF, ADD_C_A, ADD_C_B], [("mm/a.c", "static int use_a", "static int __maybe_unused use_a")]], [])


if __name__ == "__main__":
    main()
