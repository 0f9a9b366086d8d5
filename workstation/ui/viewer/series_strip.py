"""The viewer's series strip: one thumbnail per series of the open studies, dragged onto
a viewport (or double-clicked) to show that series there."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt
from PySide6.QtWidgets import QListView, QWidget

from workstation.store.browse import SeriesRow
from workstation.ui.browser.thumbnail_strip import (
    ICON,
    SERIES_MIME,
    ThumbnailLoader,
    ThumbnailStrip,
)

__all__ = ["SERIES_MIME", "SeriesStrip", "series_uid_of"]
STRIP_ICON = 96


def series_uid_of(mime: QMimeData) -> str | None:
    """The Series Instance UID a drag carries, or None."""
    if mime.hasFormat(SERIES_MIME):
        return bytes(mime.data(SERIES_MIME).data()).decode("ascii", "replace")
    return None


class SeriesStrip(ThumbnailStrip):
    """A vertical thumbnail strip whose items drag their Series Instance UID."""

    def __init__(self, loader: ThumbnailLoader, store_root, parent: QWidget | None = None):
        super().__init__(loader, store_root, parent)
        self.setObjectName("seriesStrip")
        self.setFlow(QListView.Flow.TopToBottom)
        self.setIconSize(QSize(STRIP_ICON, STRIP_ICON))
        self.setGridSize(QSize(STRIP_ICON + 24, STRIP_ICON + 44))
        self.setMinimumHeight(0)
        self.setMaximumHeight(16777215)
        self.setFixedWidth(STRIP_ICON + 24 + 2 * self.frameWidth() + 18)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setMovement(QListView.Movement.Static)
        self._rows: list[SeriesRow] = []
        assert ICON >= STRIP_ICON  # thumbnails are made at the browser's size, shown smaller

    def show_rows(self, rows: list[SeriesRow], group_titles: dict[str, str] | None = None):
        """Show ``rows``; ``group_titles`` (series UID -> study label) marks compared studies."""
        self._rows = rows
        self.show_series(rows)
        for row in rows:
            item = self.item_of(row.series_uid)
            title = (group_titles or {}).get(row.series_uid)
            if item is not None and title:
                item.setText(f"{title}\n{item.text()}")
