"""C-FIND / C-MOVE / C-GET identifiers for the Query/Retrieve SCU (PS3.4 C.4, C.6).

The levels and information models we query with, the return keys a workstation asks
for at each level, ``KEY=VALUE`` keys as typed on the command line (a keyword or a tag
such as ``0010,0010``), and the Specific Character Set: a query with any non-ASCII
value is sent as ISO_IR 192 (UTF-8), an ASCII one without the element (the default
repertoire).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydicom.datadict import dictionary_VR, keyword_for_tag, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag, Tag

from workstation.errors import QueryKeyError

UTF8 = "ISO_IR 192"


class QRLevel(StrEnum):
    PATIENT = "PATIENT"
    STUDY = "STUDY"
    SERIES = "SERIES"
    IMAGE = "IMAGE"


class QRModel(StrEnum):
    """The information model: Patient Root or Study Root."""

    PATIENT = "patient"
    STUDY = "study"


LEVEL_ORDER = (QRLevel.PATIENT, QRLevel.STUDY, QRLevel.SERIES, QRLevel.IMAGE)

UNIQUE_KEY = {
    QRLevel.PATIENT: "PatientID",
    QRLevel.STUDY: "StudyInstanceUID",
    QRLevel.SERIES: "SeriesInstanceUID",
    QRLevel.IMAGE: "SOPInstanceUID",
}

# What a workstation's result table shows per level (extract-000 section 4.3 optional
# keys included: the related-object counts and Modalities in Study).
RETURN_KEYS: dict[QRLevel, tuple[str, ...]] = {
    QRLevel.PATIENT: (
        "PatientName",
        "PatientID",
        "IssuerOfPatientID",
        "PatientBirthDate",
        "PatientSex",
        "NumberOfPatientRelatedStudies",
        "NumberOfPatientRelatedSeries",
        "NumberOfPatientRelatedInstances",
    ),
    QRLevel.STUDY: (
        "StudyInstanceUID",
        "StudyDate",
        "StudyTime",
        "AccessionNumber",
        "StudyID",
        "StudyDescription",
        "ReferringPhysicianName",
        "ModalitiesInStudy",
        "NumberOfStudyRelatedSeries",
        "NumberOfStudyRelatedInstances",
    ),
    QRLevel.SERIES: (
        "SeriesInstanceUID",
        "Modality",
        "SeriesNumber",
        "SeriesDescription",
        "BodyPartExamined",
        "SeriesDate",
        "SeriesTime",
        "NumberOfSeriesRelatedInstances",
    ),
    QRLevel.IMAGE: (
        "SOPInstanceUID",
        "SOPClassUID",
        "InstanceNumber",
        "ContentDate",
        "ContentTime",
        "NumberOfFrames",
    ),
}

# Patient keys a Study Root query returns with every study (Study Root has no patient level).
STUDY_ROOT_PATIENT_KEYS = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex")


def parse_level(text: str) -> QRLevel:
    try:
        return QRLevel(text.strip().upper())
    except ValueError:
        raise QueryKeyError(key="QueryRetrieveLevel", reason=f"unknown level {text!r}") from None


def parse_model(text: str) -> QRModel:
    try:
        return QRModel(text.strip().lower())
    except ValueError:
        raise QueryKeyError(key="model", reason=f"unknown model {text!r}") from None


def check_level(model: QRModel, level: QRLevel) -> None:
    """Study Root has no PATIENT level."""
    if model is QRModel.STUDY and level is QRLevel.PATIENT:
        raise QueryKeyError(
            key="QueryRetrieveLevel", reason="the Study Root model has no PATIENT level"
        )


def default_return_keys(model: QRModel, level: QRLevel) -> list[str]:
    """The level's return keys plus the unique keys of the levels above it (PS3.4 C.4.1.2)."""
    keys: list[str] = []
    top = 0 if model is QRModel.PATIENT else 1
    for above in LEVEL_ORDER[top : LEVEL_ORDER.index(level)]:
        keys.append(UNIQUE_KEY[above])
    if model is QRModel.STUDY and level is QRLevel.STUDY:
        keys.extend(STUDY_ROOT_PATIENT_KEYS)
    keys.extend(RETURN_KEYS[level])
    return list(dict.fromkeys(keys))


# -- keys as typed: KEY=VALUE ----------------------------------------------------------------
_TAG = re.compile(r"^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$")


def resolve_key(name: str) -> BaseTag:
    """A keyword (``PatientName``) or tag (``0010,0010``, ``(0010,0010)``, ``00100010``)."""
    name = name.strip()
    m = _TAG.match(name)
    if m:
        return Tag(int(m.group(1), 16), int(m.group(2), 16))
    tag = tag_for_keyword(name)
    if tag is None:
        raise QueryKeyError(key=name, reason="not a DICOM keyword or tag (gggg,eeee)")
    return Tag(tag)


def key_label(tag: BaseTag) -> str:
    """How a key is printed: its keyword, or ``gggg,eeee`` for a private or unknown tag."""
    return keyword_for_tag(tag) or f"{tag.group:04X},{tag.element:04X}"


def parse_key(text: str) -> tuple[BaseTag, str]:
    """``KEY=VALUE`` or ``KEY`` (a return key, sent empty) as (tag, value)."""
    name, _, value = text.partition("=")
    if not name.strip():
        raise QueryKeyError(key=text, reason="must look like KEY=VALUE or KEY")
    return resolve_key(name), value


def set_key(ds: Dataset, tag: BaseTag, value: str) -> None:
    """Put one key into ``ds`` with its dictionary VR (private tags are refused)."""
    try:
        vr = dictionary_VR(tag)
    except KeyError:
        raise QueryKeyError(key=key_label(tag), reason="unknown tag: its VR is not known") from None
    if vr == "SQ":
        if value:
            raise QueryKeyError(key=key_label(tag), reason="a sequence key takes no value here")
        ds.add_new(tag, vr, [])
        return
    if " or " in vr:  # e.g. "US or SS": pick the first
        vr = vr.split(" or ")[0]
    if vr in ("US", "SS", "UL", "SL", "FL", "FD", "AT", "OB", "OW") and value:
        raise QueryKeyError(key=key_label(tag), reason=f"binary VR {vr} cannot be matched")
    ds.add_new(tag, vr, value if value else None)


def mark_charset(ds: Dataset) -> None:
    """ISO_IR 192 when any text value is not ASCII (the query is then sent as UTF-8)."""
    for elem in ds.iterall():
        if elem.VR in ("SQ", "OB", "OW", "UN") or elem.value is None:
            continue
        value = elem.value
        texts = value if isinstance(value, (list, tuple)) else [value]
        if any(not str(t).isascii() for t in texts):
            ds.SpecificCharacterSet = UTF8
            return


def identifier_from_keys(
    model: QRModel,
    level: QRLevel,
    keys: Iterable[str],
    *,
    with_defaults: bool = True,
) -> tuple[Dataset, list[BaseTag]]:
    """The identifier for ``-k KEY=VALUE`` keys, and the tags to show per match in order
    (the given keys first, then the level's default return keys)."""
    check_level(model, level)
    ds = Dataset()
    ds.QueryRetrieveLevel = level.value
    shown: list[BaseTag] = []
    for text in keys:
        tag, value = parse_key(text)
        if tag == Tag(0x0008, 0x0052):
            raise QueryKeyError(key=text, reason="give the level with --level")
        set_key(ds, tag, value)
        shown.append(tag)
    if with_defaults:
        for keyword in default_return_keys(model, level):
            tag = Tag(tag_for_keyword(keyword))
            if tag not in ds:
                set_key(ds, tag, "")
            shown.append(tag)
    mark_charset(ds)
    return ds, list(dict.fromkeys(shown))


def retrieve_identifier(
    model: QRModel,
    level: QRLevel,
    study_uids: Sequence[str] = (),
    series_uids: Sequence[str] = (),
    sop_uids: Sequence[str] = (),
    patient_id: str = "",
) -> Dataset:
    """A C-MOVE / C-GET identifier: the unique keys down to ``level`` (PS3.4 C.4.2.1.4).

    Several UIDs at the retrieve level go as a list of UID matching; above it a single
    value is required, so a list of series must belong to one study.
    """
    check_level(model, level)
    ds = Dataset()
    ds.QueryRetrieveLevel = level.value
    given = {
        QRLevel.STUDY: list(study_uids),
        QRLevel.SERIES: list(series_uids),
        QRLevel.IMAGE: list(sop_uids),
    }
    if model is QRModel.PATIENT:
        if not patient_id and level is not QRLevel.PATIENT:
            raise QueryKeyError(key="PatientID", reason="the Patient Root model needs the patient ID")
        ds.PatientID = patient_id
    elif level is QRLevel.PATIENT:
        raise QueryKeyError(key="QueryRetrieveLevel", reason="Study Root has no PATIENT level")
    if level is QRLevel.PATIENT:
        if not patient_id:
            raise QueryKeyError(key="PatientID", reason="a patient retrieve needs the patient ID")
        return ds
    for lvl in LEVEL_ORDER[1 : LEVEL_ORDER.index(level) + 1]:
        uids = [u.strip() for u in given[lvl] if u and u.strip()]
        keyword = UNIQUE_KEY[lvl]
        if not uids:
            raise QueryKeyError(key=keyword, reason=f"a {level.value} retrieve needs it")
        if lvl is not level and len(uids) > 1:
            raise QueryKeyError(key=keyword, reason=f"one value only above the {level.value} level")
        setattr(ds, keyword, uids if len(uids) > 1 else uids[0])
    return ds
