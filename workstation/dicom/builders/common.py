"""Modules every created object shares: patient, study, new series, equipment, SOP common.

Values are copied from a source instance so the new object files under the same patient
and study; text is re-encoded as ISO_IR 192 (UTF-8) whatever the source used.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.multival import MultiValue
from pydicom.uid import ExplicitVRLittleEndian

from workstation import __version__
from workstation.dicom.uids import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, new_uid
from workstation.errors import BuildError

CHARACTER_SET = "ISO_IR 192"
MANUFACTURER = "Workstation"
MODEL_NAME = "Workstation"

# Patient module and Patient Study module attributes copied when the source has them.
_PATIENT = (
    "PatientName",
    "PatientID",
    "IssuerOfPatientID",
    "PatientBirthDate",
    "PatientSex",
    "OtherPatientIDsSequence",
    "PatientAge",
    "PatientSize",
    "PatientWeight",
)
_TYPE2_PATIENT = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex")
_STUDY = (
    "StudyInstanceUID",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
    "StudyID",
    "AccessionNumber",
    "StudyDescription",
)
_DROP_IF_ZERO = ("PatientSize", "PatientWeight")
_TYPE2_STUDY = ("StudyDate", "StudyTime", "ReferringPhysicianName", "StudyID", "AccessionNumber")


def _fresh(value: object) -> object:
    """A value without the source's encoding: person names and texts as plain strings."""
    if isinstance(value, MultiValue):
        return [_fresh(v) for v in value]
    if value.__class__.__name__ == "PersonName":
        return str(value)
    return value


def copy_attributes(source: Dataset, target: Dataset, keywords: tuple[str, ...]) -> None:
    """Copy the named attributes that ``source`` has (empty ones included).

    A size or weight of zero means "not measured": it is left out rather than copied.
    """
    for keyword in keywords:
        if keyword in source:
            elem = source[keyword]
            if keyword in _DROP_IF_ZERO and _is_zero(elem.value):
                continue
            if elem.VR == "SQ":
                setattr(target, keyword, [_copy_item(i) for i in elem.value])
            else:
                setattr(target, keyword, _fresh(elem.value))


def _is_zero(value: object) -> bool:
    try:
        return float(value) == 0.0  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _copy_item(item: Dataset) -> Dataset:
    out = Dataset()
    for elem in item:
        if elem.VR == "SQ":
            setattr(out, elem.keyword, [_copy_item(i) for i in elem.value])
        elif elem.keyword:
            setattr(out, elem.keyword, _fresh(elem.value))
        else:
            out.add(elem)
    return out


def require_uid(source: Dataset, keyword: str, iod: str) -> str:
    value = str(source.get(keyword, "") or "").strip()
    if not value:
        raise BuildError(iod=iod, reason=f"a source has no {keyword}")
    return value


def now() -> tuple[str, str]:
    """Today's date and the time now as DA and TM strings."""
    stamp = dt.datetime.now()
    return stamp.strftime("%Y%m%d"), stamp.strftime("%H%M%S")


def new_object(
    source: Dataset,
    sop_class_uid: str,
    modality: str,
    series_description: str,
    iod: str,
    org_root: str | None = None,
    general_series: bool = True,
) -> Dataset:
    """A dataset with SOP common, patient, study, a new series and equipment filled in.

    ``general_series`` adds the General Series body part and laterality of the source
    (Laterality is Type 2C: left empty, meaning unknown, when the source gives neither).
    """
    ds = Dataset()
    ds.SpecificCharacterSet = CHARACTER_SET
    date, time = now()
    ds.InstanceCreationDate = date
    ds.InstanceCreationTime = time
    ds.SOPClassUID = sop_class_uid
    ds.SOPInstanceUID = new_uid(org_root)
    copy_attributes(source, ds, _PATIENT)
    for keyword in _TYPE2_PATIENT:
        if keyword not in ds:
            setattr(ds, keyword, "")
    require_uid(source, "StudyInstanceUID", iod)
    copy_attributes(source, ds, _STUDY)
    for keyword in _TYPE2_STUDY:
        if keyword not in ds:
            setattr(ds, keyword, "")
    ds.Modality = modality
    ds.SeriesInstanceUID = new_uid(org_root)
    ds.SeriesNumber = 900 + {"KO": 1, "PR": 2}.get(modality, 3)
    ds.SeriesDate = date
    ds.SeriesTime = time
    if series_description:
        ds.SeriesDescription = series_description
    if general_series:
        copy_attributes(source, ds, ("BodyPartExamined",))
        laterality = str(source.get("Laterality", "") or "")
        if laterality or "BodyPartExamined" not in ds:
            ds.Laterality = laterality
    ds.Manufacturer = MANUFACTURER
    ds.ManufacturerModelName = MODEL_NAME
    ds.SoftwareVersions = __version__
    ds.InstanceNumber = 1
    return ds


def with_file_meta(ds: Dataset) -> Dataset:
    """Attach File Meta Information with our implementation identity (Explicit VR LE)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    ds.file_meta = meta
    return ds


def part10_bytes(ds: Dataset) -> bytes:
    """The dataset as a Part 10 file, ready for ``LocalStore.add_bytes`` or sending."""
    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def code_item(value: str, scheme: str, meaning: str) -> Dataset:
    """A Code Sequence Macro item."""
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def sop_reference(sop_class_uid: str, sop_instance_uid: str) -> Dataset:
    item = Dataset()
    item.ReferencedSOPClassUID = sop_class_uid
    item.ReferencedSOPInstanceUID = sop_instance_uid
    return item


def frame_count(source: Dataset) -> int:
    """Number of Frames, 1 when absent or unreadable."""
    try:
        return max(1, int(source.get("NumberOfFrames", 1) or 1))
    except (TypeError, ValueError):
        return 1


def evidence_sequence(sources: list[Dataset], iod: str) -> list[Dataset]:
    """Hierarchical SOP Instance Reference items (study > series > instances) for sources."""
    studies: dict[str, dict[str, list[Dataset]]] = {}
    for source in sources:
        study = require_uid(source, "StudyInstanceUID", iod)
        series = require_uid(source, "SeriesInstanceUID", iod)
        studies.setdefault(study, {}).setdefault(series, []).append(source)
    items = []
    for study_uid, series_map in studies.items():
        study_item = Dataset()
        study_item.StudyInstanceUID = study_uid
        series_items = []
        for series_uid, members in series_map.items():
            series_item = Dataset()
            series_item.SeriesInstanceUID = series_uid
            series_item.ReferencedSOPSequence = [
                sop_reference(
                    require_uid(m, "SOPClassUID", iod), require_uid(m, "SOPInstanceUID", iod)
                )
                for m in members
            ]
            series_items.append(series_item)
        study_item.ReferencedSeriesSequence = series_items
        items.append(study_item)
    return items
