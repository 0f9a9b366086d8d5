"""The film composer tab (pytest-qt, no printer): series flow across films, drops land on
the box they were dropped on, box edits re-render at the printer's matrix, key images
only, true size said where not possible, PDF and system printer at film size, the
viewer's Film button, print jobs queued with the composition."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtPrintSupport import QPrinter

from tests.generated_studies import series_files as make_series
from workstation.config.settings import FilmSizeEntry, PrinterProfile, PrintersSettings, Settings
from workstation.imaging.film_render import render_sheet
from workstation.jobs import JobQueue
from workstation.services import print_job
from workstation.services.print_pdf import read_pdf
from workstation.services.viewer_objects import save_key_objects
from workstation.store.local_store import LocalStore
from workstation.ui.browser.thumbnail_strip import SERIES_MIME
from workstation.ui.print.composer_tab import ComposerTab

WAIT_MS = 20_000


def printer(**changes: object) -> PrinterProfile:
    values: dict[str, object] = dict(
        name="laser", ae_title="LASER", host="127.0.0.1", port=11112,
        film_sizes=(FilmSizeEntry(id="14INX17IN", matrix_cols=420, matrix_rows=510),
                    FilmSizeEntry(id="8INX10IN", matrix_cols=240, matrix_rows=300)),
        display_formats=("STANDARD\\2,2", "STANDARD\\1,2", "STANDARD\\4,5"), bits=12,
    )  # fmt: skip
    values.update(changes)
    return PrinterProfile(**values)


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    s = LocalStore(tmp_path / "store")
    yield s
    s.close()


@pytest.fixture
def make_tab(qtbot, store: LocalStore, tmp_path: Path):
    tabs: list[ComposerTab] = []

    def make(printers: tuple[PrinterProfile, ...] = (), queue: JobQueue | None = None) -> ComposerTab:
        settings = Settings().model_copy(
            update={"printers": PrintersSettings(printers=printers)})
        tab = ComposerTab(store, lambda: settings, queue)
        qtbot.addWidget(tab)
        tab.resize(1100, 800)
        tab.show()
        tabs.append(tab)
        return tab

    yield make
    for tab in tabs:
        tab.shutdown()


def add_files(store: LocalStore, paths: list[Path]) -> None:
    for path in paths:
        store.add_file(path)


def rendered(qtbot, tab: ComposerTab) -> None:
    qtbot.waitUntil(lambda: not tab.rendering(), timeout=WAIT_MS)


def test_a_series_flows_across_as_many_films_as_it_needs(qtbot, store, make_tab, tmp_path):
    _, series, paths = make_series(tmp_path / "in", 7)
    add_files(store, paths)
    tab = make_tab((printer(),))
    tab.film.format_combo.setCurrentIndex(tab.film.format_combo.findData("STANDARD\\2,2"))
    assert tab.add_series(series) == 7
    rendered(qtbot, tab)
    assert tab.composer.sheet_count == 2
    assert tab.sheet_label.text() == "Film 1 of 2"
    raster = tab.raster()
    assert raster is not None and raster.film.shape == (510, 420)
    assert raster.film.dtype == np.uint16  # the printer is 12 bit
    # the preview shows the raster that is printed, pixel for pixel (12 bit shown as 16)
    shown = tab.preview.shown_image()
    assert (shown.width(), shown.height()) == (420, 510)
    view = np.frombuffer(shown.constBits(), np.uint16).reshape(510, shown.bytesPerLine() // 2)
    np.testing.assert_array_equal(view[:, :420] >> 4, raster.film)
    # and that raster is the printed sheet's: rendering the sheet again gives it
    np.testing.assert_array_equal(render_sheet(tab.composer.sheet(0)).film, raster.film)
    tab.next_button.click()
    rendered(qtbot, tab)
    assert tab.sheet_label.text() == "Film 2 of 2"
    assert [b is not None for b in tab.raster().boxes] == [True, True, True, False]


def test_a_series_dropped_on_a_box_goes_in_before_that_box(qtbot, store, make_tab, tmp_path):
    _, first, paths = make_series(tmp_path / "a", 3)
    _, second, more = make_series(tmp_path / "b", 2, study_uid=pydicom.dcmread(
        paths[0], stop_before_pixels=True).StudyInstanceUID)  # fmt: skip
    add_files(store, paths + more)
    tab = make_tab((printer(),))
    tab.add_series(first)
    rendered(qtbot, tab)
    centre = tab.preview.box_rect(1).center()
    mime = QMimeData()
    mime.setData(SERIES_MIME, second.encode("ascii"))
    drop = QDropEvent(QPointF(centre), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    tab.preview.dropEvent(drop)
    order = [image.series_uid for image in tab.composer.images]
    assert order == [first, second, second, first, first]
    assert "2 image(s) added" in tab.banner.text()


def test_box_edits_render_again_at_the_printer_matrix(qtbot, store, make_tab, tmp_path):
    _, series, paths = make_series(tmp_path / "in", 2)
    add_files(store, paths)
    tab = make_tab((printer(),))
    tab.film.format_combo.setCurrentIndex(tab.film.format_combo.findData("STANDARD\\1,2"))
    tab.add_series(series)
    rendered(qtbot, tab)
    before = tab.raster().boxes[0].copy()
    rect = tab.preview.box_rect(0)
    qtbot.mouseClick(tab.preview, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert tab.selected == 0
    assert tab.box.box_label.text().startswith("Film 1, box 1: Se 3 Im 1")
    tab.box.invert_check.setChecked(True)
    rendered(qtbot, tab)
    inverted = tab.raster().boxes[0]
    assert tab.composer.images[0].content.invert
    np.testing.assert_array_equal(inverted, render_sheet(tab.composer.sheet(0)).boxes[0])
    assert not np.array_equal(inverted, before)
    tab.box.rotate_right.click()
    tab.box.width_spin.setValue(120)
    tab.box.zoom_spin.setValue(1.5)
    rendered(qtbot, tab)
    content = tab.composer.images[0].content
    assert (content.rotate, content.zoom, content.window[1]) == (90, 1.5, 120)
    # a left drag windows the box, as in the viewer (applied on release)
    start = rect.center().toPoint()
    qtbot.mousePress(tab.preview, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(tab.preview, start + QPoint(40, 0))
    qtbot.mouseRelease(tab.preview, Qt.MouseButton.LeftButton, pos=start + QPoint(40, 0))
    assert tab.composer.images[0].content.window[1] > 120
    # a double click puts the box back as it came
    qtbot.mouseDClick(tab.preview, Qt.MouseButton.LeftButton, pos=start)
    rendered(qtbot, tab)
    content = tab.composer.images[0].content
    assert (content.rotate, content.zoom, content.window, content.invert) == (0, 1.0, None, False)
    np.testing.assert_array_equal(tab.raster().boxes[0], before)
    # Delete removes the image; the second moves up
    second = tab.composer.images[1].sop_uid
    tab.preview.set_selected(0)
    qtbot.keyClick(tab.preview, Qt.Key.Key_Delete)
    assert [i.sop_uid for i in tab.composer.images] == [second]


def test_key_images_only(qtbot, store, make_tab, tmp_path):
    _, series, paths = make_series(tmp_path / "in", 4)
    add_files(store, paths)
    keys = [pydicom.dcmread(p, stop_before_pixels=True) for p in paths[1:3]]
    save_key_objects(store, keys, description="Key images", observer="test")
    tab = make_tab()
    tab.key_only_check.setChecked(True)
    assert tab.add_series(series) == 2
    assert [i.sop_uid for i in tab.composer.images] == [k.SOPInstanceUID for k in keys]
    assert "2 image(s) left out: not key images" in tab.banner.text()


def test_true_size_is_said_where_it_is_not_possible(qtbot, store, make_tab, tmp_path):
    _, ct, ct_paths = make_series(tmp_path / "ct", 1)
    _, plain, plain_paths = make_series(tmp_path / "us", 1, source="US1_UNCR.dcm")
    add_files(store, ct_paths + plain_paths)
    tab = make_tab((printer(),))
    tab.film.format_combo.setCurrentIndex(tab.film.format_combo.findData("STANDARD\\1,2"))
    tab.film.true_size_check.setChecked(True)
    tab.add_uids([ct, plain])
    assert tab.composer.sheet_count == 2  # two studies: a film each
    rendered(qtbot, tab)
    assert "true size" in tab.notes.text().lower() and "Every box" in tab.notes.text()
    tab.show_sheet(1)
    rendered(qtbot, tab)
    assert "box 1: not at true size" in tab.notes.text()
    assert "Pixel Spacing" in tab.notes.text()


def test_pdf_pages_are_the_films_at_film_size(qtbot, store, make_tab, tmp_path):
    _, series, paths = make_series(tmp_path / "in", 5)
    add_files(store, paths)
    tab = make_tab()  # no DICOM printer: paper at 300 dpi
    tab.film.size_combo.setCurrentIndex(tab.film.size_combo.findData("A4"))
    tab.film.format_combo.setCurrentIndex(tab.film.format_combo.findData("STANDARD\\2,2"))
    tab.film.annotations_check.setChecked(True)
    tab.add_series(series)
    rendered(qtbot, tab)
    target = tmp_path / "films.pdf"
    assert tab.save_pdf(target)
    assert tab.wait_pdf(30)
    qtbot.waitUntil(lambda: "saved as" in tab.banner.text(), timeout=WAIT_MS)
    pages = read_pdf(target)
    assert len(pages) == 2
    for page in pages:
        w_mm, h_mm = page.page_mm
        assert (round(w_mm), round(h_mm)) == (210, 297)
    np.testing.assert_array_equal(pages[0].raster, tab.raster(0).film)


def test_system_printer_gets_one_page_per_film_at_film_size(qtbot, store, make_tab, tmp_path):
    _, series, paths = make_series(tmp_path / "in", 3)
    add_files(store, paths)
    tab = make_tab((printer(),))
    tab.film.format_combo.setCurrentIndex(tab.film.format_combo.findData("STANDARD\\1,2"))
    tab.film.orientation_combo.setCurrentIndex(tab.film.orientation_combo.findData("LANDSCAPE"))
    tab.add_series(series)
    rendered(qtbot, tab)
    out = tmp_path / "system.pdf"
    qprinter = QPrinter(QPrinter.PrinterMode.HighResolution)
    qprinter.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    qprinter.setOutputFileName(str(out))
    assert tab.print_system(qprinter)
    data = out.read_bytes()
    boxes = re.findall(rb"/MediaBox \[([\d.\s]+)\]", data)
    assert len(boxes) == 2  # 3 images, 2 per film
    _, _, w_pt, h_pt = (float(v) for v in boxes[0].split())
    # 14 x 17 inch film lying landscape
    assert (round(w_pt / 72 * 25.4), round(h_pt / 72 * 25.4)) == (432, 356)


def test_the_viewer_film_button_adds_the_image_as_shown(qtbot, store, make_tab, tmp_path):
    from workstation.store.series_info import series_info
    from workstation.ui.print.wiring import connect_viewer
    from workstation.ui.viewer.viewer_tab import open_image_series

    _, series, paths = make_series(tmp_path / "in", 3)
    add_files(store, paths)
    tab = make_tab((printer(),))
    viewer = open_image_series(store, series_info(store, series), "CT", None)
    qtbot.addWidget(viewer)
    connect_viewer(viewer, tab)
    vp = viewer.viewports[0]
    vp.set_index(1)
    vp.rotate(90)
    vp.set_window(50.0, 300.0)
    viewer.toolbar.action("film_image").trigger()
    [image] = tab.composer.images
    assert image.sop_uid == pydicom.dcmread(paths[1], stop_before_pixels=True).SOPInstanceUID
    content = image.content
    assert (content.rotate, content.window) == (90, (50.0, 300.0))
    viewer.shutdown()


def test_print_queues_jobs_with_the_composition_and_a_refusal_is_said(
    qtbot, store, make_tab, tmp_path
):
    _, series, paths = make_series(tmp_path / "in", 5)
    add_files(store, paths)
    queue = JobQueue(tmp_path / "jobs.sqlite")
    laser = printer()
    tab = make_tab((laser,), queue)
    tab.film.format_combo.setCurrentIndex(tab.film.format_combo.findData("STANDARD\\2,2"))
    tab.film.copies_spin.setValue(2)
    tab.add_series(series)
    [job_id] = tab.print_films()
    job = queue.get(job_id)
    assert job.kind == print_job.KIND
    assert job.max_attempts == print_job.max_attempts(laser)
    params = print_job.PrintParams(**job.params)
    assert params.printer == "laser" and len(params.sheets) == 2
    assert params.spec["copies"] == 2 and params.spec["display_format"] == "STANDARD\\2,2"
    uids = [b.sop_instance_uid for s in params.sheets for b in s.boxes if b is not None]
    assert uids == [i.sop_uid for i in tab.composer.images]
    assert "queued for printer laser" in tab.banner.text()
    # the job fails: the composer says so, and that the films are kept
    claimed = queue.claim_next()
    assert claimed is not None and claimed.id == job_id
    queue.fail(job_id, "N-CREATE Film Box failed with status 0xC603", permanent=True)
    tab.on_job_changed(job_id)
    assert "Films not printed on laser" in tab.banner.text()
    assert "0xC603" in tab.banner.text() and "kept" in tab.banner.text()
    queue.close()


def test_without_a_dicom_printer_print_is_off_and_says_why(qtbot, store, make_tab, tmp_path):
    _, series, paths = make_series(tmp_path / "in", 1)
    add_files(store, paths)
    tab = make_tab()
    tab.add_series(series)
    assert not tab.print_button.isEnabled()
    assert tab.print_films() == []
    assert "Choose a DICOM printer" in tab.banner.text()
