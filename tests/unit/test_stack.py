"""The series stack (imaging/stack.py, Qt-free): display order and the cine rate."""

from __future__ import annotations

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from workstation.imaging.stack import DEFAULT_CINE_FPS, ImageStack, IndexedImage, cine_rate


def test_cine_rate_of_a_shipped_ultrasound_loop_comes_from_its_frame_time() -> None:
    ds = pydicom.dcmread(get_testdata_file("examples_ybr_color.dcm"), stop_before_pixels=True)
    assert cine_rate(ds) == pytest.approx(1000.0 / 33.333)


def test_cine_rate_prefers_the_recommended_rate_and_falls_back_to_the_default() -> None:
    ds = Dataset()
    assert cine_rate(ds) == DEFAULT_CINE_FPS
    ds.FrameTime = 0
    assert cine_rate(ds) == DEFAULT_CINE_FPS
    ds.FrameTime = 50
    assert cine_rate(ds) == 20.0
    ds.CineRate = 25
    assert cine_rate(ds) == 25.0
    ds.RecommendedDisplayFrameRate = 30
    assert cine_rate(ds) == 30.0


def test_a_multi_frame_file_is_one_slice_per_frame() -> None:
    stack = ImageStack([get_testdata_file("emri_small.dcm")])
    assert len(stack) == 10
    assert [stack.frame(i) for i in range(10)] == list(range(10))


def test_indexed_order_is_by_instance_number_then_position() -> None:
    ct = get_testdata_file("CT_small.dcm")
    images = [IndexedImage(ct, 2, 1), IndexedImage(ct, None, 1), IndexedImage(ct, 1, 1)]
    stack = ImageStack([], indexed=images)
    assert len(stack) == 3 and all(s.header is None for s in stack.slices)  # nothing read
    assert stack.sop_uid(0) == pydicom.dcmread(ct).SOPInstanceUID
