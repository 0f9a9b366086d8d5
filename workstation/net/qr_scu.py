"""Query/Retrieve SCU plumbing shared by C-FIND (find_scu) and C-MOVE/C-GET (retrieve_scu).

Opening an association turns every way it can fail into a typed error, with the same
diagnosis as the Verification SCU (net/echo.py): refused, unreachable, rejected (with
result, source and reason), aborted, closed, timeout. A response that never comes is
told apart the same way (abort PDU, closed connection or DIMSE timeout).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset
from pynetdicom import AE, _config, evt
from pynetdicom.association import Association
from pynetdicom.pdu import A_ASSOCIATE_AC
from pynetdicom.presentation import PresentationContext
from pynetdicom.sop_class import (
    PatientRootQueryRetrieveInformationModelFind,
    PatientRootQueryRetrieveInformationModelGet,
    PatientRootQueryRetrieveInformationModelMove,
    StudyRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelGet,
    StudyRootQueryRetrieveInformationModelMove,
)
from pynetdicom.status import code_to_category

from workstation.config.settings import RemoteNode, Settings, make_node
from workstation.dicom.qr_identifier import QRModel
from workstation.dicom.uids import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME
from workstation.errors import (
    AssociationAbortedError,
    AssociationRejectedError,
    DimseStatusError,
    NetworkError,
    NetworkTimeoutError,
    PeerConnectError,
    QueryKeyError,
    ServiceNotAcceptedError,
)

# The Verification SCU's diagnosis of a failed association, reused as is.
from workstation.net.echo import ABORT_REASONS, ABORT_SOURCES
from workstation.net.echo import _ConnectErrorCapture as ConnectErrorCapture
from workstation.net.echo import _diagnose as diagnose
from workstation.net.echo import _Observer as Observer
from workstation.net.negotiation import QR_SYNTAXES

log = logging.getLogger(__name__)

_TRANSPORT_LOGGER = "pynetdicom.transport"
DUL_POLL_S = 0.0002  # as the node: pynetdicom's 1 ms idle poll adds latency per response

FIND, MOVE, GET = "C-FIND", "C-MOVE", "C-GET"
SOP_CLASSES = {
    (QRModel.PATIENT, FIND): PatientRootQueryRetrieveInformationModelFind,
    (QRModel.STUDY, FIND): StudyRootQueryRetrieveInformationModelFind,
    (QRModel.PATIENT, MOVE): PatientRootQueryRetrieveInformationModelMove,
    (QRModel.STUDY, MOVE): StudyRootQueryRetrieveInformationModelMove,
    (QRModel.PATIENT, GET): PatientRootQueryRetrieveInformationModelGet,
    (QRModel.STUDY, GET): StudyRootQueryRetrieveInformationModelGet,
}

# PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4 (the meanings a user is shown with the code)
STATUS_MEANINGS = {
    0xA700: "refused: out of resources",
    0xA701: "refused: out of resources, unable to calculate the number of matches",
    0xA702: "refused: out of resources, unable to perform sub-operations",
    0xA801: "refused: move destination unknown",
    0xA900: "identifier does not match the SOP class",
    0xAA00: "none of the frames requested were found",
    0xB000: "sub-operations complete, one or more failures or warnings",
    0xFE00: "cancelled",
    0x0122: "SOP class not supported",
}


def status_meaning(status: int) -> str:
    if status in STATUS_MEANINGS:
        return STATUS_MEANINGS[status]
    if 0xC000 <= status <= 0xCFFF:
        return "unable to process"
    return code_to_category(status).lower()


@dataclass(frozen=True, slots=True)
class LocalAE:
    """Who we are on an SCU association and how long we wait (values cross threads)."""

    ae_title: str
    connect_timeout_s: float = 15.0
    acse_timeout_s: float = 30.0
    dimse_timeout_s: float = 60.0
    max_pdu: int = 65536

    @classmethod
    def from_settings(
        cls, settings: Settings, ae_title: str | None = None, dimse_timeout_s: float | None = None
    ) -> LocalAE:
        return cls(
            ae_title=ae_title or settings.ae_title,
            connect_timeout_s=settings.connect_timeout_s,
            acse_timeout_s=settings.acse_timeout_s,
            dimse_timeout_s=dimse_timeout_s or settings.dimse_timeout_s,
            max_pdu=settings.max_pdu,
        )


def node_from_address(spec: str, name: str | None = None) -> RemoteNode:
    """``AET@HOST:PORT`` as a node (SettingsError when malformed)."""
    aet, at, rest = spec.strip().rpartition("@")
    host, colon, port = rest.rpartition(":")
    if not at or not colon or not port.isdigit():
        raise QueryKeyError(key=spec, reason="a node is given as AET@HOST:PORT")
    return make_node(name=name or spec.strip(), ae_title=aet, host=host, port=int(port))


def sop_class(model: QRModel, service: str) -> str:
    return str(SOP_CLASSES[(model, service)])


def qr_context(uid: str) -> PresentationContext:
    cx = PresentationContext()
    cx.abstract_syntax = uid
    cx.transfer_syntax = list(QR_SYNTAXES)
    return cx


def node_values(node: RemoteNode) -> dict[str, Any]:
    return {"host": node.host, "port": node.port, "ae_title": node.ae_title}


class Connection:
    """One SCU association: opened (or a typed error raised), used, closed exactly once."""

    def __init__(self, node: RemoteNode, ae: AE, assoc: Association, observer: Observer) -> None:
        self.node = node
        self.ae = ae
        self.assoc = assoc
        self.observer = observer

    def context_for(self, uid: str, service: str) -> PresentationContext:
        for cx in self.assoc.accepted_contexts:
            if cx.abstract_syntax == uid and cx.as_scu:
                return cx
        raise ServiceNotAcceptedError(**node_values(self.node), service=f"{service} ({uid})")

    def failure(self, service: str, timeout_s: float) -> NetworkError:
        """Why a response did not come: A-ABORT, closed connection or timeout."""
        values = node_values(self.node)
        where = f"{self.node.host}:{self.node.port}"
        pdu = self.observer.abort_pdu
        if pdu is not None:
            source = ABORT_SOURCES.get(pdu.source, str(pdu.source))
            reason = ABORT_REASONS.get(pdu.reason_diagnostic, str(pdu.reason_diagnostic))
            return AssociationAbortedError(
                **values, source=pdu.source, reason=pdu.reason_diagnostic,
                detail=f"{where} aborted the association during the {service} ({source}: {reason})",
            )  # fmt: skip
        if self.observer.saw("Evt15"):  # we aborted: no response within the timeout
            return NetworkTimeoutError(**values, phase="dimse", timeout_s=timeout_s)
        if self.observer.saw("Evt17"):
            return AssociationAbortedError(
                **values, source=2, reason=0,
                detail=f"{where} closed the connection during the {service}",
            )  # fmt: skip
        return NetworkTimeoutError(**values, phase="dimse", timeout_s=timeout_s)

    def status_error(self, service: str, status: Dataset) -> DimseStatusError:
        code = int(status.get("Status", 0xC000))
        comment = str(status.get("ErrorComment", "") or "").strip()
        return DimseStatusError(
            **node_values(self.node), service=service, status=code, status_hex=f"{code:04X}",
            meaning=status_meaning(code), comment=f": {comment}" if comment else "",
        )  # fmt: skip

    def close(self) -> None:
        """Release when established (abort if the release does not finish), then join."""
        assoc = self.assoc
        try:
            if assoc.is_established:
                assoc.release()
            if assoc.is_alive() and not assoc.is_released:
                assoc.abort()
        finally:
            if assoc.ident is not None:
                assoc.join(timeout=30)
            self.ae.shutdown()

    def settle(self, timeout_s: float = 2.0) -> None:
        """Call between two requests on this association. pynetdicom's final response
        lets its reactor thread run again; a request sent before that thread has woken
        sees it "paused" and goes out, and the reactor then takes the first response off
        the queue ("unexpected C-FIND service message"), so the answer loses a match.
        Waiting until the reactor has woken closes that window (bounded)."""
        deadline = time.monotonic() + timeout_s
        while getattr(self.assoc, "_is_paused", False) and time.monotonic() < deadline:
            time.sleep(0.0002)

    def abort_now(self) -> None:
        """Abort from another thread; wakes a reader blocked on the next response."""
        self.assoc.abort()
        self.assoc.dimse.msg_queue.put((None, None))


def _on_open(event: evt.Event) -> None:
    event.assoc.dul._run_loop_delay = DUL_POLL_S
    sock = getattr(event.assoc.dul.socket, "socket", None)
    if sock is not None:
        try:  # Nagle off: DESIGN.md section 8
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


def connect(
    node: RemoteNode,
    local: LocalAE,
    contexts: Sequence[PresentationContext],
    *,
    service: str,
    needed: str,
    ext_neg: Iterable[Any] = (),
    handlers: Iterable[tuple[Any, Callable]] = (),
) -> Connection:
    """Open an association proposing ``contexts``; raise a typed error if it does not come
    up or the ``needed`` SOP class is not accepted."""
    started = time.perf_counter()
    values = node_values(node)
    where = f"{node.host}:{node.port}"
    try:
        address = socket.getaddrinfo(node.host, node.port, type=socket.SOCK_STREAM)[0][4][0]
    except (OSError, UnicodeError) as exc:
        raise PeerConnectError(**values, cause="echo.unresolved", detail=f"host name does not resolve: {exc}") from None

    # pynetdicom logs every response identifier (pretty-printed) at INFO: a third of a
    # C-FIND's time on the client. Kept when its logger is at DEBUG, for debugging.
    verbose = logging.getLogger("pynetdicom").isEnabledFor(logging.DEBUG)
    _config.LOG_RESPONSE_IDENTIFIERS = _config.LOG_REQUEST_IDENTIFIERS = verbose
    ae = AE(ae_title=local.ae_title)
    ae.implementation_class_uid = IMPLEMENTATION_CLASS_UID
    ae.implementation_version_name = IMPLEMENTATION_VERSION_NAME
    ae.connection_timeout = local.connect_timeout_s
    ae.acse_timeout = local.acse_timeout_s
    ae.dimse_timeout = local.dimse_timeout_s
    ae.network_timeout = max(local.dimse_timeout_s, local.acse_timeout_s)
    ae.maximum_pdu_size = local.max_pdu
    ae.requested_contexts = list(contexts)

    observer = Observer()
    answered: list[bool] = []  # an A-ASSOCIATE-AC came (then pynetdicom may still abort)

    def on_pdu(event: evt.Event) -> None:
        if isinstance(event.pdu, A_ASSOCIATE_AC):
            answered.append(True)

    capture = ConnectErrorCapture(observer)
    transport_log = logging.getLogger(_TRANSPORT_LOGGER)
    transport_log.addHandler(capture)
    try:
        assoc = ae.associate(
            address, node.port, ae_title=node.ae_title, ext_neg=list(ext_neg) or None,
            evt_handlers=[*observer.handlers(), (evt.EVT_CONN_OPEN, _on_open),
                          (evt.EVT_PDU_RECV, on_pdu), *handlers],
        )  # fmt: skip
    finally:
        transport_log.removeHandler(capture)
    connection = Connection(node, ae, assoc, observer)
    if not assoc.is_established and answered:
        connection.close()  # accepted, but with none of our presentation contexts
        raise ServiceNotAcceptedError(**values, service=f"{service} ({needed})")
    if not assoc.is_established:
        timeout = local.connect_timeout_s if not observer.connected else local.acse_timeout_s
        result = diagnose(assoc, observer, where, timeout, started)
        connection.close()
        raise _association_error(result.error_code, result.detail, dict(result.values), values)
    try:
        connection.context_for(needed, service)
    except ServiceNotAcceptedError:
        connection.close()
        raise
    return connection


def _association_error(
    code: str, detail: str, found: dict[str, Any], values: dict[str, Any]
) -> NetworkError:
    log.info("association to %s:%s failed: %s (%s)", values["host"], values["port"], code, detail)
    if code == "echo.rejected":
        return AssociationRejectedError(**values, **found, detail=detail)
    if code == "echo.aborted":
        return AssociationAbortedError(**values, **found, detail=detail)
    if code == "echo.timeout":
        return NetworkTimeoutError(**values, phase=found.get("phase", "association"),
                                   timeout_s=found.get("timeout_s", 0.0))  # fmt: skip
    return PeerConnectError(**{**found, **values}, cause=code, detail=detail)


class Canceller:
    """One C-CANCEL for the running C-FIND/C-MOVE/C-GET, sent from whichever thread asks
    first (a cancel token's callback, or the response loop); ``sent_at`` says when."""

    def __init__(
        self,
        connection: Connection,
        msg_id: int,
        context_id: int,
        service: str = "request",
        logger: logging.Logger | None = None,
    ) -> None:
        self.connection = connection
        self.msg_id = msg_id
        self.context_id = context_id
        self.service = service
        self.log = logger or log
        self._lock = threading.Lock()
        self.sent_at: float | None = None
        self.finished = False

    def send(self) -> None:
        with self._lock:
            if self.sent_at is not None or self.finished:
                return
            self.sent_at = time.monotonic()
            try:
                self.connection.assoc.send_c_cancel(self.msg_id, self.context_id)
                self.log.info("C-CANCEL sent for %s %d", self.service, self.msg_id)
            except (RuntimeError, ValueError) as exc:
                self.log.info("C-CANCEL not sent: %s", exc)

    def finish(self) -> None:
        with self._lock:
            self.finished = True
