"""``workstation serve``: ready line, Verification for DCMTK echoscu, clean exit on a signal."""

from __future__ import annotations

import signal

import pytest

from .conftest import (
    KNOWN_AET,
    LOOPBACK,
    NODE_AET,
    SERVE_STOP_TIMEOUT_S,
    run_dcmtk,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_listens_answers_echo_and_exits_0_on_signal(
    tmp_path, free_port, start_serve, signum
):
    port = free_port
    server = start_serve(tmp_path / "data", port, tmp_path / "serve.log")

    listening = [line for line in server.output().splitlines() if line.startswith("listening as")]
    assert listening == [
        f"listening as {NODE_AET} on {LOOPBACK}:{port}, store {tmp_path / 'data'}, "
        f"accepting {KNOWN_AET}"
    ]

    echo = run_dcmtk(
        "echoscu", "-v", "-aet", KNOWN_AET, "-aec", NODE_AET, LOOPBACK, str(port), timeout=30
    )
    assert echo.returncode == 0, echo.stdout
    assert "Received Echo Response (Success)" in echo.stdout

    server.proc.send_signal(signum)
    assert server.proc.wait(timeout=SERVE_STOP_TIMEOUT_S) == 0, server.output()
    assert "shutting down" in server.output()
    assert "Traceback" not in server.output()
