"""Storage commitment state that must outlive the moment: a report our node owes a
requester survives a restart and is sent by a "commit-report" job; a request we made
whose report never comes is failed by its "commit-expiry" job (jobs panel and browser)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from workstation.jobs import JobQueue, JobState
from workstation.runtime import Runtime
from workstation.services import commit_expiry_job, commit_job, commit_report_job
from workstation.services.commit_job import request_once
from workstation.store.commitment_state import (
    CommitItem,
    CommitmentState,
    StudyCommitState,
    TransactionState,
)

from .commit_support import copies, load, node_entry, silent_provider, study_of, transaction_state
from .conftest import NODE_AET, RunningNode, find_free_port, node_settings, wait_for

pytestmark = pytest.mark.integration

ARCHIVE_AET = "ARCHIVE"
SILENT_AET = "SILENT"
WAIT_S = 30.0


def _jobs(queue: JobQueue, kind: str):
    return [j for j in queue.list() if j.kind == kind]


def _job_ends(queue: JobQueue, job_id: int) -> bool:
    job = queue.get(job_id)
    return job is not None and job.state.is_final


def _archive_and_ws(tmp_path: Path, start_node: Callable[..., RunningNode], count: int):
    """Our requester node (running, with ``count`` instances) and the provider's
    settings; (ws, archive settings, files, references, ws commitment state)."""
    ws_port = find_free_port()
    archive_port = find_free_port()
    while archive_port == ws_port:
        archive_port = find_free_port()
    ws = start_node(port=ws_port, commit_timeout_s=600,
                    remote_nodes=(node_entry("archive", ARCHIVE_AET, archive_port),))  # fmt: skip
    archive = node_settings(tmp_path / "archive", ae_title=ARCHIVE_AET, port=archive_port,
                            remote_nodes=(node_entry("ws", NODE_AET, ws_port),))  # fmt: skip
    files = copies(tmp_path / "in", count)
    load(ws.store, files)
    refs = [(cls, uid) for _p, cls, uid in files]
    return ws, archive, files, refs, CommitmentState(ws.store.index)


def test_report_owed_when_the_requester_left_is_sent_after_a_restart(tmp_path, start_node):
    ws, archive_settings, files, refs, ws_state = _archive_and_ws(tmp_path, start_node, 2)

    archive = Runtime(archive_settings)
    try:
        load(archive.store, files)
        archive.start_node()  # no job thread: the report can only wait in the queue
        outcome = request_once(ws.settings, ws_state, ws.settings.find_node("archive"), refs,
                               wait_s=0)  # fmt: skip
        uid = outcome.transaction.transaction_uid
        assert wait_for(lambda: _jobs(archive.queue, commit_report_job.KIND), WAIT_S)
        assert [o.transaction_uid for o in archive.node.commitment.state.owed()] == [uid]
    finally:
        archive.stop()
    assert transaction_state(ws_state, uid) == "pending"

    restarted = Runtime(archive_settings)  # the program starts again on the same store
    try:
        restarted.start()
        [job] = _jobs(restarted.queue, commit_report_job.KIND)  # the queued one, not a second
        assert wait_for(lambda: _job_ends(restarted.queue, job.id), WAIT_S)
        done = restarted.queue.get(job.id)
        assert done.state is JobState.SUCCEEDED, done.last_error
        assert done.result == f"commitment {uid} reported to ws: 2 committed, 0 failed"
        assert restarted.node.commitment.state.owed() == []
    finally:
        restarted.stop()
    assert transaction_state(ws_state, uid) == "committed"


def test_report_owed_without_a_job_is_queued_at_start(tmp_path, start_node):
    """A crash between the N-ACTION and the report: only the owed row is left."""
    ws, archive_settings, files, refs, ws_state = _archive_and_ws(tmp_path, start_node, 1)
    uid = "1.2.826.0.1.3680043.10.1399.7"
    ws_state.create_pending(uid, "archive", ARCHIVE_AET, [CommitItem(*refs[0])], 600)

    rt = Runtime(archive_settings)
    try:
        load(rt.store, files)
        CommitmentState(rt.store.index).owe(uid, NODE_AET, refs)
        rt.start()
        assert wait_for(lambda: transaction_state(ws_state, uid) == "committed", WAIT_S)
        [job] = _jobs(rt.queue, commit_report_job.KIND)
        assert wait_for(lambda: _job_ends(rt.queue, job.id), WAIT_S)
        assert rt.queue.get(job.id).state is JobState.SUCCEEDED
        assert rt.node.commitment.state.owed() == []
    finally:
        rt.stop()


def test_unanswered_request_is_failed_by_its_expiry_job(tmp_path):
    silent_port = find_free_port()
    settings = node_settings(tmp_path / "ws", commit_timeout_s=1.0,
                             commit_wait_same_association_s=0.2,
                             remote_nodes=(node_entry("silent", SILENT_AET, silent_port),))  # fmt: skip
    files = copies(tmp_path / "in", 2)
    refs = [(cls, uid) for _p, cls, uid in files]
    rt = Runtime(settings)
    try:
        load(rt.store, files)
        with silent_provider(SILENT_AET, silent_port):
            rt.start(node=False)
            commit_id = rt.submit(commit_job.KIND,
                                  commit_job.commit_params(settings.find_node("silent"), refs))  # fmt: skip
            assert wait_for(lambda: _job_ends(rt.queue, commit_id), WAIT_S)
        assert rt.queue.get(commit_id).state is JobState.SUCCEEDED
        [expiry] = _jobs(rt.queue, commit_expiry_job.KIND)
        assert wait_for(lambda: _job_ends(rt.queue, expiry.id), WAIT_S)
        ended = rt.queue.get(expiry.id)
        [t] = CommitmentState(rt.store.index).transactions()
        assert t.state is TransactionState.FAILED
        assert ended.state is JobState.FAILED
        assert ended.last_error == (f"commitment {t.transaction_uid} at silent: commit failed "
                                    "(no commitment report before the deadline)")  # fmt: skip
        study = study_of(files[0][0])
        [entry] = CommitmentState(rt.store.index).study_states([study])[study]
        assert entry.state is StudyCommitState.FAILED
        assert [j for j in rt.queue.list() if not j.state.is_final] == []
    finally:
        rt.stop()
