"""A PDF file as an Encapsulated PDF object (PS3.3 A.45.1) of a procedure step, with the
registration's worklist attributes (extract-001 A.10).

Modules: Patient, General Study, Patient Study, Encapsulated Document Series (Modality
DOC), General Equipment, SC Equipment (Conversion Type SD, scanned document),
Encapsulated Document, SOP Common. The document is padded to an even length with one
NUL; Encapsulated Document Length gives its own length.
"""

from __future__ import annotations

import datetime as dt
from os import PathLike
from pathlib import Path

from pydicom.dataset import Dataset

from workstation.dicom.builders.common import with_file_meta
from workstation.dicom.registration import Registration
from workstation.dicom.restamp import PDF_MAGIC, settle_character_set, stamped_object
from workstation.errors import BuildError

ENCAPSULATED_PDF_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.104.1"
PDF_MIME_TYPE = "application/pdf"
_IOD = "Encapsulated PDF"
TITLE_MAX = 1024  # Document Title is ST


def pdf_to_dicom(
    path: str | PathLike,
    reg: Registration,
    *,
    series_uid: str,
    instance_number: int,
    series_number: int = 1,
    started: dt.datetime | None = None,
    org_root: str | None = None,
) -> Dataset:
    """The PDF at ``path`` encapsulated in series ``series_uid`` of the registration's
    study; Document Title from the file name, Burned In Annotation YES."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(iod=_IOD, reason=f"{path.name} cannot be read: {exc}") from None
    if not data.startswith(PDF_MAGIC):
        raise BuildError(iod=_IOD, reason=f"{path.name} is not a PDF file (no %PDF- header)")
    ds = stamped_object(
        reg,
        sop_class_uid=ENCAPSULATED_PDF_SOP_CLASS,
        modality="DOC",
        series_uid=series_uid,
        instance_number=instance_number,
        series_number=series_number,
        started=started,
        org_root=org_root,
    )
    del ds.SeriesDate, ds.SeriesTime  # not in the Encapsulated Document Series module
    ds.ConversionType = "SD"
    ds.AcquisitionDateTime = ds.ContentDate + ds.ContentTime
    ds.BurnedInAnnotation = "YES"
    ds.DocumentTitle = path.stem[:TITLE_MAX]
    ds.ConceptNameCodeSequence = []
    ds.MIMETypeOfEncapsulatedDocument = PDF_MIME_TYPE
    ds.EncapsulatedDocumentLength = len(data)
    ds.EncapsulatedDocument = data + b"\x00" if len(data) % 2 else data
    settle_character_set(ds, reg.specific_character_set)
    return with_file_meta(ds)
