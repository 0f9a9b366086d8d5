"""Typed errors of the Qt-free layers.

Each error carries a stable ``code`` and the ``values`` that explain it. The command
line prints :meth:`WorkstationError.message` (English); the GUI maps ``code`` to a
translated text and fills in the same values.
"""

from __future__ import annotations

from typing import Any


class WorkstationError(Exception):
    """Base of every error the workstation raises on purpose."""

    code: str = "error"
    template: str = "{detail}"

    def __init__(self, **values: Any) -> None:
        self.values = values
        super().__init__(self.message())

    def message(self) -> str:
        try:
            return self.template.format(**self.values)
        except (KeyError, IndexError):
            return f"{self.code}: {self.values}"


class SettingsError(WorkstationError):
    """A settings value broke a rule; ``values['field']`` names it, ``values['rule']`` says why."""

    code = "settings.invalid"
    template = "Invalid setting '{field}': {rule} (got {value!r})"


class SettingsFileError(WorkstationError):
    code = "settings.file"
    template = "Settings file {path} cannot be used: {reason}"


class StoreError(WorkstationError):
    code = "store.error"
    template = "Store error: {detail}"


class NotDicomError(StoreError):
    code = "store.not_dicom"
    template = "Not a DICOM file: {reason}"


class CorruptDicomError(StoreError):
    code = "store.corrupt"
    template = "Unreadable DICOM data: {reason}"


class MissingUidError(StoreError):
    code = "store.missing_uid"
    template = "Missing or empty {attribute}"


class InvalidUidError(StoreError):
    code = "store.invalid_uid"
    template = "Invalid {attribute}: {value!r}"


class InsufficientSpaceError(StoreError):
    code = "store.no_space"
    template = "Free space {free_mb:.0f} MB is below the threshold of {threshold_mb:.0f} MB"


class IndexSchemaError(StoreError):
    code = "store.schema"
    template = "Index schema version {found} is newer than this program knows ({known})"


class UnknownStudyError(StoreError):
    """A study UID the index does not hold (deleted meanwhile, or never stored)."""

    code = "store.unknown_study"
    template = "Study {study_uid} is not in the local store"


class QueryError(StoreError):
    """A C-FIND/MOVE/GET identifier we cannot act on; ``status`` is the DIMSE status to send."""

    code = "query.identifier"
    template = "{reason}"

    @property
    def status(self) -> int:
        return int(self.values.get("status", 0xA900))


class BuildError(WorkstationError):
    """A created object (KOS, GSPS, SC) cannot be built from the given inputs."""

    code = "dicom.build"
    template = "Cannot build {iod}: {reason}"


class PresentationStateError(WorkstationError):
    """A received GSPS or KOS cannot be applied or listed."""

    code = "imaging.presentation_state"
    template = "Cannot use {iod}: {reason}"


class MeasurementError(WorkstationError):
    """A measurement or ROI cannot be computed (empty ROI, wrong array shape, ...)."""

    code = "imaging.measurement"
    template = "Cannot measure {what}: {reason}"


class DocumentRenderError(WorkstationError):
    """An SR, encapsulated document or waveform object cannot be shown."""

    code = "imaging.document"
    template = "Cannot show {kind}: {reason}"


class PixelDataError(WorkstationError):
    """An instance whose pixels cannot be shown: none present, or not decodable."""

    code = "imaging.pixels"
    template = "No image from {source}: {reason}"


class FrameNumberError(WorkstationError):
    """A frame number outside the image's frames (numbers count from 1)."""

    code = "imaging.frame"
    template = "Frame {frame} does not exist in {source}: it has {count} frame(s)"


class ObjectSaveError(WorkstationError):
    """A viewer-created object (KOS, GSPS, SC) was built but could not be stored."""

    code = "viewer.save"
    template = "Cannot save the {kind} in the local store: {reason}"
