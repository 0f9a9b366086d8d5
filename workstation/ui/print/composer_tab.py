"""The film composer: a main tab where films are laid out, previewed and printed.

Left, the preview of one sheet (:class:`~workstation.ui.print.film_preview.FilmPreview`):
the raster rendered at the chosen printer's matrix, the same raster the print job sends,
the PDF holds and the system printer gets. Right, the film
(:class:`~workstation.ui.print.film_panel.FilmPanel`: printer, its status, the film
spec), the selected box (:class:`~workstation.ui.print.box_panel.BoxPanel`), the images
and the outputs: print on the DICOM printer as jobs, PDF and the system printer
(:mod:`workstation.ui.print.film_outputs`).

Series dragged from the browser or the viewer drop onto a box (all their images, or
only their key images), the viewer's "Film" button adds the image it shows as it shows
it. Rendering runs off the GUI thread (:class:`~workstation.ui.print.render_worker.RenderWorker`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import PrinterProfile, Settings
from workstation.errors import WorkstationError
from workstation.imaging.film_render import SheetRaster
from workstation.jobs import JobQueue
from workstation.printing.profiles import spec_for
from workstation.services.film_composer import FilmComposer
from workstation.store.local_store import LocalStore
from workstation.ui.messages import error_text
from workstation.ui.print.box_panel import MAX_ZOOM, MIN_ZOOM, BoxPanel
from workstation.ui.print.film_outputs import FilmOutputs
from workstation.ui.print.film_panel import PAPER, FilmPanel
from workstation.ui.print.film_preview import FilmPreview
from workstation.ui.print.render_worker import RenderWorker

log = logging.getLogger(__name__)

RENDER_DELAY_MS = 60
CACHED_SHEETS = 3
ERROR_STYLE = "background: #fde7e9; color: #8a1020; padding: 6px; border: 1px solid #e0a0a8;"
OK_STYLE = "background: #e8f3e8; color: #1d4d1d; padding: 6px; border: 1px solid #a8d0a8;"


class ComposerTab(QWidget):
    """The "Film" tab. ``message`` carries status bar texts."""

    message = Signal(str)

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
        self._rasters: dict[int, SheetRaster] = {}  # sheet -> raster of self._revision
        self._revision = -1
        self._errors: dict[int, str] = {}

        self.worker = RenderWorker(self)
        self.worker.rendered.connect(self._on_rendered)
        self._render_timer = QTimer(self, singleShot=True, interval=RENDER_DELAY_MS)
        self._render_timer.timeout.connect(self._render_now)

        self._build()
        self.film.reload_printers()

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
        self.preview.series_dropped.connect(lambda box, uid: self.add_series(uid, box))
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

        self.film = FilmPanel(self.settings, self)
        self.film.changed.connect(self._spec_changed)
        self.film.printer_changed.connect(self._refresh_buttons)
        self.box = BoxPanel(self)
        self.box.edited.connect(lambda changes: self._edit(**changes))
        self.box.rotated.connect(self._rotate)
        self.box.moved.connect(self._move)
        self.box.reset_requested.connect(lambda: self._on_reset(-1))
        self.box.remove_requested.connect(lambda: self._on_delete(-1))
        side = QWidget(self)
        column = QVBoxLayout(side)
        self.outputs = FilmOutputs(self.composer, self.printer, self.rendered,
                                   lambda: self.settings().printers.queue_limit, self.queue,
                                   self.wake, self)  # fmt: skip
        self.outputs.said.connect(lambda text, error: self._show_banner(text, error=error))
        self.print_button = self.outputs.print_button
        for group in (self.film, self.box, self._images_group(), self.outputs):
            column.addWidget(group)
        column.addStretch(1)
        side_scroll = QScrollArea(self)
        side_scroll.setWidget(side)
        side_scroll.setWidgetResizable(True)
        side_scroll.setFixedWidth(side.sizeHint().width() + 28)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(side_scroll)

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

    # -- printers and the film spec --------------------------------------------------------
    def printer(self) -> PrinterProfile | None:
        """The chosen DICOM printer; None when films go to paper only."""
        return self.film.printer()

    def reload_printers(self) -> None:
        """Fill the printer list from the settings (after service mode saved them)."""
        self.film.reload_printers()

    def _spec_changed(self) -> None:
        try:
            spec = self.film.spec()
        except WorkstationError as exc:
            self._show_banner(error_text(exc), error=True)
            return
        self.film.show_matrix(spec)
        self.composer.set_spec(spec)
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
            self._go_to(at if at is not None else len(self.composer.images) - result.added)
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
        self._go_to(len(self.composer.images) - 1)
        self._show_banner(self.tr("Image added to film %1.").replace("%1", str(self.current + 1)))
        self._refresh()
        return True

    def clear(self) -> None:
        self.composer.clear()
        self.worker.forget_sources()
        self.current, self.selected = 0, None
        self._refresh()

    # -- the selected box ------------------------------------------------------------------
    def _go_to(self, index: int) -> None:
        """Show the sheet of image ``index`` and select its box."""
        placed = self.composer.placement(index)
        if placed is not None:
            self.current = placed.sheet
        self._select(index)

    def _on_box_clicked(self, box: int) -> None:
        self._select(self.composer.image_at(self.current, box) if box >= 0 else None)

    def _select(self, index: int | None) -> None:
        self.selected = index
        placed = self.composer.placement(index) if index is not None else None
        self.preview.set_selected(placed.box if placed is not None else -1)
        self._sync_box_controls()

    def _sync_box_controls(self) -> None:
        index = self.selected
        if index is None or not 0 <= index < len(self.composer.images):
            self.box.show_nothing()
            return
        placed = self.composer.placement(index)
        try:
            window = self.composer.window_of(index)
        except Exception as exc:  # an unreadable file: its box says so when rendered
            log.warning("window of film image not read: %s", exc)
            window = None
        self.box.show_box(placed.sheet, placed.box, self.composer.describe(index),
                          self.composer.images[index].content, window)  # fmt: skip

    def _edit(self, index: int | None = None, **changes: object) -> None:
        index = self.selected if index is None else index
        if index is None or not 0 <= index < len(self.composer.images):
            return
        try:
            self.composer.update(index, **changes)
        except WorkstationError as exc:
            self._show_banner(error_text(exc), error=True)
            return
        self._select(index)
        self._refresh()

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
            self._go_to(to)
            self._refresh()

    def _box_index(self, box: int) -> int | None:
        return self.selected if box < 0 else self.composer.image_at(self.current, box)

    def _on_window_dragged(self, box: int, d_width: float, d_centre: float) -> None:
        index = self._box_index(box)
        window = self.composer.window_of(index) if index is not None else None
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
            self._edit(index, zoom=max(MIN_ZOOM, min(MAX_ZOOM, zoom)))

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

    def rendered(self) -> dict[int, SheetRaster]:
        """The sheets rendered for the composition as it is now (sheet -> raster)."""
        return dict(self._rasters) if self._revision == self.composer.revision else {}

    def raster(self, sheet: int | None = None) -> SheetRaster | None:
        """The rendered raster of ``sheet`` (default: the one shown) for the composition
        as it is now; None while it is being rendered."""
        return self.rendered().get(self.current if sheet is None else sheet)

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
        self._refresh_buttons()
        per = self.composer.spec.boxes_per_film
        used = [self.composer.image_at(self.current, b) is not None for b in range(per)]
        raster = self.raster()
        self.preview.show_film(self.composer.spec, raster.film if raster else None, used)
        self._sync_box_controls()
        self._show_notes(raster)
        waiting = raster is None and self.current not in self._errors
        self.preview.set_busy(self.tr("Rendering at the printer's matrix…")
                              if waiting and images else "")  # fmt: skip
        if waiting:
            self._render_timer.start()

    def _refresh_buttons(self) -> None:
        self.clear_button.setEnabled(bool(self.composer.images))
        self.outputs.update_buttons()

    def _render_now(self) -> None:
        if self.composer.images and self.raster() is None:
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
        self.banner.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.banner.setVisible(bool(text))
        if text:
            self.message.emit(text)

    # -- outputs ---------------------------------------------------------------------------
    def print_films(self) -> list[int]:
        """Queue the films as print jobs on the chosen printer; the job ids."""
        ids = self.outputs.print_films()
        if ids:
            self.film.status_label.probe(self.printer())
        return ids

    def on_job_changed(self, job_id: int) -> None:
        """A job moved on: for a print job started here, say how it went (and ask the
        printer again when it failed)."""
        if self.outputs.on_job_changed(job_id):
            self.film.status_label.probe(self.printer())

    def save_pdf(self, path: str | Path | None = None) -> bool:
        return self.outputs.save_pdf(path)

    def wait_pdf(self, timeout_s: float) -> bool:
        return self.outputs.pdf.wait(timeout_s)

    def print_system(self, printer: QPrinter | None = None) -> bool:
        return self.outputs.print_system(printer)

    def shutdown(self) -> None:
        self.outputs.shutdown()
        self.film.status_label.wait(5.0)
        self.worker.stop()
