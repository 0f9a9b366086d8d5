"""LocalStore: durable writes, the index, duplicates, deletion, rebuild, refusals, threads."""

from __future__ import annotations

import threading
from io import BytesIO
from pathlib import Path

import pydicom
import pytest
from conftest import sample_roots
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian

from workstation.config import DuplicatePolicy
from workstation.errors import InsufficientSpaceError, InvalidUidError, MissingUidError
from workstation.store import AddOutcome, LocalStore
from workstation.store.files import is_temp_name


def shipped(name: str) -> Path:
    return sample_roots()[0] / "test_files" / name


def variant(name: str, **changes: str | None) -> bytes:
    """A shipped Part 10 file with some attributes changed (None deletes), as bytes."""
    ds = pydicom.dcmread(shipped(name))
    for keyword, value in changes.items():
        if value is None:
            if keyword in ds:
                delattr(ds, keyword)
        else:
            setattr(ds, keyword, value)
    if "SOPInstanceUID" in changes and changes["SOPInstanceUID"] is not None:
        ds.file_meta.MediaStorageSOPInstanceUID = changes["SOPInstanceUID"]
    buf = BytesIO()
    ds.save_as(buf)
    return buf.getvalue()


def stored_files(root: Path) -> list[Path]:
    """Every file in the store's tree except the index database."""
    return sorted(
        p for p in root.rglob("*") if p.is_file() and not p.name.startswith("index.sqlite")
    )


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and is_temp_name(p.name)]


def counts(store: LocalStore) -> tuple[int, int, int, int]:
    return tuple(store.index.count(t) for t in ("patient", "study", "series", "instance"))


# -- durable write and index -----------------------------------------------------------


def test_add_file_writes_part10_bytes_at_uid_path(store: LocalStore) -> None:
    src = shipped("CT_small.dcm")
    ds = pydicom.dcmread(src)
    result = store.add_file(src)
    assert result.outcome is AddOutcome.STORED
    expected = store.root / ds.StudyInstanceUID / ds.SeriesInstanceUID / f"{ds.SOPInstanceUID}.dcm"
    assert (
        result.rel_path == f"{ds.StudyInstanceUID}/{ds.SeriesInstanceUID}/{ds.SOPInstanceUID}.dcm"
    )
    assert store.path_of(result.rel_path) == expected
    assert expected.read_bytes() == src.read_bytes()
    assert temp_files(store.root) == []
    assert stored_files(store.root) == [expected]


def test_add_indexes_all_four_levels(store: LocalStore) -> None:
    src = shipped("CT_small.dcm")
    ds = pydicom.dcmread(src)
    store.add_file(src)
    assert counts(store) == (1, 1, 1, 1)
    row = store.index.instance(ds.SOPInstanceUID)
    assert row is not None
    assert row["study_uid"] == ds.StudyInstanceUID
    assert row["series_uid"] == ds.SeriesInstanceUID
    assert row["sop_class_uid"] == ds.SOPClassUID
    assert row["transfer_syntax"] == ds.file_meta.TransferSyntaxUID
    assert row["rows"] == ds.Rows and row["columns"] == ds.Columns
    assert row["file_size"] == src.stat().st_size
    (study,) = store.index.find_studies()
    assert study["patient_name"] == str(ds.PatientName)
    assert study["patient_id"] == ds.PatientID
    assert study["study_uid"] == ds.StudyInstanceUID
    assert study["modalities"] == ds.Modality
    assert (study["num_series"], study["num_instances"]) == (1, 1)
    assert store.index.find_studies(patient_id=ds.PatientID)
    assert store.index.find_studies(modality=ds.Modality)
    assert store.index.find_studies(modality="XA") == []


def test_same_series_instances_share_series_row(store: LocalStore) -> None:
    store.add_bytes(variant("CT_small.dcm", SOPInstanceUID="1.2.3.4.1"))
    store.add_bytes(variant("CT_small.dcm", SOPInstanceUID="1.2.3.4.2"))
    assert counts(store) == (1, 1, 1, 2)
    (study,) = store.index.find_studies()
    assert study["num_instances"] == 2


# -- duplicates ---------------------------------------------------------------------


def test_duplicate_keep_discards_second_copy(store: LocalStore) -> None:
    first = variant("CT_small.dcm", StudyDescription="first copy")
    second = variant("CT_small.dcm", StudyDescription="second copy")
    assert store.add_bytes(first).outcome is AddOutcome.STORED
    result = store.add_bytes(second)
    assert result.outcome is AddOutcome.DUPLICATE
    assert store.path_of(result.rel_path).read_bytes() == first
    assert counts(store) == (1, 1, 1, 1)
    assert len(stored_files(store.root)) == 1
    assert temp_files(store.root) == []


def test_duplicate_replace_stores_new_bytes(tmp_path: Path) -> None:
    first = variant("CT_small.dcm", StudyDescription="first copy")
    second = variant("CT_small.dcm", StudyDescription="second copy")
    with LocalStore(tmp_path / "data", duplicate_policy=DuplicatePolicy.REPLACE) as store:
        assert store.add_bytes(first).outcome is AddOutcome.STORED
        result = store.add_bytes(second)
        assert result.outcome is AddOutcome.REPLACED
        assert store.path_of(result.rel_path).read_bytes() == second
        assert counts(store) == (1, 1, 1, 1)
        assert len(stored_files(store.root)) == 1
        assert temp_files(store.root) == []


def test_duplicate_replace_with_moved_study_removes_old_file(tmp_path: Path) -> None:
    first = variant("CT_small.dcm")
    second = variant("CT_small.dcm", StudyInstanceUID="1.2.3.999", SeriesInstanceUID="1.2.3.999.1")
    with LocalStore(tmp_path / "data", duplicate_policy=DuplicatePolicy.REPLACE) as store:
        old = store.add_bytes(first)
        new = store.add_bytes(second)
        assert new.outcome is AddOutcome.REPLACED
        assert not store.path_of(old.rel_path).exists()
        assert not store.path_of(old.rel_path).parent.parent.exists()  # empty folders pruned
        assert store.path_of(new.rel_path).read_bytes() == second
        assert counts(store) == (1, 1, 1, 1)
        assert store.index.find_studies()[0]["study_uid"] == "1.2.3.999"


# -- deletion -----------------------------------------------------------------------


@pytest.fixture
def two_studies(store: LocalStore) -> dict[str, list[str]]:
    """Study A (CT) with two series (two + one instances) and study B (MR)."""
    rel = {
        "a1": [
            store.add_bytes(variant("CT_small.dcm", SOPInstanceUID=f"1.2.3.10.{i}")).rel_path
            for i in (1, 2)
        ],
        "a2": [
            store.add_bytes(
                variant("CT_small.dcm", SOPInstanceUID="1.2.3.11.1", SeriesInstanceUID="1.2.3.11")
            ).rel_path
        ],
        "b": [store.add_file(shipped("MR_small.dcm")).rel_path],
    }
    assert counts(store) == (2, 2, 3, 4)
    return rel


def test_delete_study_removes_files_folders_and_rows(store: LocalStore, two_studies) -> None:
    study_a = two_studies["a1"][0].split("/")[0]
    assert store.delete_study(study_a) == 3
    assert not (store.root / study_a).exists()
    assert counts(store) == (1, 1, 1, 1)
    (left,) = store.index.find_studies()
    assert left["study_uid"] == two_studies["b"][0].split("/")[0]
    assert store.path_of(two_studies["b"][0]).read_bytes() == shipped("MR_small.dcm").read_bytes()
    assert [p.relative_to(store.root).as_posix() for p in stored_files(store.root)] == two_studies[
        "b"
    ]


def test_delete_series_keeps_rest_of_study(store: LocalStore, two_studies) -> None:
    series_dir = store.path_of(two_studies["a1"][0]).parent
    assert store.delete_series(series_dir.name) == 2
    assert not series_dir.exists()
    assert series_dir.parent.is_dir()  # the study still has its other series
    assert counts(store) == (2, 2, 2, 2)
    assert all(store.index.instance(f"1.2.3.10.{i}") is None for i in (1, 2))
    assert store.index.instance("1.2.3.11.1") is not None
    remaining = {p.relative_to(store.root).as_posix() for p in stored_files(store.root)}
    assert remaining == set(two_studies["a2"] + two_studies["b"])


def test_delete_last_series_removes_study(store: LocalStore, two_studies) -> None:
    study_b = two_studies["b"][0].split("/")[0]
    series_b = two_studies["b"][0].split("/")[1]
    assert store.delete_series(series_b) == 1
    assert not (store.root / study_b).exists()
    assert counts(store) == (1, 1, 2, 3)


def test_delete_unknown_study_is_harmless(store: LocalStore, two_studies) -> None:
    assert store.delete_study("9.9.9") == 0
    assert counts(store) == (2, 2, 3, 4)


def test_add_again_after_delete(store: LocalStore, two_studies) -> None:
    store.delete_study(two_studies["b"][0].split("/")[0])
    assert store.add_file(shipped("MR_small.dcm")).outcome is AddOutcome.STORED
    assert store.path_of(two_studies["b"][0]).exists()


# -- rebuild ------------------------------------------------------------------------


def test_rebuild_index_from_files(store: LocalStore, two_studies) -> None:
    before = counts(store)
    before_rows = {
        uid: store.index.instance(uid)["rel_path"] for uid in ("1.2.3.10.1", "1.2.3.11.1")
    }
    report = store.rebuild_index()
    assert counts(store) == before
    assert sorted(report.files_indexed) == sorted(sum(two_studies.values(), []))
    assert report.files_quarantined == [] and report.rows_without_file == []
    assert {uid: store.index.instance(uid)["rel_path"] for uid in before_rows} == before_rows


def test_lost_index_database_rebuilt_on_open(tmp_path: Path) -> None:
    root = tmp_path / "data"
    with LocalStore(root) as store:
        rel = store.add_file(shipped("CT_small.dcm")).rel_path
    for p in root.glob("index.sqlite*"):
        p.unlink()
    with LocalStore(root) as store:
        assert store.last_check.files_indexed == [rel]
        assert counts(store) == (1, 1, 1, 1)


# -- bare datasets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "syntax"),
    [
        ("ExplVR_LitEndNoMeta.dcm", ExplicitVRLittleEndian),
        ("ExplVR_BigEndNoMeta.dcm", ExplicitVRBigEndian),
    ],
)
def test_bare_dataset_stored_as_part10(store: LocalStore, name: str, syntax: str) -> None:
    data = shipped(name).read_bytes()
    assert data[128:132] != b"DICM"
    result = store.add_bytes(data)
    assert result.outcome is AddOutcome.STORED
    stored = store.path_of(result.rel_path)
    raw = stored.read_bytes()
    assert raw[:128] == b"\x00" * 128 and raw[128:132] == b"DICM"
    back = pydicom.dcmread(stored)  # no force: a conformant Part 10 file
    source = pydicom.dcmread(BytesIO(data), force=True)
    assert back.file_meta.TransferSyntaxUID == syntax
    assert back.file_meta.MediaStorageSOPInstanceUID == source.SOPInstanceUID
    assert back.file_meta.MediaStorageSOPClassUID == source.SOPClassUID
    assert back.file_meta.ImplementationClassUID
    assert back == source
    assert store.index.instance(source.SOPInstanceUID)["transfer_syntax"] == syntax


def test_implicit_bare_dataset_stored_as_part10(store: LocalStore) -> None:
    ds = pydicom.dcmread(shipped("CT_small.dcm"))
    del ds.file_meta
    ds.preamble = None
    buf = BytesIO()
    ds.save_as(buf, implicit_vr=True, little_endian=True)
    data = buf.getvalue()
    assert data[128:132] != b"DICM" and data[:2] == b"\x08\x00"
    result = store.add_bytes(data)
    back = pydicom.dcmread(store.path_of(result.rel_path))
    assert back.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2"
    assert back == pydicom.dcmread(BytesIO(data), force=True)


# -- refusals -----------------------------------------------------------------------


def test_insufficient_space_refused_and_nothing_written(tmp_path: Path) -> None:
    with LocalStore(tmp_path / "data", min_free_space_mb=10**12) as store:
        with pytest.raises(InsufficientSpaceError) as info:
            store.add_file(shipped("CT_small.dcm"))
        assert info.value.code == "store.no_space"
        assert info.value.values["threshold_mb"] == 10**12
        assert stored_files(store.root) == []
        assert counts(store) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "keyword", ["StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID"]
)
@pytest.mark.parametrize("value", [None, ""], ids=["absent", "empty"])
def test_missing_uid_refused(store: LocalStore, keyword: str, value: str | None) -> None:
    data = variant("CT_small.dcm", **{keyword: value})
    with pytest.raises(MissingUidError) as info:
        store.add_bytes(data)
    assert info.value.code == "store.missing_uid"
    assert stored_files(store.root) == []
    assert counts(store) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "keyword", ["StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID"]
)
@pytest.mark.filterwarnings("ignore:.*VR UI:UserWarning")
@pytest.mark.parametrize("value", ["1.2\x013", "1.2\t3", "../../etc", "1.2/3", "1.2 3", "1.2.é"])
def test_invalid_uid_refused(store: LocalStore, keyword: str, value: str) -> None:
    """Control characters, path separators, inner spaces and non-ASCII: refused."""
    data = variant("CT_small.dcm", **{keyword: value})
    with pytest.raises(InvalidUidError) as info:
        store.add_bytes(data)
    assert info.value.code == "store.invalid_uid"
    assert info.value.values["value"] == value
    assert stored_files(store.root) == []
    assert counts(store) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "keyword", ["StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"]
)
@pytest.mark.filterwarnings("ignore:.*VR UI:UserWarning")
@pytest.mark.parametrize("value", ["1.2.abc", "1." + "2" * 70, "1.02.3", "..", "*"])
def test_nonconformant_printable_uid_kept_under_a_safe_name(
    store: LocalStore, keyword: str, value: str
) -> None:
    """Letters, leading zeros, over 64 characters (as modalities send them): stored, the
    UID kept as sent in the index, the file under a derived name inside the store."""
    data = variant("CT_small.dcm", **{keyword: value})
    result = store.add_bytes(data)
    assert getattr(result.record, {"StudyInstanceUID": "study_uid",
                                   "SeriesInstanceUID": "series_uid",
                                   "SOPInstanceUID": "sop_uid"}[keyword]) == value  # fmt: skip
    path = (store.root / result.rel_path).resolve()
    assert path.is_file() and store.root.resolve() in path.parents
    assert value not in result.rel_path.split("/")  # never the raw UID as a name
    assert store.index.lookup(result.record.sop_uid) == result.rel_path
    assert store.reconcile().clean
    store.rebuild_index()  # read back from the file: the same derived place
    assert store.index.lookup(result.record.sop_uid) == result.rel_path


# -- threads ------------------------------------------------------------------------


def test_concurrent_adds_store_each_instance_once(store: LocalStore) -> None:
    n_instances, n_threads = 12, 4
    payloads = [
        variant("CT_small.dcm", SOPInstanceUID=f"1.2.3.50.{i}", SeriesInstanceUID=f"1.2.3.5{i % 3}")
        for i in range(n_instances)
    ]
    barrier = threading.Barrier(n_threads)
    outcomes: list[tuple[int, AddOutcome]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        # every thread adds every instance, each in its own order: same and different
        # instances arrive at the same time
        order = list(range(n_instances))
        order = order[k * 3 :] + order[: k * 3]
        if k % 2:
            order.reverse()
        try:
            barrier.wait(timeout=30)
            for i in order:
                result = store.add_bytes(payloads[i], source=f"thread {k}")
                with lock:
                    outcomes.append((i, result.outcome))
        except BaseException as exc:  # reported below, on the test's thread
            with lock:
                errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=(k,), name=f"adder-{k}") for k in range(n_threads)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert len(outcomes) == n_instances * n_threads
    for i in range(n_instances):
        mine = [o for j, o in outcomes if j == i]
        assert mine.count(AddOutcome.STORED) == 1, (i, mine)
        assert mine.count(AddOutcome.DUPLICATE) == n_threads - 1
    assert counts(store) == (1, 1, 3, n_instances)
    files = stored_files(store.root)
    assert len(files) == n_instances
    assert temp_files(store.root) == []
    for i, data in enumerate(payloads):
        row = store.index.instance(f"1.2.3.50.{i}")
        assert store.path_of(row["rel_path"]).read_bytes() == data
    assert not (store.root / "quarantine").exists()


def test_concurrent_add_and_delete_keep_index_and_files_consistent(store: LocalStore) -> None:
    series = "1.2.3.60"
    payloads = [
        variant("CT_small.dcm", SOPInstanceUID=f"{series}.{i}", SeriesInstanceUID=series)
        for i in range(30)
    ]
    stop = threading.Event()
    errors: list[BaseException] = []

    def adder() -> None:
        try:
            for data in payloads:
                store.add_bytes(data)
        except BaseException as exc:
            errors.append(exc)
        finally:
            stop.set()

    def deleter() -> None:
        try:
            while not stop.is_set():
                store.delete_series(series)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=adder), threading.Thread(target=deleter)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    on_disk = {p.relative_to(store.root).as_posix() for p in stored_files(store.root)}
    assert store.index.all_paths() == on_disk
    assert temp_files(store.root) == []
    # whatever survived is complete and readable
    for rel in on_disk:
        assert pydicom.dcmread(store.path_of(rel)).SeriesInstanceUID == series
