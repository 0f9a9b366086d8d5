"""The "commit" job: storage commitment for instances sent to a node.

Params (:class:`CommitParams`) ``{"node": {RemoteNode fields}, "references":
[[sop_class, sop_instance], ...]}``.
One attempt writes a pending transaction (new Transaction UID), sends the N-ACTION and
waits on that association for the report as configured; a report that does not come
there is received later by our node. An N-ACTION that does not get through marks its
transaction failed; the job is retried (a new transaction) unless the peer refused
for good. Overdue transactions are expired at the start of every run.

:func:`commit_after_send` is the glue for the send job: it queues a commit job when the
destination has storage commitment switched on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, StringConstraints
from pynetdicom import evt

from workstation.config.settings import RemoteNode, Settings
from workstation.dicom.uids import new_uid
from workstation.errors import CommitmentRequestError
from workstation.jobs import (
    CancelToken,
    Handler,
    JobParams,
    JobQueue,
    LogLine,
    PermanentJobError,
    Progress,
    read_params,
    validate_params,
)
from workstation.net.commitment import Reference, receive_report
from workstation.net.scu.commitment import CommitRequestOutcome, request_commitment
from workstation.store.commitment_state import (
    CommitItem,
    CommitmentState,
    CommitTransaction,
    TransactionState,
)
from workstation.store.local_store import LocalStore

log = logging.getLogger(__name__)

KIND = "commit"
MAX_ATTEMPTS = 3
Uid = Annotated[str, StringConstraints(min_length=1)]


class CommitParams(JobParams):
    """A commit job: the provider and the (SOP class, SOP instance) pairs to commit."""

    node: RemoteNode
    references: tuple[tuple[Uid, Uid], ...] = Field(min_length=1)
    # the transaction's deadline from now, instead of the settings' commit_timeout_s
    # (``workstation send --commit-timeout`` handing its request to a running node)
    timeout_s: float | None = Field(default=None, gt=0, le=30 * 86400)

    @classmethod
    def omit_when_default(cls) -> tuple[str, ...]:
        return ("timeout_s",)


@dataclass(frozen=True, slots=True)
class CommitOutcome:
    """One commitment request: its transaction as it stands after the N-ACTION."""

    transaction: CommitTransaction
    request: CommitRequestOutcome

    @property
    def summary(self) -> str:
        t = self.transaction
        if t.state is TransactionState.PENDING:
            return (f"commitment {t.transaction_uid} at {t.node_name}: requested, "
                    "the report is expected on our node")  # fmt: skip
        return f"commitment {t.transaction_uid} at {t.node_name}: {t.state}"


def commit_params(
    node: RemoteNode, references: Sequence[Reference], timeout_s: float | None = None
) -> dict[str, Any]:
    """The parameters of a commit job for ``references`` at ``node``."""
    raw = {"node": node, "references": [[str(c), str(s)] for c, s in references],
           "timeout_s": timeout_s}  # fmt: skip
    return validate_params(KIND, CommitParams, raw).to_json()


def commit_after_send(
    queue: JobQueue, node: RemoteNode, references: Sequence[Reference]
) -> int | None:
    """After a successful send job: queue a commit job for the instances sent, when
    ``node`` has storage commitment on. Returns the job id (None: nothing to do)."""
    if not node.storage_commitment or not references:
        return None
    return queue.submit(KIND, commit_params(node, references), max_attempts=MAX_ATTEMPTS)


def request_once(
    settings: Settings,
    state: CommitmentState,
    node: RemoteNode,
    references: Sequence[Reference],
    cancel: CancelToken | None = None,
    wait_s: float | None = None,
) -> CommitOutcome:
    """One commitment request; raises CommitmentRequestError (``permanent`` in its
    values) when the N-ACTION did not get through, after marking the transaction failed."""
    state.expire_overdue()
    uid = new_uid()
    items = [CommitItem(c, s) for c, s in dict.fromkeys((c, s) for c, s in references)]
    state.create_pending(uid, node.name, node.ae_title, items, settings.services.commit_timeout_s)

    def on_report(event: evt.Event) -> int:
        return receive_report(state, event)[0]

    def resolved() -> bool:
        t = state.transaction(uid)
        return t is None or t.state is not TransactionState.PENDING

    try:
        outcome = request_commitment(
            settings, node, uid, [(i.sop_class_uid, i.sop_uid) for i in items], on_report,
            resolved=resolved,
            cancelled=cancel.is_set if cancel is not None else None,
            abort_hook=cancel.on_cancel if cancel is not None else None,
            wait_s=wait_s,
        )  # fmt: skip
    except Exception as exc:  # never leave a transaction pending for a request not sent
        state.mark_failed(uid, f"request failed: {exc}")
        raise
    if not outcome.accepted:
        state.mark_failed(uid, outcome.detail)
        raise CommitmentRequestError(
            node=node.name, reason=outcome.detail, permanent=outcome.permanent,
            transaction_uid=uid,
        )  # fmt: skip
    transaction = state.transaction(uid)
    assert transaction is not None
    return CommitOutcome(transaction, outcome)


def commit_handler(
    store: LocalStore,
    settings: Callable[[], Settings],
    on_pending: Callable[[str], object] | None = None,
) -> Handler:
    """The handler of the "commit" kind; transactions go to ``store``'s index.
    ``on_pending(transaction_uid)`` after a request whose report is expected later (the
    runtime queues a "commit-expiry" job for it)."""
    state = CommitmentState(store.index)

    def handle(
        params: dict[str, Any], progress: Progress, cancel: CancelToken, log: LogLine
    ) -> str | None:
        job = read_params(KIND, CommitParams, params)
        node, references = job.node, [(c, s) for c, s in job.references]
        progress(0, len(references), f"commitment request to {node.name}")
        current = settings()
        if job.timeout_s is not None:
            current = current.updated(commit_timeout_s=job.timeout_s)
        try:
            outcome = request_once(current, state, node, references, cancel)
        except CommitmentRequestError as exc:
            log(exc.message())
            if exc.values.get("permanent"):
                raise PermanentJobError(exc.message()) from None
            raise
        progress(len(references), len(references), outcome.request.detail)
        log(f"transaction {outcome.transaction.transaction_uid}: {outcome.request.detail}")
        if outcome.transaction.state is TransactionState.PENDING and on_pending is not None:
            on_pending(outcome.transaction.transaction_uid)
        return outcome.summary

    return handle
