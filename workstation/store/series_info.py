"""What the store's index knows of a series, enough to choose and open its viewer.

Read from the index alone, no file is opened. :func:`series_info` feeds the
viewer registry (:mod:`workstation.ui.viewers.registry`); :func:`indexed_images` gives
an :class:`~workstation.imaging.stack.ImageStack` its order without reading headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydicom.dataset import Dataset

from workstation.imaging.stack import IndexedImage
from workstation.store.browse import series_images, series_instance_paths
from workstation.store.local_store import LocalStore


@dataclass(frozen=True)
class SeriesInfo:
    """A stored series: its image instances (with Rows) and every instance's SOP class."""

    series_uid: str
    images: tuple[IndexedImage, ...] = ()
    instances: tuple[tuple[str, Path], ...] = ()  # (SOP Class UID, file), instance order

    @property
    def sop_classes(self) -> frozenset[str]:
        return frozenset(sop_class for sop_class, _path in self.instances)


def indexed_images(store: LocalStore, series_uid: str) -> list[IndexedImage]:
    """A series' images in the terms the viewer orders them by, from the index alone."""
    return [
        IndexedImage(
            str(store.path_of(image.rel_path)),
            image.instance_number,
            image.frames,
            image.position,
            image.orientation,
        )
        for image in series_images(store.index, series_uid)
    ]


def series_info(store: LocalStore, series_uid: str) -> SeriesInfo:
    """The index's view of ``series_uid`` (empty when the index does not hold it)."""
    return SeriesInfo(
        series_uid,
        tuple(indexed_images(store, series_uid)),
        tuple(
            (sop_class, store.path_of(rel))
            for sop_class, rel in series_instance_paths(store.index, series_uid)
        ),
    )


def header_title(header: Dataset) -> str:
    """A tab title from an instance's header: "Modality Series Description"."""
    return " ".join(
        str(header.get(k, "") or "").strip() for k in ("Modality", "SeriesDescription")
    ).strip()
