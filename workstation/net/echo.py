"""Verification SCU: one C-ECHO to a remote node, with a diagnosis when it fails.

A service engineer needs to know *why* a node does not answer, so every failure has
its own ``error_code`` (the GUI turns it into a translated message) and ``values``:

===================  ===============================================================
``echo.unresolved``  the host name does not resolve
``echo.refused``     TCP connection refused (nothing listens on that port)
``echo.unreachable`` no route to the host / network unreachable
``echo.timeout``     no TCP connection, no answer to the A-ASSOCIATE-RQ, or no C-ECHO
                     response within ``timeout_s``
``echo.connect``     any other TCP connection failure (``detail`` says which)
``echo.rejected``    A-ASSOCIATE-RJ, with result, source and reason
``echo.aborted``     the peer sent an A-ABORT, with source and reason
``echo.closed``      the peer closed the connection without a DICOM answer
``echo.not_dicom``   the peer answered with bytes that are not a DICOM PDU
``echo.no_context``  association accepted but Verification refused
``echo.status``      the C-ECHO response carries a status other than 0000
===================  ===============================================================

pynetdicom only logs why a TCP connect failed, so that one reason is read from its
log record, matched by the thread the association's state machine runs on.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pynetdicom import AE, evt
from pynetdicom.pdu import A_ABORT_RQ, A_ASSOCIATE_RJ
from pynetdicom.sop_class import Verification

from workstation.config.settings import RemoteNode
from workstation.dicom.uids import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME

log = logging.getLogger(__name__)

_TRANSPORT_LOGGER = "pynetdicom.transport"
_CONNECT_ERROR_PREFIX = "TCP Initialisation Error: "

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


@dataclass(frozen=True, slots=True)
class EchoResult:
    """The outcome of one C-ECHO. ``rtt_ms`` is request to response (0 if none was sent);
    ``total_ms`` includes association set-up and release."""

    ok: bool
    status: int | None
    rtt_ms: float
    error_code: str
    detail: str
    total_ms: float = 0.0
    values: Mapping[str, Any] = field(default_factory=dict)


class _Observer:
    """Collects what the state machine and the socket saw during one association."""

    def __init__(self) -> None:
        self.connected = False
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
        sock = getattr(event.assoc.dul.socket, "socket", None)
        if sock is not None:
            try:  # Nagle off: DESIGN.md section 8
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass

    def _data_recv(self, event: evt.Event) -> None:
        self.bytes_received += len(event.data)

    def _pdu_recv(self, event: evt.Event) -> None:
        if isinstance(event.pdu, A_ABORT_RQ):
            self.abort_pdu = event.pdu
        elif isinstance(event.pdu, A_ASSOCIATE_RJ):
            self.reject_pdu = event.pdu

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


class _ConnectErrorCapture(logging.Handler):
    """Catches pynetdicom's "TCP Initialisation Error" record for one observer."""

    def __init__(self, observer: _Observer) -> None:
        super().__init__(logging.DEBUG)
        self.observer = observer

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith(_CONNECT_ERROR_PREFIX):
            self.observer.connect_errors.append(
                (record.thread, text.removeprefix(_CONNECT_ERROR_PREFIX))
            )


def _fail(code: str, detail: str, started: float, **values: Any) -> EchoResult:
    total = (time.perf_counter() - started) * 1000.0
    log.info("echo failed: %s (%s)", code, detail)
    return EchoResult(False, values.pop("status", None), 0.0, code, detail, total, values)


def _connect_failure(text: str | None, where: str, timeout_s: float, started: float) -> EchoResult:
    if text is None:
        return _fail("echo.connect", f"cannot connect to {where}", started, reason="")
    low = text.lower()
    if f"[errno {errno.ECONNREFUSED}]" in low or "refused" in low:
        return _fail("echo.refused", f"connection to {where} refused: nothing listens there",
                     started)  # fmt: skip
    if "timed out" in low:
        return _fail("echo.timeout", f"no TCP connection to {where} within {timeout_s:g} s",
                     started, phase="connect", timeout_s=timeout_s)  # fmt: skip
    if any(f"[errno {n}]" in low for n in (errno.EHOSTUNREACH, errno.ENETUNREACH)):
        return _fail("echo.unreachable", f"{where} is unreachable: {text}", started, reason=text)
    return _fail("echo.connect", f"cannot connect to {where}: {text}", started, reason=text)


def echo(node: RemoteNode, calling_ae: str, timeout_s: float = 10) -> EchoResult:
    """Send one C-ECHO from ``calling_ae`` to ``node`` and say what happened.

    ``timeout_s`` bounds each phase: TCP connect, the association answer and the
    C-ECHO response. Never raises for a network outcome.
    """
    started = time.perf_counter()
    where = f"{node.host}:{node.port}"
    try:
        address = socket.getaddrinfo(node.host, node.port, type=socket.SOCK_STREAM)[0][4][0]
    except (OSError, UnicodeError) as exc:
        return _fail("echo.unresolved", f"host name {node.host!r} does not resolve: {exc}",
                     started, host=node.host)  # fmt: skip

    ae = AE(ae_title=calling_ae)
    ae.implementation_class_uid = IMPLEMENTATION_CLASS_UID
    ae.implementation_version_name = IMPLEMENTATION_VERSION_NAME
    ae.connection_timeout = timeout_s
    ae.acse_timeout = timeout_s
    ae.dimse_timeout = timeout_s
    ae.network_timeout = timeout_s
    ae.add_requested_context(Verification)

    observer = _Observer()
    capture = _ConnectErrorCapture(observer)
    transport_log = logging.getLogger(_TRANSPORT_LOGGER)
    transport_log.addHandler(capture)
    try:
        assoc = ae.associate(address, node.port, ae_title=node.ae_title,
                             evt_handlers=observer.handlers())  # fmt: skip
    finally:
        transport_log.removeHandler(capture)

    try:
        if assoc.is_established:
            result = _echo_on(assoc, observer, where, timeout_s, started)
        else:
            result = _diagnose(assoc, observer, where, timeout_s, started)
        # every message may name the peer: host and port go with the result's values
        return replace(result, values={"host": node.host, "port": node.port, **result.values})
    finally:
        if assoc.is_alive():
            assoc.abort()
        if assoc.ident is not None:  # started (not when the TCP connect failed)
            assoc.join(timeout=timeout_s + 5)
        ae.shutdown()


def _echo_on(assoc: Any, observer: _Observer, where: str, timeout_s: float,
             started: float) -> EchoResult:  # fmt: skip
    if not any(cx.abstract_syntax == Verification for cx in assoc.accepted_contexts):
        assoc.release()
        return _fail("echo.no_context", f"{where} accepted the association but not Verification",
                     started)  # fmt: skip
    sent = time.perf_counter()
    rsp = assoc.send_c_echo()
    rtt_ms = (time.perf_counter() - sent) * 1000.0
    status = int(rsp.Status) if rsp is not None and "Status" in rsp else None
    if status is None:
        if assoc.is_aborted and observer.abort_pdu is not None:
            return _aborted(observer.abort_pdu, where, started)
        if assoc.is_aborted and observer.saw("Evt17"):
            return _fail("echo.closed", f"{where} closed the connection during the C-ECHO",
                         started)  # fmt: skip
        return _fail("echo.timeout", f"no C-ECHO response from {where} within {timeout_s:g} s",
                     started, phase="dimse", timeout_s=timeout_s)  # fmt: skip
    if assoc.is_established:
        assoc.release()
    total_ms = (time.perf_counter() - started) * 1000.0
    if status != 0x0000:
        log.info("echo to %s: status %04X", where, status)
        return EchoResult(False, status, rtt_ms, "echo.status",
                          f"{where} answered the C-ECHO with status 0x{status:04X}", total_ms,
                          {"status_hex": f"{status:04X}"})  # fmt: skip
    log.info("echo to %s: success in %.1f ms", where, rtt_ms)
    return EchoResult(True, status, rtt_ms, "", "success", total_ms, {})


def _aborted(pdu: A_ABORT_RQ, where: str, started: float) -> EchoResult:
    source = ABORT_SOURCES.get(pdu.source, str(pdu.source))
    reason = ABORT_REASONS.get(pdu.reason_diagnostic, str(pdu.reason_diagnostic))
    return _fail("echo.aborted", f"{where} aborted the association (source: {source}, "
                 f"reason: {reason})", started, source=pdu.source,
                 reason=pdu.reason_diagnostic)  # fmt: skip


def _diagnose(assoc: Any, observer: _Observer, where: str, timeout_s: float,
              started: float) -> EchoResult:  # fmt: skip
    """Why the association did not come up."""
    if not observer.connected:
        return _connect_failure(observer.connect_error(), where, timeout_s, started)
    # pynetdicom may miss a rejection that arrives together with the peer closing the
    # connection (it then reports an abort): the A-ASSOCIATE-RJ PDU itself was seen.
    if assoc.is_rejected or observer.reject_pdu is not None:
        rj = assoc.acceptor.primitive if assoc.is_rejected else observer.reject_pdu.to_primitive()
        detail = (f"{where} rejected the association: {rj.result_str}, source: "
                  f"{rj.source_str}, reason: {rj.reason_str}")  # fmt: skip
        return _fail("echo.rejected", detail, started, result=rj.result,
                     source=rj.result_source, reason=rj.diagnostic)  # fmt: skip
    if observer.abort_pdu is not None:
        return _aborted(observer.abort_pdu, where, started)
    if observer.saw("Evt19"):
        return _fail("echo.not_dicom", f"{where} answered with data that is not DICOM",
                     started)  # fmt: skip
    # Sta5 is "waiting for the A-ASSOCIATE answer": Evt17 there is the peer closing the
    # connection, Evt15 our own abort when the ACSE timeout ran out.
    if observer.bytes_received == 0 and observer.saw("Evt17", "Sta5"):
        return _fail("echo.closed", f"{where} closed the connection without a DICOM answer",
                     started)  # fmt: skip
    if observer.bytes_received == 0 and observer.saw("Evt15", "Sta5"):
        return _fail("echo.timeout", f"no answer to the association request from {where} "
                     f"within {timeout_s:g} s", started, phase="association",
                     timeout_s=timeout_s)  # fmt: skip
    return _fail("echo.not_dicom", f"{where} gave an answer that is not a valid DICOM "
                 "association response", started)  # fmt: skip
