"""Renders film sheets off the GUI thread, newest request first.

A plain Python thread (as ``ui/service/echo_runner.py`` explains: pynetdicom and the
decoders start Python threads of their own). One request waits at a time: a new one
replaces it, so scrolling through sheets or dragging a window renders only what is
still wanted. Results come back through a Qt signal, queued onto the GUI thread, with
the key the request was made with (the composer's revision and the sheet's index).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable

from PySide6.QtCore import QObject, Signal

from workstation.errors import WorkstationError
from workstation.imaging.film_render import render_sheet
from workstation.printing.film import Sheet
from workstation.ui.messages import error_text

log = logging.getLogger(__name__)
MAX_SOURCES = 64  # decoded files kept between renders (path -> FrameSource)


class RenderWorker(QObject):
    """``rendered(key, SheetRaster or None, error text)`` for each request still wanted."""

    rendered = Signal(object, object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._wake = threading.Condition()
        self._pending: tuple[Hashable, Sheet] | None = None
        self._busy = False
        self._stopped = False
        self._sources: dict = {}
        self._thread = threading.Thread(target=self._run, name="film-render", daemon=True)
        self._thread.start()

    def request(self, key: Hashable, sheet: Sheet) -> None:
        """Render ``sheet``; replaces a request not yet started."""
        with self._wake:
            self._pending = (key, sheet)
            self._wake.notify()

    def idle(self) -> bool:
        with self._wake:
            return self._pending is None and not self._busy

    def forget_sources(self) -> None:
        """Drop the decoded files (the store changed, or the composition was cleared)."""
        with self._wake:
            self._sources = {}

    def stop(self, timeout_s: float = 5.0) -> bool:
        """Stop the thread (bounded); True when it ended."""
        with self._wake:
            self._stopped = True
            self._pending = None
            self._wake.notify()
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                key, sheet = self._pending
                self._pending = None
                self._busy = True
                if len(self._sources) > MAX_SOURCES:
                    self._sources = {}
                sources = self._sources
            raster, error = None, ""
            try:
                raster = render_sheet(sheet, sources=sources)
            except WorkstationError as exc:
                error = error_text(exc)
            except Exception as exc:  # a file that cannot be drawn must not end the thread
                log.exception("film sheet not rendered")
                error = str(exc) or type(exc).__name__
            with self._wake:
                self._busy = False
                stopped = self._stopped
            if stopped:
                return
            try:
                self.rendered.emit(key, raster, error)
            except RuntimeError:  # the receiver is gone (shutdown)
                return
