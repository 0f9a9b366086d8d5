"""Modality Worklist identifiers (PS3.4 K.6; extract-001 5.2 and A.10); the answers are
read by :mod:`workstation.dicom.worklist_items`.

Two queries, both asking for every return key of A.10 (column R), sent zero-length:

* the broad query (:func:`broad_identifier`, "Worklist Update" and the timer): the
  Scheduled Procedure Step Start Date window of the settings, the own AE title as
  Scheduled Station AE Title and/or the station's Modality; each of these keys may be
  configured return-only (then sent zero-length, universal matching);
* the patient query (:func:`patient_identifier`): only the values the user entered are
  matching keys; no date, the Scheduled Station AE Title and Modality return keys only.

**Date windows** (``now`` is the local wall-clock time)::

    today            Date = YYYYMMDD (today)              Time zero-length
    yesterday-today  Date = YYYYMMDD-YYYYMMDD             Time zero-length
    today-12h        Date = D(now-12h)-D(now+12h)          Time zero-length (see below)
    today-24h        Date = D(now-24h)-D(now+24h)          Time zero-length (see below)
    any              Date zero-length                     Time zero-length

The +/-12 h and +/-24 h windows cross midnight. PS3.4 C.2.2.2.5 lets an SCP match a
Date range and a Time range as one combined date-time range, but does not make it
required: DCMTK ``wlmscpfs`` combines them, Orthanc's worklist plugin matches each
attribute on its own (``150000-030000`` then matches nothing). So by default we send
the **date range only** (it covers the window) with the time as a return key, and
:func:`~workstation.dicom.worklist_items.collect` drops the items whose start date-time lies outside the window
(:func:`broad_window`). ``combined_datetime=True`` also sends the time range
``T(now-12h)-T(now+12h)`` for SCPs known to combine; the local filter stays the same.

**Character sets**: a query with non-ASCII values goes as ISO_IR 100 when every value fits
Latin-1, else as ISO_IR 192.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import Tag

from workstation.config.settings import BroadKey, WorklistDateWindow, WorklistSettings
from workstation.dicom.qr_identifier import key_label, resolve_key, set_key
from workstation.dicom.query_form import name_pattern
from workstation.dicom.registration import character_set_for
from workstation.errors import QueryKeyError

log = logging.getLogger(__name__)

LATIN1 = "ISO_IR 100"
UTF8 = "ISO_IR 192"
SPS = "ScheduledProcedureStepSequence"
HIDDEN_STATUSES = frozenset({"CANCELED", "CANCELLED", "DISCONTINUED"})

# A.10 column R: sequences as (keyword, item keys); everything sent zero-length.
_CODE_ITEM = ("CodeValue", "CodingSchemeDesignator", "CodingSchemeVersion", "CodeMeaning")
_REF_ITEM = ("ReferencedSOPClassUID", "ReferencedSOPInstanceUID")
SPS_KEYS: tuple[str | tuple[str, tuple[str, ...]], ...] = (
    "ScheduledStationAETitle",
    "ScheduledProcedureStepStartDate",
    "ScheduledProcedureStepStartTime",
    "Modality",
    "ScheduledPerformingPhysicianName",
    "ScheduledProcedureStepDescription",
    ("ScheduledProtocolCodeSequence", _CODE_ITEM),
    "ScheduledProcedureStepLocation",
    "PreMedication",
    "ScheduledProcedureStepID",
    "ScheduledProcedureStepStatus",
    "RequestedContrastAgent",
)
TOP_KEYS: tuple[str | tuple[str, tuple[str, ...]], ...] = (
    # Requested Procedure
    "RequestedProcedureID",
    "RequestedProcedureDescription",
    ("RequestedProcedureCodeSequence", _CODE_ITEM),
    "StudyInstanceUID",
    ("ReferencedStudySequence", _REF_ITEM),
    "RequestedProcedurePriority",
    "NamesOfIntendedRecipientsOfResults",
    "RequestedProcedureComments",
    # Imaging Service Request
    "AccessionNumber",
    "RequestingPhysician",
    "ReferringPhysicianName",
    "RequestingService",
    "ImagingServiceRequestComments",
    # Visit Identification, Status, Admission, Relationship
    "InstitutionName",
    "AdmissionID",
    "CurrentPatientLocation",
    "AdmittingDiagnosesDescription",
    ("ReferencedPatientSequence", _REF_ITEM),
    # Patient Identification, Demographic, Medical
    "PatientName",
    "PatientID",
    "OtherPatientIDs",
    "OtherPatientNames",
    "PatientBirthDate",
    "PatientSex",
    "PatientWeight",
    "PatientSize",
    "PatientAddress",
    "MilitaryRank",
    "EthnicGroup",
    "PatientComments",
    "ConfidentialityConstraintOnPatientDataDescription",
    "PatientState",
    "PregnancyStatus",
    "MedicalAlerts",
    "Allergies",  # (0010,2110), "Contrast Allergies" in A.10
    "SpecialNeeds",
    "SmokingStatus",
    "AdditionalPatientHistory",
    "LastMenstrualDate",
)
SPS_KEYWORDS = frozenset(k if isinstance(k, str) else k[0] for k in SPS_KEYS)

# What the command line prints per item, in order (SPS keys by their own keyword).
ITEM_FIELDS = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "AccessionNumber",
    "RequestedProcedureID",
    "StudyInstanceUID",
    "ScheduledProcedureStepID",
    "Modality",
    "ScheduledStationAETitle",
    "ScheduledProcedureStepStartDate",
    "ScheduledProcedureStepStartTime",
    "ScheduledProcedureStepDescription",
    "ScheduledProcedureStepStatus",
    "ScheduledPerformingPhysicianName",
    "RequestedProcedureDescription",
    "ReferringPhysicianName",
)


# -- identifiers -------------------------------------------------------------------------
def _add_keys(ds: Dataset, keys: Iterable[str | tuple[str, tuple[str, ...]]]) -> None:
    for key in keys:
        if isinstance(key, str):
            setattr(ds, key, None)
        else:
            keyword, item_keys = key
            item = Dataset()
            for sub in item_keys:
                setattr(item, sub, None)
            setattr(ds, keyword, [item])


def return_keys() -> Dataset:
    """Every A.10 return key, zero-length; one Scheduled Procedure Step item."""
    ds = Dataset()
    ds.SpecificCharacterSet = None
    sps = Dataset()
    _add_keys(sps, SPS_KEYS)
    ds.ScheduledProcedureStepSequence = [sps]
    _add_keys(ds, TOP_KEYS)
    return ds


def sps_item(ds: Dataset) -> Dataset:
    """The (first) Scheduled Procedure Step item of an identifier or answer; an empty
    Dataset when there is none."""
    seq = ds.get(SPS)
    if not seq or not isinstance(seq[0], Dataset):
        return Dataset()
    return seq[0]


@dataclass(frozen=True)
class DateWindow:
    """The scheduled start date-times a broad query keeps (both ends included)."""

    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment <= self.end

    def dates(self) -> str:
        first, last = self.start.date(), self.end.date()
        return _da(first) if first == last else f"{_da(first)}-{_da(last)}"

    def times(self) -> str:
        return f"{_tm(self.start.time())}-{_tm(self.end.time())}"


def _da(d: date) -> str:
    return d.strftime("%Y%m%d")


def _tm(t: time) -> str:
    return t.strftime("%H%M%S")


def broad_window(ws: WorklistSettings, now: datetime) -> DateWindow | None:
    """The date-time window of the broad query, or None (no date, or date return-only)."""
    if BroadKey.START_DATE in ws.return_only:
        return None
    now = now.replace(microsecond=0)
    today = datetime.combine(now.date(), time())
    end_of_today = datetime.combine(now.date(), time(23, 59, 59))
    match ws.date_window:
        case WorklistDateWindow.TODAY:
            return DateWindow(today, end_of_today)
        case WorklistDateWindow.YESTERDAY_TODAY:
            return DateWindow(today - timedelta(days=1), end_of_today)
        case WorklistDateWindow.TODAY_12H:
            return DateWindow(now - timedelta(hours=12), now + timedelta(hours=12))
        case WorklistDateWindow.TODAY_24H:
            return DateWindow(now - timedelta(hours=24), now + timedelta(hours=24))
    return None


def broad_identifier(
    ws: WorklistSettings, station_aet: str, now: datetime, *, combined_datetime: bool = False
) -> Dataset:
    """The broad ("Worklist Update") identifier of the settings (module docstring);
    ``station_aet`` is our own AE title, ``now`` the local time."""
    ds = return_keys()
    sps = sps_item(ds)
    window = broad_window(ws, now)
    if window is not None:
        sps.ScheduledProcedureStepStartDate = window.dates()
        if combined_datetime and ws.date_window in (
            WorklistDateWindow.TODAY_12H,
            WorklistDateWindow.TODAY_24H,
        ):
            sps.ScheduledProcedureStepStartTime = window.times()
    if ws.query_by_station_aet and BroadKey.STATION_AET not in ws.return_only:
        sps.ScheduledStationAETitle = station_aet.strip()
    if ws.query_by_modality and BroadKey.MODALITY not in ws.return_only:
        sps.Modality = ws.modality
    return ds


@dataclass(frozen=True)
class PatientQuery:
    """The interactive query as typed; empty fields are return keys only."""

    patient_name: str = ""  # wildcards * and ? allowed; without them a prefix match
    patient_id: str = ""
    accession_number: str = ""
    requested_procedure_id: str = ""
    referring_physician: str = ""  # like the name

    @property
    def empty(self) -> bool:
        return not any(
            v.strip()
            for v in (
                self.patient_name,
                self.patient_id,
                self.accession_number,
                self.requested_procedure_id,
                self.referring_physician,
            )
        )


def patient_identifier(keys: PatientQuery, *, charset: str | None = None) -> Dataset:
    """The patient worklist query: the entered values as matching keys, every other A.10
    key (date, station AE title and modality too) a return key. ``charset``: the
    Specific Character Set to send (default: chosen from the values)."""
    ds = return_keys()
    values = {
        "PatientName": name_pattern(keys.patient_name),
        "PatientID": keys.patient_id.strip(),
        "AccessionNumber": keys.accession_number.strip(),
        "RequestedProcedureID": keys.requested_procedure_id.strip(),
        "ReferringPhysicianName": name_pattern(keys.referring_physician),
    }
    for keyword, value in values.items():
        if value:
            _check_value(keyword, value)
            setattr(ds, keyword, value)
    set_charset(ds, charset)
    return ds


def _check_value(keyword: str, value: str, *, multiple: bool = False) -> None:
    """No control characters; no backslash unless ``multiple`` values may be given."""
    if any(ord(c) < 0x20 for c in value) or (not multiple and "\\" in value):
        what = "control characters" if multiple else "backslash or control characters"
        raise QueryKeyError(key=keyword, reason=f"no {what}")


def identifier_with(ds: Dataset, overrides: Mapping[str, str]) -> Dataset:
    """A copy of ``ds`` with ``KEY=VALUE`` overrides (a keyword or tag ``gggg,eeee``);
    keys of the Scheduled Procedure Step go into its item. An empty value makes the key
    a return key. QueryKeyError for an unknown key or a value it cannot take."""
    out = deepcopy(ds)
    if not out.get(SPS):
        out.ScheduledProcedureStepSequence = [Dataset()]
    sps = sps_item(out)
    for name, value in overrides.items():
        tag = resolve_key(name)
        label = key_label(tag)
        if tag == Tag(0x0040, 0x0100):
            raise QueryKeyError(key=label, reason="give the keys of its item instead")
        if tag == Tag(0x0008, 0x0005):
            out.SpecificCharacterSet = value or None
            continue
        if value:
            _check_value(label, value, multiple=True)  # e.g. a list of UIDs
        target = sps if label in SPS_KEYWORDS else out
        set_key(target, tag, value)
    set_charset(out, None if not out.get("SpecificCharacterSet") else out.SpecificCharacterSet)
    return out


def _texts(ds: Dataset) -> Iterable[str]:
    for elem in ds.iterall():
        if elem.VR in ("SQ", "OB", "OW", "UN") or elem.value is None:
            continue
        values = elem.value if isinstance(elem.value, (list, MultiValue)) else [elem.value]
        for v in values:
            yield str(v)


def set_charset(ds: Dataset, charset: str | None) -> None:
    """Specific Character Set for a query: ``charset`` when given, else as for typed
    values (:func:`~workstation.dicom.registration.character_set_for`: zero-length for
    ASCII, ISO_IR 100 when every value fits Latin-1, ISO_IR 192 otherwise)."""
    ds.SpecificCharacterSet = charset or character_set_for(_texts(ds)) or None
