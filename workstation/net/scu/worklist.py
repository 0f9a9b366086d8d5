"""Modality Worklist C-FIND SCU (PS3.4 K; extract-001 5.2).

One association per query, the Q/R panel's C-FIND (``find.c_find``: C-CANCEL at the
limit, cancel token, bounded wait after a cancel) with the worklist's decoding
(``dicom/worklist_items.decode_answer``); the answers are collected (de-duplicated,
cancelled and discontinued steps hidden, the date-time window applied), truncated when
the limit cut them. Unlike the Q/R panel's streaming ``find``, a worklist query is all or nothing:
a refused or lost association, a missing response or a failure status raises the typed
:class:`~workstation.errors.NetworkError` (a failure status as
:class:`~workstation.errors.DimseStatusError`), so the list shown before stays (replace,
never merge, and only with a whole answer).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from pydicom.dataset import Dataset
from pynetdicom.sop_class import ModalityWorklistInformationFind

from workstation.config.settings import RemoteNode
from workstation.dicom.worklist import DateWindow
from workstation.dicom.worklist_items import WorklistItem, collect, decode_answer
from workstation.jobs.cancel import CancelToken
from workstation.net.association import LocalAE
from workstation.net.scu.find import c_find

log = logging.getLogger(__name__)

SERVICE = "Worklist C-FIND"
SOP_CLASS = str(ModalityWorklistInformationFind)


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
    outcome = c_find(node, replace(local, dimse_timeout_s=float(timeout_s)), SOP_CLASS,
                     identifier, service=SERVICE, limit=limit, cancel=cancel,
                     on_match=on_answer, msg_id=msg_id, decode=decode_answer)  # fmt: skip
    if outcome.error is not None:
        raise outcome.error
    items = collect(outcome.matches, window=window)
    return WorklistAnswer(
        items,
        truncated=outcome.limit_reached or outcome.cancelled,
        answers=len(outcome.matches),
        cancelled=outcome.cancelled,
        status=outcome.status,
        elapsed_s=outcome.elapsed_s,
    )
