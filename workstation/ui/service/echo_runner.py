"""Runs one C-ECHO off the GUI thread and reports back on it.

A plain Python thread rather than a QThread: pynetdicom logs and starts its own Python
threads, which would register a QThread with ``threading`` as a never-ending dummy
thread. The result comes back through a Qt signal, delivered queued on the GUI thread.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from workstation.config.settings import RemoteNode
from workstation.net.scu.echo import EchoResult, echo


class EchoRunner(QObject):
    """At most one echo at a time; :meth:`wait` before the owner goes away."""

    finished = Signal(object, object)  # (RemoteNode, EchoResult)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._busy = False
        # connected first, so it runs before the owner's slots see the result
        self.finished.connect(self._delivered)

    def running(self) -> bool:
        """True from start until the result has been delivered on the GUI thread."""
        return self._busy

    def _delivered(self, _node: object, _result: object) -> None:
        self._busy = False

    def start(self, node: RemoteNode, calling_ae: str, timeout_s: float) -> bool:
        """Start an echo; False (and nothing started) when one is still running."""
        if self._busy or (self._thread is not None and self._thread.is_alive()):
            return False
        self._busy = True

        def work() -> None:
            try:
                result = echo(node, calling_ae, timeout_s)
            except Exception as exc:  # a bug must still end the "running" state in the GUI
                result = EchoResult(False, None, 0.0, "echo.connect", str(exc),
                                    values={"host": node.host, "port": node.port,
                                            "reason": str(exc)})  # fmt: skip
            try:
                self.finished.emit(node, result)
            except RuntimeError:  # the owner was deleted meanwhile: nobody to tell
                pass

        self._thread = threading.Thread(target=work, name=f"echo-{node.name}", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout_s: float) -> bool:
        """Wait (bounded) for a running echo to end; True when none is left running."""
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
        return self._thread is None or not self._thread.is_alive()
