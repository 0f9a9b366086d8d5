"""The "send" job: stored studies, series or instances to one node (C-STORE SCU).

Params (:class:`SendParams`) ``{"node": {RemoteNode fields}, "uids": [study/series/
instance UID, ...], "send_id": str}``; one job per destination (:func:`submit_send`).
The UIDs are resolved through the index when the job runs. Every answered instance is
recorded at once in the send state under ``send_id``, so another attempt (after an
abort, a timeout, or a restart) sends only what has not reached the peer yet.

Failures (CONFORMANCE.md "Send outcomes"): an association the peer rejects for good,
or UIDs that name nothing stored, fail the job without retry; no connection, a
transient rejection, an abort or a timeout are retried after ``send_retry_delay_s``
(doubled each time) up to ``send_retries`` tries. Instances the peer refused or
answered with a failure status do not stop the send; they are listed in the job log
and fail the job at the end (a retry by the user sends them again). A job that
succeeds hands the (SOP class, SOP instance) pairs now on the peer to ``on_sent``
(storage commitment hooks in there).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from workstation.config.settings import RemoteNode, Settings
from workstation.errors import (
    AssociationRejectedError,
    NetworkError,
    SendFailedError,
    SendSelectionError,
)
from workstation.jobs import (
    CancelToken,
    Handler,
    JobParams,
    JobQueue,
    LogLine,
    PermanentJobError,
    Progress,
    RetryableJobError,
    read_params,
    validate_params,
)
from workstation.net.scu.store import InstanceResult, SendProgress, SendReport, send_instances
from workstation.store.local_store import LocalStore
from workstation.store.selection import select_instances
from workstation.store.send_state import SendOutcome, SendRecord, SendState

log = logging.getLogger(__name__)

KIND = "send"
LISTED_IN_LOG = 40
MB = 1_000_000

Reference = tuple[str, str]  # (SOP Class UID, SOP Instance UID)
OnSent = Callable[[RemoteNode, list[Reference]], None]
Text = Annotated[str, StringConstraints(min_length=1)]


class SendParams(JobParams):
    """A send job: the destination, the study/series/instance UIDs and the batch's id."""

    node: RemoteNode
    uids: tuple[Text, ...] = Field(min_length=1)
    send_id: Text


def send_params(
    node: RemoteNode, uids: Sequence[str], send_id: str | None = None
) -> dict[str, Any]:
    """The parameters of a send job of ``uids`` to ``node`` (a new send id unless given)."""
    raw = {"node": node, "uids": [str(u) for u in uids], "send_id": send_id or uuid.uuid4().hex}
    return validate_params(KIND, SendParams, raw).to_json()


def submit_send(
    queue: JobQueue, settings: Settings, nodes: Sequence[RemoteNode], uids: Sequence[str]
) -> list[int]:
    """Queue one send job per destination; returns the job ids."""
    return [
        queue.submit(KIND, send_params(node, uids), max_attempts=settings.services.send_retries)
        for node in nodes
    ]


@dataclass(frozen=True, slots=True)
class SendJobOutcome:
    """One attempt's report and what the whole job (all its attempts) achieved."""

    report: SendReport
    records: tuple[SendRecord, ...]  # the batch's records, every attempt so far
    total: int  # instances selected
    unknown: tuple[str, ...]  # UIDs that named nothing stored

    def count(self, outcome: SendOutcome) -> int:
        return sum(1 for r in self.records if r.outcome is outcome)

    @property
    def failed(self) -> list[SendRecord]:
        return [r for r in self.records if not r.outcome.on_peer]

    @property
    def references(self) -> list[Reference]:
        return [(r.sop_class_uid, r.sop_uid) for r in self.records if r.outcome.on_peer]

    def summary(self) -> str:
        failed = len(self.failed)
        text = (
            f"sent {self.count(SendOutcome.STORED)}, warnings {self.count(SendOutcome.WARNING)}, "
            f"duplicates {self.count(SendOutcome.DUPLICATE)}, failed {failed}"
        )
        missing = self.total - len(self.records)
        if missing:
            text += f", not sent {missing}"
        text += f" of {self.total} to {self.report.node.name}"
        if self.unknown:
            text += f"; {len(self.unknown)} UID(s) not in the local store"
        return text


def run_send(
    settings: Settings,
    store: LocalStore,
    node: RemoteNode,
    uids: Sequence[str],
    send_id: str,
    *,
    ae_title: str | None = None,
    progress: Callable[[SendProgress], None] | None = None,
    cancel: CancelToken | None = None,
) -> SendJobOutcome:
    """One attempt of a send: what ``send_id`` has not yet got onto the peer is sent.

    Raises SendSelectionError when nothing in ``uids`` is stored, and the NetworkError
    of an association that does not come up.
    """
    selection = select_instances(store, uids)
    if not selection.instances:
        raise SendSelectionError(count=len(selection.unknown), uids=", ".join(selection.unknown))
    state = SendState(store.index)
    already = state.on_peer_in_batch(send_id)
    todo = [i for i in selection.instances if i.sop_uid not in already]

    def record(result: InstanceResult) -> None:
        state.record(send_id, node.name, node.ae_title, [result.record()])

    if todo:
        report = send_instances(
            settings, node, todo, ae_title=ae_title, progress=progress, on_result=record,
            cancelled=cancel.is_set if cancel is not None else None,
            abort_hook=cancel.on_cancel if cancel is not None else None,
        )  # fmt: skip
    else:
        report = SendReport(node, 0)
    return SendJobOutcome(
        report, tuple(state.batch_records(send_id)), len(selection.instances), selection.unknown
    )


def _log_outcome(outcome: SendJobOutcome, log_line: LogLine) -> None:
    """This attempt's instances that did not simply get stored, with the reason (the
    first 40), and the UIDs that name nothing stored."""
    answered = [r.record() for r in outcome.report.results]
    listed = [r for r in answered if r.outcome is not SendOutcome.STORED]
    for r in listed[:LISTED_IN_LOG]:
        log_line(f"{r.outcome} {r.sop_uid} (study {r.study_uid}): {r.detail}")
    if len(listed) > LISTED_IN_LOG:
        log_line(f"... and {len(listed) - LISTED_IN_LOG} more")
    for uid in outcome.unknown[:LISTED_IN_LOG]:
        log_line(f"not in the local store: {uid}")


def _progress_text(p: SendProgress) -> str:
    return (f"{p.done} of {p.total} instances, {p.bytes_done / MB:.1f} of "
            f"{p.bytes_total / MB:.1f} MB")  # fmt: skip


def send_handler(
    store: LocalStore, settings: Callable[[], Settings], on_sent: OnSent | None = None
) -> Handler:
    """The handler of the "send" kind, sending from ``store``; ``on_sent(node, references)``
    after a job that got every instance onto the peer."""

    def handle(
        params: dict[str, Any], progress: Progress, cancel: CancelToken, log_line: LogLine
    ) -> str | None:
        job = read_params(KIND, SendParams, params)
        node, uids, send_id = job.node, list(job.uids), job.send_id
        current = settings()
        delay = current.services.send_retry_delay_s
        progress(0, 0, f"sending to {node.name}")
        try:
            outcome = run_send(
                current, store, node, uids, send_id, cancel=cancel,
                progress=lambda p: progress(p.done, p.total, _progress_text(p)),
            )  # fmt: skip
        except SendSelectionError as exc:
            raise PermanentJobError(exc.message()) from None
        except AssociationRejectedError as exc:
            if exc.permanent:
                raise PermanentJobError(exc.message()) from None
            raise RetryableJobError(exc.message(), delay) from None
        except NetworkError as exc:
            raise RetryableJobError(exc.message(), delay) from None
        _log_outcome(outcome, log_line)
        report = outcome.report
        if report.cancelled:
            return f"cancelled: {outcome.summary()}"
        if report.interrupted is not None:
            log_line(f"interrupted: {outcome.summary()}")
            raise RetryableJobError(report.interrupted.message(), delay)
        if outcome.failed:
            error = SendFailedError(failed=len(outcome.failed), total=outcome.total, node=node.name)
            raise PermanentJobError(f"{error.message()}: {outcome.summary()}")
        if on_sent is not None and outcome.references:
            try:
                on_sent(node, outcome.references)
            except Exception:  # the send itself succeeded: never fail it afterwards
                log.exception("after-send hook failed for %s", node.name)
                log_line("the follow-up after the send (storage commitment) could not be queued")
        return outcome.summary()

    return handle
