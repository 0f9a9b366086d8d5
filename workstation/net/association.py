"""The one way to make an AE and open an association, and to say why one failed
(the diagnosis itself is :mod:`workstation.net.diagnosis`).

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

import logging
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pynetdicom import AE, _config
from pynetdicom.association import Association
from pynetdicom.dimse_primitives import C_CANCEL
from pynetdicom.presentation import PresentationContext

from workstation.config.settings import RemoteNode, Settings
from workstation.dicom.uids import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME
from workstation.errors import (
    AssociationAbortedError,
    NetworkError,
    PeerConnectError,
    ServiceNotAcceptedError,
)
from workstation.net import deadlines, wire
from workstation.net.diagnosis import (
    ConnectErrorCapture,
    Observer,
    diagnose,
    node_values,
)

log = logging.getLogger(__name__)

TRANSPORT_LOGGER = "pynetdicom.transport"
JOIN_TIMEOUT_S = 30.0


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
    """What every association, ours or a peer's, gets when its connection opens: the
    deadlines (net/deadlines.py: a stalled or trickling peer is cut off, a cut-off is
    immediate), Nagle off, the response guard, and the fast paths' DUL poll when on."""
    deadlines.install(assoc)
    set_nodelay(assoc)
    ResponseGuard.install(assoc)
    wire.tune_dul(assoc)


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
        """Abort from another thread (a cancel); wakes a requester waiting for a response.

        A cut-off (A-ABORT where it can still be sent, socket shut down) rather than
        pynetdicom's abort, which can wait on a peer that stopped reading."""
        deadlines.cut_off(self.assoc, "cancelled")
        self.assoc.dimse.msg_queue.put((None, None))

    def close(self) -> None:
        """Release when established (abort if the release does not finish), then join."""
        assoc = self.assoc
        guard = deadlines.guard_of(assoc)
        try:
            if assoc.is_established and not (guard is not None and guard.closing):
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
    observer = Observer(on_open=on_connection_open)
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
