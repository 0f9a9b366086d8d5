"""Views for non-image objects: SR as text, Encapsulated PDF, ECG plots, and view_for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from PySide6.QtPdf import QPdfDocument

from tests.unit.test_encapsulated import _encapsulated, _round_trip, _tiny_pdf
from workstation.imaging.encapsulated import ENCAPSULATED_PDF
from workstation.imaging.sr_text import sr_lines
from workstation.imaging.waveform import waveform_groups
from workstation.ui.viewers.ecg_view import EcgView
from workstation.ui.viewers.pdf_view import PdfView
from workstation.ui.viewers.registry import view_for
from workstation.ui.viewers.sr_view import SrView

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore::UserWarning")]


def _read(name: str) -> pydicom.Dataset:
    return pydicom.dcmread(get_testdata_file(name))


def _pdf_dataset(tmp_path: Path, document: bytes) -> pydicom.Dataset:
    return _round_trip(_encapsulated(ENCAPSULATED_PDF, document, "application/pdf", True), tmp_path)


def test_sr_view_plain_text_holds_the_report_lines_and_title(qtbot) -> None:
    ds = _read("test-SR.dcm")
    view = SrView(ds)
    qtbot.addWidget(view)
    shown = [line.strip() for line in view.toPlainText().splitlines()]
    expected = [line.text.strip() for line in sr_lines(ds)]
    assert shown == expected
    for line in (
        "Title: Diagnosis",
        "[CONTAINS] Diameter: 3 Length Unit",
        "[CONTAINS] image 1.2.3.4.5.0, frames 5, 2",
    ):
        assert line in shown
    assert view.windowTitle() == "Diagnosis"
    assert view.isReadOnly()


def test_sr_view_makes_headings_bold_and_indents_by_depth(qtbot) -> None:
    ds = _read("test-SR.dcm")
    view = SrView(ds)
    qtbot.addWidget(view)
    lines = sr_lines(ds)
    block = view.document().begin()
    for line in lines:
        fragment_bold = block.begin().fragment().charFormat().fontWeight() >= 600
        if line.text:
            assert fragment_bold == line.heading, line.text
        assert block.blockFormat().leftMargin() == pytest.approx(line.depth * 20), line.text
        block = block.next()


def test_pdf_view_loads_a_one_page_pdf(qtbot, tmp_path: Path) -> None:
    view = PdfView.from_dataset(_pdf_dataset(tmp_path, _tiny_pdf()))
    qtbot.addWidget(view)
    assert view.document.status() == QPdfDocument.Status.Ready
    assert view.page_count == 1
    assert view.windowTitle() == "Discharge letter"
    assert not view.message.text()


def test_pdf_view_shows_a_message_for_a_broken_pdf(qtbot, tmp_path: Path) -> None:
    view = PdfView.from_dataset(_pdf_dataset(tmp_path, b"%PDF-1.4\nnot really a pdf\n"))
    qtbot.addWidget(view)
    assert view.page_count == 0
    assert "cannot be shown" in view.message.text()


def test_ecg_view_has_twelve_plots_with_lead_labels_and_the_waveform_data(qtbot) -> None:
    ds = _read("waveform_ecg.dcm")
    view = EcgView(ds)
    qtbot.addWidget(view)
    group = waveform_groups(ds)[0]
    assert len(view.plots) == 12
    for plot, channel in zip(view.plots, group.channels, strict=True):
        assert plot.getAxis("left").labelText == f"{channel.label} ({channel.unit})"
        (curve,) = plot.listDataItems()
        x, y = curve.getOriginalDataset()
        assert np.array_equal(x, group.time_s)
        assert np.array_equal(y, channel.samples)
    assert view.plots[-1].getAxis("bottom").labelText == "Time (s)"
    assert view.group_box.count() == 2  # rhythm and median beat


def test_ecg_view_switches_to_the_second_group(qtbot) -> None:
    ds = _read("waveform_ecg.dcm")
    view = EcgView(ds)
    qtbot.addWidget(view)
    view.group_box.setCurrentIndex(1)
    median = waveform_groups(ds)[1]
    assert len(view.plots) == len(median.channels)
    x, _ = view.plots[0].listDataItems()[0].getOriginalDataset()
    assert np.array_equal(x, median.time_s)


def test_view_for_chooses_the_view_by_sop_class(qtbot, tmp_path: Path) -> None:
    views = {
        "sr": view_for(_read("test-SR.dcm")),
        "pdf": view_for(_pdf_dataset(tmp_path, _tiny_pdf())),
        "ecg": view_for(_read("waveform_ecg.dcm")),
    }
    for view in views.values():
        qtbot.addWidget(view)
    assert isinstance(views["sr"], SrView)
    assert isinstance(views["pdf"], PdfView)
    assert isinstance(views["ecg"], EcgView)
    assert view_for(_read("CT_small.dcm")) is None
