"""Add or edit one DICOM printer profile (service mode).

Every field of :class:`~workstation.config.printers.PrinterProfile`: the address, the
film sizes with the printer's pixel matrix (or dpi) for each, display formats,
orientation, magnification and smoothing, densities, media and destinations, grey or
colour, 8 or 12 bit, Presentation LUT, copies, priority, retries and timeouts. OK closes
only once the model takes every value; a refused one is named next to the buttons and
its input gets the focus. "Test printer" asks the printer for its status (N-GET) with the
values as typed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import FilmSizeEntry, PrinterProfile, make_printer
from workstation.errors import SettingsError
from workstation.net.association import LocalAE
from workstation.printing.film import FILM_SIZES
from workstation.ui.messages import error_text
from workstation.ui.print.printer_status import PrinterStatusLabel

MAGNIFICATIONS = ("REPLICATE", "BILINEAR", "CUBIC", "NONE", "")
DENSITIES = ("BLACK", "WHITE", "")
MAX_COPIES = 9  # extract-001 5.4
MAX_RETRIES = 5


def _words(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


class PrinterDialog(QDialog):
    """Edits a printer profile; ``printer`` holds the accepted result."""

    def __init__(self, printer: PrinterProfile | None, local_ae: Callable[[], LocalAE],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit printer") if printer else self.tr("Add printer"))
        self.printer: PrinterProfile | None = None
        p = printer or PrinterProfile(name="Printer", ae_title="PRINTER", host="localhost",
                                      port=104)  # fmt: skip

        self.name = QLineEdit(p.name if printer else "")
        self.ae_title = QLineEdit(p.ae_title if printer else "")
        self.ae_title.setPlaceholderText(self.tr("1 to 16 characters, no backslash"))
        self.host = QLineEdit(p.host if printer else "")
        self.host.setPlaceholderText(self.tr("IP address or host name"))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(p.port)
        self.test_button = QPushButton(self.tr("Test printer"))
        self.test_button.setToolTip(self.tr("Ask the printer for its status (DICOM N-GET)"))
        self.status = PrinterStatusLabel(local_ae, self)
        self.test_button.clicked.connect(self.test_printer)

        self.sizes = QTableWidget(0, 4)
        self.sizes.setObjectName("filmSizes")
        self.sizes.setHorizontalHeaderLabels([self.tr("Film size"), self.tr("Columns"),
                                              self.tr("Rows"), self.tr("or dpi")])  # fmt: skip
        self.sizes.verticalHeader().hide()
        self.sizes.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.sizes.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.sizes.setMinimumHeight(130)
        for entry in p.film_sizes:
            self.add_size(entry)
        self.add_size_button = QPushButton(self.tr("Add film size"))
        self.remove_size_button = QPushButton(self.tr("Remove film size"))
        self.add_size_button.clicked.connect(lambda: self.add_size())
        self.remove_size_button.clicked.connect(self.remove_size)

        self.display_formats = QPlainTextEdit("\n".join(p.display_formats))
        self.display_formats.setObjectName("displayFormats")
        self.display_formats.setToolTip(self.tr("One per line: STANDARD\\C,R, ROW\\n,n,... or "
                                                "COL\\n,n,...; the first is the default"))  # fmt: skip
        self.display_formats.setMaximumHeight(96)
        self.orientation = _combo(("PORTRAIT", "LANDSCAPE"), p.orientation)
        self.magnification = _combo(MAGNIFICATIONS, p.magnification, blank=self.tr("(not sent)"))
        self.smoothing = QLineEdit(p.smoothing)
        self.smoothing.setPlaceholderText(self.tr("printer specific; empty: not sent"))
        self.border_density = _combo(DENSITIES, p.border_density, editable=True,
                                     blank=self.tr("(not sent)"))  # fmt: skip
        self.empty_image_density = _combo(DENSITIES, p.empty_image_density, editable=True,
                                          blank=self.tr("(not sent)"))  # fmt: skip
        for combo in (self.border_density, self.empty_image_density):
            combo.setToolTip(self.tr("BLACK, WHITE or hundredths of optical density (e.g. 150)"))
        self.min_density = _density_spin(p.min_density, self.tr("not sent"))
        self.max_density = _density_spin(p.max_density, self.tr("not sent"))
        self.mediums = QLineEdit(", ".join(p.mediums))
        self.mediums.setToolTip(self.tr("Comma separated; the first is the default"))
        self.destinations = QLineEdit(", ".join(p.destinations))
        self.destinations.setToolTip(self.tr("Comma separated; the first is the default"))

        self.color = QCheckBox(self.tr("Colour printer (Basic Color Print Management)"))
        self.color.setChecked(p.color)
        self.bits = QComboBox()
        self.bits.addItem(self.tr("8 bit"), 8)
        self.bits.addItem(self.tr("12 bit"), 12)
        self.bits.setCurrentIndex(self.bits.findData(p.bits))
        self.presentation_lut = QCheckBox(self.tr("Send a Presentation LUT"))
        self.presentation_lut.setChecked(p.presentation_lut)
        self.max_copies = _spin(1, MAX_COPIES, min(p.max_copies, MAX_COPIES))
        self.priority = _combo(("HIGH", "MED", "LOW"), p.priority)
        self.retries = _spin(0, MAX_RETRIES, p.retries)
        self.retry_delay_s = _double(0, 3 * 3600, p.retry_delay_s, " s")
        self.dimse_timeout_s = _double(1, 3600, p.dimse_timeout_s, " s")
        self.annotation_mm = _double(0.5, 50, p.annotation_mm, " mm", 1)

        address = QGroupBox(self.tr("Printer"))
        form = QFormLayout(address)
        form.addRow(self.tr("Name:"), self.name)
        form.addRow(self.tr("AE title:"), self.ae_title)
        form.addRow(self.tr("Host:"), self.host)
        form.addRow(self.tr("Port:"), self.port)
        test = QHBoxLayout()
        test.addWidget(self.test_button)
        test.addWidget(self.status, 1)
        form.addRow(test)

        film = QGroupBox(self.tr("Films"))
        film_layout = QVBoxLayout(film)
        film_layout.addWidget(QLabel(self.tr("Film sizes and the printer's pixel matrix "
                                             "(portrait) for each:")))  # fmt: skip
        film_layout.addWidget(self.sizes)
        size_buttons = QHBoxLayout()
        size_buttons.addWidget(self.add_size_button)
        size_buttons.addWidget(self.remove_size_button)
        size_buttons.addStretch(1)
        film_layout.addLayout(size_buttons)
        film_form = QFormLayout()
        film_form.addRow(self.tr("Display formats:"), self.display_formats)
        film_form.addRow(self.tr("Orientation:"), self.orientation)
        film_form.addRow(self.tr("Media:"), self.mediums)
        film_form.addRow(self.tr("Destinations:"), self.destinations)
        film_layout.addLayout(film_form)

        image = QGroupBox(self.tr("Image"))
        image_form = QFormLayout(image)
        image_form.addRow(self.color)
        image_form.addRow(self.tr("Grey:"), self.bits)
        image_form.addRow(self.presentation_lut)
        image_form.addRow(self.tr("Magnification:"), self.magnification)
        image_form.addRow(self.tr("Smoothing:"), self.smoothing)
        image_form.addRow(self.tr("Border density:"), self.border_density)
        image_form.addRow(self.tr("Empty image density:"), self.empty_image_density)
        image_form.addRow(self.tr("Min density (1/100 OD):"), self.min_density)
        image_form.addRow(self.tr("Max density (1/100 OD):"), self.max_density)
        image_form.addRow(self.tr("Annotation height:"), self.annotation_mm)

        queue = QGroupBox(self.tr("Printing"))
        queue_form = QFormLayout(queue)
        queue_form.addRow(self.tr("Maximum copies:"), self.max_copies)
        queue_form.addRow(self.tr("Priority:"), self.priority)
        queue_form.addRow(self.tr("Retries:"), self.retries)
        queue_form.addRow(self.tr("Delay before a retry:"), self.retry_delay_s)
        queue_form.addRow(self.tr("Message timeout (DIMSE):"), self.dimse_timeout_s)

        self.error_label = QLabel()
        self.error_label.setObjectName("printerError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        grid = QGridLayout()
        grid.addWidget(address, 0, 0)
        grid.addWidget(queue, 1, 0)
        grid.addWidget(film, 0, 1, 2, 1)
        grid.addWidget(image, 0, 2, 2, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    # -- film sizes --------------------------------------------------------------------------
    def add_size(self, entry: FilmSizeEntry | None = None) -> None:
        row = self.sizes.rowCount()
        self.sizes.insertRow(row)
        ids = QComboBox()
        for size in FILM_SIZES.values():
            ids.addItem(f"{size.id} ({size.width_mm:.0f} × {size.height_mm:.0f} mm)", size.id)
        if entry is not None and ids.findData(entry.id) < 0:
            ids.addItem(entry.id, entry.id)  # an ID we do not know the size of
        ids.setCurrentIndex(max(0, ids.findData(entry.id if entry else "14INX17IN")))
        cols = _spin(0, 32_768, entry.matrix_cols if entry else 0)
        rows = _spin(0, 32_768, entry.matrix_rows if entry else 0)
        dpi = _double(0, 2400, entry.dpi if entry else 300.0, "", 0)
        for column, widget in enumerate((ids, cols, rows, dpi)):
            self.sizes.setCellWidget(row, column, widget)

    def remove_size(self) -> None:
        rows = sorted({i.row() for i in self.sizes.selectedIndexes()}, reverse=True)
        for row in rows or [self.sizes.rowCount() - 1]:
            if row >= 0:
                self.sizes.removeRow(row)

    def film_sizes(self) -> list[dict]:
        out = []
        for row in range(self.sizes.rowCount()):
            ids, cols, rows, dpi = (self.sizes.cellWidget(row, c) for c in range(4))
            out.append({"id": ids.currentData(), "matrix_cols": cols.value(),
                        "matrix_rows": rows.value(), "dpi": dpi.value()})  # fmt: skip
        return out

    # -- the profile -------------------------------------------------------------------------
    def values(self) -> dict:
        formats = tuple(
            line.strip() for line in self.display_formats.toPlainText().splitlines()
            if line.strip())  # fmt: skip
        return {
            "name": self.name.text(), "ae_title": self.ae_title.text(),
            "host": self.host.text(), "port": self.port.value(),
            "film_sizes": self.film_sizes(), "display_formats": formats,
            "orientation": self.orientation.currentData(),
            "magnification": self.magnification.currentData(),
            "smoothing": self.smoothing.text().strip(),
            "border_density": _density_text(self.border_density),
            "empty_image_density": _density_text(self.empty_image_density),
            "min_density": _optional(self.min_density), "max_density": _optional(self.max_density),
            "mediums": _words(self.mediums.text()),
            "destinations": _words(self.destinations.text()),
            "color": self.color.isChecked(), "bits": self.bits.currentData(),
            "presentation_lut": self.presentation_lut.isChecked(),
            "max_copies": self.max_copies.value(), "priority": self.priority.currentData(),
            "retries": self.retries.value(), "retry_delay_s": self.retry_delay_s.value(),
            "dimse_timeout_s": self.dimse_timeout_s.value(),
            "annotation_mm": self.annotation_mm.value(),
        }  # fmt: skip

    def profile(self) -> PrinterProfile:
        """The profile as typed (raises SettingsError naming the field)."""
        values = self.values()
        for density in ("border_density", "empty_image_density"):
            text = values[density]
            if text and text not in ("BLACK", "WHITE") and not text.isdigit():
                raise SettingsError(field=f"printers.printers.{density}",
                                    rule_code="not_density", limits={}, value=text,
                                    rule="must be BLACK, WHITE or a number")  # fmt: skip
        return make_printer(**values)

    def test_printer(self) -> None:
        try:
            printer = self.profile()
        except SettingsError as err:
            self._refuse(err)
            return
        self.error_label.hide()
        self.status.probe(printer)

    def submit(self) -> None:
        try:
            self.printer = self.profile()
        except SettingsError as err:
            self._refuse(err)
            return
        self.accept()

    def _refuse(self, err: SettingsError) -> None:
        self.error_label.setText(error_text(err))
        self.error_label.show()
        parts = str(err.values.get("field", "")).split(".")
        names = [p for p in parts if not p.isdigit()]
        widget = getattr(self, names[-1], None) if names else None
        if names and names[-1] in ("id", "matrix_cols", "matrix_rows", "dpi"):
            widget = self.sizes
        if isinstance(widget, QWidget):
            widget.setFocus()

    def done(self, result: int) -> None:
        self.status.wait(5.0)
        super().done(result)


def _combo(values, current: str, *, editable: bool = False, blank: str = "") -> QComboBox:
    combo = QComboBox()
    combo.setEditable(editable)
    for value in values:
        combo.addItem(value or blank, value)
    at = combo.findData(current)
    if at < 0 and editable:
        combo.setEditText(current)
    else:
        combo.setCurrentIndex(max(0, at))
    return combo


def _spin(low: int, high: int, value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    return spin


def _double(low: float, high: float, value: float, suffix: str, decimals: int = 0) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setValue(value)
    spin.setSuffix(suffix)
    return spin


def _density_spin(value: int | None, none_text: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(-1, 1000)
    spin.setSpecialValueText(none_text)  # -1: the attribute is not sent
    spin.setValue(-1 if value is None else value)
    return spin


def _optional(spin: QSpinBox) -> int | None:
    return None if spin.value() < 0 else spin.value()


def _density_text(combo: QComboBox) -> str:
    text = combo.currentText().strip().upper()
    data = combo.currentData()
    if combo.findText(combo.currentText()) >= 0 and data is not None:
        return str(data)
    return text
