"""The browser's Archive flag from send records and commitment transactions."""

from __future__ import annotations

from io import BytesIO

import pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from workstation.store.archive_status import ArchiveFlag, ArchiveStatus
from workstation.store.commitment_state import CommitItem
from workstation.store.send_state import SendOutcome, SendRecord


def _study(store, count: int) -> tuple[str, list[pydicom.Dataset]]:
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.StudyInstanceUID = generate_uid()
    made = []
    for _ in range(count):
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        buf = BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        store.add_bytes(buf.getvalue())
        made.append(pydicom.dcmread(BytesIO(buf.getvalue()), stop_before_pixels=True))
    return str(ds.StudyInstanceUID), made


def _sent(status: ArchiveStatus, node: str, images, outcome=SendOutcome.STORED) -> None:
    records = [
        SendRecord(str(d.SOPInstanceUID), str(d.SOPClassUID), str(d.StudyInstanceUID),
                   str(d.SeriesInstanceUID), outcome)
        for d in images
    ]  # fmt: skip
    status.sends.record(generate_uid(), node, node, records)


def _items(images) -> list[CommitItem]:
    return [CommitItem(str(d.SOPClassUID), str(d.SOPInstanceUID), str(d.StudyInstanceUID))
            for d in images]  # fmt: skip


def test_not_sent_sent_and_committed(store) -> None:
    status = ArchiveStatus(store.index)
    study, images = _study(store, 3)
    assert status.studies([study])[study].flags == ()
    assert not status.studies([study])[study].uncommitted
    _sent(status, "PACS", images)
    archive = status.studies([study])[study]
    assert [(f.node_name, f.flag) for f in archive.flags] == [("PACS", ArchiveFlag.SENT)]
    assert archive.uncommitted  # sent, not (yet) committed
    status.commits.create_pending("2.25.1", "PACS", "PACS", _items(images), 60.0)
    assert status.studies([study])[study].worst.flag is ArchiveFlag.COMMIT_PENDING
    successes = [(str(d.SOPClassUID), str(d.SOPInstanceUID)) for d in images]
    status.commits.record_report("2.25.1", successes, [])
    archive = status.studies([study])[study]
    assert archive.worst.flag is ArchiveFlag.COMMITTED and not archive.uncommitted


def test_partly_committed_and_the_worst_node_first(store) -> None:
    status = ArchiveStatus(store.index)
    study, images = _study(store, 2)
    _sent(status, "PACS", images)
    _sent(status, "BACKUP", images)
    status.commits.create_pending("2.25.2", "PACS", "PACS", _items(images), 60.0)
    first, second = images
    status.commits.record_report(
        "2.25.2", [(str(first.SOPClassUID), str(first.SOPInstanceUID))],
        [(str(second.SOPClassUID), str(second.SOPInstanceUID), 0x0112)],
    )  # fmt: skip
    archive = status.studies([study])[study]
    flags = {f.node_name: f.flag for f in archive.flags}
    assert flags == {"BACKUP": ArchiveFlag.SENT, "PACS": ArchiveFlag.PARTLY_COMMITTED}
    assert archive.worst.node_name == "PACS" and archive.uncommitted
    assert [a.study_uid for a in status.uncommitted([study])] == [study]


def test_a_failed_send_is_not_hidden_by_a_failed_commit(store) -> None:
    status = ArchiveStatus(store.index)
    study, images = _study(store, 1)
    _sent(status, "PACS", images, SendOutcome.FAILED)
    assert status.studies([study])[study].worst.flag is ArchiveFlag.SEND_FAILED
    status.commits.create_pending("2.25.3", "PACS", "PACS", _items(images), 0.0)  # overdue
    assert status.studies([study])[study].worst.flag is ArchiveFlag.SEND_FAILED


def test_an_overdue_commitment_is_commit_failed(store) -> None:
    status = ArchiveStatus(store.index)
    study, images = _study(store, 1)
    _sent(status, "PACS", images)
    status.commits.create_pending("2.25.4", "PACS", "PACS", _items(images), 0.0)
    assert status.studies([study])[study].worst.flag is ArchiveFlag.COMMIT_FAILED
