"""What a C-GET association proposes: the Get model plus storage contexts with SCP role.

The peer sends each instance in a transfer syntax we accepted for its SOP class, and a
peer that cannot transcode (Orthanc 1.10 cannot decompress JPEG 2000, dcmqrscp sends
files as stored) needs a context with the stored syntax itself. So each SOP class gets
one context per compressed syntax we decode plus one uncompressed context, within the
128 contexts an association may carry; the SOP classes are found by C-FIND first
(:func:`discover_instances`), else a default set of common classes is proposed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pynetdicom import build_role
from pynetdicom.presentation import PresentationContext
from pynetdicom.sop_class import (
    ComputedRadiographyImageStorage,
    CTImageStorage,
    DigitalMammographyXRayImageStorageForPresentation,
    DigitalXRayImageStorageForPresentation,
    EncapsulatedPDFStorage,
    EnhancedSRStorage,
    GrayscaleSoftcopyPresentationStateStorage,
    KeyObjectSelectionDocumentStorage,
    MRImageStorage,
    NuclearMedicineImageStorage,
    PositronEmissionTomographyImageStorage,
    SecondaryCaptureImageStorage,
    UltrasoundImageStorage,
    UltrasoundMultiFrameImageStorage,
    XRayAngiographicImageStorage,
)
from pynetdicom.status import code_to_category

from workstation.config.settings import RemoteNode
from workstation.dicom.qr_identifier import QRLevel, QRModel
from workstation.dicom.transfer_syntax import COMPRESSED, UNCOMPRESSED
from workstation.errors import NetworkError
from workstation.net.association import Connection, LocalAE, context, open_association
from workstation.net.scu.query_retrieve import FIND, qr_context, sop_class

log = logging.getLogger(__name__)

MAX_CONTEXTS = 128

DEFAULT_CLASSES = tuple(
    str(u)
    for u in (
        CTImageStorage,
        MRImageStorage,
        ComputedRadiographyImageStorage,
        DigitalXRayImageStorageForPresentation,
        DigitalMammographyXRayImageStorageForPresentation,
        UltrasoundImageStorage,
        UltrasoundMultiFrameImageStorage,
        SecondaryCaptureImageStorage,
        XRayAngiographicImageStorage,
        NuclearMedicineImageStorage,
        PositronEmissionTomographyImageStorage,
        EnhancedSRStorage,
        KeyObjectSelectionDocumentStorage,
        GrayscaleSoftcopyPresentationStateStorage,
        EncapsulatedPDFStorage,
    )
)


@dataclass(frozen=True, slots=True)
class Found:
    """One instance a retrieve names, as the C-FIND before a C-GET found it."""

    study_uid: str
    series_uid: str
    sop_uid: str
    sop_class_uid: str


def get_contexts(
    get_uid: str,
    sop_classes: Sequence[str],
    compressed: Sequence[str] = COMPRESSED,
    first: str | None = None,
) -> tuple[list[PresentationContext], list]:
    """(contexts, SCP/SCU role selection items) for a C-GET of ``sop_classes``.

    Every class gets its uncompressed context and then the compressed ones in our order
    of preference, class by class, until the 128 contexts are used up. A peer that
    takes the first context accepted for a class whatever the file's syntax (dcmqrscp)
    sends a compressed file only through a context of its syntax listed first: a later
    pass of a C-GET gives ``first`` (one compressed syntax) and only that one with the
    uncompressed context.
    """
    classes = list(dict.fromkeys(str(c) for c in sop_classes if c))[: (MAX_CONTEXTS - 1) // 2]
    contexts = [context(get_uid, qr_context(get_uid).transfer_syntax)]
    if first is not None:
        for uid in classes:
            contexts += [context(uid, [first]), context(uid, UNCOMPRESSED)]
    else:
        contexts += [context(uid, UNCOMPRESSED) for uid in classes]
        for ts in compressed:
            for uid in classes:
                if len(contexts) < MAX_CONTEXTS:
                    contexts.append(context(uid, [ts]))
    roles = [build_role(uid, scp_role=True) for uid in classes]
    return contexts, roles


def classes_for(found: Sequence[Found], given: Sequence[str] = ()) -> tuple[str, ...]:
    """The SOP classes to propose: those found (or given), with the default set added
    when a peer did not say the class of every instance (dcmqrscp does not return it)."""
    classes = [*given, *(f.sop_class_uid for f in found if f.sop_class_uid)]
    if not classes or any(not f.sop_class_uid for f in found):
        classes += DEFAULT_CLASSES
    return tuple(dict.fromkeys(classes))


def _text(ds: Dataset, keyword: str) -> str:
    return str(ds.get(keyword, "") or "").strip()


def _values(ds: Dataset, keyword: str) -> list[str]:
    value = ds.get(keyword, "")
    items = [value] if isinstance(value, str) else list(value or [])
    return [str(v).strip() for v in items if str(v).strip()]


def _all(connection: Connection, uid: str, identifier: Dataset, msg_id: int) -> list[Dataset]:
    found = []
    for status, match in connection.assoc.send_c_find(identifier, uid, msg_id=msg_id):
        code = int(status.get("Status", 0xC000))
        if code in (0xFF00, 0xFF01):
            if match is not None:
                found.append(match)
            continue
        if code_to_category(code) == "Failure" or "Status" not in status:
            raise RuntimeError(f"C-FIND answered 0x{code:04X}")
        break
    return found


def discover_instances(
    node: RemoteNode,
    model: QRModel,
    level: QRLevel,
    identifier: Dataset,
    local: LocalAE,
) -> list[Found]:
    """The instances a retrieve ``identifier`` names, by C-FIND on one association: the
    studies of a patient, the series of each study, the images of each series. Empty
    when the peer cannot tell (then the default classes are proposed)."""
    uid = sop_class(model, FIND)
    try:
        connection = open_association(node, local, [qr_context(uid)], service=FIND, needed=uid)
    except NetworkError as exc:
        log.info("instance discovery not possible: %s", exc.message())
        return []
    patient_id = str(identifier.get("PatientID", "") or "")
    msg_ids = iter(range(1, 65536))
    found: list[Found] = []

    def query(level_: str, **keys: object) -> list[Dataset]:
        ds = Dataset()
        ds.QueryRetrieveLevel = level_
        if model is QRModel.PATIENT:
            ds.PatientID = patient_id
        for keyword, value in keys.items():
            setattr(ds, keyword, value)
        return _all(connection, uid, ds, next(msg_ids))

    try:
        sop_uids = _values(identifier, "SOPInstanceUID")
        if level is QRLevel.PATIENT:
            studies = [_text(m, "StudyInstanceUID") for m in query("STUDY", StudyInstanceUID="")]
        else:
            studies = _values(identifier, "StudyInstanceUID")
        if level in (QRLevel.PATIENT, QRLevel.STUDY):
            series = [
                (study, _text(m, "SeriesInstanceUID"))
                for study in studies
                for m in query("SERIES", StudyInstanceUID=study, SeriesInstanceUID="")
            ]
        else:
            series = [(studies[0], s) for s in _values(identifier, "SeriesInstanceUID")]
        for study_uid, series_uid in series:
            matches = query(
                "IMAGE",
                StudyInstanceUID=study_uid,
                SeriesInstanceUID=series_uid,
                SOPInstanceUID=sop_uids if len(sop_uids) > 1 else (sop_uids[0] if sop_uids else ""),
                SOPClassUID="",
            )
            found += [
                Found(study_uid, series_uid, _text(m, "SOPInstanceUID"), _text(m, "SOPClassUID"))
                for m in matches
            ]
    except Exception as exc:
        log.info("instance discovery stopped: %s", exc)
        return []
    finally:
        connection.close()
    return found
