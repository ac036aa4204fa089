"""PRO002 protocol-double-acquire: the object is acquired, then the sink is told to acquire it again."""

from __future__ import annotations

from typing import Iterator

from kpatchlint.checks.base import Context, Rule
from kpatchlint.checks.common import loc
from kpatchlint.checks.protocols._analysis import analysis, sev
from kpatchlint.checks.protocols._claims import claim_labels, claim_path, claims, flag_name
from kpatchlint.findings import Finding, Severity


class ProtocolDoubleAcquire(Rule):
    code = "PRO002"
    name = "protocol-double-acquire"
    family = "protocols"
    severity = Severity.ERROR
    summary = "the object is acquired and then handed to a sink told to acquire it (again)"
    doc = """
## What it does
For each `acquire-before-sink` protocol whose sink has a flag parameter, looks at every call
of the sink whose flag is `false` ("not acquired yet, do it") — as a literal or forwarded
from a caller's parameter — and reports it when the object was acquired earlier on some
path: a call of the acquire on the object before the call in the same function (on any
path), in a caller that passed the object down, or through a function returning an
acquired object.

## Why is this bad?
The object is acquired twice. For the memcg swap-in charge the folio is charged twice: the
cgroup is over-charged (and may reclaim or OOM for nothing), and the second charge
overwrites `folio->memcg_data`, so one charge is never uncharged.

## Example
```c
if (mem_cgroup_swapin_charge_folio(new, mm, gfp, entry))
	goto fail;
swapcache = swapin_folio(entry, new, false);  /* the swap cache charges `new` again */
```

## Use instead
Tell the sink the acquire happened (`swapin_folio(entry, new, true)`), or drop the explicit
acquire and let the sink do it.

## Known limits
"Earlier on some path" is a may-analysis inside each function: an acquire on a branch that
cannot actually lead to the sink call (correlated conditions) is still counted. Objects are
matched by their text; a computed flag is not evaluated; callers are followed at most 8
levels up, through direct calls only.
"""

    def check(self, ctx: Context) -> Iterator[Finding]:
        a = analysis(ctx)
        seen: set[str] = set()
        for proto in ctx.protocols:
            if proto.kind != "acquire-before-sink":
                continue
            for cl in claims(a, proto):
                if cl.kind != "double":
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
                where = ", ".join(f"{p}:{ln}" for p, ln, _ in cl.acquires[:3])
                verb = proto.term("acquire")
                msg = (f"`{obj}` is {proto.term('acquired')} with `{acq}()` ({where}), then `{top.site.callee}()` "
                       f"is told it is not (`{flag_name(cl)}` = `{cl.flag_text}`), so `{cl.sink.call}()` "
                       f"{verb}s it again")
                note = f"path {claim_path(cl)}; protocol `{proto.id}`: {proto.message}"
                yield self.finding(msg, loc(top.site), key, function=top.fn.name, confidence=cl.confidence,
                                   note=note, labels=claim_labels(cl), severity=sev(proto))
