"""Resource protocols declared in rules/*.yaml (acquire/sink/flag, or get/put pairs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kpatchlint.errors import InputError

if TYPE_CHECKING:
    from kpatchlint.settings import Settings


@dataclass(frozen=True)
class CallSpec:
    call: str
    object_arg: int | None = None  # which argument is the object (0-based)
    flag_param: str | None = None  # sink parameter that says the acquire already happened


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
    raw: dict = field(default_factory=dict, compare=False, hash=False)


def _spec(obj: Any, where: str) -> CallSpec:
    if isinstance(obj, str):
        return CallSpec(obj)
    if not isinstance(obj, dict) or "call" not in obj:
        raise InputError("each call entry needs `call:`", where)
    return CallSpec(str(obj["call"]), obj.get("object_arg"), obj.get("flag_param"))


def _specs(obj: Any, where: str) -> tuple[CallSpec, ...]:
    if obj is None:
        return ()
    if isinstance(obj, list):
        return tuple(_spec(o, where) for o in obj)
    return (_spec(obj, where),)


def parse_protocol(data: dict, source: str) -> Protocol:
    if not isinstance(data, dict):
        raise InputError("a protocol file must hold a mapping", source)
    for key in ("id", "kind", "acquire"):
        if key not in data:
            raise InputError(f"missing `{key}:`", source)
    kind = data["kind"]
    if kind not in ("acquire-before-sink", "pair"):
        raise InputError(f"unknown kind {kind!r} (acquire-before-sink or pair)", source)
    return Protocol(
        id=str(data["id"]), kind=kind, message=str(data.get("message", "")),
        acquire=_specs(data.get("acquire"), source), sinks=_specs(data.get("sink"), source),
        release=_specs(data.get("release"), source), note=str(data.get("note", "")),
        severity=str(data.get("severity", "error")), source=source, raw=data,
    )


def load_file(path: Path) -> Protocol:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read protocol: {exc}".splitlines()[0], str(path)) from exc
    return parse_protocol(data, str(path))


def builtin_protocols() -> list[Protocol]:
    out = []
    pkg = resources.files("kpatchlint") / "rules"
    if pkg.is_dir():
        for entry in sorted(pkg.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                out.append(parse_protocol(yaml.safe_load(entry.read_text(encoding="utf-8")), f"rules/{entry.name}"))
    return out


def load_protocols(settings: "Settings") -> list[Protocol]:
    out = builtin_protocols() if settings.use_builtin_protocols else []
    out += [load_file(Path(p)) for p in settings.protocol_files]
    return out
