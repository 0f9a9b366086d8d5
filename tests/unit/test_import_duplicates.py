"""Duplicates in an import: copies of one instance within the same run are reported as
such, not as instances "already stored"."""

from __future__ import annotations

import shutil
from pathlib import Path

from pydicom.data import get_testdata_file

from workstation.store import LocalStore, import_paths


def _two_copies(folder: Path) -> list[Path]:
    folder.mkdir()
    source = Path(get_testdata_file("CT_small.dcm"))
    return [Path(shutil.copy2(source, folder / name)) for name in ("a.dcm", "b.dcm")]


def test_two_copies_in_one_import_are_one_duplicate_within_the_import(
    store: LocalStore, tmp_path: Path
) -> None:
    first, second = _two_copies(tmp_path / "in")
    report = import_paths(store, [tmp_path / "in"])
    assert report.imported == [first]
    assert report.duplicates == [second] and report.repeated == [second]
    lines = report.summary().splitlines()
    assert lines[:3] == ["imported: 1", "replaced: 0",
                         "duplicates: 1 (1 within this import, 0 already stored)"]  # fmt: skip
    assert store.index.count("instance") == 1


def test_importing_again_finds_them_already_stored(store: LocalStore, tmp_path: Path) -> None:
    _two_copies(tmp_path / "in")
    import_paths(store, [tmp_path / "in"])
    again = import_paths(store, [tmp_path / "in"])
    assert again.imported == [] and len(again.duplicates) == 2
    assert "duplicates: 2 (1 within this import, 1 already stored)" in again.summary().splitlines()
