"""Why an association failed: what the state machine and the socket saw, turned into a
typed error (PeerConnectError, NetworkTimeoutError, AssociationRejectedError,
AssociationAbortedError, ServiceNotAcceptedError) whose ``cause`` is the ``echo.*`` code
the GUI has a message for. Used by :mod:`workstation.net.association` for every
association we open; kept apart so that the diagnosis reads (and is tested) on its own.
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pynetdicom import evt
from pynetdicom.association import Association
from pynetdicom.pdu import A_ABORT_RQ, A_ASSOCIATE_AC, A_ASSOCIATE_RJ

from workstation.config.settings import RemoteNode
from workstation.errors import (
    AssociationAbortedError,
    AssociationRejectedError,
    NetworkError,
    NetworkTimeoutError,
    PeerConnectError,
    ServiceNotAcceptedError,
)

if TYPE_CHECKING:
    from workstation.net.association import LocalAE

CONNECT_ERROR_PREFIX = "TCP Initialisation Error: "

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


def node_values(node: RemoteNode) -> dict[str, Any]:
    return {"host": node.host, "port": node.port, "ae_title": node.ae_title}


# -- what happened on an association ----------------------------------------------------
class Observer:
    """Collects what the state machine and the socket saw during one association."""

    def __init__(self, on_open: Callable[[Association], None] | None = None) -> None:
        self.on_open = on_open  # what the association gets when its connection opens
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
        if self.on_open is not None:
            self.on_open(event.assoc)

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
