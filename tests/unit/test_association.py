"""net/association.py without a network: the diagnosis of each failure as a typed error,
the response guard against pynetdicom 3.0.4's reactor race, pynetdicom set once."""

from __future__ import annotations

import threading

import pytest
from pynetdicom import AE, _config
from pynetdicom.association import Association
from pynetdicom.dimse_primitives import C_CANCEL, C_ECHO, C_FIND
from pynetdicom.pdu import A_ABORT_RQ, A_ASSOCIATE_RJ

from workstation.config.settings import make_node
from workstation.errors import (
    AssociationAbortedError,
    AssociationRejectedError,
    NetworkTimeoutError,
    PeerConnectError,
    ServiceNotAcceptedError,
)
from workstation.net.association import (
    LocalAE,
    ResponseGuard,
    configure_pynetdicom,
    ensure_pynetdicom_configured,
)
from workstation.net.diagnosis import Observer, diagnose
from workstation.net.scu.echo import echo_values

NODE = make_node(name="peer", ae_title="PEER", host="127.0.0.1", port=11112)
LOCAL = LocalAE("US", connect_timeout_s=1.5, acse_timeout_s=2.5, dimse_timeout_s=3.5)


def observed(*fsm: tuple[str, str], connected: bool = True, received: int = 0) -> Observer:
    obs = Observer()
    obs.connected = connected
    obs.bytes_received = received
    obs.fsm = list(fsm)
    obs.dul_thread = 1
    return obs


@pytest.mark.parametrize(
    "text, kind, cause",
    [
        ("[Errno 111] Connection refused", PeerConnectError, "echo.refused"),
        ("timed out", NetworkTimeoutError, "echo.timeout"),
        ("[Errno 113] No route to host", PeerConnectError, "echo.unreachable"),
        ("[Errno 99] Cannot assign requested address", PeerConnectError, "echo.connect"),
        (None, PeerConnectError, "echo.connect"),
    ],
)
def test_no_tcp_connection(text, kind, cause):
    obs = observed(connected=False)
    if text is not None:
        obs.connect_errors.append((1, text))
    error = diagnose(None, obs, NODE, LOCAL)
    assert type(error) is kind and error.values["cause"] == cause
    assert error.values["host"] == "127.0.0.1" and error.values["port"] == 11112
    if kind is NetworkTimeoutError:
        assert error.values["phase"] == "connect" and error.values["timeout_s"] == 1.5


def test_rejection_seen_as_a_pdu_is_a_rejection():
    obs = observed(("Sta5", "Evt4"), received=10)
    rj = A_ASSOCIATE_RJ()
    rj.result, rj.source, rj.reason_diagnostic = 1, 1, 3
    obs.reject_pdu = rj
    error = diagnose(None, obs, NODE, LOCAL)
    assert isinstance(error, AssociationRejectedError) and error.permanent
    assert echo_values(error) == {"host": "127.0.0.1", "port": 11112,
                                  "result": 1, "source": 1, "reason": 3}  # fmt: skip


def test_abort_closed_not_dicom_no_context_timeout():
    abort = A_ABORT_RQ()
    abort.source, abort.reason_diagnostic = 2, 1
    obs = observed(received=10)
    obs.abort_pdu = abort
    error = diagnose(None, obs, NODE, LOCAL)
    assert isinstance(error, AssociationAbortedError)
    assert (error.values["source"], error.values["reason"]) == (2, 1)

    obs = observed(received=10)
    obs.answered = True
    error = diagnose(None, obs, NODE, LOCAL, service="C-FIND (1.2.3)")
    assert isinstance(error, ServiceNotAcceptedError) and "C-FIND" in error.message()

    error = diagnose(None, observed(("Sta5", "Evt19"), received=4), NODE, LOCAL)
    assert error.values["cause"] == "echo.not_dicom"
    error = diagnose(None, observed(("Sta5", "Evt17")), NODE, LOCAL)
    assert error.values["cause"] == "echo.closed"
    error = diagnose(None, observed(("Sta5", "Evt15")), NODE, LOCAL)
    assert isinstance(error, NetworkTimeoutError)
    assert (error.values["phase"], error.values["timeout_s"]) == ("association", 2.5)


def test_no_response_timeout_or_closed_whichever_came_first():
    ours_first = diagnose(None, observed(("Sta6", "Evt15"), ("Sta13", "Evt17")), NODE, LOCAL,
                          during="C-FIND")  # fmt: skip
    assert isinstance(ours_first, NetworkTimeoutError)
    assert (ours_first.values["phase"], ours_first.values["timeout_s"]) == ("dimse", 3.5)
    theirs_first = diagnose(None, observed(("Sta6", "Evt17"), ("Sta1", "Evt15")), NODE, LOCAL,
                            during="C-STORE")  # fmt: skip
    assert isinstance(theirs_first, AssociationAbortedError)
    assert "closed the connection during the C-STORE" in theirs_first.message()


def _response(msg_id: int) -> C_FIND:
    rsp = C_FIND()
    rsp.MessageIDBeingRespondedTo = msg_id
    rsp.Status = 0x0000
    return rsp


def _request(msg_id: int) -> C_ECHO:
    rq = C_ECHO()
    rq.MessageID = msg_id
    rq.AffectedSOPClassUID = "1.2.840.10008.1.1"
    return rq


def test_the_reactors_look_takes_requests_never_responses():
    assoc = Association(AE(), "requestor")
    guard = ResponseGuard(assoc, reactor=threading.current_thread())
    queue = assoc.dimse.msg_queue
    request, cancel = _request(2), C_CANCEL()
    cancel.MessageIDBeingRespondedTo = 1
    for item in [(1, _response(1)), (None, None), (1, request), (1, cancel)]:
        queue.put(item)
    assert guard(block=False) == (1, request)
    assert guard(block=False) == (1, cancel)
    assert guard(block=False) == (None, None)  # what is left is the requester's
    assert queue.qsize() == 2
    # a wait for a response (a send_* call, on any thread) gets pynetdicom's get_msg
    assoc.dimse_timeout = 0.5
    context_id, rsp = guard(block=True)
    assert context_id == 1 and rsp.MessageIDBeingRespondedTo == 1


def test_another_threads_look_is_pynetdicoms():
    assoc = Association(AE(), "requestor")
    guard = ResponseGuard(assoc)  # the reactor is the association's thread, not this one
    assoc.dimse.msg_queue.put((1, _response(1)))
    assert guard(block=False)[1].MessageIDBeingRespondedTo == 1


def test_configure_pynetdicom_once(monkeypatch):
    for name in ("LOG_HANDLER_LEVEL", "LOG_REQUEST_IDENTIFIERS", "LOG_RESPONSE_IDENTIFIERS"):
        monkeypatch.setattr(_config, name, getattr(_config, name))
    configure_pynetdicom(debug=True, log_identifiers=False)
    configure_pynetdicom(debug=True, log_identifiers=False)
    assert _config.LOG_HANDLER_LEVEL == "standard"
    assert not _config.LOG_REQUEST_IDENTIFIERS and not _config.LOG_RESPONSE_IDENTIFIERS
    ensure_pynetdicom_configured()  # set already: left as the start-up set it
    assert _config.LOG_HANDLER_LEVEL == "standard"
    configure_pynetdicom(debug=False, log_identifiers=False)
    assert _config.LOG_HANDLER_LEVEL == "none"
