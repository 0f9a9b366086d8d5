"""The worklist C-FIND on a QThread: never on the GUI thread, cancellable.

``WorklistQuery(request, run)`` calls ``run(request, cancel)`` in its thread and emits
``answered(number, answer)`` or ``failed(number, error)`` (queued to the GUI thread);
``cancel()`` sets the token (the SCU sends C-CANCEL or aborts the association).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal

from workstation.errors import NetworkError, WorkstationError
from workstation.jobs import CancelToken
from workstation.ui.worklist.backend import WorklistRequest

log = logging.getLogger(__name__)

RunFn = Callable[[WorklistRequest, CancelToken], object]
JOIN_MS = 15_000


class WorklistQuery(QThread):
    answered = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, number: int, request: WorklistRequest, run: RunFn,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.number = number
        self.request = request
        self._run = run
        self.token = CancelToken()

    def run(self) -> None:  # the query thread
        try:
            answer = self._run(self.request, self.token)
        except WorkstationError as err:
            self.failed.emit(self.number, err)
            return
        except Exception as exc:  # a bug must not leave the tab waiting forever
            log.exception("worklist query failed unexpectedly")
            node = self.request.node
            self.failed.emit(self.number, NetworkError(host=node.host, port=node.port,
                                                       detail=f"{type(exc).__name__}: {exc}"))  # fmt: skip
            return
        self.answered.emit(self.number, answer)

    def cancel(self) -> None:
        self.token.set()

    def stop(self) -> None:
        """Cancel and wait (bounded)."""
        self.token.set()
        self.wait(JOIN_MS)
