"""The one way to make an AE and open an association, and to say why one failed.

Every SCU and the node build their AE with :func:`make_ae` (our AE title and
implementation UID, timeouts, maximum PDU, requested contexts); every association we
open goes through :func:`open_association`, which sets TCP_NODELAY on the socket
(DESIGN.md section 8), installs the wire fast paths' DUL poll when they are on, and
turns any failure into a typed error with :func:`diagnose`:

===========================  ===================================================
PeerConnectError             no DICOM association: ``cause`` says why (``echo.*``:
                             unresolved, refused, unreachable, connect, closed,
                             not_dicom)
NetworkTimeoutError          no TCP connection, no association answer, or no
                             response in time (``phase``)
AssociationRejectedError     A-ASSOCIATE-RJ, with result, source and reason
AssociationAbortedError      the peer sent an A-ABORT (source, reason) or closed
                             the connection in the middle of an operation
ServiceNotAcceptedError      associated, but not with the service we need
===========================  ===================================================

pynetdicom 3.0.4's requestor (and acceptor) runs a reactor thread that looks at the
same DIMSE message queue a ``send_*`` call waits on. The ``send_*`` call pauses it
first, but the pause is read from a flag the reactor clears only once it is running
again: a request sent right after the previous response can find the flag still set
from the last pause, go out, and the reactor then takes its response ("Received
unexpected ... service message") while the requester waits out the DIMSE timeout.
Seen with back-to-back C-STOREs, C-FINDs on one association and Print N-SETs. Every
association made here gets a :class:`ResponseGuard`: its own thread only ever takes
requests off the queue, responses stay for the requester whatever the timing.

pynetdicom's process-wide settings (``pynetdicom._config``) are set once, at
start-up, by :func:`configure_pynetdicom`; making an AE here sets them from the
``pynetdicom`` logger's level if nobody has.

TLS plugs in at ``ssl_context`` (:func:`open_association`; not used yet).
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pynetdicom import AE, _config, evt
from pynetdicom.association import Association
from pynetdicom.dimse_primitives import C_CANCEL
from pynetdicom.pdu import A_ABORT_RQ, A_ASSOCIATE_AC, A_ASSOCIATE_RJ
from pynetdicom.presentation import PresentationContext

from workstation.config.settings import RemoteNode, Settings
from workstation.dicom.uids import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME
from workstation.errors import (
    AssociationAbortedError,
    AssociationRejectedError,
    NetworkError,
    NetworkTimeoutError,
    PeerConnectError,
    ServiceNotAcceptedError,
)
from workstation.net import wire

log = logging.getLogger(__name__)

TRANSPORT_LOGGER = "pynetdicom.transport"
CONNECT_ERROR_PREFIX = "TCP Initialisation Error: "
JOIN_TIMEOUT_S = 30.0

ABORT_SOURCES = {0: "service user", 1: "reserved", 2: "service provider"}
ABORT_REASONS = {
    0: "reason not specified",
    1: "unrecognised PDU",
    2: "unexpected PDU",
    3: "reserved",
    4: "unrecognised PDU parameter",
    5: "unexpected PDU parameter",
    6: "invalid PDU parameter value",
}

# -- pynetdicom's process-wide settings ---------------------------------------------------
_configured: tuple[bool, bool] | None = None
_config_lock = threading.Lock()


def configure_pynetdicom(debug: bool, log_identifiers: bool) -> None:
    """Set pynetdicom's process-wide settings; call once at start-up (idempotent).

    ``debug``: pynetdicom's standard event handlers, which format a log text for every
    DIMSE message even when nothing shows it (about 5 % of a C-FIND's time).
    ``log_identifiers``: pynetdicom decodes and pretty-prints every request and response
    identifier at INFO (patient names; a third of a C-FIND's time on the client).
    Always: a C-STORE given a file path is sent from the file as stored, not decoded and
    encoded again (only the Storage SCU with the wire fast paths off gives one).
    """
    global _configured
    with _config_lock:
        _config.LOG_HANDLER_LEVEL = "standard" if debug else "none"
        _config.LOG_REQUEST_IDENTIFIERS = _config.LOG_RESPONSE_IDENTIFIERS = log_identifiers
        _config.STORE_SEND_CHUNKED_DATASET = True
        _configured = (debug, log_identifiers)


def ensure_pynetdicom_configured() -> None:
    """:func:`configure_pynetdicom` from the ``pynetdicom`` logger's level, unless it was
    called already (by the composition root)."""
    if _configured is None:
        verbose = logging.getLogger("pynetdicom").isEnabledFor(logging.DEBUG)
        configure_pynetdicom(debug=verbose, log_identifiers=verbose)


# -- who we are ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LocalAE:
    """Who we are on an association and how long we wait (values cross threads).

    ``max_pdu`` None leaves pynetdicom's default; ``network_timeout_s`` None is the
    larger of the DIMSE and ACSE timeouts."""

    ae_title: str
    connect_timeout_s: float = 15.0
    acse_timeout_s: float = 30.0
    dimse_timeout_s: float = 60.0
    max_pdu: int | None = 65536
    network_timeout_s: float | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        ae_title: str | None = None,
        dimse_timeout_s: float | None = None,
        network_timeout_s: float | None = None,
    ) -> LocalAE:
        return cls(
            ae_title=ae_title or settings.node.ae_title,
            connect_timeout_s=settings.network.connect_timeout_s,
            acse_timeout_s=settings.network.acse_timeout_s,
            dimse_timeout_s=dimse_timeout_s or settings.network.dimse_timeout_s,
            max_pdu=settings.network.max_pdu,
            network_timeout_s=network_timeout_s,
        )

    @classmethod
    def uniform(cls, ae_title: str, timeout_s: float) -> LocalAE:
        """One timeout for every phase, pynetdicom's maximum PDU (the Verification SCU)."""
        return cls(ae_title, timeout_s, timeout_s, timeout_s, None, timeout_s)

    @property
    def network_s(self) -> float:
        if self.network_timeout_s is not None:
            return self.network_timeout_s
        return max(self.dimse_timeout_s, self.acse_timeout_s)


def make_ae(local: LocalAE, requested: Sequence[PresentationContext] = ()) -> AE:
    """An AE with our title, implementation UID, timeouts, maximum PDU and ``requested``
    contexts (the node adds its supported contexts itself)."""
    ensure_pynetdicom_configured()
    ae = AE(ae_title=local.ae_title)
    ae.implementation_class_uid = IMPLEMENTATION_CLASS_UID
    ae.implementation_version_name = IMPLEMENTATION_VERSION_NAME
    ae.connection_timeout = local.connect_timeout_s
    ae.acse_timeout = local.acse_timeout_s
    ae.dimse_timeout = local.dimse_timeout_s
    ae.network_timeout = local.network_s
    if local.max_pdu is not None:
        ae.maximum_pdu_size = local.max_pdu
    if requested:
        ae.requested_contexts = list(requested)
    return ae


def node_values(node: RemoteNode) -> dict[str, Any]:
    return {"host": node.host, "port": node.port, "ae_title": node.ae_title}


def context(uid: str, syntaxes: Iterable[str]) -> PresentationContext:
    """A presentation context to propose: ``uid`` with ``syntaxes``."""
    cx = PresentationContext()
    cx.abstract_syntax = uid
    cx.transfer_syntax = list(syntaxes)
    return cx


# -- what every association gets --------------------------------------------------------
def set_nodelay(assoc: Association) -> None:
    """Nagle off on ``assoc``'s socket (DESIGN.md section 8)."""
    sock = getattr(assoc.dul.socket, "socket", None)
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


class ResponseGuard:
    """``dimse.get_msg`` for one association: the reactor's look (non-blocking, on the
    association's own thread) takes only requests (and C-CANCELs) off the message queue,
    never a response nor the (None, None) that wakes a requester; every wait for a
    response gets pynetdicom's ``get_msg`` (see the module docstring)."""

    def __init__(self, assoc: Association, reactor: threading.Thread | None = None) -> None:
        self.assoc = assoc
        self.reactor = reactor or assoc  # the thread whose looks are guarded
        self.original = assoc.dimse.get_msg

    def __call__(self, block: bool = False) -> Any:
        if block or threading.current_thread() is not self.reactor:
            # a send_* waiting for its response (on the reactor thread too: an SCP's
            # C-GET sends its C-STOREs from the handler), or another thread's look
            return self.original(block)
        q = self.assoc.dimse.msg_queue
        with q.mutex:
            for index, item in enumerate(q.queue):
                msg = item[1]
                if msg is not None and (
                    isinstance(msg, C_CANCEL) or getattr(msg, "MessageIDBeingRespondedTo", None) is None
                ):
                    del q.queue[index]
                    q.not_full.notify()
                    return item
        return None, None

    @classmethod
    def install(cls, assoc: Association) -> None:
        if not isinstance(assoc.dimse.get_msg, cls):
            assoc.dimse.get_msg = cls(assoc)  # type: ignore[method-assign]


def on_connection_open(assoc: Association) -> None:
    """What every association, ours or a peer's, gets when its connection opens:
    Nagle off, the response guard, and the wire fast paths' DUL poll when they are on."""
    set_nodelay(assoc)
    ResponseGuard.install(assoc)
    wire.tune_dul(assoc)


# -- what happened on an association ----------------------------------------------------
class Observer:
    """Collects what the state machine and the socket saw during one association."""

    def __init__(self) -> None:
        self.connected = False
        self.answered = False  # an A-ASSOCIATE-AC came (pynetdicom may still abort)
        self.bytes_received = 0
        self.fsm: list[tuple[str, str]] = []  # (state, event)
        self.dul_thread: int | None = None
        self.abort_pdu: A_ABORT_RQ | None = None
        self.reject_pdu: A_ASSOCIATE_RJ | None = None
        self.connect_errors: list[tuple[int | None, str]] = []  # (thread, text)

    def handlers(self) -> list[tuple[Any, Any]]:
        return [
            (evt.EVT_CONN_OPEN, self._conn_open),
            (evt.EVT_DATA_RECV, self._data_recv),
            (evt.EVT_PDU_RECV, self._pdu_recv),
            (evt.EVT_FSM_TRANSITION, self._transition),
        ]

    def _conn_open(self, event: evt.Event) -> None:
        self.connected = True
        on_connection_open(event.assoc)

    def _data_recv(self, event: evt.Event) -> None:
        self.bytes_received += len(event.data)

    def _pdu_recv(self, event: evt.Event) -> None:
        if isinstance(event.pdu, A_ABORT_RQ):
            self.abort_pdu = event.pdu
        elif isinstance(event.pdu, A_ASSOCIATE_RJ):
            self.reject_pdu = event.pdu
        elif isinstance(event.pdu, A_ASSOCIATE_AC):
            self.answered = True

    def _transition(self, event: evt.Event) -> None:
        self.dul_thread = threading.get_ident()
        self.fsm.append((event.current_state, event.fsm_event))

    def saw(self, fsm_event: str, state: str | None = None) -> bool:
        return any(e == fsm_event and (state is None or s == state) for s, e in self.fsm)

    def connect_error(self) -> str | None:
        for thread, text in self.connect_errors:
            if thread == self.dul_thread:
                return text
        return None


class ConnectErrorCapture(logging.Handler):
    """pynetdicom only logs why a TCP connect failed: its "TCP Initialisation Error"
    record, matched to the observer by the thread the state machine runs on."""

    def __init__(self, observer: Observer) -> None:
        super().__init__(logging.DEBUG)
        self.observer = observer

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith(CONNECT_ERROR_PREFIX):
            self.observer.connect_errors.append(
                (record.thread, text.removeprefix(CONNECT_ERROR_PREFIX))
            )


# -- diagnosis -------------------------------------------------------------------------
def _connect_error(values: dict[str, Any], text: str | None, where: str,
                   timeout_s: float) -> NetworkError:  # fmt: skip
    if text is None:
        return PeerConnectError(**values, cause="echo.connect", reason="",
                                detail=f"cannot connect to {where}")  # fmt: skip
    low = text.lower()
    if f"[errno {errno.ECONNREFUSED}]" in low or "refused" in low:
        return PeerConnectError(**values, cause="echo.refused",
                                detail=f"connection to {where} refused: nothing listens there")  # fmt: skip
    if "timed out" in low:
        return NetworkTimeoutError(**values, cause="echo.timeout", phase="connect",
                                   timeout_s=timeout_s,
                                   detail=f"no TCP connection to {where} within {timeout_s:g} s")  # fmt: skip
    if any(f"[errno {n}]" in low for n in (errno.EHOSTUNREACH, errno.ENETUNREACH)):
        return PeerConnectError(**values, cause="echo.unreachable", reason=text,
                                detail=f"{where} is unreachable: {text}")  # fmt: skip
    return PeerConnectError(**values, cause="echo.connect", reason=text,
                            detail=f"cannot connect to {where}: {text}")  # fmt: skip


def aborted_error(values: dict[str, Any], pdu: A_ABORT_RQ, where: str,
                  during: str = "") -> AssociationAbortedError:  # fmt: skip
    """The peer's A-ABORT ``pdu`` as an error (``during``: the operation it cut)."""
    source = ABORT_SOURCES.get(pdu.source, str(pdu.source))
    reason = ABORT_REASONS.get(pdu.reason_diagnostic, str(pdu.reason_diagnostic))
    if during:
        detail = f"{where} aborted the association during the {during} ({source}: {reason})"
    else:
        detail = f"{where} aborted the association (source: {source}, reason: {reason})"
    return AssociationAbortedError(**values, cause="echo.aborted", source=pdu.source,
                                   reason=pdu.reason_diagnostic, detail=detail)  # fmt: skip


def diagnose(
    assoc: Association | None,
    observer: Observer,
    node: RemoteNode,
    local: LocalAE,
    *,
    service: str = "",
    during: str | None = None,
) -> NetworkError:
    """Why an association to ``node`` did not come up, or (``during``: the operation in
    flight) why no response came on one that did: a typed NetworkError whose ``cause``
    value is the ``echo.*`` diagnosis code the GUI has a message for."""
    values = node_values(node)
    where = f"{node.host}:{node.port}"
    if during is not None:
        return _failure_during(values, observer, where, during, local.dimse_timeout_s)
    if not observer.connected:
        return _connect_error(values, observer.connect_error(), where, local.connect_timeout_s)
    # pynetdicom may miss a rejection that arrives together with the peer closing the
    # connection (it then reports an abort): the A-ASSOCIATE-RJ PDU itself was seen.
    rejected = assoc is not None and assoc.is_rejected
    if rejected or observer.reject_pdu is not None:
        rj = assoc.acceptor.primitive if rejected else observer.reject_pdu.to_primitive()  # type: ignore[union-attr]
        detail = (f"{where} rejected the association: {rj.result_str}, source: "
                  f"{rj.source_str}, reason: {rj.reason_str}")  # fmt: skip
        return AssociationRejectedError(**values, cause="echo.rejected", result=rj.result,
                                        source=rj.result_source, reason=rj.diagnostic,
                                        detail=detail)  # fmt: skip
    if observer.abort_pdu is not None:
        return aborted_error(values, observer.abort_pdu, where)
    if observer.answered:  # accepted, but with none of our presentation contexts
        return ServiceNotAcceptedError(**values, cause="echo.no_context",
                                       service=service or "any proposed service")  # fmt: skip
    if observer.saw("Evt19"):
        return PeerConnectError(**values, cause="echo.not_dicom",
                                detail=f"{where} answered with data that is not DICOM")  # fmt: skip
    # Sta5 is "waiting for the A-ASSOCIATE answer": Evt17 there is the peer closing the
    # connection, Evt15 our own abort when the ACSE timeout ran out.
    if observer.bytes_received == 0 and observer.saw("Evt17", "Sta5"):
        return PeerConnectError(**values, cause="echo.closed",
                                detail=f"{where} closed the connection without a DICOM answer")  # fmt: skip
    if observer.bytes_received == 0 and observer.saw("Evt15", "Sta5"):
        timeout = local.acse_timeout_s
        return NetworkTimeoutError(**values, cause="echo.timeout", phase="association",
                                   timeout_s=timeout,
                                   detail=f"no answer to the association request from {where} "
                                   f"within {timeout:g} s")  # fmt: skip
    return PeerConnectError(**values, cause="echo.not_dicom",
                            detail=f"{where} gave an answer that is not a valid DICOM "
                            "association response")  # fmt: skip


def _failure_during(values: dict[str, Any], observer: Observer, where: str, during: str,
                    timeout_s: float) -> NetworkError:  # fmt: skip
    if observer.abort_pdu is not None:
        return aborted_error(values, observer.abort_pdu, where, during)
    # whichever came first: our abort (Evt15: no response within the timeout, the peer
    # may close afterwards) or the peer closing the connection (Evt17)
    first = next((e for _s, e in observer.fsm if e in ("Evt15", "Evt17")), None)
    if first == "Evt17":
        return AssociationAbortedError(**values, cause="echo.closed", source=2, reason=0,
                                       detail=f"{where} closed the connection during the {during}")  # fmt: skip
    return NetworkTimeoutError(**values, cause="echo.timeout", phase="dimse", timeout_s=timeout_s)


# -- an open association ---------------------------------------------------------------
class HeldCheckpoint(threading.Event):
    """The association reactor's checkpoint, kept clear while held: a ``send_*``'s
    ``set()`` after each response is ignored, an abort's is not."""

    def __init__(self, assoc: Association) -> None:
        super().__init__()
        self._assoc = assoc
        self.held = True

    def set(self) -> None:
        if self.held and not getattr(self._assoc, "_sent_abort", False):
            return
        super().set()

    def release(self) -> None:
        self.held = False
        super().set()


class Connection:
    """One association we opened to ``node``: used, then closed exactly once."""

    def __init__(self, node: RemoteNode, local: LocalAE, ae: AE, assoc: Association,
                 observer: Observer) -> None:  # fmt: skip
        self.node = node
        self.local = local
        self.ae = ae
        self.assoc = assoc
        self.observer = observer

    @property
    def where(self) -> str:
        return f"{self.node.host}:{self.node.port}"

    def accepts(self, uid: str) -> bool:
        return any(cx.abstract_syntax == uid for cx in self.assoc.accepted_contexts)

    def context_for(self, uid: str, service: str) -> PresentationContext:
        """The accepted context for ``uid`` in the SCU role, or ServiceNotAcceptedError."""
        for cx in self.assoc.accepted_contexts:
            if cx.abstract_syntax == uid and cx.as_scu:
                return cx
        raise ServiceNotAcceptedError(**node_values(self.node), cause="echo.no_context",
                                      service=f"{service} ({uid})")  # fmt: skip

    def failure(self, service: str, timeout_s: float | None = None) -> NetworkError:
        """Why a ``service`` response did not come: A-ABORT, closed connection or timeout."""
        local = self.local
        if timeout_s is not None:
            local = LocalAE(local.ae_title, local.connect_timeout_s, local.acse_timeout_s,
                            timeout_s, local.max_pdu, local.network_timeout_s)  # fmt: skip
        return diagnose(self.assoc, self.observer, self.node, local, during=service)

    @contextmanager
    def reactor_held(self) -> Iterator[None]:
        """Keep the reactor paused while many requests go out back to back (an abort
        still wakes it): it saves its pause hand-shake per request. Only for services
        that expect no request from the peer meanwhile (storage)."""
        checkpoint = HeldCheckpoint(self.assoc)
        self.assoc._reactor_checkpoint = checkpoint
        try:
            yield
        finally:
            checkpoint.release()

    def abort_for(self, why: str) -> NetworkError:
        """Abort because of something on our side; the error that ends the operation."""
        self.assoc.abort()
        return AssociationAbortedError(
            **node_values(self.node), source=0, reason=0,
            detail=f"{self.where}: association aborted by us: {why}",
        )  # fmt: skip

    def abort_now(self) -> None:
        """Abort from another thread (a cancel); wakes a requester waiting for a response."""
        self.assoc.abort()
        self.assoc.dimse.msg_queue.put((None, None))

    def close(self) -> None:
        """Release when established (abort if the release does not finish), then join."""
        assoc = self.assoc
        try:
            if assoc.is_established:
                assoc.release()
            if assoc.is_alive() and not assoc.is_released:
                assoc.abort()
        finally:
            if assoc.ident is not None:  # started (not when the TCP connect failed)
                assoc.join(timeout=JOIN_TIMEOUT_S)
            self.ae.shutdown()


def resolve(node: RemoteNode) -> str:
    """``node``'s address, or PeerConnectError (``echo.unresolved``)."""
    try:
        return socket.getaddrinfo(node.host, node.port, type=socket.SOCK_STREAM)[0][4][0]
    except (OSError, UnicodeError) as exc:
        raise PeerConnectError(**node_values(node), cause="echo.unresolved",
                               detail=f"host name {node.host!r} does not resolve: {exc}") from None  # fmt: skip


def open_association(
    node: RemoteNode,
    local: LocalAE,
    contexts: Sequence[PresentationContext],
    *,
    service: str = "",
    needed: str | None = None,
    ext_neg: Iterable[Any] = (),
    handlers: Iterable[tuple[Any, Callable]] = (),
    ssl_context: Any = None,
) -> Connection:
    """Associate with ``node`` proposing ``contexts``, or raise the typed NetworkError
    :func:`diagnose` gives; also ServiceNotAcceptedError when ``needed`` (a SOP class
    UID) was not accepted for ``service``. ``ssl_context``: TLS, not supported yet."""
    if ssl_context is not None:
        raise NotImplementedError("TLS associations are not supported yet")
    address = resolve(node)
    ae = make_ae(local, contexts)
    observer = Observer()
    capture = ConnectErrorCapture(observer)
    transport_log = logging.getLogger(TRANSPORT_LOGGER)
    transport_log.addHandler(capture)
    try:
        assoc = ae.associate(
            address, node.port, ae_title=node.ae_title, ext_neg=list(ext_neg) or None,
            evt_handlers=[*observer.handlers(), *handlers],
        )  # fmt: skip
    finally:
        transport_log.removeHandler(capture)
    connection = Connection(node, local, ae, assoc, observer)
    if not assoc.is_established:
        error = diagnose(assoc, observer, node, local, service=_service_name(service, needed))
        connection.close()
        log.info("association to %s failed: %s (%s)", connection.where,
                 error.values.get("cause", error.code), error.message())  # fmt: skip
        raise error
    if needed is not None:
        try:
            connection.context_for(needed, service)
        except ServiceNotAcceptedError:
            connection.close()
            raise
    return connection


def _service_name(service: str, needed: str | None) -> str:
    return f"{service} ({needed})" if service and needed else service
