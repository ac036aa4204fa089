"""Resource protocols declared in rules/*.yaml (acquire/sink/flag, or get/put pairs).

A protocol is data, not code: the PRO rules (kpatchlint/checks/protocols/) read every loaded
protocol and check it. Two kinds exist:

* `acquire-before-sink`: an *acquire* call takes something for an object (charges a folio to
  a memcg); *sinks* are where the object is handed over (inserted into the swap cache). A
  sink may have a *flag parameter* telling it that the acquire already happened (`charged`);
  with the flag false the sink acquires itself. PRO001/PRO002 check the flag against the
  paths that reach the sink, PRO003 lists the places that acquire.
* `pair`: every path of a function that acquires (`si = get_swap_device(entry)`) must
  release (`put_swap_device(si)`) before it returns, unless it returns the object (PRO004).

The schema is documented with examples in docs/protocols.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kpatchlint.errors import InputError

if TYPE_CHECKING:
    from kpatchlint.settings import Settings

KINDS = ("acquire-before-sink", "pair")
SEVERITIES = ("error", "warning", "info", "hint")
FAILS = ("null", "nonzero", "never")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_IDENT_RE = re.compile(r"^[A-Za-z_]\w*$")
_TOP_KEYS = {"id", "kind", "message", "acquire", "sink", "sinks", "release", "note", "severity",
             "ignore_functions", "references", "terms"}
TERMS = {"acquire": "acquire", "acquired": "acquired", "release": "release", "sink": "the sink"}
_CALL_KEYS = {"call", "object_arg", "object", "fails", "flag_param", "flag_arg", "flag_means", "note"}


@dataclass(frozen=True)
class CallSpec:
    """One call of a protocol.

    `object_arg`: the 0-based argument that is the object; None with `object_return` when the
    object is the call's return value (`si = get_swap_device(entry)`).
    `fails`: how an acquire reports failure ("null": returns NULL, "nonzero": returns an
    error, "never"); only the paths where it succeeded must release.
    `flag_param` / `flag_arg`: for a sink, the parameter (by name, else by position) that says
    whether the acquire already happened; `flag_means` is "acquired" (true = already done, the
    usual `bool charged`) or "not-acquired" (true = the sink must acquire).
    """

    call: str
    object_arg: int | None = None
    flag_param: str | None = None
    object_return: bool = False
    fails: str = "null"
    flag_arg: int | None = None
    flag_means: str = "acquired"
    note: str = ""

    @property
    def has_flag(self) -> bool:
        return self.flag_param is not None or self.flag_arg is not None


@dataclass(frozen=True)
class Protocol:
    id: str
    kind: str  # "acquire-before-sink" | "pair"
    message: str
    acquire: tuple[CallSpec, ...]
    sinks: tuple[CallSpec, ...] = ()
    release: tuple[CallSpec, ...] = ()
    note: str = ""
    severity: str = "error"
    source: str = ""
    ignore_functions: tuple[str, ...] = ()  # functions the protocol is not checked in (wrappers)
    references: tuple[str, ...] = ()
    terms: tuple[tuple[str, str], ...] = ()  # words for messages: acquire, acquired, release, sink
    raw: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def acquire_names(self) -> frozenset[str]:
        return frozenset(a.call for a in self.acquire)

    @property
    def release_names(self) -> frozenset[str]:
        return frozenset(r.call for r in self.release)

    @property
    def sink_names(self) -> frozenset[str]:
        return frozenset(s.call for s in self.sinks)

    def term(self, key: str) -> str:
        """The protocol's word for `key` ("charge", "charged", "the swap cache"), else a default."""
        return dict(self.terms).get(key, TERMS[key])

    def sink(self, name: str) -> CallSpec | None:
        return next((s for s in self.sinks if s.call == name), None)


def _int_or_none(v: Any, what: str, where: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise InputError(f"`{what}:` must be a non-negative argument index (0-based), got {v!r}", where)
    return v


def _spec(obj: Any, where: str, role: str) -> CallSpec:
    if isinstance(obj, str):
        obj = {"call": obj}
    if not isinstance(obj, dict) or "call" not in obj:
        raise InputError(f"each {role} entry needs `call:`", where)
    unknown = set(obj) - _CALL_KEYS
    if unknown:
        raise InputError(f"unknown key(s) in {role} `{obj['call']}`: {', '.join(sorted(unknown))}", where)
    call = str(obj["call"])
    if not _IDENT_RE.match(call):
        raise InputError(f"`call:` must be a C identifier, got {call!r}", where)
    raw_obj = obj.get("object", obj.get("object_arg"))
    object_return = raw_obj == "return"
    object_arg = None if object_return else _int_or_none(raw_obj, "object_arg", where)
    fails = obj.get("fails", "null" if object_return else "never")
    fails = "null" if fails is None else str(fails)  # YAML reads a bare `null` as None
    if fails not in FAILS:
        raise InputError(f"`fails:` must be one of {', '.join(FAILS)}, got {fails!r}", where)
    flag_param = obj.get("flag_param")
    if flag_param is not None and not _IDENT_RE.match(str(flag_param)):
        raise InputError(f"`flag_param:` must be a parameter name, got {flag_param!r}", where)
    flag_means = str(obj.get("flag_means", "acquired"))
    if flag_means not in ("acquired", "not-acquired"):
        raise InputError(f"`flag_means:` must be `acquired` or `not-acquired`, got {flag_means!r}", where)
    spec = CallSpec(call=call, object_arg=object_arg, flag_param=None if flag_param is None else str(flag_param),
                    object_return=object_return, fails=fails,
                    flag_arg=_int_or_none(obj.get("flag_arg"), "flag_arg", where), flag_means=flag_means,
                    note=str(obj.get("note", "")))
    if role != "sink" and spec.has_flag:
        raise InputError(f"only a sink takes a flag (`{call}` is an {role})", where)
    return spec


def _specs(obj: Any, where: str, role: str) -> tuple[CallSpec, ...]:
    if obj is None:
        return ()
    if isinstance(obj, list):
        return tuple(_spec(o, where, role) for o in obj)
    return (_spec(obj, where, role),)


def _strings(obj: Any, key: str, where: str) -> tuple[str, ...]:
    if obj is None:
        return ()
    if isinstance(obj, str):
        return (obj,)
    if isinstance(obj, list) and all(isinstance(x, str) for x in obj):
        return tuple(obj)
    raise InputError(f"`{key}:` must be a string or a list of strings", where)


def parse_protocol(data: dict, source: str) -> Protocol:
    if not isinstance(data, dict):
        raise InputError("a protocol file must hold a mapping", source)
    for key in ("id", "kind", "acquire"):
        if key not in data:
            raise InputError(f"missing `{key}:`", source)
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise InputError(f"unknown key(s): {', '.join(sorted(unknown))}", source)
    pid = str(data["id"])
    if not _ID_RE.match(pid):
        raise InputError(f"`id:` must be lower-case words joined by '-', got {pid!r}", source)
    kind = data["kind"]
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r} (acquire-before-sink or pair)", source)
    severity = str(data.get("severity", "error")).lower()
    if severity not in SEVERITIES:
        raise InputError(f"`severity:` must be one of {', '.join(SEVERITIES)}", source)
    acquire = _specs(data.get("acquire"), source, "acquire")
    sinks = _specs(data.get("sink", data.get("sinks")), source, "sink")
    release = _specs(data.get("release"), source, "release")
    if not acquire:
        raise InputError("`acquire:` names no call", source)
    for a in acquire:
        if a.object_arg is None and not a.object_return:
            raise InputError(f"acquire `{a.call}` needs `object_arg: N` or `object: return`", source)
    if kind == "acquire-before-sink":
        if not sinks:
            raise InputError("an acquire-before-sink protocol needs `sink:`", source)
        if release:
            raise InputError("`release:` belongs to a pair protocol", source)
        for s in sinks:
            if s.object_arg is None:
                raise InputError(f"sink `{s.call}` needs `object_arg: N` (the object handed over)", source)
    else:
        if not release:
            raise InputError("a pair protocol needs `release:`", source)
        if sinks:
            raise InputError("`sink:` belongs to an acquire-before-sink protocol", source)
        for r in release:
            if r.object_arg is None:
                raise InputError(f"release `{r.call}` needs `object_arg: N`", source)
    terms = data.get("terms") or {}
    if not isinstance(terms, dict) or set(terms) - set(TERMS) or not all(isinstance(v, str) for v in terms.values()):
        raise InputError(f"`terms:` maps some of {', '.join(sorted(TERMS))} to words", source)
    return Protocol(
        id=pid, kind=kind, message=str(data.get("message", "")),
        acquire=acquire, sinks=sinks, release=release, note=str(data.get("note", "")),
        severity=severity, source=source,
        ignore_functions=_strings(data.get("ignore_functions"), "ignore_functions", source),
        references=_strings(data.get("references"), "references", source),
        terms=tuple(sorted((str(k), str(v)) for k, v in terms.items())), raw=data,
    )


def parse_text(text: str, source: str) -> Protocol:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"cannot read protocol: {exc}".splitlines()[0], source) from exc
    return parse_protocol(data, source)


def load_file(path: Path) -> Protocol:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read protocol: {exc}".splitlines()[0], str(path)) from exc
    return parse_text(text, str(path))


def builtin_protocols() -> list[Protocol]:
    out = []
    pkg = resources.files("kpatchlint") / "rules"
    if pkg.is_dir():
        for entry in sorted(pkg.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                out.append(parse_text(entry.read_text(encoding="utf-8"), f"rules/{entry.name}"))
    return out


def load_protocols(settings: "Settings") -> list[Protocol]:
    out = builtin_protocols() if settings.use_builtin_protocols else []
    out += [load_file(Path(p)) for p in settings.protocol_files]
    seen: dict[str, Protocol] = {}
    for p in out:
        seen[p.id] = p  # a user file with a builtin's id replaces it
    return list(seen.values())
