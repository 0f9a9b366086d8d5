"""The viewer over the local store: key images saved as KOS and flagged again on opening,
a presentation state saved from the display and applied back, a secondary capture of a
viewport, the series strip (drag and drop), synchronised scrolling, reference lines,
comparing with a prior, and SR/PDF/ECG series opened from the browser.

Series with a shared frame of reference in two orientations are made from the shipped
CT_small.dcm (no shipped pair has one)."""

from __future__ import annotations

from io import BytesIO

import pydicom
import pytest
import workstation_app
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent

from tests.unit.iod_check import assert_iod_valid
from workstation.imaging import geometry
from workstation.imaging.drawing import Tool
from workstation.imaging.gsps import read_kos, read_presentation_state
from workstation.services import viewer_objects
from workstation.store import LocalStore
from workstation.store.series_info import indexed_images
from workstation.ui.viewer.series_strip import SERIES_MIME
from workstation.ui.viewer.viewer_tab import ViewerTab
from workstation.ui.viewers.object_tab import ObjectTab

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore::UserWarning")]

start_app = workstation_app.start_app  # the fixture

AXIAL = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
SAGITTAL = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0]


def add_series(store: LocalStore, study: dict, orientation, positions, number: int,
               description: str) -> str:  # fmt: skip
    """A CT series of len(positions) slices in ``study`` (UIDs, frame of reference)."""
    src = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    src.StudyInstanceUID = study["uid"]
    src.StudyDate = study["date"]
    src.FrameOfReferenceUID = study["frame"]
    src.SeriesInstanceUID = generate_uid()
    src.SeriesNumber = number
    src.SeriesDescription = description
    src.ImageOrientationPatient = orientation
    for n, position in enumerate(positions, start=1):
        src.SOPInstanceUID = src.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        src.InstanceNumber = n
        src.ImagePositionPatient = list(position)
        buf = BytesIO()
        src.save_as(buf, enforce_file_format=True)
        store.add_bytes(buf.getvalue())
    return str(src.SeriesInstanceUID)


@pytest.fixture
def ct_study(store: LocalStore) -> dict:
    """An axial series (z = 0..70 mm), a sagittal one through it, an axial one at 5 mm,
    and a prior study of the same patient."""
    study = {"uid": generate_uid(), "date": "20240301", "frame": generate_uid()}
    study["axial"] = add_series(store, study, AXIAL, [(-42, -42, z) for z in range(0, 80, 10)],
                                1, "AXIAL 10")  # fmt: skip
    study["sagittal"] = add_series(store, study, SAGITTAL,
                                   [(x, -42, 70) for x in range(-30, 50, 10)], 2, "SAG")
    study["axial5"] = add_series(store, study, AXIAL, [(-42, -42, z) for z in range(0, 75, 5)],
                                 3, "AXIAL 5")  # fmt: skip
    prior = {"uid": generate_uid(), "date": "20230101", "frame": generate_uid()}
    study["prior_axial"] = add_series(store, prior, AXIAL, [(-42, -42, z) for z in (0, 10)],
                                      1, "AXIAL 10")  # fmt: skip
    study["prior_uid"] = prior["uid"]
    return study


@pytest.fixture
def open_series(qtbot, store):
    tabs: list[ViewerTab] = []

    def open_(series_uid: str) -> ViewerTab:
        indexed = indexed_images(store, series_uid)
        tab = ViewerTab([], "test", indexed=indexed, store=store, series_uid=series_uid)
        qtbot.addWidget(tab)
        tab.resize(1000, 700)
        tab.show()
        qtbot.waitExposed(tab)
        tabs.append(tab)
        return tab

    yield open_
    for tab in tabs:
        tab.shutdown()


def screen(vp, x: float, y: float) -> QPoint:
    return vp.mapFromScene(vp.image_item.mapToScene(QPointF(x, y)))


def test_key_images_saved_as_kos_come_back_flagged(qtbot, store, ct_study, open_series):
    tab = open_series(ct_study["axial"])
    vp = tab.viewports[0]
    flagged = []
    for index in (2, 5):
        vp.set_index(index)
        tab.toolbar.action("key_image").trigger()
        flagged.append(vp.stack.sop_uid(index))
    saved = tab.save_key_images()
    assert saved is not None and store.index.instance(saved.sop_instance_uid) is not None
    kos = pydicom.dcmread(saved.path)
    assert_iod_valid(kos, "KeyObjectSelectionDocument")
    assert set(read_kos(kos).instance_uids) == set(flagged)
    again = open_series(ct_study["axial"])
    assert again.stack.key_images == set(flagged)
    again.viewports[0].set_index(5)
    assert again.viewports[0].key_label.isVisible()
    combo = again.toolbar.presentation_combo
    assert any(combo.itemText(i).startswith("KOS") for i in range(combo.count()))


def test_presentation_state_saved_from_the_display_applies_back(
    qtbot, store, ct_study, open_series
) -> None:
    tab = open_series(ct_study["axial"])
    vp = tab.viewports[0]
    vp.set_index(3)
    vp.set_window(40.0, 400.0)
    tab.toolbar.action("rotate_right").trigger()
    tab.toolbar.action(f"tool_{Tool.DISTANCE.value}").trigger()
    widget = vp.viewport()
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=screen(vp, 20.5, 20.5))
    qtbot.mouseMove(widget, screen(vp, 60.5, 20.5))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=screen(vp, 60.5, 20.5))
    distance = next(iter(vp.annotations()))
    label = vp.labels()[distance.id]
    saved = tab.save_presentation_state("READING")
    assert saved is not None
    gsps = pydicom.dcmread(saved.path)
    assert_iod_valid(gsps, "GrayscaleSoftcopyPresentationState")
    states = read_presentation_state(gsps)
    state = states[vp.stack.sop_uid(3)]
    assert (state.window.center, state.window.width) == (40.0, 400.0)
    assert state.rotation == 90
    texts = [t.text for layer in state.layers for t in layer.texts]
    assert texts == [label]

    again = open_series(ct_study["axial"])
    other = again.viewports[0]
    combo = again.toolbar.presentation_combo
    index = next(i for i in range(combo.count()) if "READING" in combo.itemText(i))
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    other.set_index(3)
    assert other.window_center_width() == (40.0, 400.0)
    assert other.rotation == 90
    assert [t.text for layer in other.overlay.layers for t in layer.texts] == [label]
    assert "PR: READING" in other.corners["bottom_right"].text()


def test_secondary_capture_stores_what_the_viewport_shows(qtbot, store, ct_study, open_series):
    tab = open_series(ct_study["axial"])
    saved = tab.save_secondary_capture()
    assert saved is not None
    sc = pydicom.dcmread(saved.path)
    assert_iod_valid(sc, "SCImage")
    vp = tab.viewports[0]
    assert (sc.Rows, sc.Columns) == (vp.height(), vp.width())
    assert sc.StudyInstanceUID == vp.stack.header(0).StudyInstanceUID
    assert sc.BurnedInAnnotation == "YES"


def test_series_dropped_from_the_strip_shows_in_that_viewport(qtbot, ct_study, open_series):
    tab = open_series(ct_study["axial"])
    uids = [tab.strip_uid(tab.strip.item(i)) for i in range(tab.strip.count())]
    assert uids == [ct_study["axial"], ct_study["sagittal"], ct_study["axial5"]]
    tab.set_layout(1, 2)
    target = tab.viewports[1]
    mime = QMimeData()
    mime.setData(SERIES_MIME, ct_study["sagittal"].encode("ascii"))
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    target.dropEvent(drop)
    assert tab.series_of(target.stack) == ct_study["sagittal"]
    assert tab.series_of(tab.viewports[0].stack) == ct_study["axial"]
    assert target.count() == 8 and tab.active is target


def test_sync_scrolls_the_other_series_to_the_nearest_slice(qtbot, ct_study, open_series):
    tab = open_series(ct_study["axial"])
    tab.set_layout(1, 2)
    assert tab.show_series(ct_study["axial5"], tab.viewports[1])
    left, right = tab.viewports
    tab.set_active(left)
    tab.toolbar.action("sync").trigger()
    for index in (0, 3, 7):
        left.set_index(index)
        z = geometry.slice_position(left.stack.plane(index))
        assert geometry.slice_position(right.stack.plane(right.index)) == pytest.approx(z)
    tab.toolbar.action("sync").trigger()  # off: the other one stays where it is
    left.set_index(1)
    assert right.index == 14


def test_reference_lines_show_the_axial_slice_on_the_sagittal(qtbot, ct_study, open_series):
    tab = open_series(ct_study["axial"])
    tab.set_layout(1, 2)
    tab.show_series(ct_study["sagittal"], tab.viewports[1])
    axial, sagittal = tab.viewports
    tab.set_active(axial)
    assert sagittal.overlay.reference_lines == []
    tab.toolbar.action("reference_lines").trigger()
    axial.set_index(2)  # z = 20 mm; the sagittal image's top row is z = 70, rows 0.66 mm apart
    (line,) = sagittal.overlay.reference_lines
    (x0, y0), (x1, y1) = line
    spacing = 0.661468
    assert y0 == pytest.approx(y1) == pytest.approx((70 - 20) / spacing + 0.5, abs=0.01)
    axial.set_index(7)  # z = 70: the top row
    ((_, y), _) = sagittal.overlay.reference_lines[0]
    assert y == pytest.approx(0.5, abs=0.01)


def test_compare_puts_the_prior_beside_the_current_series(qtbot, ct_study, open_series):
    tab = open_series(ct_study["axial"])
    assert tab.compare_with(ct_study["prior_uid"])
    assert tab.layout_shape == (1, 2)
    assert tab.series_of(tab.viewports[1].stack) == ct_study["prior_axial"]
    assert tab.strip.count() == 4
    labels = [tab.strip.item(i).text() for i in range(tab.strip.count())]
    assert labels[-1].startswith("Prior")


def test_sr_pdf_and_ecg_series_open_in_an_object_tab(qtbot, start_app, tmp_path) -> None:
    from tests.unit.test_encapsulated import _encapsulated, _round_trip, _tiny_pdf
    from workstation.imaging.encapsulated import ENCAPSULATED_PDF

    station = start_app()
    window = station.window
    pdf = _round_trip(_encapsulated(ENCAPSULATED_PDF, _tiny_pdf(), "application/pdf", True),
                      tmp_path)  # fmt: skip
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID"):
        if not pdf.get(keyword):
            setattr(pdf, keyword, generate_uid())
    pdf_path = tmp_path / "pdf.dcm"
    pdf.save_as(pdf_path, enforce_file_format=True)
    for path in (get_testdata_file("test-SR.dcm"), get_testdata_file("waveform_ecg.dcm"),
                 pdf_path):  # fmt: skip
        station.store.add_bytes(open(path, "rb").read())
        series_uid = str(pydicom.dcmread(path, stop_before_pixels=True).SeriesInstanceUID)
        tab = window.open_series(series_uid)
        assert isinstance(tab, ObjectTab), path
        assert tab.view is not None and not tab.error.isVisible()
        window.close_tab(window.tabs.indexOf(tab))


def test_presentation_objects_of_other_series_are_not_listed(store, ct_study) -> None:
    """The combo lists what the service finds: nothing saved for the sagittal series."""
    assert viewer_objects.presentation_objects_for_series(store, ct_study["sagittal"]) == []


def test_series_dragged_from_the_browser_opens_when_dropped_on_the_tab_bar(
    qtbot, start_app
) -> None:
    station = start_app()
    window = station.window
    path = get_testdata_file("CT_small.dcm")
    station.store.add_bytes(open(path, "rb").read())
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    browser = window.browser
    browser.refresh()
    qtbot.waitUntil(lambda: browser.study_model.rowCount() == 1, timeout=10_000)
    browser.select_study(str(ds.StudyInstanceUID))
    qtbot.waitUntil(lambda: browser.strip.count() == 1, timeout=10_000)
    mime = browser.strip.mimeData([browser.strip.item(0)])  # what a drag of it carries
    bar = window.tabs.tabBar()
    assert bar.acceptDrops() and bar.changeCurrentOnDrag()
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    # Qt delivers drop events only during a real drag, which offscreen tests cannot start:
    # hand the event to the tab bar's filter as Qt would
    assert window.eventFilter(bar, drop)
    tabs = window.viewer_tabs()
    assert len(tabs) == 1 and tabs[0].series_uid == str(ds.SeriesInstanceUID)
    assert window.tabs.currentWidget() is tabs[0]
