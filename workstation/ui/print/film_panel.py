"""The composer's film controls: the printer (and its status from N-GET) and the film
spec a print to it uses (film size, layout, orientation, copies, medium, destination,
colour, annotations, true size), checked by ``printing/profiles.spec_for``.

Without a DICOM printer the films go to paper only (PDF, the system printer): every
common film size at 300 dpi (:data:`PAPER`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QWidget,
)

from workstation.config.settings import FilmSizeEntry, PrinterProfile, Settings
from workstation.net.association import LocalAE
from workstation.printing.film import FilmSpec
from workstation.printing.profiles import spec_for
from workstation.ui.print.printer_status import PrinterStatusLabel

PAPER_DPI = 300.0
PAPER = PrinterProfile(
    name="paper", ae_title="PAPER", host="localhost", port=104,
    film_sizes=tuple(FilmSizeEntry(id=s, dpi=PAPER_DPI) for s in
                     ("A4", "A3", "8INX10IN", "10INX12IN", "11INX14IN", "14INX17IN")),
    display_formats=("STANDARD\\1,1", "STANDARD\\1,2", "STANDARD\\2,1", "STANDARD\\2,2",
                     "STANDARD\\2,3", "STANDARD\\3,3", "STANDARD\\3,4", "STANDARD\\4,5",
                     "ROW\\1,2", "COL\\1,2"),
    mediums=("PAPER",), destinations=("MAGAZINE",), color=True, max_copies=9,
)  # fmt: skip
MAX_COPIES = 9  # extract-001 5.4


class FilmPanel(QGroupBox):
    """``printer_changed`` when another printer is chosen, ``changed`` for any control."""

    printer_changed = Signal()
    changed = Signal()

    def __init__(self, settings: Callable[[], Settings], parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Film"), parent)
        self.settings = settings
        self._updating = False
        form = QFormLayout(self)
        self.printer_combo = QComboBox(self)
        self.printer_combo.setObjectName("printerCombo")
        self.status_label = PrinterStatusLabel(self._local_ae, self)
        self.size_combo = QComboBox(self)
        self.format_combo = QComboBox(self)
        self.orientation_combo = QComboBox(self)
        for value, text in (("PORTRAIT", self.tr("Portrait")), ("LANDSCAPE", self.tr("Landscape"))):
            self.orientation_combo.addItem(text, value)
        self.copies_spin = QSpinBox(self)
        self.copies_spin.setRange(1, MAX_COPIES)
        self.medium_combo = QComboBox(self)
        self.destination_combo = QComboBox(self)
        self.color_check = QCheckBox(self.tr("Colour"), self)
        self.annotations_check = QCheckBox(self.tr("Film annotations"), self)
        self.annotations_check.setToolTip(self.tr(
            "Patient, study, date, series and image numbers, institution and a 1 cm scale, "
            "printed on the film at the height set for the printer"))  # fmt: skip
        self.true_size_check = QCheckBox(self.tr("True size (1 cm = 1 cm)"), self)
        self.true_size_check.setToolTip(self.tr(
            "Print at the size of the patient from Pixel Spacing; boxes where that is not "
            "possible say why under the film"))  # fmt: skip
        self.matrix_label = QLabel(self)
        form.addRow(self.tr("Printer"), self.printer_combo)
        form.addRow(self.status_label)
        form.addRow(self.tr("Film size"), self.size_combo)
        form.addRow(self.tr("Layout"), self.format_combo)
        form.addRow(self.tr("Orientation"), self.orientation_combo)
        form.addRow(self.tr("Copies"), self.copies_spin)
        form.addRow(self.tr("Medium"), self.medium_combo)
        form.addRow(self.tr("Destination"), self.destination_combo)
        form.addRow(self.color_check)
        form.addRow(self.annotations_check)
        form.addRow(self.true_size_check)
        form.addRow(self.matrix_label)
        self.printer_combo.currentIndexChanged.connect(self._on_printer_changed)
        for combo in (self.size_combo, self.format_combo, self.orientation_combo,
                      self.medium_combo, self.destination_combo):  # fmt: skip
            combo.currentIndexChanged.connect(self._changed)
        self.copies_spin.valueChanged.connect(self._changed)
        for check in (self.color_check, self.annotations_check, self.true_size_check):
            check.toggled.connect(self._changed)

    def _local_ae(self) -> LocalAE:
        return LocalAE.from_settings(self.settings())

    def _changed(self, *_args: object) -> None:
        if not self._updating:
            self.changed.emit()

    # -- the printer -------------------------------------------------------------------------
    def printer(self) -> PrinterProfile | None:
        """The chosen DICOM printer; None when films go to paper only (PDF, system)."""
        name = self.printer_combo.currentData()
        return next((p for p in self.settings().printers.printers if p.name == name), None)

    def profile(self) -> PrinterProfile:
        return self.printer() or PAPER

    def reload_printers(self) -> None:
        """Fill the printer list from the settings (after service mode saved them)."""
        wanted = self.printer_combo.currentData()
        section = self.settings().printers
        default = wanted or section.default_printer or (
            section.printers[0].name if section.printers else None)  # fmt: skip
        self._updating = True
        self.printer_combo.clear()
        for p in section.printers:
            self.printer_combo.addItem(f"{p.name} ({p.ae_title}@{p.host}:{p.port})", p.name)
        self.printer_combo.addItem(self.tr("No DICOM printer: PDF or system printer"), None)
        at = self.printer_combo.findData(default) if default else -1
        self.printer_combo.setCurrentIndex(at if at >= 0 else 0)
        self._updating = False
        self._on_printer_changed()

    def _on_printer_changed(self, *_args: object) -> None:
        if self._updating:
            return
        profile = self.profile()
        self._updating = True
        keep_size, keep_format = self.size_combo.currentData(), self.format_combo.currentData()
        _fill(self.size_combo, [(s.id, s.id) for s in profile.film_sizes], keep_size)
        _fill(self.format_combo, [(f, f) for f in profile.display_formats], keep_format)
        self.orientation_combo.setCurrentIndex(
            max(0, self.orientation_combo.findData(profile.orientation)))
        _fill(self.medium_combo, [(m, m) for m in profile.mediums or ("",)], None)
        _fill(self.destination_combo, [(d, d) for d in profile.destinations or ("",)], None)
        self.copies_spin.setMaximum(min(MAX_COPIES, profile.max_copies))
        self.color_check.setEnabled(profile.color)
        if not profile.color:
            self.color_check.setChecked(False)
        self._updating = False
        self.status_label.probe(self.printer())
        self.printer_changed.emit()
        self.changed.emit()

    # -- the spec ----------------------------------------------------------------------------
    def spec(self) -> FilmSpec:
        """The film spec the controls give (raises FilmLayoutError for one not possible)."""
        return spec_for(
            self.profile(), self.size_combo.currentData(), self.format_combo.currentData(),
            orientation=self.orientation_combo.currentData(), copies=self.copies_spin.value(),
            medium=self.medium_combo.currentData() or None,
            destination=self.destination_combo.currentData() or None,
            color=self.color_check.isChecked(), annotations=self.annotations_check.isChecked(),
            true_size=self.true_size_check.isChecked(),
        )  # fmt: skip

    def show_matrix(self, spec: FilmSpec) -> None:
        cols, rows = spec.film_px
        bits = self.tr("RGB") if spec.color else self.tr("%1 bit").replace("%1", str(spec.bits))
        self.matrix_label.setText(self.tr("Printer matrix %1 × %2 pixels, %3, %4 mm per pixel")
                                  .replace("%1", str(cols)).replace("%2", str(rows))
                                  .replace("%3", bits).replace("%4", f"{spec.pixel_mm:.3f}"))  # fmt: skip


def _fill(combo: QComboBox, items: list[tuple[str, object]], keep: object) -> None:
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    at = combo.findData(keep) if keep is not None else -1
    combo.setCurrentIndex(at if at >= 0 else 0)
