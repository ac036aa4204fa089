#!/usr/bin/env python3
"""Write fixtures/rules/BLD00N-*/, PAR009-*/ and SIG008-010 cases (tree/, patches/*.patch, expected.txt) from the small
invented trees below. Expected findings are written by hand next to each case (line numbers in
the file after the named patch). Run from the repo root: python3 tools/make_build_fixtures.py"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.make_sig_fixtures import case  # noqa: E402

HDR = """\
#ifndef _LINUX_FROB_H
#define _LINUX_FROB_H

struct frob {
	int count;
	int level;
};

int frob_get(struct frob *f, int n);
void frob_put(struct frob *f);

#endif
"""
DEF = """\
#include <linux/frob.h>
#include <linux/slab.h>

static int frob_sum(struct frob *f, int n)
{
	return f->count + n;
}

int frob_get(struct frob *f, int n)
{
	int ret;

	ret = frob_sum(f, n);
	return ret;
}

void frob_put(struct frob *f)
{
	kfree(f);
}
"""
BASE = {"include/linux/frob.h": HDR, "mm/frob.c": DEF}

# a new global helper, called from frob_put(): mm/frob.c:17 after the patch
NEW_HELPER = ("mm/frob.c", "void frob_put(struct frob *f)\n{\n\tkfree(f);\n}\n",
              "int frob_clear(struct frob *f)\n{\n\tf->count = 0;\n\treturn 0;\n}\n\n"
              "void frob_put(struct frob *f)\n{\n\tfrob_clear(f);\n\tkfree(f);\n}\n")
# frob_get() stops calling frob_sum() and stops using `ret`
INLINE_SUM = ("mm/frob.c", "\tret = frob_sum(f, n);\n\treturn ret;\n", "\treturn f->count + n;\n")

ATTR = """\
#include <linux/device.h>

static int frob_level;

static ssize_t level_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\\n", frob_level);
}
static DEVICE_ATTR_RO(level);
"""

MMIO = """\
#include <linux/io.h>

#define FROB_STATUS()	readl(base + 4)

static int frob_poll(void __iomem *regs)
{
	void __iomem *base = regs;
	int tries = 10;

	while (tries--)
		if (FROB_STATUS() & 1)
			return 0;
	return -ETIMEDOUT;
}
"""


def main() -> None:
    # BLD001: frob_clear() is new, not static, and no header declares it (mm/frob.c:17)
    case("BLD001-missing-prototype", "fires-new-helper", BASE, [[NEW_HELPER]], ["1 mm/frob.c:17"])
    case("BLD001-missing-prototype", "fires-without-tree", BASE, [[NEW_HELPER]], ["1 mm/frob.c:17"],
         with_tree=False)
    case("BLD001-missing-prototype", "silent-declared-in-header", BASE,
         [[NEW_HELPER, ("include/linux/frob.h", "void frob_put(struct frob *f);\n",
                        "void frob_put(struct frob *f);\nint frob_clear(struct frob *f);\n")]], [])
    case("BLD001-missing-prototype", "silent-static", BASE,
         [[("mm/frob.c", NEW_HELPER[1], NEW_HELPER[2].replace("int frob_clear(", "static int frob_clear("))]], [])
    # without a tree, a function that exists before the series is not new: its prototype is unseen
    case("BLD001-missing-prototype", "silent-without-tree-old-function", BASE,
         [[("mm/frob.c", "\tkfree(f);\n}\n", "\tf->count = 0;\n\tkfree(f);\n}\n")]], [], with_tree=False)
    # BLD002: frob_get() no longer calls frob_sum() (mm/frob.c:4)
    case("BLD002-unused-static-function", "fires-last-caller-removed", BASE, [[INLINE_SUM]], ["1 mm/frob.c:4"])
    case("BLD002-unused-static-function", "silent-still-in-ops-table", {
        **BASE, "mm/frob.c": DEF + "\nstatic const struct frob_ops ops = {\n\t.sum = frob_sum,\n};\n"},
         [[INLINE_SUM]], [])
    case("BLD002-unused-static-function", "silent-built-by-macro", {"drivers/frob/attr.c": ATTR},
         [[("drivers/frob/attr.c", 'sysfs_emit(buf, "%d\\n", frob_level)', 'sysfs_emit(buf, "%d\\n", frob_level + 1)')]],
         [])
    # without a tree: a new static helper no patch calls (mm/frob.c:22), and one that a patch calls
    helper = ("mm/frob.c", "void frob_put(struct frob *f)\n{\n\tkfree(f);\n}\n",
              "void frob_put(struct frob *f)\n{\n\tkfree(f);\n}\n\nstatic void frob_zero(struct frob *f)\n{\n"
              "\tf->count = 0;\n}\n")
    case("BLD002-unused-static-function", "fires-new-helper-without-tree", BASE, [[helper]], ["1 mm/frob.c:22"],
         with_tree=False)
    case("BLD002-unused-static-function", "silent-new-helper-called-without-tree", BASE,
         [[helper, ("mm/frob.c", "\tret = frob_sum(f, n);\n", "\tret = frob_sum(f, n);\n\tfrob_zero(f);\n")]], [],
         with_tree=False)
    # BLD003: `ret` in frob_get() loses its last use (mm/frob.c:11)
    case("BLD003-unused-variable", "fires-last-use-removed", BASE, [[INLINE_SUM]], ["1 mm/frob.c:11"])
    # without a tree the whole function must be in the patch: a new one with a stray `old` (mm/frob.c:24)
    reset = ("mm/frob.c", "void frob_put(struct frob *f)\n{\n\tkfree(f);\n}\n",
             "void frob_put(struct frob *f)\n{\n\tkfree(f);\n}\n\n"
             "static void frob_reset(struct frob *f)\n{\n\tint old;\n\n\tf->count = 0;\n}\n")
    case("BLD003-unused-variable", "fires-new-function-without-tree", BASE, [[reset]], ["1 mm/frob.c:24"],
         with_tree=False)
    # ...and it is not flagged when only part of the function shows (frob_get()'s head is out of the hunk)
    case("BLD003-unused-variable", "silent-without-tree-partial-function", BASE, [[INLINE_SUM]], [], with_tree=False)
    case("BLD003-unused-variable", "silent-used-by-macro", {"drivers/frob/mmio.c": MMIO},
         [[("drivers/frob/mmio.c", "int tries = 10;", "int tries = 20;")]], [])
    case("BLD003-unused-variable", "silent-maybe-unused", BASE,
         [[INLINE_SUM, ("mm/frob.c", "\tint ret;\n", "\tint ret __maybe_unused;\n")]], [])

    # PAR009: frob_get() becomes frob_take(); the kernel-doc head still says frob_get (mm/kdoc.c:2)
    kdoc = {"mm/kdoc.c": "/**\n * frob_get - take a reference\n * @f: the frob\n */\n"
                         "int frob_get(struct frob *f)\n{\n\treturn ++f->count;\n}\n",
            "include/linux/kdoc.h": "int frob_get(struct frob *f);\n"}
    rename = [("mm/kdoc.c", "int frob_get(struct frob *f)\n", "int frob_take(struct frob *f)\n"),
              ("include/linux/kdoc.h", "int frob_get(", "int frob_take(")]
    case("PAR009-kdoc-wrong-name", "fires-rename-missed-comment", kdoc, [rename], ["1 mm/kdoc.c:2"])
    case("PAR009-kdoc-wrong-name", "silent-comment-renamed", kdoc,
         [rename + [("mm/kdoc.c", " * frob_get - take", " * frob_take - take")]], [])
    case("PAR009-kdoc-wrong-name", "silent-noprof", kdoc,
         [[("mm/kdoc.c", "int frob_get(struct frob *f)\n", "int frob_get_noprof(struct frob *f)\n"),
           ("include/linux/kdoc.h", "int frob_get(", "int frob_get_noprof(")]], [])

    # SIG008: frob_get() starts calling frob_count(), a static helper defined below it (mm/frob.c:13)
    count_below = ("mm/frob.c", "void frob_put(struct frob *f)\n",
                   "static int frob_count(struct frob *f)\n{\n\treturn f->count;\n}\n\nvoid frob_put(struct frob *f)\n")
    use_it = ("mm/frob.c", "\tret = frob_sum(f, n);\n", "\tret = frob_sum(f, n) + frob_count(f);\n")
    case("SIG008-use-before-declaration", "fires-helper-below-caller", BASE, [[count_below, use_it]],
         ["1 mm/frob.c:13"])
    case("SIG008-use-before-declaration", "silent-forward-declared", BASE,
         [[count_below, use_it, ("mm/frob.c", "#include <linux/slab.h>\n",
                                 "#include <linux/slab.h>\n\nstatic int frob_count(struct frob *f);\n")]], [])
    case("SIG008-use-before-declaration", "silent-without-tree", BASE, [[count_below, use_it]], [],
         with_tree=False)

    # SIG009: 1/2 calls frob_reset(), which only 2/2 adds (mm/frob.c:13 at 1/2)
    call_reset = ("mm/frob.c", "\tret = frob_sum(f, n);\n", "\tret = frob_sum(f, n);\n\tfrob_reset(f);\n")
    add_reset = [("include/linux/frob.h", "void frob_put(struct frob *f);\n",
                  "void frob_put(struct frob *f);\nvoid frob_reset(struct frob *f);\n"),
                 ("mm/frob.c", "void frob_put(struct frob *f)\n",
                  "void frob_reset(struct frob *f)\n{\n\tf->count = 0;\n}\n\nvoid frob_put(struct frob *f)\n")]
    kernel = {**BASE, "include/linux/compiler.h": "#ifndef __LINUX_COMPILER_H\n#define __LINUX_COMPILER_H\n#endif\n"}
    case("SIG009-undeclared-call", "fires-helper-added-later", kernel, [[call_reset], add_reset], ["1 mm/frob.c:14"])
    case("SIG009-undeclared-call", "silent-helper-in-the-same-patch", kernel, [[call_reset, *add_reset]], [])
    case("SIG009-undeclared-call", "silent-not-a-whole-tree", BASE, [[call_reset], add_reset], [])
    case("SIG009-undeclared-call", "silent-tracepoint", kernel,
         [[("mm/frob.c", "\tret = frob_sum(f, n);\n", "\tret = frob_sum(f, n);\n\ttrace_frob_get(f, ret);\n")]], [])

    # BLD004: frob_get() stops reading `ret` but keeps assigning it (mm/frob.c:11)
    set_only = ("mm/frob.c", "\tret = frob_sum(f, n);\n\treturn ret;\n", "\tret = frob_sum(f, n);\n\treturn n;\n")
    case("BLD004-set-but-unused-variable", "fires-read-removed", BASE, [[set_only]], ["1 mm/frob.c:11"])
    case("BLD004-set-but-unused-variable", "silent-still-read", BASE,
         [[("mm/frob.c", "\tret = frob_sum(f, n);\n\treturn ret;\n", "\tret = frob_sum(f, n);\n\treturn ret + n;\n")]],
         [])
    case("BLD004-set-but-unused-variable", "silent-address-taken", BASE,
         [[("mm/frob.c", "\tret = frob_sum(f, n);\n\treturn ret;\n", "\tret = frob_sum(f, n);\n\treturn frob_sum(f, *&ret);\n")]],
         [])

    # SIG010: FROB_MAX leaves include/linux/frob.h; mm/frob.c (untouched) still uses it (mm/frob.c:5)
    macro = {"include/linux/frob.h": HDR.replace("int frob_get(", "#define FROB_MAX\t64\n\nint frob_get("),
             "mm/frob.c": DEF.replace("\treturn f->count + n;\n", "\treturn min(f->count + n, FROB_MAX);\n")}
    drop_max = ("include/linux/frob.h", "#define FROB_MAX\t64\n\n", "")
    case("SIG010-removed-macro-still-used", "fires-user-left", macro, [[drop_max]], ["1 mm/frob.c:6"])
    case("SIG010-removed-macro-still-used", "silent-user-converted", macro,
         [[drop_max, ("mm/frob.c", "min(f->count + n, FROB_MAX)", "min(f->count + n, 64)")]], [])
    case("SIG010-removed-macro-still-used", "silent-moved-to-another-header", {
        **macro, "include/linux/frob_limits.h": "#ifndef _FROB_LIMITS_H\n#define _FROB_LIMITS_H\n#endif\n"},
         [[drop_max, ("include/linux/frob_limits.h", "#define _FROB_LIMITS_H\n",
                      "#define _FROB_LIMITS_H\n#define FROB_MAX\t64\n")]], [])
    case("SIG010-removed-macro-still-used", "silent-only-ifdef-left", {
        **macro, "mm/frob.c": DEF + "\n#ifdef FROB_MAX\nstatic int frob_limit = FROB_MAX;\n#endif\n"}, [[drop_max]], [])


if __name__ == "__main__":
    main()
