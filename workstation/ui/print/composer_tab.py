"""The film composer: a main tab where films are laid out, previewed and printed.

Left, the preview of one sheet (:class:`~workstation.ui.print.film_preview.FilmPreview`):
the raster rendered at the chosen printer's matrix, the same raster the print job sends,
the PDF holds and the system printer gets. Right, the film (printer and its status from
N-GET, film size, layout, orientation, copies, medium, destination, colour, annotations,
true size), the selected box (window, zoom, rotation, flip, invert, order) and the
outputs (print on the DICOM printer as a job, PDF, system printer).

Series dragged from the browser or the viewer drop onto a box (all their images, or
only their key images), the viewer's "Film" button adds the image it shows as it shows
it. Rendering runs off the GUI thread (:class:`~workstation.ui.print.render_worker.RenderWorker`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import FilmSizeEntry, PrinterProfile, Settings
from workstation.errors import WorkstationError
from workstation.imaging.film_render import SheetRaster
from workstation.jobs import JobQueue, JobState
from workstation.net.association import LocalAE
from workstation.printing.film import FilmSpec
from workstation.printing.profiles import spec_for
from workstation.services import print_job
from workstation.services.film_composer import FilmComposer
from workstation.services.print_pdf import write_sheets_pdf
from workstation.store.local_store import LocalStore
from workstation.ui.messages import error_text
from workstation.ui.print.film_preview import FilmPreview, film_qimage
from workstation.ui.print.printer_status import PrinterStatusLabel
from workstation.ui.print.render_worker import RenderWorker

log = logging.getLogger(__name__)

RENDER_DELAY_MS = 60
CACHED_SHEETS = 3
# the films PDF and the system printer take when no DICOM printer is chosen: every film
# size at 300 dpi, the usual layouts
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


class ComposerTab(QWidget):
    """The "Film" tab. ``message`` carries status bar texts."""

    message = Signal(str)
    _pdf_done = Signal(str, str)  # path, error ("" = written)
    _pdf_page = Signal(int, int)

    def __init__(
        self,
        store: LocalStore,
        settings: Callable[[], Settings],
        queue: JobQueue | None = None,
        wake: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("composerTab")
        self.title = self.tr("Film")
        self.settings = settings
        self.queue = queue
        self.wake = wake or (lambda: None)
        self.composer = FilmComposer(store, spec_for(PAPER, "A4", "STANDARD\\2,2"))
        self.current = 0  # the sheet shown
        self.selected: int | None = None  # the image (index) of the selected box
        self.jobs: dict[int, str] = {}  # print jobs started here -> printer name
        self._rasters: dict[int, SheetRaster] = {}  # sheet -> raster of self._revision
        self._revision = -1
        self._errors: dict[int, str] = {}
        self._pdf_thread: threading.Thread | None = None
        self._pdf_cancel = threading.Event()
        self._updating = False

        self.worker = RenderWorker(self)
        self.worker.rendered.connect(self._on_rendered)
        self._render_timer = QTimer(self, singleShot=True, interval=RENDER_DELAY_MS)
        self._render_timer.timeout.connect(self._render_now)
        self._pdf_done.connect(self._on_pdf_done)
        self._pdf_page.connect(self._on_pdf_page)

        self._build()
        self.reload_printers()
        self._spec_changed()

    # -- building --------------------------------------------------------------------------
    def _build(self) -> None:
        self.preview = FilmPreview(self)
        self.preview.set_hint(self.tr(
            "Drag series here from the patient browser or the viewer's series strip, "
            "or use the viewer's Film button for the image it shows."))  # fmt: skip
        self.preview.box_clicked.connect(self._on_box_clicked)
        self.preview.window_dragged.connect(self._on_window_dragged)
        self.preview.pan_dragged.connect(self._on_pan_dragged)
        self.preview.zoom_changed.connect(self._on_zoom)
        self.preview.reset_requested.connect(self._on_reset)
        self.preview.delete_requested.connect(self._on_delete)
        self.preview.series_dropped.connect(self._on_series_dropped)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.preview)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.prev_button = QPushButton(self.tr("◀ Previous"), self)
        self.next_button = QPushButton(self.tr("Next ▶"), self)
        self.sheet_label = QLabel(self)
        self.actual_pixels = QCheckBox(self.tr("Printer pixels (1:1)"), self)
        self.prev_button.clicked.connect(lambda: self.show_sheet(self.current - 1))
        self.next_button.clicked.connect(lambda: self.show_sheet(self.current + 1))
        self.actual_pixels.toggled.connect(self._on_actual_pixels)
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.sheet_label, 1, Qt.AlignmentFlag.AlignCenter)
        nav.addWidget(self.actual_pixels)
        nav.addWidget(self.next_button)
        self.notes = QLabel(self)
        self.notes.setObjectName("filmNotes")
        self.notes.setWordWrap(True)
        self.notes.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.banner = QLabel(self)
        self.banner.setObjectName("printBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        left = QVBoxLayout()
        left.addWidget(self.banner)
        left.addWidget(self.scroll, 1)
        left.addLayout(nav)
        left.addWidget(self.notes)

        side = QWidget(self)
        column = QVBoxLayout(side)
        column.addWidget(self._film_group())
        column.addWidget(self._box_group())
        column.addWidget(self._images_group())
        column.addWidget(self._output_group())
        column.addStretch(1)
        side_scroll = QScrollArea(self)
        side_scroll.setWidget(side)
        side_scroll.setWidgetResizable(True)
        side_scroll.setFixedWidth(side.sizeHint().width() + 28)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(side_scroll)

    def _film_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Film"), self)
        form = QFormLayout(group)
        self.printer_combo = QComboBox(group)
        self.printer_combo.setObjectName("printerCombo")
        self.status_label = PrinterStatusLabel(self._local_ae, group)
        self.status_label.setWordWrap(True)
        self.size_combo = QComboBox(group)
        self.format_combo = QComboBox(group)
        self.orientation_combo = QComboBox(group)
        for value, text in (("PORTRAIT", self.tr("Portrait")), ("LANDSCAPE", self.tr("Landscape"))):
            self.orientation_combo.addItem(text, value)
        self.copies_spin = QSpinBox(group)
        self.copies_spin.setRange(1, 9)
        self.medium_combo = QComboBox(group)
        self.destination_combo = QComboBox(group)
        self.color_check = QCheckBox(self.tr("Colour"), group)
        self.annotations_check = QCheckBox(self.tr("Film annotations"), group)
        self.annotations_check.setToolTip(self.tr(
            "Patient, study, date, series and image numbers, institution and a 1 cm scale, "
            "printed on the film at the height set for the printer"))  # fmt: skip
        self.true_size_check = QCheckBox(self.tr("True size (1 cm = 1 cm)"), group)
        self.true_size_check.setToolTip(self.tr(
            "Print at the size of the patient from Pixel Spacing; boxes where that is not "
            "possible say why under the film"))  # fmt: skip
        self.matrix_label = QLabel(group)
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
            combo.currentIndexChanged.connect(self._spec_changed)
        self.copies_spin.valueChanged.connect(self._spec_changed)
        for check in (self.color_check, self.annotations_check, self.true_size_check):
            check.toggled.connect(self._spec_changed)
        return group

    def _box_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Selected box"), self)
        self.box_group = group
        form = QFormLayout(group)
        self.box_label = QLabel(group)
        self.box_label.setWordWrap(True)
        self.centre_spin = QDoubleSpinBox(group)
        self.width_spin = QDoubleSpinBox(group)
        for spin in (self.centre_spin, self.width_spin):
            spin.setRange(-100_000.0, 100_000.0)
            spin.setDecimals(0)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._on_window_spin)
        self.width_spin.setMinimum(1.0)
        self.default_window_button = QPushButton(self.tr("Image's window"), group)
        self.default_window_button.clicked.connect(lambda: self._edit(window=None))
        self.zoom_spin = QDoubleSpinBox(group)
        self.zoom_spin.setRange(0.1, 20.0)
        self.zoom_spin.setSingleStep(0.1)
        self.zoom_spin.setDecimals(2)
        self.zoom_spin.setSuffix(" ×")
        self.zoom_spin.setKeyboardTracking(False)
        self.zoom_spin.valueChanged.connect(lambda v: self._edit(zoom=float(v)))
        buttons = QHBoxLayout()
        self.rotate_left = QPushButton("⟲", group)
        self.rotate_left.setToolTip(self.tr("Rotate 90° to the left"))
        self.rotate_right = QPushButton("⟳", group)
        self.rotate_right.setToolTip(self.tr("Rotate 90° to the right"))
        self.flip_check = QCheckBox(self.tr("Flip"), group)
        self.invert_check = QCheckBox(self.tr("Invert"), group)
        for w in (self.rotate_left, self.rotate_right, self.flip_check, self.invert_check):
            buttons.addWidget(w)
        self.rotate_left.clicked.connect(lambda: self._rotate(-90))
        self.rotate_right.clicked.connect(lambda: self._rotate(90))
        self.flip_check.toggled.connect(lambda on: self._edit(flip_h=bool(on)))
        self.invert_check.toggled.connect(lambda on: self._edit(invert=bool(on)))
        order = QHBoxLayout()
        self.earlier_button = QPushButton(self.tr("Earlier"), group)
        self.later_button = QPushButton(self.tr("Later"), group)
        self.reset_button = QPushButton(self.tr("Reset"), group)
        self.remove_button = QPushButton(self.tr("Remove"), group)
        for w in (self.earlier_button, self.later_button, self.reset_button, self.remove_button):
            order.addWidget(w)
        self.earlier_button.clicked.connect(lambda: self._move(-1))
        self.later_button.clicked.connect(lambda: self._move(1))
        self.reset_button.clicked.connect(lambda: self._on_reset(-1))
        self.remove_button.clicked.connect(lambda: self._on_delete(-1))
        form.addRow(self.box_label)
        form.addRow(self.tr("Window centre"), self.centre_spin)
        form.addRow(self.tr("Window width"), self.width_spin)
        form.addRow(self.default_window_button)
        form.addRow(self.tr("Zoom"), self.zoom_spin)
        form.addRow(buttons)
        form.addRow(order)
        return group

    def _images_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Images"), self)
        box = QVBoxLayout(group)
        self.key_only_check = QCheckBox(self.tr("Dropped series: key images only"), group)
        self.count_label = QLabel(group)
        self.clear_button = QPushButton(self.tr("Remove all images"), group)
        self.clear_button.clicked.connect(self.clear)
        box.addWidget(self.key_only_check)
        box.addWidget(self.count_label)
        box.addWidget(self.clear_button)
        return group

    def _output_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Output"), self)
        box = QVBoxLayout(group)
        self.print_button = QPushButton(self.tr("Print films"), group)
        self.print_button.setObjectName("printFilms")
        self.pdf_button = QPushButton(self.tr("Save as PDF…"), group)
        self.system_button = QPushButton(self.tr("System printer…"), group)
        self.print_button.clicked.connect(self.print_films)
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.system_button.clicked.connect(lambda: self.print_system())
        for w in (self.print_button, self.pdf_button, self.system_button):
            box.addWidget(w)
        return group

    # -- printers and the film spec --------------------------------------------------------
    def _local_ae(self) -> LocalAE:
        return LocalAE.from_settings(self.settings())

    def printers(self) -> list[PrinterProfile]:
        return list(self.settings().printers.printers)

    def printer(self) -> PrinterProfile | None:
        """The chosen DICOM printer; None when films go to paper only (PDF, system)."""
        name = self.printer_combo.currentData()
        return next((p for p in self.printers() if p.name == name), None)

    def _profile(self) -> PrinterProfile:
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
        profile = self._profile()
        self._updating = True
        keep_size, keep_format = self.size_combo.currentData(), self.format_combo.currentData()
        _fill(self.size_combo, [(s.id, s.id) for s in profile.film_sizes], keep_size)
        _fill(self.format_combo, [(f, f) for f in profile.display_formats], keep_format)
        at = self.orientation_combo.findData(profile.orientation)
        self.orientation_combo.setCurrentIndex(max(0, at))
        _fill(self.medium_combo, [(m, m) for m in profile.mediums or ("",)], None)
        _fill(self.destination_combo, [(d, d) for d in profile.destinations or ("",)], None)
        self.copies_spin.setMaximum(min(9, profile.max_copies))
        self.color_check.setEnabled(profile.color)
        if not profile.color:
            self.color_check.setChecked(False)
        self.print_button.setEnabled(self.printer() is not None)
        self._updating = False
        self.status_label.probe(self.printer())
        self._spec_changed()

    def spec(self) -> FilmSpec:
        """The film spec the controls give (raises FilmLayoutError for one not possible)."""
        return spec_for(
            self._profile(), self.size_combo.currentData(), self.format_combo.currentData(),
            orientation=self.orientation_combo.currentData(), copies=self.copies_spin.value(),
            medium=self.medium_combo.currentData() or None,
            destination=self.destination_combo.currentData() or None,
            color=self.color_check.isChecked(), annotations=self.annotations_check.isChecked(),
            true_size=self.true_size_check.isChecked(),
        )  # fmt: skip

    def _spec_changed(self, *_args: object) -> None:
        if self._updating:
            return
        try:
            spec = self.spec()
        except WorkstationError as exc:
            self._show_banner(error_text(exc), error=True)
            return
        cols, rows = spec.film_px
        bits = self.tr("RGB") if spec.color else self.tr("%1 bit").replace("%1", str(spec.bits))
        self.matrix_label.setText(self.tr("Printer matrix %1 × %2 pixels, %3, %4 mm per pixel")
                                  .replace("%1", str(cols)).replace("%2", str(rows))
                                  .replace("%3", bits).replace("%4", f"{spec.pixel_mm:.3f}"))  # fmt: skip
        if self.composer.set_spec(spec):
            self.current = min(self.current, self.composer.sheet_count - 1)
        self._refresh()

    # -- adding images ---------------------------------------------------------------------
    def add_series(self, series_uid: str, box: int | None = None) -> int:
        """Add a series (its key images only when asked) before ``box`` of the shown
        sheet (default: at the end); how many images were added."""
        return self.add_uids([series_uid], box)

    def add_uids(self, uids: list[str], box: int | None = None,
                 key_images_only: bool | None = None) -> int:  # fmt: skip
        """Add the images of studies, series or instances; how many were added."""
        at = None if box is None or box < 0 else self.composer.insert_index(self.current, box)
        only_keys = self.key_only_check.isChecked() if key_images_only is None else key_images_only
        try:
            result = self.composer.add_uids(uids, at=at, key_images_only=only_keys)
        except WorkstationError as exc:
            self._show_banner(error_text(exc), error=True)
            return 0
        parts = [self.tr("%n image(s) added to the films.", "", result.added)]
        if result.not_key:
            parts.append(self.tr("%n image(s) left out: not key images.", "", result.not_key))
        if result.skipped:
            parts.append(self.tr("%n object(s) without pixel data left out.", "",
                                 len(result.skipped)))  # fmt: skip
        if only_keys and not result.added:
            parts.append(self.tr("No image of it is flagged as a key image."))
        self._show_banner(" ".join(parts), error=not result.added)
        if result.added:
            first = at if at is not None else len(self.composer.images) - result.added
            placed = self.composer.placement(first)
            if placed is not None:
                self.current = placed.sheet
            self._select(first)
        self._refresh()
        return result.added

    def add_image(self, sop_uid: str, frame: int = 0, **display: object) -> bool:
        """Add one image shown as ``display`` says (the viewer's window, rotation, flip,
        invert); True when added."""
        try:
            result = self.composer.add_image(sop_uid, frame, **display)
        except WorkstationError as exc:
            self._show_banner(error_text(exc), error=True)
            return False
        if not result.added:
            self._show_banner(self.tr("The image has no pixel data to print."), error=True)
            return False
        index = len(self.composer.images) - 1
        placed = self.composer.placement(index)
        self.current = placed.sheet if placed is not None else self.current
        self._select(index)
        self._show_banner(self.tr("Image added to film %1.").replace("%1", str(self.current + 1)))
        self._refresh()
        return True

    def clear(self) -> None:
        self.composer.clear()
        self.worker.forget_sources()
        self.current, self.selected = 0, None
        self._refresh()

    def _on_series_dropped(self, box: int, series_uid: str) -> None:
        self.add_series(series_uid, box)

    # -- the selected box ------------------------------------------------------------------
    def _on_box_clicked(self, box: int) -> None:
        self._select(self.composer.image_at(self.current, box) if box >= 0 else None)

    def _select(self, index: int | None) -> None:
        self.selected = index
        placed = self.composer.placement(index) if index is not None else None
        self.preview.set_selected(placed.box if placed is not None else -1)
        self._sync_box_controls()

    def _sync_box_controls(self) -> None:
        index = self.selected
        enabled = index is not None and 0 <= index < len(self.composer.images)
        for w in self.box_group.findChildren(QWidget):
            if w is not self.box_label:
                w.setEnabled(enabled)
        if not enabled:
            self.box_label.setText(self.tr("Click a box on the film to change how it shows "
                                           "its image."))  # fmt: skip
            return
        content = self.composer.images[index].content
        placed = self.composer.placement(index)
        self.box_label.setText(self.tr("Film %1, box %2: %3")
                               .replace("%1", str(placed.sheet + 1))
                               .replace("%2", str(placed.box + 1))
                               .replace("%3", self.composer.describe(index)))  # fmt: skip
        self._updating = True
        try:
            window = self.composer.window_of(index)
        except Exception as exc:  # an unreadable file: its box says so when rendered
            log.warning("window of film image not read: %s", exc)
            window = None
        for spin in (self.centre_spin, self.width_spin, self.default_window_button):
            spin.setEnabled(window is not None)
        if window is not None:
            self.centre_spin.setValue(window[0])
            self.width_spin.setValue(window[1])
        self.zoom_spin.setValue(content.zoom)
        self.flip_check.setChecked(content.flip_h)
        self.invert_check.setChecked(content.invert)
        self._updating = False

    def _edit(self, index: int | None = None, **changes: object) -> None:
        index = self.selected if index is None else index
        if self._updating or index is None or not 0 <= index < len(self.composer.images):
            return
        try:
            self.composer.update(index, **changes)
        except WorkstationError as exc:
            self._show_banner(error_text(exc), error=True)
            return
        self._select(index)
        self._refresh()

    def _on_window_spin(self, *_args: object) -> None:
        self._edit(window=(self.centre_spin.value(), self.width_spin.value()))

    def _rotate(self, degrees: int) -> None:
        if self.selected is not None:
            content = self.composer.images[self.selected].content
            self._edit(rotate=(content.rotate + degrees) % 360)

    def _move(self, step: int) -> None:
        if self.selected is None:
            return
        to = self.selected + step
        if 0 <= to < len(self.composer.images):
            self.composer.move(self.selected, to)
            placed = self.composer.placement(to)
            if placed is not None:
                self.current = placed.sheet
            self._select(to)
            self._refresh()

    def _box_index(self, box: int) -> int | None:
        return self.selected if box < 0 else self.composer.image_at(self.current, box)

    def _on_window_dragged(self, box: int, d_width: float, d_centre: float) -> None:
        index = self._box_index(box)
        if index is None:
            return
        window = self.composer.window_of(index)
        if window is None:
            return
        scale = max(1.0, window[1] / 256.0)  # wide windows move faster, as in the viewer
        self._edit(index, window=(window[0] + d_centre * scale,
                                  max(1.0, window[1] + d_width * scale)))  # fmt: skip

    def _on_pan_dragged(self, box: int, dx: float, dy: float) -> None:
        index = self._box_index(box)
        if index is not None:
            pan = self.composer.images[index].content.pan
            self._edit(index, pan=(pan[0] + dx, pan[1] + dy))

    def _on_zoom(self, box: int, factor: float) -> None:
        index = self._box_index(box)
        if index is not None:
            zoom = self.composer.images[index].content.zoom * factor
            self._edit(index, zoom=max(0.1, min(20.0, zoom)))

    def _on_reset(self, box: int) -> None:
        index = self._box_index(box)
        if index is not None:
            self.composer.reset(index)
            self._select(index)
            self._refresh()

    def _on_delete(self, box: int) -> None:
        index = self._box_index(box)
        if index is None:
            return
        self.composer.remove(index)
        self.current = min(self.current, self.composer.sheet_count - 1)
        self._select(None)
        self._refresh()

    # -- preview ---------------------------------------------------------------------------
    def show_sheet(self, number: int) -> None:
        if 0 <= number < self.composer.sheet_count:
            self.current = number
            self._select(None)
            self._refresh()

    def _on_actual_pixels(self, on: bool) -> None:
        self.scroll.setWidgetResizable(not on)
        self.preview.set_actual_pixels(on)

    def raster(self, sheet: int | None = None) -> SheetRaster | None:
        """The rendered raster of ``sheet`` (default: the one shown) for the composition
        as it is now; None while it is being rendered."""
        if self._revision != self.composer.revision:
            return None
        return self._rasters.get(self.current if sheet is None else sheet)

    def rendering(self) -> bool:
        return self._render_timer.isActive() or not self.worker.idle() or (
            bool(self.composer.images) and self.raster() is None
            and self.current not in self._errors)  # fmt: skip

    def _refresh(self) -> None:
        if self._revision != self.composer.revision:
            self._rasters.clear()
            self._errors.clear()
            self._revision = self.composer.revision
        count = self.composer.sheet_count
        self.current = max(0, min(self.current, count - 1))
        self.sheet_label.setText(self.tr("Film %1 of %2").replace("%1", str(self.current + 1))
                                 .replace("%2", str(count)))  # fmt: skip
        self.prev_button.setEnabled(self.current > 0)
        self.next_button.setEnabled(self.current < count - 1)
        images = len(self.composer.images)
        self.count_label.setText(self.tr("%n image(s) on %1 film(s)", "", images)
                                 .replace("%1", str(count if images else 0)))  # fmt: skip
        for w in (self.pdf_button, self.system_button, self.clear_button):
            w.setEnabled(images > 0)
        self.print_button.setEnabled(images > 0 and self.printer() is not None)
        used = [i is not None for i in self._sheet_boxes()]
        raster = self.raster()
        self.preview.show_film(self.composer.spec, raster.film if raster else None, used)
        self._sync_box_controls()
        self._show_notes(raster)
        if raster is None and self.current not in self._errors:
            if images:
                self.preview.set_busy(self.tr("Rendering at the printer's matrix…"))
            else:
                self.preview.set_busy("")
            self._render_timer.start()
        else:
            self.preview.set_busy("")

    def _sheet_boxes(self) -> list[int | None]:
        per = self.composer.spec.boxes_per_film
        return [self.composer.image_at(self.current, b) for b in range(per)]

    def _render_now(self) -> None:
        if not self.composer.images or self.raster() is not None:
            return
        sheet = self.composer.sheet(self.current)
        self.worker.request((self.composer.revision, self.current), sheet)

    def _on_rendered(self, key: object, raster: object, error: str) -> None:
        revision, sheet = key  # type: ignore[misc]
        if revision != self.composer.revision:
            return  # made for an older composition
        if raster is None:
            self._errors[sheet] = error
        else:
            self._rasters[sheet] = raster  # type: ignore[assignment]
            while len(self._rasters) > CACHED_SHEETS:
                oldest = next(k for k in self._rasters if k != self.current)
                del self._rasters[oldest]
        if sheet == self.current:
            self._refresh()

    def _show_notes(self, raster: SheetRaster | None) -> None:
        lines = []
        if self.current in self._errors:
            lines.append(self.tr("Film %1 cannot be rendered: %2")
                         .replace("%1", str(self.current + 1))
                         .replace("%2", self._errors[self.current]))  # fmt: skip
        if raster is not None:
            lines.extend(raster.notes)
            if self.composer.spec.true_size and not raster.notes:
                lines.append(self.tr("Every box is at true size: 1 cm on the patient is 1 cm "
                                     "on the film."))  # fmt: skip
        self.notes.setText("\n".join(lines))
        # a word-wrapped label in a nested layout gets one line's height: ask for them all
        width = max(200, self.notes.width())
        needed = self.notes.fontMetrics().boundingRect(
            0, 0, width, 10_000, Qt.TextFlag.TextWordWrap, self.notes.text()).height()  # fmt: skip
        self.notes.setMinimumHeight(needed + 4 if lines else 0)
        self.notes.setStyleSheet("color: #b00020;" if self.current in self._errors else "")

    def _show_banner(self, text: str, *, error: bool = False) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(
            "background: #fde7e9; color: #8a1020; padding: 6px; border: 1px solid #e0a0a8;"
            if error else
            "background: #e8f3e8; color: #1d4d1d; padding: 6px; border: 1px solid #a8d0a8;"
        )  # fmt: skip
        self.banner.setVisible(bool(text))
        if text:
            self.message.emit(text)

    # -- outputs ---------------------------------------------------------------------------
    def print_films(self) -> list[int]:
        """Queue the films as print jobs on the chosen printer (at most the printer
        queue's limit of sheets per job); the job ids."""
        printer = self.printer()
        if printer is None or self.queue is None:
            self._show_banner(self.tr("Choose a DICOM printer to print films on."), error=True)
            return []
        if not self.composer.images:
            self._show_banner(self.tr("The films hold no image yet."), error=True)
            return []
        ids = []
        try:
            for first, count in self.composer.job_batches(self.settings().printers.queue_limit):
                params = self.composer.job_params(printer.name, first, count)
                job_id = self.queue.submit(print_job.KIND, params,
                                           max_attempts=print_job.max_attempts(printer))  # fmt: skip
                self.jobs[job_id] = printer.name
                ids.append(job_id)
        except WorkstationError as exc:
            self._show_banner(error_text(exc), error=True)
            return ids
        self.wake()
        self.status_label.probe(printer)
        films = self.composer.sheet_count
        self._show_banner(self.tr("%n film(s) queued for printer %1 (job %2). The Jobs panel "
                                  "shows the progress.", "", films)
                          .replace("%1", printer.name)
                          .replace("%2", ", ".join(str(i) for i in ids)))  # fmt: skip
        return ids

    def on_job_changed(self, job_id: int) -> None:
        """A job moved on: for a print job started here, say how it went."""
        if job_id not in self.jobs or self.queue is None:
            return
        job = self.queue.get(job_id)
        if job is None:
            return
        printer = self.jobs[job_id]
        if job.state == JobState.FAILED:
            self._show_banner(self.tr("Films not printed on %1: %2 The films are kept: "
                                      "Retry in the Jobs panel prints them again.")
                              .replace("%1", printer)
                              .replace("%2", _sentence(job.last_error or job.message or "")),
                              error=True)  # fmt: skip
            self.status_label.probe(self.printer())
        elif job.state == JobState.SUCCEEDED:
            self._show_banner(self.tr("Job %1: films printed on %2.").replace("%1", str(job_id))
                              .replace("%2", printer))  # fmt: skip
        elif job.state == JobState.QUEUED and job.attempts and job.last_error:
            self._show_banner(self.tr("Printer %1 did not take the films (%2); trying again "
                                      "(attempt %3 of %4).")
                              .replace("%1", printer).replace("%2", job.last_error)
                              .replace("%3", str(job.attempts + 1))
                              .replace("%4", str(job.max_attempts)), error=True)  # fmt: skip

    def save_pdf(self, path: str | Path | None = None) -> bool:
        """Write the films to a PDF at film size (off the GUI thread); False when nothing
        was started."""
        if not self.composer.images:
            self._show_banner(self.tr("The films hold no image yet."), error=True)
            return False
        if self._pdf_thread is not None and self._pdf_thread.is_alive():
            return False
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Save films as PDF"),
                                                    "films.pdf", self.tr("PDF (*.pdf)"))  # fmt: skip
            if not chosen:
                return False
            path = chosen
        sheets = self.composer.sheets()
        rendered = {i: r for i, r in self._rasters.items()} if self.raster() is not None else {}
        self._pdf_cancel.clear()
        target = Path(path)

        def on_page(done: int, total: int) -> None:
            if self._pdf_cancel.is_set():
                raise InterruptedError("cancelled")
            self._pdf_page.emit(done, total)

        def work() -> None:
            error = ""
            try:
                write_sheets_pdf(target, sheets, title="films", rendered=rendered,
                                 on_page=on_page)  # fmt: skip
            except InterruptedError:
                error = self.tr("cancelled")
            except WorkstationError as exc:
                error = error_text(exc)
            except Exception as exc:  # a sheet that cannot be drawn: say it, keep going
                log.exception("PDF not written")
                error = str(exc)
            try:
                self._pdf_done.emit(str(target), error)
            except RuntimeError:
                pass

        self.pdf_button.setText(self.tr("Cancel PDF"))
        self.pdf_button.clicked.disconnect()
        self.pdf_button.clicked.connect(self._pdf_cancel.set)
        self._pdf_thread = threading.Thread(target=work, name="film-pdf", daemon=True)
        self._pdf_thread.start()
        return True

    def wait_pdf(self, timeout_s: float) -> bool:
        """Wait (bounded) for a PDF being written; True when none is being written."""
        if self._pdf_thread is not None:
            self._pdf_thread.join(timeout_s)
            return not self._pdf_thread.is_alive()
        return True

    def _on_pdf_page(self, done: int, total: int) -> None:
        self._show_banner(self.tr("Writing the PDF: film %1 of %2…").replace("%1", str(done + 1))
                          .replace("%2", str(total)))  # fmt: skip

    def _on_pdf_done(self, path: str, error: str) -> None:
        self.pdf_button.setText(self.tr("Save as PDF…"))
        self.pdf_button.clicked.disconnect()
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        if error:
            self._show_banner(self.tr("PDF not written: %1").replace("%1", error), error=True)
        else:
            self._show_banner(self.tr("Films saved as %1 (film size, print at 100 %).")
                              .replace("%1", path))  # fmt: skip

    def print_system(self, printer: QPrinter | None = None) -> bool:
        """Print the films on a system printer (a dialog chooses it unless given), one
        page per film at the film's size; True when printed."""
        if not self.composer.images:
            self._show_banner(self.tr("The films hold no image yet."), error=True)
            return False
        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            dialog = QPrintDialog(printer, self)
            if dialog.exec() != QPrintDialog.DialogCode.Accepted:
                return False
        sheets = self.composer.sheets()
        spec = self.composer.spec
        width, height = spec.film_mm
        page = QPageSize(QSizeF(width, height), QPageSize.Unit.Millimeter, spec.film_size_id)
        printer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait,
                                          QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter))  # fmt: skip
        printer.setFullPage(True)
        painter = QPainter()
        if not painter.begin(printer):
            self._show_banner(self.tr("The system printer cannot be opened."), error=True)
            return False
        try:
            for number, sheet in enumerate(sheets):
                if number:
                    printer.newPage()
                raster = self._rasters.get(number) if self.raster() is not None else None
                if raster is None:
                    from workstation.imaging.film_render import render_sheet

                    raster = render_sheet(sheet)
                image = film_qimage(raster.film, 8 if spec.color else spec.bits)
                painter.drawImage(painter.viewport(), image)
        except WorkstationError as exc:
            self._show_banner(error_text(exc), error=True)
            return False
        finally:
            painter.end()
        self._show_banner(self.tr("%n film(s) sent to the system printer.", "", len(sheets)))
        return True

    def shutdown(self) -> None:
        self._pdf_cancel.set()
        self.wait_pdf(5.0)
        self.status_label.wait(5.0)
        self.worker.stop()


def _fill(combo: QComboBox, items: list[tuple[str, object]], keep: object) -> None:
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    at = combo.findData(keep) if keep is not None else -1
    combo.setCurrentIndex(at if at >= 0 else 0)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."
