"""One received C-STORE request into the local store: the node's Storage SCP and the
C-GET SCU (storage sub-operations on our own association) share this one durable path.

The instance is parsed, checked against the request, written durably and indexed before
the status is returned, so a 0000 never lies (CONFORMANCE.md, "Storage SCP outcomes").
"""

from __future__ import annotations

import errno
import logging

from pynetdicom import evt

from workstation.dicom.file_meta import file_meta_bytes
from workstation.dicom.status import StoreStatus
from workstation.errors import (
    CorruptDicomError,
    InsufficientSpaceError,
    InvalidUidError,
    MissingUidError,
    NotDicomError,
)
from workstation.store.local_store import AddOutcome, LocalStore
from workstation.store.parse import parse_received

log = logging.getLogger(__name__)

DUPLICATE = "duplicate"  # the comment of a 0000 for an instance already stored


def store_request(store: LocalStore, event: evt.Event, source_ae: str) -> tuple[int, str, str, str]:
    """Store the C-STORE request of ``event`` from ``source_ae``.

    Returns (status, comment, SOP Instance UID, Study Instance UID); the comment of a
    success is ``"duplicate"`` when the instance was already stored (and kept).
    """
    request = event.request
    sop_uid = str(request.AffectedSOPInstanceUID or "")
    sop_class = str(request.AffectedSOPClassUID)
    syntax = str(event.context.transfer_syntax)
    try:
        meta = file_meta_bytes(sop_class, sop_uid, syntax, source_ae=source_ae)
        parsed = parse_received(meta, request.DataSet.getvalue(), syntax, sop_class)
    except (MissingUidError, InvalidUidError) as exc:
        return StoreStatus.DATASET_DOES_NOT_MATCH_SOP_CLASS, exc.message(), sop_uid, ""
    except (CorruptDicomError, NotDicomError) as exc:
        return StoreStatus.CANNOT_UNDERSTAND, exc.message(), sop_uid, ""
    except Exception as exc:  # anything pydicom raises on garbage
        return StoreStatus.CANNOT_UNDERSTAND, f"unreadable dataset: {exc}", sop_uid, ""
    rec = parsed.record
    if rec.sop_class_uid != sop_class:
        return (
            StoreStatus.DATASET_DOES_NOT_MATCH_SOP_CLASS,
            "SOP Class UID in the dataset differs from the request",
            sop_uid,
            rec.study_uid,
        )
    if rec.sop_uid != sop_uid:
        return (
            StoreStatus.DATASET_DOES_NOT_MATCH_SOP_CLASS,
            "SOP Instance UID in the dataset differs from the request",
            sop_uid,
            rec.study_uid,
        )
    try:
        result = store.add_parsed(parsed, source=f"dicom:{source_ae}")
    except InsufficientSpaceError as exc:
        return StoreStatus.OUT_OF_RESOURCES, exc.message(), sop_uid, rec.study_uid
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return StoreStatus.OUT_OF_RESOURCES, "disk full", sop_uid, rec.study_uid
        log.exception("storing %s failed", sop_uid)
        return StoreStatus.PROCESSING_FAILURE, f"cannot write: {exc.strerror}", sop_uid, rec.study_uid
    except Exception as exc:
        log.exception("storing %s failed", sop_uid)
        return StoreStatus.PROCESSING_FAILURE, f"store failed: {exc}", sop_uid, rec.study_uid
    odd = rec.nonconformant_uids()
    if odd:
        log.warning("non-conformant UIDs from %s kept as sent (%s): %s", source_ae,
                    result.rel_path, ", ".join(odd))  # fmt: skip
    if result.outcome is AddOutcome.DUPLICATE:
        log.info("duplicate %s from %s: stored copy kept", sop_uid, source_ae)
        return StoreStatus.SUCCESS, DUPLICATE, sop_uid, rec.study_uid
    return StoreStatus.SUCCESS, "", sop_uid, rec.study_uid
