"""Modality Worklist answers (PS3.4 K.6): read in their character set, as items for the
table, de-duplicated and filtered (:func:`collect`), and as CLI lines.

**Character sets**: an answer is read in its own Specific Character Set; an answer
without one (``wlmscpfs`` returns none by default) in the query's, and when the query
had none: UTF-8 if its non-ASCII bytes are valid UTF-8, else ISO_IR 100 (the target's
default).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property

from pydicom.charset import convert_encodings, python_encoding
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import Tag

from workstation.dicom.worklist import (
    HIDDEN_STATUSES,
    ITEM_FIELDS,
    LATIN1,
    SPS_KEYWORDS,
    UTF8,
    DateWindow,
    sps_item,
)

log = logging.getLogger(__name__)

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
        return self.step(keyword) if keyword in SPS_KEYWORDS else self.top(keyword)

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
