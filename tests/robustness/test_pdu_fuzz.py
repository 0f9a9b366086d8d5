"""A property-based fuzzer for the node's PDU reader (net/scp/screening.py).

Random bytes and mutated A-ASSOCIATE-RQ / P-DATA-TF PDUs, through the screening and
pynetdicom's decoding (and the primitive the state machine makes of a request): nothing
but our defined refusal (``Refused``) ever comes out. A few go over the socket too: each
gets an answer (A-ASSOCIATE-AC, -RJ or A-ABORT) and the node serves at once afterwards.
Bounded: a couple of hundred examples in-process, a dozen over the socket, each with a
deadline.
"""

from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.robustness.peer import (
    ABORT,
    ASSOCIATE_AC,
    ASSOCIATE_RJ,
    P_DATA_TF,
    RELEASE_RP,
    RawPeer,
    assert_healthy,
    associate_rq,
    echo_rq,
    encode_command,
    p_data,
    pdv,
    presentation_context,
    release_rq,
)
from workstation.net.scp import screening

GOOD_RQ = associate_rq(
    contexts=[presentation_context(1), presentation_context(3, "1.2.840.10008.5.1.4.1.1.2")]
)
GOOD_P_DATA = p_data(pdv(1, encode_command(echo_rq()), command=True))
ACCEPTED = frozenset({1})
MAX_P_DATA = 16384
IN_PROCESS = settings(max_examples=200, deadline=500, derandomize=True)
OVER_SOCKET = settings(
    max_examples=12,
    deadline=15000,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated(draw: st.DrawFn, base: bytes, keep_length: bool) -> bytes:
    """``base`` with a few bytes flipped, inserted, deleted or the tail cut; with
    ``keep_length`` the PDU length field then says the true length again."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "cut", "set"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            data[at] = draw(st.sampled_from([0x00, 0x01, 0x02, 0x20, 0x5C, 0x7F, 0xFF]))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete" and len(data) > 7:
            del data[at : at + draw(st.integers(1, 8))]
        elif kind == "cut":
            data = data[: max(6, at)]
    if keep_length and len(data) >= 6:
        data[2:6] = struct.pack(">L", len(data) - 6)
    return bytes(data)


def _decode_or_refuse(raw: bytes, state: str) -> None:
    try:
        pdu = screening.decode_pdu(bytearray(raw), state, MAX_P_DATA, ACCEPTED)
    except screening.Refused as refused:
        answer = refused.refusal.pdu()
        assert answer[0] in (ABORT, ASSOCIATE_RJ) and len(answer) == 10
        return
    if raw[0] == 0x01 and state == "Sta2":
        pdu.to_primitive()  # what the state machine's AE-6 does with it: must not raise


@IN_PROCESS
@given(st.binary(min_size=0, max_size=400))
def test_random_bytes_are_decoded_or_refused(data: bytes) -> None:
    for state in ("Sta2", "Sta6"):
        _decode_or_refuse(data, state)


@IN_PROCESS
@given(st.integers(0, 255), st.binary(max_size=300))
def test_random_bodies_of_every_pdu_type_are_decoded_or_refused(pdu_type: int, body: bytes) -> None:
    raw = struct.pack(">BBL", pdu_type, 0, len(body)) + body
    for state in ("Sta2", "Sta6", "Sta13"):
        _decode_or_refuse(raw, state)


@IN_PROCESS
@given(mutated(GOOD_RQ, keep_length=True))
def test_mutated_associate_rqs_are_decoded_or_refused(data: bytes) -> None:
    _decode_or_refuse(data, "Sta2")


@IN_PROCESS
@given(mutated(GOOD_RQ, keep_length=False))
def test_mutated_associate_rqs_with_any_length_are_decoded_or_refused(data: bytes) -> None:
    _decode_or_refuse(data, "Sta2")


@IN_PROCESS
@given(mutated(GOOD_P_DATA, keep_length=True))
def test_mutated_p_data_is_decoded_or_refused(data: bytes) -> None:
    _decode_or_refuse(data, "Sta6")


def test_the_unmutated_pdus_pass() -> None:
    """The fuzzer's seeds themselves are good PDUs: mutations start from valid input."""
    assert screening.decode_pdu(bytearray(GOOD_RQ), "Sta2") is not None
    assert screening.decode_pdu(bytearray(GOOD_P_DATA), "Sta6", MAX_P_DATA, ACCEPTED)


@pytest.fixture
def fuzz_node(node):
    yield node
    assert_healthy(node)  # after all the examples


@OVER_SOCKET
@given(data=mutated(GOOD_RQ, keep_length=True))
def test_mutated_associate_rqs_over_the_socket_get_an_answer(fuzz_node, data: bytes) -> None:
    with RawPeer(fuzz_node.host, fuzz_node.port, timeout=5.0) as peer:
        peer.send(data)
        reply = peer.recv_pdu(timeout=5.0)
    assert reply is not None, "the node closed the connection without an answer"
    assert reply.pdu_type in (ASSOCIATE_AC, ASSOCIATE_RJ, ABORT)


@OVER_SOCKET
@given(data=mutated(GOOD_P_DATA, keep_length=True))
def test_mutated_p_data_over_the_socket_leaves_the_association_alive_or_aborted(
    fuzz_node, data: bytes
) -> None:
    """The answer is the C-ECHO response or an A-ABORT; a message the DIMSE layer cannot
    take may get none, but then the association still answers an A-RELEASE-RQ."""
    with RawPeer(fuzz_node.host, fuzz_node.port, timeout=5.0) as peer:
        accepted = peer.associate()
        assert accepted is not None and accepted.pdu_type == ASSOCIATE_AC
        peer.send(data)
        try:
            reply = peer.recv_pdu(timeout=1.0)
        except TimeoutError:
            reply = None
        if reply is not None:
            assert reply.pdu_type in (P_DATA_TF, ABORT)
            if reply.pdu_type == ABORT:
                return
        peer.send(release_rq())
        done = peer.recv_pdu(timeout=5.0)
        while done is not None and done.pdu_type == P_DATA_TF:
            done = peer.recv_pdu(timeout=5.0)  # a late response first
    assert done is not None, "the node closed the connection without an answer"
    assert done.pdu_type in (RELEASE_RP, ABORT)
