"""PS3.4 C.2.2.2 matching of single values, items and keys; query keys; flat JSON values.

Pure functions, no store: match_values.py, matching.py, query_keys.py, flatten.py and the
planning half of query.py. Expected results follow the standard's rules, not the code.
"""

from __future__ import annotations

import json

import pydicom
import pytest
from pydicom.data import get_charset_files
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from workstation.store.flatten import flat_level, flatten_item, set_flat, to_json, vr_of
from workstation.store.match_values import (
    is_range,
    is_universal,
    is_universal_item,
    match_item,
    match_value,
    norm_datetime,
    norm_time,
    norm_time_upper,
    range_bounds,
)
from workstation.store.matching import match_pn, match_text, wildcard_regex
from workstation.store.query import Model, key_condition, plan_find
from workstation.store.query_keys import (
    COLUMNS,
    COMPUTED,
    STORED_ATTRS,
    UNIQUE_KEY,
    Level,
    level_of,
)

pytestmark = pytest.mark.filterwarnings("ignore:Invalid value for VR")

JAPANESE = "Yamada^Tarou=山田^太郎=やまだ^たろう"

# -- universal matching ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "universal"),
    [("", True), ("*", True), ("**", True), ("*a", False), ("a*", False), ("?", False)],
)
def test_is_universal(query: str, universal: bool) -> None:
    assert is_universal(query) is universal


def test_is_universal_item() -> None:
    assert is_universal_item({})
    assert is_universal_item({"CodeValue": "", "CodeMeaning": "*"})
    assert is_universal_item({"ConceptNameCodeSequence": [{}]})
    assert is_universal_item({"ConceptNameCodeSequence": [{"CodeValue": ""}]})
    assert not is_universal_item({"CodeValue": "X"})
    assert not is_universal_item({"ConceptNameCodeSequence": [{"CodeValue": "X"}]})


# -- single value and wildcard matching ---------------------------------------------------------


@pytest.mark.parametrize(
    ("vr", "query", "stored", "expected"),
    [
        ("CS", "CT", "CT", True),
        ("CS", "ct", "CT", False),  # case-sensitive
        ("CS", "C", "CT", False),  # the whole value, not a prefix
        ("LO", "CT Chest", "CT Chest", True),
        ("LO", "CT*", "CT Chest", True),
        ("LO", "*Chest", "CT Chest", True),
        ("LO", "CT Chest*", "CT Chest", True),  # '*' matches the empty sequence
        ("LO", "*T*h*", "CT Chest", True),
        ("LO", "ct*", "CT Chest", False),
        ("SH", "AB?", "ABC", True),
        ("SH", "AB?", "AB", False),  # '?' is exactly one character
        ("SH", "AB?", "ABCD", False),
        ("SH", "??", "ÄÖ", True),  # one character, not one byte
        ("LO", "a.c", "abc", False),  # regular expression characters are literal
        ("LO", "a+c", "a+c", True),
        ("LO", "(x)[y]", "(x)[y]", True),
        ("LO", "x", None, False),
        ("LO", "x", "", False),
        ("LO", "?*", "", False),
    ],
)
def test_single_value_and_wildcard(vr: str, query: str, stored: object, expected: bool) -> None:
    assert match_value(vr, query, stored) is expected


def test_multi_valued_stored_text_matches_any_value() -> None:
    stored = "ORIGINAL\\PRIMARY\\AXIAL"
    assert match_value("CS", "AXIAL", stored)
    assert match_value("CS", "ORIGINAL", stored)
    assert match_value("CS", "PRI*", stored)
    assert not match_value("CS", "LOCALIZER", stored)
    assert not match_value("CS", "axial", stored)


def test_match_text_and_wildcard_regex() -> None:
    assert match_text("A*C", "ABBC")
    assert match_text("A*C", "AC")
    assert not match_text("A?C", "AC")
    assert not match_text("a*", "ABC")
    assert match_text("A\nB", "A\nB")
    assert wildcard_regex("A*", casefold=True).fullmatch("abc")
    assert wildcard_regex("a$^b").fullmatch("a$^b")


# -- person names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "stored", "expected"),
    [
        ("Doe^John", "Doe^John", True),
        ("doe^john", "DOE^JOHN", True),  # case-insensitive
        ("Doe*", "Doe^John", True),
        ("Doe", "Doe^John", False),
        ("Doe^John", "Doe^John^^^", True),  # empty trailing components
        ("Doe^John^", "Doe^John", True),
        ("?oe^J*", "Doe^John", True),
        ("müller^jürgen", "Müller^Jürgen", True),
        ("MÜLLER*", "Müller^Jürgen", True),
        ("Muller*", "Müller^Jürgen", False),
        (JAPANESE, JAPANESE, True),
        ("yamada^tarou", JAPANESE, True),  # alphabetic group
        ("山田^太郎", JAPANESE, True),  # ideographic group
        ("山田*", JAPANESE, True),
        ("やまだ^たろう", JAPANESE, True),  # phonetic group
        ("*^太郎", JAPANESE, True),
        ("山田", JAPANESE, False),
        ("Tarou", JAPANESE, False),
        ("山田^太郎", "=山田^太郎", True),  # ideographic group only
        ("Smith", "Doe^John", False),
        ("Smith", None, False),
    ],
)
def test_person_name_matching(query: str, stored: str | None, expected: bool) -> None:
    assert match_pn(query, stored) is expected
    assert match_value("PN", query, stored) is expected


def test_multi_valued_person_name_matches_any_value() -> None:
    stored = "Op^One\\Op^Two"
    assert match_pn("op^two", stored)
    assert match_pn("Op^One", stored)
    assert match_value("PN", "OP^TWO", stored)
    assert not match_pn("Op^Three", stored)
    assert not match_value("PN", "Op^One\\Op^Two^X", stored)


# -- list of UID matching --------------------------------------------------------------------------


def test_list_of_uid_matching() -> None:
    assert match_value("UI", "1.2.3", "1.2.3")
    assert match_value("UI", "1.2.4\\1.2.3", "1.2.3")
    assert not match_value("UI", "1.2.4\\1.2.5", "1.2.3")
    assert not match_value("UI", "1.2", "1.2.3")  # no prefix
    assert not match_value("UI", "1.2*", "1.2.3")  # no wildcards for UI
    assert not match_value("UI", "1.2.?", "1.2.3")
    assert match_value("UI", "1.2.840.10008.1.2", "1.2.840.10008.1.2.1\\1.2.840.10008.1.2")
    assert not match_value("UI", "1.2.3", None)


# -- numeric keys -------------------------------------------------------------------------------------


def test_numeric_single_value_matching() -> None:
    assert match_value("IS", "2", "2")
    assert match_value("IS", "2", "02")
    assert match_value("IS", "2", " 2")
    assert not match_value("IS", "2", "12")
    assert not match_value("IS", "2*", "2")  # numbers take no wildcards
    assert match_value("DS", "1.50", "1.5")
    assert match_value("US", "128", 128)
    assert not match_value("US", "64", 128)
    assert match_value("US", "2", [1, 2, 3])
    assert match_value("IS", "3", "1\\3")
    assert not match_value("IS", "x", "1")
    assert not match_value("IS", "1", None)


# -- dates: single value and range ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "stored", "expected"),
    [
        ("20240115", "20240115", True),
        ("20240115", "20240116", False),
        ("20240101-20240131", "20240115", True),
        ("20240115-20240115", "20240115", True),  # inclusive
        ("20240101-20240115", "20240115", True),
        ("20240115-20240131", "20240115", True),
        ("20240116-20240131", "20240115", False),
        ("-20240115", "20240115", True),
        ("-20240114", "20240115", False),
        ("20240115-", "20240115", True),
        ("20240116-", "20240115", False),
        ("20240101-", "", False),  # an empty stored value never matches a range
        ("-20240101", "", False),
        ("20240101-", None, False),
        ("20240115", "", False),
    ],
)
def test_date_matching(query: str, stored: str | None, expected: bool) -> None:
    assert match_value("DA", query, stored) is expected


# -- times: normalisation and range -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("12", "120000.000000"),
        ("1230", "123000.000000"),
        ("123015", "123015.000000"),
        ("120000.5", "120000.500000"),
        ("235959.123456", "235959.123456"),
        ("12:30:15", "123015.000000"),  # ACR-NEMA style
        (" 1230 ", "123000.000000"),
    ],
)
def test_norm_time(value: str, normalised: str) -> None:
    assert norm_time(value) == normalised


@pytest.mark.parametrize(
    ("value", "upper"),
    [
        ("12", "125959.999999"),
        ("1230", "123059.999999"),
        ("120001", "120001.999999"),
        ("120001.5", "120001.599999"),
        ("235959.999999", "235959.999999"),
    ],
)
def test_norm_time_upper(value: str, upper: str) -> None:
    assert norm_time_upper(value) == upper
    assert norm_time(value) <= upper


@pytest.mark.parametrize(
    ("query", "stored", "expected"),
    [
        ("1200-1300", "1230", True),  # times of different precision compare correctly
        ("1200-1300", "123000", True),
        ("1200-1300", "12", True),
        ("1200-1300", "1300", True),
        ("1200-1300", "130000", True),
        ("1200-1300", "130100", False),
        ("1200-1300", "115959.999", False),
        ("1200-1300", "12:30:00", True),
        ("-120001", "120000.5", True),
        ("-120001", "120001", True),
        ("-120001", "120002", False),
        ("120000-", "120000", True),
        ("120000-", "120000.000001", True),
        ("120000.5-", "120000.4", False),
        ("1230-", "1229", False),
        ("1230-", "122959.999", False),
        ("1230-", "1230", True),
        ("-0900", "", False),
        ("0000-", None, False),
        ("1230", "1230", True),
    ],
)
def test_time_matching(query: str, stored: str | None, expected: bool) -> None:
    assert match_value("TM", query, stored) is expected


# -- date-times --------------------------------------------------------------------------------------


def test_norm_datetime() -> None:
    assert norm_datetime("2024") == "20240000000000.000000"
    assert norm_datetime("20240115") == "20240115000000.000000"
    assert norm_datetime("20240115123000.5") == "20240115123000.500000"
    assert norm_datetime("20240115123000+0100") == "20240115123000.000000"
    assert norm_datetime("20240115123000.5-0500") == "20240115123000.500000"
    assert norm_datetime("2024", upper=True) == "20241231235959.999999"
    assert norm_datetime("202402", upper=True) >= norm_datetime("20240229235959.999999")
    assert norm_datetime("20240115", upper=True) == "20240115235959.999999"
    assert norm_datetime("2024011512", upper=True) == "20240115125959.999999"


@pytest.mark.parametrize(
    ("query", "stored", "expected"),
    [
        ("20240115-20240116", "20240115093000", True),
        ("20240115-20240116", "20240116235959.9", True),  # the whole upper day
        ("20240115-20240116", "20240117", False),
        ("20240115-20240116", "20240114235959", False),
        ("-20240115", "20240115235959", True),
        ("20240115120000-", "20240115115959.999", False),
        ("20240115120000-", "20240115120000", True),
        ("202401-", "20240101000000", True),
        ("2023-2023", "20231231235959.999999", True),
        ("2023-2023", "2024", False),
        ("20240115-20240115", "20240115120000+0100", True),
        ("20240115120000.000000-0500", "20240115120000.000000-0500", True),
        ("20240101-", "", False),
        ("20240115093000", "20240115093000", True),
    ],
)
def test_datetime_matching(query: str, stored: str, expected: bool) -> None:
    assert match_value("DT", query, stored) is expected


def test_is_range() -> None:
    assert is_range("DA", "20240101-20240131")
    assert is_range("DA", "-20240131")
    assert is_range("DA", "20240101-")
    assert not is_range("DA", "20240101")
    assert is_range("TM", "1200-1300")
    assert not is_range("TM", "1200")
    assert is_range("DT", "20240101-20240131")
    assert is_range("DT", "-20240131")
    assert is_range("DT", "20240101120000-")
    assert not is_range("DT", "20240101120000.000000-0500")  # a negative UTC offset
    assert not is_range("DT", "20240101120000.5+0100")


def test_range_bounds() -> None:
    assert range_bounds("DA", "20240101-20240131") == ("20240101", "20240131")
    assert range_bounds("DA", "-20240131") == (None, "20240131")
    assert range_bounds("DA", "20240101-") == ("20240101", None)
    assert range_bounds("TM", "1200-1300") == ("120000.000000", "130059.999999")
    assert range_bounds("TM", "-12") == (None, "125959.999999")
    assert range_bounds("DT", "2024-2024") == ("20240000000000.000000", "20241231235959.999999")


# -- sequence matching ------------------------------------------------------------------------------


STORED_CODES = [
    {"CodeValue": "11528-7", "CodingSchemeDesignator": "LN", "CodeMeaning": "Radiology Report"},
    {"CodeValue": "18748-4", "CodingSchemeDesignator": "LN", "CodeMeaning": "Imaging Report"},
]


@pytest.mark.parametrize(
    ("query_item", "expected"),
    [
        ({}, True),  # an empty item: universal
        ({"CodeValue": "", "CodeMeaning": "*"}, True),
        ({"CodeValue": "11528-7"}, True),
        ({"CodeValue": "18748-4", "CodingSchemeDesignator": "LN"}, True),
        ({"CodeValue": "11528-7", "CodeMeaning": "Imaging Report"}, False),  # one item for all
        ({"CodeValue": "11528-7", "CodingSchemeDesignator": "SRT"}, False),
        ({"CodeMeaning": "*Report", "CodeValue": ""}, True),
        ({"CodeMeaning": "radiology report"}, False),  # LO: case-sensitive
        ({"CodeValue": "99999-9"}, False),
        ({"CodingSchemeVersion": "1"}, False),  # a key the stored items lack
    ],
)
def test_match_item(query_item: dict, expected: bool) -> None:
    assert match_item(query_item, STORED_CODES) is expected


def test_match_item_without_stored_items() -> None:
    assert match_item({}, None)
    assert match_item({"CodeValue": ""}, [])
    assert not match_item({"CodeValue": "X"}, None)
    assert not match_item({"CodeValue": "X"}, [])


def test_match_item_uses_each_keys_vr() -> None:
    stored = [
        {
            "VerifyingObserverName": "Smith^Anna",
            "VerificationDateTime": "20240315101500",
            "VerifyingOrganization": "JFK",
        }
    ]
    assert match_item({"VerifyingObserverName": "smith*"}, stored)  # PN: case-insensitive
    assert match_item({"VerificationDateTime": "20240101-20241231"}, stored)  # DT range
    assert not match_item({"VerificationDateTime": "20250101-"}, stored)
    assert not match_item({"VerifyingOrganization": "jfk"}, stored)  # LO: case-sensitive
    assert match_item(
        {"VerifyingObserverName": "SMITH^ANNA", "VerificationDateTime": "-20240315"}, stored
    )


def test_match_item_nested_sequences() -> None:
    stored = [
        {
            "RequestedProcedureID": "RP1",
            "ReferencedStudySequence": [{"ReferencedSOPInstanceUID": "1.2.3"}],
        },
        {
            "RequestedProcedureID": "RP2",
            "ReferencedStudySequence": [{"ReferencedSOPInstanceUID": "1.2.4"}],
        },
    ]
    ref = "ReferencedStudySequence"
    assert match_item({ref: [{"ReferencedSOPInstanceUID": "1.2.4"}]}, stored)
    assert match_item({"RequestedProcedureID": "RP1", ref: [{}]}, stored)
    assert match_item({"RequestedProcedureID": "RP1", ref: []}, stored)
    assert not match_item(
        {"RequestedProcedureID": "RP1", ref: [{"ReferencedSOPInstanceUID": "1.2.4"}]}, stored
    )
    assert not match_item({ref: [{"ReferencedSOPInstanceUID": "1.2.5"}]}, stored)


# -- query keys --------------------------------------------------------------------------------------


def test_level_of() -> None:
    assert level_of("PatientName") is Level.PATIENT
    assert level_of("OtherPatientIDsSequence") is Level.PATIENT
    assert level_of("StudyDate") is Level.STUDY
    assert level_of("ModalitiesInStudy") is Level.STUDY
    assert level_of("NumberOfPatientRelatedStudies") is Level.PATIENT
    assert level_of("Modality") is Level.SERIES
    assert level_of("RequestAttributesSequence") is Level.SERIES
    assert level_of("NumberOfSeriesRelatedInstances") is Level.SERIES
    assert level_of("SOPInstanceUID") is Level.IMAGE
    assert level_of("ConceptNameCodeSequence") is Level.IMAGE
    assert level_of("AvailableTransferSyntaxUID") is Level.IMAGE
    assert level_of("PatientAddress") is None
    assert level_of("NoSuchKeyword") is None


def test_key_tables_are_consistent() -> None:
    # responses are built from the attrs JSON: an indexed column must be kept there too
    for keyword, (level, _column) in COLUMNS.items():
        assert keyword in STORED_ATTRS[level], keyword
    for level, keyword in UNIQUE_KEY.items():
        assert level_of(keyword) is level
        assert keyword in COLUMNS
    for keyword in COMPUTED:
        assert all(keyword not in attrs for attrs in STORED_ATTRS.values())
    for attrs in STORED_ATTRS.values():
        for keyword in attrs:
            assert vr_of(keyword), keyword  # every key is a dictionary keyword


# -- flat values ---------------------------------------------------------------------------------------


def test_flatten_item() -> None:
    ds = Dataset()
    ds.PatientName = "Doe^John "
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.Rows = 128
    ds.AcquisitionMatrix = [0, 256, 256, 0]
    ds.StudyDescription = "CT Chest "
    ds.AccessionNumber = None
    ds.PixelData = b"\x00\x01"
    ds.add_new(0x00091001, "LO", "private")
    ds.ConceptNameCodeSequence = Sequence([Dataset()])
    ds.ConceptNameCodeSequence[0].CodeValue = "11528-7"
    flat = flatten_item(ds)
    assert flat == {
        "PatientName": "Doe^John",
        "ImageType": "ORIGINAL\\PRIMARY",
        "Rows": 128,
        "AcquisitionMatrix": [0, 256, 256, 0],
        "StudyDescription": "CT Chest",
        "AccessionNumber": "",
        "ConceptNameCodeSequence": [{"CodeValue": "11528-7"}],
    }
    assert json.loads(to_json(flat)) == flat


def test_flat_level_decodes_the_character_set() -> None:
    ds = pydicom.dcmread(get_charset_files("chrH31.dcm")[0])
    assert flat_level(ds, Level.PATIENT)["PatientName"] == JAPANESE
    assert "日本" not in to_json({"x": "ascii"})
    assert JAPANESE in to_json(flat_level(ds, Level.PATIENT))  # kept as text, not escapes
    ds = pydicom.dcmread(get_charset_files("chrFren.dcm")[0])
    assert flat_level(ds, Level.PATIENT)["PatientName"] == "Buc^Jérôme"
    assert "StudyInstanceUID" not in flat_level(ds, Level.PATIENT)


def test_set_flat_restores_values_with_the_dictionary_vr() -> None:
    ds = Dataset()
    set_flat(ds, "ImageType", "ORIGINAL\\PRIMARY")
    set_flat(ds, "ImageComments", "a\\b")  # LT: one value, backslash kept
    set_flat(ds, "PatientName", JAPANESE)
    set_flat(ds, "Rows", 128)
    set_flat(ds, "StudyDate", "")
    set_flat(ds, "AccessionNumber", None)
    set_flat(ds, "ConceptNameCodeSequence", [{"CodeValue": "X", "CodeMeaning": "Y"}])
    set_flat(ds, "OtherPatientIDsSequence", None)
    assert list(ds.ImageType) == ["ORIGINAL", "PRIMARY"]
    assert ds.ImageComments == "a\\b"
    assert str(ds.PatientName) == JAPANESE
    assert ds["Rows"].VR == "US" and ds.Rows == 128
    assert ds["StudyDate"].VR == "DA" and not ds.StudyDate
    assert "AccessionNumber" in ds and not ds.AccessionNumber
    assert ds.ConceptNameCodeSequence[0].CodeValue == "X"
    assert ds.ConceptNameCodeSequence[0].CodeMeaning == "Y"
    assert ds["OtherPatientIDsSequence"].VR == "SQ" and len(ds.OtherPatientIDsSequence) == 0


def test_vr_of() -> None:
    assert vr_of("PatientName") == "PN"
    assert vr_of("StudyInstanceUID") == "UI"
    assert vr_of("ConceptNameCodeSequence") == "SQ"
    assert vr_of("SmallestImagePixelValue", 3) == "US"
    assert vr_of("SmallestImagePixelValue", -3) == "SS"
    assert vr_of("PixelData") == "OW"


# -- planning ------------------------------------------------------------------------------------------


def _identifier(**keys: object) -> Dataset:
    ds = Dataset()
    for keyword, value in keys.items():
        setattr(ds, keyword, value)
    return ds


def test_plan_find_return_keys() -> None:
    ident = _identifier(
        QueryRetrieveLevel="STUDY",
        SpecificCharacterSet="ISO_IR 100",
        StudyDate="",
        RetrieveAETitle="",
        Modality="CT",  # below the level
        SOPInstanceUID="1.2.3",  # below the level
        PatientName="",
        PatientAddress="",  # not a key of any level
    )
    ident.add_new(0x00091001, "LO", "private")
    plan = plan_find(ident, Model.STUDY_ROOT)
    assert plan.level is Level.STUDY
    assert plan.model is Model.STUDY_ROOT
    assert plan.return_keys == ["StudyDate", "RetrieveAETitle", "PatientName", "PatientAddress"]
    assert plan.unsupported == ["PatientAddress"]
    assert plan.query_charset == ["ISO_IR 100"]
    assert plan.args == []  # every key is universal: no condition, nothing bound

    ident.SpecificCharacterSet = ["", "ISO 2022 IR 87"]
    assert plan_find(ident, Model.STUDY_ROOT).query_charset == ["", "ISO 2022 IR 87"]


def test_plan_find_patient_keys_by_model() -> None:
    ident = _identifier(QueryRetrieveLevel="STUDY", PatientName="Doe*", StudyDate="2024-")
    assert plan_find(ident, Model.STUDY_ROOT).return_keys == ["StudyDate", "PatientName"]
    assert plan_find(ident, Model.PATIENT_ROOT).return_keys == ["StudyDate", "PatientName"]
    ident.QueryRetrieveLevel = "PATIENT"
    assert plan_find(ident, Model.PATIENT_ROOT).return_keys == ["PatientName"]


def test_key_condition_universal_keys_add_no_condition() -> None:
    assert key_condition("PatientName", "PN", "p.patient_name", "") is None
    assert key_condition("PatientName", "PN", "p.patient_name", "*") is None
    assert key_condition("StudyDate", "DA", "st.study_date", "**") is None
    assert key_condition("StudyInstanceUID", "UI", "st.study_uid", "") is None
    assert key_condition("Modality", "CS", "se.modality", "CT") is not None
