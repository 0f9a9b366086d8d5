"""Modality Worklist identifiers and answers (PS3.4 K.6; extract-001 5.2 and A.10).

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
:func:`collect` drops the items whose start date-time lies outside the window
(:func:`broad_window`). ``combined_datetime=True`` also sends the time range
``T(now-12h)-T(now+12h)`` for SCPs known to combine; the local filter stays the same.

**Character sets**: an answer is read in its own Specific Character Set; an answer
without one (``wlmscpfs`` returns none by default) in the query's, and when the query
had none: UTF-8 if its non-ASCII bytes are valid UTF-8, else ISO_IR 100 (the target's
default). A query with non-ASCII values goes as ISO_IR 100 when every value fits
Latin-1, else as ISO_IR 192.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from pydicom.charset import convert_encodings, python_encoding
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import Tag

from workstation.config.settings import BroadKey, WorklistDateWindow, WorklistSettings
from workstation.dicom.qr_identifier import key_label, resolve_key, set_key
from workstation.dicom.query_form import name_pattern
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
_SPS_KEYWORDS = frozenset(k if isinstance(k, str) else k[0] for k in SPS_KEYS)

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
        target = sps if label in _SPS_KEYWORDS else out
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
    """Specific Character Set for a query: ``charset`` when given, else zero-length for
    ASCII, ISO_IR 100 when every value fits Latin-1, ISO_IR 192 otherwise."""
    if charset:
        ds.SpecificCharacterSet = charset
        return
    texts = [t for t in _texts(ds) if not t.isascii()]
    if not texts:
        ds.SpecificCharacterSet = None
        return
    try:
        for t in texts:
            t.encode("latin-1")
        ds.SpecificCharacterSet = LATIN1
    except UnicodeEncodeError:
        ds.SpecificCharacterSet = UTF8


# -- answers ------------------------------------------------------------------------------
_TEXT_VRS = frozenset({"PN", "LO", "SH", "ST", "LT", "UT", "UC"})


def _raw_non_ascii(ds: Dataset) -> list[bytes]:
    """The non-ASCII raw text values at the top level of ``ds`` (sequences are not
    looked into: reading one decodes its items in the character set known then)."""
    found: list[bytes] = []
    for tag in list(ds.keys()):
        raw = ds.get_item(tag)
        if not isinstance(raw, RawDataElement) or not raw.value:
            continue
        vr = raw.VR
        if vr is None:
            try:
                vr = dictionary_VR(tag)
            except KeyError:
                continue
        if vr in _TEXT_VRS and not raw.value.isascii():
            found.append(bytes(raw.value))
    return found


def guess_charset(ds: Dataset) -> str:
    """For an answer without Specific Character Set: UTF-8 when its non-ASCII text is
    valid UTF-8, else ISO_IR 100; "" when it is all ASCII."""
    values = _raw_non_ascii(ds)
    for value in values:
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return LATIN1
    return UTF8 if values else ""


def decode_answer(ds: Dataset, query_charset: object = None) -> Dataset:
    """``ds`` (as received, not yet decoded) made to read its text right: in its own
    Specific Character Set, else the query's, else guessed (:func:`guess_charset`).
    pydicom decodes each value when it is first read; a bad byte becomes a replacement
    character, never an exception."""
    if ds.get("SpecificCharacterSet"):
        return ds
    charset = query_charset or guess_charset(ds)
    if charset:
        ds.SpecificCharacterSet = charset
        implicit, little = ds.original_encoding
        # values not read yet are decoded in the character set the data set was read with
        ds.set_original_encoding(implicit, little, convert_encodings(charset))
    return ds


# String VRs whose raw bytes, in a single-byte or UTF-8 character set, decode as they are
_STRING_VRS = frozenset(
    {
        "AE",
        "AS",
        "CS",
        "DA",
        "DS",
        "DT",
        "IS",
        "LO",
        "LT",
        "PN",
        "SH",
        "ST",
        "TM",
        "UC",
        "UI",
        "UR",
        "UT",
    }
)
_TAGS: dict[str, Tag] = {}


def _tag(keyword: str) -> Tag:
    tag = _TAGS.get(keyword)
    if tag is None:
        tag = _TAGS[keyword] = Tag(keyword)
    return tag


def codec_of(ds: Dataset) -> str | None:
    """The Python codec of ``ds``'s (single) Specific Character Set for reading raw text
    directly; None for code extensions (ISO 2022) or an unknown term (pydicom decodes)."""
    value = ds.get("SpecificCharacterSet")
    terms = [value] if isinstance(value, str) else list(value or [])
    terms = [t.strip() for t in terms if t and t.strip()]
    if not terms:
        return "latin_1"  # the default repertoire; pydicom also reads it as ISO 8859-1
    if len(terms) > 1 or terms[0].startswith("ISO 2022"):
        return None
    return python_encoding.get(terms[0])


def _text(ds: Dataset, keyword: str, codec: str | None = None) -> str:
    """``keyword``'s value as text; raw string values are decoded straight with ``codec``
    (much cheaper than pydicom's conversion, same result for such character sets)."""
    tag = _tag(keyword)
    raw = ds.get_item(tag)
    if raw is None:
        return ""
    if codec is not None and isinstance(raw, RawDataElement):
        vr = raw.VR
        if vr is None:
            try:
                vr = dictionary_VR(tag)
            except KeyError:
                vr = ""
        if vr in _STRING_VRS:
            return raw.value.decode(codec, errors="replace").strip(" \x00") if raw.value else ""
    value = ds[tag].value
    if value is None:
        return ""
    if isinstance(value, (list, MultiValue)):
        if value and isinstance(value[0], Dataset):
            return f"({len(value)} items)"
        return "\\".join(str(v) for v in value)
    if isinstance(value, bytes):
        return f"({len(value)} bytes)"
    return str(value).strip()


@dataclass(frozen=True)
class WorklistItem:
    """One worklist answer (decoded); display values as strings, "" when absent."""

    dataset: Dataset

    @cached_property
    def sps(self) -> Dataset:
        return sps_item(self.dataset)

    @property
    def key(self) -> tuple[str, str]:
        """(Study Instance UID, Scheduled Procedure Step ID): the de-duplication key."""
        return (self.study_instance_uid, self.sps_id)

    @cached_property
    def codec(self) -> str | None:
        return codec_of(self.dataset)

    def top(self, keyword: str) -> str:
        return _text(self.dataset, keyword, self.codec)

    def step(self, keyword: str) -> str:
        return _text(self.sps, keyword, self.codec)

    def value(self, keyword: str) -> str:
        """A keyword's value, from the step item for the step's keys."""
        return self.step(keyword) if keyword in _SPS_KEYWORDS else self.top(keyword)

    patient_name = property(lambda self: self.top("PatientName"))
    patient_id = property(lambda self: self.top("PatientID"))
    birth_date = property(lambda self: self.top("PatientBirthDate"))
    sex = property(lambda self: self.top("PatientSex"))
    accession_number = property(lambda self: self.top("AccessionNumber"))
    requested_procedure_id = property(lambda self: self.top("RequestedProcedureID"))
    requested_procedure_description = property(
        lambda self: self.top("RequestedProcedureDescription")
    )
    study_instance_uid = property(lambda self: self.top("StudyInstanceUID"))
    referring_physician = property(lambda self: self.top("ReferringPhysicianName"))
    specific_character_set = property(lambda self: self.top("SpecificCharacterSet"))
    sps_id = property(lambda self: self.step("ScheduledProcedureStepID"))
    sps_description = property(lambda self: self.step("ScheduledProcedureStepDescription"))
    modality = property(lambda self: self.step("Modality"))
    station_aet = property(lambda self: self.step("ScheduledStationAETitle"))
    start_date = property(lambda self: self.step("ScheduledProcedureStepStartDate"))
    start_time = property(lambda self: self.step("ScheduledProcedureStepStartTime"))
    status = property(lambda self: self.step("ScheduledProcedureStepStatus").upper())
    performing_physician = property(lambda self: self.step("ScheduledPerformingPhysicianName"))

    @property
    def start_day(self) -> date | None:
        """The scheduled start date; None when absent or not a date."""
        d = self.start_date[:8]
        if len(d) != 8 or not d.isdigit():
            return None
        try:
            return date(int(d[:4]), int(d[4:6]), int(d[6:8]))
        except ValueError:
            return None

    @property
    def start_clock(self) -> time | None:
        """The scheduled start time (HH, HHMM, HHMMSS, HH:MM:SS, fractions dropped)."""
        t = self.start_time.replace(":", "").split(".")[0]
        if not t.isdigit() or len(t) not in (2, 4, 6):
            return None
        t = (t + "0000")[:6]
        try:
            return time(int(t[:2]), int(t[2:4]), int(t[4:6]))
        except ValueError:
            return None

    @property
    def start(self) -> datetime | None:
        """The scheduled start (00:00 when only the date is known); None without a date."""
        day = self.start_day
        if day is None:
            return None
        return datetime.combine(day, self.start_clock or time())

    @property
    def hidden(self) -> bool:
        """A cancelled or discontinued step: not shown."""
        return self.status in HIDDEN_STATUSES

    def within(self, window: DateWindow) -> bool:
        """Whether the step starts in ``window``: by date and time, by the date alone when
        the time is unknown; True when the date is unknown (the provider matched it)."""
        day = self.start_day
        if day is None:
            return True
        clock = self.start_clock
        if clock is None:
            return window.start.date() <= day <= window.end.date()
        return window.contains(datetime.combine(day, clock))


def collect(answers: Iterable[Dataset], *, window: DateWindow | None = None) -> list[WorklistItem]:
    """The items to show, in arrival order: de-duplicated on (Study Instance UID,
    Scheduled Procedure Step ID) (first kept), cancelled / discontinued steps hidden,
    and with ``window`` the steps starting outside it dropped (:meth:`WorklistItem.within`)."""
    seen: set[tuple[str, str]] = set()
    items: list[WorklistItem] = []
    for ds in answers:
        item = ds if isinstance(ds, WorklistItem) else WorklistItem(ds)
        if item.hidden or item.key in seen:
            continue
        if window is not None and not item.within(window):
            continue
        seen.add(item.key)
        items.append(item)
    return items


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ").strip()


def item_fields(item: WorklistItem, keywords: Iterable[str] = ITEM_FIELDS) -> list[tuple[str, str]]:
    """(Keyword, value) for the command line's line, step keys by their own keyword."""
    return [(k, _clean(item.value(k))) for k in keywords]


def item_line(item: WorklistItem, keywords: Iterable[str] = ITEM_FIELDS) -> str:
    """One tab-separated ``Keyword=value`` line."""
    return "\t".join(f"{k}={v}" for k, v in item_fields(item, keywords))
