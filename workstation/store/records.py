"""What the index keeps of one instance, read from a dataset's header."""

from __future__ import annotations

from dataclasses import dataclass

from pydicom.dataset import Dataset

from workstation.dicom.uids import uid_problem
from workstation.errors import InvalidUidError, MissingUidError
from workstation.store.flatten import flatten
from workstation.store.query_keys import IMAGE_ATTRS, PATIENT_ATTRS, SERIES_ATTRS, STUDY_ATTRS

REQUIRED_UIDS = (
    ("StudyInstanceUID", "Study Instance UID"),
    ("SeriesInstanceUID", "Series Instance UID"),
    ("SOPInstanceUID", "SOP Instance UID"),
    ("SOPClassUID", "SOP Class UID"),
)


def fold(text: str) -> str:
    """Case-insensitive form used for PN and text matching (Unicode aware)."""
    return text.casefold()


def _text(ds: Dataset, keyword: str) -> str:
    """The decoded value as Unicode text ('' when absent or undecodable)."""
    try:
        value = ds.get(keyword)
    except Exception:  # a malformed value must not stop indexing
        return ""
    if value is None:
        return ""
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        return "\\".join(str(v) for v in value)
    return str(value).strip("\x00 ")


def _int(ds: Dataset, keyword: str) -> int | None:
    text = _text(ds, keyword)
    if not text:
        return None
    try:
        return int(float(text.split("\\")[0]))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class InstanceRecord:
    """The index row values of one instance (patient, study, series, instance levels)."""

    # patient
    patient_id: str
    issuer_of_patient_id: str
    patient_name: str
    patient_birth_date: str
    patient_sex: str
    # study
    study_uid: str
    study_date: str
    study_time: str
    accession_number: str
    study_id: str
    study_description: str
    referring_physician: str
    # series
    series_uid: str
    modality: str
    series_number: int | None
    series_description: str
    body_part: str
    series_date: str
    series_time: str
    # instance
    sop_uid: str
    sop_class_uid: str
    instance_number: int | None
    transfer_syntax: str
    rows: int | None
    columns: int | None
    frames: int | None
    content_date: str
    content_time: str
    charset: str
    # the level's C-FIND attributes as flat JSON (store/flatten.py)
    patient_attrs: str = "{}"
    study_attrs: str = "{}"
    series_attrs: str = "{}"
    instance_attrs: str = "{}"

    @property
    def rel_path(self) -> str:
        return f"{self.study_uid}/{self.series_uid}/{self.sop_uid}.dcm"


def check_uids(ds: Dataset) -> None:
    """Raise MissingUidError / InvalidUidError when a key UID is unusable."""
    for keyword, label in REQUIRED_UIDS:
        value = _text(ds, keyword) if keyword in ds else None
        problem = uid_problem(value)
        if problem in ("missing", "empty"):
            raise MissingUidError(attribute=label)
        if problem:
            raise InvalidUidError(attribute=label, value=value, problem=problem)


def record_from_dataset(ds: Dataset, transfer_syntax: str) -> InstanceRecord:
    """Read the indexed attributes; the caller has checked the UIDs."""
    check_uids(ds)
    return InstanceRecord(
        patient_id=_text(ds, "PatientID"),
        issuer_of_patient_id=_text(ds, "IssuerOfPatientID"),
        patient_name=_text(ds, "PatientName"),
        patient_birth_date=_text(ds, "PatientBirthDate"),
        patient_sex=_text(ds, "PatientSex"),
        study_uid=_text(ds, "StudyInstanceUID"),
        study_date=_text(ds, "StudyDate"),
        study_time=_text(ds, "StudyTime"),
        accession_number=_text(ds, "AccessionNumber"),
        study_id=_text(ds, "StudyID"),
        study_description=_text(ds, "StudyDescription"),
        referring_physician=_text(ds, "ReferringPhysicianName"),
        series_uid=_text(ds, "SeriesInstanceUID"),
        modality=_text(ds, "Modality"),
        series_number=_int(ds, "SeriesNumber"),
        series_description=_text(ds, "SeriesDescription"),
        body_part=_text(ds, "BodyPartExamined"),
        series_date=_text(ds, "SeriesDate"),
        series_time=_text(ds, "SeriesTime"),
        sop_uid=_text(ds, "SOPInstanceUID"),
        sop_class_uid=_text(ds, "SOPClassUID"),
        instance_number=_int(ds, "InstanceNumber"),
        transfer_syntax=transfer_syntax,
        rows=_int(ds, "Rows"),
        columns=_int(ds, "Columns"),
        frames=_int(ds, "NumberOfFrames"),
        content_date=_text(ds, "ContentDate"),
        content_time=_text(ds, "ContentTime"),
        charset=_text(ds, "SpecificCharacterSet"),
        patient_attrs=flatten(ds, PATIENT_ATTRS),
        study_attrs=flatten(ds, STUDY_ATTRS),
        series_attrs=flatten(ds, SERIES_ATTRS),
        instance_attrs=flatten(ds, IMAGE_ATTRS),
    )
