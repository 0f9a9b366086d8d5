"""The Query/Retrieve SCU against DCMTK's dcmqrscp: query, C-MOVE to our node, C-GET,
the result limit, cancel, a refused association and an unknown move destination.

dcmqrscp holds CT_small, a JPEG 2000 lossless MR (MR2_J2KR from pydicom-data) and 40
copies of CT_small in a second series of its study; it is started per test (``+xv``: it
accepts JPEG 2000 lossless for the C-GET storage sub-operations) and knows our node as
the move destination WS_TEST. Only WS_TEST may call it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pydicom
import pytest
from conftest import sample_roots
from pydicom.uid import JPEG2000Lossless

from workstation.config import parse_node_spec
from workstation.dicom.qr_identifier import QRLevel, QRModel, identifier_from_keys
from workstation.dicom.query_form import QueryForm, build_query, children_query
from workstation.errors import AssociationRejectedError, MoveDestinationUnknownError
from workstation.jobs import CancelToken
from workstation.net.scu.find import find
from workstation.net.scu.get import get
from workstation.net.scu.move import RetrieveRequest, move

from .conftest import LOOPBACK, NODE_AET, ct_small
from .qr_scu_support import QRSCP_AET, ct_copies, local, start_qrscp

pytestmark = pytest.mark.integration

COPIES = 40
J2K_FILE = sample_roots()[1] / "MR2_J2KR.dcm"


def read(path: Path) -> pydicom.Dataset:
    return pydicom.dcmread(path, stop_before_pixels=True)


CT = read(ct_small())
MR = read(J2K_FILE)


@pytest.fixture
def node(start_node):
    """Our node, WS_TEST, accepting dcmqrscp (QRSCP) as a caller."""
    return start_node(remote_nodes=(parse_node_spec(f"qrscp={QRSCP_AET}@{LOOPBACK}:104"),))


@pytest.fixture
def qrscp(tmp_path: Path, node):
    files = [ct_small(), J2K_FILE, *ct_copies(tmp_path / "copies", COPIES)]
    scp = start_qrscp(tmp_path / "qrscp", files, {"ws": (NODE_AET, node.port)}, peers="ws",
                      extra=["+xv"])  # fmt: skip
    try:
        yield scp
    finally:
        scp.stop()


def uids(matches, keyword: str) -> list[str]:
    return sorted(str(m[keyword].value) for m in matches)


def copies_series(qrscp) -> str:
    return str(read(qrscp.files[-1]).SeriesInstanceUID)


def test_query_every_level_study_root(qrscp) -> None:
    peer, me = qrscp.node(), local(NODE_AET)
    studies = find(peer, build_query(QueryForm(), QRModel.STUDY), QRModel.STUDY, me)
    assert studies.complete and studies.error is None
    assert uids(studies.matches, "StudyInstanceUID") == sorted({CT.StudyInstanceUID, MR.StudyInstanceUID})

    series = find(peer, children_query(QRModel.STUDY, QRLevel.SERIES, study_uid=CT.StudyInstanceUID),
                  QRModel.STUDY, me)  # fmt: skip
    assert series.complete
    assert uids(series.matches, "SeriesInstanceUID") == sorted({CT.SeriesInstanceUID, copies_series(qrscp)})

    images = find(peer, children_query(QRModel.STUDY, QRLevel.IMAGE, study_uid=CT.StudyInstanceUID,
                                       series_uid=copies_series(qrscp)), QRModel.STUDY, me)  # fmt: skip
    assert images.complete
    assert uids(images.matches, "SOPInstanceUID") == sorted(str(read(p).SOPInstanceUID) for p in qrscp.files[2:])


def test_query_every_level_patient_root(qrscp) -> None:
    peer, me = qrscp.node(), local(NODE_AET)
    patients = find(peer, build_query(QueryForm(patient_name="Compressed"), QRModel.PATIENT, QRLevel.PATIENT),
                    QRModel.PATIENT, me)  # fmt: skip
    assert patients.complete
    # a name typed without wildcards is a prefix: "Compressed*" (dcmqrscp matches PN with case)
    assert sorted(str(m.PatientID) for m in patients.matches) == sorted({CT.PatientID, MR.PatientID})
    pid = str(MR.PatientID)
    studies = find(peer, build_query(QueryForm(patient_id=pid), QRModel.PATIENT, QRLevel.STUDY),
                   QRModel.PATIENT, me)  # fmt: skip
    assert uids(studies.matches, "StudyInstanceUID") == [MR.StudyInstanceUID]
    series = find(peer, children_query(QRModel.PATIENT, QRLevel.SERIES, pid, MR.StudyInstanceUID),
                  QRModel.PATIENT, me)  # fmt: skip
    assert uids(series.matches, "SeriesInstanceUID") == [MR.SeriesInstanceUID]
    images = find(peer, children_query(QRModel.PATIENT, QRLevel.IMAGE, pid, MR.StudyInstanceUID,
                                       MR.SeriesInstanceUID), QRModel.PATIENT, me)  # fmt: skip
    assert uids(images.matches, "SOPInstanceUID") == [MR.SOPInstanceUID]


def test_result_limit_sends_c_cancel_and_marks_the_list_incomplete(qrscp, caplog) -> None:
    identifier = children_query(QRModel.STUDY, QRLevel.IMAGE, study_uid=CT.StudyInstanceUID,
                                series_uid=copies_series(qrscp))  # fmt: skip
    seen = []
    with caplog.at_level(logging.INFO, logger="workstation.net.scu.find"):
        outcome = find(qrscp.node(), identifier, QRModel.STUDY, local(NODE_AET), limit=5,
                       on_match=seen.append)  # fmt: skip
    assert len(outcome.matches) == 5 and len(seen) == 5
    assert outcome.limit_reached and not outcome.complete and outcome.error is None
    assert "C-CANCEL sent for C-FIND 1" in caplog.text
    # dcmqrscp reads the C-CANCEL once it has sent its matches: it says so and ends with 0000
    assert outcome.status in (0x0000, 0xFE00)
    assert "C-CANCEL" in qrscp.output()


def test_move_study_to_our_node(qrscp, node) -> None:
    progress = []
    outcome = move(qrscp.node(), NODE_AET, RetrieveRequest(QRModel.STUDY, QRLevel.STUDY,
                   (CT.StudyInstanceUID,)), local(NODE_AET), on_progress=progress.append)  # fmt: skip
    assert outcome.ok, outcome.summary()
    assert (outcome.counts.completed, outcome.counts.failed, outcome.counts.remaining) == (COPIES + 1, 0, 0)
    assert progress and progress[0].remaining == COPIES  # the first after one sub-operation
    assert [p.completed for p in progress[:-1]] == list(range(1, COPIES + 2))
    assert node.store.index.count("instance") == COPIES + 1


def test_move_series_and_image_levels(qrscp, node) -> None:
    """SERIES level in Study Root, IMAGE level in Patient Root. (dcmqrscp proposes only
    uncompressed syntaxes on its C-MOVE associations unless told otherwise, so the JPEG
    2000 MR is not moved here; Orthanc moves it in test_qr_scu_orthanc.)"""
    me = local(NODE_AET)
    copy = read(qrscp.files[5])
    series = move(qrscp.node(), NODE_AET, RetrieveRequest(QRModel.STUDY, QRLevel.SERIES,
                  (CT.StudyInstanceUID,), (CT.SeriesInstanceUID,)), me)  # fmt: skip
    image = move(qrscp.node(), NODE_AET, RetrieveRequest(QRModel.PATIENT, QRLevel.IMAGE,
                 (CT.StudyInstanceUID,), (copy.SeriesInstanceUID,), (copy.SOPInstanceUID,),
                 patient_id=str(CT.PatientID)), me)  # fmt: skip
    assert series.ok and series.counts.completed == 1, series.summary()
    assert image.ok and image.counts.completed == 1, image.summary()
    assert node.store.index.lookup(CT.SOPInstanceUID) is not None
    assert node.store.index.lookup(copy.SOPInstanceUID) is not None
    assert node.store.index.count("instance") == 2


def test_get_two_studies_with_a_jpeg2000_instance(qrscp, store) -> None:
    """dcmqrscp sends each instance through the first context accepted for its SOP class
    and cannot decompress JPEG 2000: the first pass (uncompressed first) fails the MR, the
    second (JPEG 2000 lossless first) gets it, byte for byte as stored."""
    events = []
    outcome = get(qrscp.node(), RetrieveRequest(QRModel.STUDY, QRLevel.STUDY,
                  (CT.StudyInstanceUID, MR.StudyInstanceUID)), store, local(NODE_AET),
                  on_event=events.append)  # fmt: skip
    assert outcome.ok, outcome.summary()
    assert outcome.expected == COPIES + 2 and outcome.received == COPIES + 2
    assert (outcome.counts.completed, outcome.counts.failed) == (COPIES + 2, 0)
    assert store.index.count("instance") == COPIES + 2
    assert len(events) == COPIES + 2 and {e.kind for e in events} == {"stored"}
    kept = pydicom.dcmread(store.path_of(store.index.lookup(MR.SOPInstanceUID)))
    source = pydicom.dcmread(J2K_FILE)
    assert kept.file_meta.TransferSyntaxUID == JPEG2000Lossless
    assert kept.PixelData == source.PixelData


def test_refused_association_is_a_typed_permanent_error(qrscp) -> None:
    outcome = find(qrscp.node(), build_query(QueryForm(), QRModel.STUDY), QRModel.STUDY,
                   local("STRANGER"))  # fmt: skip
    assert outcome.matches == () and not outcome.complete
    assert isinstance(outcome.error, AssociationRejectedError)
    assert outcome.error.permanent
    assert outcome.error.values["result"] == 1


def test_move_to_an_unknown_destination_is_a801(qrscp, node) -> None:
    outcome = move(qrscp.node(), "NOWHERE", RetrieveRequest(QRModel.STUDY, QRLevel.STUDY,
                   (CT.StudyInstanceUID,)), local(NODE_AET))  # fmt: skip
    assert isinstance(outcome.error, MoveDestinationUnknownError)
    assert outcome.status == 0xA801 and outcome.error.values["destination"] == "NOWHERE"
    assert node.store.index.count("instance") == 0


def test_cancel_during_a_move_reports_the_counts(qrscp, node) -> None:
    token = CancelToken()
    seen = []

    def progress(counts) -> None:
        seen.append(counts)
        if counts.completed >= 3:
            token.set()  # as the GUI thread would: C-CANCEL goes out at once

    outcome = move(qrscp.node(), NODE_AET, RetrieveRequest(QRModel.STUDY, QRLevel.STUDY,
                   (CT.StudyInstanceUID,)), local(NODE_AET), cancel=token,
                   on_progress=progress)  # fmt: skip
    assert outcome.cancelled and outcome.status == 0xFE00 and not outcome.ok
    counts = outcome.counts
    assert 3 <= counts.completed < COPIES + 1
    assert counts.remaining is not None and counts.remaining > 0
    assert counts.completed + counts.remaining == COPIES + 1
    assert node.store.index.count("instance") == counts.completed


def test_query_keys_as_typed_on_the_command_line(qrscp) -> None:
    identifier, shown = identifier_from_keys(
        QRModel.STUDY, QRLevel.SERIES, [f"0020,000D={CT.StudyInstanceUID}", "Modality=CT"]
    )
    outcome = find(qrscp.node(), identifier, QRModel.STUDY, local(NODE_AET))
    assert outcome.complete
    assert uids(outcome.matches, "SeriesInstanceUID") == sorted({CT.SeriesInstanceUID, copies_series(qrscp)})
    assert all(m.Modality == "CT" for m in outcome.matches)
