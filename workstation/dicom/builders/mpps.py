"""Modality Performed Procedure Step data sets: the N-CREATE and the N-SET attribute lists.

What goes in follows the conformance target (extract-001 A.11) within PS3.4 Table F.7.2-1:

- N-CREATE (``n_create_dataset``): status IN PROGRESS; every Type 1 attribute with a
  value and every Type 2 attribute present (zero-length when unknown); the Scheduled Step
  Attributes Sequence from the worklist item, or one item with only the Study Instance UID
  for an unscheduled step (F.7.2.1.2 note 3); End Date/Time, Performed Series Sequence and
  the Discontinuation Reason Code Sequence created zero-length, since only attributes
  created by the N-CREATE may be set later (Table F.7.2-1 note 5); the dose attributes of
  A.11 created zero-length too.
- N-SET (``n_set_dataset``): only attributes Table F.7.2-1 lets an N-SET carry; the final
  one with End Date/Time and the Performed Series Sequence listing every instance (image
  SOP classes in the Referenced Image Sequence, others in the Referenced Non-Image
  Composite SOP Instance Sequence, F.7.2.2.2); the reason code only for DISCONTINUED.

A zero-length birth date stays zero-length (A.10 footnote 5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydicom.charset import convert_encodings
from pydicom.dataset import Dataset
from pydicom.uid import UID

from workstation.dicom.registration import Registration
from workstation.errors import BuildError

IOD = "Modality Performed Procedure Step"
MPPS_SOP_CLASS = "1.2.840.10008.3.1.2.3.3"

IN_PROGRESS = "IN PROGRESS"
COMPLETED = "COMPLETED"
DISCONTINUED = "DISCONTINUED"
FINAL_STATES = frozenset({COMPLETED, DISCONTINUED})
PpsStatus = Literal["IN PROGRESS", "COMPLETED", "DISCONTINUED"]

UTF8 = "ISO_IR 192"


@dataclass(frozen=True, slots=True)
class Code:
    """A coded entry: Code Value, Coding Scheme Designator, Code Meaning (and the scheme's
    version when the scheme needs one)."""

    value: str
    scheme: str
    meaning: str
    version: str = ""

    def item(self) -> Dataset:
        ds = Dataset()
        ds.CodeValue = self.value
        ds.CodingSchemeDesignator = self.scheme
        if self.version:
            ds.CodingSchemeVersion = self.version
        ds.CodeMeaning = self.meaning
        return ds


def _dcm(value: str, meaning: str) -> tuple[str, Code]:
    return value, Code(value, "DCM", meaning)


#: The reasons a modality discontinues a performed procedure step: the DCM codes the
#: conformance target takes from PS3.16 CID 9300 "Procedure Discontinuation Reasons".
#: (Current editions keep them in CID 9301 "Modality PPS Discontinuation Reason", which
#: CID 9300 includes; the test compares them with pydicom's copy of CID 9301.)
CID_9300: dict[str, Code] = dict(
    (
        _dcm("110500", "Doctor canceled procedure"),
        _dcm("110501", "Equipment failure"),
        _dcm("110502", "Incorrect procedure ordered"),
        _dcm("110503", "Patient allergic to media/contrast"),
        _dcm("110504", "Patient died"),
        _dcm("110505", "Patient refused to continue procedure"),
        _dcm("110506", "Patient taken for treatment or surgery"),
        _dcm("110507", "Patient did not arrive"),
        _dcm("110508", "Patient pregnant"),
        _dcm("110509", "Change of procedure for correct charging"),
        _dcm("110510", "Duplicate order"),
        _dcm("110511", "Nursing unit cancel"),
        _dcm("110512", "Incorrect side ordered"),
        _dcm("110513", "Discontinued for unspecified reason"),
        _dcm("110514", "Incorrect worklist entry selected"),
        _dcm("110515", "Patient condition prevented continuing"),
        _dcm("110516", "Equipment change"),
    )
)
UNSPECIFIED_REASON = CID_9300["110513"]


@dataclass(frozen=True, slots=True)
class PerformedInstance:
    """One composite instance created during the step."""

    sop_class_uid: str
    sop_instance_uid: str
    series_uid: str


@dataclass(frozen=True, slots=True)
class StepFacts:
    """What the workstation knows of the step itself (not of the patient).

    ``performed_protocol`` None: no protocol codes configured (the sequence is sent
    zero-length, A.11 footnote 1). ``protocol_name`` is each series' Protocol Name (Type 1);
    empty takes the description, then the modality. ``performing_physician`` None takes
    the registration's."""

    pps_id: str
    station_aet: str
    station_name: str
    start: datetime
    end: datetime | None
    description: str
    operator: str
    performed_protocol: list[Code] | None
    retrieve_aet: str
    location: str = ""
    protocol_name: str = ""
    performing_physician: str | None = None


# -- image or not ------------------------------------------------------------------------
# Storage SOP classes of image IODs whose names do not say "Image Storage".
_IMAGE_CLASSES_BY_NAME = frozenset(
    {
        "Segmentation Storage",
        "Label Map Segmentation Storage",
        "Height Map Segmentation Storage",
        "Parametric Map Storage",
        "Enhanced US Volume Storage",
        "Ophthalmic Thickness Map Storage",
        "Corneal Topography Map Storage",
        "Ophthalmic Optical Coherence Tomography B-scan Volume Analysis Storage",
    }
)


def is_image_sop_class(sop_class_uid: str) -> bool:
    """Whether instances of ``sop_class_uid`` go in the Referenced Image Sequence (an image
    storage SOP class) rather than the Referenced Non-Image Composite SOP Instance Sequence
    (Encapsulated PDF, SR, presentation states, KOS, waveforms, RT plans, ...).

    Decided by the SOP class name in pydicom's UID dictionary; a class it does not know
    (a private one) counts as non-image."""
    uid = UID(sop_class_uid)
    if uid.type != "SOP Class":
        return False
    name = uid.name.replace(" (Retired)", "")
    return "Image Storage" in name or name in _IMAGE_CLASSES_BY_NAME


# -- N-CREATE ----------------------------------------------------------------------------
_CODE_KEYWORDS = ("CodeValue", "CodingSchemeDesignator", "CodingSchemeVersion", "CodeMeaning",
                  "LongCodeValue", "URNCodeValue")  # fmt: skip
_SOP_REFERENCE = ("ReferencedSOPClassUID", "ReferencedSOPInstanceUID")

#: A.11 attributes created zero-length so that a final N-SET may fill them (dose and film
#: consumption; PS3.4 keeps them as "all other attributes", Type 3/3).
DOSE_PLACEHOLDERS = (
    "DistanceSourceToDetector",
    "ImageAndFluoroscopyAreaDoseProduct",
    "CommentsOnRadiationDose",
    "TotalTimeOfFluoroscopy",
    "TotalNumberOfExposures",
    "DistanceSourceToEntrance",
    "ExposureDoseSequence",
    "BillingProcedureStepSequence",
    "FilmConsumptionSequence",
    "EntranceDoseInmGy",
)


def n_create_dataset(reg: Registration, facts: StepFacts) -> Dataset:
    """The N-CREATE attribute list of a new step (status IN PROGRESS, A.11)."""
    if reg.emergency:
        raise BuildError(iod=IOD, reason="the emergency registration must be completed first")
    if not reg.study_instance_uid:
        raise BuildError(iod=IOD, reason="the registration has no Study Instance UID")
    for keyword, value in (("PerformedProcedureStepID", facts.pps_id),
                           ("PerformedStationAETitle", facts.station_aet),
                           ("Modality", reg.modality)):  # fmt: skip
        if not value.strip():
            raise BuildError(iod=IOD, reason=f"{keyword} (Type 1) is empty")
    wl = reg.worklist
    ds = Dataset()
    # Performed Procedure Step Relationship
    ds.ScheduledStepAttributesSequence = _scheduled_steps(reg)
    ds.PatientName = reg.patient_name
    ds.PatientID = reg.patient_id
    ds.PatientBirthDate = reg.birth_date
    ds.PatientSex = reg.sex
    ds.ReferencedPatientSequence = _references(wl, "ReferencedPatientSequence")
    # Performed Procedure Step Information
    ds.PerformedProcedureStepID = facts.pps_id
    ds.PerformedStationAETitle = facts.station_aet
    ds.PerformedStationName = facts.station_name
    ds.PerformedLocation = facts.location
    ds.PerformedProcedureStepStartDate = facts.start.strftime("%Y%m%d")
    ds.PerformedProcedureStepStartTime = facts.start.strftime("%H%M%S")
    ds.PerformedProcedureStepStatus = IN_PROGRESS
    ds.PerformedProcedureStepDescription = facts.description or _sps_description(wl)
    ds.PerformedProcedureTypeDescription = ""
    ds.ProcedureCodeSequence = _codes(wl, "RequestedProcedureCodeSequence")
    ds.PerformedProcedureStepEndDate = ""
    ds.PerformedProcedureStepEndTime = ""
    ds.PerformedProcedureStepDiscontinuationReasonCodeSequence = []
    # Image Acquisition Results
    ds.Modality = reg.modality
    ds.StudyID = reg.study_id
    ds.PerformedProtocolCodeSequence = _protocol_codes(facts)
    ds.PerformedSeriesSequence = []
    for keyword in DOSE_PLACEHOLDERS:
        setattr(ds, keyword, [] if keyword.endswith("Sequence") else None)
    _set_character_set(ds, reg.specific_character_set)
    return ds


def _scheduled_steps(reg: Registration) -> list[Dataset]:
    """One item per scheduled procedure step of the worklist item, or one item with the
    Study Instance UID only (the rest zero-length) when unscheduled."""
    wl = reg.worklist
    steps: Sequence[Dataset] = ()
    if wl is not None:
        steps = wl.get("ScheduledProcedureStepSequence") or ()
    items = []
    for sps in steps or [None]:
        item = Dataset()
        item.StudyInstanceUID = reg.study_instance_uid
        item.ReferencedStudySequence = _references(wl, "ReferencedStudySequence")
        item.AccessionNumber = reg.accession_number
        item.RequestedProcedureID = reg.requested_procedure_id
        item.RequestedProcedureDescription = _text(wl, "RequestedProcedureDescription")
        item.ScheduledProcedureStepID = _text(sps, "ScheduledProcedureStepID")
        item.ScheduledProcedureStepDescription = _text(sps, "ScheduledProcedureStepDescription")
        item.ScheduledProtocolCodeSequence = _codes(sps, "ScheduledProtocolCodeSequence")
        items.append(item)
    return items


def _sps_description(wl: Dataset | None) -> str:
    for sps in (wl.get("ScheduledProcedureStepSequence") or ()) if wl is not None else ():
        text = _text(sps, "ScheduledProcedureStepDescription")
        if text:
            return text
    return ""


def _text(ds: Dataset | None, keyword: str) -> str:
    if ds is None:
        return ""
    value = ds.get(keyword)
    return "" if value is None else str(value)


def _references(ds: Dataset | None, keyword: str) -> list[Dataset]:
    """The SOP references of ``ds``'s ``keyword`` sequence (items lacking a UID dropped)."""
    items = []
    for ref in (ds.get(keyword) or ()) if ds is not None else ():
        if all(str(ref.get(k, "") or "") for k in _SOP_REFERENCE):
            item = Dataset()
            for k in _SOP_REFERENCE:
                setattr(item, k, str(ref.get(k)))
            items.append(item)
    return items


def _codes(ds: Dataset | None, keyword: str) -> list[Dataset]:
    """Copies of the code items of ``ds``'s ``keyword`` sequence (code macro attributes
    only; items without a code value or a meaning dropped)."""
    items = []
    for code in (ds.get(keyword) or ()) if ds is not None else ():
        item = Dataset()
        for k in _CODE_KEYWORDS:
            value = code.get(k)
            if value not in (None, ""):
                setattr(item, k, str(value))
        has_value = any(k in item for k in ("CodeValue", "LongCodeValue", "URNCodeValue"))
        if has_value and "CodeMeaning" in item:
            items.append(item)
    return items


def _protocol_codes(facts: StepFacts) -> list[Dataset]:
    return [code.item() for code in facts.performed_protocol or ()]


# -- N-SET -------------------------------------------------------------------------------
def n_set_dataset(
    reg: Registration,
    facts: StepFacts,
    status: PpsStatus,
    instances: Sequence[PerformedInstance],
    series_descriptions: Mapping[str, str] | None = None,
    discontinue_reason: Code | None = None,
) -> Dataset:
    """The N-SET modification list: ``status`` and what changed since the N-CREATE.

    A final one (COMPLETED, DISCONTINUED) carries End Date/Time (``facts.end``, required)
    and the Performed Series Sequence with every instance, one item per series in the
    order the series first appear; DISCONTINUED carries ``discontinue_reason`` (a CID 9300
    code; none given: 110513 "Discontinued for unspecified reason")."""
    if status not in (IN_PROGRESS, COMPLETED, DISCONTINUED):
        raise BuildError(iod=IOD, reason=f"unknown Performed Procedure Step Status {status!r}")
    if discontinue_reason is not None and status != DISCONTINUED:
        raise BuildError(iod=IOD, reason=f"a discontinuation reason with status {status}")
    final = status in FINAL_STATES
    if final and facts.end is None:
        raise BuildError(iod=IOD, reason=f"a {status} step needs its end date and time")
    if final and not instances:
        # Table F.7.2-1 note 2: the Performed Series Sequence may not be empty when final
        raise BuildError(iod=IOD, reason=f"a {status} step needs at least one instance")
    ds = Dataset()
    ds.PerformedProcedureStepStatus = status
    if final and facts.end is not None:
        ds.PerformedProcedureStepEndDate = facts.end.strftime("%Y%m%d")
        ds.PerformedProcedureStepEndTime = facts.end.strftime("%H%M%S")
    ds.PerformedProcedureStepDescription = facts.description or _sps_description(reg.worklist)
    ds.PerformedProcedureTypeDescription = ""
    if facts.performed_protocol is not None:
        ds.PerformedProtocolCodeSequence = _protocol_codes(facts)
    if instances or final:
        ds.PerformedSeriesSequence = performed_series(reg, facts, instances, series_descriptions)
    if status == DISCONTINUED:
        reason = discontinue_reason or UNSPECIFIED_REASON
        ds.PerformedProcedureStepDiscontinuationReasonCodeSequence = [reason.item()]
    _set_character_set(ds, reg.specific_character_set)
    return ds


def performed_series(
    reg: Registration,
    facts: StepFacts,
    instances: Iterable[PerformedInstance],
    series_descriptions: Mapping[str, str] | None = None,
) -> list[Dataset]:
    """The Performed Series Sequence items: one per series, with every instance once."""
    by_series: dict[str, list[PerformedInstance]] = {}
    for inst in instances:
        listed = by_series.setdefault(inst.series_uid, [])
        if all(i.sop_instance_uid != inst.sop_instance_uid for i in listed):
            listed.append(inst)
    descriptions = series_descriptions or {}
    physician = reg.performing_physician if facts.performing_physician is None else (
        facts.performing_physician
    )  # fmt: skip
    protocol = facts.protocol_name or facts.description or _sps_description(reg.worklist)
    items = []
    for series_uid, members in by_series.items():
        item = Dataset()
        item.RetrieveAETitle = facts.retrieve_aet
        item.SeriesDescription = descriptions.get(series_uid, "")
        item.PerformingPhysicianName = physician
        item.OperatorsName = facts.operator
        item.ProtocolName = protocol or reg.modality
        item.SeriesInstanceUID = series_uid
        item.ReferencedImageSequence = [
            _sop_reference(i) for i in members if is_image_sop_class(i.sop_class_uid)
        ]
        item.ReferencedNonImageCompositeSOPInstanceSequence = [
            _sop_reference(i) for i in members if not is_image_sop_class(i.sop_class_uid)
        ]
        items.append(item)
    return items


def _sop_reference(inst: PerformedInstance) -> Dataset:
    item = Dataset()
    item.ReferencedSOPClassUID = inst.sop_class_uid
    item.ReferencedSOPInstanceUID = inst.sop_instance_uid
    return item


# -- character set -----------------------------------------------------------------------
def _set_character_set(ds: Dataset, registered: str) -> None:
    """Specific Character Set (1C): the registration's (the worklist's) when a text value
    needs more than ASCII and that set can encode it, else ISO_IR 192; absent when all
    text is ASCII (and nothing was registered)."""
    texts = list(_texts(ds))
    if all(t.isascii() for t in texts):
        if registered:
            ds.SpecificCharacterSet = registered
        return
    ds.SpecificCharacterSet = registered if _encodes(registered, texts) else UTF8


def _texts(ds: Dataset) -> Iterable[str]:
    for elem in ds:
        if elem.VR == "SQ":
            for item in elem.value:
                yield from _texts(item)
        elif elem.VR in ("PN", "LO", "SH", "ST", "LT", "UT", "UC") and elem.value is not None:
            yield str(elem.value)


def _encodes(character_set: str, texts: list[str]) -> bool:
    """Whether every text can be written in ``character_set`` (one value, no code
    extensions: those are the worklist's and kept)."""
    if not character_set:
        return False
    terms = [t.strip() for t in character_set.split("\\")]
    if len(terms) > 1:
        return True
    codec = convert_encodings(terms)[0]
    try:
        for text in texts:
            text.encode(codec)
    except (UnicodeEncodeError, LookupError):
        return False
    return True
