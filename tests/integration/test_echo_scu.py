"""Verification SCU (net/scu/echo.py) against DCMTK storescp and our own node: success with a
round-trip time, and a distinct diagnosis for each way a node can fail to answer."""

from __future__ import annotations

import socket
import subprocess
import threading
from pathlib import Path

import pytest

from workstation.config import RemoteNode
from workstation.net.scu.echo import echo

from .conftest import LOOPBACK, NODE_AET, UNKNOWN_AET, Processes, run_dcmtk, wait_for

pytestmark = pytest.mark.integration

SCP_AET = "ECHO_SCP"
CALLING_AET = "WS_ECHO"


def remote(port: int, aet: str = SCP_AET) -> RemoteNode:
    return RemoteNode(name="peer", ae_title=aet, host=LOOPBACK, port=port)


def start_storescp(processes: Processes, tmp_path: Path, port: int, *extra: str) -> subprocess.Popen:
    """storescp on ``port``; ready once DCMTK's own echoscu gets any DICOM answer."""
    log = tmp_path / f"storescp-{port}.log"
    proc = processes.dcmtk("storescp", "-v", "-aet", SCP_AET, "-od", tmp_path, *extra, str(port),
                           log=log)  # fmt: skip

    def answers() -> bool:
        if proc.poll() is not None:
            return True
        out = run_dcmtk("echoscu", "-v", "-aec", SCP_AET, LOOPBACK, str(port), timeout=10).stdout
        return "Echo Response" in out or "Association Rejected" in out

    assert wait_for(answers, timeout=20, step=0.1), "storescp did not answer"
    assert proc.poll() is None, log.read_text(errors="replace")
    return proc


def test_echo_to_storescp_succeeds_with_round_trip_time(processes, tmp_path, free_port):
    start_storescp(processes, tmp_path, free_port)
    result = echo(remote(free_port), CALLING_AET)
    assert result.ok, result
    assert result.status == 0x0000
    assert result.error_code == ""
    assert result.rtt_ms > 0
    assert result.total_ms >= result.rtt_ms
    log = (tmp_path / f"storescp-{free_port}.log").read_text(errors="replace")
    assert "Received Echo Request" in log


def test_echo_to_closed_port_is_refused(free_port):
    result = echo(remote(free_port), CALLING_AET, timeout_s=5)
    assert not result.ok
    assert result.error_code == "echo.refused"
    assert result.status is None
    assert "refused" in result.detail and str(free_port) in result.detail


def test_echo_rejected_by_storescp_reports_result_source_reason(processes, tmp_path, free_port):
    start_storescp(processes, tmp_path, free_port, "--refuse")
    result = echo(remote(free_port), CALLING_AET)
    assert not result.ok
    assert result.error_code == "echo.rejected"
    # storescp --refuse: rejected permanent, by the service user, no reason given
    assert dict(result.values) == {"result": 1, "source": 1, "reason": 1,
                                   "host": LOOPBACK, "port": free_port}
    assert "Rejected Permanent" in result.detail and "Service User" in result.detail


def test_echo_rejected_by_our_node_names_the_calling_ae_reason(node):
    result = echo(remote(node.port, NODE_AET), UNKNOWN_AET)
    assert result.error_code == "echo.rejected"
    assert {k: result.values[k] for k in ("result", "source", "reason")} == {
        "result": 1, "source": 1, "reason": 3}
    assert "Calling AE title not recognised" in result.detail
    assert echo(remote(node.port, NODE_AET), "DCMTK").ok  # a known caller gets through


def test_echo_to_silent_listener_times_out():
    with socket.socket() as listener:  # accepts TCP (backlog) but never answers
        listener.bind((LOOPBACK, 0))
        listener.listen(1)
        result = echo(remote(listener.getsockname()[1]), CALLING_AET, timeout_s=1)
    assert result.error_code == "echo.timeout"
    assert result.values["phase"] == "association"


def _serve_once(listener: socket.socket, reply: bytes) -> threading.Thread:
    def serve() -> None:
        listener.settimeout(30)
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(30)
            if reply:
                conn.recv(65536)
                conn.sendall(reply)
                conn.recv(65536)  # until our side aborts and closes

    thread = threading.Thread(target=serve, name="fake-peer")
    thread.start()
    return thread


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        pytest.param(b"HTTP/1.1 400 Bad Request\r\n\r\n", "echo.not_dicom", id="http-server"),
        pytest.param(b"", "echo.closed", id="closes-at-once"),
    ],
)
def test_echo_to_peer_that_is_not_dicom(reply: bytes, code: str):
    with socket.socket() as listener:
        listener.bind((LOOPBACK, 0))
        listener.listen(1)
        thread = _serve_once(listener, reply)
        try:
            result = echo(remote(listener.getsockname()[1]), CALLING_AET, timeout_s=10)
        finally:
            thread.join(timeout=40)
    assert not thread.is_alive()
    assert result.error_code == code, result


def test_echo_to_unresolvable_host():
    node = RemoteNode(name="x", ae_title=SCP_AET, host="no-such-host.invalid", port=104)
    result = echo(node, CALLING_AET, timeout_s=5)
    assert result.error_code == "echo.unresolved"
    assert result.values["host"] == "no-such-host.invalid"
