"""How a send ends when the peer does not simply store: the job's retries, its final state,
the send state and the log.

Real peers where one produces the case: our own ``workstation serve`` killed by pid in
the middle of a send (then restarted), our node refusing an unknown calling AE, and our
node answering A700 while its free space is below its threshold. Answers 0111
(duplicate) and B000 (warning) on chosen instances, and a response that never comes,
are what no peer here does on demand: a raw pynetdicom Storage SCP started by the test
(loopback, shut down by the test) gives them.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import CTImageStorage

from workstation.config.settings import RemoteNode, make_node
from workstation.errors import AssociationRejectedError, NetworkTimeoutError
from workstation.jobs import CancelToken, JobQueue, JobRunner, JobState, PermanentJobError
from workstation.net.scu.store import send_instances
from workstation.services.send_job import KIND, send_handler, send_params
from workstation.store import LocalStore
from workstation.store.send_state import SendOutcome, SendState

from .conftest import LOOPBACK, NODE_AET, RunningNode, find_free_port, wait_for
from .send_support import ct_series, same_bytes, sender_settings

pytestmark = pytest.mark.integration

RAW_AET = "RAW_STORE"


@pytest.fixture
def ours(tmp_path: Path):
    settings = sender_settings(tmp_path / "ours")
    store = LocalStore(settings.storage.data_dir, min_free_space_mb=0)
    yield settings, store
    store.close()


def node_of(running: RunningNode) -> RemoteNode:
    return make_node(name="node", ae_title=NODE_AET, host=running.host, port=running.port)


def test_peer_killed_mid_send_the_job_retries_and_every_instance_arrives_once(
    ours, start_serve, tmp_path: Path
) -> None:
    settings, store = ours
    items = ct_series(store, tmp_path / "src", 120)
    peer_dir, port = tmp_path / "peer", find_free_port()
    serve = start_serve(peer_dir, port, tmp_path / "serve1.log", "--allow-any-caller")
    node = make_node(name="peer", ae_title=NODE_AET, host=LOOPBACK, port=port)
    params = send_params(node, [items[0].study_uid])
    state = SendState(store.index)
    now = [time.time()]  # the jobs' clock: moved to the retry's due time, not waited for
    with JobQueue(tmp_path / "jobs.sqlite", clock=lambda: now[0]) as queue:
        runner = JobRunner(queue, {KIND: send_handler(store, lambda: settings)},
                           clock=lambda: now[0])  # fmt: skip
        job_id = queue.submit(KIND, params, max_attempts=3)
        attempt = threading.Thread(target=runner.run_once, name="send-attempt-1")
        attempt.start()
        try:
            assert wait_for(lambda: len(state.batch_records(params["send_id"])) >= 30, timeout=60)
            os.kill(serve.proc.pid, signal.SIGKILL)
            serve.proc.wait(timeout=30)
        finally:
            attempt.join(timeout=90)
        assert not attempt.is_alive()
        job = queue.get(job_id)
        assert job.state is JobState.QUEUED and job.attempts == 1, job.log
        assert "closed the connection" in job.last_error or "aborted" in job.last_error
        before = state.on_peer_in_batch(params["send_id"])
        assert 30 <= len(before) < len(items)

        start_serve(peer_dir, port, tmp_path / "serve2.log", "--allow-any-caller")
        due = queue.next_due_at()
        assert due is not None and due > now[0]  # the retry is scheduled with a backoff
        now[0] = due
        assert runner.run_once()
        job = queue.get(job_id)
    assert job.state is JobState.SUCCEEDED and job.attempts == 2, job.log
    assert job.total == len(items) - len(before)  # the second try sent only the rest
    assert (
        job.result
        == f"sent {len(items)}, warnings 0, duplicates 0, failed 0 of {len(items)} to peer"
    )
    with LocalStore(peer_dir, min_free_space_mb=0, check_on_open=False) as peer:
        assert peer.index.count("instance") == len(items)
        files = [p for p in peer.root.rglob("*.dcm") if "quarantine" not in p.parts]
        assert len(files) == len(items)  # once each
        for item in items:
            assert same_bytes(item.path, peer.path_of(peer.index.lookup(item.sop_uid)))


def test_an_unknown_calling_ae_is_rejected_for_good(ours, start_node, tmp_path: Path) -> None:
    settings, store = ours
    items = ct_series(store, tmp_path / "src", 2)
    running = start_node(require_known_callers=True)  # WS_SENDER is not one of its nodes
    with pytest.raises(AssociationRejectedError) as info:
        send_instances(settings, node_of(running), items)
    assert info.value.permanent and info.value.values["reason"] == 3
    with JobQueue(tmp_path / "jobs.sqlite", backoff_base_s=0.01) as queue:
        runner = JobRunner(queue, {KIND: send_handler(store, lambda: settings)})
        job_id = queue.submit(KIND, send_params(node_of(running), [items[0].study_uid]))
        assert runner.run_once()
        job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1
    assert running.store.index.count("instance") == 0


def test_out_of_resources_is_reported_and_the_send_goes_on(
    ours, start_node, tmp_path: Path
) -> None:
    settings, store = ours
    items = ct_series(store, tmp_path / "src", 9)
    running = start_node(require_known_callers=False)
    handler = send_handler(store, lambda: settings)
    lines: list[str] = []

    def progress(done: int, total: int, message: str) -> None:
        # the node's free-space floor goes above the disk for instances 4..6 only
        if done == 3:
            running.store.min_free_space_mb = 10_000_000
        elif done == 6:
            running.store.min_free_space_mb = 0

    params = send_params(node_of(running), [items[0].study_uid])
    with pytest.raises(PermanentJobError) as info:
        handler(params, progress, CancelToken(), lines.append)
    assert "3 of 9 instances were not stored at node" in str(info.value)
    assert "sent 6, warnings 0, duplicates 0, failed 3 of 9" in str(info.value)
    records = SendState(store.index).batch_records(params["send_id"])
    assert [r.outcome for r in records] == [SendOutcome.STORED] * 3 + [SendOutcome.FAILED] * 3 + [
        SendOutcome.STORED
    ] * 3
    refused = [r for r in records if r.outcome is SendOutcome.FAILED]
    assert all(r.status == 0xA700 for r in refused)
    for r in refused:  # each named in the job log with the peer's answer
        assert any(r.sop_uid in line and "0xA700" in line for line in lines)
    assert running.store.index.count("instance") == 6


@contextmanager
def raw_store_scp(handler: Callable[[evt.Event], Dataset | int]) -> Iterator[RemoteNode]:
    """A CT Storage SCP on loopback answering with ``handler``; shut down when the block ends."""
    ae = AE(ae_title=RAW_AET)
    ae.add_supported_context(CTImageStorage)
    port = find_free_port()
    server = ae.start_server(
        (LOOPBACK, port), block=False, evt_handlers=[(evt.EVT_C_STORE, handler)]
    )
    try:
        yield make_node(name="raw", ae_title=RAW_AET, host=LOOPBACK, port=port)
    finally:
        server.shutdown()


def test_duplicates_and_warnings_count_as_sent(ours, tmp_path: Path) -> None:
    settings, store = ours
    items = ct_series(store, tmp_path / "src", 5)
    answers = {items[1].sop_uid: 0x0111, items[3].sop_uid: 0xB000}
    got: list[str] = []

    def on_store(event: evt.Event) -> Dataset:
        uid = str(event.request.AffectedSOPInstanceUID)
        got.append(uid)
        rsp = Dataset()
        rsp.Status = answers.get(uid, 0x0000)
        if uid in answers:
            rsp.ErrorComment = "as the test asked"
        return rsp

    sent: list[tuple[RemoteNode, list[tuple[str, str]]]] = []
    with raw_store_scp(on_store) as peer, JobQueue(tmp_path / "jobs.sqlite") as queue:
        hook = lambda node, refs: sent.append((node, refs))  # noqa: E731
        runner = JobRunner(queue, {KIND: send_handler(store, lambda: settings, on_sent=hook)})
        job_id = queue.submit(KIND, send_params(peer, [items[0].series_uid]))
        assert runner.run_once()
        job = queue.get(job_id)
    assert job.state is JobState.SUCCEEDED, job.log
    assert job.result == "sent 3, warnings 1, duplicates 1, failed 0 of 5 to raw"
    assert got == [i.sop_uid for i in items]
    log = "\n".join(job.log)
    assert f"duplicate {items[1].sop_uid}" in log and "0x0111" in log
    assert f"warning {items[3].sop_uid}" in log and "0xB000" in log
    ((node, refs),) = sent  # the commitment hook: every instance now on the peer
    assert node.name == "raw"
    assert refs == [(i.sop_class_uid, i.sop_uid) for i in items]


def test_a_response_that_never_comes_is_a_retryable_timeout(ours, tmp_path: Path) -> None:
    settings, store = ours
    settings = settings.updated(send_timeout_s=1.0)
    items = ct_series(store, tmp_path / "src", 3)
    release = threading.Event()

    def on_store(event: evt.Event) -> int:
        if str(event.request.AffectedSOPInstanceUID) == items[1].sop_uid:
            release.wait(10)  # longer than our DIMSE timeout
        return 0x0000

    with raw_store_scp(on_store) as peer:
        try:
            report = send_instances(settings, peer, items)
        finally:
            release.set()
    assert isinstance(report.interrupted, NetworkTimeoutError)
    assert [r.item.sop_uid for r in report.results] == [items[0].sop_uid]
    assert report.not_sent == 2 and not report.cancelled


def test_cancel_aborts_a_c_store_in_flight(ours, tmp_path: Path) -> None:
    settings, store = ours
    items = ct_series(store, tmp_path / "src", 3)
    arrived, release = threading.Event(), threading.Event()

    def on_store(event: evt.Event) -> int:
        if str(event.request.AffectedSOPInstanceUID) == items[1].sop_uid:
            arrived.set()
            release.wait(10)  # answers only after the test is done with it
        return 0x0000

    token = CancelToken()
    canceller = threading.Thread(target=lambda: arrived.wait(20) and token.set(), name="canceller")
    with raw_store_scp(on_store) as peer:
        canceller.start()
        try:
            report = send_instances(settings, peer, items, cancelled=token.is_set,
                                    abort_hook=token.on_cancel)  # fmt: skip
        finally:
            release.set()
            canceller.join(timeout=30)
    assert arrived.is_set() and token.is_set()
    assert report.cancelled and report.interrupted is None
    assert [r.item.sop_uid for r in report.results] == [items[0].sop_uid]
