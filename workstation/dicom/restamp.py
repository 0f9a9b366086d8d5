"""Re-stamping DICOM files brought to an examination (folder, USB stick) with the
registration's worklist attributes (extract-001 A.10), and telling the kinds of files
an examination takes apart by their content.

A re-stamped object is a new instance: the source's patient, study and request
attributes are replaced by the registration's, it gets the given new Series Instance
UID and a new SOP Instance UID, and keeps its pixel data and transfer syntax.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from os import PathLike
from typing import Literal

from pydicom.charset import convert_encodings
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.valuerep import PersonName

from workstation import __version__
from workstation.dicom.builders.common import MANUFACTURER, MODEL_NAME, with_file_meta
from workstation.dicom.read import DicomForm, dicom_form, read_prefix, transfer_syntax_of
from workstation.dicom.registration import (
    UTF8,
    Registration,
    decode_all,
    worklist_attributes,
)
from workstation.dicom.uids import new_uid

ObjectKind = Literal["dicom", "image", "pdf"]
MPPS_SOP_CLASS = "1.2.840.10008.3.1.2.3.3"

# The source's attributes of its own patient, visit, study and request: removed before
# the registration's are written, so nothing of the old patient or order stays behind.
REPLACED_KEYWORDS = (
    # Patient and Patient Study modules
    "PatientName", "PatientID", "IssuerOfPatientID", "IssuerOfPatientIDQualifiersSequence",
    "TypeOfPatientID", "PatientBirthDate", "PatientBirthTime",
    "PatientBirthDateInAlternativeCalendar", "PatientDeathDateInAlternativeCalendar",
    "PatientAlternativeCalendar", "PatientSex", "QualityControlSubject",
    "ReferencedPatientSequence", "ReferencedPatientPhotoSequence", "OtherPatientIDs",
    "OtherPatientIDsSequence", "OtherPatientNames", "PatientBirthName",
    "PatientMotherBirthName", "EthnicGroup", "EthnicGroupCodeSequence", "PatientComments",
    "PatientSpeciesDescription", "PatientSpeciesCodeSequence", "PatientBreedDescription",
    "PatientBreedCodeSequence", "BreedRegistrationSequence", "ResponsiblePerson",
    "ResponsiblePersonRole", "ResponsibleOrganization", "PatientIdentityRemoved",
    "DeidentificationMethod", "DeidentificationMethodCodeSequence",
    "PatientTelephoneNumbers", "PatientTelecomInformation", "PatientAddress",
    "PatientReligiousPreference", "MilitaryRank", "BranchOfService", "CountryOfResidence",
    "RegionOfResidence", "PatientInsurancePlanCodeSequence",
    "PatientPrimaryLanguageCodeSequence", "MedicalRecordLocator", "PatientAge",
    "PatientSize", "PatientSizeCodeSequence", "PatientWeight", "PatientBodyMassIndex",
    "MeasuredAPDimension", "MeasuredLateralDimension", "Occupation", "SmokingStatus",
    "AdditionalPatientHistory", "PregnancyStatus", "LastMenstrualDate",
    "PatientSexNeutered", "PatientState", "MedicalAlerts", "Allergies",
    "AdmittingDiagnosesDescription", "AdmittingDiagnosesCodeSequence", "AdmissionID",
    "IssuerOfAdmissionIDSequence", "ReasonForVisit", "ReasonForVisitCodeSequence",
    "ServiceEpisodeID", "ServiceEpisodeDescription", "IssuerOfServiceEpisodeIDSequence",
    "CurrentPatientLocation", "ConfidentialityConstraintOnPatientDataDescription",
    # General Study module and the order
    "StudyInstanceUID", "StudyID", "AccessionNumber", "IssuerOfAccessionNumberSequence",
    "StudyDescription", "ReferringPhysicianName", "ReferringPhysicianIdentificationSequence",
    "ConsultingPhysicianName", "ConsultingPhysicianIdentificationSequence",
    "PhysiciansOfRecord", "PhysiciansOfRecordIdentificationSequence",
    "NameOfPhysiciansReadingStudy", "PhysiciansReadingStudyIdentificationSequence",
    "RequestingServiceCodeSequence", "ReferencedStudySequence", "ProcedureCodeSequence",
    "ReasonForPerformedProcedureCodeSequence", "StudyComments", "RequestingPhysician",
    "RequestingService", "RequestedProcedureID", "ScheduledProcedureStepID",
    # the performed procedure step and its request (General Series)
    "PerformingPhysicianName", "PerformingPhysicianIdentificationSequence",
    "RequestAttributesSequence", "PerformedProcedureStepID",
    "PerformedProcedureStepStartDate", "PerformedProcedureStepStartTime",
    "PerformedProcedureStepEndDate", "PerformedProcedureStepEndTime",
    "PerformedProcedureStepDescription", "PerformedProtocolCodeSequence",
    "CommentsOnThePerformedProcedureStep", "ReferencedPerformedProcedureStepSequence",
    # clinical trial subject, study and series
    "ClinicalTrialSponsorName", "ClinicalTrialProtocolID", "ClinicalTrialProtocolName",
    "ClinicalTrialSiteID", "ClinicalTrialSiteName", "ClinicalTrialSubjectID",
    "ClinicalTrialSubjectReadingID", "ClinicalTrialTimePointID",
    "ClinicalTrialTimePointDescription", "ClinicalTrialCoordinatingCenterName",
    "ClinicalTrialSeriesID", "ClinicalTrialSeriesDescription",
    "ClinicalTrialProtocolEthicsCommitteeName",
    "ClinicalTrialProtocolEthicsCommitteeApprovalNumber", "ConsentForClinicalTrialUseSequence",
)  # fmt: skip
# The Request Attributes Sequence item's attributes (PS3.3 10.13) we write.
REQUEST_ATTRIBUTES_KEYS = (
    "RequestedProcedureID",
    "ScheduledProcedureStepID",
    "ScheduledProcedureStepDescription",
    "ScheduledProtocolCodeSequence",
    "StudyInstanceUID",
    "AccessionNumber",
    "ReferencedStudySequence",
    "RequestedProcedureDescription",
    "RequestedProcedureCodeSequence",
)
_TEXT_VRS = frozenset({"SH", "LO", "ST", "LT", "UT", "UC", "PN"})

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TIFF_MAGICS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
PDF_MAGIC = b"%PDF-"


def object_kind(path: str | PathLike) -> ObjectKind | None:
    """What a file brought to an examination is, by its first bytes: "dicom" (either
    DICOM form of the reader), "image" (JPEG, PNG, TIFF), "pdf" or None."""
    try:
        head = read_prefix(path)
    except OSError:
        return None
    form = dicom_form(head)
    if form is DicomForm.PART10:  # first: a preamble may hold a TIFF header
        return "dicom"
    if head.startswith((JPEG_MAGIC, PNG_MAGIC, *TIFF_MAGICS)):
        return "image"
    if head.startswith(PDF_MAGIC):
        return "pdf"
    return "dicom" if form is not None else None


# -- character set -----------------------------------------------------------------------
def _texts(ds: Dataset) -> Iterable[str]:
    for elem in ds.iterall():
        if elem.VR not in _TEXT_VRS or elem.value is None:
            continue
        values = elem.value if isinstance(elem.value, MultiValue | list) else [elem.value]
        for value in values:
            if isinstance(value, str | PersonName):
                yield str(value)


def encodable(text: str, charsets: list[str]) -> bool:
    """Whether every character of ``text`` has a code in one of the character sets."""
    if text.isascii():
        return True
    if not any(charsets):
        return False
    encodings = convert_encodings([c for c in charsets if c] or ["ISO_IR 6"])
    for char in set(text):
        if char.isascii():
            continue
        for encoding in encodings:
            try:
                char.encode(encoding)
                break
            except (UnicodeError, LookupError):
                continue
        else:
            return False
    return True


def settle_character_set(ds: Dataset, wanted: str) -> str:
    """Set Specific Character Set to ``wanted`` (backslash-separated; "" = default
    repertoire) when it can encode every text of ``ds``, else to UTF-8; returns it.
    Values must already be decoded (plain strings)."""
    charsets = wanted.split("\\") if wanted else []
    if not all(encodable(t, charsets) for t in _texts(ds)):
        charsets = [UTF8]
    if not charsets:
        if "SpecificCharacterSet" in ds:
            del ds.SpecificCharacterSet
        return ""
    ds.SpecificCharacterSet = charsets[0] if len(charsets) == 1 else charsets
    return "\\".join(charsets)


# -- re-stamping ---------------------------------------------------------------------------
def code_items(codes: Iterable[Dataset] | None) -> list[Dataset]:
    return [copy.deepcopy(c) for c in codes or ()]


def restamp(
    ds: Dataset,
    reg: Registration,
    *,
    series_uid: str,
    performed_protocol: Iterable[Dataset] | None = None,
    started: dt.datetime | None = None,
    mpps_uid: str | None = None,
    org_root: str | None = None,
    in_place: bool = False,
) -> Dataset:
    """A new data set: ``ds`` with the registration's A.10 attributes instead of its own
    patient, study and request, Series Instance UID ``series_uid``, a new SOP Instance
    UID, the registration's Specific Character Set (UTF-8 when that cannot hold the
    texts), file meta of ours with the source's transfer syntax; pixel data as it was.

    ``performed_protocol``: the performed protocol codes; when they differ from the
    scheduled ones the Procedure Code Sequence is left out (A.10 footnote 4), and they
    are written as Performed Protocol Code Sequence. ``started``: the step's start,
    written as Study Date/Time (else the source's are kept). ``mpps_uid``: adds the
    Referenced Performed Procedure Step Sequence. ``ds`` itself is not changed, unless
    ``in_place`` (the caller read it for this and drops it: saves copying every element,
    about a third of the time for a CT image)."""
    syntax = transfer_syntax_of(ds)
    if in_place:
        out = ds
    else:
        out = Dataset()
        for elem in ds:  # element by element: not the buffer the source was read from
            out.add(copy.deepcopy(elem))
    decode_all(out)
    for keyword in REPLACED_KEYWORDS:
        if keyword in out:
            del out[keyword]
    out.update(worklist_attributes(reg, performed_protocol=performed_protocol))
    if started is not None:
        out.StudyDate = started.strftime("%Y%m%d")
        out.StudyTime = started.strftime("%H%M%S")
    # Type 2: Study Date/Time; Manufacturer too, since Institution Name from the worklist
    # makes the General Equipment module present (empty: not known)
    for keyword in ("StudyDate", "StudyTime", "Manufacturer"):
        if keyword not in out:
            setattr(out, keyword, "")
    if performed_protocol is not None:
        out.PerformedProtocolCodeSequence = code_items(performed_protocol)
    if mpps_uid:
        ref = Dataset()
        ref.ReferencedSOPClassUID = MPPS_SOP_CLASS
        ref.ReferencedSOPInstanceUID = mpps_uid
        out.ReferencedPerformedProcedureStepSequence = [ref]
    out.SeriesInstanceUID = series_uid
    out.SOPInstanceUID = new_uid(org_root)
    settle_character_set(out, reg.specific_character_set)
    with_file_meta(out)
    if syntax:
        out.file_meta.TransferSyntaxUID = syntax
    return out


def stamped_object(
    reg: Registration,
    *,
    sop_class_uid: str,
    modality: str,
    series_uid: str,
    instance_number: int,
    series_number: int = 1,
    started: dt.datetime | None = None,
    org_root: str | None = None,
) -> Dataset:
    """A new object of the step: SOP Common, the A.10 attributes, Study, Series and
    Content date and time (``started``, else now: extract-001 A.1), General Series and
    General Equipment; the builder adds its modules, then :func:`settle_character_set`
    with the registration's and :func:`~workstation.dicom.builders.common.with_file_meta`."""
    when = started or dt.datetime.now()
    created = dt.datetime.now()
    ds = Dataset()
    ds.SOPClassUID = sop_class_uid
    ds.SOPInstanceUID = new_uid(org_root)
    ds.InstanceCreationDate = created.strftime("%Y%m%d")
    ds.InstanceCreationTime = created.strftime("%H%M%S")
    ds.update(worklist_attributes(reg))
    ds.StudyDate = when.strftime("%Y%m%d")
    ds.StudyTime = when.strftime("%H%M%S")
    ds.Modality = modality
    ds.SeriesInstanceUID = series_uid
    ds.SeriesNumber = series_number
    ds.SeriesDate = created.strftime("%Y%m%d")
    ds.SeriesTime = created.strftime("%H%M%S")
    ds.ContentDate = created.strftime("%Y%m%d")
    ds.ContentTime = created.strftime("%H%M%S")
    ds.InstanceNumber = instance_number
    ds.Manufacturer = MANUFACTURER
    ds.ManufacturerModelName = MODEL_NAME
    ds.SoftwareVersions = __version__
    return ds
