"""The viewer registry: the viewer each kind of series and object opens in today, priorities,
and one registration adding a viewer. The registry is Qt-free: no widget is made here."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from workstation.dicom.builders.gsps import GSPS_SOP_CLASS
from workstation.dicom.builders.kos import KOS_SOP_CLASS
from workstation.dicom.builders.secondary_capture import SC_SOP_CLASS
from workstation.imaging.encapsulated import ENCAPSULATED_CDA, ENCAPSULATED_PDF
from workstation.imaging.stack import IndexedImage
from workstation.store.series_info import SeriesInfo
from workstation.ui.viewers import registry
from workstation.ui.viewers.registry import (
    ObjectInfo,
    ObjectView,
    SeriesViewer,
    object_view_for,
    register_object_view,
    register_series_viewer,
    series_viewer_for,
    series_viewers_for,
    viewable_objects,
)

CT = "1.2.840.10008.5.1.4.1.1.2"
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"
COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
TWELVE_LEAD_ECG = "1.2.840.10008.5.1.4.1.1.9.1.1"
GENERAL_AUDIO = "1.2.840.10008.5.1.4.1.1.9.4.2"


def shipped(name: str) -> Dataset:
    return pydicom.dcmread(get_testdata_file(name))


def series(*sop_classes: str, images: int = 0) -> SeriesInfo:
    """A series as the index knows it: ``images`` image instances, plus objects."""
    pictures = tuple(IndexedImage(f"/s/{n}.dcm", n, 1) for n in range(images))
    instances = tuple((CT, Path(p.path)) for p in pictures) + tuple(
        (c, Path(f"/s/o{n}.dcm")) for n, c in enumerate(sop_classes)
    )
    return SeriesInfo("1.2.3", pictures, instances)


@pytest.fixture
def restore_tables() -> Iterator[None]:
    saved = list(registry.SERIES_VIEWERS), list(registry.OBJECT_VIEWS)
    yield
    registry.SERIES_VIEWERS[:], registry.OBJECT_VIEWS[:] = saved


# -- what opens each kind of object today ----------------------------------------------
@pytest.mark.parametrize(
    ("sop_class", "view"),
    [
        (BASIC_TEXT_SR, "sr"),
        (COMPREHENSIVE_SR, "sr"),
        (KOS_SOP_CLASS, "sr"),  # a key object selection is an SR document: shown as text
        (ENCAPSULATED_PDF, "pdf"),
        (ENCAPSULATED_CDA, "cda"),
        (TWELVE_LEAD_ECG, "waveform"),
        (GENERAL_AUDIO, "waveform"),  # every Waveform Storage class
        (GSPS_SOP_CLASS, None),  # a presentation state is applied in the viewer, not shown
        (CT, None),  # images open in the image viewer, not as an object
        (SC_SOP_CLASS, None),
        ("", None),
    ],
)
def test_object_view_by_sop_class(sop_class: str, view: str | None) -> None:
    found = object_view_for(ObjectInfo(sop_class))
    assert (found.name if found else None) == view


def test_object_view_of_shipped_files() -> None:
    assert object_view_for(ObjectInfo.of(shipped("test-SR.dcm"))).name == "sr"
    assert object_view_for(ObjectInfo.of(shipped("waveform_ecg.dcm"))).name == "waveform"
    assert object_view_for(ObjectInfo.of(shipped("CT_small.dcm"))) is None


def test_content_decides_when_the_header_is_read_but_not_from_the_index() -> None:
    report = Dataset()
    report.SOPClassUID = "1.2.826.0.1.3680043.8.498.999"  # a private class
    report.Modality = "SR"
    report.ContentSequence = []
    assert object_view_for(ObjectInfo.of(report)).name == "sr"
    assert object_view_for(ObjectInfo(report.SOPClassUID)) is None  # the index knows less
    wave = Dataset()
    wave.SOPClassUID = "1.2.826.0.1.3680043.8.498.998"
    wave.WaveformSequence = []
    assert object_view_for(ObjectInfo.of(wave)).name == "waveform"
    both = Dataset()  # an SR that also carries waveforms: the SR view wins, as before
    both.SOPClassUID, both.Modality, both.ContentSequence = BASIC_TEXT_SR, "SR", []
    both.WaveformSequence = []
    assert object_view_for(ObjectInfo.of(both)).name == "sr"


# -- what opens each kind of series today ----------------------------------------------
@pytest.mark.parametrize(
    ("info", "viewer"),
    [
        (series(images=3), "images"),
        (series(BASIC_TEXT_SR, images=1), "images"),  # images win over objects beside them
        (series(BASIC_TEXT_SR), "objects"),
        (series(KOS_SOP_CLASS), "objects"),
        (series(ENCAPSULATED_PDF), "objects"),
        (series(ENCAPSULATED_CDA), "objects"),
        (series(TWELVE_LEAD_ECG), "objects"),
        (series(GSPS_SOP_CLASS, BASIC_TEXT_SR), "objects"),
        (series(GSPS_SOP_CLASS), None),  # nothing the viewer can show
        (series(), None),
    ],
)
def test_series_viewer(info: SeriesInfo, viewer: str | None) -> None:
    found = series_viewer_for(info)
    assert (found.name if found else None) == viewer


def test_an_object_series_opens_only_what_a_view_can_show() -> None:
    info = series(GSPS_SOP_CLASS, ENCAPSULATED_PDF, GSPS_SOP_CLASS, TWELVE_LEAD_ECG)
    assert viewable_objects(info) == [Path("/s/o1.dcm"), Path("/s/o3.dcm")]


# -- adding a viewer -----------------------------------------------------------------------
def test_one_registration_adds_a_viewer_chosen_by_priority(restore_tables) -> None:
    def is_ct_volume(info: SeriesInfo) -> bool:
        return len(info.images) >= 3

    register_series_viewer(SeriesViewer("volume", is_ct_volume, "some.module:open", 5))
    assert series_viewer_for(series(images=3)).name == "images"  # higher priority
    assert [v.name for v in series_viewers_for(series(images=3))] == ["images", "volume"]
    register_series_viewer(SeriesViewer("volume", is_ct_volume, "some.module:open", 500))
    assert series_viewer_for(series(images=3)).name == "volume"  # replaced by name
    assert series_viewer_for(series(images=2)).name == "images"
    assert [v.name for v in registry.SERIES_VIEWERS].count("volume") == 1

    made: list[Dataset] = []
    register_object_view(ObjectView(
        "presentation", lambda o: o.sop_class == GSPS_SOP_CLASS,
        lambda ds, parent: made.append(ds) or "a widget", priority=1,
    ))  # fmt: skip
    ds = Dataset()
    ds.SOPClassUID = GSPS_SOP_CLASS
    assert registry.view_for(ds) == "a widget" and made == [ds]
    assert series_viewer_for(series(GSPS_SOP_CLASS)).name == "objects"


def test_an_opener_is_named_and_imported_on_first_use() -> None:
    assert registry.resolve("os.path:join")("a", "b") == str(Path("a", "b"))
    assert registry.resolve("pathlib:Path.cwd")() == Path.cwd()
    built_in = {v.name: v.opens for v in registry.SERIES_VIEWERS}
    assert built_in["images"] == "workstation.ui.viewer.viewer_tab:open_image_series"


def test_the_registry_loads_without_qt() -> None:
    code = (
        "import sys, workstation.ui.viewers.registry as r\n"
        "assert r.series_viewer_for(r.SeriesInfo('1')) is None\n"
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
