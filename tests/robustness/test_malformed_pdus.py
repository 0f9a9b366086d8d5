"""Malformed and out-of-order PDUs get their defined answer (net/scp/screening.py's table,
PS3.8 9.2/9.3), never silence or a dead thread; after each the node serves at once."""

from __future__ import annotations

import struct

import pytest

from tests.integration.conftest import NODE_AET
from tests.robustness.peer import (
    ABORT,
    APPLICATION_CONTEXT,
    ASSOCIATE_AC,
    ASSOCIATE_RJ,
    IMPLICIT_LE,
    P_DATA_TF,
    RELEASE_RP,
    VERIFICATION,
    RawPeer,
    ae_field,
    assert_healthy,
    associate_rq,
    echo_rq,
    encode_command,
    item,
    p_data,
    pdu,
    pdv,
    presentation_context,
    release_rp,
    release_rq,
    uid_bytes,
    user_information,
)

PROVIDER = 2
UNRECOGNIZED, UNEXPECTED, INVALID = 1, 2, 6


def _answer(node, data: bytes):
    with RawPeer(node.host, node.port) as peer:
        peer.send(data)
        return peer.recv_pdu()


def assert_abort(reply, reason: int) -> None:
    assert reply is not None, "no answer: the connection was closed silently"
    assert reply.pdu_type == ABORT, f"PDU type 0x{reply.pdu_type:02X}, not A-ABORT"
    assert reply.raw[:6] == b"\x07\x00\x00\x00\x00\x04"
    assert reply.source_reason == (PROVIDER, reason)


def assert_reject(reply, source: int, reason: int) -> None:
    assert reply is not None, "no answer: the connection was closed silently"
    assert reply.pdu_type == ASSOCIATE_RJ, f"PDU type 0x{reply.pdu_type:02X}, not RJ"
    assert reply.raw[:6] == b"\x03\x00\x00\x00\x00\x04"
    assert reply.result == 1  # permanent
    assert reply.source_reason == (source, reason)


def _context_body(pc_id: int, subs: bytes) -> bytes:
    return item(0x20, struct.pack(">BBBB", pc_id, 0, 0, 0) + subs)


ABSTRACT = item(0x30, uid_bytes(VERIFICATION))
TRANSFER = item(0x40, uid_bytes(IMPLICIT_LE))
APP_CONTEXT = item(0x10, uid_bytes(APPLICATION_CONTEXT))

ABORTED_RQS = {
    "even context ID": associate_rq(pc_id=2),
    "context ID 0": associate_rq(pc_id=0),
    "duplicate context IDs": associate_rq(
        contexts=[presentation_context(1), presentation_context(1)]
    ),
    "no presentation context": associate_rq(contexts=[]),
    "empty abstract syntax": associate_rq(contexts=[presentation_context(1, "")]),
    "no abstract syntax": associate_rq(contexts=[presentation_context(1, None)]),
    "two abstract syntaxes": associate_rq(contexts=[_context_body(1, ABSTRACT * 2 + TRANSFER)]),
    "abstract syntax not a UID": associate_rq(contexts=[presentation_context(1, "1.2.x")]),
    "no transfer syntax": associate_rq(contexts=[presentation_context(1, transfers=())]),
    "empty transfer syntax": associate_rq(contexts=[presentation_context(1, transfers=("",))]),
    "context item shorter than 4": associate_rq(contexts=[item(0x20, b"\x01\x00")]),
    "sub-item overruns its item": associate_rq(
        contexts=[_context_body(1, item(0x30, uid_bytes(VERIFICATION), length=200) + TRANSFER)]
    ),
    "item overruns the PDU": associate_rq(
        contexts=[item(0x20, struct.pack(">BBBB", 1, 0, 0, 0) + ABSTRACT, length=4000)]
    ),
    "truncated item header": associate_rq(extra=b"\x20\x00"),
    "no user information": associate_rq(user_info=b""),
    "two user information items": associate_rq(extra=user_information()),
    "maximum length sub-item of 2 bytes": associate_rq(
        user_info=item(0x50, item(0x51, b"\x40\x00"))
    ),
    "application context name not a UID": associate_rq(context_name="dicom"),
    "no application context": pdu(0x01, associate_rq()[6:].replace(APP_CONTEXT, b"", 1)),
    "two application contexts": associate_rq(extra=APP_CONTEXT),
    "shorter than the fixed fields": pdu(0x01, bytes(40)),
    "length 0": pdu(0x01, b""),
}


@pytest.mark.parametrize("case", list(ABORTED_RQS))
def test_malformed_associate_rq_is_aborted_with_invalid_parameter(node, case: str) -> None:
    assert_abort(_answer(node, ABORTED_RQS[case]), INVALID)
    assert_healthy(node)


@pytest.mark.parametrize(
    ("rq", "source", "reason"),
    [
        (associate_rq(version=2), 2, 2),  # protocol version not supported
        (associate_rq(version=0), 2, 2),
        (associate_rq(context_name="1.2.3.4"), 1, 2),  # application context not supported
        (associate_rq(called=" " * 16), 1, 7),
        (associate_rq(called=b"WS\x01TEST"), 1, 7),
        (associate_rq(called=b"WS\\TEST"), 1, 7),
        (associate_rq(called=b"WS\xe4TEST"), 1, 7),
        (associate_rq(calling=" " * 16), 1, 3),
        (associate_rq(calling=b"DC\nMTK"), 1, 3),
        (associate_rq(called="SOMEONE_ELSE"), 1, 7),  # not our AE title
    ],
    ids=["v2", "v0", "app-context", "called-spaces", "called-control", "called-backslash",
         "called-8bit", "calling-spaces", "calling-newline", "called-not-ours"],  # fmt: skip
)
def test_bad_associate_rq_values_are_rejected(node, rq: bytes, source: int, reason: int) -> None:
    assert_reject(_answer(node, rq), source, reason)
    assert_healthy(node)


def test_version_with_bit_0_and_unknown_items_are_accepted(node) -> None:
    """PS3.8 9.3.2: version 1 is bit 0; 9.3.1: items of unknown types are skipped."""
    unknown_sub = item(0x5F, b"whatever")
    rq = associate_rq(
        version=3,
        contexts=[_context_body(1, ABSTRACT + item(0x77, b"x") + TRANSFER)],
        user_info=item(0x50, item(0x51, struct.pack(">L", 16384)) + unknown_sub),
        extra=item(0x66, b"unknown item"),
    )
    reply = _answer(node, rq)
    assert reply is not None and reply.pdu_type == ASSOCIATE_AC
    assert_healthy(node)


@pytest.mark.parametrize(
    "data",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        bytes(range(0x08, 0x30)),
        pdu(0x08, b"\x00" * 10),
        pdu(0xFF, b""),
        pdu(0x00, bytes(4)),
    ],
    ids=["http", "garbage", "type-08", "type-ff", "type-00"],
)
def test_unknown_pdu_types_are_aborted_as_unrecognised(node, data: bytes) -> None:
    assert_abort(_answer(node, data), UNRECOGNIZED)
    assert_healthy(node)


@pytest.mark.parametrize(
    "data",
    [
        p_data(pdv(1, encode_command(echo_rq()), command=True)),
        release_rq(),
        release_rp(),
        pdu(ASSOCIATE_AC, bytes(68)),
        pdu(ASSOCIATE_RJ, bytes(4)),
    ],
    ids=["p-data", "release-rq", "release-rp", "associate-ac", "associate-rj"],
)
def test_pdus_before_the_association_are_unexpected(node, data: bytes) -> None:
    assert_abort(_answer(node, data), UNEXPECTED)
    assert_healthy(node)


def _associated(node) -> RawPeer:
    peer = RawPeer(node.host, node.port)
    reply = peer.associate()
    assert reply is not None and reply.pdu_type == ASSOCIATE_AC
    return peer


@pytest.mark.parametrize(
    "data",
    [associate_rq(), release_rp(), pdu(ASSOCIATE_AC, bytes(68)), pdu(ASSOCIATE_RJ, bytes(4))],
    ids=["associate-rq-twice", "release-rp-unasked", "associate-ac", "associate-rj"],
)
def test_out_of_order_pdus_in_an_association_are_unexpected(node, data: bytes) -> None:
    with _associated(node) as peer:
        peer.send(data)
        assert_abort(peer.recv_pdu(), UNEXPECTED)
    assert_healthy(node)


@pytest.mark.parametrize(
    "data",
    [
        pdu(0x09, bytes(4)),
        pdu(P_DATA_TF, b""),  # length 0
        pdu(P_DATA_TF, struct.pack(">LBB", 1, 1, 3)),  # PDV item shorter than 2
        pdu(P_DATA_TF, struct.pack(">LBB", 40, 1, 3) + b"x"),  # PDV overruns the PDU
        p_data(pdv(3, encode_command(echo_rq()), command=True)),  # context 3 not accepted
        pdu(0x05, bytes(8)),  # A-RELEASE-RQ of length 8
        pdu(0x07, b""),  # A-ABORT of length 0
        pdu(P_DATA_TF, b"", length=0x7FFFFFFF),  # beyond our maximum: not read
    ],
    ids=["unknown-type", "p-data-0", "pdv-short", "pdv-overrun", "pdv-context",
         "release-length", "abort-length", "p-data-huge"],  # fmt: skip
)
def test_malformed_pdus_in_an_association_are_aborted(node, data: bytes) -> None:
    reason = UNRECOGNIZED if data[0] == 0x09 else INVALID
    with _associated(node) as peer:
        peer.send(data)
        assert_abort(peer.recv_pdu(), reason)
    assert_healthy(node)


def test_associate_rq_beyond_the_maximum_is_aborted_unread(node) -> None:
    header = struct.pack(">BBL", 0x01, 0, 0x7FFFFFFF)
    assert_abort(_answer(node, header + ae_field(NODE_AET)), INVALID)
    assert_healthy(node)


def test_release_after_the_screening_still_works(node) -> None:
    """A conformant association through the screening ends with A-RELEASE-RP."""
    with _associated(node) as peer:
        assert peer.send(release_rq())
        reply = peer.recv_pdu()
        assert reply is not None and reply.pdu_type == RELEASE_RP
    assert_healthy(node)


@pytest.mark.parametrize("fast_paths", ["1", "0"])
def test_an_undecodable_dimse_command_is_aborted(start_short_node, monkeypatch, fast_paths) -> None:
    """A command set without CommandDataSetType fails in pynetdicom's DT-2 (found by the
    fuzzer): A-ABORT reason 6, not a dead DUL thread and a hanging association."""
    monkeypatch.setenv("WORKSTATION_WIRE_FAST_PATHS", fast_paths)
    running = start_short_node()
    command = echo_rq()
    del command.CommandDataSetType
    with _associated(running) as peer:
        peer.send(p_data(pdv(1, encode_command(command), command=True)))
        assert_abort(peer.recv_pdu(), INVALID)
    assert_healthy(running)
