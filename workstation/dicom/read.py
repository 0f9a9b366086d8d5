"""Is this a DICOM file, and read it: the one reader import, the viewer and export share.

Two forms are DICOM here. PS3.10 Part 10: a 128-byte preamble, ``DICM`` and the File Meta
Information. And a file without preamble that starts at a data element: file meta
without preamble, or a bare data set (what old archives and some modalities write, e.g.
implicit VR little endian with no group 0002 at all); pydicom reads those only with
``force``, and then without a Transfer Syntax UID its pixel data cannot be decoded, so
:func:`read_dicom` fills it in from the encoding the data set was read in.
Anything else is :class:`~workstation.errors.NotDicomError`; a file that looks like DICOM
but does not parse is :class:`~workstation.errors.CorruptDicomError`.
"""

from __future__ import annotations

import logging
import struct
from enum import StrEnum
from io import BytesIO
from os import PathLike
from pathlib import Path
from typing import BinaryIO

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from workstation.errors import CorruptDicomError, NotDicomError

log = logging.getLogger(__name__)

PREFIX_BYTES = 132  # preamble + "DICM": enough to tell every form apart
PART10_MAGIC = b"DICM"
UNDEFINED_LENGTH = 0xFFFFFFFF
# a data set without preamble starts with file meta (0002) or the first module's group 0008
FIRST_GROUPS = (0x0002, 0x0008)
MAX_FIRST_LENGTH = 0x00FFFFFF  # a first element longer than 16 MiB is not a header element
VRS = frozenset(
    b"AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI "
    b"UL UN UR US UT UV".split()
)
NOT_DICOM_REASON = "no DICM prefix and no DICOM data elements at the start"

Source = str | PathLike | bytes | bytearray | memoryview


class DicomForm(StrEnum):
    """How a DICOM file starts."""

    PART10 = "part10"  # preamble, DICM, file meta
    NO_PREAMBLE = "no-preamble"  # straight into file meta or the data set


def _starts_with_element(prefix: bytes) -> bool:
    """The first 8 bytes are a group 0002/0008 element header (LE implicit or explicit VR,
    or BE explicit VR: big endian has no implicit form)."""
    if len(prefix) < 8:
        return False
    group_le, _, length_le = struct.unpack("<HHI", prefix[:8])
    (group_be,) = struct.unpack(">H", prefix[:2])
    explicit = prefix[4:6] in VRS
    if group_le in FIRST_GROUPS and (
        explicit or length_le <= MAX_FIRST_LENGTH or length_le == UNDEFINED_LENGTH
    ):
        return True
    return group_be in FIRST_GROUPS and explicit


def dicom_form(prefix: bytes) -> DicomForm | None:
    """The form of a file whose first :data:`PREFIX_BYTES` bytes are ``prefix``, or None
    when it is not DICOM."""
    if len(prefix) >= PREFIX_BYTES and prefix[128:132] == PART10_MAGIC:
        return DicomForm.PART10
    if _starts_with_element(prefix):
        return DicomForm.NO_PREAMBLE
    return None


def read_prefix(path: str | PathLike) -> bytes:
    """The first :data:`PREFIX_BYTES` bytes of the file (fewer for a short one)."""
    with open(path, "rb") as fh:
        return fh.read(PREFIX_BYTES)


def file_form(path: str | PathLike) -> DicomForm | None:
    """The form of the file at ``path``; None when it is not DICOM or cannot be read."""
    try:
        return dicom_form(read_prefix(path))
    except OSError:
        return None


def is_dicom_file(path: str | PathLike) -> bool:
    """True for a readable file in one of the DICOM forms (only its first bytes are read)."""
    return file_form(path) is not None


def transfer_syntax_of(ds: Dataset) -> str | None:
    """The data set's transfer syntax: its file meta's, else the encoding it was read in
    (implicit VR is always little endian); None when neither is known."""
    meta = getattr(ds, "file_meta", None)
    ts = meta.get("TransferSyntaxUID") if meta is not None else None
    if ts:
        return str(ts)
    implicit, little = ds.original_encoding
    if implicit is None or little is None:
        return None
    if implicit:
        return ImplicitVRLittleEndian
    return ExplicitVRLittleEndian if little else ExplicitVRBigEndian


def complete_file_meta(ds: Dataset) -> Dataset:
    """Give a data set read without a Transfer Syntax UID the one it was read in, so that
    pydicom can decode its pixel data; nothing else in the file meta is made up."""
    meta = getattr(ds, "file_meta", None)
    if meta is not None and meta.get("TransferSyntaxUID"):
        return ds
    syntax = transfer_syntax_of(ds)
    if syntax is None:
        return ds
    if meta is None:
        ds.file_meta = meta = FileMetaDataset()
    meta.TransferSyntaxUID = syntax
    return ds


def _open(source: Source) -> tuple[BinaryIO, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return BytesIO(bytes(source)), "the data"
    return open(source, "rb"), str(source)  # noqa: SIM115 - closed by read_dicom


def read_dicom(source: Source, *, stop_before_pixels: bool = False) -> Dataset:
    """Read a DICOM file (a path, or its bytes) in either form, file meta completed.

    Raises :class:`NotDicomError` for anything that is not DICOM,
    :class:`CorruptDicomError` for a DICOM file pydicom cannot parse (or without one data
    element) and ``OSError`` when the file cannot be opened."""
    fh, name = _open(source)
    with fh:
        form = dicom_form(fh.read(PREFIX_BYTES))
        if form is None:
            raise NotDicomError(reason=NOT_DICOM_REASON)
        fh.seek(0)
        try:
            ds = pydicom.dcmread(
                fh, force=form is DicomForm.NO_PREAMBLE, stop_before_pixels=stop_before_pixels
            )
        except InvalidDicomError as exc:
            raise NotDicomError(reason=str(exc)) from None
        except Exception as exc:  # pydicom raises many types on malformed input
            raise CorruptDicomError(reason=f"{type(exc).__name__}: {exc}") from None
    if len(ds) == 0:
        raise CorruptDicomError(reason="no data elements after the file meta information")
    if form is DicomForm.NO_PREAMBLE:
        log.debug("%s: read without preamble", name)
    return complete_file_meta(ds)


def read_dicom_bytes(path: str | PathLike) -> bytes:
    """The whole file, once its first bytes show a DICOM form (what import stores).

    Raises :class:`NotDicomError` for any other file, ``OSError`` when it cannot be read."""
    data = Path(path).read_bytes()
    if dicom_form(data[:PREFIX_BYTES]) is None:
        raise NotDicomError(reason=NOT_DICOM_REASON)
    return data
