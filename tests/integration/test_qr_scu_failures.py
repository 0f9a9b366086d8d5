"""How a query ends when things go wrong: partial results kept, a typed error, a defined state.

Real peers where one can produce the case (dcmqrscp: a model it does not offer, cancel
from the token, nothing listening). A query that fails with a status, or is aborted,
in the middle of its matches is something neither dcmqrscp nor Orthanc does on demand:
those two use a raw pynetdicom SCP started by the test (answering with the shipped
files' identities), on loopback, shut down by the test.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset

from workstation.config.settings import make_node
from workstation.dicom.qr_identifier import QRLevel, QRModel
from workstation.dicom.query_form import QueryForm, build_query, children_query
from workstation.errors import (
    AssociationAbortedError,
    DimseStatusError,
    NetworkTimeoutError,
    PeerConnectError,
    ServiceNotAcceptedError,
)
from workstation.jobs import CancelToken
from workstation.net.scu.find import find

from .conftest import LOOPBACK, NODE_AET, ct_small, find_free_port
from .qr_scu_support import QRSCP_AET, ct_copies, local, raw_find_scp, start_qrscp

pytestmark = pytest.mark.integration

def matches(n: int) -> list[Dataset]:
    out = []
    for i in range(n):
        ds = Dataset()
        ds.QueryRetrieveLevel = "STUDY"
        ds.StudyInstanceUID = f"1.2.3.{i + 1}"
        ds.PatientName = f"Test^{i + 1}"
        out.append(ds)
    return out


def test_failure_status_mid_query_keeps_the_matches() -> None:
    def handler(event):
        for ds in matches(3):
            yield 0xFF00, ds
        failure = Dataset()
        failure.Status = 0xC001
        failure.ErrorComment = "index unavailable"
        yield failure, None

    with raw_find_scp(handler) as peer:
        outcome = find(peer, build_query(QueryForm(), QRModel.STUDY), QRModel.STUDY,
                       local(NODE_AET))  # fmt: skip
    assert [str(m.StudyInstanceUID) for m in outcome.matches] == ["1.2.3.1", "1.2.3.2", "1.2.3.3"]
    assert not outcome.complete and outcome.status == 0xC001
    assert isinstance(outcome.error, DimseStatusError)
    assert outcome.error.values["status_hex"] == "C001"
    assert "index unavailable" in outcome.error.message()
    assert "unable to process" in outcome.error.message()


def test_abort_mid_query_keeps_the_matches() -> None:
    def handler(event):
        for ds in matches(2):
            yield 0xFF00, ds
        event.assoc.abort()
        yield 0xFF00, matches(3)[2]  # never sent

    with raw_find_scp(handler) as peer:
        outcome = find(peer, build_query(QueryForm(), QRModel.STUDY), QRModel.STUDY,
                       local(NODE_AET))  # fmt: skip
    assert len(outcome.matches) == 2
    assert isinstance(outcome.error, AssociationAbortedError)
    assert not outcome.complete and outcome.status is None


def test_no_final_response_is_a_timeout_with_the_matches_kept() -> None:
    release = threading.Event()

    def handler(event):
        yield 0xFF00, matches(1)[0]
        release.wait(30)  # holds the response back until the client has given up
        yield 0x0000, None

    with raw_find_scp(handler) as peer:
        try:
            outcome = find(peer, build_query(QueryForm(), QRModel.STUDY), QRModel.STUDY,
                           local(NODE_AET, dimse_timeout_s=1))  # fmt: skip
        finally:
            release.set()
    assert len(outcome.matches) == 1
    assert isinstance(outcome.error, NetworkTimeoutError)
    assert outcome.error.values["phase"] == "dimse"


def test_cancel_from_the_token_mid_query(tmp_path: Path) -> None:
    files = [ct_small(), *ct_copies(tmp_path / "copies", 30)]
    scp = start_qrscp(tmp_path / "qrscp", files, {})
    try:
        token = CancelToken()
        seen = []

        def on_match(ds):
            seen.append(ds)
            if len(seen) == 2:
                token.set()  # the user pressed Cancel in the panel

        series = str(pydicom.dcmread(files[-1], stop_before_pixels=True).SeriesInstanceUID)
        study = str(pydicom.dcmread(files[-1], stop_before_pixels=True).StudyInstanceUID)
        identifier = children_query(QRModel.STUDY, QRLevel.IMAGE, study_uid=study, series_uid=series)
        outcome = find(scp.node(), identifier, QRModel.STUDY, local(NODE_AET), cancel=token,
                       on_match=on_match)  # fmt: skip
    finally:
        scp.stop()
    assert outcome.cancelled and not outcome.complete and outcome.error is None
    assert len(outcome.matches) == 2  # what came after the C-CANCEL is not kept
    assert outcome.status in (0x0000, 0xFE00)


def test_a_model_the_peer_does_not_offer(tmp_path: Path) -> None:
    scp = start_qrscp(tmp_path / "qrscp", [ct_small()], {}, extra=["--no-patient-root"])
    try:
        outcome = find(scp.node(), build_query(QueryForm(), QRModel.PATIENT, QRLevel.PATIENT),
                       QRModel.PATIENT, local(NODE_AET))  # fmt: skip
    finally:
        scp.stop()
    assert isinstance(outcome.error, ServiceNotAcceptedError)
    assert outcome.matches == ()


def test_nothing_listening() -> None:
    port = find_free_port()
    node = make_node(name="gone", ae_title=QRSCP_AET, host=LOOPBACK, port=port)
    outcome = find(node, build_query(QueryForm(), QRModel.STUDY), QRModel.STUDY, local(NODE_AET))
    assert isinstance(outcome.error, PeerConnectError)
    assert outcome.error.values["cause"] == "echo.refused"
    assert outcome.matches == () and not outcome.complete
