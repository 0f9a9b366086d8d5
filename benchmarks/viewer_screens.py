"""Screenshots of the 2D viewer under Xvfb, to look at it as a radiologist would.

  viewer_ct.png      a CT series (built from CT_small) beside a sagittal one in the same
                     frame of reference: distance, angle, ellipse and rectangle ROIs, an
                     arrow and a note; reference lines on; the series strip at the left
  viewer_us.png      a colour ultrasound (US1_UNCR, RGB)
  viewer_cine.png    a 120-frame colour US clip (color3d_jpeg_baseline) during cine
  viewer_cr.png      a 1955 x 1841 CR (RG1_J2KI, lossy JPEG 2000: the LOSSY mark)
  viewer_3x3.png     a 3 x 3 layout over a multi-frame MR (emri_small)
  viewer_pdf.png     an Encapsulated PDF (made from a one-page PDF)
  viewer_ecg.png     the 12-lead ECG waveform_ecg.dcm
  viewer_sr.png      the SR test-SR.dcm as text

Run by hand: ``.venv/bin/python benchmarks/viewer_screens.py [--out /tmp/screens]``.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from io import BytesIO
from pathlib import Path

import screenshots

REPO = Path(__file__).resolve().parents[1]


def _series(store, study: dict, orientation, positions, number: int, description: str) -> str:
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.uid import generate_uid

    src = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    src.StudyInstanceUID, src.FrameOfReferenceUID = study["uid"], study["frame"]
    src.SeriesInstanceUID = generate_uid()
    src.SeriesNumber, src.SeriesDescription = number, description
    src.ImageOrientationPatient = orientation
    for n, position in enumerate(positions, start=1):
        src.SOPInstanceUID = src.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        src.InstanceNumber = n
        src.ImagePositionPatient = list(position)
        buf = BytesIO()
        src.save_as(buf, enforce_file_format=True)
        store.add_bytes(buf.getvalue())
    return str(src.SeriesInstanceUID)


def report_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ``lines`` of Helvetica text (a report to show)."""
    text = "BT /F1 14 Tf 72 760 Td 18 TL " + " ".join(
        f"({line.replace('(', '[').replace(')', ']')}) '" for line in lines
    ) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _pdf_bytes() -> bytes:
    sys.path.insert(0, str(REPO))
    from pydicom.uid import generate_uid

    from tests.unit.test_encapsulated import _encapsulated
    from workstation.imaging.encapsulated import ENCAPSULATED_PDF

    document = report_pdf([
        "Radiology report (demonstration document)",
        "",
        "CT thorax: no pulmonary embolism. No focal consolidation.",
        "A 5 mm nodule in the right upper lobe; follow-up in 12 months.",
        "",
        "Impression: no acute finding.",
    ])  # fmt: skip
    ds = _encapsulated(ENCAPSULATED_PDF, document, "application/pdf", True)
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.PatientName, ds.PatientID = "Report^Demo", "DOC-1"
    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def inside(out: Path) -> int:
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(REPO))
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.uid import generate_uid
    from PySide6.QtWidgets import QApplication

    from workstation.config import Settings
    from workstation.imaging.annotations import AnnotationKind as K
    from workstation.store import LocalStore

    app = QApplication([sys.argv[0]])
    print(f"Qt platform: {app.platformName()}")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ws-viewer-screens-"))
    data = work / "store"
    with LocalStore(data, min_free_space_mb=0) as store:
        study = {"uid": generate_uid(), "frame": generate_uid()}
        axial = _series(store, study, [1, 0, 0, 0, 1, 0],
                        [(-42, -42, z) for z in range(0, 80, 5)], 1, "Thorax axial")
        sagittal = _series(store, study, [0, 1, 0, 0, 0, -1],
                           [(x, -42, 70) for x in range(-30, 50, 5)], 2, "Thorax sagittal")
        uids = {}
        for name in ("US1_UNCR.dcm", "color3d_jpeg_baseline.dcm", "RG1_J2KI.dcm",
                     "emri_small.dcm", "waveform_ecg.dcm", "test-SR.dcm"):  # fmt: skip
            path = get_testdata_file(name)
            store.add_bytes(Path(path).read_bytes())
            uids[name] = str(pydicom.dcmread(path, stop_before_pixels=True).SeriesInstanceUID)
        pdf = _pdf_bytes()
        store.add_bytes(pdf)
        uids["pdf"] = str(pydicom.dcmread(BytesIO(pdf)).SeriesInstanceUID)

    from workstation.app import Workstation

    settings = Settings(ae_title="READING1", port=screenshots.free_port(),
                        bind_address="127.0.0.1", data_dir=data, min_free_space_mb=0)  # fmt: skip
    station = Workstation(settings, work / "gui.ini", offer_samples=False)
    window = station.window
    window.resize(1560, 940)
    station.start()

    pause = screenshots.pump

    def shot(name: str) -> None:
        pause(400)
        screenshots.save(window.grab(), out / name)

    tab = window.open_series(axial)
    tab.set_layout(1, 2)
    tab.show_series(sagittal, tab.viewports[1])
    vp = tab.viewports[0]
    tab.set_active(vp)
    vp.set_index(8)
    marks = vp.annotations()
    marks.add(K.DISTANCE, [(20.5, 40.5), (100.5, 52.5)])
    marks.add(K.ANGLE, [(30.5, 100.5), (55.5, 80.5), (85.5, 105.5)])
    marks.add(K.ELLIPSE, [(64.5, 64.5), (76.5, 72.5)])
    marks.add(K.RECTANGLE, [(90.5, 10.5), (118.5, 30.5)])
    marks.add(K.ARROW, [(10.5, 120.5), (35.5, 95.5)])
    marks.add(K.TEXT, [(8.5, 8.5)], "Findings: see ROI")
    tab.toolbar.action("reference_lines").trigger()
    tab.toolbar.action("key_image").trigger()
    vp._changed()
    shot("viewer_ct.png")

    window.open_series(uids["US1_UNCR.dcm"])
    shot("viewer_us.png")
    cine = window.open_series(uids["color3d_jpeg_baseline.dcm"])
    cine.toggle_cine()
    pause(1500)
    shot("viewer_cine.png")
    cine.toggle_cine()
    window.open_series(uids["RG1_J2KI.dcm"])
    shot("viewer_cr.png")
    grid = window.open_series(uids["emri_small.dcm"])
    grid.set_layout(3, 3)
    shot("viewer_3x3.png")
    for key, name in (("pdf", "viewer_pdf.png"), ("waveform_ecg.dcm", "viewer_ecg.png"),
                      ("test-SR.dcm", "viewer_sr.png")):  # fmt: skip
        window.open_series(uids[key])
        shot(name)
    window.close()
    pause(100)
    return 0


def main() -> int:
    return screenshots.script_main(__doc__, inside, Path(__file__))


if __name__ == "__main__":
    sys.exit(main())
