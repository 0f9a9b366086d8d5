"""Viewer objects: KOS, GSPS and SC saved into the store, found again for their series."""

from __future__ import annotations

import errno
import logging

import numpy as np
import pydicom
import pytest
from iod_check import assert_iod_valid
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from test_builders_gsps import MEASUREMENTS, NOTES

from workstation.dicom.builders.common import part10_bytes
from workstation.dicom.builders.gsps import GSPS_SOP_CLASS
from workstation.dicom.builders.kos import KOS_SOP_CLASS
from workstation.dicom.builders.secondary_capture import SC_SOP_CLASS
from workstation.dicom.display_state import DisplayedArea, DisplayState, Window
from workstation.dicom.uids import new_uid
from workstation.errors import BuildError, InsufficientSpaceError, ObjectSaveError
from workstation.imaging.gsps import read_kos, read_presentation_state
from workstation.services import viewer_objects
from workstation.services.viewer_objects import (
    ObjectKind,
    key_images_for_series,
    presentation_objects_for_series,
    save_key_objects,
    save_presentation_state,
    save_secondary_capture,
)
from workstation.store import LocalStore

STATE = DisplayState(
    window=Window(40.0, 400.0, explanation="Weichteil"),
    displayed_area=DisplayedArea((1, 1), (128, 128)),
    rotation=90,
    flip_horizontal=True,
    layers=(MEASUREMENTS, NOTES),
)


def shipped(name: str) -> Dataset:
    return pydicom.dcmread(get_testdata_file(name))


def second_series(source: Dataset, count: int = 2) -> list[Dataset]:
    """Copies of a shipped image as another series of the same study (no such pair ships)."""
    series_uid = new_uid()
    out = []
    for number in range(1, count + 1):
        ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
        ds.StudyInstanceUID = source.StudyInstanceUID
        ds.SeriesInstanceUID = series_uid
        ds.SOPInstanceUID = new_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = number
        out.append(ds)
    return out


@pytest.fixture
def loaded(store: LocalStore) -> tuple[LocalStore, Dataset, list[Dataset], Dataset]:
    """The store with CT_small (series A), two more images of its study (series B) and
    MR_small (another study)."""
    ct, mr = shipped("CT_small.dcm"), shipped("MR_small.dcm")
    others = second_series(ct)
    for ds in (ct, *others, mr):
        store.add_bytes(part10_bytes(ds), source="test")
    return store, ct, others, mr


def read_stored(store: LocalStore, saved) -> Dataset:
    row = store.index.instance(saved.sop_instance_uid)
    assert row is not None and row["source"] == viewer_objects.SOURCE
    assert store.path_of(row["rel_path"]) == saved.path
    assert row["series_uid"] == saved.series_instance_uid
    assert row["study_uid"] == saved.study_instance_uid
    return pydicom.dcmread(saved.path)


# -- saving --------------------------------------------------------------------------------
def test_saved_kos_is_indexed_valid_and_flags_come_back_for_its_series(loaded) -> None:
    store, ct, others, mr = loaded
    saved = save_key_objects(store, [others[1]], description="Befund", observer="Müller^Hans")
    assert saved.kind is ObjectKind.KOS
    assert saved.study_instance_uid == ct.StudyInstanceUID
    ds = read_stored(store, saved)
    assert ds.SOPClassUID == KOS_SOP_CLASS
    assert_iod_valid(ds, "KeyObjectSelectionDocument")
    assert read_kos(ds).instance_uids == (others[1].SOPInstanceUID,)
    assert key_images_for_series(store, others[1].SeriesInstanceUID) == {others[1].SOPInstanceUID}
    assert key_images_for_series(store, ct.SeriesInstanceUID) == set()
    assert key_images_for_series(store, mr.SeriesInstanceUID) == set()


def test_saved_gsps_is_indexed_valid_and_reads_back_the_same_window_and_graphics(loaded) -> None:
    store, ct, _, _ = loaded
    saved = save_presentation_state(
        store, [ct], STATE, label="Befund 1", creator="Müller^Hans", description="Leber"
    )
    assert saved.kind is ObjectKind.GSPS
    ds = read_stored(store, saved)
    assert ds.SOPClassUID == GSPS_SOP_CLASS
    assert_iod_valid(ds, "GrayscaleSoftcopyPresentationState")
    states = read_presentation_state(ds)
    assert states == {ct.SOPInstanceUID: STATE}
    assert states[ct.SOPInstanceUID].window == Window(40.0, 400.0, explanation="Weichteil")
    assert states[ct.SOPInstanceUID].layers == (MEASUREMENTS, NOTES)


def test_saved_gsps_with_a_state_per_image(loaded) -> None:
    store, _, others, _ = loaded
    states = {
        others[0].SOPInstanceUID: DisplayState(window=Window(40.0, 400.0)),
        others[1].SOPInstanceUID: DisplayState(window=Window(-600.0, 1500.0)),
    }
    saved = save_presentation_state(store, others, states, label="two windows")
    ds = read_stored(store, saved)
    assert_iod_valid(ds, "GrayscaleSoftcopyPresentationState")
    back = read_presentation_state(ds)
    assert {uid: s.window for uid, s in back.items()} == {
        uid: s.window for uid, s in states.items()
    }


@pytest.mark.parametrize("colour", [False, True])
def test_saved_capture_is_indexed_valid_and_keeps_its_pixels(loaded, colour) -> None:
    store, ct, _, _ = loaded
    ramp = (np.arange(97 * 121) % 251).astype(np.uint8).reshape(97, 121)
    pixels = np.stack([ramp, ramp[::-1], 255 - ramp], axis=2) if colour else ramp
    saved = save_secondary_capture(store, pixels, ct, description="Ansicht")
    assert saved.kind is ObjectKind.SC
    ds = read_stored(store, saved)
    assert ds.SOPClassUID == SC_SOP_CLASS
    assert_iod_valid(ds, "SCImage")
    assert np.array_equal(ds.pixel_array, pixels)
    assert ds.SourceImageSequence[0].ReferencedSOPInstanceUID == ct.SOPInstanceUID


# -- finding -------------------------------------------------------------------------------
def test_a_presentation_state_of_series_b_is_not_listed_for_series_a(loaded) -> None:
    store, ct, others, _ = loaded
    series_b = others[0].SeriesInstanceUID
    gsps_b = save_presentation_state(store, others, STATE, label="Serie B", creator="Ärztin^A")
    kos_b = save_key_objects(store, [others[0]], description="B", observer="Ärztin^A")
    assert presentation_objects_for_series(store, ct.SeriesInstanceUID) == []
    listed = presentation_objects_for_series(store, series_b)
    assert {r.sop_instance_uid for r in listed} == {gsps_b.sop_instance_uid, kos_b.sop_instance_uid}
    gsps = next(r for r in listed if r.kind is ObjectKind.GSPS)
    assert (gsps.label, gsps.creator, gsps.path) == ("SERIE B", "Ärztin^A", gsps_b.path)
    assert gsps.content_date and gsps.content_time
    assert set(gsps.referenced_sop_instance_uids) == {d.SOPInstanceUID for d in others}
    kos = next(r for r in listed if r.kind is ObjectKind.KOS)
    assert (kos.label, kos.description, kos.creator) == ("Of Interest", "B", "Ärztin^A")
    assert kos.referenced_sop_instance_uids == (others[0].SOPInstanceUID,)
    assert kos.title_code == "113000"


def test_presentation_state_over_two_series_is_listed_for_both(loaded) -> None:
    store, ct, others, _ = loaded
    saved = save_presentation_state(store, [ct, others[0]], DisplayState(window=Window(0, 100)))
    for series in (ct.SeriesInstanceUID, others[0].SeriesInstanceUID):
        (record,) = presentation_objects_for_series(store, series)
        assert record.sop_instance_uid == saved.sop_instance_uid
    (record,) = presentation_objects_for_series(store, ct.SeriesInstanceUID)
    assert record.referenced_sop_instance_uids == (ct.SOPInstanceUID,)


def test_objects_are_listed_newest_first(loaded, monkeypatch) -> None:
    store, ct, _, _ = loaded
    from workstation.dicom.builders import gsps as gsps_builder

    monkeypatch.setattr(gsps_builder, "now", lambda: ("20240101", "080000"))
    older = save_presentation_state(store, [ct], STATE, label="old")
    monkeypatch.setattr(gsps_builder, "now", lambda: ("20240102", "070000"))
    newer = save_presentation_state(store, [ct], STATE, label="new")
    listed = presentation_objects_for_series(store, ct.SeriesInstanceUID)
    assert [r.sop_instance_uid for r in listed] == [newer.sop_instance_uid, older.sop_instance_uid]


def test_key_images_skip_rejection_notes_and_can_be_limited_to_titles(loaded) -> None:
    store, _, others, _ = loaded
    series_b = others[0].SeriesInstanceUID
    save_key_objects(store, [others[0]])
    rejected = ("113001", "DCM", "Rejected for Quality Reasons")
    save_key_objects(store, [others[1]], title_code=rejected)
    teaching = ("113004", "DCM", "For Teaching")
    save_key_objects(store, [others[1]], title_code=teaching)
    assert key_images_for_series(store, series_b) == {o.SOPInstanceUID for o in others}
    assert key_images_for_series(store, series_b, titles={"113000"}) == {others[0].SOPInstanceUID}
    assert key_images_for_series(store, series_b, titles={"113001"}) == {others[1].SOPInstanceUID}


def test_a_damaged_presentation_state_file_is_skipped_with_a_warning(loaded, caplog) -> None:
    store, ct, _, _ = loaded
    good = save_presentation_state(store, [ct], STATE, label="good")
    bad = save_presentation_state(store, [ct], STATE, label="bad")
    bad.path.write_bytes(b"not DICOM at all")
    with caplog.at_level(logging.WARNING, logger=viewer_objects.__name__):
        listed = presentation_objects_for_series(store, ct.SeriesInstanceUID)
    assert [r.sop_instance_uid for r in listed] == [good.sop_instance_uid]
    assert bad.sop_instance_uid in caplog.text


def test_an_unknown_series_has_no_objects(loaded) -> None:
    store, _, _, _ = loaded
    assert presentation_objects_for_series(store, "1.2.3.4.5") == []
    assert key_images_for_series(store, "1.2.3.4.5") == set()


# -- failures ------------------------------------------------------------------------------
def count(store: LocalStore) -> int:
    return store.index.count("instance")


def test_nothing_to_build_raises_build_error_and_stores_nothing(loaded) -> None:
    store, ct, _, _ = loaded
    before = count(store)
    with pytest.raises(BuildError):
        save_key_objects(store, [])
    with pytest.raises(BuildError):
        save_secondary_capture(store, np.zeros((4, 4), dtype=np.uint16), ct)
    with pytest.raises(BuildError):
        save_presentation_state(store, [ct], {"1.2.3": STATE})  # no state for the image
    assert count(store) == before


def test_a_disk_failure_raises_object_save_error_and_leaves_no_file(loaded, monkeypatch) -> None:
    store, ct, _, _ = loaded
    before = count(store)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("workstation.store.local_store.files.write_temp", disk_full)
    with pytest.raises(ObjectSaveError) as caught:
        save_presentation_state(store, [ct], STATE)
    assert caught.value.code == "viewer.save"
    assert caught.value.message() == (
        "Cannot save the presentation state in the local store: No space left on device"
    )
    assert count(store) == before
    assert store.reconcile().clean


def test_below_the_free_space_threshold_the_store_refuses_with_its_typed_error(
    tmp_path,
) -> None:
    ct = shipped("CT_small.dcm")
    with LocalStore(tmp_path / "full", min_free_space_mb=10**12) as store:
        with pytest.raises(InsufficientSpaceError):
            save_key_objects(store, [ct])
        assert count(store) == 0
