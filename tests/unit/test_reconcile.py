"""The start-up check after a simulated crash: a new LocalStore on the same root repairs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydicom
import pytest
from conftest import sample_roots

from workstation.store import LocalStore
from workstation.store.files import TEMP_PREFIX, TEMP_SUFFIX, is_temp_name, write_temp
from workstation.store.local_store import QUARANTINE


def shipped(name: str) -> Path:
    return sample_roots()[0] / "test_files" / name


def counts(store: LocalStore) -> tuple[int, int, int, int]:
    return tuple(store.index.count(t) for t in ("patient", "study", "series", "instance"))


def uid_path(src: Path) -> str:
    ds = pydicom.dcmread(src, stop_before_pixels=True)
    return f"{ds.StudyInstanceUID}/{ds.SeriesInstanceUID}/{ds.SOPInstanceUID}.dcm"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A store root holding CT_small.dcm, indexed and closed (as after a normal run)."""
    r = tmp_path / "data"
    with LocalStore(r) as store:
        store.add_file(shipped("CT_small.dcm"))
    return r


def test_clean_store_reopens_clean(root: Path) -> None:
    with LocalStore(root) as store:
        assert store.last_check is not None and store.last_check.clean
        assert counts(store) == (1, 1, 1, 1)


def test_leftover_temp_file_removed(root: Path) -> None:
    rel = uid_path(shipped("MR_small.dcm"))
    target = root / rel
    target.parent.mkdir(parents=True)
    # the crash came after the temp file was written, before the rename
    tmp = write_temp(target.parent, target.name, shipped("MR_small.dcm").read_bytes())
    assert tmp.name.startswith(TEMP_PREFIX + target.name) and tmp.name.endswith(TEMP_SUFFIX)
    # and one from the CT's folder, half written
    ct_folder = root / uid_path(shipped("CT_small.dcm"))
    half = ct_folder.parent / f"{TEMP_PREFIX}{ct_folder.name}.deadbeef{TEMP_SUFFIX}"
    half.write_bytes(b"\x00" * 64)
    with LocalStore(root) as store:
        removed = sorted(store.last_check.temp_files_removed)
        assert removed == sorted(p.relative_to(root).as_posix() for p in (tmp, half))
        assert not tmp.exists() and not half.exists()
        assert not target.exists()
        assert [p for p in root.rglob("*") if is_temp_name(p.name)] == []
        assert counts(store) == (1, 1, 1, 1)  # the temp file is not indexed
        assert store.index.instance(pydicom.dcmread(shipped("MR_small.dcm")).SOPInstanceUID) is None


def test_file_without_index_row_indexed(root: Path) -> None:
    src = shipped("MR_small.dcm")
    rel = uid_path(src)
    # the crash came after the rename, before the index commit
    (root / rel).parent.mkdir(parents=True)
    shutil.copyfile(src, root / rel)
    with LocalStore(root) as store:
        assert store.last_check.files_indexed == [rel]
        assert counts(store) == (2, 2, 2, 2)
        ds = pydicom.dcmread(src)
        row = store.index.instance(ds.SOPInstanceUID)
        assert row["rel_path"] == rel and row["source"] == "rebuild"
        assert (root / rel).read_bytes() == src.read_bytes()
    with LocalStore(root) as store:  # and the next start finds nothing to do
        assert store.last_check.clean


def test_index_row_without_file_dropped(root: Path) -> None:
    rel = uid_path(shipped("CT_small.dcm"))
    (root / rel).unlink()
    with LocalStore(root) as store:
        assert store.last_check.rows_without_file == [rel]
        assert counts(store) == (0, 0, 0, 0)
        assert store.index.find_studies() == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"this is not a DICOM file at all" * 10, id="text"),
        pytest.param(shipped("MR_truncated.dcm").read_bytes(), id="truncated"),
        pytest.param(b"", id="empty"),
    ],
)
def test_unreadable_file_quarantined_not_deleted(root: Path, content: bytes) -> None:
    rel = "1.2.3/1.2.3.4/1.2.3.4.5.dcm"
    (root / rel).parent.mkdir(parents=True)
    (root / rel).write_bytes(content)
    with LocalStore(root) as store:
        ((quarantined, reason),) = store.last_check.files_quarantined
        assert quarantined == rel and reason
        assert not (root / rel).exists()
        kept = list((root / QUARANTINE).iterdir())
        assert len(kept) == 1 and kept[0].read_bytes() == content
        assert counts(store) == (1, 1, 1, 1)
        assert store.last_check.files_indexed == []
    with LocalStore(root) as store:  # quarantine is left alone on the next start
        assert store.last_check.clean
        assert len(list((root / QUARANTINE).iterdir())) == 1


def test_second_file_with_same_sop_uid_quarantined(root: Path) -> None:
    src = shipped("CT_small.dcm")
    stray = root / "9.9" / "9.9.9" / "copy.dcm"
    stray.parent.mkdir(parents=True)
    shutil.copyfile(src, stray)
    with LocalStore(root) as store:
        ((rel, reason),) = store.last_check.files_quarantined
        assert rel == "9.9/9.9.9/copy.dcm" and "same SOP Instance UID" in reason
        assert store.index.instance(pydicom.dcmread(src).SOPInstanceUID)["rel_path"] == uid_path(
            src
        )
        assert counts(store) == (1, 1, 1, 1)
        assert len(list((root / QUARANTINE).iterdir())) == 1


def test_all_repairs_in_one_start(root: Path) -> None:
    ct_rel = uid_path(shipped("CT_small.dcm"))
    mr_rel = uid_path(shipped("MR_small.dcm"))
    (root / ct_rel).unlink()
    (root / mr_rel).parent.mkdir(parents=True)
    shutil.copyfile(shipped("MR_small.dcm"), root / mr_rel)
    write_temp((root / mr_rel).parent, "x.dcm", b"partial")
    (root / "junk.dcm").write_bytes(b"junk")
    with LocalStore(root) as store:
        report = store.last_check
        assert report.rows_without_file == [ct_rel]
        assert report.files_indexed == [mr_rel]
        assert len(report.temp_files_removed) == 1
        assert [r for r, _ in report.files_quarantined] == ["junk.dcm"]
        assert counts(store) == (1, 1, 1, 1)
        indexed = store.index.all_paths()
        on_disk = {
            p.relative_to(root).as_posix()
            for p in root.rglob("*.dcm")
            if QUARANTINE not in p.relative_to(root).parts
        }
        assert indexed == on_disk == {mr_rel}
