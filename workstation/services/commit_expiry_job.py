"""The "commit-expiry" job: a commitment request we made whose report may never come.

Params (:class:`CommitExpiryParams`) ``{"transaction_uid": ...}``. The commit job queues
one when its transaction is left pending (the report is expected later on our node).
Each attempt looks at the transaction: resolved (a report came) ends the job with its
state; past its deadline (``services.commit_timeout_s`` after the request) it is marked
failed and the job fails, so the jobs panel shows it as the browser does; otherwise the
attempt is retried when the deadline is due (the queue caps one wait at its backoff
maximum, so a long timeout takes a few attempts).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import StringConstraints

from workstation.jobs import (
    CancelToken,
    Handler,
    JobParams,
    LogLine,
    PermanentJobError,
    Progress,
    RetryableJobError,
    read_params,
    validate_params,
)
from workstation.store.commitment_state import CommitmentState, TransactionState
from workstation.store.local_store import LocalStore

KIND = "commit-expiry"
MAX_ATTEMPTS = 1000  # each attempt but the last only waits for the deadline
DUE_MARGIN_S = 0.5  # the retry comes this long after the deadline
Uid = Annotated[str, StringConstraints(min_length=1)]
Clock = Callable[[], float]


class CommitExpiryParams(JobParams):
    """The pending transaction to watch."""

    transaction_uid: Uid


def expiry_params(transaction_uid: str) -> dict[str, Any]:
    return validate_params(
        KIND, CommitExpiryParams, {"transaction_uid": transaction_uid}
    ).to_json()


def commit_expiry_handler(store: LocalStore, clock: Clock = time.time) -> Handler:
    """The handler of the "commit-expiry" kind; transactions are in ``store``'s index."""
    state = CommitmentState(store.index, clock=clock)

    def handle(
        params: dict[str, Any], progress: Progress, cancel: CancelToken, log: LogLine
    ) -> str | None:
        uid = read_params(KIND, CommitExpiryParams, params).transaction_uid
        transaction = state.transaction(uid)
        if transaction is None:
            raise PermanentJobError(f"commitment {uid}: no such transaction")
        remaining = transaction.deadline - clock()
        if transaction.state is TransactionState.PENDING and remaining <= 0:
            state.expire_overdue()
            transaction = state.transaction(uid) or transaction
        where = f"commitment {uid} at {transaction.node_name}"
        if transaction.state is TransactionState.PENDING:
            raise RetryableJobError(f"{where}: waiting for the report until the deadline",
                                    retry_delay_s=remaining + DUE_MARGIN_S)  # fmt: skip
        if transaction.state is TransactionState.FAILED:
            why = f" ({transaction.note})" if transaction.note else ""
            raise PermanentJobError(f"{where}: commit failed{why}")
        return f"{where}: {transaction.state}"

    return handle
