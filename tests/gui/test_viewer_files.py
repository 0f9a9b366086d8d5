"""The viewer opens what import reads: files without preamble or file meta, and shows
big-endian PALETTE COLOR images in the colours of their little-endian twins."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import workstation_app
from pydicom.data import get_testdata_file

from tests.unit.test_dicom_read import write_without_preamble
from workstation.imaging.pipeline import FrameSource

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore::UserWarning")]


open_tab = workstation_app.open_tab  # the fixture: names of shipped files or Paths


def test_a_data_set_without_preamble_or_file_meta_opens(open_tab, tmp_path: Path) -> None:
    bare = write_without_preamble("CT_small.dcm", tmp_path / "ct_bare", implicit=True)
    tab = open_tab(bare)
    vp = tab.viewports[0]
    assert vp.count() == 1
    original = FrameSource(get_testdata_file("CT_small.dcm"))
    assert vp.window == original.default_window(0)
    assert np.array_equal(vp.rendered_image(), original.render(0, vp.window))
    assert "CompressedSamples CT1" in vp.corners["top_left"].text()


def test_a_big_endian_series_without_file_meta_opens(open_tab, tmp_path: Path) -> None:
    bare = write_without_preamble(
        "MR_small_bigendian.dcm", tmp_path / "mr_be", implicit=False, little=False
    )
    vp = open_tab(bare).viewports[0]
    original = FrameSource(get_testdata_file("MR_small.dcm"))
    assert np.array_equal(vp.rendered_image(), original.render(0, vp.window))


def test_a_shipped_palette_file_without_preamble_opens_in_colour(open_tab) -> None:
    vp = open_tab("OT-PAL-8-face.dcm").viewports[0]
    image = vp.rendered_image()
    assert image.shape == (480, 640, 3)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 50


def test_a_big_endian_palette_shows_the_little_endian_colours(open_tab) -> None:
    vp = open_tab("OBXXXX1A_expb.dcm").viewports[0]
    expected = FrameSource(get_testdata_file("OBXXXX1A.dcm")).render(0)
    assert np.array_equal(vp.rendered_image(), expected)
