"""The DICOM node: Verification and Storage SCP feeding the local store.

Handlers run on pynetdicom's association threads and do the minimum: parse, check,
store durably, index, answer. Only then is 0000 sent. Every other outcome has a
defined status (CONFORMANCE.md, "Storage SCP outcomes") and the association stays
open: the sender decides whether to go on.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydicom.dataset import Dataset
from pynetdicom import AE, build_context, evt
from pynetdicom.presentation import PresentationContext
from pynetdicom.sop_class import Verification
from pynetdicom.transport import ThreadedAssociationServer

from workstation.config.settings import Settings
from workstation.dicom.status import StoreStatus
from workstation.dicom.uid_rules import encodable_comment
from workstation.net import deadlines, wire
from workstation.net.association import LocalAE, make_ae, on_connection_open
from workstation.net.negotiation import QR_SYNTAXES, base_contexts, contexts_for_request
from workstation.net.scp import command_screen, echo, screening
from workstation.net.scp.commitment import CommitmentService
from workstation.net.scp.query_retrieve import QR_SOP_CLASSES, QueryRetrieveSCP
from workstation.net.scp.storage import DUPLICATE, store_request
from workstation.store.commitment_state import ReportResult
from workstation.store.local_store import LocalStore

log = logging.getLogger(__name__)


class NodeEventKind(StrEnum):
    ASSOCIATION_ACCEPTED = "association_accepted"
    ASSOCIATION_REJECTED = "association_rejected"
    ASSOCIATION_CLOSED = "association_closed"
    STORED = "stored"
    DUPLICATE = "duplicate"
    STORE_FAILED = "store_failed"
    COMMITMENT = "commitment"  # a storage commitment report for a study was recorded


@dataclass(frozen=True, slots=True)
class NodeEvent:
    """What the node tells its listeners (the GUI bridge re-emits these as Qt signals)."""

    kind: NodeEventKind
    calling_ae: str = ""
    address: str = ""
    sop_instance_uid: str = ""
    study_uid: str = ""
    status: int = 0
    message: str = ""
    called_ae: str = ""
    services: str = ""  # ASSOCIATION_CLOSED: the requests it carried, "C-STORE x12, C-FIND x1"


Listener = Callable[[NodeEvent], None]
STOP_GRACE_S = 1.0  # at stop, how long open associations may go on before they are cut off
STOP_JOIN_S = 1.0  # then how long their threads (and the commitment reporters) get to end
LISTEN_BACKLOG = 128  # connections the kernel holds until the node accepts them


def _peer(assoc: Any) -> str:
    """The other side of ``assoc`` as "AE@address" (what is known of it)."""
    user = assoc.requestor if assoc.is_acceptor else assoc.acceptor
    title = (getattr(user, "ae_title", "") or "").strip()
    address = str(getattr(user, "address", "?"))
    return f"{title}@{address}" if title else address


SERVICES_ATTR = "ws_service_counts"  # on each association: requests per service, for the log


def _counted(kind: Any, handler: Callable) -> Callable:
    """``handler`` counting each request of ``kind`` on its association (the summary)."""
    name = kind.name.removeprefix("EVT_").replace("_", "-")

    def counting(event: evt.Event) -> Any:
        counts = getattr(event.assoc, SERVICES_ATTR, None)
        if counts is None:
            counts = Counter()
            setattr(event.assoc, SERVICES_ATTR, counts)
        counts[name] += 1
        return handler(event)

    return counting


def _called(assoc: Any) -> str:
    """The called AE title the peer asked for ("" before its request is known)."""
    primitive = assoc.requestor.primitive
    return primitive.called_ae_title.strip() if primitive is not None else ""


def _is_service(kind: Any) -> bool:
    return kind.is_intervention and kind.name.startswith(("EVT_C_", "EVT_N_"))


def _services(assoc: Any) -> str:
    counts = getattr(assoc, SERVICES_ATTR, None) or Counter()
    return ", ".join(f"{name} x{n}" for name, n in counts.items())


def _status(code: int, comment: str = "") -> Dataset:
    """A response status; the comment made encodable as an LO (dicom/uid_rules.py)."""
    ds = Dataset()
    ds.Status = int(code)
    comment = encodable_comment(comment) if comment else ""
    if comment:
        ds.ErrorComment = comment
    return ds


class StorageNode:
    """Verification + Storage SCP on one port, feeding ``store``."""

    def __init__(self, settings: Settings, store: LocalStore) -> None:
        self.settings = settings
        self.store = store
        self._listeners: list[Listener] = []
        self._server: ThreadedAssociationServer | None = None
        self._ae = self._make_ae()
        self._qr = QueryRetrieveSCP(settings, store, self._association_handlers)
        self.commitment = CommitmentService(settings, store, self._on_commit_report)
        self._contexts: list[PresentationContext] = []

    # -- set-up ----------------------------------------------------------------------
    def _make_ae(self) -> AE:
        s = self.settings
        ae = make_ae(LocalAE.from_settings(s, network_timeout_s=s.network.network_timeout_s))
        ae.maximum_associations = s.node.max_associations
        ae.require_called_aet = False
        for abstract, syntaxes in base_contexts():
            # scp_role: a C-GET requester may ask us to send its storage sub-operations
            ae.add_supported_context(abstract, list(syntaxes), scu_role=True, scp_role=True)
        for abstract in QR_SOP_CLASSES:
            ae.add_supported_context(abstract, list(QR_SYNTAXES))
        for abstract, syntaxes in CommitmentService.contexts():
            # both roles: a peer asks us (N-ACTION), or reports to us as the SCP
            ae.add_supported_context(abstract, list(syntaxes), scu_role=True, scp_role=True)
        return ae

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _publish(self, event: NodeEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not break the node
                log.exception("node event listener failed")

    # -- life cycle ------------------------------------------------------------------
    @property
    def address(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("node is not running")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        handlers = [
            (evt.EVT_CONN_OPEN, self._on_conn_open),
            (evt.EVT_REQUESTED, self._on_requested),
            (evt.EVT_ACCEPTED, self._on_accepted),
            (evt.EVT_RELEASED, self._on_closed),
            (evt.EVT_ABORTED, self._on_closed),
            *echo.handlers(),
            (evt.EVT_C_STORE, self._on_store),
            *self._qr.handlers(),
            *self.commitment.handlers(),
        ]
        handlers = [(k, _counted(k, h) if _is_service(k) else h) for k, h in handlers]
        self._contexts = list(self._ae.supported_contexts)
        self.commitment.start()
        self._server = self._ae.start_server(
            (self.settings.node.bind_address, self.settings.node.port),
            block=False,
            evt_handlers=handlers,
            # pynetdicom deep-copies these for every association; _on_requested then
            # supplies the contexts for what the peer proposed from self._contexts
            contexts=[build_context(Verification)],
        )
        # socketserver listens with a backlog of 5: a burst of connections (or of
        # garbage) would have callers' SYNs dropped and retried a second later
        self._server.socket.listen(LISTEN_BACKLOG)
        host, port = self.address
        log.info("node %s listening on %s:%d", self.settings.node.ae_title, host, port)

    def active_associations(self) -> int:
        return len(self._server.active_associations) if self._server else 0

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop accepting; let open associations finish for ``grace_s``, then cut every
        one off (A-ABORT, socket shut down): a few seconds, whatever the peers do."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        deadline = time.monotonic() + grace_s
        while server.active_associations and time.monotonic() < deadline:
            time.sleep(0.05)
        # the peers' associations and ours (C-MOVE sub-operations, reports)
        left = [a for a in self._ae.active_associations if a.is_alive()]
        for assoc in left:
            deadlines.cut_off(assoc, "the node is shutting down")  # logs it
        deadline = time.monotonic() + STOP_JOIN_S
        for assoc in left:
            for thread in (assoc, assoc.dul):
                if thread.ident is not None:
                    thread.join(max(0.0, deadline - time.monotonic()))
        stuck = [a for a in left if a.is_alive()]
        for assoc in stuck:
            log.error("association with %s still busy at shutdown", _peer(assoc))
        self.commitment.stop(timeout_s=STOP_JOIN_S)
        if not stuck:
            self._ae.shutdown()  # nothing left to abort: pynetdicom's own clean-up

    # -- association handlers ----------------------------------------------------------
    def _association_handlers(self) -> list[tuple[Any, Callable]]:
        """Handlers for associations we open ourselves (C-MOVE sub-operations)."""
        return [(evt.EVT_CONN_OPEN, self._on_conn_open)]

    def _on_conn_open(self, event: evt.Event) -> None:
        # deadlines on the whole conversation and the slot freed when the connection
        # ends (net/deadlines.py, fast paths on or off); Nagle off, the response
        # guard, the wire fast paths' DUL poll (all associations); peers' associations:
        # threads that wait instead of polling, C-STORE coded directly, and the next
        # instance's temp file made while the peer sends it. First the PDU screening
        # (net/scp/screening.py): the deadlines then bound its reads too
        screening.install(event.assoc)
        deadlines.install(event.assoc)
        on_connection_open(event.assoc)
        wire.accelerate_acceptor(event.assoc, after_store=self.store.prepare_spare)
        command_screen.install(event.assoc)  # last: sees every P-DATA first

    def _known_caller(self, calling_ae: str) -> bool:
        if not self.settings.node.require_known_callers:
            return True
        return bool(self.settings.nodes_with_ae(calling_ae))

    def _refusal(self, called: str, calling: str) -> tuple[int, str] | None:
        """(A-ASSOCIATE-RJ reason, why) for a request we do not take, else None."""
        node = self.settings.node
        if node.check_called_ae and called != node.ae_title.strip():
            return 0x07, "called AE title not recognised"
        if not self._known_caller(calling):
            return 0x03, "calling AE title not recognised"
        return None

    def _on_requested(self, event: evt.Event) -> None:
        assoc = event.assoc
        rq = assoc.requestor.primitive
        calling = rq.calling_ae_title.strip()
        refusal = self._refusal(rq.called_ae_title.strip(), calling)
        if refusal is not None:
            reason, why = refusal
            log.warning("association from %r to %r rejected: %s",
                        calling, rq.called_ae_title.strip(), why)  # fmt: skip
            assoc.acse.send_reject(0x01, 0x01, reason)  # permanent, service user
            assoc.kill()  # waits until the A-ASSOCIATE-RJ is on the wire
            self._publish(
                NodeEvent(
                    NodeEventKind.ASSOCIATION_REJECTED,
                    calling_ae=calling,
                    address=assoc.requestor.address,
                    message=why,
                    called_ae=rq.called_ae_title.strip(),
                )
            )
            return
        assoc.acceptor.supported_contexts = contexts_for_request(
            self._contexts, rq.presentation_context_definition_list
        )

    def _on_accepted(self, event: evt.Event) -> None:
        self._publish(
            NodeEvent(
                NodeEventKind.ASSOCIATION_ACCEPTED,
                calling_ae=event.assoc.requestor.ae_title.strip(),
                address=event.assoc.requestor.address,
                called_ae=_called(event.assoc),
            )
        )

    def _on_closed(self, event: evt.Event) -> None:
        self._publish(
            NodeEvent(
                NodeEventKind.ASSOCIATION_CLOSED,
                calling_ae=event.assoc.requestor.ae_title.strip(),
                address=event.assoc.requestor.address,
                message="aborted" if event.event is evt.EVT_ABORTED else "released",
                called_ae=_called(event.assoc),
                services=_services(event.assoc),
            )
        )

    def _on_commit_report(self, result: ReportResult, calling_ae: str) -> None:
        for study_uid in sorted(result.study_uids) or [""]:
            self._publish(
                NodeEvent(
                    NodeEventKind.COMMITMENT,
                    calling_ae=calling_ae,
                    study_uid=study_uid,
                    message=str(result.state),
                )
            )

    def _on_store(self, event: evt.Event) -> Dataset:
        calling = event.assoc.requestor.ae_title.strip()
        status, comment, sop_uid, study_uid = self._store(event, calling)
        if status == StoreStatus.SUCCESS:
            kind = NodeEventKind.DUPLICATE if comment == DUPLICATE else NodeEventKind.STORED
            comment = ""
        else:
            kind = NodeEventKind.STORE_FAILED
            log.warning("C-STORE from %s refused with %04X: %s", calling, status, comment)
        self._publish(
            NodeEvent(
                kind,
                calling_ae=calling,
                sop_instance_uid=sop_uid,
                study_uid=study_uid,
                status=int(status),
                message=comment,
            )
        )
        return _status(status, comment)

    def _store(self, event: evt.Event, calling: str) -> tuple[int, str, str, str]:
        return store_request(self.store, event, calling)
