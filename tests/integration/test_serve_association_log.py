"""``workstation serve`` logs each association as it ends: peer, AE titles, services, outcome."""

from __future__ import annotations

import pytest

from .conftest import (
    KNOWN_AET,
    LOOPBACK,
    NODE_AET,
    UNKNOWN_AET,
    make_copies,
    run_dcmtk,
    wait_for,
)

pytestmark = pytest.mark.integration


def _lines(server, start: str) -> list[str]:
    return [line for line in server.output().splitlines() if line.startswith(start)]


def test_serve_logs_echo_store_and_rejection(tmp_path, free_port, start_serve):
    port = free_port
    server = start_serve(tmp_path / "data", port, tmp_path / "serve.log")

    echo = run_dcmtk("echoscu", "-aet", KNOWN_AET, "-aec", NODE_AET, LOOPBACK, str(port))
    assert echo.returncode == 0, echo.stdout
    assert wait_for(lambda: _lines(server, "association from"), timeout=10), server.output()
    assert _lines(server, "association from") == [
        f"association from {KNOWN_AET}@{LOOPBACK} to {NODE_AET}: C-ECHO x1; released"
    ]

    files = [str(path) for path, _ in make_copies(tmp_path / "copies", 3)]
    store = run_dcmtk("storescu", "-aet", KNOWN_AET, "-aec", NODE_AET, LOOPBACK, str(port), *files)
    assert store.returncode == 0, store.stdout
    assert wait_for(lambda: len(_lines(server, "association from")) == 2, timeout=10)
    assert _lines(server, "association from")[1] == (
        f"association from {KNOWN_AET}@{LOOPBACK} to {NODE_AET}: C-STORE x3; released"
    )

    refused = run_dcmtk("echoscu", "-aet", UNKNOWN_AET, "-aec", NODE_AET, LOOPBACK, str(port))
    assert refused.returncode != 0
    assert wait_for(lambda: len(_lines(server, "association from")) == 3, timeout=10)
    assert _lines(server, "association from")[2] == (
        f"association from {UNKNOWN_AET}@{LOOPBACK} to {NODE_AET} rejected: "
        "calling AE title not recognised"
    )
