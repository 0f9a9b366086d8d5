"""C-FIND matching and retrieve planning on the index (store/query.py), PS3.4 C.2.2.2.

The store is built here from a handful of small datasets (see the tables below); every
expected result is read off those tables, not off the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from typing import Any

import pydicom
import pytest
from pydicom.data import get_charset_files, get_testdata_file
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset
from pydicom.filewriter import write_dataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from workstation.errors import QueryError
from workstation.store import LocalStore
from workstation.store.query import Model, find, plan_find, retrieve_items

ROOT = "1.2.826.0.1.3680043.10.4711."
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"
GSPS = "1.2.840.10008.5.1.4.1.1.11.1"

# The Japanese name of pydicom's chrH31.dcm (alphabetic=ideographic=phonetic).
JAPANESE = str(pydicom.dcmread(get_charset_files("chrH31.dcm")[0]).PatientName)
assert JAPANESE == "Yamada^Tarou=山田^太郎=やまだ^たろう"
LATIN1 = "Müller^Jürgen"

# Identifiers carry wildcards and ranges in CS, DA and TM values: pydicom warns about them.
pytestmark = pytest.mark.filterwarnings("ignore:Invalid value for VR")


def uid(name: str) -> str:
    """A made-up UID per short name: 'ST1' -> ROOT + '1.1', 'SE4' -> ROOT + '2.4'..."""
    prefix = {"ST": "1.", "SE": "2.", "IM": "3."}[name[:2]]
    return ROOT + prefix + name[2:]


def item(**attrs: Any) -> Dataset:
    ds = Dataset()
    for keyword, value in attrs.items():
        setattr(ds, keyword, value)
    return ds


PATIENTS: dict[str, dict[str, Any]] = {
    "P1": {
        "PatientName": "Doe^John",
        "PatientID": "PID1",
        "PatientBirthDate": "19700101",
        "PatientSex": "M",
        "SpecificCharacterSet": "ISO_IR 100",
        "OtherPatientIDsSequence": [item(PatientID="ALT1", IssuerOfPatientID="HOSP-A")],
    },
    "P2": {
        "PatientName": LATIN1,
        "PatientID": "PID2",
        "PatientBirthDate": "19800229",
        "PatientSex": "F",
        "SpecificCharacterSet": "ISO_IR 100",
    },
    "P3": {
        "PatientName": JAPANESE,
        "PatientID": "PID3",
        "PatientBirthDate": "19650310",
        "PatientSex": "M",
        "SpecificCharacterSet": "ISO_IR 192",
    },
}

STUDIES: dict[str, dict[str, Any]] = {
    "ST1": {
        "patient": "P1",
        "StudyDate": "20240115",
        "StudyTime": "1230",
        "AccessionNumber": "ACC-001",
        "StudyID": "S1",
        "StudyDescription": "CT Chest",
        "ReferringPhysicianName": "Smith^Anna",
    },
    "ST2": {
        "patient": "P1",
        "StudyDate": "",
        "StudyTime": "",
        "AccessionNumber": "ACC-002",
        "StudyID": "S2",
        "StudyDescription": "MR Brain",
        "ReferringPhysicianName": "",
    },
    "ST3": {
        "patient": "P2",
        "StudyDate": "20230601",
        "StudyTime": "081500",
        "AccessionNumber": "ACC-003",
        "StudyID": "S3",
        "StudyDescription": "Follow-up",
        "ReferringPhysicianName": "Jones^Bob",
    },
    "ST4": {
        "patient": "P3",
        "StudyDate": "20220310",
        "StudyTime": "235959.123456",
        "AccessionNumber": "ACC-004",
        "StudyID": "S4",
        "StudyDescription": "Abdomen",
        "ReferringPhysicianName": "",
    },
}

SERIES: dict[str, dict[str, Any]] = {
    "SE1": {
        "study": "ST1",
        "Modality": "CT",
        "SeriesNumber": "1",
        "SeriesDescription": "Axial",
        "BodyPartExamined": "CHEST",
        "InstitutionName": "JFK IMAGING CENTER",
        "OperatorsName": ["Op^One", "Op^Two"],
        "RequestAttributesSequence": [
            item(RequestedProcedureID="RP1", ScheduledProcedureStepID="SPS1"),
            item(RequestedProcedureID="RP2", ScheduledProcedureStepID="SPS2"),
        ],
    },
    "SE2": {
        "study": "ST1",
        "Modality": "SR",
        "SeriesNumber": "2",
        "SeriesDescription": "Report",
        "BodyPartExamined": "CHEST",
        "InstitutionName": "JFK IMAGING CENTER",
    },
    "SE3": {
        "study": "ST2",
        "Modality": "MR",
        "SeriesNumber": "1",
        "SeriesDescription": "T1 sag",
        "BodyPartExamined": "HEAD",
        "InstitutionName": "Mercy Hospital",
    },
    "SE4": {
        "study": "ST3",
        "Modality": "CT",
        "SeriesNumber": "1",
        "SeriesDescription": "Axial",
        "BodyPartExamined": "ABDOMEN",
        "InstitutionName": "JFK IMAGING CENTER",
    },
    "SE5": {
        "study": "ST3",
        "Modality": "PR",
        "SeriesNumber": "2",
        "SeriesDescription": "Annotations",
        "BodyPartExamined": "",
        "InstitutionName": "JFK IMAGING CENTER",
    },
    "SE6": {
        "study": "ST4",
        "Modality": "MR",
        "SeriesNumber": "3",
        "SeriesDescription": "T2 ax",
        "BodyPartExamined": "ABDOMEN",
        "InstitutionName": "JFK IMAGING CENTER",
    },
}

CODE_REPORT = {"CodeValue": "11528-7", "CodingSchemeDesignator": "LN", "CodeMeaning": "Report"}

IMAGES: dict[str, dict[str, Any]] = {
    "IM1": {
        "series": "SE1",
        "syntax": ExplicitVRLittleEndian,
        "SOPClassUID": CT_IMAGE,
        "InstanceNumber": "1",
        "ContentTime": "120000.5",
        "AcquisitionTime": "120000",
        "Rows": 128,
        "ImageType": ["ORIGINAL", "PRIMARY", "AXIAL"],
    },
    "IM2": {
        "series": "SE1",
        "syntax": ImplicitVRLittleEndian,
        "SOPClassUID": CT_IMAGE,
        "InstanceNumber": "2",
        "ContentTime": "120002",
        "AcquisitionTime": "1201",
        "Rows": 128,
        "ImageType": ["DERIVED", "SECONDARY", "REFORMATTED"],
    },
    "IM3": {
        "series": "SE2",
        "syntax": ExplicitVRLittleEndian,
        "SOPClassUID": BASIC_TEXT_SR,
        "InstanceNumber": "1",
        "ContentTime": "1300",
        "AcquisitionTime": None,
        "Rows": None,
        "ImageType": None,
        "ConceptNameCodeSequence": [item(**CODE_REPORT)],
    },
    "IM4": {
        "series": "SE3",
        "syntax": ExplicitVRLittleEndian,
        "SOPClassUID": MR_IMAGE,
        "InstanceNumber": "1",
        "ContentTime": "090000",
        "AcquisitionTime": None,
        "Rows": 128,
        "ImageType": ["ORIGINAL", "PRIMARY"],
    },
    "IM5": {
        "series": "SE4",
        "syntax": ExplicitVRLittleEndian,
        "SOPClassUID": CT_IMAGE,
        "InstanceNumber": "1",
        "ContentTime": "150000",
        "AcquisitionTime": "080000",
        "Rows": 128,
        "ImageType": ["ORIGINAL", "PRIMARY", "AXIAL"],
    },
    "IM6": {
        "series": "SE5",
        "syntax": ExplicitVRLittleEndian,
        "SOPClassUID": GSPS,
        "InstanceNumber": "1",
        "ContentTime": "150100",
        "AcquisitionTime": None,
        "Rows": None,
        "ImageType": None,
    },
    "IM7": {
        "series": "SE6",
        "syntax": ExplicitVRLittleEndian,
        "SOPClassUID": MR_IMAGE,
        "InstanceNumber": "1",
        "ContentTime": "000000.1",
        "AcquisitionTime": "235959",
        "Rows": 64,
        "ImageType": ["ORIGINAL", "PRIMARY"],
    },
}

# Derived from the tables above.
ALL_PATIENTS = set(PATIENTS)
ALL_STUDIES = set(STUDIES)
ALL_SERIES = set(SERIES)
ALL_IMAGES = set(IMAGES)
UNIQUE = {
    "PATIENT": "PatientID",
    "STUDY": "StudyInstanceUID",
    "SERIES": "SeriesInstanceUID",
    "IMAGE": "SOPInstanceUID",
}
STUDIES_OF_SERIES = {name: se["study"] for name, se in SERIES.items()}
NAME_OF = {p["PatientID"]: name for name, p in PATIENTS.items()}
NAME_OF.update({uid(n): n for n in (*STUDIES, *SERIES, *IMAGES)})


def _dataset_for(image: str) -> Dataset:
    im = IMAGES[image]
    se = SERIES[im["series"]]
    st = STUDIES[se["study"]]
    pt = PATIENTS[st["patient"]]
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.remove_private_tags()
    for keyword in ("PixelData", "DataSetTrailingPadding", "OtherPatientIDsSequence"):
        if keyword in ds:
            delattr(ds, keyword)
    ds.SeriesDate = st["StudyDate"]
    ds.SeriesTime = st["StudyTime"]
    attrs: dict[str, Any] = {}
    for table in (pt, st, se, im):
        attrs.update({k: v for k, v in table.items() if k[0].isupper()})
    for keyword, value in attrs.items():
        if value is None:
            if keyword in ds:
                delattr(ds, keyword)
        elif isinstance(value, list) and value and isinstance(value[0], Dataset):
            setattr(ds, keyword, Sequence(value))
        else:
            setattr(ds, keyword, value)
    ds.StudyInstanceUID = uid(se["study"])
    ds.SeriesInstanceUID = uid(im["series"])
    ds.SOPInstanceUID = uid(image)
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = im["syntax"]
    return ds


@pytest.fixture(scope="module")
def qstore(tmp_path_factory):
    store = LocalStore(tmp_path_factory.mktemp("query") / "data")
    for image in IMAGES:
        buf = BytesIO()
        _dataset_for(image).save_as(buf, enforce_file_format=True)
        store.add_bytes(buf.getvalue())
    yield store
    store.close()


# -- helpers -----------------------------------------------------------------------------


def identifier(level: str | None, **keys: Any) -> Dataset:
    ds = Dataset()
    if level is not None:
        ds.QueryRetrieveLevel = level
    for keyword, value in keys.items():
        if isinstance(value, list) and (not value or isinstance(value[0], Dataset)):
            setattr(ds, keyword, Sequence(value))
        else:
            setattr(ds, keyword, value)
    return ds


def query(
    store: LocalStore, model: Model, level: str, ae_title: str = "WS", **keys: Any
) -> list[Dataset]:
    return list(find(store.index, identifier(level, **keys), model, ae_title=ae_title))


def names(
    store: LocalStore, level: str, model: Model = Model.PATIENT_ROOT, **keys: Any
) -> set[str]:
    """Short names (P1, ST2, SE3, IM4...) of the entities matching ``keys``."""
    unique = UNIQUE[level]
    keys.setdefault(unique, "")
    return {NAME_OF[str(ds[unique].value)] for ds in query(store, model, level, **keys)}


def studies(store: LocalStore, **keys: Any) -> set[str]:
    return names(store, "STUDY", Model.STUDY_ROOT, **keys)


def values(ds: Dataset, keyword: str) -> list[str]:
    """A response element's values as text ([] when empty)."""
    value = ds[keyword].value
    if value is None or value == "":
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [str(value)]
    return [str(v) for v in value]


def images_of_series(*series: str) -> set[str]:
    return {n for n, im in IMAGES.items() if im["series"] in series}


def series_of_studies(*study: str) -> set[str]:
    return {n for n, se in SERIES.items() if se["study"] in study}


def studies_of_patients(*patient: str) -> set[str]:
    return {n for n, st in STUDIES.items() if st["patient"] in patient}


# -- levels and models -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "level", "expected"),
    [
        (Model.PATIENT_ROOT, "PATIENT", ALL_PATIENTS),
        (Model.PATIENT_ROOT, "STUDY", ALL_STUDIES),
        (Model.PATIENT_ROOT, "SERIES", ALL_SERIES),
        (Model.PATIENT_ROOT, "IMAGE", ALL_IMAGES),
        (Model.STUDY_ROOT, "STUDY", ALL_STUDIES),
        (Model.STUDY_ROOT, "SERIES", ALL_SERIES),
        (Model.STUDY_ROOT, "IMAGE", ALL_IMAGES),
        (Model.PATIENT_STUDY_ONLY, "PATIENT", ALL_PATIENTS),
        (Model.PATIENT_STUDY_ONLY, "STUDY", ALL_STUDIES),
    ],
)
def test_universal_query_returns_every_entity_of_the_level(
    qstore: LocalStore, model: Model, level: str, expected: set[str]
) -> None:
    results = query(qstore, model, level, **{UNIQUE[level]: ""})
    assert len(results) == len(expected)
    assert {NAME_OF[str(ds[UNIQUE[level]].value)] for ds in results} == expected
    assert all(ds.QueryRetrieveLevel == level for ds in results)


@pytest.mark.parametrize(
    ("model", "level"),
    [
        (Model.STUDY_ROOT, "PATIENT"),
        (Model.PATIENT_STUDY_ONLY, "SERIES"),
        (Model.PATIENT_STUDY_ONLY, "IMAGE"),
        (Model.PATIENT_ROOT, "FRAME"),
        (Model.STUDY_ROOT, "WORKLIST"),
        (Model.PATIENT_ROOT, ""),
        (Model.STUDY_ROOT, None),
    ],
)
def test_invalid_query_retrieve_level_is_refused_with_a900(
    qstore: LocalStore, model: Model, level: str | None
) -> None:
    ident = identifier(level, PatientID="")
    with pytest.raises(QueryError) as info:
        list(find(qstore.index, ident, model, ae_title="WS"))
    assert info.value.status == 0xA900
    with pytest.raises(QueryError) as info:
        plan_find(ident, model)
    assert info.value.status == 0xA900


def test_patient_root_walks_down_the_hierarchy(qstore: LocalStore) -> None:
    assert names(qstore, "PATIENT", PatientID="PID1") == {"P1"}
    assert names(qstore, "STUDY", PatientID="PID1") == studies_of_patients("P1")
    assert names(qstore, "SERIES", PatientID="PID1", StudyInstanceUID=uid("ST1")) == {
        "SE1",
        "SE2",
    }
    assert names(
        qstore,
        "IMAGE",
        PatientID="PID1",
        StudyInstanceUID=uid("ST1"),
        SeriesInstanceUID=uid("SE1"),
    ) == images_of_series("SE1")


def test_study_root_matches_patient_keys_at_study_level(qstore: LocalStore) -> None:
    assert studies(qstore, PatientID="PID1") == studies_of_patients("P1")
    assert studies(qstore, PatientName="müller*") == {"ST3"}
    results = query(qstore, Model.STUDY_ROOT, "STUDY", StudyInstanceUID=uid("ST4"), PatientName="")
    assert [str(ds.PatientName) for ds in results] == [JAPANESE]


def test_patient_study_only_model(qstore: LocalStore) -> None:
    assert names(qstore, "PATIENT", Model.PATIENT_STUDY_ONLY, PatientSex="F") == {"P2"}
    assert names(qstore, "STUDY", Model.PATIENT_STUDY_ONLY, PatientID="PID3") == {"ST4"}
    # Modalities in Study is a study key; Modality (series) is below the level and ignored
    assert names(qstore, "STUDY", Model.PATIENT_STUDY_ONLY, ModalitiesInStudy="PR") == {"ST3"}
    results = query(qstore, Model.PATIENT_STUDY_ONLY, "STUDY", StudyInstanceUID="", Modality="ZZ")
    assert len(results) == len(ALL_STUDIES)
    assert all("Modality" not in ds for ds in results)


def test_lower_case_level_is_accepted(qstore: LocalStore) -> None:
    results = query(qstore, Model.STUDY_ROOT, "study", StudyInstanceUID=uid("ST1"))
    assert [ds.QueryRetrieveLevel for ds in results] == ["STUDY"]


# -- keys below the query level ------------------------------------------------------------


def test_keys_below_the_level_are_neither_matched_nor_returned(qstore: LocalStore) -> None:
    results = query(
        qstore,
        Model.PATIENT_ROOT,
        "PATIENT",
        PatientID="",
        StudyDate="19000101",
        Modality="XX",
        SOPInstanceUID=uid("IM1"),
        NumberOfStudyRelatedSeries="",
    )
    assert len(results) == len(ALL_PATIENTS)
    for ds in results:
        for keyword in ("StudyDate", "Modality", "SOPInstanceUID", "NumberOfStudyRelatedSeries"):
            assert keyword not in ds

    results = query(
        qstore, Model.STUDY_ROOT, "SERIES", SeriesInstanceUID="", InstanceNumber="99", Rows=None
    )
    assert len(results) == len(ALL_SERIES)
    assert all("InstanceNumber" not in ds and "Rows" not in ds for ds in results)


def test_keys_above_the_level_are_matched(qstore: LocalStore) -> None:
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, Modality="MR") == {"IM4", "IM7"}
    assert names(qstore, "IMAGE", Model.PATIENT_ROOT, PatientSex="F") == images_of_series(
        "SE4", "SE5"
    )
    assert names(qstore, "SERIES", Model.STUDY_ROOT, StudyDate="2024*") == set()  # DA: no wildcard
    assert names(qstore, "SERIES", Model.STUDY_ROOT, StudyDate="20240115") == {"SE1", "SE2"}


# -- single value and wildcard matching -------------------------------------------------------


def test_single_value_matching_is_case_sensitive_for_text(qstore: LocalStore) -> None:
    assert studies(qstore, StudyDescription="CT Chest") == {"ST1"}
    assert studies(qstore, StudyDescription="ct chest") == set()
    assert studies(qstore, StudyDescription="CT Ches") == set()
    assert studies(qstore, AccessionNumber="ACC-003") == {"ST3"}
    assert studies(qstore, StudyID="S4") == {"ST4"}
    assert names(qstore, "SERIES", Model.STUDY_ROOT, Modality="CT") == {"SE1", "SE4"}
    assert names(qstore, "SERIES", Model.STUDY_ROOT, Modality="ct") == set()


def test_wildcards_on_indexed_columns(qstore: LocalStore) -> None:
    assert studies(qstore, StudyDescription="CT*") == {"ST1"}
    assert studies(qstore, StudyDescription="*Brain") == {"ST2"}
    assert studies(qstore, StudyDescription="?T Chest") == {"ST1"}
    assert studies(qstore, StudyDescription="C?") == set()  # '?' is exactly one character
    assert studies(qstore, StudyDescription="CT Chest*") == {"ST1"}  # '*' may be empty
    assert studies(qstore, AccessionNumber="ACC-00?") == ALL_STUDIES
    assert studies(qstore, AccessionNumber="acc*") == set()
    assert names(qstore, "SERIES", Model.STUDY_ROOT, Modality="?R") == {"SE2", "SE3", "SE5", "SE6"}
    assert names(qstore, "SERIES", Model.STUDY_ROOT, BodyPartExamined="*") == ALL_SERIES


def test_wildcards_on_attributes_kept_in_json(qstore: LocalStore) -> None:
    assert names(qstore, "SERIES", Model.STUDY_ROOT, InstitutionName="JFK*") == ALL_SERIES - {"SE3"}
    assert names(qstore, "SERIES", Model.STUDY_ROOT, InstitutionName="jfk*") == set()
    assert names(qstore, "SERIES", Model.STUDY_ROOT, InstitutionName="Mercy Hospital") == {"SE3"}
    assert names(qstore, "SERIES", Model.STUDY_ROOT, InstitutionName="Mercy ?ospital") == {"SE3"}
    assert names(qstore, "SERIES", Model.STUDY_ROOT, InstitutionName="Mercy") == set()


def test_multi_valued_stored_attribute_matches_any_value(qstore: LocalStore) -> None:
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, ImageType="AXIAL") == {"IM1", "IM5"}
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, ImageType="DERIVED") == {"IM2"}
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, ImageType="LOCALIZER") == set()


def test_universal_matching_includes_empty_values(qstore: LocalStore) -> None:
    for value in ("", "*", "**"):
        assert studies(qstore, ReferringPhysicianName=value) == ALL_STUDIES
        assert studies(qstore, StudyDate=value) == ALL_STUDIES
        assert studies(qstore, AccessionNumber=value) == ALL_STUDIES
        assert names(qstore, "PATIENT", PatientName=value) == ALL_PATIENTS
    # an empty stored value does not match a non-universal wildcard
    assert studies(qstore, ReferringPhysicianName="?*") == {"ST1", "ST3"}


# -- person names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("Doe^John", {"P1"}),
        ("doe^john", {"P1"}),
        ("DOE*", {"P1"}),
        ("?oe^John", {"P1"}),
        ("Doe", set()),  # single value matching: the whole name, not a prefix
        (LATIN1, {"P2"}),
        ("müller*", {"P2"}),
        ("MÜLLER^JÜRGEN", {"P2"}),
        ("Muller*", set()),
        (JAPANESE, {"P3"}),
        ("Yamada^Tarou", {"P3"}),  # alphabetic group
        ("yamada^tarou", {"P3"}),
        ("山田^太郎", {"P3"}),  # ideographic group
        ("山田*", {"P3"}),
        ("やまだ^たろう", {"P3"}),  # phonetic group
        ("*^Tarou", {"P3"}),
        ("*", ALL_PATIENTS),
    ],
)
def test_patient_name_matching(qstore: LocalStore, pattern: str, expected: set[str]) -> None:
    assert names(qstore, "PATIENT", PatientName=pattern) == expected
    assert studies(qstore, PatientName=pattern) == studies_of_patients(*expected)


def test_other_person_name_keys(qstore: LocalStore) -> None:
    assert studies(qstore, ReferringPhysicianName="smith^anna") == {"ST1"}
    assert studies(qstore, ReferringPhysicianName="J*") == {"ST3"}
    # a multi-valued PN kept in the JSON: any of its values may match
    assert names(qstore, "SERIES", Model.STUDY_ROOT, OperatorsName="op^two") == {"SE1"}
    assert names(qstore, "SERIES", Model.STUDY_ROOT, OperatorsName="Op^One") == {"SE1"}
    assert names(qstore, "SERIES", Model.STUDY_ROOT, OperatorsName="Op^Three") == set()


# -- list of UID matching -------------------------------------------------------------------


def test_list_of_uid_matching(qstore: LocalStore) -> None:
    assert studies(qstore, StudyInstanceUID=uid("ST3")) == {"ST3"}
    assert studies(qstore, StudyInstanceUID=[uid("ST1"), uid("ST3")]) == {"ST1", "ST3"}
    assert studies(qstore, StudyInstanceUID=[uid("ST1"), ROOT + "9.9"]) == {"ST1"}
    assert studies(qstore, StudyInstanceUID=ROOT + "9.9") == set()
    assert names(
        qstore, "IMAGE", Model.STUDY_ROOT, SOPInstanceUID=[uid("IM7"), uid("IM2"), uid("IM4")]
    ) == {"IM2", "IM4", "IM7"}
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, SOPClassUID=MR_IMAGE) == {"IM4", "IM7"}
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, SOPClassUID=[GSPS, BASIC_TEXT_SR]) == {
        "IM3",
        "IM6",
    }


# -- range matching --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20240115", {"ST1"}),
        ("20230101-20241231", {"ST1", "ST3"}),
        ("20230601-20230601", {"ST3"}),  # inclusive at both ends
        ("20230602-20240114", set()),
        ("-20221231", {"ST4"}),
        ("-20230601", {"ST3", "ST4"}),
        ("20240101-", {"ST1"}),
        ("20220310-", {"ST1", "ST3", "ST4"}),  # ST2's empty date never matches a range
        ("19000101-29991231", {"ST1", "ST3", "ST4"}),
    ],
)
def test_study_date_matching(qstore: LocalStore, value: str, expected: set[str]) -> None:
    assert studies(qstore, StudyDate=value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1200-1300", {"ST1"}),  # stored '1230' has minute precision
        ("1230-1230", {"ST1"}),
        ("1231-", {"ST4"}),
        ("-0900", {"ST3"}),  # the empty StudyTime of ST2 is not before 09:00
        ("081500-081500", {"ST3"}),
        ("2359-", {"ST4"}),  # stored '235959.123456'
        ("235959.2-", set()),
        ("-235958", {"ST1", "ST3"}),
        ("0000-235959.999999", {"ST1", "ST3", "ST4"}),
    ],
)
def test_study_time_range_matching(qstore: LocalStore, value: str, expected: set[str]) -> None:
    assert studies(qstore, StudyTime=value) == expected


def test_time_ranges_on_instance_keys(qstore: LocalStore) -> None:
    # ContentTime is an indexed column: '120000.5' is before 12:00:01, '120002' is not
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, ContentTime="-120001") == {
        "IM1",
        "IM4",
        "IM7",
    }
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, ContentTime="1200-1300") == {
        "IM1",
        "IM2",
        "IM3",
    }
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, ContentTime="1500-") == {"IM5", "IM6"}
    # AcquisitionTime lives in the JSON and is absent on IM3, IM4 and IM6
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, AcquisitionTime="1200-1201") == {"IM1", "IM2"}
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, AcquisitionTime="-0900") == {"IM5"}
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, AcquisitionTime="2359-") == {"IM7"}
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, AcquisitionTime="120000") == {"IM1"}


def test_birth_date_and_series_date_ranges(qstore: LocalStore) -> None:
    assert names(qstore, "PATIENT", PatientBirthDate="19700101-19801231") == {"P1", "P2"}
    assert names(qstore, "PATIENT", PatientBirthDate="-19691231") == {"P3"}
    # SeriesDate is the study's date (empty for ST2's series)
    assert names(qstore, "SERIES", Model.STUDY_ROOT, SeriesDate="20230101-") == {
        "SE1",
        "SE2",
        "SE4",
        "SE5",
    }


# -- sequence matching -------------------------------------------------------------------------


def test_sequence_matching_at_series_level(qstore: LocalStore) -> None:
    def series_with(*items: Dataset) -> set[str]:
        return names(qstore, "SERIES", Model.STUDY_ROOT, RequestAttributesSequence=list(items))

    assert series_with(item(RequestedProcedureID="RP1")) == {"SE1"}
    assert series_with(item(RequestedProcedureID="RP*", ScheduledProcedureStepID="")) == {"SE1"}
    assert series_with(item(RequestedProcedureID="RP2", ScheduledProcedureStepID="SPS2")) == {"SE1"}
    # both keys must match in the same stored item
    assert series_with(item(RequestedProcedureID="RP1", ScheduledProcedureStepID="SPS2")) == set()
    assert series_with(item(RequestedProcedureID="RP3")) == set()
    assert series_with(item(RequestedProcedureID="rp1")) == set()
    # empty item, zero items, only universal keys: universal matching
    assert series_with(item()) == ALL_SERIES
    assert series_with() == ALL_SERIES
    assert series_with(item(RequestedProcedureID="", ScheduledProcedureStepID="*")) == ALL_SERIES


def test_sequence_matching_at_image_level(qstore: LocalStore) -> None:
    def images_with(**keys: str) -> set[str]:
        return names(qstore, "IMAGE", Model.STUDY_ROOT, ConceptNameCodeSequence=[item(**keys)])

    assert images_with(CodeValue="11528-7", CodingSchemeDesignator="LN") == {"IM3"}
    assert images_with(CodeValue="11528-7", CodingSchemeDesignator="SRT") == set()
    assert images_with(CodeMeaning="Rep*", CodeValue="") == {"IM3"}
    assert images_with(CodeValue="", CodeMeaning="") == ALL_IMAGES


def test_sequence_matching_at_patient_level(qstore: LocalStore) -> None:
    def patients_with(**keys: str) -> set[str]:
        return names(qstore, "PATIENT", OtherPatientIDsSequence=[item(**keys)])

    assert patients_with(PatientID="ALT1") == {"P1"}
    assert patients_with(PatientID="ALT1", IssuerOfPatientID="HOSP-B") == set()
    assert patients_with(PatientID="ALT*", IssuerOfPatientID="HOSP-A") == {"P1"}


def test_sequence_in_response_carries_the_requested_item_keys(qstore: LocalStore) -> None:
    results = query(
        qstore,
        Model.STUDY_ROOT,
        "IMAGE",
        SOPInstanceUID=[uid("IM3"), uid("IM1")],
        ConceptNameCodeSequence=[item(CodeValue="", CodingSchemeDesignator="")],
    )
    by_name = {NAME_OF[ds.SOPInstanceUID]: ds for ds in results}
    assert set(by_name) == {"IM1", "IM3"}
    (code,) = by_name["IM3"].ConceptNameCodeSequence
    assert code.CodeValue == CODE_REPORT["CodeValue"]
    assert code.CodingSchemeDesignator == CODE_REPORT["CodingSchemeDesignator"]
    assert "CodeMeaning" not in code
    assert "ConceptNameCodeSequence" in by_name["IM1"]
    assert len(by_name["IM1"].ConceptNameCodeSequence) == 0

    (se1,) = query(
        qstore,
        Model.STUDY_ROOT,
        "SERIES",
        SeriesInstanceUID=uid("SE1"),
        RequestAttributesSequence=[],
    )
    stored = [
        (i.RequestedProcedureID, i.ScheduledProcedureStepID)
        for i in SERIES["SE1"]["RequestAttributesSequence"]
    ]
    assert [
        (i.RequestedProcedureID, i.ScheduledProcedureStepID) for i in se1.RequestAttributesSequence
    ] == stored


# -- Modalities in Study and numeric keys ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("MR", {"ST2", "ST4"}),
        ("SR", {"ST1"}),
        (["CT", "PR"], {"ST1", "ST3"}),
        (["US", "MR"], {"ST2", "ST4"}),
        ("US", set()),
        ("", ALL_STUDIES),
        ("*", ALL_STUDIES),
    ],
)
def test_modalities_in_study_matching(
    qstore: LocalStore, value: str | list[str], expected: set[str]
) -> None:
    assert studies(qstore, ModalitiesInStudy=value) == expected
    assert names(qstore, "STUDY", Model.PATIENT_ROOT, ModalitiesInStudy=value) == expected


def test_sop_classes_in_study_matching(qstore: LocalStore) -> None:
    def with_class(*classes: str) -> set[str]:
        return {
            STUDIES_OF_SERIES[IMAGES[i]["series"]]
            for i in IMAGES
            if IMAGES[i]["SOPClassUID"] in classes
        }

    assert studies(qstore, SOPClassesInStudy=GSPS) == with_class(GSPS) == {"ST3"}
    assert studies(qstore, SOPClassesInStudy=[MR_IMAGE, BASIC_TEXT_SR]) == with_class(
        MR_IMAGE, BASIC_TEXT_SR
    )
    assert studies(qstore, SOPClassesInStudy=ROOT + "9.9") == set()


def test_numeric_keys_single_value_matching(qstore: LocalStore) -> None:
    assert names(qstore, "SERIES", Model.STUDY_ROOT, SeriesNumber="2") == {"SE2", "SE5"}
    assert names(qstore, "SERIES", Model.STUDY_ROOT, SeriesNumber="3") == {"SE6"}
    assert names(qstore, "SERIES", Model.STUDY_ROOT, SeriesNumber="4") == set()
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, InstanceNumber="2") == {"IM2"}
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, Rows=64) == {"IM7"}  # US, in the JSON
    assert names(qstore, "IMAGE", Model.STUDY_ROOT, Rows=128) == {"IM1", "IM2", "IM4", "IM5"}


def test_non_numeric_value_for_a_numeric_key_is_refused(qstore: LocalStore) -> None:
    ident = identifier("SERIES", SeriesInstanceUID="")
    # pydicom will not make an IS of 'two'; a peer may still send one
    ident.add(DataElement(Tag(0x0020, 0x0011), "LO", "two"))
    with pytest.raises(QueryError) as info:
        list(find(qstore.index, ident, Model.STUDY_ROOT, ae_title="WS"))
    assert info.value.status == 0xA900


def test_combined_keys_all_must_match(qstore: LocalStore) -> None:
    assert studies(qstore, PatientID="PID1", StudyDate="20240101-") == {"ST1"}
    assert studies(qstore, PatientID="PID1", ModalitiesInStudy="MR") == {"ST2"}
    assert studies(qstore, PatientID="PID2", ModalitiesInStudy="MR") == set()
    assert names(qstore, "SERIES", Model.STUDY_ROOT, Modality="CT", BodyPartExamined="ABDOMEN") == {
        "SE4"
    }


# -- responses -------------------------------------------------------------------------------


def test_patient_level_response(qstore: LocalStore) -> None:
    results = query(
        qstore,
        Model.PATIENT_ROOT,
        "PATIENT",
        PatientID="",
        PatientName="",
        PatientBirthDate="",
        PatientSex="",
        IssuerOfPatientID="",
        NumberOfPatientRelatedStudies="",
        NumberOfPatientRelatedSeries="",
        NumberOfPatientRelatedInstances="",
    )
    by_name = {NAME_OF[ds.PatientID]: ds for ds in results}
    assert set(by_name) == ALL_PATIENTS
    for name, ds in by_name.items():
        patient = PATIENTS[name]
        assert ds.QueryRetrieveLevel == "PATIENT"
        assert str(ds.PatientName) == patient["PatientName"]
        assert ds.PatientBirthDate == patient["PatientBirthDate"]
        assert ds.PatientSex == patient["PatientSex"]
        assert "IssuerOfPatientID" in ds and values(ds, "IssuerOfPatientID") == []
        own_studies = studies_of_patients(name)
        own_series = series_of_studies(*own_studies)
        assert int(ds.NumberOfPatientRelatedStudies) == len(own_studies)
        assert int(ds.NumberOfPatientRelatedSeries) == len(own_series)
        assert int(ds.NumberOfPatientRelatedInstances) == len(images_of_series(*own_series))
        assert "RetrieveAETitle" not in ds  # not asked for


def test_study_level_response(qstore: LocalStore) -> None:
    results = query(
        qstore,
        Model.STUDY_ROOT,
        "STUDY",
        ae_title="WS_AE",
        StudyInstanceUID="",
        PatientID="",
        StudyDate="",
        StudyTime="",
        AccessionNumber="",
        StudyDescription="",
        ReferringPhysicianName="",
        ModalitiesInStudy="",
        SOPClassesInStudy="",
        NumberOfStudyRelatedSeries="",
        NumberOfStudyRelatedInstances="",
        NumberOfPatientRelatedStudies="",
        RetrieveAETitle="",
        PatientComments="",
    )
    by_name = {NAME_OF[ds.StudyInstanceUID]: ds for ds in results}
    assert set(by_name) == ALL_STUDIES
    for name, ds in by_name.items():
        study = STUDIES[name]
        own_series = series_of_studies(name)
        own_images = images_of_series(*own_series)
        assert ds.QueryRetrieveLevel == "STUDY"
        assert ds.RetrieveAETitle == "WS_AE"
        assert ds.PatientID == PATIENTS[study["patient"]]["PatientID"]
        assert values(ds, "StudyDate") == ([study["StudyDate"]] if study["StudyDate"] else [])
        assert values(ds, "StudyTime") == ([study["StudyTime"]] if study["StudyTime"] else [])
        assert ds.AccessionNumber == study["AccessionNumber"]
        assert ds.StudyDescription == study["StudyDescription"]
        assert str(ds.ReferringPhysicianName or "") == study["ReferringPhysicianName"]
        assert values(ds, "ModalitiesInStudy") == sorted(
            {SERIES[s]["Modality"] for s in own_series}
        )
        assert values(ds, "SOPClassesInStudy") == sorted(
            {IMAGES[i]["SOPClassUID"] for i in own_images}
        )
        assert int(ds.NumberOfStudyRelatedSeries) == len(own_series)
        assert int(ds.NumberOfStudyRelatedInstances) == len(own_images)
        assert int(ds.NumberOfPatientRelatedStudies) == len(studies_of_patients(study["patient"]))
        assert "PatientComments" in ds and values(ds, "PatientComments") == []


def test_series_level_response(qstore: LocalStore) -> None:
    results = query(
        qstore,
        Model.PATIENT_ROOT,
        "SERIES",
        PatientID="PID1",
        StudyInstanceUID=uid("ST1"),
        SeriesInstanceUID="",
        Modality="",
        SeriesNumber="",
        SeriesDescription="",
        BodyPartExamined="",
        OperatorsName="",
        NumberOfSeriesRelatedInstances="",
        RetrieveAETitle="",
        Laterality="",
    )
    by_name = {NAME_OF[ds.SeriesInstanceUID]: ds for ds in results}
    assert set(by_name) == series_of_studies("ST1")
    for name, ds in by_name.items():
        series = SERIES[name]
        assert ds.QueryRetrieveLevel == "SERIES"
        assert ds.RetrieveAETitle == "WS"
        assert ds.Modality == series["Modality"]
        assert int(ds.SeriesNumber) == int(series["SeriesNumber"])
        assert ds.SeriesDescription == series["SeriesDescription"]
        assert ds.BodyPartExamined == series["BodyPartExamined"]
        assert int(ds.NumberOfSeriesRelatedInstances) == len(images_of_series(name))
        assert values(ds, "Laterality") == []
    assert values(by_name["SE1"], "OperatorsName") == SERIES["SE1"]["OperatorsName"]
    assert values(by_name["SE2"], "OperatorsName") == []


def test_image_level_response(qstore: LocalStore) -> None:
    results = query(
        qstore,
        Model.STUDY_ROOT,
        "IMAGE",
        StudyInstanceUID=uid("ST1"),
        SOPInstanceUID="",
        SOPClassUID="",
        InstanceNumber="",
        ContentTime="",
        AvailableTransferSyntaxUID="",
        RetrieveAETitle="",
        Rows=None,
        ImageType="",
    )
    by_name = {NAME_OF[ds.SOPInstanceUID]: ds for ds in results}
    assert set(by_name) == images_of_series(*series_of_studies("ST1"))
    for name, ds in by_name.items():
        image = IMAGES[name]
        assert ds.QueryRetrieveLevel == "IMAGE"
        assert ds.RetrieveAETitle == "WS"
        assert ds.StudyInstanceUID == uid("ST1")
        assert ds.SOPClassUID == image["SOPClassUID"]
        assert int(ds.InstanceNumber) == int(image["InstanceNumber"])
        assert ds.ContentTime == image["ContentTime"]
        assert ds.AvailableTransferSyntaxUID == image["syntax"]
        assert values(ds, "Rows") == ([str(image["Rows"])] if image["Rows"] else [])
        assert values(ds, "ImageType") == (image["ImageType"] or [])


def test_unknown_key_is_returned_empty_and_not_matched(qstore: LocalStore) -> None:
    results = query(
        qstore, Model.STUDY_ROOT, "STUDY", StudyInstanceUID=uid("ST1"), PatientAddress="Nowhere"
    )
    assert len(results) == 1
    assert "PatientAddress" in results[0]
    assert values(results[0], "PatientAddress") == []


# -- Specific Character Set of the responses --------------------------------------------------


def _charset_of(store: LocalStore, patient_id: str, query_charset: str | None) -> str | None:
    keys: dict[str, Any] = {"PatientID": patient_id, "PatientName": ""}
    if query_charset is not None:
        keys["SpecificCharacterSet"] = query_charset
    (ds,) = query(store, Model.PATIENT_ROOT, "PATIENT", **keys)
    assert str(ds.PatientName) == PATIENTS[NAME_OF[patient_id]]["PatientName"]
    value = ds.get("SpecificCharacterSet")
    return None if value is None else str(value)


def test_response_charset_latin1_name(qstore: LocalStore) -> None:
    assert _charset_of(qstore, "PID2", None) == "ISO_IR 192"
    assert _charset_of(qstore, "PID2", "ISO_IR 100") == "ISO_IR 100"
    assert _charset_of(qstore, "PID2", "ISO_IR 192") == "ISO_IR 192"
    assert _charset_of(qstore, "PID2", "ISO_IR 101") == "ISO_IR 101"  # Latin-2 has ü too
    assert _charset_of(qstore, "PID2", "ISO_IR 144") == "ISO_IR 192"  # Cyrillic has not


def test_response_charset_japanese_name(qstore: LocalStore) -> None:
    assert _charset_of(qstore, "PID3", None) == "ISO_IR 192"
    assert _charset_of(qstore, "PID3", "ISO_IR 100") == "ISO_IR 192"
    assert _charset_of(qstore, "PID3", "ISO_IR 192") == "ISO_IR 192"


def test_response_charset_ascii_name(qstore: LocalStore) -> None:
    assert _charset_of(qstore, "PID1", None) is None
    assert _charset_of(qstore, "PID1", "ISO_IR 100") == "ISO_IR 100"


def test_response_can_be_encoded_in_its_charset(qstore: LocalStore) -> None:
    for patient_id in ("PID1", "PID2", "PID3"):
        for charset in (None, "ISO_IR 100"):
            keys: dict[str, Any] = {"PatientID": patient_id, "PatientName": ""}
            if charset:
                keys["SpecificCharacterSet"] = charset
            (ds,) = query(qstore, Model.PATIENT_ROOT, "PATIENT", **keys)
            buf = DicomBytesIO()
            buf.is_little_endian, buf.is_implicit_VR = True, True
            write_dataset(buf, ds)
            buf.seek(0)
            back = read_dataset(buf, is_implicit_VR=True, is_little_endian=True)
            back.decode()
            assert str(back.PatientName) == str(ds.PatientName)


# -- cancel ---------------------------------------------------------------------------------------


def test_cancel_stops_the_iteration(qstore: LocalStore) -> None:
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2

    ident = identifier("IMAGE", SOPInstanceUID="")
    results = list(find(qstore.index, ident, Model.STUDY_ROOT, "WS", cancelled))
    assert len(results) == 2 < len(ALL_IMAGES)
    assert list(find(qstore.index, ident, Model.STUDY_ROOT, "WS", lambda: True)) == []
    assert len(list(find(qstore.index, ident, Model.STUDY_ROOT, "WS", lambda: False))) == len(
        ALL_IMAGES
    )


def test_find_is_lazy_and_can_be_abandoned(qstore: LocalStore) -> None:
    results = find(qstore.index, identifier("STUDY", StudyInstanceUID=""), Model.STUDY_ROOT)
    first = next(results)
    assert NAME_OF[first.StudyInstanceUID] in ALL_STUDIES
    results.close()
    # the pooled reader connection is usable afterwards
    assert studies(qstore, StudyDescription="Abdomen") == {"ST4"}


# -- retrieve ---------------------------------------------------------------------------------------


def retrieved(store: LocalStore, model: Model, level: str, **keys: Any) -> set[str]:
    items = retrieve_items(store.index, identifier(level, **keys), model)
    for it in items:
        assert store.path_of(it.rel_path).is_file()
        im = IMAGES[NAME_OF[it.sop_uid]]
        assert it.sop_class_uid == im["SOPClassUID"]
        assert it.transfer_syntax == im["syntax"]
    found = [NAME_OF[it.sop_uid] for it in items]
    assert len(found) == len(set(found))
    return set(found)


def test_retrieve_at_each_level(qstore: LocalStore) -> None:
    p1_images = images_of_series(*series_of_studies(*studies_of_patients("P1")))
    assert retrieved(qstore, Model.PATIENT_ROOT, "PATIENT", PatientID="PID1") == p1_images
    assert retrieved(qstore, Model.PATIENT_STUDY_ONLY, "PATIENT", PatientID="PID2") == (
        images_of_series("SE4", "SE5")
    )
    assert retrieved(qstore, Model.STUDY_ROOT, "STUDY", StudyInstanceUID=uid("ST1")) == (
        images_of_series("SE1", "SE2")
    )
    assert retrieved(
        qstore, Model.PATIENT_ROOT, "STUDY", PatientID="PID1", StudyInstanceUID=uid("ST2")
    ) == {"IM4"}
    assert retrieved(
        qstore,
        Model.STUDY_ROOT,
        "SERIES",
        StudyInstanceUID=uid("ST1"),
        SeriesInstanceUID=uid("SE1"),
    ) == {"IM1", "IM2"}
    assert retrieved(
        qstore,
        Model.STUDY_ROOT,
        "IMAGE",
        StudyInstanceUID=uid("ST1"),
        SeriesInstanceUID=uid("SE2"),
        SOPInstanceUID=uid("IM3"),
    ) == {"IM3"}


def test_retrieve_with_uid_lists(qstore: LocalStore) -> None:
    assert retrieved(
        qstore, Model.STUDY_ROOT, "STUDY", StudyInstanceUID=[uid("ST2"), uid("ST4")]
    ) == {"IM4", "IM7"}
    assert retrieved(
        qstore, Model.STUDY_ROOT, "IMAGE", SOPInstanceUID=[uid("IM1"), uid("IM6"), ROOT + "9.9"]
    ) == {"IM1", "IM6"}


def test_retrieve_is_hierarchical(qstore: LocalStore) -> None:
    # SE3 belongs to ST2, not ST1
    assert (
        retrieved(
            qstore,
            Model.STUDY_ROOT,
            "SERIES",
            StudyInstanceUID=uid("ST1"),
            SeriesInstanceUID=uid("SE3"),
        )
        == set()
    )
    assert (
        retrieved(
            qstore, Model.PATIENT_ROOT, "STUDY", PatientID="PID2", StudyInstanceUID=uid("ST1")
        )
        == set()
    )


def test_retrieve_ignores_other_keys(qstore: LocalStore) -> None:
    assert retrieved(
        qstore, Model.STUDY_ROOT, "STUDY", StudyInstanceUID=uid("ST3"), Modality="XX"
    ) == images_of_series("SE4", "SE5")


@pytest.mark.parametrize(
    ("model", "level", "keys"),
    [
        (Model.STUDY_ROOT, "STUDY", {}),
        (Model.STUDY_ROOT, "STUDY", {"StudyInstanceUID": ""}),
        (Model.STUDY_ROOT, "SERIES", {"StudyInstanceUID": uid("ST1")}),
        (Model.STUDY_ROOT, "IMAGE", {"SeriesInstanceUID": uid("SE1")}),
        (Model.PATIENT_ROOT, "PATIENT", {"PatientName": "Doe^John"}),
        (Model.PATIENT_ROOT, "PATIENT", {"PatientID": "*"}),
        (Model.STUDY_ROOT, "PATIENT", {"PatientID": "PID1"}),
        (Model.PATIENT_STUDY_ONLY, "SERIES", {"SeriesInstanceUID": uid("SE1")}),
        (Model.PATIENT_STUDY_ONLY, "IMAGE", {"SOPInstanceUID": uid("IM1")}),
        (Model.STUDY_ROOT, None, {"StudyInstanceUID": uid("ST1")}),
    ],
)
def test_retrieve_refuses_identifiers_it_cannot_act_on(
    qstore: LocalStore, model: Model, level: str | None, keys: dict[str, Any]
) -> None:
    with pytest.raises(QueryError) as info:
        retrieve_items(qstore.index, identifier(level, **keys), model)
    assert info.value.status == 0xA900
