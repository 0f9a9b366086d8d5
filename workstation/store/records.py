"""What the index keeps of one instance, read from a dataset's header."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydicom.dataset import Dataset

from workstation.dicom.uid_rules import is_conformant_uid
from workstation.dicom.uids import file_component, uid_refusal
from workstation.errors import InvalidUidError, MissingUidError
from workstation.store.flatten import Flat, flat_level, to_json
from workstation.store.query_keys import Level

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


@dataclass(frozen=True, slots=True)
class UpperLevels:
    """Patient, study and series row values: needed only when the series is new."""

    patient_id: str
    issuer_of_patient_id: str
    patient_name: str
    patient_birth_date: str
    patient_sex: str
    study_date: str
    study_time: str
    accession_number: str
    study_id: str
    study_description: str
    referring_physician: str
    modality: str
    series_number: int | None
    series_description: str
    body_part: str
    series_date: str
    series_time: str
    # each level's C-FIND attributes as flat JSON (store/flatten.py)
    patient_attrs: str
    study_attrs: str
    series_attrs: str


@dataclass(frozen=True, slots=True)
class InstanceRecord:
    """The index row values of one instance; the levels above are read on demand."""

    study_uid: str
    series_uid: str
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
    instance_attrs: str
    dataset: Dataset = field(repr=False, compare=False)

    @property
    def rel_path(self) -> str:
        """Where the file lives: the UIDs as folder and file names where they conform,
        else safe names derived from them (``dicom.uids.file_component``)."""
        parts = (self.study_uid, self.series_uid, self.sop_uid)
        study, series, sop = (file_component(uid) for uid in parts)
        return f"{study}/{series}/{sop}.dcm"

    def nonconformant_uids(self) -> list[str]:
        """The key UIDs that break the UID syntax (kept as sent), as "attribute=value"."""
        pairs = (("Study Instance UID", self.study_uid), ("Series Instance UID", self.series_uid),
                 ("SOP Instance UID", self.sop_uid), ("SOP Class UID", self.sop_class_uid))  # fmt: skip
        return [f"{label}={uid!r}" for label, uid in pairs if not is_conformant_uid(uid)]

    def upper(self) -> UpperLevels:
        return upper_levels(self.dataset)


def check_uids(ds: Dataset) -> dict[str, str]:
    """The key UIDs by keyword; MissingUidError / InvalidUidError when one is unusable."""
    uids: dict[str, str] = {}
    for keyword, label in REQUIRED_UIDS:
        value = _text(ds, keyword) if keyword in ds else None
        problem = uid_refusal(value)
        if problem in ("missing", "empty"):
            raise MissingUidError(attribute=label)
        if problem:
            raise InvalidUidError(attribute=label, value=value, problem=problem)
        uids[keyword] = str(value)
    return uids


def _str(flat: Flat, keyword: str) -> str:
    value = flat.get(keyword)
    if value is None:
        return ""
    if isinstance(value, list):
        return "\\".join(str(v) for v in value)
    return str(value)


def _number(flat: Flat, keyword: str) -> int | None:
    value = flat.get(keyword)
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return int(float(str(value).split("\\")[0])) if value not in (None, "") else None
    except ValueError:
        return None


def upper_levels(ds: Dataset) -> UpperLevels:
    p = flat_level(ds, Level.PATIENT)
    st = flat_level(ds, Level.STUDY)
    se = flat_level(ds, Level.SERIES)
    return UpperLevels(
        patient_id=_str(p, "PatientID"),
        issuer_of_patient_id=_str(p, "IssuerOfPatientID"),
        patient_name=_str(p, "PatientName"),
        patient_birth_date=_str(p, "PatientBirthDate"),
        patient_sex=_str(p, "PatientSex"),
        study_date=_str(st, "StudyDate"),
        study_time=_str(st, "StudyTime"),
        accession_number=_str(st, "AccessionNumber"),
        study_id=_str(st, "StudyID"),
        study_description=_str(st, "StudyDescription"),
        referring_physician=_str(st, "ReferringPhysicianName"),
        modality=_str(se, "Modality"),
        series_number=_number(se, "SeriesNumber"),
        series_description=_str(se, "SeriesDescription"),
        body_part=_str(se, "BodyPartExamined"),
        series_date=_str(se, "SeriesDate"),
        series_time=_str(se, "SeriesTime"),
        patient_attrs=to_json(p),
        study_attrs=to_json(st),
        series_attrs=to_json(se),
    )


def record_from_dataset(ds: Dataset, transfer_syntax: str) -> InstanceRecord:
    """The instance row values; the patient/study/series values wait for :meth:`upper`."""
    uids = check_uids(ds)
    i = flat_level(ds, Level.IMAGE)
    return InstanceRecord(
        study_uid=uids["StudyInstanceUID"],
        series_uid=uids["SeriesInstanceUID"],
        sop_uid=uids["SOPInstanceUID"],
        sop_class_uid=uids["SOPClassUID"],
        instance_number=_number(i, "InstanceNumber"),
        transfer_syntax=transfer_syntax,
        rows=_number(i, "Rows"),
        columns=_number(i, "Columns"),
        frames=_number(i, "NumberOfFrames"),
        content_date=_str(i, "ContentDate"),
        content_time=_str(i, "ContentTime"),
        charset=_text(ds, "SpecificCharacterSet"),
        instance_attrs=to_json(i),
        dataset=ds,
    )
