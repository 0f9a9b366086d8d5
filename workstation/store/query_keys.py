"""Which attributes the index keeps per level, for C-FIND matching and responses.

The level tables follow the Find SCP tables of the conformance target (extract-000
section 4.3). Core keys also have their own indexed column; every listed attribute is
kept, flattened, in the level's ``attrs`` JSON so that any of them can be matched in
SQL and returned without reading files.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    PATIENT = "PATIENT"
    STUDY = "STUDY"
    SERIES = "SERIES"
    IMAGE = "IMAGE"


LEVEL_ORDER = (Level.PATIENT, Level.STUDY, Level.SERIES, Level.IMAGE)

# SQL alias of each level's table.
ALIAS = {Level.PATIENT: "p", Level.STUDY: "st", Level.SERIES: "se", Level.IMAGE: "i"}

PATIENT_ATTRS = (
    "PatientName",
    "PatientID",
    "IssuerOfPatientID",
    "OtherPatientIDsSequence",
    "OtherPatientNames",
    "PatientBirthDate",
    "PatientBirthTime",
    "PatientSex",
    "EthnicGroup",
    "PatientComments",
)

STUDY_ATTRS = (
    "StudyInstanceUID",
    "StudyID",
    "StudyDate",
    "StudyTime",
    "AccessionNumber",
    "IssuerOfAccessionNumberSequence",
    "ReferringPhysicianName",
    "StudyDescription",
    "ProcedureCodeSequence",
    "AdmittingDiagnosesDescription",
    "PatientAge",
    "PatientSize",
    "PatientWeight",
    "Occupation",
    "AdditionalPatientHistory",
    "NameOfPhysiciansReadingStudy",
)

SERIES_ATTRS = (
    "SeriesInstanceUID",
    "SeriesNumber",
    "Modality",
    "Laterality",
    "BodyPartExamined",
    "PatientPosition",
    "SmallestPixelValueInSeries",
    "LargestPixelValueInSeries",
    "ProtocolName",
    "SeriesDate",
    "SeriesTime",
    "SeriesDescription",
    "OperatorsName",
    "PerformingPhysicianName",
    "PerformedProcedureStepStartDate",
    "PerformedProcedureStepStartTime",
    "PerformedProcedureStepID",
    "RequestAttributesSequence",
    "ReferencedRequestSequence",  # kept at series level only (extract-000 4.3, Patient Root)
    "InstitutionName",
    "StationName",
    "Manufacturer",
    "ManufacturerModelName",
)

IMAGE_ATTRS = (
    "SOPInstanceUID",
    "SOPClassUID",
    "InstanceNumber",
    "ImageType",
    "ContentDate",
    "ContentTime",
    "AcquisitionDate",
    "AcquisitionTime",
    "AcquisitionNumber",
    "InstanceCreationDate",
    "InstanceCreationTime",
    "ImageComments",
    "ConceptNameCodeSequence",
    "ContentTemplateSequence",
    "CompletionFlag",
    "VerificationFlag",
    "VerifyingObserverSequence",
    "ContentLabel",
    "ContentDescription",
    "DocumentTitle",
    "NumberOfFrames",
    "Rows",
    "Columns",
    "ImagePositionPatient",  # ordering a series without reading its files (viewer)
    "ImageOrientationPatient",
    "PhotometricInterpretation",
    "BitsAllocated",
)

STORED_ATTRS = {
    Level.PATIENT: PATIENT_ATTRS,
    Level.STUDY: STUDY_ATTRS,
    Level.SERIES: SERIES_ATTRS,
    Level.IMAGE: IMAGE_ATTRS,
}

# Keyword -> (level, indexed column) for the keys that have a column of their own.
COLUMNS: dict[str, tuple[Level, str]] = {
    "PatientName": (Level.PATIENT, "patient_name"),
    "PatientID": (Level.PATIENT, "patient_id"),
    "IssuerOfPatientID": (Level.PATIENT, "issuer"),
    "PatientBirthDate": (Level.PATIENT, "birth_date"),
    "PatientSex": (Level.PATIENT, "sex"),
    "StudyInstanceUID": (Level.STUDY, "study_uid"),
    "StudyDate": (Level.STUDY, "study_date"),
    "StudyTime": (Level.STUDY, "study_time"),
    "AccessionNumber": (Level.STUDY, "accession_number"),
    "StudyID": (Level.STUDY, "study_id"),
    "StudyDescription": (Level.STUDY, "description"),
    "ReferringPhysicianName": (Level.STUDY, "referring_physician"),
    "SeriesInstanceUID": (Level.SERIES, "series_uid"),
    "Modality": (Level.SERIES, "modality"),
    "SeriesNumber": (Level.SERIES, "series_number"),
    "SeriesDescription": (Level.SERIES, "description"),
    "BodyPartExamined": (Level.SERIES, "body_part"),
    "SeriesDate": (Level.SERIES, "series_date"),
    "SeriesTime": (Level.SERIES, "series_time"),
    "SOPInstanceUID": (Level.IMAGE, "sop_uid"),
    "SOPClassUID": (Level.IMAGE, "sop_class_uid"),
    "InstanceNumber": (Level.IMAGE, "instance_number"),
    "ContentDate": (Level.IMAGE, "content_date"),
    "ContentTime": (Level.IMAGE, "content_time"),
}

# Attributes the index computes rather than stores, and the level they belong to.
COMPUTED: dict[str, Level] = {
    "NumberOfPatientRelatedStudies": Level.PATIENT,
    "NumberOfPatientRelatedSeries": Level.PATIENT,
    "NumberOfPatientRelatedInstances": Level.PATIENT,
    "ModalitiesInStudy": Level.STUDY,
    "SOPClassesInStudy": Level.STUDY,
    "NumberOfStudyRelatedSeries": Level.STUDY,
    "NumberOfStudyRelatedInstances": Level.STUDY,
    "NumberOfSeriesRelatedInstances": Level.SERIES,
    "AvailableTransferSyntaxUID": Level.IMAGE,
}

UNIQUE_KEY = {
    Level.PATIENT: "PatientID",
    Level.STUDY: "StudyInstanceUID",
    Level.SERIES: "SeriesInstanceUID",
    Level.IMAGE: "SOPInstanceUID",
}


def level_of(keyword: str) -> Level | None:
    """The level an attribute is kept at (None: not a key we know)."""
    if keyword in COMPUTED:
        return COMPUTED[keyword]
    if keyword in COLUMNS:
        return COLUMNS[keyword][0]
    for level in LEVEL_ORDER:
        if keyword in STORED_ATTRS[level]:
            return level
    return None
