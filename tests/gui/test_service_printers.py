"""Service mode "Printers": profiles added, edited, duplicated and removed; every field of
the dialog reaches the saved profile; garbage in a field is named, never saved; the
default printer and the queue limit are saved; the tab's refusals lead to the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from workstation.config import Settings, load_settings
from workstation.config.settings import FilmSizeEntry, PrinterProfile, PrintersSettings
from workstation.ui.service import ServiceContext
from workstation.ui.service.printer_dialog import PrinterDialog
from workstation.ui.service.service_dialog import ServiceDialog

pytestmark = pytest.mark.gui

LASER = PrinterProfile(
    name="Laser", ae_title="LASER", host="127.0.0.1", port=10400,
    film_sizes=(FilmSizeEntry(id="14INX17IN", matrix_cols=4096, matrix_rows=4976),),
    bits=12,
)  # fmt: skip


@pytest.fixture
def context(tmp_path: Path) -> ServiceContext:
    settings = Settings(ae_title="WS_PRINT", data_dir=tmp_path / "data", port=11112)
    settings = settings.model_copy(update={"printers": PrintersSettings(printers=(LASER,))})
    return ServiceContext(settings, tmp_path / "config" / "settings.json", lambda _s: None)


@pytest.fixture
def dialog(qtbot, context: ServiceContext) -> ServiceDialog:
    dlg = ServiceDialog(context)
    qtbot.addWidget(dlg)
    return dlg


def filled(dlg: PrinterDialog) -> PrinterDialog:
    dlg.name.setText("Film 2")
    dlg.ae_title.setText("DRYVIEW")
    dlg.host.setText("printer.example")
    dlg.port.setValue(5040)
    dlg.sizes.setRowCount(0)
    dlg.add_size(FilmSizeEntry(id="14INX17IN", matrix_cols=4096, matrix_rows=4976))
    dlg.add_size()
    ids = dlg.sizes.cellWidget(1, 0)
    ids.setCurrentIndex(ids.findData("8INX10IN"))
    dlg.sizes.cellWidget(1, 3).setValue(320)
    dlg.display_formats.setPlainText("STANDARD\\4,5\nROW\\2,3\nCOL\\1,2")
    dlg.orientation.setCurrentIndex(dlg.orientation.findData("LANDSCAPE"))
    dlg.magnification.setCurrentIndex(dlg.magnification.findData("BILINEAR"))
    dlg.smoothing.setText("MEDIUM")
    dlg.border_density.setEditText("150")
    dlg.empty_image_density.setCurrentIndex(dlg.empty_image_density.findData("WHITE"))
    dlg.min_density.setValue(20)
    dlg.max_density.setValue(320)
    dlg.mediums.setText("paper, blue film")
    dlg.destinations.setText("PROCESSOR")
    dlg.bits.setCurrentIndex(dlg.bits.findData(12))
    dlg.presentation_lut.setChecked(True)
    dlg.max_copies.setValue(9)
    dlg.priority.setCurrentIndex(dlg.priority.findData("HIGH"))
    dlg.retries.setValue(3)
    dlg.retry_delay_s.setValue(600)
    dlg.dimse_timeout_s.setValue(30)
    dlg.annotation_mm.setValue(5)
    return dlg


def test_every_field_of_the_dialog_reaches_the_profile(qtbot) -> None:
    dlg = filled(PrinterDialog(None, lambda: None))
    qtbot.addWidget(dlg)
    dlg.submit()
    assert dlg.result() == QDialog.DialogCode.Accepted, dlg.error_label.text()
    p = dlg.printer
    assert (p.name, p.ae_title, p.host, p.port) == ("Film 2", "DRYVIEW", "printer.example", 5040)
    assert [(s.id, s.matrix_cols, s.matrix_rows, s.dpi) for s in p.film_sizes] == [
        ("14INX17IN", 4096, 4976, 0.0), ("8INX10IN", 0, 0, 320.0)]
    assert p.display_formats == ("STANDARD\\4,5", "ROW\\2,3", "COL\\1,2")
    assert (p.orientation, p.magnification, p.smoothing) == ("LANDSCAPE", "BILINEAR", "MEDIUM")
    assert (p.border_density, p.empty_image_density) == ("150", "WHITE")
    assert (p.min_density, p.max_density) == (20, 320)
    assert (p.mediums, p.destinations) == (("PAPER", "BLUE FILM"), ("PROCESSOR",))
    assert (p.color, p.bits, p.presentation_lut) == (False, 12, True)
    assert (p.max_copies, p.priority, p.retries) == (9, "HIGH", 3)
    assert (p.retry_delay_s, p.dimse_timeout_s, p.annotation_mm) == (600, 30, 5)
    # what the target allows at most
    assert dlg.max_copies.maximum() == 9 and dlg.retries.maximum() == 5


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.ae_title.setText("BAD\\AE"), "AE title"),
        (lambda d: d.host.setText("no host!"), "Host"),
        (lambda d: d.display_formats.setPlainText("STANDARD\\4,5\nFOUR BY FIVE"), "FOURBYFIVE is not"),
        (lambda d: d.border_density.setEditText("dark"), "Border density"),
        (lambda d: d.mediums.setText("film/paper"), "Media"),
        (lambda d: d.sizes.setRowCount(0), "Film sizes"),
        (lambda d: (d.sizes.cellWidget(1, 3).setValue(0)), "pixel matrix or the dpi"),
    ],
)
def test_garbage_in_a_field_is_named_and_not_taken(qtbot, change, words) -> None:
    dlg = filled(PrinterDialog(None, lambda: None))
    qtbot.addWidget(dlg)
    change(dlg)
    dlg.submit()
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert dlg.printer is None
    assert dlg.error_label.isVisibleTo(dlg)
    assert words in dlg.error_label.text()


def test_profiles_added_duplicated_removed_and_saved(qtbot, dialog, context) -> None:
    page = dialog.printers_page
    dialog.tabs.setCurrentWidget(page)
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Printers"
    assert page.table.rowCount() == 1
    assert "14INX17IN (4096×4976)" in page.table.item(0, 2).text()

    new = filled(PrinterDialog(None, lambda: None))
    qtbot.addWidget(new)
    new.submit()
    page.dialog_factory = lambda _printer: _Accepting(new.printer)
    page.add_printer()
    assert [p.name for p in page.printers] == ["Laser", "Film 2"]
    page.table.selectRow(0)
    page.duplicate_printer()
    assert [p.name for p in page.printers] == ["Laser", "Laser (2)", "Film 2"]
    page.table.selectRow(1)
    page.remove_printer()
    page.default_printer.setCurrentIndex(page.default_printer.findData("Film 2"))
    page.queue_limit.setValue(6)
    assert dialog.apply()
    saved = load_settings(context.settings_path).printers
    assert [p.name for p in saved.printers] == ["Laser", "Film 2"]
    assert saved.printers[1] == new.printer
    assert (saved.default_printer, saved.queue_limit) == ("Film 2", 6)

    # editing renames: the default follows the rename
    renamed = new.printer.model_copy(update={"name": "Dry 1"})
    page.dialog_factory = lambda _printer: _Accepting(renamed)
    page.table.selectRow(1)
    page.edit_printer()
    assert page.default_printer.currentData() == "Dry 1"


def test_two_printers_of_one_name_are_refused_on_the_page(qtbot, dialog, context) -> None:
    page = dialog.printers_page
    page.printers.append(LASER.model_copy(update={"port": 10401}))
    page._refresh()
    dialog.tabs.setCurrentIndex(0)
    assert not dialog.apply()
    assert dialog.tabs.currentWidget() is page
    assert "Not saved" in dialog.status_label.text()
    assert not context.settings_path.exists()


class _Accepting:
    """A printer dialog that the user accepted with ``printer``."""

    def __init__(self, printer: PrinterProfile) -> None:
        self.printer = printer

    def exec(self) -> QDialog.DialogCode:
        return QDialog.DialogCode.Accepted
