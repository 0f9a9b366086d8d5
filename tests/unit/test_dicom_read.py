"""The shared reader (workstation/dicom/read.py): which files are DICOM, in which form, and
reading both forms so that their pixel data decodes."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from tests.unit.test_pixels import find
from workstation.dicom.read import (
    DicomForm,
    complete_file_meta,
    dicom_form,
    file_form,
    is_dicom_file,
    read_dicom,
    read_dicom_bytes,
    transfer_syntax_of,
)
from workstation.errors import CorruptDicomError, NotDicomError, StoreError

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def write_without_preamble(
    name: str, out: Path, *, implicit: bool = True, little: bool = True, meta: bool = False
) -> Path:
    """A shipped file written again without preamble (and without file meta unless
    ``meta``), as old archives and some modalities write them."""
    ds = pydicom.dcmread(find(name))
    if not meta:
        ds.file_meta = FileMetaDataset()
    ds.preamble = None
    ds.save_as(out, implicit_vr=implicit, little_endian=little, enforce_file_format=False)
    return out


# -- forms ------------------------------------------------------------------------------
def test_a_part10_file_is_part10() -> None:
    assert file_form(find("CT_small.dcm")) is DicomForm.PART10
    assert dicom_form(b"\x00" * 128 + b"DICM") is DicomForm.PART10


@pytest.mark.parametrize(
    ("implicit", "little", "meta"),
    [(True, True, False), (False, True, False), (False, True, True)],
    ids=["implicit-le-bare", "explicit-le-bare", "file-meta-without-preamble"],
)
def test_files_without_preamble_are_dicom(tmp_path: Path, implicit, little, meta) -> None:
    path = write_without_preamble(
        "CT_small.dcm", tmp_path / "x.dcm", implicit=implicit, little=little, meta=meta
    )
    assert path.read_bytes()[128:132] != b"DICM"
    assert file_form(path) is DicomForm.NO_PREAMBLE and is_dicom_file(path)


def test_shipped_files_without_preamble_are_dicom() -> None:
    for name in ("ExplVR_BigEndNoMeta.dcm", "ExplVR_LitEndNoMeta.dcm", "OT-PAL-8-face.dcm",
                 "rtstruct.dcm"):  # fmt: skip
        assert file_form(find(name)) is DicomForm.NO_PREAMBLE, name


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x08\x00",  # too short for an element header
        b"not DICOM at all, just some text that is long enough\n" * 4,
        b"\xa7\x0d\x0d\x0a" + b"\x00" * 200,  # a CPython 3.11 .pyc
        b'{"00080005": {"vr": "CS"}}',  # DICOM JSON is not a DICOM file
        b"\x08\x00\x05\x00" + b"\xff\xff\xff\x7f" + b"x" * 200,  # implicit, absurd length
        b"\x00\x08\x00\x05" + b"\x00\x00\x00\x0a" + b"x" * 200,  # big endian needs a VR
        b"\x10\x00\x10\x00PN\x04\x00DOE^" + b"\x00" * 200,  # starts at group 0010
        b"\x00" * 200,  # a zero preamble without DICM
    ],
    ids=["empty", "short", "text", "pyc", "json", "absurd-length", "be-no-vr", "group-0010",
         "zeros"],
)  # fmt: skip
def test_other_bytes_are_not_dicom(tmp_path: Path, data: bytes) -> None:
    assert dicom_form(data[:132]) is None
    path = tmp_path / "f"
    path.write_bytes(data)
    assert not is_dicom_file(path)
    with pytest.raises(NotDicomError) as raised:
        read_dicom(path)
    assert raised.value.code == "store.not_dicom"
    with pytest.raises(NotDicomError):
        read_dicom_bytes(path)


def test_a_missing_file_or_a_folder_is_not_dicom(tmp_path: Path) -> None:
    assert not is_dicom_file(tmp_path / "nothing.dcm")
    assert not is_dicom_file(tmp_path)
    with pytest.raises(OSError):
        read_dicom(tmp_path / "nothing.dcm")


def test_the_package_files_beside_the_samples_are_not_dicom() -> None:
    """What ``import --samples`` used to report: pydicom's own code and notes."""
    root = Path(pydicom.__file__).parent / "data"
    others = [p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".pyc", ".json")]
    assert len(others) >= 5
    assert not any(is_dicom_file(p) for p in others)


# -- reading ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "implicit", "little", "syntax"),
    [
        ("CT_small.dcm", True, True, ImplicitVRLittleEndian),
        ("CT_small.dcm", False, True, ExplicitVRLittleEndian),
        ("MR_small_bigendian.dcm", False, False, ExplicitVRBigEndian),
    ],
    ids=["implicit-le", "explicit-le", "explicit-be"],
)
def test_a_data_set_without_file_meta_reads_with_its_syntax_and_decodes(
    tmp_path: Path, name: str, implicit: bool, little: bool, syntax: str
) -> None:
    path = write_without_preamble(name, tmp_path / "bare.dcm", implicit=implicit, little=little)
    ds = read_dicom(path)
    assert ds.preamble is None
    assert ds.file_meta.TransferSyntaxUID == syntax  # filled in from how it was read
    original = pydicom.dcmread(find(name))
    assert ds.SOPInstanceUID == original.SOPInstanceUID
    assert np.array_equal(ds.pixel_array, original.pixel_array)
    header = read_dicom(path, stop_before_pixels=True)
    assert "PixelData" not in header and header.Rows == original.Rows


def test_a_part10_file_reads_as_pydicom_reads_it() -> None:
    path = find("MR_small.dcm")
    ds = read_dicom(path)
    assert ds == pydicom.dcmread(path)
    assert ds.file_meta == pydicom.dcmread(path).file_meta
    assert str(ds.filename) == str(path)


def test_bytes_read_like_the_file() -> None:
    path = find("OT-PAL-8-face.dcm")
    from_bytes = read_dicom(path.read_bytes())
    assert from_bytes == read_dicom(path)
    assert from_bytes.file_meta.TransferSyntaxUID == ImplicitVRLittleEndian
    assert read_dicom_bytes(path) == path.read_bytes()


def test_dicom_looking_bytes_that_do_not_parse_are_corrupt() -> None:
    with pytest.raises(CorruptDicomError):
        read_dicom(b"\x00" * 128 + b"DICM")  # nothing after the prefix
    meta_only = b"\x00" * 128 + b"DICM" + struct.pack("<HH2sHI", 2, 0x0001, b"OB", 0, 2)
    with pytest.raises(CorruptDicomError):
        read_dicom(meta_only + b"\x00\x01")
    cut = (  # a bare data set cut inside the first item of an undefined-length sequence
        b"\x08\x00\x40\x11SQ\x00\x00\xff\xff\xff\xff\xfe\xff\x00\xe0\x08\x00\x00\x00"
        b"\x08\x00\x50\x11UI\x40\x00"
    )
    with pytest.raises(CorruptDicomError):
        read_dicom(cut)
    assert issubclass(CorruptDicomError, StoreError) and issubclass(NotDicomError, StoreError)


def test_file_meta_is_completed_only_when_the_syntax_is_missing() -> None:
    ds = pydicom.dcmread(find("CT_small.dcm"))
    before = ds.file_meta.TransferSyntaxUID
    assert complete_file_meta(ds).file_meta.TransferSyntaxUID == before
    made = Dataset()  # built in memory: no encoding known, nothing invented
    assert transfer_syntax_of(made) is None
    assert "TransferSyntaxUID" not in getattr(complete_file_meta(made), "file_meta", {})
