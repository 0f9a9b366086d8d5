"""Storage commitment between two of our nodes, and against raw pynetdicom peers for the
cases no installed tool produces: a provider that never reports, a report for a
transaction nobody asked about, a refused request. Orthanc: test_commitment_orthanc.py.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from workstation.errors import CommitmentRequestError
from workstation.jobs import JobQueue, JobRunner, JobState
from workstation.net.commitment import (
    INVALID_ARGUMENT,
    NO_SUCH_ACTION,
    PROCESSING_FAILURE,
    REASON_CLASS_INSTANCE_CONFLICT,
    REASON_NO_SUCH_OBJECT,
    CommitReport,
    action_information,
)
from workstation.net.scp.node import NodeEventKind, StorageNode
from workstation.services.commit_job import KIND, commit_handler, commit_params, request_once
from workstation.services.commit_wait import commit_and_wait
from workstation.store import LocalStore
from workstation.store.commitment_state import (
    CommitmentState,
    StudyCommitState,
    TransactionState,
)

from .commit_support import (
    RawRequester,
    copies,
    load,
    node_entry,
    report_refs,
    send_report,
    silent_provider,
    study_of,
    transaction_state,
)
from .conftest import NODE_AET, RunningNode, find_free_port, wait_for

ARCHIVE_AET = "ARCHIVE"
SILENT_AET = "SILENT"
RAW_AET = "RAWREQ"
WAIT_S = 30.0
CT_CLASS = "1.2.840.10008.5.1.4.1.1.2"


@dataclass
class Pair:
    ws: RunningNode  # the requester's node (SCU role), AE WS_TEST
    archive: RunningNode  # the provider (SCP role), AE ARCHIVE
    silent_port: int

    @property
    def archive_node(self):
        return self.ws.settings.find_node("archive")

    def state(self) -> CommitmentState:
        return CommitmentState(self.ws.store.index)


def _ports(n: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < n:
        p = find_free_port()
        if p not in ports:
            ports.append(p)
    return ports


@pytest.fixture
def pair(start_node: Callable[..., RunningNode]) -> Pair:
    ws_port, archive_port, silent_port, raw_port = _ports(4)
    ws = start_node(
        port=ws_port,
        commit_timeout_s=600,
        remote_nodes=(
            node_entry("archive", ARCHIVE_AET, archive_port),
            node_entry("silent", SILENT_AET, silent_port),
        ),
    )
    archive = start_node(
        ae_title=ARCHIVE_AET,
        port=archive_port,
        remote_nodes=(
            node_entry("ws", NODE_AET, ws_port),
            node_entry("raw", RAW_AET, raw_port),
        ),
    )
    return Pair(ws, archive, silent_port)


def _refs(files: list[tuple[Path, str, str]]) -> list[tuple[str, str]]:
    return [(cls, uid) for _p, cls, uid in files]


def _study_state(pair: Pair, study: str, node: str = "archive") -> StudyCommitState | None:
    for entry in pair.state().study_states([study]).get(study, []):
        if entry.node_name == node:
            return entry.state
    return None


# -- our SCU against our SCP ---------------------------------------------------------------
def test_report_on_the_same_association_when_the_requester_waits(pair: Pair, tmp_path: Path):
    files = copies(tmp_path / "in", 3)
    load(pair.ws.store, files)
    load(pair.archive.store, files)
    outcome = request_once(pair.ws.settings, pair.state(), pair.archive_node, _refs(files),
                           wait_s=WAIT_S)  # fmt: skip
    assert outcome.request.accepted and outcome.request.reported
    assert outcome.request.report_status == 0x0000
    assert outcome.transaction.state is TransactionState.COMMITTED
    assert _study_state(pair, study_of(files[0][0])) is StudyCommitState.COMMITTED
    assert wait_for(lambda: pair.archive.node.commitment.reporters_running == 0, WAIT_S)


def test_report_on_a_new_association_when_the_requester_left(pair: Pair, tmp_path: Path):
    files = copies(tmp_path / "in", 2)
    load(pair.ws.store, files)
    load(pair.archive.store, files)
    state = pair.state()
    outcome = request_once(pair.ws.settings, state, pair.archive_node, _refs(files), wait_s=0)
    assert outcome.request.accepted and not outcome.request.reported
    uid = outcome.transaction.transaction_uid
    assert wait_for(lambda: transaction_state(state, uid) == "committed", WAIT_S)
    assert all(item["result"] == "success" for item in state.items(uid))
    study = study_of(files[0][0])
    assert _study_state(pair, study) is StudyCommitState.COMMITTED
    assert wait_for(
        lambda: any(e.kind is NodeEventKind.COMMITMENT and e.study_uid == study
                    for e in pair.ws.events), WAIT_S)  # fmt: skip
    assert wait_for(lambda: pair.archive.node.commitment.reporters_running == 0, WAIT_S)


def test_missing_and_mismatched_instances_fail_with_their_reasons(pair: Pair, tmp_path: Path):
    files = copies(tmp_path / "in", 3)
    load(pair.ws.store, files)
    load(pair.archive.store, files[:2])  # the third never reached the archive
    refs = _refs(files)
    refs[1] = ("1.2.840.10008.5.1.4.1.1.4", refs[1][1])  # MR class for a stored CT
    outcome = request_once(pair.ws.settings, pair.state(), pair.archive_node, refs,
                           wait_s=WAIT_S)  # fmt: skip
    assert outcome.transaction.state is TransactionState.PARTLY
    reasons = {i["sop_uid"]: i["failure_reason"] for i in pair.state().items(
        outcome.transaction.transaction_uid)}  # fmt: skip
    assert reasons == {
        files[0][2]: None,
        files[1][2]: REASON_CLASS_INSTANCE_CONFLICT,
        files[2][2]: REASON_NO_SUCH_OBJECT,
    }
    assert _study_state(pair, study_of(files[0][0])) is StudyCommitState.PARTLY


def test_nothing_committed_is_commit_failed(pair: Pair, tmp_path: Path):
    files = copies(tmp_path / "in", 2)
    load(pair.ws.store, files)  # the archive has none of them
    outcome = request_once(pair.ws.settings, pair.state(), pair.archive_node, _refs(files),
                           wait_s=WAIT_S)  # fmt: skip
    assert outcome.transaction.state is TransactionState.FAILED
    assert _study_state(pair, study_of(files[0][0])) is StudyCommitState.FAILED


def test_part_of_a_study_committed_is_partly_committed(pair: Pair, tmp_path: Path):
    files = copies(tmp_path / "in", 3)
    load(pair.ws.store, files)
    load(pair.archive.store, files)
    outcome = request_once(pair.ws.settings, pair.state(), pair.archive_node,
                           _refs(files[:2]), wait_s=WAIT_S)  # fmt: skip
    assert outcome.transaction.state is TransactionState.COMMITTED
    # two of the study's three local instances are committed: the study is not safe yet
    assert _study_state(pair, study_of(files[0][0])) is StudyCommitState.PARTLY


# -- reports nobody waits for --------------------------------------------------------------
def test_report_for_an_unknown_transaction_is_answered_processing_failure(pair: Pair):
    report = CommitReport(generate_uid(), ((CT_CLASS, generate_uid()),), ())
    status = send_report(ARCHIVE_AET, pair.ws.port, NODE_AET, report)
    assert status == PROCESSING_FAILURE
    assert pair.state().transaction(report.transaction_uid) is None
    assert not [e for e in pair.ws.events if e.kind is NodeEventKind.COMMITMENT]


def test_report_that_never_comes_is_commit_failed_after_the_timeout(
    pair: Pair, tmp_path: Path
) -> None:
    files = copies(tmp_path / "in", 2)
    load(pair.ws.store, files)
    settings = pair.ws.settings.updated(commit_timeout_s=1.0)
    state = pair.state()
    with silent_provider(SILENT_AET, pair.silent_port) as actions:
        outcome = request_once(settings, state, settings.find_node("silent"), _refs(files), wait_s=0.2)
    assert len(actions) == 1 and str(actions[0].TransactionUID) == outcome.transaction.transaction_uid
    assert outcome.transaction.state is TransactionState.PENDING
    study = study_of(files[0][0])
    assert _study_state(pair, study, "silent") is StudyCommitState.PENDING
    # past the deadline the browser reads commit failed, before any expiry ran ...
    assert wait_for(lambda: _study_state(pair, study, "silent") is StudyCommitState.FAILED, WAIT_S)
    # ... and the expiry makes it so in the database
    uid = outcome.transaction.transaction_uid
    assert state.expire_overdue() == [uid]
    t = state.transaction(uid)
    assert t is not None and t.state is TransactionState.FAILED and "deadline" in t.note
    # the report that finally comes is late: processing failure, nothing changes
    late = CommitReport(uid, tuple(_refs_cls(files)), ())
    assert send_report(SILENT_AET, pair.ws.port, NODE_AET, late) == PROCESSING_FAILURE
    assert transaction_state(state, uid) == "failed"


def _refs_cls(files: list[tuple[Path, str, str]]) -> list[tuple[str, str]]:
    return [(cls, uid) for _p, cls, uid in files]


def test_pending_transaction_survives_a_restart(pair: Pair, tmp_path: Path) -> None:
    files = copies(tmp_path / "in", 1)
    load(pair.ws.store, files)
    with silent_provider(SILENT_AET, pair.silent_port):
        outcome = request_once(pair.ws.settings, pair.state(), pair.ws.settings.find_node("silent"),
                               _refs(files), wait_s=0)  # fmt: skip
    uid = outcome.transaction.transaction_uid
    pair.ws.node.stop()
    pair.ws.store.close()
    # the program starts again on the same store
    store = LocalStore(pair.ws.settings.storage.data_dir, min_free_space_mb=0)
    node = StorageNode(pair.ws.settings, store)
    try:
        node.start()
        state = CommitmentState(store.index)
        assert transaction_state(state, uid) == "pending"
        report = CommitReport(uid, tuple(_refs(files)), ())
        assert send_report(SILENT_AET, node.address[1], NODE_AET, report) == 0x0000
        assert transaction_state(state, uid) == "committed"
    finally:
        node.stop()
        store.close()


# -- the request does not get through ------------------------------------------------------
def test_refused_request_fails_the_job_for_good(pair: Pair, tmp_path: Path):
    files = copies(tmp_path / "in", 1)
    load(pair.ws.store, files)
    node = pair.ws.settings.find_node("silent")
    queue = JobQueue(tmp_path / "jobs.sqlite")
    try:
        runner = JobRunner(queue, {KIND: commit_handler(pair.ws.store, lambda: pair.ws.settings)})
        job_id = queue.submit(KIND, commit_params(node, _refs(files)))
        with silent_provider(SILENT_AET, pair.silent_port, status=0x0213):
            assert runner.run_once()
        job = queue.get(job_id)
        assert job is not None and job.state is JobState.FAILED
        assert "0x0213" in (job.last_error or "")
        assert job.attempts == 1  # permanent: no retry
        (t,) = pair.state().transactions()
        assert t.state is TransactionState.FAILED and "0x0213" in t.note
    finally:
        queue.close()


def test_unreachable_peer_is_retried_and_leaves_no_pending_transaction(
    pair: Pair, tmp_path: Path
) -> None:
    files = copies(tmp_path / "in", 1)
    load(pair.ws.store, files)
    node = pair.ws.settings.find_node("silent")  # nothing listens on its port
    with pytest.raises(CommitmentRequestError) as err:
        request_once(pair.ws.settings, pair.state(), node, _refs(files), wait_s=0)
    assert not err.value.values["permanent"]
    (t,) = pair.state().transactions()
    assert t.state is TransactionState.FAILED
    queue = JobQueue(tmp_path / "jobs.sqlite", backoff_base_s=0.01)
    try:
        runner = JobRunner(queue, {KIND: commit_handler(pair.ws.store, lambda: pair.ws.settings)})
        job_id = queue.submit(KIND, commit_params(node, _refs(files)))
        assert runner.run_once()
        job = queue.get(job_id)
        assert job is not None and job.state is JobState.QUEUED and job.attempts == 1
    finally:
        queue.close()


# -- our SCP against a raw requester: input checks and the same association ---------------
def test_raw_requester_gets_the_report_on_its_association(pair: Pair, tmp_path: Path):
    files = copies(tmp_path / "in", 2)
    load(pair.archive.store, files[:1])
    requester = RawRequester(RAW_AET)
    uid = generate_uid()
    status = requester.request(pair.archive.port, ARCHIVE_AET, action_information(uid, _refs(files)))
    assert status == 0x0000
    ((event_type, info),) = requester.reports
    assert event_type == 2 and str(info.TransactionUID) == uid
    ok, bad = report_refs(info)
    assert ok == {files[0][2]} and bad == {files[1][2]: REASON_NO_SUCH_OBJECT}
    assert wait_for(lambda: pair.archive.node.commitment.reporters_running == 0, WAIT_S)


def _without_transaction_uid() -> Dataset:
    ds = action_information("1.2.3", [(CT_CLASS, "1.2.3.4")])
    del ds.TransactionUID
    return ds


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")
@pytest.mark.parametrize(
    ("action_type", "info", "expected"),
    [
        (2, lambda: action_information("1.2.3", [(CT_CLASS, "1.2.3.4")]), NO_SUCH_ACTION),
        (1, lambda: action_information("1.2.3", []), INVALID_ARGUMENT),
        (1, _without_transaction_uid, INVALID_ARGUMENT),
        (1, lambda: action_information("not a uid", [(CT_CLASS, "1.2.3.4")]), INVALID_ARGUMENT),
    ],
    ids=["action-type-2", "empty-sequence", "no-transaction-uid", "bad-transaction-uid"],
)
def test_bad_requests_are_refused_without_a_report(pair: Pair, action_type, info, expected):
    requester = RawRequester(RAW_AET)
    status = requester.request(pair.archive.port, ARCHIVE_AET, info(), action_type=action_type)
    assert status == expected
    assert requester.reports == []
    assert pair.archive.node.commitment.reporters_running == 0


# -- the command line's wait (workstation send --commit) -----------------------------------
def test_commit_and_wait_starts_our_node_for_a_report_on_a_new_association(
    pair: Pair, tmp_path: Path
) -> None:
    files = copies(tmp_path / "in", 2)
    load(pair.ws.store, files)
    load(pair.archive.store, files)
    port = pair.ws.port
    pair.ws.node.stop()  # nothing listens on our port: the wait starts the node there
    settings = pair.ws.settings.updated(commit_wait_same_association_s=0)
    lines: list[str] = []
    summary = commit_and_wait(settings, pair.ws.store, pair.archive_node, _refs(files),
                              port=port, timeout_s=WAIT_S, say=lines.append)  # fmt: skip
    assert summary.ok, summary.line()
    assert (summary.committed, summary.failed) == (2, 0)
    assert "committed at archive: 2 committed, 0 failed" in summary.line()
    assert lines and "commitment requested" in lines[0]


def test_commit_and_wait_ends_commit_failed_when_no_report_comes(
    pair: Pair, tmp_path: Path
) -> None:
    files = copies(tmp_path / "in", 1)
    load(pair.ws.store, files)
    with silent_provider(SILENT_AET, pair.silent_port):
        summary = commit_and_wait(pair.ws.settings.updated(commit_wait_same_association_s=0),
                                  pair.ws.store, pair.ws.settings.find_node("silent"), _refs(files),
                                  port=pair.ws.port, timeout_s=1.0)  # fmt: skip
    assert not summary.ok
    assert summary.transaction is not None
    assert summary.transaction.state is TransactionState.FAILED
    assert (summary.committed, summary.failed) == (0, 1)
    assert "deadline" in summary.line()


def test_command_line_send_with_commit_fails_when_no_report_comes(
    pair: Pair, tmp_path: Path
) -> None:
    """The peer stores and accepts the N-ACTION but never reports: commit failed, exit 1."""
    files = copies(tmp_path / "in", 1)
    data = tmp_path / "data"
    with LocalStore(data, min_free_space_mb=0) as store:
        load(store, files)
    port = find_free_port()
    cmd = [
        sys.executable, "-m", "workstation", "--config", str(tmp_path / "settings.json"),
        "send", "--data-dir", str(data), "--aet", NODE_AET, "--bind", "127.0.0.1",
        "--port", str(port), "--to", f"{SILENT_AET}@127.0.0.1:{pair.silent_port}",
        "--commit", "--commit-timeout", "1", study_of(files[0][0]),
    ]  # fmt: skip
    with silent_provider(SILENT_AET, pair.silent_port, storage=True) as actions:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "sent 1" in done.stdout
    assert "commitment failed at" in done.stdout and "deadline" in done.stdout
    assert len(actions) == 1
