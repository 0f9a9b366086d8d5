"""Transfer syntax choice per presentation context (CONFORMANCE.md, Storage SCP)."""

from __future__ import annotations

from pydicom.uid import (
    CTImageStorage,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGLosslessSV1,
    RLELossless,
)
from pynetdicom import AE, build_context
from pynetdicom.presentation import negotiate_as_acceptor
from pynetdicom.sop_class import Verification

from workstation.net.negotiation import base_contexts, contexts_for_request


def _supported():
    ae = AE()
    for abstract, syntaxes in base_contexts():
        ae.add_supported_context(abstract, list(syntaxes))
    return ae.supported_contexts


def _negotiate(proposed_syntaxes: list[str], abstract: str = CTImageStorage) -> str | None:
    rq = build_context(abstract, proposed_syntaxes)
    rq.context_id = 1
    ours = contexts_for_request(_supported(), [rq])
    result, _ = negotiate_as_acceptor([rq], ours)
    accepted = [cx for cx in result if cx.result == 0x00]
    return str(accepted[0].transfer_syntax[0]) if accepted else None


def test_first_compressed_syntax_the_sender_proposes_wins():
    assert _negotiate([ExplicitVRLittleEndian, JPEG2000Lossless, JPEGLosslessSV1]) == JPEG2000Lossless
    assert _negotiate([RLELossless, JPEGBaseline8Bit]) == RLELossless
    assert _negotiate([JPEGBaseline8Bit, RLELossless]) == JPEGBaseline8Bit


def test_explicit_little_endian_before_implicit_before_big_endian():
    assert _negotiate([ImplicitVRLittleEndian, ExplicitVRLittleEndian]) == ExplicitVRLittleEndian
    assert _negotiate([ExplicitVRBigEndian, ImplicitVRLittleEndian]) == ImplicitVRLittleEndian
    assert _negotiate([ExplicitVRBigEndian]) == ExplicitVRBigEndian


def test_context_with_no_syntax_we_decode_is_rejected():
    assert _negotiate(["1.2.840.10008.1.2.4.100"]) is None  # MPEG2: not a storage syntax of ours


def test_non_storage_sop_class_is_rejected():
    assert _negotiate([ExplicitVRLittleEndian], abstract="1.2.840.10008.5.1.4.31") is None


def test_verification_is_accepted():
    assert _negotiate([ImplicitVRLittleEndian], abstract=Verification) == ImplicitVRLittleEndian
