"""Send bookkeeping without a network: the selection of UIDs, the send state per study and
node, the send job's parameters and refusals, and the job queue's per-job retry delay."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from workstation.config import Settings
from workstation.config.settings import make_node
from workstation.jobs import CancelToken, JobQueue, JobRunner, JobState, RetryableJobError
from workstation.services.send_job import KIND, send_handler, send_params, submit_send
from workstation.store import LocalStore
from workstation.store.selection import select_instances
from workstation.store.send_state import (
    SendOutcome,
    SendRecord,
    SendState,
    StudySendState,
)

NODE = make_node(name="pacs", ae_title="PACS", host="127.0.0.1", port=104)
OTHER = make_node(name="archive", ae_title="ARCHIVE", host="127.0.0.1", port=105)


@pytest.fixture
def studies(store: LocalStore, tmp_path: Path) -> list[tuple[str, str, list[str]]]:
    """Two studies of one series each, with 3 and 2 CT instances: (study, series, SOP UIDs)."""
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    made = []
    for count in (3, 2):
        ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
        uids = []
        for n in range(count):
            ds.SOPInstanceUID = generate_uid()
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.InstanceNumber = count - n  # stored in reverse order of their numbers
            path = tmp_path / f"{ds.SOPInstanceUID}.dcm"
            ds.save_as(path, enforce_file_format=True)
            store.add_file(path)
            uids.append(str(ds.SOPInstanceUID))
        made.append((str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID), uids[::-1]))
    return made


def test_uids_of_any_level_select_stored_instances(store: LocalStore, studies) -> None:
    (study_a, _series_a, sops_a), (_study_b, series_b, sops_b) = studies
    selection = select_instances(store, [study_a, series_b, sops_b[0], "1.2.3.404"])
    assert len(selection.instances) == 5
    assert {i.sop_uid for i in selection.instances} == set(sops_a) | set(sops_b)
    by_study = [i.sop_uid for i in selection.instances if i.study_uid == study_a]
    assert by_study == sops_a  # in instance number order
    assert selection.unknown == ("1.2.3.404",)
    first = selection.instances[0]
    assert first.path.is_file() and first.size == first.path.stat().st_size
    assert first.transfer_syntax == "1.2.840.10008.1.2.1"
    assert selection.total_bytes == sum(i.size for i in selection.instances)


def record(sop: str, study: str, outcome: SendOutcome) -> SendRecord:
    return SendRecord(sop, "1.2.840.10008.5.1.4.1.1.2", study, "1.2.9", outcome, 0)


def test_study_states_per_node(store: LocalStore, studies) -> None:
    (study_a, _, sops_a), (study_b, _, sops_b) = studies
    state = SendState(store.index)
    state.record(
        "job1", NODE.name, NODE.ae_title, [record(s, study_a, SendOutcome.STORED) for s in sops_a]
    )
    state.record("job1", NODE.name, NODE.ae_title, [
        record(sops_b[0], study_b, SendOutcome.DUPLICATE),
        record(sops_b[1], study_b, SendOutcome.FAILED),
    ])  # fmt: skip
    state.record(
        "job2", OTHER.name, OTHER.ae_title, [record(sops_a[0], study_a, SendOutcome.REFUSED)]
    )
    states = state.study_states()
    a = {s.node_name: s for s in states[study_a]}
    assert a["pacs"].state is StudySendState.SENT and a["pacs"].on_peer == 3
    assert a["archive"].state is StudySendState.FAILED and a["archive"].failed == 1
    (b,) = states[study_b]
    assert b.state is StudySendState.PARTLY and (b.on_peer, b.failed, b.instances) == (1, 1, 2)
    assert state.study_states([study_b]).keys() == {study_b}
    assert state.study_states([]) == {}
    # a later job sending the failed one again makes the study sent
    state.record(
        "job3", NODE.name, NODE.ae_title, [record(sops_b[1], study_b, SendOutcome.WARNING)]
    )
    (b,) = state.study_states([study_b])[study_b]
    assert b.state is StudySendState.SENT
    assert state.on_peer_in_batch("job1") == set(sops_a) | {sops_b[0]}
    assert [r.outcome for r in state.batch_records("job3")] == [SendOutcome.WARNING]


def test_a_partly_sent_study_is_partly_sent(store: LocalStore, studies) -> None:
    (study_a, _, sops_a), _ = studies
    state = SendState(store.index)
    state.record("job", NODE.name, NODE.ae_title, [record(sops_a[0], study_a, SendOutcome.STORED)])
    (a,) = state.study_states([study_a])[study_a]
    assert a.state is StudySendState.PARTLY and a.instances == 3


def test_send_params_one_job_per_destination(tmp_path: Path) -> None:
    with JobQueue(tmp_path / "jobs.sqlite") as queue:
        ids = submit_send(
            queue, Settings(data_dir=tmp_path, send_retries=5), [NODE, OTHER], ["1.2.3"]
        )
        jobs = [queue.get(i) for i in ids]
    assert [j.kind for j in jobs] == [KIND, KIND]
    assert [j.params["node"]["name"] for j in jobs] == ["pacs", "archive"]
    assert all(j.max_attempts == 5 and j.params["uids"] == ["1.2.3"] for j in jobs)
    assert jobs[0].params["send_id"] != jobs[1].params["send_id"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"node": {"name": "x"}, "uids": ["1.2"], "send_id": "a"},
        {"node": NODE.model_dump(mode="json"), "uids": [], "send_id": "a"},
        {"node": NODE.model_dump(mode="json"), "uids": ["1.2"]},
    ],
)
def test_malformed_send_params_fail_for_good(store: LocalStore, tmp_path: Path, params) -> None:
    with JobQueue(tmp_path / "jobs.sqlite") as queue:
        job_id = queue.submit(KIND, params)
        runner = JobRunner(queue, {KIND: send_handler(store, lambda: Settings(data_dir=tmp_path))})
        assert runner.run_once()
        job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1


def test_uids_not_in_the_store_fail_the_send_for_good(store: LocalStore, tmp_path: Path) -> None:
    with JobQueue(tmp_path / "jobs.sqlite") as queue:
        job_id = queue.submit(KIND, send_params(NODE, ["1.2.3.404"]), max_attempts=3)
        runner = JobRunner(queue, {KIND: send_handler(store, lambda: Settings(data_dir=tmp_path))})
        assert runner.run_once()
        job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1
    assert "not in the local store" in job.last_error and "1.2.3.404" in job.last_error


def test_a_retryable_error_waits_its_own_delay_doubled(tmp_path: Path) -> None:
    now = [1000.0]
    with JobQueue(tmp_path / "jobs.sqlite", clock=lambda: now[0], backoff_base_s=5) as queue:

        def flaky(params, progress, cancel: CancelToken, log) -> str:
            raise RetryableJobError("peer gone", retry_delay_s=0.5)

        runner = JobRunner(queue, {"x": flaky}, clock=lambda: now[0])
        job_id = queue.submit("x", {}, max_attempts=3)
        assert runner.run_once()
        assert queue.get(job_id).next_attempt_at == pytest.approx(1000.5)
        now[0] = 1000.5
        assert runner.run_once()
        job = queue.get(job_id)
        assert job.state is JobState.QUEUED and job.next_attempt_at == pytest.approx(1001.5)
        now[0] = 1001.5
        assert runner.run_once()
        job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 3 and job.last_error == "peer gone"
