"""Presentation contexts the node accepts, ordered per association by what the sender proposed."""

from __future__ import annotations

from pydicom._uid_dict import UID_dictionary
from pydicom.uid import UID, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import AllStoragePresentationContexts
from pynetdicom.presentation import PresentationContext
from pynetdicom.service_class import ServiceClass, StorageServiceClass
from pynetdicom.sop_class import _STORAGE_CLASSES, Verification, uid_to_service_class

from workstation.dicom.transfer_syntax import (
    STORAGE_SCP_SYNTAXES,
    VERIFICATION_SYNTAXES,
    storage_preference,
)

# Query/Retrieve contexts: Explicit VR LE preferred, then BE, then Implicit (extract-000 2.6).
QR_SYNTAXES = (ExplicitVRLittleEndian, ExplicitVRBigEndian, ImplicitVRLittleEndian)

def _storage_sop_classes() -> tuple[str, ...]:
    """Every storage SOP class pydicom's UID dictionary knows, retired ones included.

    Legacy modalities still send retired classes (US 1.2.840.10008.5.1.4.1.1.6, NM ...1.5),
    and the conformance target accepts them. pynetdicom only routes C-STORE for classes in
    its own tables, so the ones it lacks are registered with its storage service.
    """
    known = [str(cx.abstract_syntax) for cx in AllStoragePresentationContexts]
    extra = []
    for uid, (name, kind, _info, _retired, _keyword) in UID_dictionary.items():
        if kind != "SOP Class" or "Storage" not in name or uid in known:
            continue
        if "Commitment" in name or uid == "1.2.840.10008.1.3.10":  # not instances
            continue
        service = uid_to_service_class(uid)
        if not issubclass(service, StorageServiceClass):
            if service is not ServiceClass:
                continue  # another service owns it
            _STORAGE_CLASSES[name] = UID(uid)
        extra.append(uid)
    return tuple(known + extra)


STORAGE_SOP_CLASSES: tuple[str, ...] = _storage_sop_classes()

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

    Only the abstract syntaxes the sender proposed are kept, as fresh copies: the node
    hands pynetdicom a one-context list to deep-copy per association (copying all ~200
    storage contexts cost about 15 ms per association) and supplies these instead. The sender's order is read from all its contexts for a class,
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
        new = PresentationContext()
        new.abstract_syntax = cx.abstract_syntax
        new.transfer_syntax = (
            storage_preference(proposals[uid]) if uid in STORAGE_SET else list(cx.transfer_syntax)
        )
        new.scu_role = cx.scu_role
        new.scp_role = cx.scp_role
        result.append(new)
    return result
