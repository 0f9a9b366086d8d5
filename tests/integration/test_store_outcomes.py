"""Storage SCP outcomes (CONFORMANCE.md) against real senders.

DCMTK storescu produces what it can: duplicates, a dataset without a Study Instance
UID, an out-of-space refusal, a rejected calling AE. A raw pynetdicom sender is used only
for what storescu never sends: a dataset whose SOP Class UID differs from the request's,
and bytes that are not a readable dataset (storescu parses and re-encodes every file).
An association also held open by pynetdicom fills the association limit.
"""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

import pydicom
import pytest
from pydicom.filewriter import write_file_meta_info
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE, _config
from pynetdicom.sop_class import CTImageStorage, MRImageStorage, Verification

from workstation.net.scp.node import NodeEventKind

from .conftest import (
    KNOWN_AET,
    LOOPBACK,
    NODE_AET,
    UNKNOWN_AET,
    ct_small,
    make_copies,
    run_dcmtk,
    stored_dcm_files,
    storescu_results,
    temp_files,
    wait_for,
)

pytestmark = pytest.mark.integration


def storescu(node, *files: Path, aet: str = KNOWN_AET):
    """storescu -d -nh: every file on one association, each response status in hex."""
    return run_dcmtk(
        "storescu", "-d", "-nh", "-aet", aet, "-aec", NODE_AET, node.host, str(node.port),
        *files, timeout=60,
    )  # fmt: skip


def statuses(output: str) -> list[str]:
    """The response statuses in the order the files were sent (one per file)."""
    return [responses[0] if responses else "none" for _, responses in storescu_results(output)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def events(node, kind: NodeEventKind):
    return [e for e in node.events if e.kind is kind]


def variant(folder: Path, name: str, **changes: object) -> Path:
    """CT_small with a new SOP Instance UID and ``changes`` applied (None deletes)."""
    ds = pydicom.dcmread(ct_small())
    uid = generate_uid()
    ds.SOPInstanceUID = uid
    ds.file_meta.MediaStorageSOPInstanceUID = uid
    for keyword, value in changes.items():
        if value is None:
            delattr(ds, keyword)
        else:
            setattr(ds, keyword, value)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    ds.save_as(path, enforce_file_format=True)
    return path


# -- DCMTK storescu ------------------------------------------------------------------------
def test_duplicate_answers_success_and_keeps_the_stored_copy(node, tmp_path):
    run = storescu(node, ct_small())
    assert statuses(run.stdout) == ["0000"], run.stdout[-2000:]
    sop_uid = pydicom.dcmread(ct_small()).SOPInstanceUID
    row = node.store.index.instance(sop_uid)
    stored = node.store.path_of(row["rel_path"])
    before = (digest(stored), stored.stat().st_ino, stored.stat().st_mtime_ns)

    # the same file twice on a new association, then a changed copy with the same UID
    changed = tmp_path / "changed.dcm"
    ds = pydicom.dcmread(ct_small())
    ds.PatientName = "Changed^Copy"
    ds.save_as(changed, enforce_file_format=True)
    run = storescu(node, ct_small(), ct_small(), changed)
    assert statuses(run.stdout) == ["0000", "0000", "0000"], run.stdout[-2000:]

    assert node.store.index.count("instance") == 1
    assert node.store.index.instance(sop_uid)["rel_path"] == row["rel_path"]
    assert (digest(stored), stored.stat().st_ino, stored.stat().st_mtime_ns) == before
    assert pydicom.dcmread(stored).PatientName == pydicom.dcmread(ct_small()).PatientName
    assert stored_dcm_files(node.store.root) == [stored]
    assert not temp_files(node.store.root)
    assert len(events(node, NodeEventKind.STORED)) == 1
    assert len(events(node, NodeEventKind.DUPLICATE)) == 3


def test_missing_study_uid_is_a900_and_the_association_goes_on(node, tmp_path):
    no_study = variant(tmp_path / "in", "no_study.dcm", StudyInstanceUID=None)
    empty_series = variant(tmp_path / "in", "empty_series.dcm", SeriesInstanceUID="")
    good = variant(tmp_path / "in", "good.dcm")
    run = storescu(node, no_study, good, empty_series, good)
    # one association: after each A900 the next instance on it is stored
    assert run.stdout.count("Association Accepted") == 1
    assert statuses(run.stdout) == ["A900", "0000", "A900", "0000"], run.stdout[-3000:]
    assert "Study Instance UID" in run.stdout  # the error comment says why
    assert node.store.index.count("instance") == 1
    assert node.store.index.instance(pydicom.dcmread(good).SOPInstanceUID) is not None
    for bad in (no_study, empty_series):
        assert node.store.index.instance(pydicom.dcmread(bad).SOPInstanceUID) is None
    assert len(stored_dcm_files(node.store.root)) == 1
    assert not temp_files(node.store.root)
    failed = events(node, NodeEventKind.STORE_FAILED)
    assert [e.status for e in failed] == [0xA900, 0xA900]


def test_below_free_space_threshold_is_a700_and_nothing_written(start_node, tmp_path):
    node = start_node(min_free_space_mb=10_000_000)
    assert node.store.free_space_mb() < 10_000_000  # the threshold is above the disk's
    files = [path for path, _ in make_copies(tmp_path / "in", 2)]
    run = storescu(node, *files)
    assert run.stdout.count("Association Accepted") == 1
    assert statuses(run.stdout) == ["A700", "A700"], run.stdout[-3000:]
    assert "0xa700" in run.stdout.lower()
    assert node.store.index.count("instance") == 0
    assert stored_dcm_files(node.store.root) == []
    assert not temp_files(node.store.root)
    assert [e.status for e in events(node, NodeEventKind.STORE_FAILED)] == [0xA700, 0xA700]


def test_unknown_calling_ae_is_rejected_and_nothing_stored(node):
    run = storescu(node, ct_small(), aet=UNKNOWN_AET)
    assert run.returncode != 0
    assert "Association Rejected" in run.stdout
    assert "Rejected Permanent" in run.stdout
    assert "Calling AE Title Not Recognized" in run.stdout
    assert "Sending Store Request" not in run.stdout
    assert node.store.index.count("instance") == 0
    assert stored_dcm_files(node.store.root) == []


def test_association_over_the_limit_is_rejected_transient(start_node):
    node = start_node(max_associations=1)
    ae = AE(ae_title=KNOWN_AET)
    ae.add_requested_context(Verification)
    held = ae.associate(LOOPBACK, node.port, ae_title=NODE_AET)
    try:
        assert held.is_established
        assert wait_for(lambda: node.node.active_associations() == 1)
        run = run_dcmtk(
            "echoscu", "-v", "-aet", KNOWN_AET, "-aec", NODE_AET, node.host, str(node.port),
            timeout=30,
        )  # fmt: skip
        assert run.returncode != 0
        assert "Association Rejected" in run.stdout, run.stdout
        assert "Rejected Transient" in run.stdout, run.stdout
        assert "Local Limit Exceeded" in run.stdout, run.stdout
        # the association held open is unaffected
        assert held.send_c_echo().Status == 0x0000
    finally:
        held.release()
        ae.shutdown()
    # once it is released, the next association is accepted
    assert wait_for(lambda: node.node.active_associations() == 0)
    run = run_dcmtk(
        "echoscu", "-v", "-aet", KNOWN_AET, "-aec", NODE_AET, node.host, str(node.port),
        timeout=30,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout


# -- raw pynetdicom sender: what DCMTK never sends -----------------------------------------
def write_raw(path: Path, meta_from: Path, body: bytes) -> Path:
    """A Part 10 file: the file meta of ``meta_from`` followed by ``body`` as the dataset."""
    meta = pydicom.dcmread(meta_from).file_meta
    buf = BytesIO()
    buf.write(b"\0" * 128 + b"DICM")
    write_file_meta_info(buf, meta)
    path.write_bytes(buf.getvalue() + body)
    return path


@pytest.fixture
def raw_sender(node, monkeypatch):
    """One association from a pynetdicom AE that sends files' bytes as they are."""
    # Stream the dataset bytes after the file meta unparsed, with the file meta's
    # SOP Class and Instance UIDs as the request's Affected SOP Class / Instance UID.
    monkeypatch.setattr(_config, "STORE_SEND_CHUNKED_DATASET", True)
    ae = AE(ae_title=KNOWN_AET)
    ae.add_requested_context(CTImageStorage, ExplicitVRLittleEndian)
    ae.add_requested_context(MRImageStorage, ExplicitVRLittleEndian)
    assoc = ae.associate(LOOPBACK, node.port, ae_title=NODE_AET)
    try:
        assert assoc.is_established
        yield assoc
    finally:
        if assoc.is_established:
            assoc.release()
        ae.shutdown()


@pytest.mark.filterwarnings("ignore::UserWarning:pydicom")  # the node reading the garbage
def test_raw_sender_failures_then_success_on_the_same_association(node, raw_sender, tmp_path):
    goods = [path for path, _ in make_copies(tmp_path / "good", 3)]

    # the dataset says MR Image Storage, the request (file meta) says CT Image Storage
    ds = pydicom.dcmread(ct_small())
    uid = generate_uid()
    ds.SOPInstanceUID = uid
    ds.file_meta.MediaStorageSOPInstanceUID = uid
    ds.SOPClassUID = MRImageStorage
    mismatch = tmp_path / "mismatch.dcm"
    pydicom.dcmwrite(mismatch, ds, enforce_file_format=False)
    assert pydicom.dcmread(mismatch).file_meta.MediaStorageSOPClassUID == CTImageStorage

    garbage = write_raw(
        tmp_path / "garbage.dcm", goods[0], b"This is not a DICOM data set, just text. " * 25
    )
    # CT_small cut short inside its Pixel Data: the element's length says more than follows
    whole = ct_small().read_bytes()
    pixel_data_value = whole.rindex(b"\xe0\x7f\x10\x00OW") + 12
    cut = len(whole) - 1000
    assert pixel_data_value < cut
    truncated = tmp_path / "truncated.dcm"
    truncated.write_bytes(whole[:cut])

    sequence = [
        (mismatch, 0xA900),
        (goods[0], 0x0000),
        (garbage, 0xC000),
        (goods[1], 0x0000),
        (truncated, 0xC000),
        (goods[2], 0x0000),
    ]
    answers = []
    for path, _ in sequence:
        rsp = raw_sender.send_c_store(path)
        assert rsp is not None and "Status" in rsp, f"no response to {path.name}"
        answers.append((path.name, rsp.Status, str(rsp.get("ErrorComment", ""))))
    assert [(name, status) for name, status, _ in answers] == [
        (path.name, status) for path, status in sequence
    ], answers
    assert raw_sender.is_established  # still open after every failure
    comments = {name: comment for name, _, comment in answers}
    assert "SOP Class" in comments["mismatch.dcm"]
    assert comments["garbage.dcm"] and comments["truncated.dcm"]

    index = node.store.index
    assert index.count("instance") == 3
    for good in goods:
        assert index.instance(pydicom.dcmread(good).SOPInstanceUID) is not None
    assert index.instance(uid) is None
    assert index.instance(pydicom.dcmread(ct_small()).SOPInstanceUID) is None  # truncated's
    assert len(stored_dcm_files(node.store.root)) == 3
    assert not temp_files(node.store.root)
