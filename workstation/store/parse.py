"""Read an incoming instance (bytes) into a dataset and an index record, or say why not.

Part 10 files are kept byte for byte. A bare dataset (no preamble, no file meta) is
given file meta and written as Part 10. Truncated values and lengths that do not add up
are caught here (dicom/structure.py): pydicom reads a short final element without complaint.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.filereader import read_dataset as read_raw_dataset
from pydicom.uid import (
    UID,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from workstation.dicom.structure import check_structure, meta_end
from workstation.dicom.uids import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME
from workstation.errors import CorruptDicomError, NotDicomError, WorkstationError
from workstation.store.records import InstanceRecord, record_from_dataset

UNDEFINED_LENGTH = 0xFFFFFFFF
MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"


@dataclass(frozen=True, slots=True)
class ParsedInstance:
    dataset: Dataset
    record: InstanceRecord
    data: bytes  # what goes to disk: a complete Part 10 file


def is_part10(data: bytes) -> bool:
    return len(data) >= 132 and data[128:132] == b"DICM"


def _looks_like_bare_dataset(data: bytes) -> bool:
    """A dataset without preamble starts with a group 0002/0008 tag (LE or BE)."""
    if len(data) < 8:
        return False
    return data[0:2] in (b"\x02\x00", b"\x08\x00", b"\x00\x02", b"\x00\x08")


_SEQ_DELIMITER = {True: b"\xfe\xff\xdd\xe0", False: b"\xff\xfe\xe0\xdd"}


def _check_complete(ds: Dataset, data: bytes) -> None:
    little = ds.original_encoding[1] if ds.original_encoding[1] is not None else True
    for elem in ds._dict.values():  # noqa: SLF001 - raw elements are only visible here
        if (
            isinstance(elem, RawDataElement)
            and elem.length == UNDEFINED_LENGTH
            and elem.value is not None
            and elem.value_tell is not None
        ):
            end = elem.value_tell + len(elem.value)
            if data[end : end + 4] != _SEQ_DELIMITER[little]:
                raise CorruptDicomError(
                    reason=f"element {elem.tag} ends before its sequence delimiter"
                )
        if (
            isinstance(elem, RawDataElement)
            and elem.length != UNDEFINED_LENGTH
            and elem.value is not None
            and len(elem.value) != elem.length
        ):
            raise CorruptDicomError(
                reason=f"element {elem.tag} is truncated ({len(elem.value)} of {elem.length} bytes)"
            )


def _syntax_of(ds: Dataset) -> str:
    ts = ds.file_meta.get("TransferSyntaxUID") if ds.file_meta else None
    if ts:
        return str(ts)
    implicit, little = ds.original_encoding
    if implicit:
        return ImplicitVRLittleEndian
    return ExplicitVRLittleEndian if little else ExplicitVRBigEndian


def read_dataset(data: bytes) -> Dataset:
    """Parse every element of ``data`` (Part 10 or bare dataset)."""
    part10 = is_part10(data)
    if not part10 and not _looks_like_bare_dataset(data):
        raise NotDicomError(reason="no DICM prefix and no DICOM data elements at the start")
    try:
        ds = pydicom.dcmread(BytesIO(data), force=not part10)
    except InvalidDicomError as exc:
        raise NotDicomError(reason=str(exc)) from None
    except Exception as exc:  # pydicom raises many types on malformed input
        raise CorruptDicomError(reason=f"{type(exc).__name__}: {exc}") from None
    if len(ds) == 0:
        if part10:
            raise CorruptDicomError(
                reason="truncated or empty: no data elements after the file meta information"
            )
        raise NotDicomError(reason="no data elements")
    _check_complete(ds, data)
    return ds


def _check_structure(ds: Dataset, data: bytes, part10: bool) -> None:
    """Every length of the data set consistent (dicom/structure.py); a deflated one is
    left to pydicom's inflating read."""
    syntax = ds.file_meta.get("TransferSyntaxUID") if ds.file_meta else None
    if syntax is not None and UID(str(syntax)).is_deflated:
        return
    implicit, little = ds.original_encoding
    if implicit is None or little is None:
        return
    check_structure(data, implicit, little, meta_end(data, 132 if part10 else 0))


def _to_part10(ds: Dataset, syntax: str) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = syntax
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    ds.file_meta = meta
    buf = BytesIO()
    try:
        ds.save_as(buf, enforce_file_format=True)
    except Exception as exc:
        raise CorruptDicomError(reason=f"cannot be re-encoded: {exc}") from None
    return buf.getvalue()


def _body_encoding(transfer_syntax: str) -> tuple[bool, bool] | None:
    """(implicit VR, little endian) of a data set readable without its file meta, as
    dcmread would read it; None for a deflated or unknown syntax."""
    uid = UID(transfer_syntax)
    if not uid.is_transfer_syntax or uid.is_deflated:
        return None
    return uid.is_implicit_VR, uid.is_little_endian


def _value(ds: Dataset, keyword: str) -> object:
    """``ds.get(keyword)``; a value pydicom cannot convert (an unknown VR, a malformed
    number) is a corrupt data set, not a crash."""
    try:
        return ds.get(keyword)
    except Exception as exc:  # pydicom raises many types on malformed values
        raise CorruptDicomError(reason=f"{keyword}: {type(exc).__name__}: {exc}") from None


def _record(ds: Dataset, syntax: str) -> InstanceRecord:
    """The index record; values that cannot be read make the data set corrupt."""
    try:
        return record_from_dataset(ds, syntax)
    except WorkstationError:
        raise  # our own refusals (missing or unusable UIDs) as they are
    except Exception as exc:  # pydicom raises many types on malformed values
        raise CorruptDicomError(reason=f"{type(exc).__name__}: {exc}") from None


def parse_received(
    meta: bytes, body: bytes, transfer_syntax: str, sop_class_uid: str
) -> ParsedInstance:
    """``parse_instance(meta + body)`` for a received data set in ``transfer_syntax``
    whose file ``meta`` (for ``sop_class_uid``) we built: the same checks and errors,
    but the data set is read on its own (about 0.1 ms less on the C-STORE hot path)."""
    encoding = _body_encoding(transfer_syntax)
    if encoding is None or body[:2] == b"\x00\x00":  # dcmread reads group 0000 apart
        return parse_instance(meta + body)
    try:
        ds = read_raw_dataset(BytesIO(body), *encoding)
    except Exception as exc:  # pydicom raises many types on malformed input
        raise CorruptDicomError(reason=f"{type(exc).__name__}: {exc}") from None
    if len(ds) == 0:
        raise CorruptDicomError(
            reason="truncated or empty: no data elements after the file meta information"
        )
    # as parse_instance: the raw lengths (no value converted), then the whole structure,
    # and only then a value is read
    _check_complete(ds, body)
    check_structure(body, *encoding)
    if MEDIA_STORAGE_DIRECTORY in (_value(ds, "SOPClassUID"), sop_class_uid):
        raise NotDicomError(reason="a DICOMDIR (directory of a file-set), not an instance")
    record = _record(ds, transfer_syntax)
    return ParsedInstance(dataset=ds, record=record, data=meta + body)


def parse_instance(data: bytes) -> ParsedInstance:
    """Dataset, record and the Part 10 bytes to store; raises a StoreError subclass."""
    ds = read_dataset(data)
    _check_structure(ds, data, is_part10(data))
    if _value(ds, "SOPClassUID") == MEDIA_STORAGE_DIRECTORY or (
        ds.file_meta and ds.file_meta.get("MediaStorageSOPClassUID") == MEDIA_STORAGE_DIRECTORY
    ):
        raise NotDicomError(reason="a DICOMDIR (directory of a file-set), not an instance")
    syntax = _syntax_of(ds)
    record = _record(ds, syntax)
    if not is_part10(data):
        data = _to_part10(ds, syntax)
    return ParsedInstance(dataset=ds, record=record, data=data)
