"""Storage commitment for a command line run: request it and wait for the outcome.

``workstation send --commit`` uses :func:`commit_and_wait` after a successful send: our
node must listen for a report that comes on a new association, so it is started on
``port`` for the duration unless something (our ``workstation serve`` or the desktop on
the same store, presumably) already listens there. In that case, given the store's job
queue, the request is handed to that node as a "commit" job: the node sends the
N-ACTION, retries it, and receives the report even after this run has ended. The run
then waits until the transaction is no longer pending, or until the commitment timeout
turns it into commit failed.
"""

from __future__ import annotations

import errno
import logging
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from workstation.config.settings import RemoteNode, Settings
from workstation.errors import CommitmentRequestError
from workstation.jobs import JobQueue, JobState
from workstation.net.commitment import Reference
from workstation.net.scp.node import StorageNode
from workstation.services.commit_job import KIND, MAX_ATTEMPTS, commit_params, request_once
from workstation.store.commitment_state import (
    CommitmentState,
    CommitTransaction,
    TransactionState,
)
from workstation.store.local_store import LocalStore

log = logging.getLogger(__name__)

POLL_S = 0.2


@dataclass(frozen=True, slots=True)
class CommitSummary:
    transaction: CommitTransaction | None  # None: the N-ACTION never got through
    committed: int
    failed: int
    detail: str

    @property
    def ok(self) -> bool:
        return self.transaction is not None and self.transaction.state is TransactionState.COMMITTED

    def line(self) -> str:
        if self.transaction is None:
            return f"commitment failed: {self.detail}"
        t = self.transaction
        return (f"commitment {t.state} at {t.node_name}: {self.committed} committed, "
                f"{self.failed} failed (transaction {t.transaction_uid})"
                + (f"; {t.note}" if t.note else ""))  # fmt: skip


def _port_in_use(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


@contextmanager
def report_listener(
    settings: Settings, store: LocalStore, node: RemoteNode, port: int | None = None
) -> Iterator[StorageNode | None]:
    """Our node on ``port`` (default the settings' port) for the duration, knowing
    ``node`` as a caller; None when something listens there already."""
    port = settings.node.port if port is None else port
    if _port_in_use(settings.node.bind_address, port):
        log.info("port %d is in use: assuming our node listens there for the report", port)
        yield None
        return
    nodes = list(settings.remote_nodes)
    if not settings.nodes_with_ae(node.ae_title):
        nodes.append(node if not settings.find_node(node.name) else node.model_copy(
            update={"name": f"{node.name}-{node.ae_title}"}))  # fmt: skip
    listener = StorageNode(settings.updated(port=port, remote_nodes=nodes), store)
    listener.start()
    try:
        yield listener
    finally:
        listener.stop()


def commit_and_wait(
    settings: Settings,
    store: LocalStore,
    node: RemoteNode,
    references: Sequence[Reference],
    port: int | None = None,
    timeout_s: float | None = None,
    say: Callable[[str], None] = lambda line: None,
    stop: Callable[[], bool] = lambda: False,
    queue: JobQueue | None = None,
) -> CommitSummary:
    """Request commitment of ``references`` at ``node`` and wait for the outcome.

    ``timeout_s`` (default the settings' ``commit_timeout_s``) is the transaction's
    deadline; ``say`` gets progress lines; ``stop()`` true ends the wait early (the
    transaction stays pending: our node may still receive the report). With ``queue``
    (the store's job queue) and our node already listening, that node makes the request.
    """
    if timeout_s is not None:
        settings = settings.updated(commit_timeout_s=timeout_s)
    state = CommitmentState(store.index)
    with report_listener(settings, store, node, port) as listener:
        if listener is None and queue is not None:
            found = _request_through_queue(settings, state, queue, node, references, say, stop)
            if isinstance(found, CommitSummary):
                return found
            transaction = found
        else:
            try:
                outcome = request_once(settings, state, node, references)
            except CommitmentRequestError as exc:
                return CommitSummary(None, 0, len(references), str(exc.values.get("reason", exc)))
            transaction = outcome.transaction
            say(f"commitment requested at {node.name} (transaction "
                f"{transaction.transaction_uid}); {outcome.request.detail}")  # fmt: skip
        transaction = _wait(state, transaction, stop)
    results = [item["result"] for item in state.items(transaction.transaction_uid)]
    return CommitSummary(
        transaction, results.count("success"), results.count("failed"), transaction.note
    )


def _wait(
    state: CommitmentState, transaction: CommitTransaction, stop: Callable[[], bool]
) -> CommitTransaction:
    """Until the transaction is no longer pending (expired at its deadline) or ``stop()``."""
    uid = transaction.transaction_uid
    while transaction.state is TransactionState.PENDING and not stop():
        if time.time() > transaction.deadline:
            state.expire_overdue()
        time.sleep(POLL_S)
        transaction = state.transaction(uid) or transaction
    return transaction


def _request_through_queue(
    settings: Settings,
    state: CommitmentState,
    queue: JobQueue,
    node: RemoteNode,
    references: Sequence[Reference],
    say: Callable[[str], None],
    stop: Callable[[], bool],
) -> CommitTransaction | CommitSummary:
    """Queue a commit job for the running node and wait until it has made the request:
    its transaction, or the summary of a request that never got through."""
    timeout = settings.services.commit_timeout_s
    since = time.time()
    job_id = queue.submit(KIND, commit_params(node, references, timeout_s=timeout),
                          max_attempts=MAX_ATTEMPTS)  # fmt: skip
    say(f"commitment request queued as job {job_id} for our node listening on port "
        f"{settings.node.port}")  # fmt: skip
    deadline = since + timeout
    wanted = {s for _c, s in references}
    while True:
        job = queue.get(job_id)
        transaction = _transaction_of(state, node, wanted, since)
        if transaction is not None and (
            transaction.state is not TransactionState.FAILED or job is None or job.state.is_final
        ):
            say(f"commitment requested at {node.name} by our node (transaction "
                f"{transaction.transaction_uid})")  # fmt: skip
            return transaction
        if job is None or job.state in (JobState.FAILED, JobState.CANCELLED):
            detail = (job.last_error if job is not None else None) or "the commit job was removed"
            return CommitSummary(None, 0, len(references), detail)
        if stop() or time.time() > deadline:
            if job.state is JobState.QUEUED and queue.cancel(job_id):
                log.info("commit job %d cancelled: the wait ended before it ran", job_id)
            why = "stopped" if stop() else "the deadline passed"
            return CommitSummary(None, 0, len(references),
                                 f"not requested: {why} before our node ran job {job_id}")  # fmt: skip
        time.sleep(POLL_S)


def _transaction_of(
    state: CommitmentState, node: RemoteNode, sop_uids: set[str], since: float
) -> CommitTransaction | None:
    """The newest transaction at ``node`` made since ``since`` for these instances."""
    for t in reversed(state.transactions()):
        if t.created_at < since - 1.0:
            break
        if t.node_name == node.name and sop_uids == {
            str(i["sop_uid"]) for i in state.items(t.transaction_uid)
        }:
            return t
    return None
