"""Service dialog page "Printers": the DICOM printer profiles, the default printer, the
printer queue's limit, and a test of the selected printer (its status from N-GET)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import PrinterProfile, Settings
from workstation.net.association import LocalAE
from workstation.printing.profiles import matrix_for
from workstation.ui.print.printer_status import PrinterStatusLabel
from workstation.ui.service.list_table import ListTable
from workstation.ui.service.printer_dialog import PrinterDialog


class PrintersPage(QWidget):
    """Holds the edited printer list; the dialog validates it with the rest on Apply."""

    def __init__(self, settings: Settings, local_ae: Callable[[], LocalAE],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        section = settings.printers
        self.printers: list[PrinterProfile] = list(section.printers)
        self.local_ae = local_ae
        self.dialog_factory: Callable[[PrinterProfile | None], PrinterDialog] = (
            lambda printer: PrinterDialog(printer, self.local_ae, self))  # fmt: skip

        self.table = ListTable([
            self.tr("Name"), self.tr("Address"), self.tr("Film sizes (pixel matrix)"),
            self.tr("Image"), self.tr("Copies, retries"),
        ], 2, self._update_buttons, self.edit_printer)  # fmt: skip
        self.table.setObjectName("printersTable")

        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.duplicate_button = QPushButton(self.tr("Duplicate"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.test_button = QPushButton(self.tr("Test printer"))
        self.test_button.setToolTip(self.tr("Ask the selected printer for its status (N-GET)"))
        self.add_button.clicked.connect(self.add_printer)
        self.edit_button.clicked.connect(self.edit_printer)
        self.duplicate_button.clicked.connect(self.duplicate_printer)
        self.remove_button.clicked.connect(self.remove_printer)
        self.test_button.clicked.connect(self.test_selected)
        self.status = PrinterStatusLabel(local_ae, self)
        self.status.setText(self.tr("Select a printer and press Test printer to ask it for its "
                                    "status."))  # fmt: skip
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.default_printer = QComboBox()
        self.default_printer.setObjectName("defaultPrinter")
        self._initial_default = section.default_printer
        self.queue_limit = QSpinBox()
        self.queue_limit.setRange(1, 1000)
        self.queue_limit.setValue(section.queue_limit)
        self.queue_limit.setSuffix(self.tr(" films per print job"))
        self.queue_limit.setToolTip(self.tr("The printer's queue holds this many film sheets; "
                                            "longer prints are split into several jobs"))  # fmt: skip

        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.duplicate_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.test_button)
        form = QFormLayout()
        form.addRow(self.tr("Default printer:"), self.default_printer)
        form.addRow(self.tr("Printer queue:"), self.queue_limit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addLayout(form)
        self._refresh()

    # -- table -------------------------------------------------------------------------------
    def _refresh(self, select: int | None = None) -> None:
        rows = []
        for p in self.printers:
            sizes = ", ".join(f"{s.id} ({'×'.join(str(n) for n in matrix_for(s))})"
                              for s in p.film_sizes)  # fmt: skip
            image = self.tr("colour") if p.color else self.tr("grey %1 bit").replace(
                "%1", str(p.bits))  # fmt: skip
            queue = self.tr("up to %1 copies, %2 retries").replace("%1", str(p.max_copies))\
                .replace("%2", str(p.retries))  # fmt: skip
            rows.append([p.name, f"{p.ae_title}@{p.host}:{p.port}", sizes, image, queue])
        self.table.show_rows(rows, select, tooltips=True)
        names = [p.name for p in self.printers]
        current = self.default_printer.currentData()
        if current is None:  # the first fill
            current = self._initial_default
        self.default_printer.clear()
        self.default_printer.addItem(self.tr("the first printer"), "")
        for name in names:
            self.default_printer.addItem(name, name)
        at = self.default_printer.findData(current) if current in names else 0
        self.default_printer.setCurrentIndex(max(0, at))
        self._update_buttons()

    def selected_row(self) -> int | None:
        return self.table.selected_row()

    def _update_buttons(self) -> None:
        has = self.selected_row() is not None
        for b in (self.edit_button, self.duplicate_button, self.remove_button, self.test_button):
            b.setEnabled(has)

    # -- add / edit / remove -----------------------------------------------------------------
    def _edit(self, printer: PrinterProfile | None) -> PrinterProfile | None:
        dialog = self.dialog_factory(printer)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.printer
        return None

    def add_printer(self) -> None:
        new = self._edit(None)
        if new is not None:
            self.printers.append(new)
            self._refresh(select=len(self.printers) - 1)

    def edit_printer(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        new = self._edit(self.printers[row])
        if new is not None:
            was_default = self.default_printer.currentData() == self.printers[row].name
            self.printers[row] = new
            self._refresh(select=row)
            if was_default:  # the default follows a rename
                self.default_printer.setCurrentIndex(self.default_printer.findData(new.name))

    def duplicate_printer(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        names = {p.name for p in self.printers}
        base = self.printers[row].name
        name = next(f"{base} ({n})" for n in range(2, 1000) if f"{base} ({n})" not in names)
        self.printers.insert(row + 1, self.printers[row].model_copy(update={"name": name}))
        self._refresh(select=row + 1)

    def remove_printer(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        del self.printers[row]
        self._refresh(select=min(row, len(self.printers) - 1))

    def test_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.status.probe(self.printers[row])

    # -- values ------------------------------------------------------------------------------
    def values(self) -> dict:
        """The printers section as edited, for ``Settings.updated``."""
        return {"printers": {
            "printers": [p.model_dump() for p in self.printers],
            "default_printer": self.default_printer.currentData() or "",
            "queue_limit": self.queue_limit.value(),
        }}  # fmt: skip

    def shutdown(self) -> None:
        self.status.wait(5.0)
