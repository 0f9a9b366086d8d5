"""Storage Commitment SCU: one N-ACTION to a node, and its report if it comes on the same
association within the configured wait; otherwise the association is released and our
node receives the report later on a new one (``net/scp/commitment``).

The caller records the transaction as pending *before* calling: the peer may report on
a new association before this association's N-ACTION response is read.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pynetdicom import evt

from workstation.config.settings import RemoteNode, Settings
from workstation.errors import (
    AssociationAbortedError,
    AssociationRejectedError,
    NetworkError,
    ServiceNotAcceptedError,
)
from workstation.net.association import context, open_association
from workstation.net.commitment import (
    ACTION_REQUEST,
    COMMITMENT_SOP_CLASS,
    COMMITMENT_SOP_INSTANCE,
    COMMITMENT_SYNTAXES,
    PROCESSING_FAILURE,
    Reference,
    action_information,
    local_ae,
)

log = logging.getLogger(__name__)

POLL_S = 0.1
REPORT_THREAD_JOIN_S = 5.0


@dataclass(frozen=True, slots=True)
class CommitRequestOutcome:
    """What one N-ACTION attempt gave.

    ``accepted``: the peer answered the N-ACTION with success (a report will follow).
    ``permanent``: another attempt cannot help (association rejected, Storage
    Commitment not offered, N-ACTION refused). ``reported``: a report arrived on this
    association and was answered with ``report_status``.
    """

    accepted: bool
    status: int | None
    detail: str
    permanent: bool = False
    reported: bool = False
    report_status: int | None = None


def request_commitment(
    settings: Settings,
    node: RemoteNode,
    transaction_uid: str,
    references: Sequence[Reference],
    on_report: Callable[[evt.Event], int],
    resolved: Callable[[], bool] | None = None,
    cancelled: Callable[[], bool] | None = None,
    abort_hook: Callable[[Callable[[], None]], None] | None = None,
    wait_s: float | None = None,
) -> CommitRequestOutcome:
    """Send the N-ACTION for ``references`` under ``transaction_uid`` to ``node``.

    A report on this association goes to ``on_report(event) -> status``. The wait for
    it (``wait_s``, default the settings' ``commit_wait_same_association_s``) also ends
    when ``resolved()`` says the report came in elsewhere, or on ``cancelled()``.
    ``abort_hook(abort)`` receives the association's abort, for a job's cancel token.
    Never raises for a network outcome.
    """
    wait = settings.services.commit_wait_same_association_s if wait_s is None else wait_s
    where = f"{node.ae_title}@{node.host}:{node.port}"
    reported = threading.Event()
    report_threads: list[threading.Thread] = []
    report_status: list[int] = []

    def on_event_report(event: evt.Event) -> tuple[int, None]:
        # pynetdicom runs this on a thread of its own; joined below before the release
        report_threads.append(threading.current_thread())
        try:
            status = on_report(event)
        except Exception:
            log.exception("commitment report from %s could not be handled", where)
            status = PROCESSING_FAILURE
        report_status.append(status)
        reported.set()
        return status, None

    try:
        connection = open_association(
            node, local_ae(settings), [context(COMMITMENT_SOP_CLASS, COMMITMENT_SYNTAXES)],
            service="Storage Commitment Push Model",
            handlers=[(evt.EVT_N_EVENT_REPORT, on_event_report)],
        )  # fmt: skip
    except NetworkError as exc:
        return _not_established(exc, where)
    assoc = connection.assoc
    try:
        if abort_hook is not None:
            abort_hook(assoc.abort)
        if not connection.accepts(COMMITMENT_SOP_CLASS):
            assoc.release()
            return CommitRequestOutcome(
                False, None, f"{where} does not accept Storage Commitment Push Model",
                permanent=True,
            )  # fmt: skip
        info = action_information(transaction_uid, references)
        log.info("N-ACTION storage commitment %s to %s: %d instances",
                 transaction_uid, where, len(references))  # fmt: skip
        rsp, _reply = assoc.send_n_action(
            info, ACTION_REQUEST, COMMITMENT_SOP_CLASS, COMMITMENT_SOP_INSTANCE
        )
        status = int(rsp.Status) if rsp is not None and "Status" in rsp else None
        if status is None:
            detail = (
                f"{where} aborted the association during the N-ACTION"
                if assoc.is_aborted
                else f"no N-ACTION response from {where} within {settings.network.dimse_timeout_s:g} s"
            )
            return CommitRequestOutcome(False, None, detail)
        if status != 0x0000:
            if assoc.is_established:
                assoc.release()
            return CommitRequestOutcome(
                False, status, f"{where} refused the commitment request: status 0x{status:04X}",
                permanent=True,
            )  # fmt: skip
        _wait_for_report(assoc, reported, wait, resolved, cancelled)
        for thread in report_threads:  # its response must be on the wire before the release
            thread.join(REPORT_THREAD_JOIN_S)
        if assoc.is_established:
            assoc.release()
        got = bool(report_status)
        detail = "report received on the same association" if got else (
            "no report on the same association"
        )  # fmt: skip
        return CommitRequestOutcome(
            True, status, detail, reported=got, report_status=report_status[0] if got else None
        )
    finally:
        connection.close()
        for thread in report_threads:
            thread.join(REPORT_THREAD_JOIN_S)


def _wait_for_report(
    assoc: object,
    reported: threading.Event,
    wait_s: float,
    resolved: Callable[[], bool] | None,
    cancelled: Callable[[], bool] | None,
) -> None:
    deadline = time.monotonic() + wait_s
    while not reported.is_set():
        left = deadline - time.monotonic()
        if left <= 0 or not getattr(assoc, "is_established", False):
            return
        if (resolved is not None and resolved()) or (cancelled is not None and cancelled()):
            return
        reported.wait(min(POLL_S, left))


def _not_established(error: NetworkError, where: str) -> CommitRequestOutcome:
    if isinstance(error, AssociationRejectedError):
        return CommitRequestOutcome(False, None, error.message(), permanent=error.permanent)
    if isinstance(error, ServiceNotAcceptedError):
        return CommitRequestOutcome(
            False, None, f"{where} does not accept Storage Commitment Push Model", permanent=True
        )
    if isinstance(error, AssociationAbortedError):
        return CommitRequestOutcome(False, None, f"{where} aborted the association request")
    return CommitRequestOutcome(False, None, f"no association with {where}: {error.message()}")
