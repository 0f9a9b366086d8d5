"""The importer on every shipped file, on DICOMDIRs, with progress and cancel."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import pydicom
import pytest
from conftest import sample_files, sample_roots
from pydicom.dataset import Dataset

from workstation.store import ImportReport, LocalStore, import_paths
from workstation.store.files import is_temp_name
from workstation.store.importer import collect

CORRUPT = ("MR_truncated.dcm", "rtplan_truncated.dcm", "emri_small_jpeg_2k_lossless_too_short.dcm")
DICOMDIR_TESTS = sample_roots()[0] / "test_files" / "dicomdirtests"

# pydicom warns about the odd values some shipped files carry on purpose
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def is_part10(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(132)[128:132] == b"DICM"


def sop_uid_of(path: Path) -> str | None:
    """The SOP Instance UID as pydicom reads it (None when pydicom cannot tell)."""
    try:
        ds = pydicom.dcmread(path, force=True, stop_before_pixels=True)
        uid = ds.get("SOPInstanceUID")
    except Exception:
        return None
    return str(uid) if uid else None


def without_group_lengths(ds: Dataset) -> Dataset:
    """Group Length (gggg,0000) is retired (PS3.5 7.2); re-encoding drops it."""
    copy = Dataset(ds)
    for tag in [t for t in copy.keys() if t.element == 0]:
        del copy[tag]
    return copy


def stored_dcm_files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*.dcm")
        if p.is_file() and "quarantine" not in p.relative_to(root).parts
    }


@pytest.fixture(scope="module")
def all_samples(tmp_path_factory) -> tuple[LocalStore, ImportReport, list[Path]]:
    """One import of every shipped file into a fresh store (shared by the tests below)."""
    files = sample_files()
    store = LocalStore(tmp_path_factory.mktemp("samples") / "data")
    report = import_paths(store, sample_roots())
    yield store, report, files
    store.close()


def test_every_shipped_file_accounted_for_once(all_samples) -> None:
    store, report, files = all_samples
    assert len(files) > 200
    assert report.total == len(files)
    assert len(report.imported) + len(report.duplicates) + len(report.replaced) + len(
        report.skipped
    ) == len(files)
    assert report.replaced == []
    outcomes = report.imported + report.duplicates + [p for p, _ in report.skipped]
    assert len(outcomes) == len(set(outcomes))
    assert set(outcomes) == set(files)
    assert not report.cancelled and report.stopped_reason is None
    assert store.index.count("instance") == len(report.imported)
    assert stored_dcm_files(store.root) == store.index.all_paths()
    assert [p for p in store.root.rglob("*") if is_temp_name(p.name)] == []


def test_known_corrupt_files_skipped_as_unreadable(all_samples) -> None:
    _, report, files = all_samples
    reasons = {p.name: why for p, why in report.skipped}
    for name in CORRUPT:
        assert any(f.name == name for f in files), name
        assert name in reasons, name
        assert re.search(r"truncated|unreadable", reasons[name], re.IGNORECASE), reasons[name]
    assert "truncated" in reasons["MR_truncated.dcm"]
    assert "truncated" in reasons["rtplan_truncated.dcm"]


def test_non_dicom_files_skipped_as_not_dicom(all_samples) -> None:
    _, report, files = all_samples
    reasons = {p: why for p, why in report.skipped}
    non_dicom = [
        f
        for f in files
        if f.suffix in (".json", ".py", ".txt", ".md", ".pyc") or f.name == "README"
    ]
    assert len(non_dicom) >= 10
    assert any(f.suffix == ".json" for f in non_dicom) and any(f.suffix == ".py" for f in non_dicom)
    assert any(f.name.startswith("README") for f in non_dicom)
    for f in non_dicom:
        assert f in reasons, f
        assert reasons[f].startswith("Not a DICOM file"), (f, reasons[f])


def test_skipped_dicom_files_have_their_reason(all_samples) -> None:
    """Every skipped .dcm file says why: not an instance, missing/invalid UID or unreadable."""
    _, report, _ = all_samples
    pattern = re.compile(r"Missing or empty|Invalid .*UID|Unreadable|Not a DICOM file")
    for path, why in report.skipped:
        if path.suffix == ".dcm":
            assert pattern.match(why), (path, why)


def test_first_importable_copy_of_each_sop_uid_is_kept(all_samples) -> None:
    store, report, files = all_samples
    skipped = {p for p, _ in report.skipped}
    groups: dict[str, list[Path]] = defaultdict(list)
    for f in files:
        uid = sop_uid_of(f)
        if uid:
            groups[uid].append(f)
    shared = {uid: fs for uid, fs in groups.items() if len(fs) > 1}
    assert len(shared) >= 20  # the shipped data reuses UIDs for re-encoded copies
    for uid, members in shared.items():
        importable = [f for f in members if f not in skipped]
        assert importable, members
        first = importable[0]
        assert first in report.imported, (uid, first)
        assert all(f in report.duplicates for f in importable[1:]), (uid, members)
        row = store.index.instance(uid)
        stored = store.path_of(row["rel_path"])
        if is_part10(first):
            assert stored.read_bytes() == first.read_bytes(), (uid, first)
        else:
            assert without_group_lengths(pydicom.dcmread(stored)) == without_group_lengths(
                pydicom.dcmread(first, force=True)
            ), (uid, first)


def test_imported_files_read_back_equal(all_samples) -> None:
    store, report, _ = all_samples
    assert len(report.imported) > 100
    for src in report.imported:
        source = pydicom.dcmread(src, force=True)
        row = store.index.instance(str(source.SOPInstanceUID))
        assert row is not None, src
        stored = store.path_of(row["rel_path"])
        back = pydicom.dcmread(stored)  # without force: every stored file is Part 10
        if is_part10(src):
            assert stored.read_bytes() == src.read_bytes(), src
            assert back == source, src
        else:
            assert without_group_lengths(back) == without_group_lengths(source), src
            assert back.file_meta.MediaStorageSOPInstanceUID == source.SOPInstanceUID
        assert row["transfer_syntax"] == back.file_meta.TransferSyntaxUID


def test_reimport_finds_only_duplicates(all_samples) -> None:
    store, first, _ = all_samples
    again = import_paths(store, [p for p in first.imported[:20]])
    assert len(again.duplicates) == 20 and again.imported == [] and again.skipped == []


# -- DICOMDIR ---------------------------------------------------------------------------


def referenced_files(dicomdir: Path) -> list[Path]:
    ds = pydicom.dcmread(dicomdir)
    refs = []
    for record in ds.DirectoryRecordSequence:
        ref = record.get("ReferencedFileID")
        if ref:
            parts = [ref] if isinstance(ref, str) else list(ref)
            refs.append(dicomdir.parent.joinpath(*parts))
    return refs


def test_dicomdir_import_takes_all_referenced_instances(store: LocalStore) -> None:
    dicomdir = DICOMDIR_TESTS / "DICOMDIR"
    refs = referenced_files(dicomdir)
    assert len(refs) > 10
    report = import_paths(store, [dicomdir])
    assert report.skipped == []
    assert sorted(report.imported) == sorted(refs)
    assert report.total == len(refs)
    for ref in refs:
        row = store.index.instance(sop_uid_of(ref))
        assert row is not None, ref
        assert store.path_of(row["rel_path"]).read_bytes() == ref.read_bytes()
    assert store.index.count("instance") == len(refs)


def test_dicomdir_reference_to_missing_file_reported(store: LocalStore, tmp_path: Path) -> None:
    media = tmp_path / "media"
    shutil.copytree(DICOMDIR_TESTS, media)
    refs = referenced_files(media / "DICOMDIR")
    gone = refs[3]
    gone.unlink()
    report = import_paths(store, [media / "DICOMDIR"])
    assert [p for p, _ in report.skipped] == [gone]
    assert "not found" in report.skipped[0][1]
    assert sorted(report.imported) == sorted(set(refs) - {gone})
    assert report.total == len(refs)
    assert store.index.count("instance") == len(refs) - 1


def test_unreadable_dicomdir_reported(store: LocalStore, tmp_path: Path) -> None:
    bad = tmp_path / "DICOMDIR"
    bad.write_bytes(b"not a dicomdir")
    report = import_paths(store, [bad, tmp_path / "does-not-exist"])
    reasons = dict(report.skipped)
    assert "DICOMDIR cannot be read" in reasons[bad]
    assert "no such file" in reasons[tmp_path / "does-not-exist"]
    assert report.imported == []


def test_collect_is_sorted_and_unique() -> None:
    root = DICOMDIR_TESTS / "77654033"
    files, skipped = collect([root, root, root / "CR1" / "6154"])
    assert skipped == []
    assert len(files) == len(set(files)) == len([p for p in root.rglob("*") if p.is_file()])
    assert files[0] == root / "CR1" / "6154"


# -- progress and cancel -------------------------------------------------------------


def test_progress_counts_up_to_total(store: LocalStore) -> None:
    calls: list[tuple[int, int, Path]] = []
    report = import_paths(
        store,
        [DICOMDIR_TESTS / "77654033", DICOMDIR_TESTS / "98892001"],
        progress=lambda d, t, p: calls.append((d, t, p)),
    )
    done = [d for d, _, _ in calls]
    assert done == list(range(1, report.total + 1))
    assert {t for _, t, _ in calls} == {report.total}
    assert [p for _, _, p in calls] == report.imported
    assert report.done == report.total


def test_cancel_stops_and_leaves_nothing_half_written(store: LocalStore) -> None:
    seen = {"n": 0}

    def cancelled() -> bool:
        seen["n"] += 1
        return seen["n"] > 25

    report = import_paths(store, sample_roots(), cancelled=cancelled)
    assert report.cancelled
    assert report.done == 25 < report.total
    assert "cancelled after 25 of" in report.summary()
    assert store.index.count("instance") == len(report.imported)
    assert store.index.all_paths() == stored_dcm_files(store.root)
    assert [p for p in store.root.rglob("*") if is_temp_name(p.name)] == []


def test_cancel_before_start_imports_nothing(store: LocalStore) -> None:
    report = import_paths(store, [DICOMDIR_TESTS / "77654033"], cancelled=lambda: True)
    assert report.cancelled and report.done == 0
    assert store.index.count("instance") == 0


def test_full_disk_stops_the_run(tmp_path: Path) -> None:
    with LocalStore(tmp_path / "data", min_free_space_mb=10**12) as store:
        report = import_paths(store, [DICOMDIR_TESTS / "77654033"])
        assert report.stopped_reason and "below the threshold" in report.stopped_reason
        assert len(report.skipped) == 1 and report.imported == []
        assert store.index.count("instance") == 0
        assert stored_dcm_files(store.root) == set()
