"""C-MOVE SCU, and what C-MOVE and C-GET (net/scu/get.py) share: the request, the
sub-operation counts, the outcome and the loop over the responses.

``move`` asks the peer to send to a destination AE (usually ourselves: the instances
then arrive through our node's Storage SCP). Every response's (remaining, completed,
failed, warning) goes to ``on_progress``; a :class:`~workstation.jobs.CancelToken`
sends C-CANCEL. Never raises for a network outcome: the outcome carries the typed error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pynetdicom.status import code_to_category

from workstation.config.settings import RemoteNode
from workstation.dicom.qr_identifier import QRLevel, QRModel, retrieve_identifier
from workstation.errors import MoveDestinationUnknownError, NetworkError
from workstation.jobs.cancel import CancelToken
from workstation.net.association import Connection, LocalAE, open_association
from workstation.net.diagnosis import node_values
from workstation.net.scu.query_retrieve import (
    GET,
    MOVE,
    Canceller,
    qr_context,
    sop_class,
    status_error,
)

log = logging.getLogger(__name__)

PENDING = (0xFF00, 0xFF01)
MOVE_DESTINATION_UNKNOWN = 0xA801
SUB_OPERATIONS_FAILED = 0xA702  # out of resources: unable to perform sub-operations


@dataclass(frozen=True, slots=True)
class SubOperations:
    """The counts of one C-MOVE/C-GET response (``remaining`` is None when not sent)."""

    remaining: int | None = None
    completed: int = 0
    failed: int = 0
    warning: int = 0

    @property
    def done(self) -> int:
        return self.completed + self.failed + self.warning

    @property
    def total(self) -> int | None:
        return None if self.remaining is None else self.done + self.remaining

    @classmethod
    def from_status(cls, status: Dataset, previous: SubOperations | None = None) -> SubOperations:
        def count(keyword: str, default: int) -> int:
            value = status.get(keyword)
            return default if value is None or value == "" else int(value)

        prev = previous or cls()
        remaining = status.get("NumberOfRemainingSuboperations")
        return cls(
            remaining=None if remaining is None or remaining == "" else int(remaining),
            completed=count("NumberOfCompletedSuboperations", prev.completed),
            failed=count("NumberOfFailedSuboperations", prev.failed),
            warning=count("NumberOfWarningSuboperations", prev.warning),
        )


@dataclass(frozen=True, slots=True)
class RetrieveRequest:
    """What to retrieve: the model, the level and the UIDs down to it."""

    model: QRModel
    level: QRLevel
    study_uids: tuple[str, ...] = ()
    series_uids: tuple[str, ...] = ()
    sop_uids: tuple[str, ...] = ()
    patient_id: str = ""

    def identifier(self) -> Dataset:
        return retrieve_identifier(
            self.model, self.level, self.study_uids, self.series_uids, self.sop_uids,
            self.patient_id,
        )  # fmt: skip


@dataclass(frozen=True)
class RetrieveOutcome:
    """How a C-MOVE / C-GET ended; ``received`` counts C-GET instances stored here."""

    service: str
    status: int | None
    counts: SubOperations
    cancelled: bool = False
    error: NetworkError | None = None
    failed_uids: tuple[str, ...] = ()
    received: int = 0
    duplicates: int = 0
    refused_here: int = 0  # C-GET: C-STOREs our store could not take
    expected: int | None = None  # instances the C-FIND before a C-GET found
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        """Everything asked for was retrieved."""
        return (
            self.error is None
            and not self.cancelled
            and self.status is not None
            and code_to_category(self.status) == "Success"
            and self.counts.failed == 0
        )

    def summary(self) -> str:
        c = self.counts
        text = (
            f"{self.service}: {c.completed} completed, {c.failed} failed, {c.warning} warning"
            + (f", {c.remaining} remaining" if c.remaining else "")
        )
        if self.service == GET:
            text += f"; {self.received} received ({self.duplicates} already stored)"
        if self.cancelled:
            text += "; cancelled"
        if self.error is not None:
            text += f"; {self.error.message()}"
        elif self.status is not None and self.status != 0:
            text += f"; final status 0x{self.status:04X}"
        return text


Progress = Callable[[SubOperations], None]


def read_responses(
    connection: Connection,
    service: str,
    uid: str,
    responses_for: Callable[[], Iterator[tuple[Dataset, Dataset | None]]],
    local: LocalAE,
    cancel: CancelToken | None,
    on_progress: Progress | None,
    destination: str = "",
    msg_id: int = 1,
) -> tuple[int | None, SubOperations, NetworkError | None, tuple[str, ...], bool]:
    """Read the responses of a C-MOVE/C-GET: (status, counts, error, failed UIDs, cancelled)."""
    context = connection.context_for(uid, service)
    counts = SubOperations()
    status: int | None = None
    error: NetworkError | None = None
    failed_uids: tuple[str, ...] = ()
    canceller = Canceller(connection, msg_id, context.context_id, logger=log)
    responses = responses_for()  # the request goes out here, before any C-CANCEL can
    unregister = cancel.on_cancel(canceller.send) if cancel is not None else (lambda: None)
    try:
        for rsp, identifier in responses:
            if "Status" not in rsp:
                error = connection.failure(service, local.dimse_timeout_s)
                break
            code = int(rsp.Status)
            counts = SubOperations.from_status(rsp, counts)
            if code in PENDING:
                if on_progress is not None:
                    on_progress(counts)
                continue
            status = code
            if counts.remaining is None:  # a final response may leave it out: nothing remains
                counts = SubOperations(0, counts.completed, counts.failed, counts.warning)
            if identifier is not None and "FailedSOPInstanceUIDList" in identifier:
                value = identifier.FailedSOPInstanceUIDList
                items = [value] if isinstance(value, str) else list(value or [])
                failed_uids = tuple(str(v) for v in items if str(v))
            category = code_to_category(code)
            if code == MOVE_DESTINATION_UNKNOWN:
                error = MoveDestinationUnknownError(
                    **node_values(connection.node), service=service, status=code,
                    status_hex=f"{code:04X}", meaning="move destination unknown", comment="",
                    destination=destination,
                )  # fmt: skip
            elif code == SUB_OPERATIONS_FAILED and failed_uids:
                pass  # every sub-operation failed (dcmqrscp): counted, not an error of the request
            elif category == "Failure":
                error = status_error(connection.node, service, rsp)
            if on_progress is not None:
                on_progress(counts)
            break
    finally:
        canceller.finish()
        unregister()
    cancelled = status == 0xFE00 or (cancel is not None and cancel.is_set())
    return status, counts, error, failed_uids, cancelled


def move(
    node: RemoteNode,
    destination_ae: str,
    request: RetrieveRequest,
    local: LocalAE,
    *,
    cancel: CancelToken | None = None,
    on_progress: Progress | None = None,
) -> RetrieveOutcome:
    """C-MOVE ``request`` from ``node`` to ``destination_ae``."""
    started = time.monotonic()
    uid = sop_class(request.model, MOVE)
    identifier = request.identifier()
    if cancel is not None and cancel.is_set():
        return RetrieveOutcome(MOVE, None, SubOperations(), cancelled=True)
    try:
        connection = open_association(node, local, [qr_context(uid)], service=MOVE, needed=uid)
    except NetworkError as exc:
        return RetrieveOutcome(MOVE, None, SubOperations(), error=exc)
    try:
        status, counts, error, failed, cancelled = read_responses(
            connection, MOVE, uid,
            lambda: connection.assoc.send_c_move(identifier, destination_ae, uid, msg_id=1),
            local, cancel, on_progress, destination=destination_ae,
        )  # fmt: skip
    except NetworkError as exc:
        status, counts, error, failed, cancelled = None, SubOperations(), exc, (), False
    finally:
        connection.close()
    outcome = RetrieveOutcome(
        MOVE, status, counts, cancelled, error, failed, elapsed_s=time.monotonic() - started
    )
    log.info("C-MOVE from %s:%d to %s: %s", node.host, node.port, destination_ae, outcome.summary())
    return outcome
