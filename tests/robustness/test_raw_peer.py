"""The raw peer itself speaks DICOM: a conformant association, C-ECHO and release by hand.

If these fail, every other robustness test's verdict means nothing.
"""

from __future__ import annotations

import struct

from tests.robustness.peer import (
    ASSOCIATE_AC,
    P_DATA_TF,
    RELEASE_RP,
    RawPeer,
    assert_healthy,
    echo_rq,
    encode_command,
    p_data,
    pdv,
    release_rq,
)


def test_conformant_association_echo_and_release_by_hand(node) -> None:
    with RawPeer(node.host, node.port) as peer:
        reply = peer.associate()
        assert reply is not None and reply.pdu_type == ASSOCIATE_AC
        assert peer.send(p_data(pdv(1, encode_command(echo_rq(7)), command=True)))
        answer = peer.recv_pdu()
        assert answer is not None and answer.pdu_type == P_DATA_TF
        # the C-ECHO-RSP's Status (0000,0900) US 0000, implicit VR LE
        assert struct.pack("<HHLH", 0x0000, 0x0900, 2, 0) in answer.body
        assert peer.send(release_rq())
        done = peer.recv_pdu()
        assert done is not None and done.pdu_type == RELEASE_RP
    assert_healthy(node)
