"""A series as an ordered stack of 2D images (instances, or frames of multi-frame files).

Headers are read without pixel data; single-frame pixels are read and decoded on demand
into the shared :class:`FrameCache` (so the raw file bytes are not kept), multi-frame files
keep one :class:`FrameSource`. Everything here is Qt-free and safe to decode from the
prefetch thread; :class:`~workstation.imaging.volume.Volume` builds a 3D array from a stack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset

from workstation.dicom.display_state import DisplayState
from workstation.dicom.read import read_dicom
from workstation.errors import PixelDataError
from workstation.imaging import geometry, luts, measure, pixels
from workstation.imaging.annotations import AnnotationSet
from workstation.imaging.frame_cache import FrameCache
from workstation.imaging.luts import VoiLut, Window
from workstation.imaging.pipeline import FrameSource, WindowLike, default_voi, render_stored

DEFAULT_CINE_FPS = 15.0


@dataclass(frozen=True)
class Slice:
    """One displayed image: ``frame`` (0-based) of the file ``path``; ``header`` is None
    until it is first needed when the order came from the index."""

    path: str
    frame: int
    header: Dataset | None = None


@dataclass(frozen=True)
class IndexedImage:
    """An image as the store's index knows it: ordering a series needs no file read."""

    path: str
    instance_number: float | None
    frames: int
    position: str = ""  # Image Position (Patient), backslash-separated
    orientation: str = ""  # Image Orientation (Patient)


def _position_key(position: object, orientation: object) -> float:
    """Distance along the slice normal (inf when position or orientation is unknown)."""
    ipp = luts.numbers(position)
    iop = luts.numbers(orientation)
    if len(ipp) != 3 or len(iop) != 6:
        return math.inf
    normal = np.cross(iop[:3], iop[3:])
    return float(np.dot(normal, ipp))


def _sort_key(ds: Dataset, path: str) -> tuple:
    number = luts.first_number(ds.get("InstanceNumber"))
    position = _position_key(ds.get("ImagePositionPatient"), ds.get("ImageOrientationPatient"))
    return (math.inf if number is None else number, position, path)


def _indexed_key(image: IndexedImage) -> tuple:
    number = image.instance_number
    # the index keeps multi-valued decimals as backslash-separated text
    position = _position_key(image.position.split("\\"), image.orientation.split("\\"))
    return (math.inf if number is None else number, position, image.path)


class ImageStack:
    """The images of a series in display order, decoded through ``cache``."""

    def __init__(
        self,
        paths: list[Path | str],
        cache: FrameCache | None = None,
        indexed: list[IndexedImage] | None = None,
    ) -> None:
        """Order ``paths`` by their headers, or, given ``indexed`` (from the store's index),
        by what the index knows, reading each header only when it is first needed."""
        self.cache = cache if cache is not None else FrameCache()
        self._sources: dict[str, FrameSource] = {}
        self._headers: dict[str, Dataset] = {}
        self.cache_source = ("stack", id(self))
        # per image: the user's measurements and notes (shared by every viewport)
        self._annotations: dict[int, AnnotationSet] = {}
        # SOP Instance UIDs flagged as key images (from the user or a received KOS)
        self.key_images: set[str] = set()
        # display states of an applied presentation state, by SOP Instance UID
        self.presentation: dict[str, DisplayState] = {}
        self.presentation_label = ""
        self._planes: list[geometry.ImagePlane | None] | None = None
        if indexed is not None:
            self.slices = self._from_index(indexed)
            return
        headers: list[tuple[str, Dataset]] = []
        for path in map(str, paths):
            try:
                ds = read_dicom(path, stop_before_pixels=True)
            except Exception:  # not DICOM: left out of the stack
                continue
            if "Rows" not in ds or "Columns" not in ds:
                continue  # no image (SR, PDF, waveform)
            headers.append((path, ds))
        headers.sort(key=lambda item: _sort_key(item[1], item[0]))
        slices: list[Slice] = []
        for path, ds in headers:
            frames = pixels.frame_count(ds)
            if frames > 1:
                source = FrameSource(path, self.cache, key=path)
                self._sources[path] = source
                slices.extend(Slice(path, f, source.ds) for f in range(source.frame_count))
            else:
                slices.append(Slice(path, 0, ds))
        if not slices:
            raise PixelDataError(source="the series", reason="no image in the series")
        self.slices = slices

    def _from_index(self, indexed: list[IndexedImage]) -> list[Slice]:
        slices: list[Slice] = []
        for image in sorted(indexed, key=_indexed_key):
            if image.frames > 1:
                source = FrameSource(image.path, self.cache, key=image.path)
                self._sources[image.path] = source
                slices.extend(Slice(image.path, f, source.ds) for f in range(source.frame_count))
            else:
                slices.append(Slice(image.path, 0))
        if not slices:
            raise PixelDataError(source="the series", reason="no image in the series")
        return slices

    def __len__(self) -> int:
        return len(self.slices)

    def header(self, index: int) -> Dataset:
        s = self.slices[index]
        if s.header is not None:
            return s.header
        header = self._headers.get(s.path)
        if header is None:
            header = self._headers[s.path] = read_dicom(s.path, stop_before_pixels=True)
        return header

    def sop_uid(self, index: int) -> str:
        return str(self.header(index).get("SOPInstanceUID", "") or "")

    def frame(self, index: int) -> int:
        return self.slices[index].frame

    def annotations(self, index: int) -> AnnotationSet:
        """The measurements and notes drawn on image ``index`` (created empty)."""
        found = self._annotations.get(index)
        if found is None:
            found = self._annotations[index] = AnnotationSet()
        return found

    def annotated_indices(self) -> list[int]:
        return sorted(i for i, a in self._annotations.items() if len(a))

    def modality_values(self, index: int) -> np.ndarray | None:
        """Modality values (HU, ...) of a grey image for ROIs and the probe; None for colour."""
        if self.is_colour(index):
            return None
        return measure.modality_values(self.header(index), self.stored(index), self.frame(index))

    def plane(self, index: int) -> geometry.ImagePlane | None:
        """The image's plane in the patient (None without geometry)."""
        if self._planes is not None:
            return self._planes[index]
        return geometry.plane_of(self.header(index), self.frame(index))

    def planes(self) -> list[geometry.ImagePlane | None]:
        """Every image's plane (headers read once, for synchronised scrolling)."""
        if self._planes is None:
            self._planes = [
                geometry.plane_of(self.header(i), self.frame(i)) for i in range(len(self))
            ]
        return self._planes

    def presentation_state(self, index: int) -> DisplayState | None:
        return self.presentation.get(self.sop_uid(index)) if self.presentation else None

    def decode(self, source: object, index: int) -> np.ndarray:
        """Stored values of image ``index`` (no cache). The :class:`Prefetcher` calls this
        with ``source`` = :attr:`cache_source`; cache keys are (cache_source, index)."""
        s = self.slices[index]
        multi = self._sources.get(s.path)
        if multi is not None:
            return multi.decode(s.frame)
        return pixels.decode_frame(read_dicom(s.path), s.frame)

    def stored(self, index: int) -> np.ndarray:
        return self.cache.get_or_load(
            (self.cache_source, index), lambda: self.decode(self.cache_source, index)
        )

    def is_cached(self, index: int) -> bool:
        return (self.cache_source, index) in self.cache

    def is_colour(self, index: int) -> bool:
        return pixels.is_colour(self.header(index))

    def default_window(self, index: int) -> Window | VoiLut | None:
        """The window the file asks for (or an auto window); None for colour images."""
        ds = self.header(index)
        if pixels.is_colour(ds):
            return None
        frame = self.slices[index].frame
        values = luts.modality_lut(self.stored(index), ds, frame)
        return default_voi(ds, frame, values)

    def render(self, index: int, window: WindowLike | None = None) -> np.ndarray:
        return render_stored(
            self.stored(index), self.header(index), self.slices[index].frame, window
        )


def cine_rate(ds: Dataset) -> float:
    """Frames per second the file recommends (Recommended Display Frame Rate, Cine Rate,
    Frame Time), else the default."""
    for keyword in ("RecommendedDisplayFrameRate", "CineRate"):
        value = ds.get(keyword)
        try:
            if value and float(value) > 0:
                return float(value)
        except (TypeError, ValueError):
            pass
    try:
        frame_time = float(ds.get("FrameTime") or 0)
    except (TypeError, ValueError):
        frame_time = 0.0
    return 1000.0 / frame_time if frame_time > 0 else DEFAULT_CINE_FPS
