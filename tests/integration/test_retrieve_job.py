"""The "retrieve" job on the persistent queue against dcmqrscp: progress from the
sub-operation counts, cancel, and which failures are retried and which are permanent."""

from __future__ import annotations

import threading
from pathlib import Path

import pydicom
import pytest

from workstation.config import parse_node_spec
from workstation.jobs import JobQueue, JobRunner, JobState
from workstation.services.retrieve_job import KIND, retrieve_handler, retrieve_params

from .conftest import LOOPBACK, NODE_AET, ct_small
from .qr_scu_support import QRSCP_AET, ct_copies, start_qrscp

pytestmark = pytest.mark.integration

COPIES = 30
STUDY = str(pydicom.dcmread(ct_small(), stop_before_pixels=True).StudyInstanceUID)


@pytest.fixture
def node(start_node):
    return start_node(remote_nodes=(parse_node_spec(f"qrscp={QRSCP_AET}@{LOOPBACK}:104"),))


@pytest.fixture
def qrscp(tmp_path: Path, node):
    files = [ct_small(), *ct_copies(tmp_path / "copies", COPIES)]
    scp = start_qrscp(tmp_path / "qrscp", files, {"ws": (NODE_AET, node.port)}, peers="ws")
    try:
        yield scp
    finally:
        scp.stop()


@pytest.fixture
def queue(tmp_path: Path):
    q = JobQueue(tmp_path / "jobs.sqlite")
    yield q
    q.close()


def runner_for(queue, node, listening=lambda: True, events=None):
    handler = retrieve_handler(lambda: node.settings, node.store, node_listening=listening,
                               on_event=events.append if events is not None else None)  # fmt: skip
    return JobRunner(queue, {KIND: handler}, progress_interval_s=0)


def spec(scp, aet: str | None = None) -> str:
    return f"{aet or scp.aet}@{LOOPBACK}:{scp.port}"


@pytest.mark.parametrize("method", ["move", "get"])
def test_retrieve_job_succeeds_with_progress(queue, node, qrscp, method) -> None:
    events: list = []
    job_id = queue.submit(KIND, retrieve_params(spec(qrscp), method, "STUDY", study_uids=[STUDY]))
    assert runner_for(queue, node, events=events).run_once()
    job = queue.get(job_id)
    assert job.state is JobState.SUCCEEDED, (job.last_error, job.log)
    assert (job.done, job.total) == (COPIES + 1, COPIES + 1)
    assert f"{COPIES + 1} completed, 0 failed" in job.result
    assert node.store.index.count("instance") == COPIES + 1
    # C-GET instances are announced like the node's own arrivals (the browser refreshes)
    assert len(events) == (COPIES + 1 if method == "get" else 0)


def test_refused_association_fails_for_good(queue, node, qrscp) -> None:
    params = retrieve_params(spec(qrscp), "move", "STUDY", study_uids=[STUDY], calling_ae="STRANGER")
    job_id = queue.submit(KIND, params, max_attempts=3)
    assert runner_for(queue, node).run_once()
    job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1
    assert "rejected" in job.last_error.lower()


def test_unknown_move_destination_fails_for_good(queue, node, qrscp) -> None:
    params = retrieve_params(spec(qrscp), "move", "STUDY", study_uids=[STUDY], destination="NOWHERE")
    job_id = queue.submit(KIND, params, max_attempts=3)
    assert runner_for(queue, node).run_once()
    job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1
    assert "NOWHERE" in job.last_error and "A801" in job.last_error


def test_move_while_our_node_is_down_is_retried(queue, node, qrscp) -> None:
    job_id = queue.submit(KIND, retrieve_params(spec(qrscp), "move", "STUDY", study_uids=[STUDY]))
    assert runner_for(queue, node, listening=lambda: False).run_once()
    job = queue.get(job_id)
    assert job.state is JobState.QUEUED and job.attempts == 1  # another attempt later
    assert "not listening" in job.last_error
    assert node.store.index.count("instance") == 0


def test_bad_params_fail_for_good(queue, node) -> None:
    job_id = queue.submit(KIND, {"node": "X@127.0.0.1:1", "method": "move", "level": "SERIES",
                                 "study_uids": [STUDY]})  # fmt: skip
    assert runner_for(queue, node).run_once()
    job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1
    assert "SeriesInstanceUID" in job.last_error


def test_cancel_a_running_move_job(queue, node, qrscp) -> None:
    job_id = queue.submit(KIND, retrieve_params(spec(qrscp), "move", "STUDY", study_uids=[STUDY]))
    runner = runner_for(queue, node)
    cancelled = threading.Event()

    def watch(changed_ids) -> None:
        job = queue.get(job_id)
        if job is not None and job.done >= 3 and not cancelled.is_set():
            cancelled.set()
            queue.cancel(job_id)  # as the job panel's Cancel button does

    queue.add_listener(watch)
    assert runner.run_once()
    job = queue.get(job_id)
    assert job.state is JobState.CANCELLED, (job.last_error, job.log)
    assert 3 <= job.done < COPIES + 1
    log = "\n".join(job.log)
    assert "cancelled" in log and f"{job.done} completed" in log
    assert node.store.index.count("instance") == job.done


def test_failed_sub_operations_are_retried(queue, node, tmp_path: Path) -> None:
    """dcmqrscp without JPEG 2000 in its accepted syntaxes cannot send the JPEG 2000 MR
    by C-GET at all: the job reports 1 of 2 not retrieved and is queued for another try
    (the CT it got stays stored; another attempt finds it a duplicate)."""
    from conftest import sample_roots

    scp = start_qrscp(tmp_path / "plain", [ct_small(), sample_roots()[1] / "MR2_J2KR.dcm"], {})
    try:
        mr = pydicom.dcmread(scp.files[1], stop_before_pixels=True)
        job_id = queue.submit(KIND, retrieve_params(spec(scp), "get", "STUDY",
                                                    study_uids=[STUDY, str(mr.StudyInstanceUID)]))  # fmt: skip
        assert runner_for(queue, node).run_once()
    finally:
        scp.stop()
    job = queue.get(job_id)
    assert job.state is JobState.QUEUED and job.attempts == 1, (job.state, job.last_error)
    assert job.last_error == f"1 of 2 instances were not retrieved from {LOOPBACK}:{scp.port}"
    assert any(line.endswith(f"failed: {mr.SOPInstanceUID}") for line in job.log)
    assert node.store.index.count("instance") == 1
