"""BLD004 set-but-unused: a local that is assigned and never read (-Wunused-but-set-variable)."""

from __future__ import annotations

from kpatchlint.c.locals import set_but_unused_locals
from kpatchlint.checks.build.unused_variable import UnusedVariable


class SetButUnused(UnusedVariable):
    code = "BLD004"
    name = "set-but-unused-variable"
    summary = "a local variable is assigned but never read (gcc -Wunused-but-set-variable, make W=1)"
    finder = staticmethod(set_but_unused_locals)
    message = "variable `{var}` set but not used in `{func}`"
    note = ("gcc: -Wunused-but-set-variable (make W=1, as the kernel test robot builds); drop the variable "
            "and its assignments, keeping calls whose side effects matter")
    doc = """
## What it does
Lists the variables declared in the body of each function the series touches whose every
other occurrence is the target of an assignment (`x = f();`, `x |= FLAG;`): nothing reads
them. The whole function must be known, as for BLD003.

## Why is this bad?
`make W=1` warns "variable 'x' set but not used [-Wunused-but-set-variable]" and the kernel
test robot reports it: a patch removed the last read of a variable (the `if (ret)` after
`ret = f();`) and kept the assignments.

## Example
```c
	int ret;

	ret = swap_writepage(page, wbc);	/* nothing looks at ret any more */
	return 0;
```

## Use instead
Drop the variable and keep the call, or check the result again.

## Known limits
Only plain and compound assignments count as setting (`x++` counts as a read, so does
`&x`); the declaration guards of BLD003 apply (attributes, unknown all-caps macros, macros
that name the variable).
"""
