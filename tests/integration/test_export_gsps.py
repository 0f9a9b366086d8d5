"""``workstation export-image --presentation-state``: a GSPS's window, graphics, displayed
area and rotation applied to the exported PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from tests.integration.test_export_image import read_png
from workstation.cli import main
from workstation.dicom.builders.gsps import build_gsps
from workstation.dicom.display_state import (
    DisplayedArea,
    DisplayState,
    Graphic,
    GraphicLayer,
    GraphicType,
    Window,
)

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]

LINE = ((10.0, 20.0), (50.0, 20.0))  # (column, row), 1-based: row 20, columns 10..50


def _ct() -> Path:
    return Path(get_testdata_file("CT_small.dcm"))


def _gsps(tmp_path: Path, image: Path, state: DisplayState) -> Path:
    path = tmp_path / "state.dcm"
    build_gsps([pydicom.dcmread(image)], state).save_as(path, enforce_file_format=True)
    return path


def _export(tmp_path: Path, name: str, *options: str) -> tuple[int, np.ndarray | None]:
    out = tmp_path / name
    code = main(["export-image", str(_ct()), "--out", str(out), *options])
    return code, read_png(out) if out.exists() else None


def test_gsps_window_rotation_and_polyline_match_the_plain_export_rotated_clockwise(
    tmp_path: Path,
) -> None:
    layer = GraphicLayer("LINES", graphics=(Graphic(GraphicType.POLYLINE, LINE),))
    state = DisplayState(window=Window(40, 400), rotation=90, layers=(layer,))
    gsps = _gsps(tmp_path, _ct(), state)
    code, plain = _export(tmp_path, "plain.png", "--window", "40", "400")
    assert code == 0
    code, shown = _export(tmp_path, "gsps.png", "--presentation-state", str(gsps))
    assert code == 0
    expected = plain.copy()
    expected[19, 9:50] = 255  # the polyline in image pixels (0-based row 19, columns 9..49)
    expected = np.rot90(expected, k=-1)  # 90 degrees clockwise (PS3.3 C.10.6)
    assert shown.shape == (plain.shape[1], plain.shape[0])
    assert np.array_equal(shown, expected)
    rows = plain.shape[0]
    assert (shown[9:50, rows - 1 - 19] == 255).all()  # the line, now vertical


def test_gsps_displayed_area_and_flip_crop_and_mirror_the_export(tmp_path: Path) -> None:
    area = DisplayedArea((11, 21), (60, 40))  # columns 11..60, rows 21..40
    state = DisplayState(window=Window(40, 400), displayed_area=area, flip_horizontal=True)
    gsps = _gsps(tmp_path, _ct(), state)
    _, plain = _export(tmp_path, "plain.png", "--window", "40", "400")
    code, shown = _export(tmp_path, "gsps.png", "--presentation-state", str(gsps))
    assert code == 0
    assert np.array_equal(shown, plain[20:40, 10:60][:, ::-1])


def test_gsps_that_does_not_reference_the_image_exits_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = Path(get_testdata_file("MR_small.dcm"))
    gsps = _gsps(tmp_path, other, DisplayState(window=Window(40, 400)))
    code, shown = _export(tmp_path, "x.png", "--presentation-state", str(gsps))
    assert code == 2 and shown is None
    err = capsys.readouterr().err
    assert "does not reference the image" in err
    assert pydicom.dcmread(_ct()).SOPInstanceUID in err
