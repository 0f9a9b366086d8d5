"""The Storage SCU's association: opened with a typed diagnosis, and held steady while
many C-STOREs go out back to back.

pynetdicom's requestor runs a reactor thread that takes DIMSE messages off the same
queue ``send_c_store`` waits on; it is paused around each request, but released between
two of them. Sent back to back (Nagle off, 0.2 ms DUL poll), a response can arrive
while the reactor is still waking up from the previous release, and it takes the
response away: the sender then waits out the DIMSE timeout and aborts (seen here on
about one run in four of 2000 instances to DCMTK storescp). :meth:`StoreAssociation.sending`
therefore keeps the reactor paused for the whole batch (an abort still wakes it) and
lets it never take a message without blocking, which a storage requestor never needs.
It also saves the reactor's 1 ms pause hand-shake per instance.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pynetdicom import AE, evt
from pynetdicom.association import Association
from pynetdicom.presentation import PresentationContext

from workstation.config.settings import RemoteNode, Settings
from workstation.dicom.uids import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME
from workstation.errors import (
    AssociationAbortedError,
    AssociationRejectedError,
    NetworkError,
    NetworkTimeoutError,
    PeerConnectError,
)

# The Verification SCU's diagnosis of a failed association, reused as the Q/R SCU does.
from workstation.net.echo import ABORT_REASONS, ABORT_SOURCES
from workstation.net.echo import _ConnectErrorCapture as ConnectErrorCapture
from workstation.net.echo import _diagnose as diagnose
from workstation.net.echo import _Observer as Observer

log = logging.getLogger(__name__)

_TRANSPORT_LOGGER = "pynetdicom.transport"
DUL_POLL_S = 0.0002  # as the node: pynetdicom's 1 ms idle poll adds latency per response
JOIN_TIMEOUT_S = 30.0


class _HeldCheckpoint(threading.Event):
    """The association reactor's checkpoint, kept clear while held: ``send_c_store``'s
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


def _on_open(event: evt.Event) -> None:
    event.assoc.dul._run_loop_delay = DUL_POLL_S
    sock = getattr(event.assoc.dul.socket, "socket", None)
    if sock is not None:
        try:  # Nagle off: DESIGN.md section 8
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


def _values(node: RemoteNode) -> dict[str, Any]:
    return {"host": node.host, "port": node.port, "ae_title": node.ae_title}


class StoreAssociation:
    """One established association to ``node``; closed exactly once."""

    def __init__(self, node: RemoteNode, ae: AE, assoc: Association, observer: Observer,
                 dimse_timeout_s: float) -> None:  # fmt: skip
        self.node = node
        self.ae = ae
        self.assoc = assoc
        self.observer = observer
        self.dimse_timeout_s = dimse_timeout_s

    @contextmanager
    def sending(self) -> Iterator[None]:
        """Keep the reactor paused while C-STOREs go out (see the module docstring)."""
        assoc = self.assoc
        original_get = assoc.dimse.get_msg

        def get_msg(block: bool = False) -> Any:
            return original_get(block) if block else (None, None)

        assoc.dimse.get_msg = get_msg  # type: ignore[method-assign]
        checkpoint = _HeldCheckpoint(assoc)
        assoc._reactor_checkpoint = checkpoint
        try:
            yield
        finally:
            checkpoint.release()

    def failure(self) -> NetworkError:
        """Why a C-STORE response did not come: A-ABORT, closed connection or timeout."""
        values = _values(self.node)
        where = f"{self.node.host}:{self.node.port}"
        pdu = self.observer.abort_pdu
        if pdu is not None:
            source = ABORT_SOURCES.get(pdu.source, str(pdu.source))
            reason = ABORT_REASONS.get(pdu.reason_diagnostic, str(pdu.reason_diagnostic))
            return AssociationAbortedError(
                **values, source=pdu.source, reason=pdu.reason_diagnostic,
                detail=f"{where} aborted the association during the C-STORE ({source}: {reason})",
            )  # fmt: skip
        if self.observer.saw("Evt17"):
            return AssociationAbortedError(
                **values, source=2, reason=0,
                detail=f"{where} closed the connection during the C-STORE",
            )  # fmt: skip
        return NetworkTimeoutError(**values, phase="dimse", timeout_s=self.dimse_timeout_s)

    def abort_for(self, why: str) -> NetworkError:
        """Abort because of something on our side; the error that ends the send."""
        self.assoc.abort()
        return AssociationAbortedError(
            **_values(self.node), source=0, reason=0,
            detail=f"{self.node.host}:{self.node.port}: association aborted by us: {why}",
        )  # fmt: skip

    def abort_now(self) -> None:
        """Abort from another thread (a cancel); wakes the sender waiting for a response."""
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
            if assoc.ident is not None:
                assoc.join(timeout=JOIN_TIMEOUT_S)
            self.ae.shutdown()


def open_association(
    settings: Settings,
    node: RemoteNode,
    contexts: Sequence[PresentationContext],
    ae_title: str | None = None,
) -> StoreAssociation:
    """Associate with ``node`` proposing ``contexts``, or raise a typed NetworkError:
    PeerConnectError, NetworkTimeoutError, AssociationRejectedError (``permanent`` when
    the peer said so), AssociationAbortedError."""
    started = time.perf_counter()
    values = _values(node)
    where = f"{node.host}:{node.port}"
    try:
        address = socket.getaddrinfo(node.host, node.port, type=socket.SOCK_STREAM)[0][4][0]
    except (OSError, UnicodeError) as exc:
        raise PeerConnectError(**values, cause="echo.unresolved",
                               detail=f"host name does not resolve: {exc}") from None  # fmt: skip
    ae = AE(ae_title=ae_title or settings.ae_title)
    ae.implementation_class_uid = IMPLEMENTATION_CLASS_UID
    ae.implementation_version_name = IMPLEMENTATION_VERSION_NAME
    ae.connection_timeout = settings.connect_timeout_s
    ae.acse_timeout = settings.acse_timeout_s
    ae.dimse_timeout = settings.send_timeout_s
    ae.network_timeout = max(settings.send_timeout_s, settings.acse_timeout_s)
    ae.maximum_pdu_size = settings.max_pdu
    ae.requested_contexts = list(contexts)

    observer = Observer()
    capture = ConnectErrorCapture(observer)
    transport_log = logging.getLogger(_TRANSPORT_LOGGER)
    transport_log.addHandler(capture)
    try:
        assoc = ae.associate(address, node.port, ae_title=node.ae_title,
                             evt_handlers=[*observer.handlers(), (evt.EVT_CONN_OPEN, _on_open)])  # fmt: skip
    finally:
        transport_log.removeHandler(capture)
    conn = StoreAssociation(node, ae, assoc, observer, settings.send_timeout_s)
    if assoc.is_established:
        return conn
    timeout = settings.connect_timeout_s if not observer.connected else settings.acse_timeout_s
    result = diagnose(assoc, observer, where, timeout, started)
    conn.close()
    found = dict(result.values)
    log.info("association to %s failed: %s (%s)", where, result.error_code, result.detail)
    if result.error_code == "echo.rejected":
        raise AssociationRejectedError(**{**found, **values}, detail=result.detail)
    if result.error_code == "echo.aborted":
        raise AssociationAbortedError(**{**found, **values}, detail=result.detail)
    if result.error_code == "echo.timeout":
        raise NetworkTimeoutError(**values, phase=found.get("phase", "association"),
                                  timeout_s=found.get("timeout_s", timeout))  # fmt: skip
    raise PeerConnectError(**{**found, **values}, cause=result.error_code, detail=result.detail)
