"""Thumbnails from the shipped files: LUTs, windows, MONOCHROME1, colour, multi-frame, cache."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from workstation.imaging import thumbnails
from workstation.imaging.thumbnails import (
    ThumbnailCache,
    ThumbnailError,
    middle_frame,
    render_thumbnail,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def shipped(name: str) -> Path:
    return Path(get_testdata_file(name))


def min_max_8bit(values: np.ndarray) -> np.ndarray:
    lo, hi = float(values.min()), float(values.max())
    return np.rint((values - lo) / (hi - lo) * 255).astype(np.uint8)


def test_signed_ct_gets_the_modality_lut_and_min_max_window() -> None:
    path = shipped("CT_small.dcm")  # signed 16-bit, rescale, no window in the file
    ds = pydicom.dcmread(path)
    assert ds.PixelRepresentation == 1 and "WindowCenter" not in ds
    hu = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    thumb = render_thumbnail(path)
    assert thumb.dtype == np.uint8 and thumb.shape == (128, 128)
    assert np.array_equal(thumb, min_max_8bit(hu))


def test_window_from_the_file_is_used() -> None:
    path = shipped("MR_small.dcm")
    ds = pydicom.dcmread(path)
    c, w = float(ds.WindowCenter), float(ds.WindowWidth)
    values = ds.pixel_array.astype(np.float64)
    lo, hi = c - 0.5 - (w - 1) / 2, c - 0.5 + (w - 1) / 2
    expected = np.rint(np.clip((values - lo) / (hi - lo), 0, 1) * 255).astype(np.uint8)
    thumb = render_thumbnail(path)
    assert thumb.shape == (64, 64)
    assert np.array_equal(thumb, expected)
    assert not np.array_equal(thumb, min_max_8bit(values))  # the window made a difference


def test_monochrome1_is_inverted(tmp_path: Path) -> None:
    path = shipped("RG3_UNCI.dcm")  # CR, MONOCHROME1, 1760 x 1760
    assert pydicom.dcmread(path, stop_before_pixels=True).PhotometricInterpretation == "MONOCHROME1"
    as_mono2 = tmp_path / "mono2.dcm"
    ds = pydicom.dcmread(path)
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.save_as(as_mono2)
    inverted, plain = render_thumbnail(path), render_thumbnail(as_mono2)
    assert inverted.shape == plain.shape and 100 < max(inverted.shape) <= 128
    assert np.array_equal(inverted.astype(int) + plain.astype(int), np.full(plain.shape, 255))


def test_large_image_is_averaged_down_to_the_size() -> None:
    thumb = render_thumbnail(shipped("RG1_UNCI.dcm"), size=96)  # 1955 x 1841
    assert max(thumb.shape) <= 96 and min(thumb.shape) > 80
    assert thumb.dtype == np.uint8


def test_rgb_keeps_its_colours() -> None:
    thumb = render_thumbnail(shipped("SC_rgb.dcm"))  # bands: red, green, blue, ...
    assert thumb.shape == (100, 100, 3) and thumb.dtype == np.uint8
    assert tuple(thumb[5, 50]) == (255, 0, 0)
    assert tuple(thumb[15, 50]) == (255, 128, 128)
    assert tuple(thumb[25, 50]) == (0, 255, 0)


def test_16_bit_rgb_is_scaled_to_8_bits() -> None:
    thumb = render_thumbnail(shipped("SC_rgb_16bit.dcm"))
    assert thumb.dtype == np.uint8
    assert tuple(thumb[5, 50]) == (255, 0, 0)


def test_ybr_is_converted_to_rgb() -> None:
    rgb = render_thumbnail(shipped("SC_rgb.dcm")).astype(int)
    ybr = render_thumbnail(shipped("SC_ybr_full_uncompressed.dcm")).astype(int)
    assert ybr.shape == rgb.shape
    assert np.abs(ybr - rgb).max() <= 8  # the colour conversion rounds


def test_palette_colour_goes_through_its_lut() -> None:
    thumb = render_thumbnail(shipped("OBXXXX1A.dcm"))  # US, PALETTE COLOR, 600 x 800
    assert thumb.ndim == 3 and thumb.shape[2] == 3 and max(thumb.shape[:2]) <= 128
    assert (thumb[..., 0] != thumb[..., 2]).any()  # really in colour


def test_multi_frame_shows_the_middle_frame() -> None:
    path = shipped("emri_small.dcm")  # 10 frames, MONOCHROME2, no window
    ds = pydicom.dcmread(path)
    assert middle_frame(ds) == 5
    expected = min_max_8bit(ds.pixel_array[5].astype(np.float64))
    thumb = render_thumbnail(path)
    assert np.array_equal(thumb, expected)
    assert not np.array_equal(thumb, min_max_8bit(ds.pixel_array[0].astype(np.float64)))


def test_multi_frame_colour_middle_frame() -> None:
    path = shipped("SC_rgb_2frame.dcm")  # frame 1 is the inverse of frame 0
    ds = pydicom.dcmread(path)
    thumb = render_thumbnail(path)
    assert np.array_equal(thumb, ds.pixel_array[1])


def test_compressed_files_decode() -> None:
    for name in ("MR_small_RLE.dcm", "JPEG2000.dcm", "SC_rgb_jpeg_dcmtk.dcm"):
        thumb = render_thumbnail(shipped(name))
        assert thumb.dtype == np.uint8 and thumb.size > 0, name


def test_instance_without_pixels_has_no_thumbnail() -> None:
    with pytest.raises(ThumbnailError) as err:
        render_thumbnail(shipped("rtplan.dcm"))
    assert err.value.code == "imaging.thumbnail"
    assert "no image" in err.value.message()


def test_cache_writes_once_and_reads_back(tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "ct.dcm"
    shutil.copy2(shipped("CT_small.dcm"), source)
    cache = ThumbnailCache(tmp_path / "thumbs", size=64)
    first = cache.get("1.2.3", "1.2.3.4", source)
    cached = cache.path_for("1.2.3", "1.2.3.4")
    assert cached.is_file() and first.shape == (64, 64)

    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered again although cached")

    monkeypatch.setattr(thumbnails, "render_thumbnail", must_not_render)
    assert np.array_equal(cache.get("1.2.3", "1.2.3.4", source), first)


def test_cache_renders_again_when_the_file_is_newer(tmp_path: Path, monkeypatch) -> None:
    source = tmp_path / "ct.dcm"
    shutil.copy2(shipped("CT_small.dcm"), source)
    cache = ThumbnailCache(tmp_path / "thumbs")
    cache.get("s", "i", source)
    later = time.time() + 10
    os.utime(source, (later, later))
    calls = []
    real = thumbnails.render_thumbnail

    def counting(path, size):
        calls.append(path)
        return real(path, size)

    monkeypatch.setattr(thumbnails, "render_thumbnail", counting)
    cache.get("s", "i", source)
    assert calls == [source]


def test_forget_series_removes_its_thumbnails(tmp_path: Path) -> None:
    source = shipped("CT_small.dcm")
    cache = ThumbnailCache(tmp_path / "thumbs")
    cache.get("1.2.1", "a", source)
    cache.get("1.2.1", "b", source)
    cache.get("1.2.2", "c", source)
    assert cache.forget_series("1.2.1") == 2
    assert [p.name.split("__")[0] for p in (tmp_path / "thumbs").glob("*.npy")] == ["1.2.2"]


# -- deleted studies and series take their cached thumbnails with them -----------------
def _two_studies(folder: Path) -> list[Path]:
    """CT_small and MR_small copies: two studies, one series each."""
    folder.mkdir()
    return [Path(shutil.copy2(shipped(n), folder / n)) for n in ("CT_small.dcm", "MR_small.dcm")]


def _cache_all(store) -> tuple[ThumbnailCache, dict[str, tuple[str, str]]]:
    """A thumbnail for every stored instance, in the store's thumbnail folder."""
    cache = ThumbnailCache(store.root / thumbnails.THUMBNAIL_FOLDER)
    made = {}
    for path in sorted(store.root.rglob("*.dcm")):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        cache.get(str(ds.SeriesInstanceUID), str(ds.SOPInstanceUID), path)
        made[str(ds.StudyInstanceUID)] = (str(ds.SeriesInstanceUID), str(ds.SOPInstanceUID))
    return cache, made


@pytest.mark.parametrize("how", ["delete_study", "delete_studies", "delete_series"])
def test_deleting_from_the_store_removes_the_thumbnails(store, tmp_path: Path, how: str) -> None:
    from workstation.store.cleanup import delete_studies

    for path in _two_studies(tmp_path / "in"):
        store.add_file(path)
    cache, made = _cache_all(store)
    (gone_study, (gone_series, gone_sop)), (kept_study, (kept_series, kept_sop)) = made.items()
    assert cache.path_for(gone_series, gone_sop).exists()
    if how == "delete_study":
        store.delete_study(gone_study)
    elif how == "delete_studies":  # the storage dialog and the cleanup job
        assert [u.study_uid for u in delete_studies(store, [gone_study]).deleted] == [gone_study]
    else:
        store.delete_series(gone_series)
    assert not cache.path_for(gone_series, gone_sop).exists()
    assert cache.path_for(kept_series, kept_sop).exists()
    assert list(cache.folder.glob(f"{gone_series}__*")) == []
