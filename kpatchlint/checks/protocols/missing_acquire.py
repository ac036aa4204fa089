"""PRO001 protocol-missing-acquire: a sink is told the object was acquired, but on some path it was not."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.checks.base import Context, Rule
from kpatchlint.checks.common import loc
from kpatchlint.checks.protocols._analysis import analysis, sev
from kpatchlint.checks.protocols._claims import claim_labels, claim_path, claims, flag_name
from kpatchlint.findings import Finding, Severity


class ProtocolMissingAcquire(Rule):
    code = "PRO001"
    name = "protocol-missing-acquire"
    family = "protocols"
    severity = Severity.ERROR
    summary = "a call tells a sink the object was already acquired, with no acquire of it earlier on the path"
    doc = """
## What it does
For each `acquire-before-sink` protocol (kpatchlint/rules/*.yaml) whose sink has a flag
parameter ("the acquire already happened", e.g. `charged` of
`__swap_cache_prepare_and_add()`), looks at every call of the sink. When the flag is
`true` — passed as a literal, or forwarded from a parameter of the caller and then passed as
`true` further up the call graph — it checks that the object was acquired earlier on that
path: a call of the acquire (`mem_cgroup_swapin_charge_folio(folio, ...)`) before it in the
same function on every path, the object being the return value of a function that returns
an acquired object (`folio = alloc_swap_folio(vmf)`), or the acquire happening in a caller
when the object is a parameter.

## Why is this bad?
The sink skips the acquire it would otherwise do. For the memcg swap-in charge, the folio
ends up in the swap cache and mapped without being charged to any memory cgroup: the
cgroup's usage is wrong, the uncharge at free time underflows it.

## Example
```c
folio = vma_alloc_folio(GFP_HIGHUSER_MOVABLE, 0, vma, vmf->address);
swapcache = swapin_folio(entry, folio, true);   /* "already charged": it is not */
```

## Use instead
Pass `false` and let the sink acquire, or acquire first:
```c
if (mem_cgroup_swapin_charge_folio(folio, vma->vm_mm, GFP_KERNEL, entry))
	goto fail;
swapcache = swapin_folio(entry, folio, true);
```

## Known limits
Paths are followed inside a function with a control-flow graph (branches, loops, `goto`),
but conditions are not correlated (an acquire under `if (x)` does not count for a later
`if (x)`). Objects are matched by their text (`folio`), so an alias (`new = folio`) is not
followed. The flag must be a literal, a parameter (possibly negated) forwarded up the call
graph; a computed flag (`folio_order(folio) > 0`) is not evaluated. Callers are followed at
most 8 levels up, through direct calls only (not function pointers).
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        a = analysis(ctx)
        seen: set[str] = set()
        for proto in ctx.protocols:
            if proto.kind != "acquire-before-sink":
                continue
            for cl in claims(a, proto):
                if cl.kind != "missing":
                    continue
                if not any(a.related(f.fn.name) for f in cl.chain):
                    continue
                top = cl.chain[0]
                acq = sorted(proto.acquire_names)[0]
                obj = top.obj or cl.chain[-1].obj or "the object"
                key = f"{proto.id}|{top.fn.name}|{top.site.callee}|{obj}"
                if key in seen:
                    continue
                seen.add(key)
                acquired = proto.term("acquired")
                if cl.flag_frame is top:
                    msg = (f"`{top.site.callee}()` is told `{obj}` is already {acquired} "
                           f"(`{flag_name(cl)}` = `{cl.flag_text}`), but no `{acq}()` of `{obj}` comes before "
                           f"it on this path")
                else:
                    msg = (f"`{obj}` reaches `{cl.sink.call}()` marked as already {acquired} "
                           f"(`{flag_name(cl)}` = `{cl.flag_text}` in `{cl.flag_frame.fn.name}()`), "
                           f"but `{top.fn.name}()` does not call `{acq}()` on it before `{top.site.callee}()`")
                note = f"path {claim_path(cl)}; protocol `{proto.id}`: {proto.message}"
                yield self.finding(msg, loc(top.site), key, function=top.fn.name, confidence=cl.confidence,
                                   note=note, labels=claim_labels(cl), severity=sev(proto))
