"""Spare files made ahead of an add (LocalStore.prepare_spare): used, bounded, never left
behind, and no change to what a failed or successful add leaves."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pydicom
import pytest
from conftest import sample_roots

from workstation.store import LocalStore, files
from workstation.store.local_store import SPARES_MAX

CT_SMALL = sample_roots()[0] / "test_files" / "CT_small.dcm"


def spares(root: Path) -> list[Path]:
    return sorted(root.rglob(f"*{files.SPARE_SUFFIX}"))


def temps(root: Path) -> list[Path]:
    return sorted(root.rglob(f"*{files.TEMP_SUFFIX}"))


def test_a_spare_becomes_the_stored_file(store: LocalStore) -> None:
    store.prepare_spare()
    (spare,) = spares(store.root)
    assert spare.parent == store.root and spare.stat().st_size == 0
    data = CT_SMALL.read_bytes()
    result = store.add_bytes(data, source="test")
    stored = store.path_of(result.rel_path)
    assert stored.read_bytes() == data
    assert not spare.exists() and spares(store.root) == [] and temps(store.root) == []
    assert store.index.instance(result.record.sop_uid)["rel_path"] == result.rel_path


def test_spares_are_bounded_and_removed_at_close(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    for _ in range(SPARES_MAX + 3):
        store.prepare_spare()
    made = spares(store.root)
    assert len(made) == SPARES_MAX
    assert all(p.stat().st_size == 0 for p in made)
    store.close()
    assert spares(tmp_path / "data") == []
    store.prepare_spare()  # after close: nothing is made
    assert spares(tmp_path / "data") == []


def test_the_start_up_check_removes_spares_a_crash_left(tmp_path: Path) -> None:
    root = tmp_path / "data"
    LocalStore(root).close()
    left = files.create_spare(root)
    store = LocalStore(root)
    try:
        assert not left.exists()
        assert store.last_check is not None
        assert store.last_check.temp_files_removed == [left.name]
    finally:
        store.close()


def test_a_failed_write_into_a_spare_leaves_nothing(store: LocalStore, monkeypatch) -> None:
    store.prepare_spare()

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fdatasync", disk_full)
    with pytest.raises(OSError):
        store.add_bytes(CT_SMALL.read_bytes(), source="test")
    monkeypatch.undo()
    assert spares(store.root) == [] and temps(store.root) == []
    assert store.index.count("instance") == 0
    assert list(store.root.rglob("*.dcm")) == []


def test_a_series_folder_removed_during_the_write_is_made_again(
    store: LocalStore, monkeypatch
) -> None:
    """A delete of the same series may remove its (empty) folder between the folder
    check and the rename of the spare's temp file into it."""
    store.prepare_spare()
    ds = pydicom.dcmread(CT_SMALL)
    folder = store.root / ds.StudyInstanceUID / ds.SeriesInstanceUID
    original = files.write_spare

    def write_then_lose_folder(spare: Path, name: str, data: bytes) -> Path:
        tmp = original(spare, name, data)
        folder.rmdir()
        return tmp

    monkeypatch.setattr(files, "write_spare", write_then_lose_folder)
    result = store.add_bytes(CT_SMALL.read_bytes(), source="test")
    assert store.path_of(result.rel_path).read_bytes() == CT_SMALL.read_bytes()
    assert temps(store.root) == []
