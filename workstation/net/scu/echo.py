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

Opening the association and its diagnosis are net/association.py's; the codes are the
``cause`` of its typed errors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pynetdicom import build_context
from pynetdicom.sop_class import Verification

from workstation.config.settings import RemoteNode
from workstation.errors import NetworkError
from workstation.net.association import (
    Connection,
    LocalAE,
    open_association,
)

log = logging.getLogger(__name__)


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


def _failed(error: NetworkError, started: float, status: int | None = None) -> EchoResult:
    code = str(error.values.get("cause") or "echo.connect")
    detail = str(error.values.get("detail") or error.message())
    total = (time.perf_counter() - started) * 1000.0
    log.info("echo failed: %s (%s)", code, detail)
    return EchoResult(False, status, 0.0, code, detail, total, echo_values(error))


def echo(node: RemoteNode, calling_ae: str, timeout_s: float = 10) -> EchoResult:
    """Send one C-ECHO from ``calling_ae`` to ``node`` and say what happened.

    ``timeout_s`` bounds each phase: TCP connect, the association answer and the
    C-ECHO response. Never raises for a network outcome.
    """
    started = time.perf_counter()
    local = LocalAE.uniform(calling_ae, timeout_s)
    try:
        connection = open_association(
            node, local, [build_context(Verification)], service="Verification",
        )  # fmt: skip
    except NetworkError as exc:
        return _failed(exc, started)
    try:
        return _echo_on(connection, timeout_s, started)
    finally:
        connection.close()


def _echo_on(connection: Connection, timeout_s: float, started: float) -> EchoResult:
    assoc, where = connection.assoc, connection.where
    values = {"host": connection.node.host, "port": connection.node.port}
    if not connection.accepts(str(Verification)):
        total = (time.perf_counter() - started) * 1000.0
        detail = f"{where} accepted the association but not Verification"
        log.info("echo failed: echo.no_context (%s)", detail)
        return EchoResult(False, None, 0.0, "echo.no_context", detail, total, values)
    sent = time.perf_counter()
    rsp = assoc.send_c_echo()
    rtt_ms = (time.perf_counter() - sent) * 1000.0
    status = int(rsp.Status) if rsp is not None and "Status" in rsp else None
    if status is None:
        error = connection.failure("C-ECHO", timeout_s)
        if error.values.get("cause") == "echo.timeout":
            detail = f"no C-ECHO response from {where} within {timeout_s:g} s"
            error = type(error)(**{**error.values, "detail": detail})
        return _failed(error, started)
    if assoc.is_established:
        assoc.release()
    total_ms = (time.perf_counter() - started) * 1000.0
    if status != 0x0000:
        log.info("echo to %s: status %04X", where, status)
        return EchoResult(False, status, rtt_ms, "echo.status",
                          f"{where} answered the C-ECHO with status 0x{status:04X}", total_ms,
                          {**values, "status_hex": f"{status:04X}"})  # fmt: skip
    log.info("echo to %s: success in %.1f ms", where, rtt_ms)
    return EchoResult(True, status, rtt_ms, "", "success", total_ms, values)


def echo_values(error: NetworkError) -> Mapping[str, Any]:
    """The values the Verification SCU's result carries for ``error``: host, port and
    what explains its ``cause``."""
    keys = _ECHO_KEYS.get(str(error.values.get("cause")), ())
    found = {k: error.values[k] for k in keys if k in error.values}
    return {"host": error.values.get("host"), "port": error.values.get("port"), **found}


_ECHO_KEYS: dict[str, tuple[str, ...]] = {
    "echo.timeout": ("phase", "timeout_s"),
    "echo.rejected": ("result", "source", "reason"),
    "echo.aborted": ("source", "reason"),
    "echo.unreachable": ("reason",),
    "echo.connect": ("reason",),
}
