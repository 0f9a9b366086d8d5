"""Durable file writes: a temp name (in the target folder, or a spare's in the store
folder), fsync, rename into place, fsync the target folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TEMP_SUFFIX = ".tmp"
TEMP_PREFIX = "."
SPARE_SUFFIX = ".spare"  # an empty file made ahead of its data (create_spare)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(path: Path, root: Path) -> None:
    """Create ``path`` (below ``root``) and fsync each parent that got a new entry."""
    if path.is_dir():
        return
    missing = []
    p = path
    while not p.is_dir() and p != root and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            continue
        fsync_dir(d.parent)


def _temp_path(folder: Path, name: str) -> Path:
    return folder / f"{TEMP_PREFIX}{name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


def _write_synced(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fdatasync(fd)  # a new file: its size is flushed with the data


def write_temp(folder: Path, name: str, data: bytes | memoryview) -> Path:
    """Write ``data`` to a new temp file in ``folder`` and fsync it; return its path."""
    tmp = _temp_path(folder, name)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        _write_synced(fd, data)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def create_spare(folder: Path) -> Path:
    """A new empty file in ``folder``, made ahead of the data it will hold (write_spare):
    creating a file is the slowest step of a small durable write on some disks."""
    spare = folder / f"{TEMP_PREFIX}{secrets.token_hex(6)}{SPARE_SUFFIX}"
    os.close(os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    return spare


def write_spare(spare: Path, name: str, data: bytes | memoryview) -> Path:
    """``spare`` renamed to a temp file for ``name`` in its folder, ``data`` written to
    it and fsynced; its path. On failure nothing is left."""
    tmp = _temp_path(spare.parent, name)
    try:
        os.rename(spare, tmp)
        fd = os.open(tmp, os.O_WRONLY)
    except BaseException:
        spare.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
        raise
    try:
        _write_synced(fd, data)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def is_temp_name(name: str) -> bool:
    """A temp or spare file: never an instance, removed by the start-up check."""
    return name.startswith(TEMP_PREFIX) and name.endswith((TEMP_SUFFIX, SPARE_SUFFIX))
