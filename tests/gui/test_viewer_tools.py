"""Viewer interactions with the mouse and keys: measuring, ROIs, selecting, moving and
deleting annotations, rotation/flip with orientation letters, inversion, cine, key flags."""

from __future__ import annotations

import math

import numpy as np
import pytest
import workstation_app
from PySide6.QtCore import QPoint, QPointF, Qt

from workstation.imaging import measure
from workstation.imaging.annotations import AnnotationKind
from workstation.imaging.drawing import Tool
from workstation.ui.viewer.viewer_tab import ViewerTab

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore::UserWarning")]

CT_SPACING_MM = 0.661468  # Pixel Spacing of CT_small.dcm (square)


open_tab = workstation_app.open_tab  # the fixture
VIEWER_SIZE = (900, 700)  # room for the measurement labels


def screen(vp, x: float, y: float) -> QPoint:
    """Where image point (x, y) is on the viewport's widget."""
    return vp.mapFromScene(vp.image_item.mapToScene(QPointF(x, y)))


def use(tab: ViewerTab, tool: Tool) -> None:
    tab.toolbar.action(f"tool_{tool.value}").trigger()


def drag(qtbot, vp, a: tuple[float, float], b: tuple[float, float]) -> None:
    widget = vp.viewport()
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=screen(vp, *a))
    qtbot.mouseMove(widget, screen(vp, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2))
    qtbot.mouseMove(widget, screen(vp, *b))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=screen(vp, *b))


def click(qtbot, vp, p: tuple[float, float]) -> None:
    qtbot.mouseClick(vp.viewport(), Qt.MouseButton.LeftButton, pos=screen(vp, *p))


def only(vp):
    items = list(vp.annotations())
    assert len(items) == 1, items
    return items[0]


def test_distance_drag_measures_millimetres_from_pixel_spacing(qtbot, open_tab) -> None:
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    use(tab, Tool.DISTANCE)
    drag(qtbot, vp, (20.5, 64.5), (100.5, 64.5))
    a = only(vp)
    assert a.kind is AnnotationKind.DISTANCE
    (x0, y0), (x1, y1) = a.points
    assert math.hypot(x1 - x0, y1 - y0) == pytest.approx(80.0, abs=1.5)  # screen rounding
    expected = measure.distance(a.points[0], a.points[1], vp.spacing)
    assert vp.spacing.row_mm == pytest.approx(CT_SPACING_MM)
    assert vp.labels()[a.id] == expected.text() and expected.unit == "mm"
    assert expected.value == pytest.approx(80 * CT_SPACING_MM, abs=1.5 * CT_SPACING_MM)


def test_two_clicks_draw_a_distance_and_escape_drops_an_unfinished_one(qtbot, open_tab) -> None:
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    use(tab, Tool.DISTANCE)
    click(qtbot, vp, (10.5, 10.5))
    assert vp.drawing.pending is not None and len(vp.annotations()) == 0
    qtbot.keyClick(vp, Qt.Key.Key_Escape)
    assert vp.drawing.pending is None and len(vp.annotations()) == 0
    click(qtbot, vp, (10.5, 10.5))
    click(qtbot, vp, (10.5, 50.5))
    assert only(vp).kind is AnnotationKind.DISTANCE
    assert vp.labels()[only(vp).id].endswith(" mm")


def test_angle_takes_three_clicks_and_reads_degrees(qtbot, open_tab) -> None:
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    use(tab, Tool.ANGLE)
    for p in ((100.5, 30.5), (30.5, 30.5), (30.5, 100.5)):
        click(qtbot, vp, p)
    a = only(vp)
    assert a.kind is AnnotationKind.ANGLE
    degrees = float(vp.labels()[a.id].split()[0])
    assert degrees == pytest.approx(90.0, abs=2.0)


@pytest.mark.parametrize("tool", [Tool.RECTANGLE, Tool.ELLIPSE])
def test_roi_reports_statistics_in_hounsfield_units(qtbot, open_tab, tool) -> None:
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    use(tab, tool)
    drag(qtbot, vp, (40.5, 40.5), (80.5, 70.5))
    a = only(vp)
    ds = vp.stack.header(0)
    values = measure.modality_values(ds, vp.stack.stored(0))
    if tool is Tool.RECTANGLE:
        stats = measure.rectangle_roi(values, a.points[0], a.points[1], vp.spacing, "HU")
    else:
        (cx, cy), (ex, ey) = a.points
        stats = measure.ellipse_roi(values, (cx, cy), (abs(ex - cx), abs(ey - cy)),
                                    vp.spacing, "HU")  # fmt: skip
    label = vp.labels()[a.id]
    assert f"mean {stats.mean:.1f} HU" in label
    assert f"SD {stats.sd:.1f}" in label
    assert f"min {stats.minimum:g}" in label and f"max {stats.maximum:g}" in label
    assert "mm²" in label


def test_probe_shows_the_modality_value_of_the_pixel(qtbot, open_tab) -> None:
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    use(tab, Tool.PROBE)
    click(qtbot, vp, (64.5, 64.5))
    a = only(vp)
    values = measure.modality_values(vp.stack.header(0), vp.stack.stored(0))
    col, row = math.floor(a.points[0][0]), math.floor(a.points[0][1])
    assert vp.labels()[a.id] == f"({col}, {row}) {values[row, col]:g} HU"


def test_select_move_and_delete_an_annotation(qtbot, open_tab) -> None:
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    use(tab, Tool.DISTANCE)
    drag(qtbot, vp, (20.5, 20.5), (60.5, 20.5))
    before = only(vp).points
    use(tab, Tool.SELECT)
    click(qtbot, vp, (5.5, 100.5))  # nothing there: nothing selected
    assert vp.annotations().selected is None
    drag(qtbot, vp, (40.5, 20.5), (40.5, 50.5))  # grab the line in the middle, move it down
    moved = only(vp)
    assert vp.annotations().selected_id == moved.id
    dy = moved.points[0][1] - before[0][1]
    assert dy == pytest.approx(30.0, abs=1.5)
    assert moved.points[1][1] - before[1][1] == pytest.approx(dy)
    assert moved.points[0][0] == pytest.approx(before[0][0], abs=1.0)
    qtbot.keyClick(vp, Qt.Key.Key_Delete)
    assert len(vp.annotations()) == 0


def test_text_note_asks_for_its_text(qtbot, open_tab, monkeypatch) -> None:
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    monkeypatch.setattr(vp, "_ask_text", lambda: "cyst?")
    vp.drawing.ask_text = vp._ask_text
    use(tab, Tool.TEXT)
    click(qtbot, vp, (30.5, 30.5))
    assert only(vp).text == "cyst?" and vp.labels()[only(vp).id] == "cyst?"


def test_annotations_belong_to_their_image(qtbot, open_tab) -> None:
    tab = open_tab("emri_small.dcm")
    vp = tab.viewports[0]
    use(tab, Tool.ARROW)
    drag(qtbot, vp, (10.5, 10.5), (30.5, 30.5))
    assert len(vp.annotations()) == 1
    vp.scroll(1)
    assert len(vp.annotations()) == 0
    vp.scroll(-1)
    assert only(vp).kind is AnnotationKind.ARROW


def test_rotation_and_flip_move_the_orientation_letters_and_keep_graphics_on_anatomy(
    qtbot, open_tab
) -> None:
    tab = open_tab("CT_small.dcm")  # axial: rows run to the patient's left, columns to posterior
    vp = tab.viewports[0]
    letters = {n: vp.edges[n].text() for n in ("left", "right", "top", "bottom")}
    assert letters == {"left": "R", "right": "L", "top": "A", "bottom": "P"}
    use(tab, Tool.DISTANCE)
    drag(qtbot, vp, (10.5, 10.5), (40.5, 10.5))
    anchor = only(vp).points[0]
    tab.toolbar.action("rotate_right").trigger()
    assert vp.rotation == 90
    letters = {n: vp.edges[n].text() for n in ("left", "right", "top", "bottom")}
    assert letters == {"left": "P", "right": "A", "top": "R", "bottom": "L"}
    # the overlay turns with the image: the annotation's point maps to the same scene spot
    assert vp.overlay.mapToScene(QPointF(*anchor)) == vp.image_item.mapToScene(QPointF(*anchor))
    tab.toolbar.action("flip").trigger()
    letters = {n: vp.edges[n].text() for n in ("left", "right", "top", "bottom")}
    assert letters == {"left": "A", "right": "P", "top": "R", "bottom": "L"}
    tab.toolbar.action("reset").trigger()
    assert (vp.rotation, vp.flip_horizontal) == (0, False)


def test_invert_shows_the_negative(qtbot, open_tab) -> None:
    tab = open_tab("CT_small.dcm")
    vp = tab.viewports[0]
    before = vp.rendered_image().copy()
    tab.toolbar.action("invert").trigger()
    assert vp.invert and tab.toolbar.action("invert").isChecked()
    assert np.array_equal(vp.rendered_image(), 255 - before)


def test_cine_plays_a_multiframe_at_the_chosen_rate_and_stops(qtbot, open_tab) -> None:
    tab = open_tab("emri_small.dcm")
    vp = tab.viewports[0]
    tab.toolbar.fps.setValue(50.0)
    tab.toolbar.action("cine").trigger()
    assert vp.playing and vp.cine_timer.interval() == 20
    seen: set[int] = set()
    vp.index_changed.connect(seen.add)
    qtbot.waitUntil(lambda: len(seen) >= 10, timeout=10_000)  # looped through all 10 frames
    assert "Cine 50 fps" in vp.corners["bottom_right"].text()
    tab.toolbar.action("cine").trigger()
    assert not vp.playing


def test_key_image_flag_marks_the_image(qtbot, open_tab) -> None:
    tab = open_tab("emri_small.dcm")
    vp = tab.viewports[0]
    assert not vp.key_label.isVisible()
    tab.toolbar.action("key_image").trigger()
    assert vp.key_label.isVisible() and vp.stack.sop_uid(0) in vp.stack.key_images
    vp.scroll(1)  # a multi-frame: every frame is the same instance, so it stays flagged
    assert vp.key_label.isVisible()
    tab.toolbar.action("key_image").trigger()
    assert not vp.key_label.isVisible() and not vp.stack.key_images


def test_ct_presets_only_for_ct(open_tab) -> None:
    ct = open_tab("CT_small.dcm").toolbar.preset_combo
    mr = open_tab("MR_small.dcm").toolbar.preset_combo
    assert ct.findData("lung") >= 0 and ct.findData("auto") >= 0
    assert mr.findData("lung") < 0 and mr.findData("file") >= 0
    colour = open_tab("US1_UNCR.dcm").toolbar.preset_combo
    assert not colour.isEnabled()
