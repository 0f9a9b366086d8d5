"""Storage commitment with Orthanc 1.10, both directions.

Orthanc as provider answers N-ACTION and reports on a new association to the
requester's configured address (its DicomModalities entry for our AE title), so our
node receives the report. Orthanc as requester (REST ``/modalities/{id}/storage-
commitment``) asks our node, which reports back on a new association.
"""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from workstation.jobs import JobQueue, JobRunner, JobState
from workstation.net.commitment import REASON_NO_SUCH_OBJECT
from workstation.services.commit_job import KIND, commit_handler, commit_params
from workstation.store.commitment_state import CommitmentState, StudyCommitState

from .commit_support import copies, load, node_entry, study_of, transaction_state
from .conftest import (
    KNOWN_AET,
    LOOPBACK,
    NODE_AET,
    ORTHANC_AET,
    ORTHANC_BIN,
    ORTHANC_START_TIMEOUT_S,
    RunningNode,
    find_free_port,
    peer_env,
    run_dcmtk,
    stop_process,
    wait_for,
)

WAIT_S = 30.0


@dataclass
class Orthanc:
    proc: subprocess.Popen
    port: int
    http_port: int
    ws_port: int  # where Orthanc reaches our node (DicomModalities "ws")

    def rest(self, path: str, body: Any = None, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(
            f"http://{LOOPBACK}:{self.http_port}{path}", data=data,
            method="GET" if data is None else "POST",
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=WAIT_S) as answer:
            return json.loads(answer.read())

    def upload(self, path: Path) -> None:
        self.rest("/instances", raw=path.read_bytes())


@pytest.fixture(scope="module")
def orthanc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Orthanc]:
    folder = tmp_path_factory.mktemp("orthanc-commit")
    ports: list[int] = []
    while len(ports) < 3:
        p = find_free_port()
        if p not in ports:
            ports.append(p)
    dicom_port, http_port, ws_port = ports
    config = {
        "Name": "COMMIT_TEST",
        "DicomAet": ORTHANC_AET,
        "DicomPort": dicom_port,
        "HttpPort": http_port,
        "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "index"),
        "DicomCheckCalledAet": False,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "DicomModalities": {
            "ws": [NODE_AET, LOOPBACK, ws_port],
            "dcmtk": [KNOWN_AET, LOOPBACK, 104],
        },
        "Plugins": [],
    }
    config_path = folder / "orthanc.json"
    config_path.write_text(json.dumps(config, indent=2))
    with open(folder / "orthanc.log", "wb") as out:
        proc = subprocess.Popen(
            [ORTHANC_BIN, str(config_path)], env=peer_env(), stdout=out, stderr=subprocess.STDOUT
        )
    try:

        def echoes() -> bool:
            if proc.poll() is not None:
                return True
            args = ("-aet", KNOWN_AET, "-aec", ORTHANC_AET, LOOPBACK, str(dicom_port))
            return run_dcmtk("echoscu", *args, timeout=10).returncode == 0

        assert wait_for(echoes, timeout=ORTHANC_START_TIMEOUT_S, step=0.2), "Orthanc did not answer"
        assert proc.poll() is None, (folder / "orthanc.log").read_text(errors="replace")
        yield Orthanc(proc, dicom_port, http_port, ws_port)
    finally:
        stop_process(proc, signal.SIGTERM, timeout=30)


@pytest.fixture
def ws(orthanc: Orthanc, start_node: Callable[..., RunningNode]) -> RunningNode:
    """Our node on the port Orthanc reports to, with Orthanc a commitment node."""
    return start_node(
        port=orthanc.ws_port,
        commit_wait_same_association_s=2.0,
        remote_nodes=(node_entry("orthanc", ORTHANC_AET, orthanc.port),),
    )


def _run_commit_job(ws: RunningNode, refs: list[tuple[str, str]], tmp_path: Path) -> str:
    """One commit job through the queue; the transaction UID it created."""
    queue = JobQueue(tmp_path / "jobs.sqlite")
    try:
        runner = JobRunner(queue, {KIND: commit_handler(ws.store, lambda: ws.settings)})
        job_id = queue.submit(KIND, commit_params(ws.settings.find_node("orthanc"), refs))
        assert runner.run_once()
        job = queue.get(job_id)
        assert job is not None and job.state is JobState.SUCCEEDED, job
    finally:
        queue.close()
    (t,) = CommitmentState(ws.store.index).transactions()
    return t.transaction_uid


def test_instances_stored_in_orthanc_are_committed(
    orthanc: Orthanc, ws: RunningNode, tmp_path: Path
) -> None:
    files = copies(tmp_path / "in", 3)
    load(ws.store, files)
    for path, _cls, _uid in files:
        orthanc.upload(path)
    uid = _run_commit_job(ws, [(c, s) for _p, c, s in files], tmp_path)
    state = CommitmentState(ws.store.index)
    assert wait_for(lambda: transaction_state(state, uid) == "committed", WAIT_S)
    study = study_of(files[0][0])
    (entry,) = state.study_states([study])[study]
    assert (entry.node_name, entry.state, entry.committed) == (
        "orthanc", StudyCommitState.COMMITTED, 3,
    )  # fmt: skip


def test_instances_orthanc_lacks_fail_with_no_such_object(
    orthanc: Orthanc, ws: RunningNode, tmp_path: Path
) -> None:
    files = copies(tmp_path / "in", 2)
    load(ws.store, files)
    orthanc.upload(files[0][0])  # the second never reached Orthanc
    uid = _run_commit_job(ws, [(c, s) for _p, c, s in files], tmp_path)
    state = CommitmentState(ws.store.index)
    assert wait_for(lambda: transaction_state(state, uid) == "partly", WAIT_S)
    reasons = {i["sop_uid"]: (i["result"], i["failure_reason"]) for i in state.items(uid)}
    assert reasons == {
        files[0][2]: ("success", None),
        files[1][2]: ("failed", REASON_NO_SUCH_OBJECT),
    }
    study = study_of(files[0][0])
    assert [e.state for e in state.study_states([study])[study]] == [StudyCommitState.PARTLY]


def _orthanc_asks(orthanc: Orthanc, refs: list[tuple[str, str]]) -> dict[str, Any]:
    """Orthanc requests commitment from our node; its report once it is no longer pending."""
    answer = orthanc.rest(
        "/modalities/ws/storage-commitment",
        {"DicomInstances": [{"SOPClassUID": c, "SOPInstanceUID": s} for c, s in refs],
         "Timeout": int(WAIT_S)},
    )  # fmt: skip
    report: dict[str, Any] = {}

    def done() -> bool:
        report.update(orthanc.rest(answer["Path"]))
        return report.get("Status") != "Pending"

    assert wait_for(done, WAIT_S, step=0.1), report
    return report


def test_orthanc_asks_our_node_and_gets_the_report_on_a_new_association(
    orthanc: Orthanc, ws: RunningNode, tmp_path: Path
) -> None:
    files = copies(tmp_path / "in", 2)
    load(ws.store, files)
    report = _orthanc_asks(orthanc, [(c, s) for _p, c, s in files])
    assert report["Status"] == "Success"
    assert {r["SOPInstanceUID"] for r in report["Success"]} == {s for _p, _c, s in files}
    assert report["Failures"] == []
    assert wait_for(lambda: ws.node.commitment.reporters_running == 0, WAIT_S)


def test_orthanc_is_told_which_instances_our_node_lacks(
    orthanc: Orthanc, ws: RunningNode, tmp_path: Path
) -> None:
    files = copies(tmp_path / "in", 2)
    load(ws.store, files[:1])
    report = _orthanc_asks(orthanc, [(c, s) for _p, c, s in files])
    assert report["Status"] == "Failure"
    assert [r["SOPInstanceUID"] for r in report["Success"]] == [files[0][2]]
    assert [(r["SOPInstanceUID"], r["FailureReason"]) for r in report["Failures"]] == [
        (files[1][2], REASON_NO_SUCH_OBJECT)
    ]
    assert wait_for(lambda: ws.node.commitment.reporters_running == 0, WAIT_S)


# -- after a send: the job glue and the command line ---------------------------------------
def test_send_job_to_a_commitment_node_queues_the_commitment(
    orthanc: Orthanc, ws: RunningNode, tmp_path: Path
) -> None:
    from workstation.services.commit_job import commit_after_send
    from workstation.services.send_job import KIND as SEND_KIND
    from workstation.services.send_job import send_handler, send_params

    files = copies(tmp_path / "in", 2)
    load(ws.store, files)
    node = ws.settings.find_node("orthanc")
    assert node is not None and node.storage_commitment
    queue = JobQueue(tmp_path / "jobs.sqlite")
    try:
        runner = JobRunner(queue, {
            SEND_KIND: send_handler(ws.store, lambda: ws.settings,
                                    on_sent=lambda n, refs: commit_after_send(queue, n, refs)),
            KIND: commit_handler(ws.store, lambda: ws.settings),
        })  # fmt: skip
        send_id = queue.submit(SEND_KIND, send_params(node, [study_of(files[0][0])]))
        assert runner.run_once() and runner.run_once()  # the send, then the commitment
        jobs = {job.kind: job for job in queue.list()}
        assert jobs[SEND_KIND].id == send_id and jobs[SEND_KIND].state is JobState.SUCCEEDED
        assert jobs[KIND].state is JobState.SUCCEEDED, jobs[KIND]
    finally:
        queue.close()
    state = CommitmentState(ws.store.index)
    (t,) = state.transactions()
    assert wait_for(lambda: transaction_state(state, t.transaction_uid) == "committed", WAIT_S)
    assert {i["sop_uid"] for i in state.items(t.transaction_uid)} == {s for _p, _c, s in files}
    study = study_of(files[0][0])
    assert [e.state for e in state.study_states([study])[study]] == [StudyCommitState.COMMITTED]


def test_send_without_commitment_queues_nothing(ws: RunningNode, tmp_path: Path) -> None:
    from workstation.services.commit_job import commit_after_send

    queue = JobQueue(tmp_path / "jobs.sqlite")
    try:
        plain = ws.settings.find_node("orthanc").model_copy(update={"storage_commitment": False})
        assert commit_after_send(queue, plain, [("1.2.3", "1.2.3.4")]) is None
        assert queue.list() == []
    finally:
        queue.close()


def test_command_line_send_with_commit(orthanc: Orthanc, tmp_path: Path) -> None:
    import sys

    from workstation.store import LocalStore

    files = copies(tmp_path / "in", 2)
    data = tmp_path / "data"
    with LocalStore(data, min_free_space_mb=0) as store:
        load(store, files)
    cmd = [
        sys.executable, "-m", "workstation", "--config", str(tmp_path / "settings.json"),
        "send", "--data-dir", str(data), "--aet", NODE_AET, "--bind", LOOPBACK,
        "--port", str(orthanc.ws_port), "--to", f"{ORTHANC_AET}@{LOOPBACK}:{orthanc.port}",
        "--commit", "--commit-timeout", str(WAIT_S), study_of(files[0][0]),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sent 2" in done.stdout
    assert f"commitment committed at {ORTHANC_AET}@{LOOPBACK}:{orthanc.port}: 2 committed, 0 failed" in done.stdout
    with LocalStore(data, min_free_space_mb=0, check_on_open=False) as store:
        (t,) = CommitmentState(store.index).transactions()
        assert str(t.state) == "committed"

