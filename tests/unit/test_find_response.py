"""Pending C-FIND responses written directly (net/wire/find_response.py), checked against
pynetdicom's own encoder and decoder."""

from __future__ import annotations

import threading
from io import BytesIO
from typing import Any

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom.dimse_messages import C_FIND_RSP
from pynetdicom.dimse_primitives import C_FIND
from pynetdicom.dsutils import decode, encode
from pynetdicom.pdu import P_DATA_TF
from pynetdicom.sop_class import (
    PatientRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelFind,
)

from workstation.net.wire.find_response import (
    LOCK_ATTRIBUTE,
    WATCHED_EVENTS,
    FindResponseWriter,
    install_send_lock,
    p_data_pdus,
    pending_command_set,
)

STUDY_ROOT = str(StudyRootQueryRetrieveInformationModelFind)  # 27 characters: padded
PATIENT_ROOT = str(PatientRootQueryRetrieveInformationModelFind)


def pynetdicom_message(sop_class: str, message_id: int, identifier: bytes) -> C_FIND_RSP:
    rsp = C_FIND()
    rsp.MessageID = rsp.MessageIDBeingRespondedTo = message_id
    rsp.AffectedSOPClassUID = sop_class
    rsp.Status = 0xFF00
    rsp.Identifier = BytesIO(identifier)
    message = C_FIND_RSP()
    message.primitive_to_message(rsp)
    return message


def pynetdicom_pdus(message: C_FIND_RSP, context_id: int, max_pdu: int) -> bytes:
    return b"".join(P_DATA_TF(pdata).encode() for pdata in message.encode_msg(context_id, max_pdu))


def identifier() -> bytes:
    ds = Dataset()
    ds.QueryRetrieveLevel = "STUDY"
    ds.PatientName = "Doe^John"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.10.4711.1.1"
    return encode(ds, False, True)


@pytest.mark.parametrize("sop_class", [STUDY_ROOT, PATIENT_ROOT])
@pytest.mark.parametrize("message_id", [1, 7, 0xFFFF])
def test_command_set_is_the_one_pynetdicom_encodes(sop_class: str, message_id: int):
    message = pynetdicom_message(sop_class, message_id, identifier())
    assert pending_command_set(sop_class, message_id) == encode(message.command_set, True, True)


@pytest.mark.parametrize("max_pdu", [0, 16384, 64, 30])
def test_pdus_are_the_ones_pynetdicom_sends(max_pdu: int):
    """Even maximum lengths: the same fragments as pynetdicom (odd ones differ on
    purpose: DCMTK refuses odd fragments)."""
    data = identifier()
    message = pynetdicom_message(STUDY_ROOT, 3, data)
    ours = p_data_pdus(5, True, pending_command_set(STUDY_ROOT, 3), max_pdu)
    ours += p_data_pdus(5, False, data, max_pdu)
    assert ours == pynetdicom_pdus(message, 5, max_pdu)


@pytest.mark.parametrize("max_pdu", [0, 4096, 31, 17])
def test_fragments_fit_the_peer_and_decode_with_pynetdicom(max_pdu: int):
    data = identifier()
    writer = FindResponseWriter.__new__(FindResponseWriter)
    writer.context_id, writer.max_pdu = 3, max_pdu
    writer.command = p_data_pdus(3, True, pending_command_set(STUDY_ROOT, 9), max_pdu)
    stream = writer.message(data)
    message = C_FIND_RSP()
    offset, done = 0, False
    while offset < len(stream):
        length = int.from_bytes(stream[offset + 2 : offset + 6], "big")
        pdu = P_DATA_TF()
        pdu.decode(stream[offset : offset + 6 + length])
        assert max_pdu == 0 or length <= max_pdu
        pdata = pdu.to_primitive()
        for context, value in pdata.presentation_data_value_list:
            assert context == 3 and len(value) % 2 == 1  # header byte + an even fragment
        done = message.decode_msg(pdata)
        offset += 6 + length
    assert done
    rsp = message.message_to_primitive()
    assert rsp.Status == 0xFF00 and rsp.MessageIDBeingRespondedTo == 9
    assert rsp.AffectedSOPClassUID == STUDY_ROOT
    got = decode(rsp.Identifier, False, True)
    assert str(got.PatientName) == "Doe^John" and got.QueryRetrieveLevel == "STUDY"


class _Socket:
    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.locked: list[bool] = []  # was the lock held, per send and close
        self.lock: Any = None

    def send(self, data: bytes) -> None:
        self.locked.append(bool(self.lock and self.lock.locked()))
        self.sent.append(data)

    def close(self) -> None:
        self.locked.append(bool(self.lock and self.lock.locked()))


class _Assoc:
    def __init__(self) -> None:
        self.dul = type("Dul", (), {})()
        self.dul.socket = _Socket()


def test_send_lock_wraps_the_association_socket_once():
    assoc = _Assoc()
    lock = install_send_lock(assoc)
    assert isinstance(lock, type(threading.Lock()))
    assert install_send_lock(assoc) is lock
    sock = assoc.dul.socket
    sock.lock = getattr(sock, LOCK_ATTRIBUTE)
    sock.send(b"pdu")
    sock.close()
    assert sock.sent == [b"pdu"] and sock.locked == [True, True]
    assert not lock.locked()


def test_no_socket_no_lock():
    assoc = _Assoc()
    assoc.dul.socket = None
    assert install_send_lock(assoc) is None


class _Event:
    """What FindResponseWriter.for_event reads of a pynetdicom C-FIND event."""

    def __init__(self, syntax: str, watched: tuple[Any, ...] = ()) -> None:
        self.assoc = _Assoc()
        self.assoc.dul.socket.socket = object()  # the raw socket (never written here)
        self.assoc.requestor = type("Requestor", (), {"maximum_length": 16384})()
        self.assoc.get_handlers = lambda event: [(print, None)] if event in watched else []
        self.context = type("Context", (), {"transfer_syntax": syntax, "context_id": 1})()
        self.request = type("Request", (), {"AffectedSOPClassUID": STUDY_ROOT, "MessageID": 4})()


def test_writer_only_where_nothing_would_be_bypassed():
    implicit = FindResponseWriter.for_event(_Event(ImplicitVRLittleEndian))
    assert implicit is not None and implicit.implicit
    assert implicit.command == p_data_pdus(1, True, pending_command_set(STUDY_ROOT, 4), 16384)
    assert FindResponseWriter.for_event(_Event(ExplicitVRBigEndian)) is None
    # a handler watching sent messages (pynetdicom's debug logging) must see every one
    assert FindResponseWriter.for_event(_Event(ExplicitVRLittleEndian, WATCHED_EVENTS)) is None
