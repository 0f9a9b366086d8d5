"""Presentation contexts the node accepts, ordered per association by what the sender proposed."""

from __future__ import annotations

from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import AllStoragePresentationContexts
from pynetdicom.presentation import PresentationContext
from pynetdicom.sop_class import Verification

from workstation.dicom.transfer_syntax import (
    STORAGE_SCP_SYNTAXES,
    VERIFICATION_SYNTAXES,
    storage_preference,
)

# Query/Retrieve contexts: Explicit VR LE preferred, then BE, then Implicit (extract-000 2.6).
QR_SYNTAXES = (ExplicitVRLittleEndian, ExplicitVRBigEndian, ImplicitVRLittleEndian)

STORAGE_SOP_CLASSES: tuple[str, ...] = tuple(
    str(cx.abstract_syntax) for cx in AllStoragePresentationContexts
)

STORAGE_SET = frozenset(STORAGE_SOP_CLASSES)


def base_contexts() -> list[tuple[str, tuple[str, ...]]]:
    """(abstract syntax, transfer syntaxes) the node supports."""
    return [(str(Verification), VERIFICATION_SYNTAXES)] + [
        (uid, STORAGE_SCP_SYNTAXES) for uid in STORAGE_SOP_CLASSES
    ]


def contexts_for_request(
    supported: list[PresentationContext], requested: list[PresentationContext]
) -> list[PresentationContext]:
    """The supported contexts re-ordered for this association's proposal.

    Only the abstract syntaxes the sender proposed are kept, which also keeps
    negotiation cheap. The sender's order is read from all its contexts for a class,
    in the order proposed: a sender that offers one context per transfer syntax (as
    DCMTK does) gets each compressed context accepted, not only its first one.
    """
    proposals: dict[str, list[str]] = {}
    for cx in requested:
        proposals.setdefault(str(cx.abstract_syntax), []).extend(str(t) for t in cx.transfer_syntax)
    result = []
    for cx in supported:
        uid = str(cx.abstract_syntax)
        if uid not in proposals:
            continue
        if uid in STORAGE_SET:
            ordered = storage_preference(proposals[uid])
            new = PresentationContext()
            new.abstract_syntax = cx.abstract_syntax
            new.transfer_syntax = ordered
            new.scu_role = cx.scu_role
            new.scp_role = cx.scp_role
            cx = new
        result.append(cx)
    return result
