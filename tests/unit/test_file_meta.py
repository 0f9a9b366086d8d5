"""Our File Meta Information encoder against pydicom's reading of it."""

from io import BytesIO

import pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import ExplicitVRLittleEndian

from workstation.dicom.file_meta import file_meta_bytes
from workstation.dicom.uids import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME


def _dataset_bytes(ds) -> bytes:
    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    data = buf.getvalue()
    meta_len = int.from_bytes(data[140:144], "little")
    return data[144 + meta_len :]


def test_meta_reads_back_with_every_value():
    src = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    for source_ae in ("STORESCU", "ODD", ""):
        data = file_meta_bytes(src.SOPClassUID, src.SOPInstanceUID, ExplicitVRLittleEndian, source_ae)
        ds = pydicom.dcmread(BytesIO(data + _dataset_bytes(src)))
        meta = ds.file_meta
        assert meta.FileMetaInformationVersion == b"\x00\x01"
        assert meta.MediaStorageSOPClassUID == src.SOPClassUID
        assert meta.MediaStorageSOPInstanceUID == src.SOPInstanceUID
        assert meta.TransferSyntaxUID == ExplicitVRLittleEndian
        assert meta.ImplementationClassUID == IMPLEMENTATION_CLASS_UID
        assert meta.ImplementationVersionName == IMPLEMENTATION_VERSION_NAME
        assert meta.get("SourceApplicationEntityTitle", "") == source_ae
        assert ds.PatientName == src.PatientName
        assert ds.PixelData == src.PixelData


def test_group_length_matches_the_encoded_group():
    data = file_meta_bytes("1.2.3", "1.2.3.4.5", ExplicitVRLittleEndian, "AE1")
    group_length = int.from_bytes(data[140:144], "little")
    assert 144 + group_length == len(data)
