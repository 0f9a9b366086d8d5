"""C-MOVE of a lossy-compressed instance to a destination that accepts only uncompressed
syntaxes: our Q/R SCP decompresses it, and the copy says it was lossy compressed
(Lossy Image Compression "01", with the method and ratio) even when the stored file
did not."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

from workstation.config import parse_node_spec

from .conftest import LOOPBACK, NODE_AET, find_free_port
from .qr_support import STUDY_ROOT, movescu, start_storescp, stop_storescp

pytestmark = pytest.mark.integration

DEST_AET = "LOSSYDEST"
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"


def _unflagged_jpeg(folder: Path) -> pydicom.Dataset:
    """A JPEG baseline instance whose data set does not say it is lossy."""
    ds = pydicom.dcmread(get_testdata_file("SC_rgb_jpeg_dcmtk.dcm"))
    assert str(ds.file_meta.TransferSyntaxUID) == JPEG_BASELINE
    for keyword in ("LossyImageCompression", "LossyImageCompressionMethod",
                    "LossyImageCompressionRatio"):  # fmt: skip
        if keyword in ds:
            delattr(ds, keyword)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    folder.mkdir(parents=True, exist_ok=True)
    ds.save_as(folder / "jpeg.dcm", enforce_file_format=True)
    return ds


def test_moved_jpeg_decompressed_for_the_destination_is_flagged_lossy(
    start_node, processes, tmp_path
):
    dest_port = find_free_port()
    node = start_node(
        remote_nodes=(
            parse_node_spec(f"DCMTK=DCMTK@{LOOPBACK}:104"),
            parse_node_spec(f"DEST={DEST_AET}@{LOOPBACK}:{dest_port}"),
        )
    )
    original = _unflagged_jpeg(tmp_path / "in")
    node.store.add_file(tmp_path / "in" / "jpeg.dcm")
    scp = start_storescp(processes, tmp_path / "received", DEST_AET, dest_port)  # no +xa
    try:
        result = movescu(LOOPBACK, node.port, NODE_AET, STUDY_ROOT, DEST_AET, [
            "QueryRetrieveLevel=IMAGE",
            f"StudyInstanceUID={original.StudyInstanceUID}",
            f"SeriesInstanceUID={original.SeriesInstanceUID}",
            f"SOPInstanceUID={original.SOPInstanceUID}",
        ])  # fmt: skip
    finally:
        stop_storescp(scp)
    assert result.final.status == 0x0000, result.output[-3000:]
    (got,) = scp.received()
    assert got.file_meta.TransferSyntaxUID in (ExplicitVRLittleEndian, ImplicitVRLittleEndian)
    assert got.SOPInstanceUID == original.SOPInstanceUID
    assert got.LossyImageCompression == "01"
    assert got.LossyImageCompressionMethod == "ISO_10918_1"
    assert float(got.LossyImageCompressionRatio) > 1.0
