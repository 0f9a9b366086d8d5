"""The worklist shown to the technologist, and the query that refreshes it.

:class:`WorklistBook` holds the items of the last whole answer: each new answer replaces
the list (never merged, extract-001 5.2); a failed query keeps the list as it was and
records the error for the status line. :func:`refresh` runs the broad query of the
settings (or the patient query) against the worklist node and replaces the book. Qt-free:
the desktop calls it from a worker thread and shows ``book.items``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from workstation.config.settings import RemoteNode, Role, Settings
from workstation.dicom.worklist import (
    PatientQuery,
    broad_identifier,
    broad_window,
    patient_identifier,
)
from workstation.dicom.worklist_items import WorklistItem
from workstation.errors import SettingsError, WorkstationError
from workstation.jobs.cancel import CancelToken
from workstation.net.association import LocalAE
from workstation.net.scu.worklist import WorklistAnswer, query_worklist


@dataclass(frozen=True)
class BookState:
    """What the book shows: the items, when they came, whether the list is whole, and the
    last failure (None after a success)."""

    items: tuple[WorklistItem, ...] = ()
    updated_at: datetime | None = None
    truncated: bool = False
    error: WorkstationError | None = None
    generation: int = 0  # +1 per replace


class WorklistBook:
    """The current worklist; replaced by each whole answer (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = BookState()

    @property
    def state(self) -> BookState:
        with self._lock:
            return self._state

    @property
    def items(self) -> tuple[WorklistItem, ...]:
        return self.state.items

    def replace(self, answer: WorklistAnswer, at: datetime | None = None) -> BookState:
        """The answer's items replace the list (a limited answer too, marked truncated)."""
        with self._lock:
            self._state = BookState(
                tuple(answer.items),
                at or datetime.now(),
                answer.truncated,
                None,
                self._state.generation + 1,
            )
            return self._state

    def failed(self, error: WorkstationError) -> BookState:
        """A query failed: the items stay, the error is kept for display."""
        with self._lock:
            s = self._state
            self._state = BookState(s.items, s.updated_at, s.truncated, error, s.generation)
            return self._state

    def find(self, key: tuple[str, str]) -> WorklistItem | None:
        """The item with (Study Instance UID, Scheduled Procedure Step ID) ``key``."""
        return next((i for i in self.items if i.key == key), None)

    def with_accession(self, accession: str) -> list[WorklistItem]:
        return [i for i in self.items if i.accession_number == accession.strip()]


def worklist_node(settings: Settings) -> RemoteNode:
    """The configured worklist node: ``worklist.node`` by name, else the first remote
    node with the worklist role (SettingsError when there is none)."""
    name = settings.worklist.node.strip()
    node = settings.find_node(name) if name else None
    if node is None and not name:
        node = next((n for n in settings.remote_nodes if Role.WORKLIST in n.roles), None)
    if node is None:
        raise SettingsError(
            field="worklist.node",
            rule_code="empty",
            limits={},
            value=name,
            rule=f"no remote node named {name!r}" if name else "no node has the worklist role",
        )
    return node


def refresh(
    settings: Settings,
    book: WorklistBook,
    *,
    patient: PatientQuery | None = None,
    node: RemoteNode | None = None,
    now: datetime | None = None,
    cancel: CancelToken | None = None,
) -> WorklistAnswer:
    """Query the worklist (the broad query of the settings, or ``patient``'s) and replace
    ``book`` with the answer; on failure the book keeps its items and the error is raised,
    and a query cancelled by the user leaves the book as it was."""
    ws = settings.worklist
    now = now or datetime.now()
    try:
        target = node or worklist_node(settings)
        if patient is None:
            identifier = broad_identifier(ws, settings.node.ae_title, now)
            window = broad_window(ws, now)
        else:
            identifier, window = patient_identifier(patient), None
        answer = query_worklist(
            target,
            LocalAE.from_settings(settings),
            identifier,
            limit=ws.max_items,
            timeout_s=ws.response_timeout_s,
            cancel=cancel,
            window=window,
        )
    except WorkstationError as exc:
        book.failed(exc)
        raise
    if not answer.cancelled:
        book.replace(answer, at=now)
    return answer
