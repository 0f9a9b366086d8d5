"""MPPS SCU (net/scu/mpps.py) against the strict MPPS SCP of tests/peers over 127.0.0.1.

First what the workstation sends is accepted and recorded as sent; then the peer is
shown to be strict (it refuses each kind of bad N-CREATE and N-SET, PS3.4 F.7.2), so an
accepted message means a conformant one.
"""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid
from pynetdicom import AE, evt
from pynetdicom.sop_class import ModalityPerformedProcedureStep, Verification

from tests.peers.fixtures import mpps_scp_fixture  # noqa: F401
from tests.peers.mpps_scp import (
    COMPLETED,
    DISCONTINUED,
    IN_PROGRESS,
    N_CREATE,
    N_SET,
    StrictMppsScp,
)
from tests.ports import free_port
from workstation.config.settings import RemoteNode, make_node
from workstation.dicom.builders.mpps import (
    CID_9300,
    PerformedInstance,
    StepFacts,
    n_create_dataset,
    n_set_dataset,
)
from workstation.dicom.registration import Registration
from workstation.errors import (
    MppsStatusError,
    NetworkError,
    PeerConnectError,
    ServiceNotAcceptedError,
)
from workstation.net.association import LocalAE
from workstation.net.scu import mpps

LOOPBACK = "127.0.0.1"
SC = "1.2.840.10008.5.1.4.1.1.7"
PDF = "1.2.840.10008.5.1.4.1.1.104.1"
LOCAL = LocalAE("WS_MPPS", connect_timeout_s=10, acse_timeout_s=10, dimse_timeout_s=10)


def node_of(scp: StrictMppsScp) -> RemoteNode:
    return make_node(name="ris", ae_title=scp.ae_title, host=LOOPBACK, port=scp.port)


def registration() -> Registration:
    return Registration(patient_name="Schäfer^Lena", patient_id="P-13", birth_date="",
                        sex="F", accession_number="A-13", study_instance_uid=generate_uid(),
                        study_id="RP-13", modality="OT",
                        specific_character_set="ISO_IR 100")  # fmt: skip


def step_facts(end: datetime | None = None) -> StepFacts:
    return StepFacts(pps_id="PPS-13", station_aet="WS_MPPS", station_name="ws", end=end,
                     start=datetime(2026, 12, 7, 8, 0, 0), description="Hand rechts",
                     operator="Tech^Tom", performed_protocol=None,
                     retrieve_aet="ARCHIVE")  # fmt: skip


END = datetime(2026, 12, 7, 8, 20, 0)


def made_instances(series_uid: str | None = None) -> list[PerformedInstance]:
    series = series_uid or generate_uid()
    return [PerformedInstance(SC, generate_uid(), series),
            PerformedInstance(SC, generate_uid(), series),
            PerformedInstance(PDF, generate_uid(), generate_uid())]  # fmt: skip


def created_step(scp: StrictMppsScp, reg: Registration | None = None) -> tuple[str, Registration]:
    reg = reg or registration()
    uid = generate_uid()
    assert mpps.create(node_of(scp), LOCAL, uid, n_create_dataset(reg, step_facts())) == 0
    return uid, reg


def refused(call, *args) -> MppsStatusError:  # noqa: ANN001
    with pytest.raises(MppsStatusError) as info:
        call(*args)
    return info.value


# -- the workstation's messages --------------------------------------------------------
def test_in_progress_then_completed_with_every_instance(mpps_scp: StrictMppsScp) -> None:
    uid, reg = created_step(mpps_scp)
    assert mpps_scp.status_of(uid) == IN_PROGRESS
    done = made_instances()
    assert mpps.update(node_of(mpps_scp), LOCAL, uid,
                       n_set_dataset(reg, step_facts(END), COMPLETED, done)) == 0  # fmt: skip
    assert mpps_scp.operations() == [N_CREATE, N_SET]
    assert [uid, uid] == [m[1] for m in mpps_scp.messages]
    assert mpps_scp.status_of(uid) == COMPLETED
    held = mpps_scp.instances[uid].dataset
    referenced = {
        (ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID, item.SeriesInstanceUID)
        for item in held.PerformedSeriesSequence
        for ref in [*item.ReferencedImageSequence,
                    *item.ReferencedNonImageCompositeSOPInstanceSequence]
    }  # fmt: skip
    assert referenced == {(i.sop_class_uid, i.sop_instance_uid, i.series_uid) for i in done}
    assert held.PatientName == "Schäfer^Lena"  # ISO_IR 100 over the wire and back
    assert held.PerformedProcedureStepEndTime == "082000"


def test_discontinued_with_a_cid_9300_reason(mpps_scp: StrictMppsScp) -> None:
    uid, reg = created_step(mpps_scp)
    ds = n_set_dataset(reg, step_facts(END), DISCONTINUED, made_instances()[:1],
                       discontinue_reason=CID_9300["110505"])  # fmt: skip
    mpps.update(node_of(mpps_scp), LOCAL, uid, ds)
    assert mpps_scp.status_of(uid) == DISCONTINUED
    (reason,) = mpps_scp.instances[
        uid
    ].dataset.PerformedProcedureStepDiscontinuationReasonCodeSequence
    assert (reason.CodeValue, reason.CodingSchemeDesignator, reason.CodeMeaning) == (
        "110505", "DCM", "Patient refused to continue procedure")  # fmt: skip


def test_intermediate_n_set_then_final(mpps_scp: StrictMppsScp) -> None:
    uid, reg = created_step(mpps_scp)
    series = generate_uid()
    first = made_instances(series)[:1]
    mpps.update(node_of(mpps_scp), LOCAL, uid, n_set_dataset(reg, step_facts(), IN_PROGRESS, first))
    assert mpps_scp.status_of(uid) == IN_PROGRESS
    everything = first + made_instances(series)
    mpps.update(node_of(mpps_scp), LOCAL, uid,
                n_set_dataset(reg, step_facts(END), COMPLETED, everything))  # fmt: skip
    held = mpps_scp.instances[uid].dataset.PerformedSeriesSequence
    assert sum(len(s.ReferencedImageSequence) for s in held) == 3  # sequence replaced whole


@pytest.mark.parametrize("final", [COMPLETED, DISCONTINUED])
def test_update_after_a_final_state_is_refused(mpps_scp: StrictMppsScp, final: str) -> None:
    uid, reg = created_step(mpps_scp)
    done = made_instances()
    mpps.update(node_of(mpps_scp), LOCAL, uid, n_set_dataset(reg, step_facts(END), final, done))  # type: ignore[arg-type]
    before = mpps_scp.instances[uid].dataset
    error = refused(mpps.update, node_of(mpps_scp), LOCAL, uid,
                    n_set_dataset(reg, step_facts(END), COMPLETED, done))  # fmt: skip
    assert error.status == 0x0110 and error.values["error_id"] == 0xA710
    assert error.no_longer_updatable
    assert "may no longer be updated" in error.message()
    assert error.code == "mpps.status"
    assert mpps_scp.instances[uid].dataset is before


def test_failure_status_is_surfaced_then_the_retry_succeeds(mpps_scp: StrictMppsScp) -> None:
    reg, uid = registration(), generate_uid()
    ds = n_create_dataset(reg, step_facts())
    mpps_scp.fail_next(1, 0x0213, "resources exhausted")
    error = refused(mpps.create, node_of(mpps_scp), LOCAL, uid, ds)
    assert error.status == 0x0213 and error.values["operation"] == "N-CREATE"
    assert "resources exhausted" in error.message()
    assert not error.no_longer_updatable
    assert uid not in mpps_scp.instances
    assert mpps.create(node_of(mpps_scp), LOCAL, uid, ds) == 0
    mpps_scp.fail_next(1, 0x0110)
    final = n_set_dataset(reg, step_facts(END), COMPLETED, made_instances())
    assert refused(mpps.update, node_of(mpps_scp), LOCAL, uid, final).status == 0x0110
    assert mpps_scp.status_of(uid) == IN_PROGRESS
    mpps.update(node_of(mpps_scp), LOCAL, uid, final)
    assert mpps_scp.status_of(uid) == COMPLETED


def test_a_second_create_of_the_same_instance_is_a_duplicate(mpps_scp: StrictMppsScp) -> None:
    uid, reg = created_step(mpps_scp)
    error = refused(mpps.create, node_of(mpps_scp), LOCAL, uid,
                    n_create_dataset(reg, step_facts()))  # fmt: skip
    assert error.status == 0x0111 and error.duplicate_instance


def test_warning_status_is_success(mpps_scp: StrictMppsScp, caplog) -> None:  # noqa: ANN001
    mpps_scp.warn_next(1, 0x0001)
    uid = generate_uid()
    with caplog.at_level(logging.WARNING, logger="workstation.net.scu.mpps"):
        status = mpps.create(node_of(mpps_scp), LOCAL, uid,
                             n_create_dataset(registration(), step_facts()))  # fmt: skip
    assert status == 0x0001
    assert mpps_scp.status_of(uid) == IN_PROGRESS
    assert any("warning 0x0001" in r.getMessage() for r in caplog.records)


def test_scp_down_is_a_network_error_and_up_again_works(mpps_scp: StrictMppsScp) -> None:
    uid, reg = created_step(mpps_scp)
    final = n_set_dataset(reg, step_facts(END), COMPLETED, made_instances())
    mpps_scp.stop()
    with pytest.raises(PeerConnectError) as info:
        mpps.update(node_of(mpps_scp), LOCAL, uid, final)
    assert isinstance(info.value, NetworkError)
    assert info.value.values["port"] == mpps_scp.port
    mpps_scp.start()  # same port, instances kept
    mpps.update(node_of(mpps_scp), LOCAL, uid, final)
    assert mpps_scp.status_of(uid) == COMPLETED


# -- the peer is strict ------------------------------------------------------------------
def good_create() -> Dataset:
    return n_create_dataset(registration(), step_facts())


def without(ds: Dataset, keyword: str) -> Dataset:
    del ds[keyword]
    return ds


def with_value(ds: Dataset, keyword: str, value: object) -> Dataset:
    setattr(ds, keyword, value)
    return ds


def step_item_without_study_uid() -> Dataset:
    ds = good_create()
    del ds.ScheduledStepAttributesSequence[0].StudyInstanceUID
    return ds


def code_without_meaning() -> Dataset:
    ds = good_create()
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator = "X1", "99LOCAL"
    ds.ScheduledStepAttributesSequence[0].ScheduledProtocolCodeSequence = [code]
    return ds


BAD_CREATES = {
    "type 2 missing": (lambda: without(good_create(), "PatientBirthDate"), 0x0120, "PatientBirthDate"),
    "type 1 missing": (lambda: without(good_create(), "Modality"), 0x0120, "Modality"),
    "type 1 empty": (lambda: with_value(good_create(), "PerformedStationAETitle", ""), 0x0121,
                     "PerformedStationAETitle"),
    "not in progress": (lambda: with_value(good_create(), "PerformedProcedureStepStatus",
                                           "COMPLETED"), 0x0106, "F.7.2.1.3"),
    "bad date": (lambda: with_value(good_create(), "PerformedProcedureStepStartDate",
                                    "20261340"), 0x0106, "StartDate"),
    "no scheduled step": (lambda: with_value(good_create(), "ScheduledStepAttributesSequence",
                                             []), 0x0121, "ScheduledStepAttributesSequence"),
    "item type 1": (step_item_without_study_uid, 0x0120, "StudyInstanceUID"),
    "code meaning": (code_without_meaning, 0x0121, "Code Meaning"),
}  # fmt: skip


@pytest.mark.filterwarnings("ignore:Invalid value for VR DA")
@pytest.mark.parametrize("case", list(BAD_CREATES))
def test_strict_peer_refuses_bad_n_create(mpps_scp: StrictMppsScp, case: str) -> None:
    make, status, named = BAD_CREATES[case]
    uid = generate_uid()
    error = refused(mpps.create, node_of(mpps_scp), LOCAL, uid, make())
    assert error.status == status
    assert named in error.message()  # the Error Comment names what is wrong
    assert uid not in mpps_scp.instances


def final_set(**changes: object) -> Dataset:
    ds = n_set_dataset(registration(), step_facts(END), COMPLETED, made_instances())
    for keyword, value in changes.items():
        if value is None:
            del ds[keyword]
        else:
            setattr(ds, keyword, value)
    return ds


def series_without_uid() -> Dataset:
    ds = final_set()
    del ds.PerformedSeriesSequence[0].SeriesInstanceUID
    return ds


def series_without_references() -> Dataset:
    ds = final_set()
    for item in ds.PerformedSeriesSequence:
        item.ReferencedImageSequence = []
        item.ReferencedNonImageCompositeSOPInstanceSequence = []
    return ds


BAD_SETS = {
    "not allowed": (lambda: final_set(PatientName="Other^Name"), 0x0105, "PatientName"),
    "not created": (lambda: final_set(CommentsOnThePerformedProcedureStep="x"), 0x0105,
                    "note 5"),
    "no end date": (lambda: final_set(PerformedProcedureStepEndDate=None), 0x0121, "EndDate"),
    "empty end time": (lambda: final_set(PerformedProcedureStepEndTime=""), 0x0121, "EndTime"),
    "no series": (lambda: final_set(PerformedSeriesSequence=None), 0x0121, "Performed Series"),
    "empty series": (lambda: final_set(PerformedSeriesSequence=[]), 0x0121,
                     "PerformedSeriesSequence"),
    "series uid": (series_without_uid, 0x0121, "SeriesInstanceUID"),
    "no references": (series_without_references, 0x0110, "F.7.2.2.2"),
    "unknown status": (lambda: final_set(PerformedProcedureStepStatus="FINISHED"), 0x0106,
                       "FINISHED"),
    "empty status": (lambda: final_set(PerformedProcedureStepStatus=""), 0x0121,
                     "PerformedProcedureStepStatus"),
}  # fmt: skip


LISTED = {"not allowed": "PatientName", "not created": "CommentsOnThePerformedProcedureStep"}


@pytest.mark.parametrize("case", list(BAD_SETS))
def test_strict_peer_refuses_bad_n_set(mpps_scp: StrictMppsScp, case: str) -> None:
    uid, _reg = created_step(mpps_scp)
    make, status, named = BAD_SETS[case]
    before = mpps_scp.instances[uid].dataset
    error = refused(mpps.update, node_of(mpps_scp), LOCAL, uid, make())
    assert error.status == status
    assert named in error.message()
    if status == 0x0105:  # PS3.7 C.5: the Attribute Identifier List names it
        assert error.values["attributes"] == [LISTED[case]]
    assert mpps_scp.instances[uid].dataset is before and mpps_scp.status_of(uid) == IN_PROGRESS


def test_strict_peer_refuses_an_unknown_instance(mpps_scp: StrictMppsScp) -> None:
    error = refused(mpps.update, node_of(mpps_scp), LOCAL, generate_uid(), final_set())
    assert error.status == 0x0112


def test_strict_peer_generates_the_uid_when_none_is_given(mpps_scp: StrictMppsScp) -> None:
    """PS3.7 10.1.5.1.4: the N-CREATE-RSP carries the UID the SCP chose."""
    ae = AE(ae_title="RAW_SCU")
    ae.add_requested_context(ModalityPerformedProcedureStep)
    for timeout in ("acse_timeout", "dimse_timeout", "network_timeout", "connection_timeout"):
        setattr(ae, timeout, 10.0)
    responses: list[Dataset] = []

    def on_recv(event: evt.Event) -> None:
        responses.append(event.message.command_set)

    assoc = ae.associate(LOOPBACK, mpps_scp.port, ae_title=mpps_scp.ae_title,
                         evt_handlers=[(evt.EVT_DIMSE_RECV, on_recv)])  # fmt: skip
    try:
        assert assoc.is_established
        status, _attrs = assoc.send_n_create(good_create(), ModalityPerformedProcedureStep, None)
        assert status.Status == 0x0000
    finally:
        assoc.release()
        ae.shutdown()
    (op, chosen, _ds) = mpps_scp.messages[-1]
    assert op == N_CREATE and chosen
    assert str(responses[-1].AffectedSOPInstanceUID) == chosen
    assert mpps_scp.status_of(chosen) == IN_PROGRESS


def test_a_peer_without_mpps_is_service_not_accepted() -> None:
    port = free_port()
    ae = AE(ae_title="NO_MPPS")
    ae.add_supported_context(Verification)
    ae.start_server((LOOPBACK, port), block=False)
    node = make_node(name="echo-only", ae_title="NO_MPPS", host=LOOPBACK, port=port)
    try:
        with pytest.raises(ServiceNotAcceptedError):
            mpps.create(node, LOCAL, generate_uid(), good_create())
    finally:
        ae.shutdown()
