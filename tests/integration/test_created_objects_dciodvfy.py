"""Re-stamped and created objects of an examination checked by dicom3tools' dciodvfy.

A re-stamped file may keep the errors its source already had, never add one; created
Secondary Capture, VL Photographic and Encapsulated PDF objects (from JPEG, PNG, TIFF
and PDF files written here with Pillow) have none. They read back with the worklist
attributes (extract-001 A.10) and the pixels of the picture.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from workstation.dicom.builders.capture import (
    VL_PHOTOGRAPHIC_SOP_CLASS,
    image_to_dicom,
    page_count,
)
from workstation.dicom.builders.common import code_item, part10_bytes
from workstation.dicom.builders.encapsulated_pdf import ENCAPSULATED_PDF_SOP_CLASS, pdf_to_dicom
from workstation.dicom.builders.secondary_capture import SC_SOP_CLASS
from workstation.dicom.read import read_dicom
from workstation.dicom.registration import Registration, from_worklist
from workstation.dicom.restamp import object_kind, restamp
from workstation.dicom.uids import new_uid
from workstation.errors import BuildError

pytestmark = pytest.mark.integration

SOURCES = [
    "CT_small.dcm",
    "MR_small.dcm",
    "JPEG-lossy.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
    "JPEG2000.dcm",
    "MR_small_jpeg_ls_lossless.dcm",
]
CHARSETS = [("ISO_IR 100", "Müller^Jürgen"), ("ISO_IR 192", "山田^太郎=やまだ^たろう")]
DCIODVFY_TIMEOUT_S = 60


def worklist_item(charset: str, name: str) -> Dataset:
    """A worklist item as answered (encoded in its character set and read back)."""
    ds = Dataset()
    ds.SpecificCharacterSet = charset
    ds.PatientName = name
    ds.PatientID = "PID-13"
    ds.PatientBirthDate = ""
    ds.PatientSex = "F"
    ds.PatientWeight = "64"
    ds.AccessionNumber = "ACC-13"
    ds.RequestedProcedureID = "RP-13"
    ds.RequestedProcedureDescription = "Hand links"
    ds.RequestedProcedureCodeSequence = [code_item("RPC13", "99LOCAL", "Hand")]
    ds.StudyInstanceUID = new_uid()
    ds.ReferringPhysicianName = "Überweiser^Anna"
    ds.InstitutionName = "Klinikum Süd"
    ds.AdmittingDiagnosesDescription = "Sturz"
    step = Dataset()
    step.Modality = "CR"
    step.ScheduledStationAETitle = "WS1"
    step.ScheduledPerformingPhysicianName = "Röntgen^Wilhelm"
    step.ScheduledProcedureStepDescription = "Hand zwei Ebenen"
    step.ScheduledProtocolCodeSequence = [code_item("P13", "99LOCAL", "Hand 2 views")]
    step.ScheduledProcedureStepID = "SPS-13"
    ds.ScheduledProcedureStepSequence = [step]
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, implicit_vr=False, little_endian=True)
    buf.seek(0)
    return pydicom.dcmread(buf, force=True)


@pytest.fixture(params=CHARSETS, ids=["latin1", "utf8"])
def reg(request) -> Registration:
    return from_worklist(worklist_item(*request.param), modality_default="OT")


def dciodvfy(path: Path) -> list[str]:
    done = subprocess.run(
        ["dciodvfy", str(path)],
        capture_output=True,
        text=True,
        timeout=DCIODVFY_TIMEOUT_S,
        check=False,
    )
    return [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]


def errors(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("Error")]


def iod_of(lines: list[str]) -> str:
    """The IOD dciodvfy recognised: its one line that is not an error or a warning."""
    return next((line for line in lines if not line.startswith(("Error", "Warning"))), "")


def written(ds: Dataset, path: Path) -> Path:
    path.write_bytes(part10_bytes(ds))
    return path


def assert_worklist_attributes(back: Dataset, reg: Registration) -> None:
    assert back.SpecificCharacterSet == reg.specific_character_set
    assert str(back.PatientName) == reg.patient_name
    assert (back.PatientID, back.PatientBirthDate, back.PatientSex) == ("PID-13", "", "F")
    assert back.StudyInstanceUID == reg.study_instance_uid
    assert (back.AccessionNumber, back.StudyID) == ("ACC-13", "RP-13")
    assert back.StudyDescription == "Hand links"
    assert str(back.PerformingPhysicianName) == "Röntgen^Wilhelm"
    assert str(back.ReferringPhysicianName) == "Überweiser^Anna"
    assert back.InstitutionName == "Klinikum Süd"
    assert back.ProcedureCodeSequence[0].CodeValue == "RPC13"
    request = back.RequestAttributesSequence[0]
    assert (request.RequestedProcedureID, request.ScheduledProcedureStepID) == (
        "RP-13",
        "SPS-13",
    )
    assert request.ScheduledProtocolCodeSequence[0].CodeValue == "P13"


# -- re-stamped ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", SOURCES)
def test_restamped_copy_has_no_error_its_source_did_not_have(
    name: str, reg: Registration, tmp_path: Path
) -> None:
    source_path = Path(get_testdata_file(name))
    source = read_dicom(source_path)
    ours = written(restamp(source, reg, series_uid=new_uid()), tmp_path / "restamped.dcm")
    source_report, our_report = dciodvfy(source_path), dciodvfy(ours)
    new_errors = [e for e in errors(our_report) if e not in errors(source_report)]
    assert not new_errors, "\n".join(our_report)
    assert iod_of(source_report) == iod_of(our_report)  # the same IOD recognised
    back = pydicom.dcmread(ours)
    assert_worklist_attributes(back, reg)
    assert back.PixelData == source.PixelData
    assert object_kind(ours) == "dicom"


def test_restamp_with_a_different_performed_protocol_is_clean(
    reg: Registration, tmp_path: Path
) -> None:
    source = read_dicom(get_testdata_file("CT_small.dcm"))
    performed = [code_item("P99", "99LOCAL", "Hand 1 view")]
    out = restamp(source, reg, series_uid=new_uid(), performed_protocol=performed)
    report = dciodvfy(written(out, tmp_path / "ct.dcm"))
    assert not errors(report), "\n".join(report)
    back = pydicom.dcmread(tmp_path / "ct.dcm")
    assert "ProcedureCodeSequence" not in back
    assert back.PerformedProtocolCodeSequence[0].CodeValue == "P99"


# -- created from pictures -----------------------------------------------------------------
def picture(rows: int = 61, columns: int = 47) -> np.ndarray:
    """An odd-sized RGB picture with distinct colour bands."""
    y, x = np.mgrid[0:rows, 0:columns]
    return np.stack([(x * 5) % 256, (y * 4) % 256, ((x + y) * 3) % 256], axis=-1).astype(np.uint8)


@pytest.fixture
def pictures(tmp_path: Path) -> dict[str, Path]:
    rgb = picture()
    files = {
        "jpeg": tmp_path / "photo.jpg",
        "png": tmp_path / "scan.png",
        "grey_png": tmp_path / "grey.png",
        "rgba_png": tmp_path / "alpha.png",
        "png16": tmp_path / "deep.png",
        "tiff": tmp_path / "scan.tif",
    }
    Image.fromarray(rgb).save(files["jpeg"], quality=92)
    Image.fromarray(rgb).save(files["png"])
    Image.fromarray(rgb[..., 0]).save(files["grey_png"])
    alpha = np.dstack([rgb, np.full(rgb.shape[:2], 128, np.uint8)])
    Image.fromarray(alpha).save(files["rgba_png"])
    Image.fromarray(rgb[..., 1].astype(np.uint16) * 257).save(files["png16"])
    pages = [Image.fromarray(rgb), Image.fromarray(255 - rgb)]
    pages[0].save(files["tiff"], save_all=True, append_images=pages[1:])
    return files


@pytest.mark.parametrize("kind", ["sc", "vl_photo"])
@pytest.mark.parametrize("picture_name", ["jpeg", "png", "grey_png", "rgba_png", "png16", "tiff"])
def test_created_image_passes_dciodvfy_without_errors(
    kind: str, picture_name: str, pictures: dict[str, Path], reg: Registration, tmp_path: Path
) -> None:
    path = pictures[picture_name]
    assert object_kind(path) == "image"
    series_uid = new_uid()
    ds = image_to_dicom(path, reg, series_uid=series_uid, instance_number=3, kind=kind)
    out = written(ds, tmp_path / "created.dcm")
    report = dciodvfy(out)
    assert not errors(report), "\n".join(report)
    assert iod_of(report) == ("SCImage" if kind == "sc" else "VLPhotographicImage"), report
    back = pydicom.dcmread(out)
    assert_worklist_attributes(back, reg)
    assert back.SOPClassUID == (SC_SOP_CLASS if kind == "sc" else VL_PHOTOGRAPHIC_SOP_CLASS)
    assert back.Modality == ("OT" if kind == "sc" else "XC")
    assert back.SeriesInstanceUID == series_uid and back.InstanceNumber == 3
    assert back.BitsAllocated == 8 and (back.Rows, back.Columns) == (61, 47)
    grey = picture_name in ("grey_png", "png16")
    assert back.PhotometricInterpretation == ("MONOCHROME2" if grey else "RGB")
    assert back.LossyImageCompression == ("01" if picture_name == "jpeg" else "00")
    pixels = back.pixel_array
    expected = picture()
    if picture_name in ("png", "tiff"):
        assert np.array_equal(pixels, expected)
    elif picture_name == "grey_png":
        assert np.array_equal(pixels, expected[..., 0])
    elif picture_name == "png16":
        assert np.array_equal(pixels, expected[..., 1])
    elif picture_name == "rgba_png":  # half transparent on white
        on_white = (expected.astype(int) * 128 + 255 * 127) / 255
        assert np.abs(pixels.astype(int) - on_white).max() <= 1
    else:
        assert np.abs(pixels.astype(int) - expected.astype(int)).mean() < 8  # lossy


def test_every_tiff_page_becomes_an_object(pictures: dict[str, Path], reg: Registration) -> None:
    path = pictures["tiff"]
    assert page_count(path) == 2
    series_uid = new_uid()
    objs = [
        image_to_dicom(path, reg, series_uid=series_uid, instance_number=i + 1, page=i)
        for i in range(page_count(path))
    ]
    assert np.array_equal(objs[1].pixel_array, 255 - picture())
    assert objs[0].ConversionType == "SI" and objs[0].BurnedInAnnotation == "YES"
    assert len({o.SOPInstanceUID for o in objs}) == 2
    with pytest.raises(BuildError):
        image_to_dicom(path, reg, series_uid=series_uid, instance_number=3, page=2)


def test_exif_orientation_is_applied(tmp_path: Path, reg: Registration) -> None:
    rgb = picture(20, 30)
    img = Image.fromarray(rgb)
    exif = img.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    img.save(tmp_path / "rotated.png", exif=exif)
    ds = image_to_dicom(tmp_path / "rotated.png", reg, series_uid=new_uid(), instance_number=1)
    assert (ds.Rows, ds.Columns) == (30, 20)
    assert np.array_equal(ds.pixel_array, np.rot90(rgb, k=-1))
    assert ds.BurnedInAnnotation == "NO" and ds.ConversionType == "WSD"


def test_not_an_image_is_a_build_error(tmp_path: Path, reg: Registration) -> None:
    (tmp_path / "x.jpg").write_bytes(b"\xff\xd8\xffgarbage")
    with pytest.raises(BuildError):
        image_to_dicom(tmp_path / "x.jpg", reg, series_uid=new_uid(), instance_number=1)


# -- created from a PDF --------------------------------------------------------------------
def tiny_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table (odd length on purpose)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF" % (
        len(objects) + 1,
        xref,
    )
    if len(out) % 2 == 0:
        out += b"\n"
    return bytes(out)


def test_created_pdf_passes_dciodvfy_without_errors(reg: Registration, tmp_path: Path) -> None:
    data = tiny_pdf()
    path = tmp_path / "Befund Röntgen.pdf"
    path.write_bytes(data)
    assert object_kind(path) == "pdf"
    ds = pdf_to_dicom(path, reg, series_uid=new_uid(), instance_number=1)
    out = written(ds, tmp_path / "pdf.dcm")
    report = dciodvfy(out)
    assert not errors(report), "\n".join(report)
    assert iod_of(report) == "EncapsulatedPDF", report
    back = pydicom.dcmread(out)
    assert_worklist_attributes(back, reg)
    assert back.SOPClassUID == ENCAPSULATED_PDF_SOP_CLASS
    assert back.MIMETypeOfEncapsulatedDocument == "application/pdf"
    assert back.DocumentTitle == "Befund Röntgen"
    assert back.BurnedInAnnotation == "YES" and back.Modality == "DOC"
    assert back.EncapsulatedDocumentLength == len(data)
    assert bytes(back.EncapsulatedDocument)[: len(data)] == data


def test_not_a_pdf_is_a_build_error(tmp_path: Path, reg: Registration) -> None:
    (tmp_path / "fake.pdf").write_bytes(b"hello")
    with pytest.raises(BuildError):
        pdf_to_dicom(tmp_path / "fake.pdf", reg, series_uid=new_uid(), instance_number=1)
