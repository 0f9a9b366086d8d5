"""A C-STORE-RQ whose Affected SOP Instance or Class UID cannot be answered as it came
(empty, over 64 characters, non-ASCII, backslash, NUL, control characters) gets a failure
status with an encodable comment, never an abort or silence; nothing is written
(CONFORMANCE.md, "Storage SCP outcomes"). With the wire fast paths on and off."""

from __future__ import annotations

import struct

import pytest

from tests.robustness.peer import (
    ASSOCIATE_AC,
    IMPLICIT_LE,
    P_DATA_TF,
    RawPeer,
    assert_healthy,
    associate_rq,
    encode_dataset,
    fresh_ct,
    p_data,
    pdv,
    presentation_context,
)

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
FAILURES = {0xA900, 0xC000}

BAD_UIDS = {
    "empty": b"",
    "over 64": b"1." + b"2" * 70,
    "non-ASCII": "1.2.\u00e4".encode("latin-1"),
    "backslash": b"1.2\\3.4",
    "NUL inside": b"1.2\x003.4",
    "control": b"1.2.\x07.4",
    "newline": b"1.2.3\n",
}


def _element(element: int, value: bytes) -> bytes:
    if len(value) % 2:
        value += b"\x00"
    return struct.pack("<HHI", 0x0000, element, len(value)) + value


def _us(element: int, value: int) -> bytes:
    return struct.pack("<HHIH", 0x0000, element, 2, value)


def raw_store_rq(sop_class: bytes, sop_instance: bytes, message_id: int = 7) -> bytes:
    """A C-STORE-RQ command set coded by hand, the UIDs exactly as given."""
    body = (
        _element(0x0002, sop_class)
        + _us(0x0100, 0x0001)
        + _us(0x0110, message_id)
        + _us(0x0700, 0)
        + _us(0x0800, 0x0000)
        + _element(0x1000, sop_instance)
    )
    return struct.pack("<HHII", 0, 0, 4, len(body)) + body


def command_elements(data: bytes) -> dict[int, bytes]:
    """The elements of an Implicit VR LE command set, by element number."""
    out, offset = {}, 0
    while offset + 8 <= len(data):
        group, element, length = struct.unpack_from("<HHI", data, offset)
        offset += 8
        out[element] = data[offset : offset + length]
        offset += length
    return out


def _response(peer: RawPeer) -> dict[int, bytes]:
    """The command set of the next C-STORE-RSP; fails on an abort or silence."""
    chunks = b""
    while True:
        reply = peer.recv_pdu()
        assert reply is not None, "the node closed the connection instead of answering"
        assert reply.pdu_type == P_DATA_TF, f"PDU type 0x{reply.pdu_type:02X}, not P-DATA-TF"
        body, offset = reply.body, 0
        while offset < len(body):
            (length,) = struct.unpack_from(">L", body, offset)
            header = body[offset + 5]
            chunks += body[offset + 6 : offset + 4 + length]
            offset += 4 + length
            if header & 3 == 3:
                return command_elements(chunks)


def store_raw(running, sop_class: bytes, sop_instance: bytes, dataset: bytes) -> dict[int, bytes]:
    """Send one hand-coded C-STORE on a fresh association; the response's elements."""
    rq = associate_rq(contexts=[presentation_context(1, CT_IMAGE_STORAGE, [IMPLICIT_LE])])
    with RawPeer(running.host, running.port) as peer:
        reply = peer.associate(rq)
        assert reply is not None and reply.pdu_type == ASSOCIATE_AC
        command = raw_store_rq(sop_class, sop_instance)
        peer.send(
            p_data(pdv(1, command, command=True)) + p_data(pdv(1, dataset, command=False))
        )
        return _response(peer)


def assert_failure_response(elements: dict[int, bytes]) -> None:
    (status,) = struct.unpack("<H", elements[0x0900])
    assert status in FAILURES, f"status {status:04X}"
    assert struct.unpack("<H", elements[0x0120])[0] == 7  # Message ID Being Responded To
    comment = elements.get(0x0902, b"")
    assert len(comment) <= 64 and comment.isascii() and b"\\" not in comment
    assert all(32 <= c < 127 for c in comment)
    uid = elements.get(0x1000)
    if uid is not None:  # echoed only as a valid UI value
        text = uid.rstrip(b"\x00").decode("ascii")
        assert 0 < len(text) <= 64 and all(c in "0123456789." for c in text)


@pytest.fixture(params=["1", "0"], ids=["fast", "pynetdicom"])
def any_node(request, start_short_node, monkeypatch):
    monkeypatch.setenv("WORKSTATION_WIRE_FAST_PATHS", request.param)
    return start_short_node()


@pytest.mark.parametrize("name", list(BAD_UIDS))
def test_bad_affected_sop_instance_uid_gets_a_failure_status(any_node, name) -> None:
    ds = fresh_ct()
    elements = store_raw(any_node, CT_IMAGE_STORAGE.encode(), BAD_UIDS[name], encode_dataset(ds))
    assert_failure_response(elements)
    assert any_node.store.index.lookup(ds.SOPInstanceUID) is None
    assert_healthy(any_node)


@pytest.mark.parametrize("name", list(BAD_UIDS))
def test_bad_affected_sop_class_uid_gets_a_failure_status(any_node, name) -> None:
    ds = fresh_ct()
    elements = store_raw(any_node, BAD_UIDS[name], ds.SOPInstanceUID.encode(), encode_dataset(ds))
    assert_failure_response(elements)
    assert any_node.store.index.lookup(ds.SOPInstanceUID) is None
    assert_healthy(any_node)


VERIFICATION = "1.2.840.10008.1.1"
STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
STORAGE_COMMITMENT = "1.2.840.10008.1.20.1"


def raw_request(command_field: int, class_element: int, sop_class: bytes,
                data_set: bool, instance: tuple[int, bytes] | None = None) -> bytes:  # fmt: skip
    body = _element(class_element, sop_class) + _us(0x0100, command_field) + _us(0x0110, 7)
    if command_field in (0x0020, 0x0010, 0x0021):
        body += _us(0x0700, 0)
    body += _us(0x0800, 0x0000 if data_set else 0x0101)
    if instance is not None:
        body += _element(*instance)
    return struct.pack("<HHII", 0, 0, 4, len(body)) + body


@pytest.mark.parametrize(
    ("abstract", "command_field", "class_element", "instance_element", "data_set", "failure"),
    [
        (VERIFICATION, 0x0030, 0x0002, None, False, 0x0110),  # C-ECHO
        (STUDY_ROOT_FIND, 0x0020, 0x0002, None, True, 0xC000),  # C-FIND
        (STORAGE_COMMITMENT, 0x0130, 0x0003, 0x1001, True, 0x0110),  # N-ACTION
    ],
    ids=["C-ECHO", "C-FIND", "N-ACTION"],
)
@pytest.mark.parametrize("name", ["empty", "over 64", "non-ASCII", "NUL inside"])
def test_other_requests_with_a_bad_uid_get_their_failure_status(
    any_node, abstract, command_field, class_element, instance_element, data_set, failure, name
) -> None:
    instance = (instance_element, BAD_UIDS[name]) if instance_element else None
    sop_class = abstract.encode() if instance else BAD_UIDS[name]
    command = raw_request(command_field, class_element, sop_class, data_set, instance)
    rq = associate_rq(contexts=[presentation_context(1, abstract, [IMPLICIT_LE])])
    with RawPeer(any_node.host, any_node.port) as peer:
        reply = peer.associate(rq)
        assert reply is not None and reply.pdu_type == ASSOCIATE_AC
        message = p_data(pdv(1, command, command=True))
        if data_set:
            message += p_data(pdv(1, encode_dataset(fresh_ct()), command=False))
        peer.send(message)
        elements = _response(peer)
    assert struct.unpack("<H", elements[0x0100])[0] == command_field | 0x8000
    assert struct.unpack("<H", elements[0x0900])[0] == failure
    assert struct.unpack("<H", elements[0x0120])[0] == 7
    comment = elements.get(0x0902, b"")
    assert comment and all(32 <= c < 127 and c != 0x5C for c in comment)
    assert_healthy(any_node)
