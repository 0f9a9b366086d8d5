"""A registered patient and procedure: what every object created or re-stamped for the
procedure step carries (extract-001 A.10), what the MPPS reports (A.11).

A registration comes from a worklist item (``from_worklist``), from the manual form
(``manual``, validated) or is an emergency (``emergency``: generated ID and name, to be
completed later; its MPPS waits until it is complete).

``worklist_attributes`` is the one place of the A.10 "IOD" column: the data set of
patient, study and request attributes that re-stamped and created objects carry.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.valuerep import PersonName

from workstation.dicom.uids import new_uid
from workstation.errors import RegistrationError

# extract-001 A.10 footnote 5: a zero-length birth date is kept internally as this value
# by the target; it is never written to DICOM (always replaced by zero length).
BIRTH_DATE_PLACEHOLDER = "18500101"
DEFAULT_CHARACTER_SET = "ISO_IR 100"  # extract-001 7.2: Latin-1 is the default
UTF8 = "ISO_IR 192"

PN_GROUP_MAX = 64  # characters per component group (PS3.5 6.2)
PN_COMPONENTS_MAX = 5
PN_GROUPS_MAX = 3  # alphabetic, ideographic, phonetic
LO_MAX = 64
SH_MAX = 16
CS_MAX = 16
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CS = re.compile(r"^[A-Z0-9_ ]+$")
SEXES = ("M", "F", "O", "")

# A.10 IOD column, copied from the worklist item as they are (patient and visit data
# the registration itself does not hold). Other Patient IDs (0010,1000) is retired in
# the current standard but is in the target's table: copied when the item has it.
WORKLIST_COPIED = (
    "OtherPatientIDs",
    "OtherPatientIDsSequence",
    "OtherPatientNames",
    "PatientWeight",
    "PatientSize",
    "MilitaryRank",
    "EthnicGroup",
    "PatientComments",
    "ConfidentialityConstraintOnPatientDataDescription",
    "AdditionalPatientHistory",
    "AdmittingDiagnosesDescription",
    "CurrentPatientLocation",
    "InstitutionName",
    "ReferencedPatientSequence",
    "ReferencedStudySequence",
)
# copied into the Request Attributes Sequence item from the worklist item (top level)
REQUEST_FROM_ITEM = (
    "RequestedProcedureID",
    "AccessionNumber",
    "StudyInstanceUID",
    "ReferencedStudySequence",
    "RequestedProcedureDescription",
    "RequestedProcedureCodeSequence",
)
# ... and from its Scheduled Procedure Step Sequence item
REQUEST_FROM_STEP = (
    "ScheduledProcedureStepDescription",
    "ScheduledProtocolCodeSequence",
    "ScheduledProcedureStepID",
)


@dataclass(frozen=True)
class Registration:
    """The patient and procedure of one procedure step. Values as DICOM strings
    (names with ``^`` components, dates ``YYYYMMDD``); empty means zero-length.

    ``worklist`` is the worklist item as answered (a Dataset, read-only by convention)
    or None for an unscheduled (manual or emergency) registration."""

    patient_name: str
    patient_id: str
    birth_date: str = ""
    sex: str = ""  # M, F, O or empty
    accession_number: str = ""
    requested_procedure_id: str = ""
    study_instance_uid: str = ""
    study_id: str = ""  # from Requested Procedure ID, editable
    study_description: str = ""  # from Requested Procedure Description, editable
    performing_physician: str = ""  # from Scheduled Performing Physician's Name, editable
    referring_physician: str = ""
    modality: str = "OT"
    specific_character_set: str = ""  # of the worklist item; "" = default repertoire
    emergency: bool = False  # generated ID / name: complete before the MPPS goes out
    worklist: Dataset | None = field(default=None, compare=False, repr=False)

    @property
    def scheduled(self) -> bool:
        return self.worklist is not None

    def completed_with(self, **changes: str) -> Registration:
        """The same registration with patient data completed (emergency -> regular)."""
        return replace(self, emergency=False, **changes)


@dataclass(frozen=True)
class RegistrationEdits:
    """What the user may change when registering from a worklist item (extract-001 5.2);
    None keeps the worklist's value."""

    performing_physician: str | None = None
    study_id: str | None = None
    study_description: str | None = None


@dataclass(frozen=True)
class ManualForm:
    """The manual registration form, as typed (validated by :func:`manual`)."""

    patient_name: str  # Family^Given^Middle^Prefix^Suffix (optionally =ideographic=phonetic)
    patient_id: str
    birth_date: str = ""  # YYYYMMDD or empty
    sex: str = ""  # M, F, O or empty
    modality: str = "OT"
    accession_number: str = ""
    referring_physician: str = ""
    performing_physician: str = ""
    study_id: str = ""
    study_description: str = ""


# -- validation ------------------------------------------------------------------------
def _fail(field_name: str, rule_code: str, rule: str) -> RegistrationError:
    return RegistrationError(field=field_name, rule=rule, rule_code=rule_code)


def _plain_text(field_name: str, value: str, max_len: int, *, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise _fail(field_name, "required", "is required")
    if len(text) > max_len:
        raise _fail(field_name, "too_long", f"must have at most {max_len} characters")
    if _CONTROL.search(text) or "\\" in text:
        raise _fail(
            field_name, "forbidden_character", "must not contain control characters or '\\'"
        )
    return text


def check_person_name(field_name: str, value: str, *, required: bool) -> str:
    """A PN value checked and normalised: at most 3 groups of at most 5 components, each
    group at most 64 characters, no control characters or backslash, trailing empty
    components dropped; the family name is required when ``required``."""
    text = value.strip()
    if _CONTROL.search(text) or "\\" in text:
        raise _fail(
            field_name, "forbidden_character", "must not contain control characters or '\\'"
        )
    groups = text.split("=")
    if len(groups) > PN_GROUPS_MAX:
        raise _fail(field_name, "too_many_groups", f"must have at most {PN_GROUPS_MAX} groups")
    cleaned = []
    for group in groups:
        components = [c.strip() for c in group.split("^")]
        if len(components) > PN_COMPONENTS_MAX:
            raise _fail(
                field_name,
                "too_many_components",
                f"must have at most {PN_COMPONENTS_MAX} components",
            )
        if any(len(c) > PN_GROUP_MAX for c in components):
            raise _fail(
                field_name,
                "component_too_long",
                f"must have at most {PN_GROUP_MAX} characters per component",
            )
        while components and not components[-1]:
            components.pop()
        joined = "^".join(components)
        if len(joined) > PN_GROUP_MAX:
            raise _fail(
                field_name, "too_long", f"must have at most {PN_GROUP_MAX} characters in all"
            )
        cleaned.append(joined)
    while len(cleaned) > 1 and not cleaned[-1]:
        cleaned.pop()
    if required and not cleaned[0].split("^")[0]:
        raise _fail(field_name, "family_name_required", "needs a family name")
    return "=".join(cleaned)


def check_birth_date(value: str, *, today: dt.date) -> str:
    """YYYYMMDD of a real date not after ``today``, or empty (zero length)."""
    text = value.strip()
    if not text:
        return ""
    if not re.fullmatch(r"\d{8}", text):
        raise _fail("birth_date", "format", "must be YYYYMMDD")
    try:
        day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise _fail("birth_date", "not_a_date", "is not a real date") from None
    if day > today:
        raise _fail("birth_date", "in_future", "must not be in the future")
    return text


def check_sex(value: str) -> str:
    text = value.strip().upper()
    if text not in SEXES:
        raise _fail("sex", "one_of", "must be M, F, O or empty")
    return text


def check_patient_id(value: str) -> str:
    return _plain_text("patient_id", value, LO_MAX, required=True)


def check_modality(value: str) -> str:
    text = value.strip().upper()
    if not text or len(text) > CS_MAX or not _CS.match(text):
        raise _fail("modality", "cs", "must be 1-16 capital letters, digits or '_'")
    return text


def character_set_for(values: Iterable[str]) -> str:
    """The character set for newly typed values: default repertoire for ASCII, else
    ISO_IR 100 (extract-001 7.2 default) when Latin-1 holds them, else UTF-8."""
    text = "".join(values)
    if text.isascii():
        return ""
    try:
        text.encode("latin_1")
    except UnicodeEncodeError:
        return UTF8
    return DEFAULT_CHARACTER_SET


def decode_all(ds: Dataset) -> Dataset:
    """Decode every element (sequences too) with the data set's own character set, person
    names to plain strings: values that can move to a data set of another character set.
    Changes ``ds`` in place and returns it."""
    for elem in ds.iterall():
        if elem.VR == "PN" and elem.value is not None:
            if isinstance(elem.value, MultiValue):
                elem.value = [str(v) for v in elem.value]
            elif isinstance(elem.value, PersonName):
                elem.value = str(elem.value)
    return ds


# -- the three ways to register --------------------------------------------------------
def _text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    if value is None:
        return ""
    if isinstance(value, MultiValue):
        return "\\".join(str(v) for v in value)
    return str(value).strip()


def _step(item: Dataset) -> Dataset:
    steps = item.get("ScheduledProcedureStepSequence") or []
    return steps[0] if len(steps) else Dataset()


def from_worklist(
    item_ds: Dataset,
    *,
    modality_default: str,
    edits: RegistrationEdits | None = None,
    org_root: str | None = None,
) -> Registration:
    """The registration of a worklist item; ``edits`` change performing physician, study
    ID and study description (checked as the manual form's values). A zero-length birth
    date stays empty; an item without Study Instance UID gets a generated one."""
    item = decode_all(copy.deepcopy(item_ds))
    step = _step(item)
    edits = edits or RegistrationEdits()
    performing = _text(step, "ScheduledPerformingPhysicianName")
    if edits.performing_physician is not None:
        performing = check_person_name("performing_physician", edits.performing_physician,
                                 required=False)  # fmt: skip
    study_id = _text(item, "RequestedProcedureID")[:SH_MAX]
    if edits.study_id is not None:
        study_id = _plain_text("study_id", edits.study_id, SH_MAX, required=False)
    description = _text(item, "RequestedProcedureDescription")
    if edits.study_description is not None:
        description = _plain_text(
            "study_description", edits.study_description, LO_MAX, required=False
        )
    birth = _text(item, "PatientBirthDate")
    charset = item.get("SpecificCharacterSet", "")
    if isinstance(charset, MultiValue):
        charset = "\\".join(str(c) for c in charset)
    return Registration(
        patient_name=_text(item, "PatientName"),
        patient_id=_text(item, "PatientID"),
        birth_date="" if birth == BIRTH_DATE_PLACEHOLDER else birth,
        sex=_text(item, "PatientSex"),
        accession_number=_text(item, "AccessionNumber"),
        requested_procedure_id=_text(item, "RequestedProcedureID"),
        study_instance_uid=_text(item, "StudyInstanceUID") or new_uid(org_root),
        study_id=study_id,
        study_description=description[:LO_MAX],
        performing_physician=performing,
        referring_physician=_text(item, "ReferringPhysicianName"),
        modality=_text(step, "Modality") or modality_default,
        specific_character_set=str(charset or ""),
        emergency=False,
        worklist=item,
    )


def _checked_form(form: ManualForm, *, today: dt.date) -> dict[str, str]:
    values = {
        "patient_name": check_person_name("patient_name", form.patient_name, required=True),
        "patient_id": check_patient_id(form.patient_id),
        "birth_date": check_birth_date(form.birth_date, today=today),
        "sex": check_sex(form.sex),
        "modality": check_modality(form.modality),
        "accession_number": _plain_text(
            "accession_number", form.accession_number, SH_MAX, required=False
        ),
        "referring_physician": check_person_name(
            "referring_physician", form.referring_physician, required=False
        ),
        "performing_physician": check_person_name(
            "performing_physician", form.performing_physician, required=False
        ),
        "study_id": _plain_text("study_id", form.study_id, SH_MAX, required=False),
        "study_description": _plain_text(
            "study_description", form.study_description, LO_MAX, required=False
        ),
    }
    return values


def manual(form: ManualForm, *, today: dt.date, org_root: str | None = None) -> Registration:
    """A registration without worklist item, from the validated form (RegistrationError
    names the first field that breaks a rule). The study gets a generated UID."""
    values = _checked_form(form, today=today)
    return Registration(
        **values,
        study_instance_uid=new_uid(org_root),
        specific_character_set=character_set_for(values.values()),
    )


def emergency(*, now: dt.datetime, modality: str, org_root: str | None = None) -> Registration:
    """An emergency registration: ID ``EMERG-YYYYMMDD-HHMMSS-xxxx`` (4 random hex
    digits), name ``EMERGENCY^YYYYMMDD-HHMMSS``; incomplete until completed."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return Registration(
        patient_name=f"EMERGENCY^{stamp}",
        patient_id=f"EMERG-{stamp}-{secrets.token_hex(2).upper()}",
        modality=check_modality(modality),
        study_instance_uid=new_uid(org_root),
        emergency=True,
    )


def complete_emergency(reg: Registration, form: ManualForm, *, today: dt.date) -> Registration:
    """The emergency registration completed with the validated patient data of ``form``
    (the study and its UID stay the same)."""
    values = _checked_form(form, today=today)
    return reg.completed_with(**values, specific_character_set=character_set_for(values.values()))


def is_complete(reg: Registration) -> bool:
    """Whether the patient data is complete enough for the MPPS to go out: not an
    emergency registration still waiting for its data, with family name and ID."""
    return (
        not reg.emergency
        and bool(reg.patient_name.split("=")[0].split("^")[0].strip())
        and bool(reg.patient_id.strip())
    )


# -- the A.10 IOD column ---------------------------------------------------------------
def _codes(items: Iterable[Dataset] | None) -> frozenset[tuple[str, str]]:
    found = set()
    for item in items or ():
        value = str(
            item.get("CodeValue") or item.get("LongCodeValue") or item.get("URNCodeValue") or ""
        )
        found.add((value.strip(), str(item.get("CodingSchemeDesignator", "")).strip()))
    return frozenset(found)


def scheduled_protocol(reg: Registration) -> list[Dataset]:
    """The Scheduled Protocol Code Sequence items of the worklist item (none unscheduled)."""
    if reg.worklist is None:
        return []
    return list(_step(reg.worklist).get("ScheduledProtocolCodeSequence") or [])


def protocols_differ(reg: Registration, performed_protocol: Iterable[Dataset] | None) -> bool:
    """A.10 footnote 4: the performed protocol codes are not the scheduled ones (None
    means "as scheduled")."""
    if performed_protocol is None:
        return False
    return _codes(performed_protocol) != _codes(scheduled_protocol(reg))


def _copy_value(ds: Dataset, source: Dataset, keyword: str) -> None:
    if keyword in source:
        ds[keyword] = copy.deepcopy(source[keyword])


def worklist_attributes(
    reg: Registration, *, performed_protocol: Iterable[Dataset] | None = None
) -> Dataset:
    """The A.10 "IOD" column as a data set: patient, study and request attributes that
    every object created or re-stamped for the step carries.

    Patient name, ID, birth date, sex, accession, referring and performing physician,
    Study ID and Study Description come from the registration (they may have been
    edited), the rest from the worklist item. Footnotes: Performing Physician's Name
    from the scheduled one (1), Study ID from Requested Procedure ID (2), Study
    Description from Requested Procedure Description (3), Procedure Code Sequence from
    Requested Procedure Code Sequence unless the performed protocol differs (4), a
    zero-length birth date stays zero length (5). Requested Procedure ID goes into the
    Request Attributes Sequence item (the image IODs have no top-level place for it).
    Type 2 attributes are present, empty when unknown."""
    ds = Dataset()
    if reg.specific_character_set:
        charsets = reg.specific_character_set.split("\\")
        ds.SpecificCharacterSet = charsets[0] if len(charsets) == 1 else charsets
    ds.PatientName = reg.patient_name
    ds.PatientID = reg.patient_id
    ds.PatientBirthDate = "" if reg.birth_date == BIRTH_DATE_PLACEHOLDER else reg.birth_date
    ds.PatientSex = reg.sex
    ds.StudyInstanceUID = reg.study_instance_uid
    ds.StudyID = reg.study_id
    ds.AccessionNumber = reg.accession_number
    ds.ReferringPhysicianName = reg.referring_physician
    if reg.study_description:
        ds.StudyDescription = reg.study_description
    if reg.performing_physician:
        ds.PerformingPhysicianName = reg.performing_physician
    if reg.worklist is None:
        return ds
    item = decode_all(copy.deepcopy(reg.worklist))
    for keyword in WORKLIST_COPIED:
        _copy_value(ds, item, keyword)
    for keyword in ("PatientWeight", "PatientSize"):  # zero means "not measured"
        if keyword in ds and _is_zero(ds[keyword].value):
            del ds[keyword]
    requested_codes = item.get("RequestedProcedureCodeSequence")
    if requested_codes and not protocols_differ(reg, performed_protocol):
        ds.ProcedureCodeSequence = copy.deepcopy(requested_codes)
    request = Dataset()
    for keyword in REQUEST_FROM_ITEM:
        _copy_value(request, item, keyword)
    step = _step(item)
    for keyword in REQUEST_FROM_STEP:
        _copy_value(request, step, keyword)
    request.RequestedProcedureID = reg.requested_procedure_id
    request.AccessionNumber = reg.accession_number
    request.StudyInstanceUID = reg.study_instance_uid
    for keyword in ("RequestedProcedureCodeSequence", "ScheduledProtocolCodeSequence"):
        if keyword in request and not len(request[keyword].value):
            del request[keyword]
    ds.RequestAttributesSequence = [request]
    return ds


def _is_zero(value: object) -> bool:
    try:
        return float(value) == 0.0  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
