"""The 2D viewer: viewports over a stack, scrolling, window/level, presets, the LOSSY mark,
opening a series from the browser, no reference leak while scrolling, threads stopped."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import workstation_app
from pydicom.data import get_testdata_file
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from workstation.dicom.lossy import LOSSY_METHODS
from workstation.imaging.luts import CT_PRESETS, Window
from workstation.imaging.pipeline import FrameSource

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore::UserWarning")]

start_app = workstation_app.start_app  # the fixture


open_tab = workstation_app.open_tab  # the fixture


def corner(vp, name: str) -> str:
    return vp.corners[name].text()


def wheel(vp, notches: int) -> None:
    widget = vp.viewport()  # where the window system delivers wheel and mouse events
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        pos, widget.mapToGlobal(pos), QPoint(0, 0), QPoint(0, -120 * notches),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
        False,
    )  # fmt: skip
    QApplication.sendEvent(widget, event)


def test_ct_small_opens_with_the_files_window(open_tab) -> None:
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    expected = FrameSource(get_testdata_file("CT_small.dcm")).default_window(0)
    assert isinstance(vp.window, Window)
    assert vp.window == expected
    assert f"C {expected.center:g} / W {expected.width:g}" in corner(vp, "bottom_right")
    assert "CompressedSamples CT1" in corner(vp, "top_left")
    lines = corner(vp, "bottom_left").split("\n")
    assert lines[:2] == ["CT", "Image 1/1"]
    assert "Pos -75.7 mm" in lines and "Thick 5 mm" in lines  # along the normal; 5 mm slices
    assert vp.rendered_image().shape == (128, 128)


def test_wheel_and_keys_scroll_a_multiframe(qtbot, open_tab) -> None:
    tab = open_tab("emri_small.dcm")
    vp = tab.viewports[0]
    assert vp.count() == 10
    wheel(vp, 2)
    assert vp.index == 2
    assert "Image 3/10" in corner(vp, "bottom_left")
    qtbot.keyClick(vp, Qt.Key.Key_PageDown)
    qtbot.keyClick(vp, Qt.Key.Key_Down)
    assert "Image 5/10" in corner(vp, "bottom_left")
    qtbot.keyClick(vp, Qt.Key.Key_PageUp)
    assert "Image 4/10" in corner(vp, "bottom_left")
    qtbot.keyClick(vp, Qt.Key.Key_End)
    wheel(vp, 3)  # beyond the end stays at the last image
    assert "Image 10/10" in corner(vp, "bottom_left")
    wheel(vp, -1)
    assert "Image 9/10" in corner(vp, "bottom_left")


def test_scrolled_frames_are_the_frames_of_the_file(open_tab) -> None:
    tab = open_tab("emri_small.dcm")
    vp = tab.viewports[0]
    source = FrameSource(get_testdata_file("emri_small.dcm"))
    vp.set_index(6)
    assert (vp.rendered_image() == source.render(6, vp.window)).all()


def test_prefetcher_decodes_ahead_of_the_scroll_direction(open_tab) -> None:
    tab = open_tab("emri_small.dcm")
    vp = tab.viewports[0]
    vp.set_index(1)
    assert vp.prefetcher.idle()
    assert all(tab.stack.is_cached(i) for i in range(1, 10))


def test_left_drag_changes_width_horizontally_and_centre_vertically(qtbot, open_tab) -> None:
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    c0, w0 = vp.window_center_width()
    step = vp.wl_sensitivity
    area = vp.viewport()
    qtbot.mousePress(area, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    qtbot.mouseMove(area, QPoint(140, 110))
    qtbot.mouseRelease(area, Qt.MouseButton.LeftButton, pos=QPoint(140, 110))
    c1, w1 = vp.window_center_width()
    assert w1 == pytest.approx(w0 + 40 * step)
    assert c1 == pytest.approx(c0 + 10 * step)
    assert f"C {c1:g} / W {w1:g}" in corner(vp, "bottom_right")


def test_preset_sets_the_exact_window(open_tab) -> None:
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    combo = tab.toolbar.preset_combo
    i = combo.findData("lung")
    combo.setCurrentIndex(i)
    combo.activated.emit(i)
    assert vp.window_center_width() == CT_PRESETS["lung"] == (-600.0, 1500.0)
    assert "C -600 / W 1500" in corner(vp, "bottom_right")
    tab.apply_preset("file")
    assert vp.window == FrameSource(get_testdata_file("CT_small.dcm")).default_window(0)


def test_lossy_mark_for_lossy_jpeg_only(open_tab) -> None:
    lossy = open_tab("SC_rgb_jpeg_dcmtk.dcm").viewports[0]
    assert lossy.lossy and lossy.lossy_label.isVisible()
    assert lossy.lossy_label.text() == "LOSSY"
    lossless = open_tab("CT_small.dcm").viewports[0]
    assert not lossless.lossy and not lossless.lossy_label.isVisible()


@pytest.mark.parametrize(
    "syntax",
    ["1.2.840.10008.1.2.4.52", "1.2.840.10008.1.2.4.100.1"],  # the viewer's old table lacked
)
def test_lossy_mark_follows_the_one_lossy_table(open_tab, syntax: str) -> None:
    assert syntax in LOSSY_METHODS  # dicom/lossy.py: the one table
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    assert not vp.lossy
    tab.stack.header(0).file_meta.TransferSyntaxUID = syntax  # pixels still read natively
    vp.set_stack(tab.stack, 0)
    assert vp.lossy and vp.lossy_label.isVisible()


def choose(combo, data) -> None:
    """Pick the entry with ``data`` as a user does (the combo's activated signal)."""
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_layouts_give_the_number_of_viewports(open_tab) -> None:
    tab = open_tab("emri_small.dcm")
    for rows, cols in ((1, 2), (2, 1), (2, 2), (3, 3), (4, 4), (1, 1)):
        choose(tab.toolbar.layout_combo, f"{rows}x{cols}")
        assert len(tab.viewports) == rows * cols
        assert tab.grid.count() == rows * cols
    tab.set_layout(2, 2)
    assert [vp.index for vp in tab.viewports] == [0, 1, 2, 3]


def test_custom_layout_asks_rows_and_columns(qtbot, open_tab, monkeypatch) -> None:
    from workstation.ui.viewer import viewer_tab as module

    def accept(dialog):
        dialog.rows.setValue(2)
        dialog.cols.setValue(3)
        return module.QDialog.DialogCode.Accepted

    monkeypatch.setattr(module.LayoutDialog, "exec", accept)
    tab = open_tab("emri_small.dcm")
    choose(tab.toolbar.layout_combo, "custom")
    assert tab.layout_shape == (2, 3) and len(tab.viewports) == 6
    assert tab.toolbar.layout_combo.currentText() == "Custom…"


def test_zoom_fit_and_scale_bar(qtbot, open_tab) -> None:
    vp = open_tab("CT_small.dcm").viewports[0]
    fitted = vp.zoom_factor()
    qtbot.keyClick(vp, Qt.Key.Key_Plus)
    assert vp.zoom_factor() == pytest.approx(fitted * 1.25, rel=1e-3)
    qtbot.keyClick(vp, Qt.Key.Key_F)
    assert vp.zoom_factor() == pytest.approx(fitted, rel=1e-3)
    assert vp.scale_bar.isVisible() and vp.scale_bar.label.endswith("m")


def test_scrolling_thousands_of_frames_leaks_no_bool_references(qtbot, open_tab) -> None:
    """PySide6 6.x had releases that dropped a reference to True/False on some calls;
    sys.getrefcount(True) then falls until the interpreter crashes. Scroll 3000 frames
    (render, setImage, overlay text, processEvents). True is immortal in Python >= 3.12
    (the count is a huge constant); a tolerance of 50 allows for unrelated objects that
    legitimately hold or drop a reference to True during the loop."""
    vp = open_tab("emri_small.dcm").viewports[0]
    before = sys.getrefcount(True)
    step = 1
    for _ in range(3000):
        if not 0 <= vp.index + step < vp.count():
            step = -step
        vp.scroll(step)
        QApplication.processEvents()
    after = sys.getrefcount(True)
    assert after >= before - 50


def test_shutdown_stops_the_prefetch_threads(open_tab) -> None:
    tab = open_tab("emri_small.dcm")
    tab.set_layout(2, 2)
    threads = [vp.prefetcher._thread for vp in tab.viewports]
    assert all(t.is_alive() for t in threads)
    tab.shutdown()
    assert not any(t.is_alive() for t in threads)


def test_double_clicking_a_series_opens_a_viewer_tab(qtbot, start_app, tmp_path: Path) -> None:
    station = start_app()
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy2(get_testdata_file("emri_small.dcm"), folder / "emri_small.dcm")
    station.store.add_file(folder / "emri_small.dcm")
    w = station.window
    w.browser.refresh()
    w.browser.study_table.selectRow(0)
    table = w.browser.series_table
    qtbot.waitUntil(lambda: table.model().rowCount() == 1)
    rect = table.visualRect(table.model().index(0, 2))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.tabs.count() == 5  # patients, query/retrieve, worklist, film, the new viewer
    tab = w.viewer_tabs()[0]
    assert w.tabs.currentWidget() is tab
    assert tab.viewports[0].count() == 10
    w.close_tab(w.tabs.indexOf(tab))
    assert w.tabs.count() == 4 and not w.viewer_tabs()
