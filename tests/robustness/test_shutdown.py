"""Shutdown whatever the peers do (issue 12, item 2): SIGTERM stops ``workstation serve``
and stopping the runtime (what closing the desktop does) stops the node, within
``STOP_BOUND_S``, with stalled peers connected in every phase of their conversation.

The node runs with its default timeouts (minutes), so that no timer frees it meanwhile.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.integration.conftest import LOOPBACK, NODE_AET, find_free_port, wait_for
from tests.robustness.peer import (
    ASSOCIATE_AC,
    RawPeer,
    associate_rq,
    echo_rq,
    encode_command,
    p_data,
    pdv,
)
from workstation.config import Settings, parse_node_spec
from workstation.runtime import Runtime

STOP_BOUND_S = 5.0  # the requirement: stopped within this, whatever the peers do


def stalled_peers(host: str, port: int) -> list[RawPeer]:
    """Three peers stalled for good: after the TCP connect, inside an A-ASSOCIATE-RQ,
    and inside a P-DATA-TF after its association was accepted."""
    quiet = RawPeer(host, port)
    mid_rq = RawPeer(host, port)
    assert mid_rq.send(associate_rq()[:6])
    mid_pdata = RawPeer(host, port)
    reply = mid_pdata.associate()
    assert reply is not None and reply.pdu_type == ASSOCIATE_AC
    assert mid_pdata.send(p_data(pdv(1, encode_command(echo_rq(1)), command=True))[:6])
    return [quiet, mid_rq, mid_pdata]


def test_sigterm_stops_serve_with_stalled_peers_connected(start_serve, tmp_path: Path) -> None:
    port = find_free_port()
    serve = start_serve(tmp_path / "store", port, tmp_path / "serve.log")
    peers = stalled_peers(LOOPBACK, port)
    try:
        os.kill(serve.proc.pid, signal.SIGTERM)
        try:
            code = serve.proc.wait(timeout=STOP_BOUND_S)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"serve still running after SIGTERM:\n{serve.output()}") from None
        assert code == 0, serve.output()
        for peer in peers:
            assert peer.closed_by_node(), "a peer's connection outlived the node"
    finally:
        for peer in peers:
            peer.close()


def test_runtime_stop_stops_the_node_with_stalled_peers_connected(tmp_path: Path) -> None:
    """Runtime.stop, what the desktop's close (app.Workstation.shutdown) ends with."""
    settings = Settings(
        ae_title=NODE_AET, port=find_free_port(), bind_address=LOOPBACK,
        data_dir=tmp_path / "store", min_free_space_mb=0, max_associations=4,
        remote_nodes=(parse_node_spec(f"DCMTK=DCMTK@{LOOPBACK}:104"),),
    )  # fmt: skip
    runtime = Runtime(settings)
    stopper = threading.Thread(target=runtime.stop)
    peers: list[RawPeer] = []
    try:
        runtime.start()
        peers = stalled_peers(LOOPBACK, settings.node.port)
        assert wait_for(lambda: runtime.node.active_associations() == 3)
        stopper.start()
        stopper.join(STOP_BOUND_S)
        assert not stopper.is_alive(), "Runtime.stop still running with stalled peers"
        assert not runtime.node.running
        for peer in peers:
            assert peer.closed_by_node(), "a peer's connection outlived the node"
    finally:
        for peer in peers:
            peer.close()
        if stopper.ident is None:
            runtime.stop()
        else:
            stopper.join(30)


def test_serve_watchdog_ends_a_shutdown_that_hangs() -> None:
    """The last resort of ``serve``'s stop: a process still running after the limit
    (here a thread that never ends) exits with code 1."""
    code = (
        "import threading, time\n"
        "from workstation.cli.serve import exit_if_still_running_after\n"
        "exit_if_still_running_after(0.2)\n"
        "threading.Thread(target=time.sleep, args=(60,)).start()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 1, proc.stderr
    assert "shutdown not finished" in proc.stderr
