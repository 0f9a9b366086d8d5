"""Modality Worklist C-FIND SCU (PS3.4 K; extract-001 5.2).

One association per query: the identifier goes out (built in ``dicom/worklist.py``), the
answers are decoded in their character set and collected (de-duplicated, cancelled and
discontinued steps hidden, the date-time window applied). When ``limit`` answers have
arrived a C-CANCEL goes out (``Canceller`` of ``query_retrieve``) and the answer is marked
truncated. Unlike the Q/R panel's streaming ``find``, a worklist query is all or nothing:
a refused or lost association, a missing response or a failure status raises the typed
:class:`~workstation.errors.NetworkError` (a failure status as
:class:`~workstation.errors.DimseStatusError`), so the list shown before stays (replace,
never merge, and only with a whole answer).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from pydicom.dataset import Dataset
from pynetdicom.sop_class import ModalityWorklistInformationFind
from pynetdicom.status import code_to_category

from workstation.config.settings import RemoteNode
from workstation.dicom.worklist import DateWindow, WorklistItem, collect, decode_answer
from workstation.jobs.cancel import CancelToken
from workstation.net.association import LocalAE, open_association
from workstation.net.scu.query_retrieve import Canceller, qr_context, status_error

log = logging.getLogger(__name__)

SERVICE = "Worklist C-FIND"
SOP_CLASS = str(ModalityWorklistInformationFind)
CANCEL_GRACE_S = 10.0  # after a C-CANCEL, the final response must come within this
PENDING = (0xFF00, 0xFF01)


@dataclass(frozen=True)
class WorklistAnswer:
    """The items to show, whether the peer had more (limit or cancel), how many answers
    came (before de-duplication and hiding)."""

    items: list[WorklistItem]
    truncated: bool
    answers: int
    cancelled: bool = False
    status: int | None = None
    elapsed_s: float = 0.0


def query_worklist(
    node: RemoteNode,
    local: LocalAE,
    identifier: Dataset,
    *,
    limit: int,
    timeout_s: float,
    cancel: CancelToken | None = None,
    window: DateWindow | None = None,
    on_answer: Callable[[Dataset], None] | None = None,
    msg_id: int = 1,
) -> WorklistAnswer:
    """Query ``node``'s worklist with ``identifier``; ``timeout_s`` bounds the wait for each
    response. Raises the typed NetworkError / DimseStatusError on failure."""
    started = time.monotonic()
    local = replace(local, dimse_timeout_s=float(timeout_s))
    if cancel is not None and cancel.is_set():
        return WorklistAnswer([], truncated=True, answers=0, cancelled=True)
    connection = open_association(
        node, local, [qr_context(SOP_CLASS)], service=SERVICE, needed=SOP_CLASS
    )
    query_charset = identifier.get("SpecificCharacterSet") or None
    answers: list[Dataset] = []
    status: int | None = None
    limit_reached = False
    after_cancel = 0
    unregister: Callable[[], None] = lambda: None  # noqa: E731
    try:
        context = connection.context_for(SOP_CLASS, SERVICE)
        responses = connection.assoc.send_c_find(identifier, SOP_CLASS, msg_id=msg_id)
        canceller = Canceller(connection, msg_id, context.context_id, SERVICE, log)
        if cancel is not None:
            unregister = cancel.on_cancel(canceller.send)
        for rsp_status, answer in responses:
            if "Status" not in rsp_status:
                raise connection.failure(SERVICE, local.dimse_timeout_s)
            code = int(rsp_status.Status)
            if code not in PENDING:
                status = code
                if code_to_category(code) == "Failure":
                    raise status_error(connection.node, SERVICE, rsp_status)
                break
            if canceller.sent_at is not None:
                if time.monotonic() - canceller.sent_at > CANCEL_GRACE_S:
                    log.warning("no final response %.0f s after C-CANCEL: abort", CANCEL_GRACE_S)
                    connection.abort_now()
                    break
                after_cancel += 1
                continue  # answers after the C-CANCEL are not kept
            if answer is None:
                continue
            answers.append(decode_answer(answer, query_charset))
            if on_answer is not None:
                on_answer(answer)
            if len(answers) >= limit:
                limit_reached = True
                canceller.send()
        canceller.finish()
    finally:
        unregister()
        connection.close()
    cancelled = cancel is not None and cancel.is_set()
    if limit_reached and status == 0x0000 and after_cancel == 0:
        limit_reached = False  # the peer had exactly ``limit`` items: nothing was cut
    items = collect(answers, window=window)
    result = WorklistAnswer(
        items,
        truncated=limit_reached or cancelled,
        answers=len(answers),
        cancelled=cancelled,
        status=status,
        elapsed_s=time.monotonic() - started,
    )
    log.info(
        "worklist C-FIND on %s:%d: %d answers, %d items, status %s%s",
        node.host,
        node.port,
        len(answers),
        len(items),
        "none" if status is None else f"{status:04X}",
        ", truncated" if result.truncated else "",
    )
    return result
