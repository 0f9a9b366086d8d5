"""``workstation serve`` runs the job queue: ``workstation send --commit`` beside it hands
the commitment request to serve as a commit job, and a report that comes on a new
association after the command has gone, while only serve runs, ends committed."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from workstation.jobs import JobQueue, JobState
from workstation.net.commitment import CommitReport
from workstation.runtime import JOBS_DB
from workstation.services.commit_job import KIND as COMMIT_KIND
from workstation.store import LocalStore
from workstation.store.commitment_state import CommitmentState, TransactionState

from .commit_support import copies, load, send_report, silent_provider, study_of
from .conftest import (
    LOOPBACK,
    NODE_AET,
    SERVE_STOP_TIMEOUT_S,
    find_free_port,
    stop_process,
    wait_for,
)

pytestmark = pytest.mark.integration

PEER_AET = "LATEPEER"
WAIT_S = 60.0


def _two_ports() -> tuple[int, int]:
    first = find_free_port()
    second = find_free_port()
    while second == first:
        second = find_free_port()
    return first, second


def test_report_after_the_send_command_left_is_received_by_serve(
    tmp_path: Path, start_serve
) -> None:
    files = copies(tmp_path / "in", 2)
    data = tmp_path / "data"
    with LocalStore(data, min_free_space_mb=0) as store:
        load(store, files)
    port, peer_port = _two_ports()
    serve = start_serve(data, port, tmp_path / "serve.log",
                        "--node", f"LATE={PEER_AET}@{LOOPBACK}:{peer_port}")  # fmt: skip
    send_log = tmp_path / "send.log"
    cmd = [
        sys.executable, "-m", "workstation", "--config", str(tmp_path / "send.settings.json"),
        "send", "--data-dir", str(data), "--aet", NODE_AET, "--bind", LOOPBACK,
        "--port", str(port), "--to", f"{PEER_AET}@{LOOPBACK}:{peer_port}",
        "--commit", "--commit-timeout", "600", study_of(files[0][0]),
    ]  # fmt: skip
    with silent_provider(PEER_AET, peer_port, storage=True) as actions:
        with open(send_log, "wb") as out:
            send = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        try:
            # serve's job runner, not the command, sends the N-ACTION
            assert wait_for(lambda: len(actions) == 1, timeout=WAIT_S), send_log.read_text()
            assert wait_for(lambda: "commitment requested at" in send_log.read_text(),
                            timeout=WAIT_S), send_log.read_text()  # fmt: skip
        finally:
            stop_process(send, signal.SIGINT, timeout=30)  # Ctrl-C: the command leaves
        output = send_log.read_text()
        assert send.returncode == 1, output  # not committed while it waited
        assert "sent 2" in output and "queued as job" in output, output
        assert "commitment pending at" in output, output

        # only serve runs now: the provider reports on a new association
        uid = str(actions[0].TransactionUID)
        report = CommitReport(uid, tuple((c, s) for _p, c, s in files), ())
        assert send_report(PEER_AET, port, NODE_AET, report) == 0x0000

    with LocalStore(data, min_free_space_mb=0, check_on_open=False) as store:
        state = CommitmentState(store.index)
        transaction = state.transaction(uid)
        assert transaction is not None and transaction.state is TransactionState.COMMITTED
        assert [i["result"] for i in state.items(uid)] == ["success", "success"]
    with JobQueue(data / JOBS_DB) as queue:
        commit_jobs = [j for j in queue.list() if j.kind == COMMIT_KIND]
        assert len(commit_jobs) == 1
        assert wait_for(lambda: queue.get(commit_jobs[0].id).state is JobState.SUCCEEDED,
                        timeout=WAIT_S), queue.get(commit_jobs[0].id)  # fmt: skip
        assert uid in (queue.get(commit_jobs[0].id).result or "")

    serve.proc.send_signal(signal.SIGTERM)
    assert serve.proc.wait(timeout=SERVE_STOP_TIMEOUT_S) == 0, serve.output()
    assert "Traceback" not in serve.output()
