"""Cancel tokens: a flag a handler checks between steps, plus callbacks for long calls."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from workstation.jobs.model import JobCancelled

log = logging.getLogger(__name__)


class CancelToken:
    """Set once, from any thread; callbacks (``assoc.abort``, C-CANCEL) run on the setter's thread."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            _call(fn)

    def raise_if_set(self) -> None:
        if self._event.is_set():
            raise JobCancelled()

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep up to ``timeout`` seconds, waking early on cancel; True when cancelled."""
        return self._event.wait(timeout)

    def on_cancel(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Call ``fn`` when the token is set (at once if it already is); returns an unregister."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(fn)

                def unregister() -> None:
                    with self._lock:
                        if fn in self._callbacks:
                            self._callbacks.remove(fn)

                return unregister
        _call(fn)
        return lambda: None


def _call(fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception:
        log.exception("cancel callback %r failed", fn)
