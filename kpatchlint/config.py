"""`.kpatchlint.toml` at the tree top, merged under command-line flags into Settings."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

from kpatchlint.errors import InputError
from kpatchlint.findings import Severity
from kpatchlint.settings import Settings

CONFIG_NAME = ".kpatchlint.toml"


def load_config(root: Path | None, explicit: Path | None = None) -> dict:
    path = explicit or (root / CONFIG_NAME if root is not None else None)
    if path is None or not path.is_file():
        if explicit is not None:
            raise InputError(f"config file {explicit} not found")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"bad config: {exc}", str(path)) from exc
    data["__path__"] = str(path)
    return data


def apply_config(settings: Settings, cfg: dict) -> Settings:
    if not cfg:
        return settings
    base = Path(cfg["__path__"]).parent
    where = cfg["__path__"]
    kw: dict = {}
    if "select" in cfg and not settings.select:
        kw["select"] = tuple(cfg["select"])
    if "ignore" in cfg:
        kw["ignore"] = tuple(settings.ignore) + tuple(cfg["ignore"])
    if "severity" in cfg:
        try:
            kw["severity_overrides"] = tuple(settings.severity_overrides) + tuple(
                (code, Severity.parse(sev)) for code, sev in cfg["severity"].items())
        except (ValueError, AttributeError) as exc:
            raise InputError(str(exc), where) from exc
    if "fail-on" in cfg:
        kw["fail_on"] = Severity.parse(cfg["fail-on"])
    if "protocols" in cfg:
        kw["protocol_files"] = tuple(settings.protocol_files) + tuple(base / p for p in cfg["protocols"])
    if "baseline" in cfg and settings.baseline is None:
        kw["baseline"] = base / cfg["baseline"]
    return replace(settings, **kw)
