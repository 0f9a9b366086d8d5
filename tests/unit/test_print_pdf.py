"""Films to PDF (services/print_pdf.py): page size = film size, lossless rasters, true size.

How the true size is measured: the PDF is read back with ``read_pdf`` (our writer's
objects found through its xref table): the page's /MediaBox (points), the image's
placement from the content stream's ``cm`` (points) and the image itself (FlateDecode,
decompressed: the exact raster). The ruler's length on paper is then its extent in image
pixels (columns at or above half the ruler's grey) times the placed width per pixel,
converted with 25.4 / 72 mm per point: what a printer at 100 % puts on paper.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

from workstation.errors import PrintOutputError
from workstation.printing.film import BoxContent, FilmSpec, Sheet
from workstation.services.print_pdf import (
    PT_PER_MM,
    PdfPage,
    read_pdf,
    to_8bit,
    write_pdf,
    write_sheets_pdf,
)


def test_page_size_is_the_film_size_in_points(tmp_path: Path) -> None:
    portrait = FilmSpec(film_size_id="14INX17IN", matrix_cols=420, matrix_rows=510)
    landscape = portrait.with_(orientation="LANDSCAPE")
    pages = []
    for spec in (portrait, landscape):
        cols, rows = spec.film_px
        raster = (np.arange(rows * cols) % 251).astype(np.uint8).reshape(rows, cols)
        pages.append(PdfPage(raster, spec.pixel_mm, spec.film_mm))
    out = write_pdf(tmp_path / "f.pdf", pages)
    back = read_pdf(out)
    assert len(back) == 2
    assert back[0].media_box == pytest.approx((0, 0, 14 * 72, 17 * 72), abs=1e-3)
    assert back[1].media_box == pytest.approx((0, 0, 17 * 72, 14 * 72), abs=1e-3)
    for page, info in zip(pages, back, strict=True):
        assert info.page_mm == pytest.approx(page.page_mm, abs=1e-3)
        np.testing.assert_array_equal(info.raster, page.raster)  # lossless
        x, y, w, h = info.placement
        assert w == pytest.approx(page.raster.shape[1] * page.pixel_mm * PT_PER_MM, abs=1e-3)
        assert h == pytest.approx(page.raster.shape[0] * page.pixel_mm * PT_PER_MM, abs=1e-3)
        # centred on the page, inside it
        assert x == pytest.approx((info.media_box[2] - w) / 2, abs=1e-3)
        assert y == pytest.approx((info.media_box[3] - h) / 2, abs=1e-3)
        assert -0.5 <= x and -0.5 <= y


def test_twelve_bit_and_colour_rasters(tmp_path: Path) -> None:
    grey12 = np.array([[0, 1, 9, 4095], [2048, 4094, 16, 4000]], dtype=np.uint16)
    assert to_8bit(grey12, 12).tolist() == [[0, 0, 1, 255], [128, 255, 1, 249]]
    rgb = np.zeros((3, 4, 3), dtype=np.uint8)
    rgb[..., 0], rgb[1, 2] = 200, (1, 2, 3)
    out = write_pdf(tmp_path / "c.pdf", [PdfPage(grey12, 0.5, (2.0, 1.0), bits=12),
                                         PdfPage(rgb, 0.5, (2.0, 1.5))])  # fmt: skip
    first, second = read_pdf(out)
    np.testing.assert_array_equal(first.raster, to_8bit(grey12, 12))
    np.testing.assert_array_equal(second.raster, rgb)
    assert out.read_bytes().startswith(b"%PDF-1.4")


def test_no_sheet_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PrintOutputError):
        write_pdf(tmp_path / "none.pdf", [])
    assert not (tmp_path / "none.pdf").exists()


def ruler_image(path: Path, spacing_mm: float = 0.2, length_px: int = 500) -> Path:
    """A 600 x 600 grey image, Pixel Spacing ``spacing_mm``, with a horizontal ruler of
    ``length_px`` pixels (from the first pixel's left edge to the last one's right edge)
    and 20-pixel end ticks: 100 mm at 0.2 mm."""
    size = 600
    arr = np.zeros((size, size), dtype=np.uint16)
    left = (size - length_px) // 2
    arr[300, left : left + length_px] = 1000
    arr[290:311, left] = arr[290:311, left + length_px - 1] = 1000
    ds = pydicom.Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.PatientName, ds.PatientID, ds.Modality = "RULER^TEST", "R1", "OT"
    ds.Rows = ds.Columns = size
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelSpacing = [spacing_mm, spacing_mm]
    ds.WindowCenter, ds.WindowWidth = 500, 1000
    ds.PixelData = arr.tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def measured_ruler_mm(info) -> tuple[float, float]:
    """The ruler's horizontal extent on the page (mm) and one image pixel's width (mm)."""
    raster = info.raster.astype(float)
    row = int(np.argmax((raster >= raster.max() / 2).sum(axis=1)))  # the ruler's row
    bright = np.flatnonzero(raster[row] >= raster.max() / 2)
    pixel_mm = info.pixel_mm[0]
    return (bright[-1] - bright[0] + 1) * pixel_mm, pixel_mm


@pytest.mark.parametrize("matrix", [(2400, 3000), (1700, 2125)])  # 300 and 212.5 dpi
def test_true_size_ruler_measures_100_mm_on_the_pdf_page(tmp_path: Path, matrix) -> None:
    image = ruler_image(tmp_path / "ruler.dcm")
    spec = FilmSpec(display_format="STANDARD\\1,1", film_size_id="8INX10IN",
                    matrix_cols=matrix[0], matrix_rows=matrix[1], true_size=True)  # fmt: skip
    out = write_sheets_pdf(tmp_path / "ruler.pdf", [Sheet(spec, (BoxContent(image),))])
    (info,) = read_pdf(out)
    assert info.page_mm == pytest.approx((8 * 25.4, 10 * 25.4), abs=1e-3)
    length, pixel_mm = measured_ruler_mm(info)
    assert abs(length - 100.0) <= 2 * pixel_mm, (length, pixel_mm)


def test_without_true_size_the_ruler_is_fitted_to_the_box(tmp_path: Path) -> None:
    image = ruler_image(tmp_path / "ruler.dcm")
    spec = FilmSpec(display_format="STANDARD\\1,1", film_size_id="8INX10IN",
                    matrix_cols=2400, matrix_rows=3000)  # fmt: skip
    (info,) = read_pdf(write_sheets_pdf(tmp_path / "fit.pdf", [Sheet(spec, (BoxContent(image),))]))
    length, _ = measured_ruler_mm(info)
    # 600 px fitted to the 203.2 mm wide box: the 500 px ruler is 5/6 of it, not 100 mm
    assert length == pytest.approx(8 * 25.4 * 500 / 600, abs=1.0)
