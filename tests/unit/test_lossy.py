"""dicom/lossy.py, the one lossy table: what the viewer marks LOSSY and send plans keep."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset, FileMetaDataset

from workstation.dicom.lossy import LOSSY_METHODS, image_is_lossy


def header(syntax: str, lossy_flag: str | None = None) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    if lossy_flag is not None:
        ds.LossyImageCompression = lossy_flag
    return ds


@pytest.mark.parametrize("syntax", sorted(LOSSY_METHODS))
def test_every_lossy_syntax_marks_the_image_lossy(syntax: str) -> None:
    assert image_is_lossy(header(syntax))


@pytest.mark.parametrize(
    "syntax",
    ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70",
     "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.5"],
)  # fmt: skip
def test_native_and_lossless_syntaxes_do_not(syntax: str) -> None:
    assert not image_is_lossy(header(syntax))
    assert not image_is_lossy(header(syntax, "00"))


def test_a_decompressed_image_that_was_lossy_stays_lossy() -> None:
    assert image_is_lossy(header("1.2.840.10008.1.2.1", "01"))
    assert not image_is_lossy(Dataset())  # no file meta, no flag
