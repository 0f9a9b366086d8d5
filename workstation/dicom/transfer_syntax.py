"""Transfer syntaxes of the conformance target and the order we accept them in."""

from __future__ import annotations

from pydicom.uid import (
    JPEG2000,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    RLELossless,
)

# Compressed syntaxes we decode (pylibjpeg and its plugins), in our order of preference
# when a sender proposes several in one presentation context. Stored as received.
COMPRESSED = (
    JPEGLosslessSV1,  # .70
    JPEGLossless,  # .57
    JPEGLSLossless,  # .80
    JPEG2000Lossless,  # .90
    RLELossless,  # 1.2.5
    JPEGBaseline8Bit,  # .50
    JPEGExtended12Bit,  # .51
    JPEGLSNearLossless,  # .81
    JPEG2000,  # .91
    DeflatedExplicitVRLittleEndian,
)

UNCOMPRESSED = (ExplicitVRLittleEndian, ImplicitVRLittleEndian)
LAST_RESORT = (ExplicitVRBigEndian,)

# Everything the Storage SCP accepts.
STORAGE_SCP_SYNTAXES = COMPRESSED + UNCOMPRESSED + LAST_RESORT
VERIFICATION_SYNTAXES = (ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian)


def storage_preference(proposed: list[str]) -> list[str]:
    """Our syntax list for one storage SOP class, ordered for one sender's proposal.

    pynetdicom takes the first of *our* syntaxes that the sender proposed, so this order
    yields: the first compressed syntax the sender proposes that we decode (stored as
    received); else Explicit VR LE; else Implicit VR LE; Explicit VR BE only if nothing else.
    """
    compressed = [ts for ts in proposed if ts in COMPRESSED]
    return list(dict.fromkeys(compressed)) + list(UNCOMPRESSED) + list(LAST_RESORT)
