"""The "commit-report" job: a storage commitment report our node owes a requester.

Params (:class:`CommitReportParams`) ``{"transaction_uid": ..., "calling_ae": ...}``; the
referenced instances are in the index's owed reports (``CommitmentState.owed``), written
when the N-ACTION came. One attempt checks them against the local store and sends the
N-EVENT-REPORT on a new association to the requester's configured node (with the SCP
role proposed, then without); the queue retries a failed attempt. The node queues this
job when it could not report on the N-ACTION's association; the runtime queues one at
start for every report a stop or crash left owed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import StringConstraints

from workstation.config.settings import Settings
from workstation.jobs import (
    CancelToken,
    Handler,
    JobParams,
    JobQueue,
    JobState,
    LogLine,
    PermanentJobError,
    Progress,
    RetryableJobError,
    read_params,
    validate_params,
)
from workstation.net.commitment import CommitRequest
from workstation.net.scp.commitment import evaluate, requester_node, send_report
from workstation.store.commitment_state import CommitmentState
from workstation.store.local_store import LocalStore

log = logging.getLogger(__name__)

KIND = "commit-report"
MAX_ATTEMPTS = 5
RETRY_DELAY_S = 10.0  # doubled for each failed attempt
Uid = Annotated[str, StringConstraints(min_length=1)]


class CommitReportParams(JobParams):
    """A report owed: the requester's transaction and its calling AE title."""

    transaction_uid: Uid
    calling_ae: Uid


def queue_report(queue: JobQueue, transaction_uid: str, calling_ae: str) -> int:
    """Queue the job for one owed report, unless one is queued or running already."""
    params = validate_params(KIND, CommitReportParams,
                             {"transaction_uid": transaction_uid, "calling_ae": calling_ae})  # fmt: skip
    for job in queue.list([JobState.QUEUED, JobState.RUNNING]):
        if job.kind == KIND and job.params == params.to_json():
            return job.id
    return queue.submit(KIND, params, max_attempts=MAX_ATTEMPTS)


def queue_owed_reports(queue: JobQueue, state: CommitmentState) -> list[int]:
    """At start: a job for every report still owed (none twice)."""
    owed = state.owed()
    if owed:
        log.info("%d storage commitment reports still owed: queued", len(owed))
    return [queue_report(queue, o.transaction_uid, o.calling_ae) for o in owed]


def commit_report_handler(store: LocalStore, settings: Callable[[], Settings]) -> Handler:
    """The handler of the "commit-report" kind; the owed reports are in ``store``'s index."""
    state = CommitmentState(store.index)

    def handle(
        params: dict[str, Any], progress: Progress, cancel: CancelToken, log_line: LogLine
    ) -> str | None:
        job = read_params(KIND, CommitReportParams, params)
        uid, calling = job.transaction_uid, job.calling_ae
        owed = [o for o in state.owed(uid) if o.calling_ae == calling]
        if not owed:
            return f"commitment {uid}: nothing owed to {calling} (already reported)"
        current = settings()
        node = requester_node(current, calling, uid)
        if node is None:
            state.delivered(uid, calling)
            raise PermanentJobError(f"commitment {uid}: {calling} is not a configured node, "
                                    "the report cannot be delivered")  # fmt: skip
        report = evaluate(state, CommitRequest(uid, owed[0].references))
        problems = []
        for propose_role in (True, False):
            cancel.raise_if_set()
            problem = send_report(current, node, report, propose_role)
            if problem is None:
                state.delivered(uid, calling)
                return (f"commitment {uid} reported to {node.name}: "
                        f"{len(report.successes)} committed, {len(report.failures)} failed")  # fmt: skip
            problems.append(problem)
            log_line(f"report to {node.name}: {problem}")
        raise RetryableJobError(f"commitment {uid}: report to {node.name} failed: {problems[-1]}",
                                retry_delay_s=RETRY_DELAY_S)  # fmt: skip

    return handle
