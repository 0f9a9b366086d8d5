"""From what a user types into a query panel to a C-FIND identifier.

Rules a reading room expects: a name without wildcards matches as a prefix (``doe`` ->
``doe*``; ``Doe, John`` -> ``Doe^John*``), a description matches anywhere
(``*chest*``), IDs and accession numbers match exactly unless the user typed ``*`` or
``?``, dates accept ``YYYYMMDD``, ``YYYY-MM-DD`` and ranges, and the study date comes
from a preset (today, yesterday, last 7 / 30 days) or a custom range with open ends.
Drill-down (a patient's studies, a study's series, a series' images) is
:func:`children_query`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from pydicom.dataset import Dataset

from workstation.dicom.qr_identifier import (
    LEVEL_ORDER,
    UNIQUE_KEY,
    QRLevel,
    QRModel,
    check_level,
    default_return_keys,
    mark_charset,
)
from workstation.errors import QueryKeyError

WILDCARDS = ("*", "?")
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")


class DatePreset(StrEnum):
    """A study date choice of the query panel and the local browser (one enum for both)."""

    ANY = "any"
    TODAY = "today"
    YESTERDAY = "yesterday"
    LAST_7_DAYS = "last_7_days"
    LAST_30_DAYS = "last_30_days"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class QueryForm:
    """What the user typed; every field optional. ``modalities`` like ``("CT", "MR")``."""

    patient_name: str = ""
    patient_id: str = ""
    birth_date: str = ""
    accession: str = ""
    modalities: tuple[str, ...] = ()
    study_date: DatePreset = DatePreset.ANY
    date_from: dt.date | None = None  # CUSTOM: either end may be open
    date_to: dt.date | None = None
    description: str = ""
    referring_physician: str = ""


def _has_wildcard(text: str) -> bool:
    return any(w in text for w in WILDCARDS)


def name_pattern(text: str) -> str:
    """A person name as typed -> a PN matching value (prefix match unless wildcards)."""
    text = text.strip()
    if not text:
        return ""
    if "," in text and "^" not in text:
        text = "^".join(part.strip() for part in text.split(",", 1))
    return text if _has_wildcard(text) else text + "*"


def contains_pattern(text: str) -> str:
    text = text.strip()
    if not text or _has_wildcard(text):
        return text
    return f"*{text}*"


def exact_or_wildcard(text: str) -> str:
    return text.strip()


def dicom_date(text: str, key: str) -> str:
    """``YYYYMMDD`` from ``YYYYMMDD`` or ``YYYY-MM-DD`` (checked to be a real date)."""
    m = _DATE.match(text.strip())
    if not m:
        raise QueryKeyError(key=key, reason=f"{text!r} is not a date (YYYY-MM-DD)")
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise QueryKeyError(key=key, reason=f"{text!r} is not a date") from None
    return day.strftime("%Y%m%d")


_ONE_DATE = r"\d{4}-\d{2}-\d{2}|\d{8}"
_DATE_OR_RANGE = re.compile(rf"^\s*(?P<lo>{_ONE_DATE})?\s*(?:(?P<dash>-)\s*(?P<hi>{_ONE_DATE})?)?\s*$")


def date_matching(text: str, key: str) -> str:
    """A single date or a range ``from-to`` / ``from-`` / ``-to`` in DICOM form."""
    text = text.strip()
    if not text:
        return ""
    m = _DATE_OR_RANGE.match(text)
    if not m or not (m["lo"] or m["hi"]):
        raise QueryKeyError(key=key, reason=f"{text!r} is not a date or date range")
    lo = dicom_date(m["lo"], key) if m["lo"] else ""
    if not m["dash"]:
        return lo
    hi = dicom_date(m["hi"], key) if m["hi"] else ""
    if lo and hi and lo > hi:
        raise QueryKeyError(key=key, reason="the range ends before it starts")
    return f"{lo}-{hi}"


def study_date_range(
    preset: DatePreset,
    today: dt.date,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> str:
    """The Study Date matching value of a preset ('' for any date)."""
    day = dt.timedelta(days=1)
    fmt = "%Y%m%d"
    if preset is DatePreset.ANY:
        return ""
    if preset is DatePreset.TODAY:
        return today.strftime(fmt)
    if preset is DatePreset.YESTERDAY:
        return (today - day).strftime(fmt)
    if preset is DatePreset.LAST_7_DAYS:
        return f"{(today - 6 * day).strftime(fmt)}-{today.strftime(fmt)}"
    if preset is DatePreset.LAST_30_DAYS:
        return f"{(today - 29 * day).strftime(fmt)}-{today.strftime(fmt)}"
    if date_from is None and date_to is None:
        return ""
    if date_from and date_to and date_from > date_to:
        raise QueryKeyError(key="StudyDate", reason="the range ends before it starts")
    if date_from == date_to:
        return date_from.strftime(fmt)  # type: ignore[union-attr]
    lo = date_from.strftime(fmt) if date_from else ""
    hi = date_to.strftime(fmt) if date_to else ""
    return f"{lo}-{hi}"


def _modalities(values: tuple[str, ...]) -> list[str]:
    found = []
    for value in values:
        for part in re.split(r"[\\,\s]+", value.strip().upper()):
            if part:
                if len(part) > 16 or not re.fullmatch(r"[A-Z0-9_ ]+", part):
                    raise QueryKeyError(key="Modality", reason=f"{part!r} is not a modality")
                found.append(part)
    return list(dict.fromkeys(found))


def build_query(
    form: QueryForm,
    model: QRModel,
    level: QRLevel = QRLevel.STUDY,
    today: dt.date | None = None,
) -> Dataset:
    """The C-FIND identifier of a search at PATIENT or STUDY level.

    At the STUDY level of the Patient Root model only the patient ID is sent of the
    patient keys (keys above the query level must be unique keys), so it is required.
    """
    check_level(model, level)
    if level not in (QRLevel.PATIENT, QRLevel.STUDY):
        raise QueryKeyError(
            key="QueryRetrieveLevel", reason="search at PATIENT or STUDY level, then drill down"
        )
    ds = Dataset()
    ds.QueryRetrieveLevel = level.value
    for keyword in default_return_keys(model, level):
        setattr(ds, keyword, None)
    patient_keys_allowed = level is QRLevel.PATIENT or model is QRModel.STUDY
    if form.patient_id.strip():
        ds.PatientID = exact_or_wildcard(form.patient_id)
    elif model is QRModel.PATIENT and level is QRLevel.STUDY:
        raise QueryKeyError(key="PatientID", reason="Patient Root studies are listed per patient")
    typed_patient = {
        "PatientName": name_pattern(form.patient_name),
        "PatientBirthDate": date_matching(form.birth_date, "PatientBirthDate"),
    }
    for keyword, value in typed_patient.items():
        if not value:
            continue
        if not patient_keys_allowed:
            raise QueryKeyError(
                key=keyword, reason="not a key at the STUDY level of the Patient Root model"
            )
        setattr(ds, keyword, value)
    study = {
        "AccessionNumber": exact_or_wildcard(form.accession),
        "StudyDescription": contains_pattern(form.description),
        "ReferringPhysicianName": name_pattern(form.referring_physician),
        "StudyDate": study_date_range(
            form.study_date, today or dt.date.today(), form.date_from, form.date_to
        ),
    }
    modalities = _modalities(form.modalities)
    if level is QRLevel.PATIENT:
        typed = [k for k, v in study.items() if v] + (["ModalitiesInStudy"] if modalities else [])
        if typed:
            raise QueryKeyError(key=typed[0], reason="not a key at the PATIENT level")
    else:
        for keyword, value in study.items():
            if value:
                setattr(ds, keyword, value)
        if modalities:
            ds.ModalitiesInStudy = modalities if len(modalities) > 1 else modalities[0]
    mark_charset(ds)
    return ds


def children_query(
    model: QRModel,
    level: QRLevel,
    patient_id: str = "",
    study_uid: str = "",
    series_uid: str = "",
    modality: str = "",
) -> Dataset:
    """Drill-down: the studies of a patient, series of a study or images of a series."""
    check_level(model, level)
    ds = Dataset()
    ds.QueryRetrieveLevel = level.value
    for keyword in default_return_keys(model, level):
        setattr(ds, keyword, None)
    parents = {"PatientID": patient_id, "StudyInstanceUID": study_uid, "SeriesInstanceUID": series_uid}
    top = 0 if model is QRModel.PATIENT else 1
    for above in LEVEL_ORDER[top : LEVEL_ORDER.index(level)]:
        keyword = UNIQUE_KEY[above]
        value = parents[keyword].strip()
        if not value:
            raise QueryKeyError(key=keyword, reason=f"needed to list the {level.value} level")
        setattr(ds, keyword, value)
    if modality.strip():
        if level is not QRLevel.SERIES:
            raise QueryKeyError(key="Modality", reason="a key at the SERIES level only")
        ds.Modality = _modalities((modality,))[0]
    mark_charset(ds)
    return ds
