"""Free disk space for the main window's status bar, coloured when it runs low.

Amber below the cleanup low-water mark, red below the limit at which the node refuses
new images (A700): the technologist sees it before a modality gets refusals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from workstation.ui.storage_model import format_mb

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_MS = 30_000


class SpaceLevel(Enum):
    OK = "ok"
    LOW = "low"  # below the cleanup low-water mark
    REFUSING = "refusing"  # below min_free_space_mb: C-STOREs are refused


_STYLE = {
    SpaceLevel.OK: "",
    SpaceLevel.LOW: "QLabel { color: #8a5300; font-weight: bold; }",
    SpaceLevel.REFUSING: "QLabel { color: white; background: #b00020; padding: 0 4px;"
    " font-weight: bold; }",
}


class FreeSpaceIndicator(QLabel):
    """A status bar label: "Free: 12.3 GB". Re-reads the space every ``interval_ms``."""

    def __init__(
        self,
        free_mb_fn: Callable[[], float],
        refuse_below_mb: float,
        low_water_mb: float | None = None,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._free_mb_fn = free_mb_fn
        self._refuse_below_mb = refuse_below_mb
        self._low_water_mb = low_water_mb
        self.level = SpaceLevel.OK
        self.free_mb: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def set_thresholds(self, refuse_below_mb: float, low_water_mb: float | None) -> None:
        """New limits (settings changed); ``low_water_mb`` None when the policy is off."""
        self._refuse_below_mb = refuse_below_mb
        self._low_water_mb = low_water_mb
        self.refresh()

    def refresh(self) -> None:
        try:
            free = self._free_mb_fn()
        except OSError as exc:  # the data folder's disk went away
            log.error("free space cannot be read: %s", exc)
            self.free_mb = None
            self.setText(self.tr("Free: unknown"))
            self.setToolTip(str(exc))
            self._set_level(SpaceLevel.REFUSING)
            return
        self.free_mb = free
        if free < self._refuse_below_mb:
            level = SpaceLevel.REFUSING
        elif self._low_water_mb is not None and free < self._low_water_mb:
            level = SpaceLevel.LOW
        else:
            level = SpaceLevel.OK
        self.setText(self.tr("Free: %1").replace("%1", format_mb(free)))
        tip = self.tr("Free space in the image store. New images are refused below %1.").replace(
            "%1", format_mb(self._refuse_below_mb)
        )
        if self._low_water_mb is not None:
            tip += " " + self.tr("Automatic cleanup starts below %1.").replace(
                "%1", format_mb(self._low_water_mb)
            )
        self.setToolTip(tip)
        self._set_level(level)

    def _set_level(self, level: SpaceLevel) -> None:
        self.level = level
        self.setStyleSheet(_STYLE[level])
