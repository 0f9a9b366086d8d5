"""Storage commitment bookkeeping (store/commitment_state.py) and the wire datasets
(net/commitment.py): states, expiry, per-study flags, malformed input."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from workstation.errors import CommitmentError, LateTransactionError, UnknownTransactionError
from workstation.net.commitment import (
    EVENT_ALL_SUCCESS,
    EVENT_FAILURES,
    REASON_NO_SUCH_OBJECT,
    CommitReport,
    action_information,
    event_information,
    parse_report,
    parse_request,
)
from workstation.store import LocalStore
from workstation.store.commitment_state import (
    CommitItem,
    CommitmentState,
    StudyCommitState,
    TransactionState,
)

CT = "1.2.840.10008.5.1.4.1.1.2"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def study(store: LocalStore, tmp_path: Path) -> tuple[str, list[str]]:
    """A study of three CT instances in the store: (study UID, SOP instance UIDs)."""
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    uids = []
    for n in range(3):
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        path = tmp_path / f"ct{n}.dcm"
        ds.save_as(path, enforce_file_format=True)
        store.add_file(path)
        uids.append(str(ds.SOPInstanceUID))
    return str(ds.StudyInstanceUID), uids


def _state(store: LocalStore) -> tuple[CommitmentState, Clock]:
    clock = Clock()
    return CommitmentState(store.index, clock), clock


def _states(state: CommitmentState, study_uid: str) -> dict[str, StudyCommitState]:
    return {e.node_name: e.state for e in state.study_states([study_uid]).get(study_uid, [])}


def test_pending_then_committed(store, study):
    state, _ = _state(store)
    study_uid, uids = study
    t = state.create_pending("1.2.3", "pacs", "PACS", [CommitItem(CT, u) for u in uids], 60)
    assert t.state is TransactionState.PENDING
    assert state.items("1.2.3")[0]["study_uid"] == study_uid  # looked up in the index
    assert _states(state, study_uid) == {"pacs": StudyCommitState.PENDING}
    result = state.record_report("1.2.3", [(CT, u) for u in uids], [])
    assert (result.state, result.committed, result.failed) == (TransactionState.COMMITTED, 3, 0)
    assert result.study_uids == {study_uid}
    assert _states(state, study_uid) == {"pacs": StudyCommitState.COMMITTED}


def test_failures_and_omissions(store, study):
    state, _ = _state(store)
    study_uid, uids = study
    state.create_pending("1.2.3", "pacs", "PACS", [CommitItem(CT, u) for u in uids], 60)
    # one success, one failure with its reason, one the report leaves out
    result = state.record_report("1.2.3", [(CT, uids[0])], [(CT, uids[1], REASON_NO_SUCH_OBJECT)])
    assert (result.state, result.committed, result.failed) == (TransactionState.PARTLY, 1, 2)
    items = {i["sop_uid"]: (i["result"], i["failure_reason"]) for i in state.items("1.2.3")}
    assert items == {
        uids[0]: ("success", None),
        uids[1]: ("failed", REASON_NO_SUCH_OBJECT),
        uids[2]: ("failed", None),
    }
    assert "missing from the report" in state.transaction("1.2.3").note
    assert _states(state, study_uid) == {"pacs": StudyCommitState.PARTLY}


def test_all_failed_is_commit_failed(store, study):
    state, _ = _state(store)
    study_uid, uids = study
    state.create_pending("1.2.3", "pacs", "PACS", [CommitItem(CT, u) for u in uids], 60)
    result = state.record_report("1.2.3", [], [(CT, u, 0x0110) for u in uids])
    assert result.state is TransactionState.FAILED
    assert _states(state, study_uid) == {"pacs": StudyCommitState.FAILED}


def test_unknown_and_late_reports_are_refused(store, study):
    state, clock = _state(store)
    _study_uid, uids = study
    with pytest.raises(UnknownTransactionError):
        state.record_report("9.9.9", [(CT, uids[0])], [])
    state.create_pending("1.2.3", "pacs", "PACS", [CommitItem(CT, uids[0])], 60)
    state.record_report("1.2.3", [(CT, uids[0])], [])
    with pytest.raises(LateTransactionError):  # answered already
        state.record_report("1.2.3", [(CT, uids[0])], [])
    state.create_pending("1.2.4", "pacs", "PACS", [CommitItem(CT, uids[1])], 60)
    clock.now += 61
    with pytest.raises(LateTransactionError):  # past the deadline, not yet expired
        state.record_report("1.2.4", [(CT, uids[1])], [])
    assert state.transaction("1.2.4").state is TransactionState.FAILED


def test_deadline_reads_failed_and_expiry_makes_it_so(store, study):
    state, clock = _state(store)
    study_uid, uids = study
    state.create_pending("1.2.3", "pacs", "PACS", [CommitItem(CT, u) for u in uids], 60)
    assert state.expire_overdue() == []
    clock.now += 61
    assert _states(state, study_uid) == {"pacs": StudyCommitState.FAILED}  # before expiry
    assert state.transaction("1.2.3").state is TransactionState.PENDING
    assert state.expire_overdue() == ["1.2.3"]
    assert state.transaction("1.2.3").state is TransactionState.FAILED
    assert {i["result"] for i in state.items("1.2.3")} == {"failed"}
    assert state.expire_overdue() == []


def test_latest_transaction_per_instance_and_node_counts(store, study):
    state, clock = _state(store)
    study_uid, uids = study
    state.create_pending("1.1", "pacs", "PACS", [CommitItem(CT, u) for u in uids], 60)
    state.record_report("1.1", [], [(CT, u, 0x0110) for u in uids])
    clock.now += 1  # the user sent again: a new transaction
    state.create_pending("1.2", "pacs", "PACS", [CommitItem(CT, u) for u in uids], 60)
    state.record_report("1.2", [(CT, u) for u in uids], [])
    state.create_pending("2.1", "backup", "BACKUP", [CommitItem(CT, uids[0])], 60)
    assert _states(state, study_uid) == {
        "pacs": StudyCommitState.COMMITTED,
        "backup": StudyCommitState.PENDING,
    }
    (pacs,) = [e for e in state.study_states()[study_uid] if e.node_name == "pacs"]
    assert (pacs.committed, pacs.failed, pacs.instances) == (3, 0, 3)


def test_partly_committed_when_only_part_of_the_study_was_sent(store, study):
    state, _ = _state(store)
    study_uid, uids = study
    state.create_pending("1.2.3", "pacs", "PACS", [CommitItem(CT, uids[0])], 60)
    state.record_report("1.2.3", [(CT, uids[0])], [])
    assert _states(state, study_uid) == {"pacs": StudyCommitState.PARTLY}


def test_request_failure_marks_failed_once(store, study):
    state, _ = _state(store)
    _study_uid, uids = study
    state.create_pending("1.2.3", "pacs", "PACS", [CommitItem(CT, uids[0])], 60)
    assert state.mark_failed("1.2.3", "no association")
    assert not state.mark_failed("1.2.3", "again")
    t = state.transaction("1.2.3")
    assert t.state is TransactionState.FAILED and t.note == "no association"


def test_pending_survives_reopening_the_store(tmp_path, study, store):
    state, _ = _state(store)
    _study_uid, uids = study
    state.create_pending("1.2.3", "pacs", "PACS", [CommitItem(CT, uids[0])], 3600)
    with LocalStore(store.root, check_on_open=False) as again:
        assert [t.transaction_uid for t in CommitmentState(again.index).transactions(
            TransactionState.PENDING)] == ["1.2.3"]  # fmt: skip


def test_rebuilding_the_index_keeps_the_transactions(store, study):
    state, _ = _state(store)
    _study_uid, uids = study
    state.create_pending("1.2.3", "pacs", "PACS", [CommitItem(CT, uids[0])], 3600)
    store.rebuild_index()
    assert state.transaction("1.2.3") is not None


def test_empty_transaction_is_refused(store):
    state, _ = _state(store)
    with pytest.raises(ValueError):
        state.create_pending("1.2.3", "pacs", "PACS", [], 60)


def test_stored_classes(store, study):
    state, _ = _state(store)
    _study_uid, uids = study
    assert state.stored_classes([uids[0], "1.2.3.4"]) == {uids[0]: CT}


# -- the datasets on the wire ------------------------------------------------------------------
def test_request_round_trip():
    info = action_information("1.2.3", [(CT, "1.2.3.4"), (CT, "1.2.3.5")])
    request = parse_request(info)
    assert request.transaction_uid == "1.2.3"
    assert request.references == ((CT, "1.2.3.4"), (CT, "1.2.3.5"))


def test_report_round_trip_and_event_type():
    ok = CommitReport("1.2.3", ((CT, "1.2.3.4"),), ())
    assert ok.event_type == EVENT_ALL_SUCCESS
    bad = CommitReport("1.2.3", ((CT, "1.2.3.4"),), ((CT, "1.2.3.5", REASON_NO_SUCH_OBJECT),))
    assert bad.event_type == EVENT_FAILURES
    assert parse_report(event_information(bad)) == bad
    only_failures = CommitReport("1.2.3", (), ((CT, "1.2.3.5", REASON_NO_SUCH_OBJECT),))
    ds = event_information(only_failures)
    assert "ReferencedSOPSequence" not in ds
    assert parse_report(ds) == only_failures


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")
@pytest.mark.parametrize(
    "change",
    [
        lambda ds: delattr(ds, "TransactionUID"),
        lambda ds: setattr(ds, "TransactionUID", "abc"),
        lambda ds: setattr(ds, "ReferencedSOPSequence", []),
        lambda ds: delattr(ds.ReferencedSOPSequence[0], "ReferencedSOPInstanceUID"),
    ],
    ids=["no-transaction", "bad-transaction", "empty-sequence", "item-without-instance"],
)
def test_malformed_request_is_a_commitment_error(change):
    ds = action_information("1.2.3", [(CT, "1.2.3.4")])
    change(ds)
    with pytest.raises(CommitmentError):
        parse_request(ds)


def test_malformed_report_is_a_commitment_error():
    with pytest.raises(CommitmentError):
        parse_report(Dataset())
    ds = event_information(CommitReport("1.2.3", (), ((CT, "1.2.3.5", None),)))
    del ds.FailedSOPSequence[0].ReferencedSOPClassUID
    with pytest.raises(CommitmentError):
        parse_report(ds)
