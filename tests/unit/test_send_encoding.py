"""What the sender puts on the wire and into converted copies (no network):
the C-STORE-RQ command set, the data set offset in a file, and transcoding with the
lossy marks kept."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.filereader import read_dataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom.dimse_messages import C_STORE_RQ
from pynetdicom.dimse_primitives import C_STORE
from pynetdicom.dsutils import encode, split_dataset

from workstation.dicom.transcode import write_transcoded
from workstation.errors import TranscodeError
from workstation.net.wire.cstore_request import NotPart10Error, command_set, dataset_offset

SAMPLES = [
    "CT_small.dcm",
    "MR_small_implicit.dcm",
    "MR_small_bigendian.dcm",
    "JPEG2000.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
    "SC_rgb_jpeg_gdcm.dcm",
    "MR_small_RLE.dcm",
    "image_dfl.dcm",
]


def sample(name: str) -> Path:
    return Path(get_testdata_file(name))


@pytest.mark.parametrize(
    ("sop_class", "sop_uid", "message_id"),
    [
        ("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5", 1),  # odd lengths: NUL padded
        ("1.2.840.10008.5.1.4.1.1.7", "1.2.826.0.1.3680043.8.498.12", 65535),
    ],
)
def test_command_set_is_what_pynetdicom_encodes(
    sop_class: str, sop_uid: str, message_id: int
) -> None:
    primitive = C_STORE()
    primitive.MessageID = message_id
    primitive.AffectedSOPClassUID = sop_class
    primitive.AffectedSOPInstanceUID = sop_uid
    primitive.Priority = 0
    primitive.DataSet = io.BytesIO(b"\x08\x00")  # a data set follows
    message = C_STORE_RQ()
    message.primitive_to_message(primitive)
    expected = encode(message.command_set, True, True)
    assert command_set(sop_class, sop_uid, message_id) == expected
    decoded = read_dataset(io.BytesIO(expected), True, True)
    assert decoded.CommandField == 1 and decoded.MessageID == message_id


@pytest.mark.parametrize("name", SAMPLES)
def test_dataset_offset_agrees_with_pynetdicom(name: str) -> None:
    assert dataset_offset(sample(name)) == split_dataset(sample(name))[1]


def test_a_file_without_dicm_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.dcm"
    path.write_bytes(b"\0" * 200)
    with pytest.raises(NotPart10Error):
        dataset_offset(path)


def pixels(path: Path) -> np.ndarray:
    return pydicom.dcmread(path).pixel_array


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("CT_small.dcm", ImplicitVRLittleEndian),
        ("MR_small_implicit.dcm", ExplicitVRLittleEndian),
        ("MR_small_bigendian.dcm", ExplicitVRLittleEndian),
        ("MR_small_bigendian.dcm", ImplicitVRLittleEndian),
        ("image_dfl.dcm", ExplicitVRLittleEndian),
        ("MR_small_RLE.dcm", ExplicitVRLittleEndian),
        ("SC_rgb_jpeg_gdcm.dcm", ImplicitVRLittleEndian),
    ],
)
def test_transcoded_copy_has_the_same_instance_and_pixels(
    name: str, target: str, tmp_path: Path
) -> None:
    source = sample(name)
    out = tmp_path / "out.dcm"
    decompress = pydicom.dcmread(source).file_meta.TransferSyntaxUID.is_compressed
    write_transcoded(source, out, str(target), decompress=decompress)
    before, after = pydicom.dcmread(source), pydicom.dcmread(out)
    assert after.file_meta.TransferSyntaxUID == target
    assert after.SOPInstanceUID == before.SOPInstanceUID
    assert after.PatientName == before.PatientName
    assert np.array_equal(after.pixel_array, before.pixel_array)
    assert "LossyImageCompression" not in after  # lossless stays unmarked


def test_a_decompressed_lossy_image_is_marked_lossy(tmp_path: Path) -> None:
    ds = pydicom.dcmread(sample("SC_rgb_jpeg_dcmtk.dcm"))
    for keyword in (
        "LossyImageCompression",
        "LossyImageCompressionMethod",
        "LossyImageCompressionRatio",
    ):
        if keyword in ds:
            delattr(ds, keyword)
    unmarked = tmp_path / "unmarked.dcm"
    ds.save_as(unmarked, enforce_file_format=True)
    out = tmp_path / "out.dcm"
    write_transcoded(unmarked, out, str(ExplicitVRLittleEndian), decompress=True)
    after = pydicom.dcmread(out)
    assert after.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    assert after.LossyImageCompression == "01"
    assert after.LossyImageCompressionMethod == "ISO_10918_1"
    assert float(after.LossyImageCompressionRatio) > 1
    assert np.array_equal(after.pixel_array, pixels(unmarked))


def test_an_earlier_lossy_history_is_kept(tmp_path: Path) -> None:
    ds = pydicom.dcmread(sample("SC_rgb_jpeg_dcmtk.dcm"))
    ds.LossyImageCompression = "01"
    ds.LossyImageCompressionMethod = ["ISO_15444_1", "ISO_10918_1"]
    ds.LossyImageCompressionRatio = ["4", "12.5"]
    earlier = tmp_path / "earlier.dcm"
    ds.save_as(earlier, enforce_file_format=True)
    out = tmp_path / "out.dcm"
    write_transcoded(earlier, out, str(ExplicitVRLittleEndian), decompress=True)
    after = pydicom.dcmread(out)
    assert after.LossyImageCompression == "01"
    assert list(after.LossyImageCompressionMethod) == ["ISO_15444_1", "ISO_10918_1"]
    assert [str(r) for r in after.LossyImageCompressionRatio] == ["4", "12.5"]


def test_a_lossy_mark_without_method_gets_the_method(tmp_path: Path) -> None:
    assert "LossyImageCompressionMethod" not in pydicom.dcmread(sample("JPEG2000.dcm"))
    out = tmp_path / "out.dcm"
    write_transcoded(sample("JPEG2000.dcm"), out, str(ExplicitVRLittleEndian), decompress=True)
    after = pydicom.dcmread(out)
    assert after.LossyImageCompression == "01"
    assert after.LossyImageCompressionMethod == "ISO_15444_1"


def test_an_undecodable_instance_is_a_typed_error(tmp_path: Path) -> None:
    ds = pydicom.dcmread(sample("SC_rgb_jpeg_dcmtk.dcm"))
    ds.PixelData = ds.PixelData[:40] + b"\xff\xd9" + b"\0" * (len(ds.PixelData) % 2)
    broken = tmp_path / "broken.dcm"
    ds.save_as(broken, enforce_file_format=True)
    with pytest.raises(TranscodeError) as info:
        write_transcoded(broken, tmp_path / "out.dcm", str(ExplicitVRLittleEndian), decompress=True)
    assert info.value.values["sop_uid"] == ds.SOPInstanceUID
    assert info.value.code == "send.transcode"
