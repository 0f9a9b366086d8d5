"""A series opened from the store's index is ordered without reading its files first."""

from __future__ import annotations

import random
from io import BytesIO

import pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from workstation.imaging.stack import ImageStack
from workstation.store import LocalStore
from workstation.store.series_info import indexed_images


def _series(store: LocalStore, count: int) -> tuple[str, list[str]]:
    """``count`` CT slices stored in shuffled order; returns the series UID and the SOP UIDs
    in instance-number order."""
    src = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    src.StudyInstanceUID, src.SeriesInstanceUID = generate_uid(), generate_uid()
    numbers = list(range(1, count + 1))
    random.Random(7).shuffle(numbers)
    by_number: dict[int, str] = {}
    for n in numbers:
        src.SOPInstanceUID = src.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        src.InstanceNumber = n
        src.ImagePositionPatient = [0.0, 0.0, float(-n)]  # position disagrees: number wins
        buf = BytesIO()
        src.save_as(buf, enforce_file_format=True)
        store.add_bytes(buf.getvalue())
        by_number[n] = src.SOPInstanceUID
    return src.SeriesInstanceUID, [by_number[n] for n in sorted(by_number)]


def test_index_order_needs_no_header_and_follows_instance_numbers(store) -> None:
    series_uid, expected = _series(store, 12)
    stack = ImageStack([], indexed=indexed_images(store, series_uid))
    assert stack._headers == {}  # nothing read yet
    assert [stack.header(i).SOPInstanceUID for i in range(len(stack))] == expected
    assert len(stack._headers) == 12  # read once each, on demand


def test_index_order_uses_positions_when_numbers_are_equal(store) -> None:
    series_uid, _ = _series(store, 6)
    with store.index.transaction() as c:  # same instance number for all: positions decide
        c.execute("UPDATE instance SET instance_number = 1")
    stack = ImageStack([], indexed=indexed_images(store, series_uid))
    z = [float(stack.header(i).ImagePositionPatient[2]) for i in range(len(stack))]
    assert z == sorted(z)
