"""The Echo button of the service dialog against a real DCMTK storescp on loopback.

The echo runs off the GUI thread; the test waits (bounded) for its result to reach the
dialog. storescp is started here on a free port and stopped by its pid.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests import ports
from workstation.config import RemoteNode, Role, Settings
from workstation.ui.service import ServiceContext
from workstation.ui.service.service_dialog import ServiceDialog

pytestmark = [pytest.mark.gui, pytest.mark.integration]

LOOPBACK = "127.0.0.1"
SCP_AET = "ECHO_SCP"
WAIT_MS = 30_000


def free_port() -> int:
    """A free loopback port outside the ephemeral range (tests/ports.py)."""
    return ports.free_port()


def dcmtk_env() -> dict[str, str]:
    return {**os.environ, "TCP_NODELAY": "1"}  # Nagle off (DESIGN.md section 8)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.fixture
def storescp(tmp_path: Path) -> Iterator[int]:
    """A storescp on a free port, answering DCMTK's echoscu before the test starts."""
    port = free_port()
    log = open(tmp_path / "storescp.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(["storescp", "-d", "-aet", SCP_AET, "-od", str(tmp_path), str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=dcmtk_env())  # fmt: skip
    try:
        for _ in range(200):  # bounded: at most 200 tries of up to 10 s each, usually one
            probe = subprocess.run(["echoscu", "-aec", SCP_AET, LOOPBACK, str(port)],
                                   capture_output=True, env=dcmtk_env(), timeout=10)  # fmt: skip
            if probe.returncode == 0 or proc.poll() is not None:
                break
        assert proc.poll() is None, (tmp_path / "storescp.log").read_text(errors="replace")
        yield port
    finally:
        stop(proc)
        log.close()


def make_dialog(qtbot, tmp_path: Path, port: int) -> ServiceDialog:
    settings = Settings(
        ae_title="WS_GUI",
        data_dir=tmp_path / "data",
        remote_nodes=(RemoteNode(name="Archive", ae_title=SCP_AET, host=LOOPBACK, port=port,
                                 roles=frozenset({Role.STORE})),),
    )  # fmt: skip
    context = ServiceContext(settings, tmp_path / "settings.json", lambda s: None,
                             echo_timeout_s=10)  # fmt: skip
    dialog = ServiceDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.nodes_page)
    return dialog


def press_echo(qtbot, dialog: ServiceDialog) -> str:
    page = dialog.nodes_page
    page.table.selectRow(0)
    assert page.echo_button.isEnabled()
    qtbot.mouseClick(page.echo_button, Qt.MouseButton.LeftButton)
    assert "running" in page.echo_label.text() or not page.runner.running()
    qtbot.waitUntil(lambda: not page.runner.running() and "running" not in page.echo_label.text(),
                    timeout=WAIT_MS)  # fmt: skip
    assert page.echo_button.isEnabled()
    return page.echo_label.text()


def test_echo_succeeds_and_shows_round_trip_time(qtbot, tmp_path, storescp) -> None:
    dialog = make_dialog(qtbot, tmp_path, storescp)
    text = press_echo(qtbot, dialog)
    assert text.startswith(f"Echo to Archive ({SCP_AET} at {LOOPBACK}:{storescp}) succeeded.")
    assert "Round trip" in text and " ms" in text
    last = dialog.nodes_page.table.item(0, 5).text()
    assert last.startswith("OK, ") and last.endswith(" ms")
    log = (tmp_path / "storescp.log").read_text(errors="replace")
    assert "Received Echo Request" in log
    assert "WS_GUI" in log  # our calling AE title went out


def test_echo_uses_the_local_ae_title_being_edited(qtbot, tmp_path, storescp) -> None:
    dialog = make_dialog(qtbot, tmp_path, storescp)
    dialog.local_page.ae_title.setText("EDITED_AET")
    assert "succeeded" in press_echo(qtbot, dialog)
    assert "EDITED_AET" in (tmp_path / "storescp.log").read_text(errors="replace")


def test_echo_to_closed_port_fails_with_clear_message(qtbot, tmp_path) -> None:
    port = free_port()  # nothing listens there
    dialog = make_dialog(qtbot, tmp_path, port)
    text = press_echo(qtbot, dialog)
    assert text == (
        f"Echo to Archive ({SCP_AET} at {LOOPBACK}:{port}) failed. Connection refused: "
        f"nothing accepts connections on {LOOPBACK} port {port}."
    )
    assert dialog.nodes_page.table.item(0, 5).text() == "failed"


def test_echo_rejected_shows_the_reason(qtbot, tmp_path) -> None:
    port = free_port()
    log = open(tmp_path / "refuse.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(["storescp", "--refuse", "-aet", SCP_AET, str(port)], stdout=log,
                            stderr=subprocess.STDOUT, env=dcmtk_env())  # fmt: skip
    try:
        dialog = make_dialog(qtbot, tmp_path, port)
        text = ""
        for _ in range(100):  # bounded: until storescp listens (refused before that)
            text = press_echo(qtbot, dialog)
            if "Connection refused" not in text or proc.poll() is not None:
                break
        assert text.endswith(
            "failed. Association rejected (permanent) by the called application "
            "(service user): no reason given."
        ), text
    finally:
        stop(proc)
        log.close()
