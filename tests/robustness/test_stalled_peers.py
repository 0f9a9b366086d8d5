"""Stalled, trickling and vanishing peers (issue 12, item 2; CONFORMANCE.md "hostile or
broken peers"): each is cut off within the configured timeouts, its slot is free again as
soon as its connection is gone, and the node is healthy at once after.

The node's timeouts are ``SHORT_TIMEOUT_S`` (conftest.py); where a test shows that a slot
is freed by the connection's end and not by a timer, the ACSE timeout is long instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from pynetdicom import AE
from pynetdicom.sop_class import Verification

from tests.integration.conftest import KNOWN_AET, LOOPBACK, NODE_AET, RunningNode, wait_for
from tests.robustness.peer import (
    ABORT,
    ASSOCIATE_AC,
    DEADLINE_S,
    IMPLICIT_LE,
    RawPeer,
    assert_healthy,
    associate_rq,
    echo_rq,
    encode_command,
    encode_dataset,
    fresh_ct,
    p_data,
    pdu,
    pdv,
    presentation_context,
    store_rq,
)

CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
LONG_ACSE_S = 60.0  # longer than any wait here: a slot freed in time was not freed by it
TRICKLE_GAP_S = 0.2


# -- helpers ---------------------------------------------------------------------------
def ct_rq() -> bytes:
    """An A-ASSOCIATE-RQ for Verification (context 1) and CT Image Storage (context 3)."""
    return associate_rq(
        contexts=[presentation_context(1), presentation_context(3, CT_STORAGE, (IMPLICIT_LE,))]
    )


def echo_pdata() -> bytes:
    return p_data(pdv(1, encode_command(echo_rq(1)), command=True))


def associated(node: RunningNode) -> RawPeer:
    """A raw peer with an established association (contexts of :func:`ct_rq`)."""
    peer = RawPeer(node.host, node.port)
    reply = peer.associate(ct_rq())
    assert reply is not None and reply.pdu_type == ASSOCIATE_AC, reply
    return peer


def pdus_until_closed(peer: RawPeer) -> list[int] | None:
    """The PDU types the node sends until it closes the connection; None if it did not
    close within ``DEADLINE_S``."""
    types: list[int] = []
    try:
        while True:
            reply = peer.recv_pdu(DEADLINE_S)
            if reply is None:
                return types
            types.append(reply.pdu_type)
    except TimeoutError:
        return None


def assert_cut_off(peer: RawPeer, aborted: bool = True) -> None:
    """The node closed the connection (after an A-ABORT when ``aborted``)."""
    types = pdus_until_closed(peer)
    assert types is not None, "the node did not cut the stalled peer off"
    if aborted:
        assert types[-1:] == [ABORT], f"no A-ABORT before the close: {types}"


def slots_free(node: RunningNode, timeout: float = DEADLINE_S) -> bool:
    """Whether every association thread of ``node`` has ended within ``timeout``.

    First a marker connection asks for an association and reads the answer (accepted or
    rejected): the node accepts connections in order, so every connection made before
    has been taken up by then, and none is missed by being not yet counted."""
    with RawPeer(node.host, node.port) as marker:
        assert marker.associate() is not None, "the node did not answer a good request"
    return wait_for(lambda: node.node.active_associations() == 0, timeout=timeout)


def good_callers_at_once(node: RunningNode, count: int) -> list[bool]:
    """``count`` pynetdicom callers associate at the same time and hold their association
    until all have an answer; whether each was accepted (and its C-ECHO answered 0000)."""
    results: list[bool] = [False] * count
    answered = threading.Barrier(count, timeout=DEADLINE_S)

    def call(n: int) -> None:
        ae = AE(ae_title=KNOWN_AET)
        ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = DEADLINE_S
        ae.add_requested_context(Verification)
        assoc = ae.associate(LOOPBACK, node.port, ae_title=NODE_AET)
        try:
            try:
                answered.wait()
            except threading.BrokenBarrierError:
                pass
            if assoc.is_established:
                status = assoc.send_c_echo()
                results[n] = bool(status) and int(status.Status) == 0
        finally:
            if assoc.is_established:
                assoc.release()
            ae.shutdown()

    threads = [threading.Thread(target=call, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(3 * DEADLINE_S)
    assert not any(t.is_alive() for t in threads), "a good caller did not finish"
    return results


# -- stalled anywhere: cut off ------------------------------------------------------------
def test_stalled_after_the_tcp_connect_is_closed_at_the_acse_timeout(node) -> None:
    with RawPeer(node.host, node.port) as peer:
        # PS3.8 AA-2: ARTIM expired before any PDU: the connection is closed, nothing sent
        assert_cut_off(peer, aborted=False)
    assert slots_free(node)
    assert_healthy(node)


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(lambda: associate_rq()[:6], id="after-rq-header"),
        pytest.param(lambda: associate_rq()[:40], id="mid-rq"),
        pytest.param(lambda: pdu(0x01, b"", length=5000), id="rq-longer-than-sent"),
    ],
)
def test_stalled_inside_the_association_request_is_aborted(
    node, sent: Callable[[], bytes]
) -> None:
    with RawPeer(node.host, node.port) as peer:
        assert peer.send(sent())
        assert_cut_off(peer)
    assert slots_free(node)
    assert_healthy(node)


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(lambda: echo_pdata()[:6], id="after-pdata-header"),
        pytest.param(lambda: echo_pdata()[:-10], id="mid-pdata"),
        pytest.param(lambda: b"", id="between-pdus"),
    ],
)
def test_stalled_after_the_association_is_aborted(node, sent: Callable[[], bytes]) -> None:
    with associated(node) as peer:
        if sent():
            assert peer.send(sent())
        assert_cut_off(peer)
    assert slots_free(node)
    assert_healthy(node)


def test_stalled_between_pdus_of_a_c_store_is_aborted(node) -> None:
    ds = fresh_ct()
    command = encode_command(store_rq(CT_STORAGE, ds.SOPInstanceUID))
    data = encode_dataset(ds)
    with associated(node) as peer:
        assert peer.send(p_data(pdv(3, command, command=True)))
        assert peer.send(p_data(pdv(3, data[:1000], command=False, last=False)))
        assert_cut_off(peer)
    assert slots_free(node)
    assert_healthy(node)
    assert node.store.index.lookup(ds.SOPInstanceUID) is None, "half a data set was stored"


@pytest.mark.parametrize("established", [False, True], ids=["association-rq", "pdata"])
def test_trickling_peer_is_cut_off(node, established: bool) -> None:
    """One byte per 0.2 s: an A-ASSOCIATE-RQ, or P-DATA-TFs once associated."""
    peer = associated(node) if established else RawPeer(node.host, node.port)
    data = echo_pdata() * 2 if established else associate_rq()
    with peer:
        sent = peer.trickle(data, TRICKLE_GAP_S, deadline_s=DEADLINE_S)
        assert sent < len(data), "the node took a trickled PDU to its end"
        assert pdus_until_closed(peer) is not None
    assert slots_free(node)
    assert_healthy(node)


def test_two_stalled_peers_do_not_lock_a_two_slot_node_out(start_short_node) -> None:
    node = start_short_node(max_associations=2)
    peers = [associated(node), RawPeer(node.host, node.port)]
    try:
        assert peers[0].send(echo_pdata()[:6])  # a P-DATA-TF header, then nothing
        assert peers[1].send(associate_rq()[:6])  # an A-ASSOCIATE-RQ header, then nothing
        for peer in peers:
            assert_cut_off(peer)
    finally:
        for peer in peers:
            peer.close()
    assert slots_free(node)
    assert good_callers_at_once(node, 2) == [True, True]


# -- dropped in every state: the slot is free at once -------------------------------------
def _drop_before_rq(node: RunningNode) -> None:
    RawPeer(node.host, node.port).close()


def _drop_mid_rq(node: RunningNode) -> None:
    with RawPeer(node.host, node.port) as peer:
        assert peer.send(ct_rq()[:50])


def _drop_after_ac(node: RunningNode) -> None:
    associated(node).close()


def _drop_mid_pdata(node: RunningNode) -> None:
    with associated(node) as peer:
        assert peer.send(echo_pdata()[:-10])


def _drop_mid_data_set(node: RunningNode) -> None:
    ds = fresh_ct()
    with associated(node) as peer:
        assert peer.send(p_data(pdv(3, encode_command(store_rq(CT_STORAGE, ds.SOPInstanceUID)),
                                    command=True)))  # fmt: skip
        assert peer.send(p_data(pdv(3, encode_dataset(ds)[:2000], command=False, last=False)))


def _drop_after_abort(node: RunningNode) -> None:
    with associated(node) as peer:
        assert peer.send(pdu(0x07, bytes(4)))  # A-ABORT from us, then gone at once


DROPS = {
    "before-rq": _drop_before_rq,
    "mid-rq": _drop_mid_rq,
    "after-ac": _drop_after_ac,
    "mid-pdata": _drop_mid_pdata,
    "mid-data-set": _drop_mid_data_set,
    "after-abort": _drop_after_abort,
}


@pytest.mark.parametrize("state", list(DROPS))
def test_dropped_connection_frees_its_slot_at_once(start_short_node, state: str) -> None:
    node = start_short_node(max_associations=2, acse_timeout_s=LONG_ACSE_S)
    for _ in range(3):
        DROPS[state](node)
    assert slots_free(node), "a dropped connection keeps its slot"
    assert good_callers_at_once(node, 2) == [True, True]
    assert slots_free(node)  # the good callers' threads end just after their release
    assert_healthy(node)


GARBAGE = [
    b"\xff" * 64,
    b"GET / HTTP/1.1\r\nHost: node\r\n\r\n",
    pdu(0x55, b"\x00" * 10),  # no such PDU type
    pdu(0x04, b"\x00" * 10),  # P-DATA-TF before any association
    pdu(0x01, b"\x00" * 8, length=2**31),  # an A-ASSOCIATE-RQ "2 GB long"
    b"\x01",
]


def test_broken_connections_then_good_callers_up_to_the_limit(start_short_node) -> None:
    """12 garbage connections and 200 opened and dropped ones, on a two-slot node with a
    long ACSE timeout; then two good callers at once: both accepted (no slot leak)."""
    node = start_short_node(max_associations=2, acse_timeout_s=LONG_ACSE_S)
    for n in range(12):
        with RawPeer(node.host, node.port) as peer:
            peer.send(GARBAGE[n % len(GARBAGE)])
    for _ in range(200):
        RawPeer(node.host, node.port).close()
    assert slots_free(node), "broken connections keep their slots"
    assert good_callers_at_once(node, 2) == [True, True]
    assert slots_free(node)  # the good callers' threads end just after their release
    assert_healthy(node)
