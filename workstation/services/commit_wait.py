"""Storage commitment for a command line run: request it and wait for the outcome.

``workstation send --commit`` uses :func:`commit_and_wait` after a successful send: our
node must listen for a report that comes on a new association, so it is started on
``port`` for the duration unless something (our ``workstation serve`` on the same
store, presumably) already listens there. The run then waits until the transaction is
no longer pending, or until the commitment timeout turns it into commit failed.
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
from workstation.net.commitment import Reference
from workstation.net.node import StorageNode
from workstation.services.commit_job import request_once
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
    port = settings.port if port is None else port
    if _port_in_use(settings.bind_address, port):
        log.info("port %d is in use: assuming our node listens there for the report", port)
        yield None
        return
    nodes = list(settings.remote_nodes)
    if not settings.nodes_with_ae(node.ae_title):
        nodes.append(node if not settings.node(node.name) else node.model_copy(
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
) -> CommitSummary:
    """Request commitment of ``references`` at ``node`` and wait for the outcome.

    ``timeout_s`` (default the settings' ``commit_timeout_s``) is the transaction's
    deadline; ``say`` gets progress lines; ``stop()`` true ends the wait early (the
    transaction stays pending: our node may still receive the report).
    """
    if timeout_s is not None:
        settings = settings.updated(commit_timeout_s=timeout_s)
    state = CommitmentState(store.index)
    with report_listener(settings, store, node, port):
        try:
            outcome = request_once(settings, state, node, references)
        except CommitmentRequestError as exc:
            return CommitSummary(None, 0, len(references), str(exc.values.get("reason", exc)))
        uid = outcome.transaction.transaction_uid
        say(f"commitment requested at {node.name} (transaction {uid}); {outcome.request.detail}")
        transaction = outcome.transaction
        while transaction.state is TransactionState.PENDING and not stop():
            if time.time() > transaction.deadline:
                state.expire_overdue()
            time.sleep(POLL_S)
            transaction = state.transaction(uid) or transaction
    results = [item["result"] for item in state.items(uid)]
    return CommitSummary(
        transaction, results.count("success"), results.count("failed"), transaction.note
    )
