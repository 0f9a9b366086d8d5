"""The printer's status from N-GET in service mode, against DCMTK dcmprscp: the printer
dialog's "Test printer" with the values as typed, the page's test of a saved profile, and
a printer nobody answers for (red, in words)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import Processes, find_free_port
from tests.integration.print_support import PRINTER_AET, PrintSCP
from tests.integration.test_print_job import profile
from workstation.config import Settings
from workstation.config.settings import PrintersSettings
from workstation.net.association import LocalAE
from workstation.ui.service.printer_dialog import PrinterDialog
from workstation.ui.service.printers_page import PrintersPage

WAIT_MS = 30_000


def local() -> LocalAE:
    return LocalAE("WS_TEST", connect_timeout_s=5, acse_timeout_s=10, dimse_timeout_s=25)


@pytest.fixture
def scp(tmp_path: Path, processes: Processes) -> PrintSCP:
    printer = PrintSCP(tmp_path / "scp", find_free_port())
    printer.root.mkdir()
    printer.start(processes)
    return printer


def test_the_dialog_tests_the_printer_as_typed(qtbot, scp: PrintSCP) -> None:
    dialog = PrinterDialog(None, local)
    qtbot.addWidget(dialog)
    dialog.name.setText("Dry laser")
    dialog.ae_title.setText(PRINTER_AET)
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(scp.port)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.status.last()[2] != "", timeout=WAIT_MS)
    name, status, text = dialog.status.last()
    assert (name, status) == ("Dry laser", "NORMAL")
    assert "NORMAL" in dialog.status.text() and "ready" in text
    assert "1d6b1d" in dialog.status.styleSheet()  # green


def test_the_page_tests_the_selected_printer_and_an_unreachable_one(
    qtbot, tmp_path: Path, scp: PrintSCP
) -> None:
    gone = profile(find_free_port()).model_copy(update={"name": "gone"})
    settings = Settings(ae_title="WS_TEST", data_dir=tmp_path / "data").model_copy(
        update={"printers": PrintersSettings(printers=(profile(scp.port), gone))})
    page = PrintersPage(settings, local)
    qtbot.addWidget(page)
    page.table.selectRow(0)
    page.test_selected()
    qtbot.waitUntil(lambda: page.status.last()[2] != "", timeout=WAIT_MS)
    assert page.status.last()[:2] == ("film", "NORMAL")
    page.table.selectRow(1)
    page.test_selected()
    qtbot.waitUntil(lambda: page.status.last()[0] == "gone" and page.status.last()[2] != "",
                    timeout=WAIT_MS)  # fmt: skip
    _, status, text = page.status.last()
    assert status == ""
    assert text.startswith("Printer gone not reached:")
    assert "b00020" in page.status.styleSheet()  # red
    page.shutdown()
