"""The "commit" job: storage commitment for instances sent to a node.

Params ``{"node": {RemoteNode fields}, "references": [[sop_class, sop_instance], ...]}``.
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
from typing import Any

from pynetdicom import evt

from workstation.config.settings import RemoteNode, Settings, make_node
from workstation.dicom.uids import new_uid
from workstation.errors import CommitmentRequestError, SettingsError
from workstation.jobs import CancelToken, Handler, JobQueue, LogLine, PermanentJobError, Progress
from workstation.net.commitment import Reference, receive_report
from workstation.net.commitment_scu import CommitRequestOutcome, request_commitment
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


def commit_params(node: RemoteNode, references: Sequence[Reference]) -> dict[str, Any]:
    """The parameters of a commit job for ``references`` at ``node``."""
    return {
        "node": node.model_dump(mode="json"),
        "references": [[str(c), str(s)] for c, s in references],
    }


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
    state.create_pending(uid, node.name, node.ae_title, items, settings.commit_timeout_s)

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


def _parse(params: dict[str, Any]) -> tuple[RemoteNode, list[Reference]]:
    raw_node, raw_refs = params.get("node"), params.get("references")
    if not isinstance(raw_node, dict):
        raise PermanentJobError("commit job without a node")
    try:
        node = make_node(**raw_node)
    except SettingsError as exc:
        raise PermanentJobError(f"commit job with an invalid node: {exc.message()}") from None
    if (
        not isinstance(raw_refs, list)
        or not raw_refs
        or not all(
            isinstance(r, list) and len(r) == 2 and all(isinstance(v, str) and v for v in r)
            for r in raw_refs
        )
    ):
        raise PermanentJobError("commit job without a list of [SOP class, SOP instance] pairs")
    return node, [(c, s) for c, s in raw_refs]


def commit_handler(store: LocalStore, settings: Callable[[], Settings]) -> Handler:
    """The handler of the "commit" kind; transactions go to ``store``'s index."""
    state = CommitmentState(store.index)

    def handle(
        params: dict[str, Any], progress: Progress, cancel: CancelToken, log: LogLine
    ) -> str | None:
        node, references = _parse(params)
        progress(0, len(references), f"commitment request to {node.name}")
        try:
            outcome = request_once(settings(), state, node, references, cancel)
        except CommitmentRequestError as exc:
            log(exc.message())
            if exc.values.get("permanent"):
                raise PermanentJobError(exc.message()) from None
            raise
        progress(len(references), len(references), outcome.request.detail)
        log(f"transaction {outcome.transaction.transaction_uid}: {outcome.request.detail}")
        return outcome.summary

    return handle
