"""Settings on disk: JSON in the user's config directory, with numbered migrations.

A file written by an older schema is migrated step by step (``MIGRATIONS[n]`` turns
version n into n+1), the original is kept as ``settings.json.v<n>.bak`` and the result
saved. A file from a newer program is refused rather than silently rewritten.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs

from workstation.config.settings import (
    APP_NAME,
    SCHEMA_VERSION,
    Settings,
    sectioned,
    validate_settings,
)
from workstation.errors import SettingsFileError

log = logging.getLogger(__name__)

Migration = Callable[[dict[str, Any]], dict[str, Any]]



def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 kept every field at the top level; schema 2 keeps them in sections
    (node, network, services, storage, viewer; remote_nodes stays at the top)."""
    return sectioned(data)


# MIGRATIONS[n] converts a schema-n document into schema n+1. Version 1 is the first.
MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}

CONFIG_ENV = "WORKSTATION_CONFIG"


def default_config_path() -> Path:
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "settings.json"


def migrate(data: dict[str, Any], path: Path | None = None) -> dict[str, Any]:
    """Bring a settings document up to SCHEMA_VERSION."""
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or version < 1:
        raise SettingsFileError(path=path, reason=f"schema_version {version!r} is not valid")
    if version > SCHEMA_VERSION:
        raise SettingsFileError(
            path=path,
            reason=f"written by a newer version (schema {version}, this program knows {SCHEMA_VERSION})",
        )
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise SettingsFileError(path=path, reason=f"no migration from schema {version}")
        data = step(dict(data))
        version += 1
        data["schema_version"] = version
        log.info("settings migrated to schema %d", version)
    return data


def load_settings(path: Path | None = None) -> Settings:
    """Read settings (defaults when the file does not exist); migrate and validate."""
    path = path or default_config_path()
    if not path.exists():
        return Settings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SettingsFileError(path=path, reason=str(exc)) from None
    if not isinstance(raw, dict):
        raise SettingsFileError(path=path, reason="the top level is not an object")
    old_version = raw.get("schema_version", 1)
    data = migrate(raw, path)
    settings = validate_settings(data)
    if old_version != SCHEMA_VERSION:
        backup = path.with_name(f"{path.name}.v{old_version}.bak")
        backup.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        save_settings(settings, path)
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write settings atomically (temp file, fsync, rename)."""
    path = path or default_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    text = json.dumps(settings.model_dump(mode="json"), indent=2, sort_keys=True)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path
