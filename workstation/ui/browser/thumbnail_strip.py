"""The thumbnail strip of the selected study: one picture per series, made off the GUI thread.

:class:`ThumbnailLoader` renders (or reads from the disk cache) on one plain worker
thread and hands back numpy arrays through a queued signal; only the newest request
counts, so clicking through studies quickly never queues stale work. The strip turns
the arrays into pixmaps on the GUI thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QWidget,
)

from workstation.errors import WorkstationError
from workstation.imaging.thumbnails import ThumbnailCache
from workstation.store.browse import SeriesRow

log = logging.getLogger(__name__)

ICON = 128
SERIES_UID_ROLE = Qt.ItemDataRole.UserRole + 3
# what a dragged series carries: its Series Instance UID (ASCII)
SERIES_MIME = "application/x-workstation-series-uid"
STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class ThumbnailRequest:
    series_uid: str
    sop_uid: str
    path: Path


class ThumbnailLoader(QObject):
    """Renders thumbnails on its own thread; ``ready(generation, request, image, error)``
    (``request`` the :class:`ThumbnailRequest` it answers)."""

    ready = Signal(int, object, object, str)

    def __init__(self, cache: ThumbnailCache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self._queue: queue.Queue[tuple[int, ThumbnailRequest] | None] = queue.Queue()
        self._generation = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def request(self, items: list[ThumbnailRequest]) -> int:
        """Replace whatever is pending by ``items``; returns their generation number."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(
                    target=self._run, name="thumbnail-loader", daemon=True
                )
                self._thread.start()
        for item in items:
            self._queue.put((generation, item))
        return generation

    def stop(self) -> None:
        """Finish the current picture, drop the rest, join the thread (bounded)."""
        with self._lock:
            self._stopping = True
            self._generation += 1
            thread = self._thread
        self._queue.put(None)
        if thread is not None:
            thread.join(STOP_TIMEOUT_S)
            if thread.is_alive():
                log.error("thumbnail loader did not stop within %.0f s", STOP_TIMEOUT_S)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            generation, item = job
            if generation != self._generation:
                continue  # the user moved on to another study
            image: np.ndarray | None = None
            error = ""
            try:
                image = self.cache.get(item.series_uid, item.sop_uid, item.path)
            except WorkstationError as exc:
                error = exc.message()
            except Exception as exc:  # a decoder crash must not end the loader
                log.warning("thumbnail of %s failed: %s", item.sop_uid, exc)
                error = str(exc)
            if generation == self._generation and not self._stopping:
                try:
                    self.ready.emit(generation, item, image, error)
                except RuntimeError:  # the receiver is gone (shutdown)
                    return


def to_qimage(image: np.ndarray) -> QImage:
    """A deep-copied QImage of an 8-bit grey (H x W) or RGB (H x W x 3) array."""
    data = np.ascontiguousarray(image)
    h, w = data.shape[:2]
    if data.ndim == 2:
        qimage = QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8)
    else:
        qimage = QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return qimage.copy()


def placeholder_pixmap(text: str, size: int = ICON) -> QPixmap:
    """A dark square of ``size`` with ``text`` in it: an icon while (or where no)
    thumbnail is made."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(45, 45, 48))
    painter = QPainter(pixmap)
    painter.setPen(QColor(170, 170, 170))
    painter.drawText(pixmap.rect().adjusted(6, 6, -6, -6),
                     Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)  # fmt: skip
    painter.end()
    return pixmap


def fit_pixmap(image: QImage, size: int = ICON) -> QPixmap:
    """The thumbnail centred on a dark square of ``size`` (small images enlarged)."""
    scale = min(size / max(image.width(), 1), size / max(image.height(), 1))
    mode = (
        Qt.TransformationMode.FastTransformation
        if scale >= 4
        else Qt.TransformationMode.SmoothTransformation
    )
    scaled = image.scaled(
        max(1, round(image.width() * scale)),
        max(1, round(image.height() * scale)),
        Qt.AspectRatioMode.KeepAspectRatio,
        mode,
    )
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(0, 0, 0))
    painter = QPainter(pixmap)
    painter.drawImage((size - scaled.width()) // 2, (size - scaled.height()) // 2, scaled)
    painter.end()
    return pixmap


class ThumbnailStrip(QListWidget):
    """One icon per series of the study shown; ``series_clicked(series_uid)``."""

    series_clicked = Signal(str)

    def __init__(self, loader: ThumbnailLoader, store_root: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.loader = loader
        self.store_root = Path(store_root)
        self._generation = -1
        self._shown: list[tuple[str, str]] = []
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setIconSize(QSize(ICON, ICON))
        self.setGridSize(QSize(ICON + 28, ICON + 48))
        self.setWordWrap(True)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scrollbar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.setFixedHeight(ICON + 48 + scrollbar + 2 * self.frameWidth() + 4)
        # a dark light-box, as on a viewer: grey-scale images read better on it
        self.setStyleSheet(
            "QListWidget { background: #1e1f22; color: #e8e8e8; }"
            " QListWidget::item:selected { background: #2f5d8a; color: white; }"
        )
        self.loader.ready.connect(self._on_ready, Qt.ConnectionType.QueuedConnection)
        self.itemClicked.connect(self._on_clicked)

    def show_series(self, rows: list[SeriesRow]) -> None:
        """Show ``rows`` (one study's series); keeps the icons if nothing changed."""
        shown = [(r.series_uid, r.thumbnail_sop_uid) for r in rows]
        if shown == self._shown:
            self._update_labels(rows)
            return
        self._shown = shown
        self.clear()
        requests = []
        for r in rows:
            item = QListWidgetItem(QIcon(placeholder_pixmap(r.modality or "…")), self._label(r))
            item.setData(SERIES_UID_ROLE, r.series_uid)
            item.setToolTip(self._tooltip(r))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            self.addItem(item)
            if r.thumbnail_rel_path:
                path = self.store_root / r.thumbnail_rel_path
                requests.append(ThumbnailRequest(r.series_uid, r.thumbnail_sop_uid, path))
        self._generation = self.loader.request(requests)

    def _update_labels(self, rows: list[SeriesRow]) -> None:
        for i, r in enumerate(rows):
            item = self.item(i)
            if item is not None:
                item.setText(self._label(r))
                item.setToolTip(self._tooltip(r))

    def _label(self, r: SeriesRow) -> str:
        number = "" if r.series_number is None else f"{r.series_number} "
        n = r.num_images
        images = self.tr("1 image") if n == 1 else self.tr("%1 images").replace("%1", str(n))
        desc = r.description or r.modality
        return f"{number}{desc}\n{images}"

    def _tooltip(self, r: SeriesRow) -> str:
        return self.tr("Series {number}: {modality} {description}, {images} images").format(
            number="" if r.series_number is None else r.series_number,
            modality=r.modality,
            description=r.description,
            images=r.num_images,
        )

    def item_of(self, series_uid: str) -> QListWidgetItem | None:
        for i in range(self.count()):
            item = self.item(i)
            if item is not None and item.data(SERIES_UID_ROLE) == series_uid:
                return item
        return None

    def has_thumbnail(self, series_uid: str) -> bool:
        item = self.item_of(series_uid)
        return item is not None and bool(item.data(Qt.ItemDataRole.UserRole + 4))

    def _on_ready(self, generation: int, request: object, image: object, error: str) -> None:
        if generation != self._generation or not isinstance(request, ThumbnailRequest):
            return
        item = self.item_of(request.series_uid)
        if item is None:
            return
        if isinstance(image, np.ndarray) and image.size:
            item.setIcon(QIcon(fit_pixmap(to_qimage(image))))
            item.setData(Qt.ItemDataRole.UserRole + 4, True)
        else:
            item.setIcon(QIcon(placeholder_pixmap(self.tr("No image"))))
            item.setToolTip(f"{item.toolTip()}\n{error}")

    def _on_clicked(self, item: QListWidgetItem) -> None:
        self.series_clicked.emit(item.data(SERIES_UID_ROLE))

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:
        """A drag carries the series' UID: dropped on a viewer tab or viewport, it opens."""
        mime = QMimeData()
        if items:
            uid = str(items[0].data(SERIES_UID_ROLE))
            mime.setData(SERIES_MIME, uid.encode("ascii"))
            mime.setText(uid)
        return mime

    def mimeTypes(self) -> list[str]:
        return [SERIES_MIME]

    def select_series(self, series_uid: str) -> None:
        item = self.item_of(series_uid)
        if item is not None:
            self.blockSignals(True)
            self.setCurrentItem(item)
            self.blockSignals(False)
