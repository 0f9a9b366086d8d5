"""The objects the 2D viewer creates and finds: key images, presentation states, captures.

Qt-free use cases the viewer calls (on a worker thread or directly: each call is a few
milliseconds of building plus one durable store write). Saving builds the object with
the builders in :mod:`workstation.dicom.builders` and stores it through
:meth:`LocalStore.add_bytes`, the same durable, indexed path the SCP and the importer
use, so the object appears in the browser and can be sent like any received instance.

Errors: :class:`~workstation.errors.BuildError` (the inputs cannot make a valid object),
:class:`~workstation.errors.InsufficientSpaceError` and other
:class:`~workstation.errors.StoreError` (the store refused it), and
:class:`~workstation.errors.ObjectSaveError` (the disk or index failed while writing).
Nothing half-written is indexed: the store's write path guarantees it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset

from workstation.dicom.builders.common import part10_bytes
from workstation.dicom.builders.gsps import GSPS_SOP_CLASS, build_gsps
from workstation.dicom.builders.kos import KOS_SOP_CLASS, OF_INTEREST, build_kos
from workstation.dicom.builders.secondary_capture import build_secondary_capture
from workstation.dicom.display_state import DisplayState
from workstation.dicom.read import read_dicom
from workstation.errors import ObjectSaveError
from workstation.imaging.gsps import read_kos, references_series
from workstation.store.browse import study_instances_of_classes
from workstation.store.local_store import AddOutcome, LocalStore

log = logging.getLogger(__name__)

SOURCE = "viewer"  # the index's 'source' column for objects made here

# Key Object Selection titles that are IHE rejection notes (CID 7011), not key images:
# Rejected for Quality Reasons, for Patient Safety Reasons, Incorrect Modality Worklist
# Entry, Data Retention Policy Expired.
REJECTION_NOTE_TITLES = frozenset({"113001", "113037", "113038", "113039"})


class ObjectKind(StrEnum):
    GSPS = "GSPS"
    KOS = "KOS"
    SC = "SC"


_KIND_NAMES = {
    ObjectKind.GSPS: "presentation state",
    ObjectKind.KOS: "key object selection",
    ObjectKind.SC: "secondary capture",
}


@dataclass(frozen=True)
class SavedObject:
    """A stored viewer object: its UIDs and the file (absolute path) in the store."""

    kind: ObjectKind
    sop_instance_uid: str
    series_instance_uid: str
    study_instance_uid: str
    path: Path


@dataclass(frozen=True)
class PresentationObject:
    """A GSPS or KOS in the store that refers to an opened series.

    GSPS: ``label`` is the Content Label, ``description`` the Content Description,
    ``creator`` the Content Creator's Name, date/time the Presentation Creation Date/Time.
    KOS: ``label`` is the document title's meaning (e.g. "Of Interest"), ``description``
    the Key Object Description, ``creator`` the person observer, date/time the Content
    Date/Time. ``referenced_sop_instance_uids`` are the images of the series it names.
    """

    kind: ObjectKind
    sop_instance_uid: str
    path: Path
    label: str
    description: str
    creator: str
    content_date: str
    content_time: str
    referenced_sop_instance_uids: tuple[str, ...]
    title_code: str = ""  # KOS only: the title's code value (113000 = Of Interest)


# -- saving ----------------------------------------------------------------------------
def _store(store: LocalStore, ds: Dataset, kind: ObjectKind) -> SavedObject:
    """Write the built object through the store's durable path; typed errors on failure."""
    name = _KIND_NAMES[kind]
    try:
        result = store.add_bytes(part10_bytes(ds), source=SOURCE)
    except OSError as exc:
        raise ObjectSaveError(kind=name, reason=exc.strerror or str(exc)) from exc
    except sqlite3.Error as exc:
        raise ObjectSaveError(kind=name, reason=f"index: {exc}") from exc
    if result.outcome is AddOutcome.DUPLICATE:  # a fresh UID never should be
        raise ObjectSaveError(kind=name, reason="an instance with its UID is already stored")
    log.info("saved %s %s", kind.value, ds.SOPInstanceUID)
    return SavedObject(
        kind=kind,
        sop_instance_uid=str(ds.SOPInstanceUID),
        series_instance_uid=str(ds.SeriesInstanceUID),
        study_instance_uid=str(ds.StudyInstanceUID),
        path=store.path_of(result.rel_path),
    )


def save_key_objects(
    store: LocalStore,
    source_datasets: Sequence[Dataset],
    description: str = "",
    observer: str = "",
    org_root: str | None = None,
    title_code: tuple[str, str, str] = OF_INTEREST,
) -> SavedObject:
    """Store a Key Object Selection ("Of Interest" by default) flagging the given images.

    ``source_datasets`` are the flagged images' headers (pixel data not needed), in the
    order the user flagged them; ``description`` becomes the Key Object Description and
    ``observer`` the person observer. One new series in the first image's study.
    """
    ds = build_kos(list(source_datasets), title_code, description, observer, org_root)
    return _store(store, ds, ObjectKind.KOS)


def save_presentation_state(
    store: LocalStore,
    images: Sequence[Dataset],
    state_or_states: DisplayState | Mapping[str, DisplayState],
    label: str = "PRESENTATION",
    creator: str = "",
    description: str = "",
    org_root: str | None = None,
) -> SavedObject:
    """Store a GSPS of the current display of ``images`` (headers suffice).

    One :class:`DisplayState` for all images, or one per SOP Instance UID (windows,
    areas and graphics may differ; rotation, flip and inversion must agree). ``label``
    is made a valid Content Label (uppercase, 16 characters).
    """
    ds = build_gsps(list(images), state_or_states, label, creator, description, org_root)
    return _store(store, ds, ObjectKind.GSPS)


def save_secondary_capture(
    store: LocalStore,
    rgb_or_grey_uint8: np.ndarray,
    source: Dataset,
    description: str = "",
    org_root: str | None = None,
    burned_in_annotation: bool = True,
) -> SavedObject:
    """Store a Secondary Capture of a viewport (H x W grey or H x W x 3 RGB, uint8).

    ``source`` is the image shown, so the capture files under its patient and study and
    names it as its source. ``burned_in_annotation`` says whether the picture carries
    the overlay text (patient name, ...): True for a capture of what the user sees.
    """
    ds = build_secondary_capture(
        rgb_or_grey_uint8, source, description, burned_in_annotation, org_root
    )
    return _store(store, ds, ObjectKind.SC)


# -- finding ---------------------------------------------------------------------------
def _series_instances(ds: Dataset, series_uid: str) -> tuple[str, ...]:
    """SOP Instance UIDs of ``series_uid`` that a GSPS or KOS names."""
    if str(ds.get("SOPClassUID", "")) == GSPS_SOP_CLASS:
        groups = list(ds.get("ReferencedSeriesSequence", []))
        key = "ReferencedImageSequence"
    else:
        groups = [
            series
            for study in ds.get("CurrentRequestedProcedureEvidenceSequence", [])
            for series in study.get("ReferencedSeriesSequence", [])
        ]
        key = "ReferencedSOPSequence"
    return tuple(
        str(ref.get("ReferencedSOPInstanceUID", ""))
        for group in groups
        if str(group.get("SeriesInstanceUID", "")) == series_uid
        for ref in group.get(key, [])
    )


def _record(ds: Dataset, path: Path, series_uid: str) -> PresentationObject:
    uid = str(ds.SOPInstanceUID)
    refs = _series_instances(ds, series_uid)
    if str(ds.SOPClassUID) == GSPS_SOP_CLASS:
        return PresentationObject(
            kind=ObjectKind.GSPS,
            sop_instance_uid=uid,
            path=path,
            label=str(ds.get("ContentLabel", "") or ""),
            description=str(ds.get("ContentDescription", "") or ""),
            creator=str(ds.get("ContentCreatorName", "") or ""),
            content_date=str(ds.get("PresentationCreationDate", "") or ""),
            content_time=str(ds.get("PresentationCreationTime", "") or ""),
            referenced_sop_instance_uids=refs,
        )
    kos = read_kos(ds)
    flagged = set(kos.instance_uids)
    return PresentationObject(
        kind=ObjectKind.KOS,
        sop_instance_uid=uid,
        path=path,
        label=kos.title[2],
        description=kos.description,
        creator=kos.observer,
        content_date=str(ds.get("ContentDate", "") or ""),
        content_time=str(ds.get("ContentTime", "") or ""),
        referenced_sop_instance_uids=tuple(r for r in refs if r in flagged),
        title_code=kos.title[0],
    )


def presentation_objects_for_series(store: LocalStore, series_uid: str) -> list[PresentationObject]:
    """The GSPS and KOS in the store that refer to images of ``series_uid``, newest first.

    Candidates come from the index (those SOP classes in the series' study); only their
    files are read. A candidate whose file cannot be read is left out with a warning in
    the log, so one damaged object never stops a series from opening. An unknown series
    gives an empty list. Apply a GSPS with
    :func:`workstation.imaging.gsps.read_presentation_state` on ``read_dicom(path)``
    (:mod:`workstation.dicom.read`).
    """
    found: list[PresentationObject] = []
    candidates = study_instances_of_classes(
        store.index, series_uid, [GSPS_SOP_CLASS, KOS_SOP_CLASS]
    )
    for candidate in candidates:
        path = store.path_of(candidate.rel_path)
        try:
            ds = read_dicom(path, stop_before_pixels=True)
            if not references_series(ds, series_uid):
                continue
            found.append(_record(ds, path, series_uid))
        except Exception as exc:  # a damaged file (any parse error) must not stop the viewer
            log.warning("skipped unreadable presentation object %s: %s", candidate.sop_uid, exc)
    found.sort(key=lambda r: (r.content_date, r.content_time), reverse=True)
    return found


def key_images_for_series(
    store: LocalStore, series_uid: str, titles: Collection[str] | None = None
) -> set[str]:
    """SOP Instance UIDs of the series flagged by any KOS in the store.

    ``titles`` limits it to KOS whose document title has one of those code values
    (e.g. ``{"113000"}`` for "Of Interest" only); by default every KOS counts except
    IHE rejection notes (:data:`REJECTION_NOTE_TITLES`), which flag bad images, not keys.
    """
    flagged: set[str] = set()
    for record in presentation_objects_for_series(store, series_uid):
        if record.kind is not ObjectKind.KOS:
            continue
        if titles is not None and record.title_code not in titles:
            continue
        if titles is None and record.title_code in REJECTION_NOTE_TITLES:
            continue
        flagged.update(record.referenced_sop_instance_uids)
    return flagged
