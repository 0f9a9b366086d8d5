"""C-GET SCU: the instances come on our own association and go into the local store.

Each C-STORE sub-operation is stored through the node's durable path (net/scp/storage.py),
so a 0000 is only answered once the file is durable and indexed. The instances are
found by C-FIND first (net/scu/get_contexts.py): their SOP classes make the contexts
(every compressed syntax we decode offered too, with SCP role selection), their number
the progress total. A peer that sends through the first context of a class whatever
the file's syntax (dcmqrscp) fails the compressed files on the first pass; those are
asked for again, one compressed syntax the peer accepted at a time listed first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pynetdicom import evt

from workstation.config.settings import RemoteNode
from workstation.dicom.qr_identifier import QRLevel, retrieve_identifier
from workstation.dicom.transfer_syntax import COMPRESSED
from workstation.errors import NetworkError
from workstation.jobs.cancel import CancelToken
from workstation.net.association import LocalAE, open_association
from workstation.net.scp.node import NodeEvent, NodeEventKind
from workstation.net.scp.storage import DUPLICATE, store_request
from workstation.net.scu.get_contexts import Found, classes_for, discover_instances, get_contexts
from workstation.net.scu.move import (
    Progress,
    RetrieveOutcome,
    RetrieveRequest,
    SubOperations,
    read_responses,
)
from workstation.net.scu.query_retrieve import GET, sop_class
from workstation.store.local_store import LocalStore

log = logging.getLogger(__name__)

EventSink = Callable[[NodeEvent], None]


class _Receiver:
    """The EVT_C_STORE handler of a C-GET association."""

    def __init__(self, store: LocalStore, peer_ae: str, on_event: EventSink | None) -> None:
        self.store = store
        self.peer_ae = peer_ae
        self.on_event = on_event
        self.received = self.duplicates = self.refused = 0
        self.refused_uids: set[str] = set()

    def __call__(self, event: evt.Event) -> Dataset:
        status, comment, sop_uid, study_uid = store_request(self.store, event, self.peer_ae)
        if status == 0x0000:
            self.received += 1
            duplicate = comment == DUPLICATE
            self.duplicates += int(duplicate)
            kind = NodeEventKind.DUPLICATE if duplicate else NodeEventKind.STORED
            comment = ""
        else:
            self.refused += 1
            self.refused_uids.add(sop_uid)
            kind = NodeEventKind.STORE_FAILED
            log.warning("C-GET C-STORE of %s refused with %04X: %s", sop_uid, status, comment)
        if self.on_event is not None:
            self.on_event(NodeEvent(kind, calling_ae=self.peer_ae, sop_instance_uid=sop_uid,
                                    study_uid=study_uid, status=int(status), message=comment))  # fmt: skip
        rsp = Dataset()
        rsp.Status = int(status)
        if comment:
            rsp.ErrorComment = comment[:64]
        return rsp


@dataclass
class _Pass:
    """The result of one C-GET association (one C-GET per identifier on it)."""

    status: int | None = None
    counts: SubOperations = SubOperations(remaining=0)
    error: NetworkError | None = None
    failed: tuple[str, ...] = ()
    cancelled: bool = False
    accepted: frozenset[str] = frozenset()  # transfer syntaxes of accepted storage contexts


def _add(a: SubOperations, b: SubOperations) -> SubOperations:
    remaining = None if b.remaining is None else (a.remaining or 0) + b.remaining
    return SubOperations(remaining, a.completed + b.completed, a.failed + b.failed,
                         a.warning + b.warning)  # fmt: skip


def _get_pass(
    node: RemoteNode,
    local: LocalAE,
    uid: str,
    classes: tuple[str, ...],
    identifiers: list[Dataset],
    receiver: _Receiver,
    cancel: CancelToken | None,
    on_progress: Progress | None,
    first: str | None,
) -> _Pass:
    contexts, roles = get_contexts(uid, classes, first=first)
    result = _Pass()
    try:
        connection = open_association(
            node, local, contexts, service=GET, needed=uid, ext_neg=roles,
            handlers=[(evt.EVT_C_STORE, receiver)],
        )  # fmt: skip
    except NetworkError as exc:
        result.error = exc
        return result
    result.accepted = frozenset(
        str(cx.transfer_syntax[0]) for cx in connection.assoc.accepted_contexts if cx.as_scp
    )
    try:
        for number, identifier in enumerate(identifiers, start=1):
            base = result.counts

            def progress(counts: SubOperations, base: SubOperations = base) -> None:
                if on_progress is not None:
                    on_progress(_add(base, counts))

            status, counts, error, failed, cancelled = read_responses(
                connection, GET, uid,
                lambda i=identifier, n=number: connection.assoc.send_c_get(i, uid, msg_id=n),
                local, cancel, progress, msg_id=number,
            )  # fmt: skip
            result.status, result.counts = status, _add(base, counts)
            result.failed += failed
            result.error, result.cancelled = error, cancelled
            if error is not None or cancelled:
                break
    except NetworkError as exc:
        result.error = exc
    finally:
        connection.close()
    return result


def _image_identifiers(request: RetrieveRequest, items: list[Found]) -> list[Dataset]:
    """IMAGE-level identifiers for ``items``, one per series."""
    by_series: dict[tuple[str, str], list[str]] = {}
    for f in items:
        by_series.setdefault((f.study_uid, f.series_uid), []).append(f.sop_uid)
    return [
        retrieve_identifier(request.model, QRLevel.IMAGE, [study], [series], sops,
                            request.patient_id)  # fmt: skip
        for (study, series), sops in by_series.items()
    ]


def get(
    node: RemoteNode,
    request: RetrieveRequest,
    store: LocalStore,
    local: LocalAE,
    *,
    cancel: CancelToken | None = None,
    on_progress: Progress | None = None,
    on_event: EventSink | None = None,
    sop_classes: tuple[str, ...] = (),
) -> RetrieveOutcome:
    """C-GET ``request`` from ``node`` into ``store``; ``on_event`` hears of each instance
    stored (as the node's listeners do), ``sop_classes`` adds classes to propose."""
    started = time.monotonic()
    uid = sop_class(request.model, GET)
    identifier = request.identifier()
    found = discover_instances(node, request.model, request.level, identifier, local)
    if cancel is not None and cancel.is_set():
        return RetrieveOutcome(GET, None, SubOperations(), cancelled=True)
    receiver = _Receiver(store, node.ae_title, on_event)
    first = _get_pass(node, local, uid, classes_for(found, sop_classes), [identifier],
                      receiver, cancel, on_progress, None)  # fmt: skip
    status, counts, error, failed, cancelled = (
        first.status, first.counts, first.error, first.failed, first.cancelled
    )
    by_uid = {f.sop_uid: f for f in found}
    for syntax in (ts for ts in COMPRESSED if ts in first.accepted):
        again = [by_uid[u] for u in failed if u in by_uid and u not in receiver.refused_uids]
        if not again or error is not None or cancelled:
            break
        log.info("C-GET: asking again for %d instances, %s first", len(again), syntax.name)
        base = SubOperations(0, counts.completed, max(0, counts.failed - len(again)), counts.warning)

        def progress(c: SubOperations, base: SubOperations = base) -> None:
            if on_progress is not None:
                on_progress(_add(base, c))

        retry = _get_pass(node, local, uid, classes_for(again), _image_identifiers(request, again),
                          receiver, cancel, progress, syntax)  # fmt: skip
        counts, error, cancelled = _add(base, retry.counts), retry.error, retry.cancelled
        retried = {f.sop_uid for f in again}
        failed = tuple(u for u in failed if u not in retried) + retry.failed
        if retry.status is not None:
            status = 0x0000 if counts.failed == 0 and counts.warning == 0 else 0xB000
    outcome = RetrieveOutcome(
        GET, status, counts, cancelled, error, failed, receiver.received, receiver.duplicates,
        receiver.refused, len(found) or None, time.monotonic() - started,
    )  # fmt: skip
    log.info("C-GET from %s:%d: %s", node.host, node.port, outcome.summary())
    return outcome
