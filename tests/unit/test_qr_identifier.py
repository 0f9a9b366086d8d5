"""Query keys from what a user types, ``-k`` keys, retrieve identifiers, job parameters."""

from __future__ import annotations

import datetime as dt

import pytest
from pydicom.dataset import Dataset
from pydicom.tag import Tag

from workstation.dicom.qr_identifier import (
    QRLevel,
    QRModel,
    default_return_keys,
    identifier_from_keys,
    retrieve_identifier,
)
from workstation.dicom.query_form import (
    DatePreset,
    QueryForm,
    build_query,
    children_query,
    date_matching,
    name_pattern,
    study_date_range,
)
from workstation.errors import QueryKeyError
from workstation.jobs import PermanentJobError
from workstation.net.scu.move import SubOperations
from workstation.net.scu.query_retrieve import node_from_address, status_meaning
from workstation.services.retrieve_job import request_from_params, retrieve_params

TODAY = dt.date(2024, 3, 1)


@pytest.mark.parametrize(
    ("typed", "sent"),
    [("doe", "doe*"), ("Doe, John", "Doe^John*"), ("D?e^*", "D?e^*"), ("  ", ""), ("山田", "山田*")],
)
def test_names_match_as_a_prefix_unless_wildcards_are_typed(typed: str, sent: str) -> None:
    assert name_pattern(typed) == sent


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        (DatePreset.ANY, ""),
        (DatePreset.TODAY, "20240301"),
        (DatePreset.YESTERDAY, "20240229"),
        (DatePreset.LAST_7_DAYS, "20240224-20240301"),
        (DatePreset.LAST_30_DAYS, "20240201-20240301"),  # 30 days with today (leap year)
    ],
)
def test_study_date_presets(preset: DatePreset, expected: str) -> None:
    assert study_date_range(preset, TODAY) == expected


def test_custom_study_date_range_with_open_ends() -> None:
    c = DatePreset.CUSTOM
    assert study_date_range(c, TODAY, dt.date(2020, 1, 2), None) == "20200102-"
    assert study_date_range(c, TODAY, None, dt.date(2020, 1, 2)) == "-20200102"
    assert study_date_range(c, TODAY, dt.date(2020, 1, 2), dt.date(2020, 1, 2)) == "20200102"
    assert study_date_range(c, TODAY) == ""
    with pytest.raises(QueryKeyError, match="ends before it starts"):
        study_date_range(c, TODAY, dt.date(2021, 1, 1), dt.date(2020, 1, 1))


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("1970-01-31", "19700131"),
        ("19700131", "19700131"),
        ("1970-01-01-1980-12-31", "19700101-19801231"),
        ("19700101 - 19801231", "19700101-19801231"),
        ("-19801231", "-19801231"),
        ("1970-01-01-", "19700101-"),
    ],
)
def test_birth_dates_and_ranges(typed: str, sent: str) -> None:
    assert date_matching(typed, "PatientBirthDate") == sent


@pytest.mark.parametrize("typed", ["1970", "31.01.1970", "1970-02-30", "19801231-19700101", "-"])
def test_bad_dates_are_typed_errors(typed: str) -> None:
    with pytest.raises(QueryKeyError) as err:
        date_matching(typed, "PatientBirthDate")
    assert err.value.values["key"] == "PatientBirthDate"


def test_study_search_from_the_form() -> None:
    form = QueryForm(patient_name="Müller", patient_id="123", birth_date="1950-05-06",
                     accession="A1", modalities=("ct, mr",), study_date=DatePreset.TODAY,
                     description="chest", referring_physician="House")  # fmt: skip
    ds = build_query(form, QRModel.STUDY, QRLevel.STUDY, today=TODAY)
    assert ds.QueryRetrieveLevel == "STUDY"
    assert ds.SpecificCharacterSet == "ISO_IR 192"  # a non-ASCII name: sent as UTF-8
    assert (ds.PatientName, ds.PatientID, ds.PatientBirthDate) == ("Müller*", "123", "19500506")
    assert (ds.AccessionNumber, ds.StudyDate, ds.StudyDescription) == ("A1", "20240301", "*chest*")
    assert ds.ReferringPhysicianName == "House*"
    assert list(ds.ModalitiesInStudy) == ["CT", "MR"]
    for keyword in ("StudyInstanceUID", "NumberOfStudyRelatedInstances", "NumberOfStudyRelatedSeries",
                    "ModalitiesInStudy", "StudyTime", "PatientSex"):  # fmt: skip
        assert keyword in ds


def test_ascii_query_has_no_character_set() -> None:
    ds = build_query(QueryForm(patient_name="Doe"), QRModel.STUDY)
    assert "SpecificCharacterSet" not in ds


def test_form_errors_name_the_key() -> None:
    with pytest.raises(QueryKeyError, match="PatientID"):
        build_query(QueryForm(patient_name="x"), QRModel.PATIENT, QRLevel.STUDY)
    with pytest.raises(QueryKeyError, match="PatientName"):
        build_query(QueryForm(patient_id="1", patient_name="x"), QRModel.PATIENT, QRLevel.STUDY)
    with pytest.raises(QueryKeyError, match="AccessionNumber"):
        build_query(QueryForm(accession="1"), QRModel.PATIENT, QRLevel.PATIENT)
    with pytest.raises(QueryKeyError, match="no PATIENT level"):
        build_query(QueryForm(), QRModel.STUDY, QRLevel.PATIENT)
    with pytest.raises(QueryKeyError, match="not a modality"):
        build_query(QueryForm(modalities=("C/T",)), QRModel.STUDY)


def test_drill_down_needs_the_parents() -> None:
    ds = children_query(QRModel.PATIENT, QRLevel.IMAGE, "P1", "1.2", "1.2.3")
    assert (ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID) == ("P1", "1.2", "1.2.3")
    assert ds.SOPInstanceUID is None and "SOPClassUID" in ds
    study_root = children_query(QRModel.STUDY, QRLevel.SERIES, study_uid="1.2", modality="mr")
    assert "PatientID" not in study_root and study_root.Modality == "MR"
    with pytest.raises(QueryKeyError, match="SeriesInstanceUID"):
        children_query(QRModel.STUDY, QRLevel.IMAGE, study_uid="1.2")


def test_return_keys_per_level() -> None:
    assert default_return_keys(QRModel.STUDY, QRLevel.SERIES)[0] == "StudyInstanceUID"
    assert "NumberOfSeriesRelatedInstances" in default_return_keys(QRModel.STUDY, QRLevel.SERIES)
    assert default_return_keys(QRModel.PATIENT, QRLevel.IMAGE)[:3] == [
        "PatientID", "StudyInstanceUID", "SeriesInstanceUID"
    ]  # fmt: skip
    assert "NumberOfPatientRelatedStudies" in default_return_keys(QRModel.PATIENT, QRLevel.PATIENT)


def test_command_line_keys() -> None:
    ds, shown = identifier_from_keys(
        QRModel.STUDY, QRLevel.STUDY, ["0010,0010=Doe*", "(0008,0050)", "StudyDate=20200101-"]
    )
    assert ds.PatientName == "Doe*" and ds.AccessionNumber is None and ds.StudyDate == "20200101-"
    assert shown[:3] == [Tag(0x00100010), Tag(0x00080050), Tag(0x00080020)]
    assert Tag(0x0020000D) in shown  # the level's default return keys follow
    only, shown = identifier_from_keys(QRModel.STUDY, QRLevel.STUDY, ["PatientID"], with_defaults=False)
    assert shown == [Tag(0x00100020)] and set(only.keys()) == {Tag(0x00080052), Tag(0x00100020)}


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("NoSuchKey=1", "not a DICOM keyword"),
        ("=x", "KEY=VALUE"),
        ("Rows=512", "binary VR"),
        ("0009,0010=x", "unknown tag"),
        ("QueryRetrieveLevel=SERIES", "--level"),
    ],
)
def test_bad_command_line_keys(key: str, reason: str) -> None:
    with pytest.raises(QueryKeyError, match=reason.replace("-", r"\-")):
        identifier_from_keys(QRModel.STUDY, QRLevel.STUDY, [key])


def test_retrieve_identifiers() -> None:
    ds = retrieve_identifier(QRModel.STUDY, QRLevel.STUDY, ["1.1", "1.2"])
    assert list(ds.StudyInstanceUID) == ["1.1", "1.2"] and ds.QueryRetrieveLevel == "STUDY"
    ds = retrieve_identifier(QRModel.PATIENT, QRLevel.SERIES, ["1.1"], ["2.1", "2.2"], patient_id="P")
    assert ds.PatientID == "P" and list(ds.SeriesInstanceUID) == ["2.1", "2.2"]
    with pytest.raises(QueryKeyError, match="one value only"):
        retrieve_identifier(QRModel.STUDY, QRLevel.SERIES, ["1.1", "1.2"], ["2.1"])
    with pytest.raises(QueryKeyError, match="patient ID"):
        retrieve_identifier(QRModel.PATIENT, QRLevel.STUDY, ["1.1"])
    with pytest.raises(QueryKeyError, match="SOPInstanceUID"):
        retrieve_identifier(QRModel.STUDY, QRLevel.IMAGE, ["1.1"], ["2.1"])


def test_sub_operation_counts_from_a_response() -> None:
    status = Dataset()
    status.Status = 0xFF00
    status.NumberOfRemainingSuboperations = 7
    status.NumberOfCompletedSuboperations = 2
    status.NumberOfFailedSuboperations = 1
    status.NumberOfWarningSuboperations = 0
    counts = SubOperations.from_status(status)
    assert (counts.done, counts.total) == (3, 10)
    final = Dataset()
    final.Status = 0xB000
    final.NumberOfFailedSuboperations = 2
    later = SubOperations.from_status(final, counts)  # counts left out keep their last value
    assert (later.remaining, later.completed, later.failed) == (None, 2, 2)


def test_status_meanings() -> None:
    assert status_meaning(0xA801) == "refused: move destination unknown"
    assert status_meaning(0xC123) == "unable to process"
    assert status_meaning(0xA700).startswith("refused: out of resources")


def test_node_addresses() -> None:
    node = node_from_address("PACS@127.0.0.1:4242")
    assert (node.ae_title, node.host, node.port) == ("PACS", "127.0.0.1", 4242)
    for bad in ("PACS", "PACS@host", "@127.0.0.1:1", "PACS@127.0.0.1:x"):
        with pytest.raises(Exception):  # noqa: B017 - QueryKeyError or SettingsError
            node_from_address(bad)


def test_job_params_round_trip_and_refusals() -> None:
    params = retrieve_params("PACS@127.0.0.1:4242", "get", "SERIES", study_uids=["1.1"],
                             series_uids=["2.1", "2.2"])  # fmt: skip
    method, request = request_from_params(params)
    assert method == "get" and request.level is QRLevel.SERIES
    assert request.series_uids == ("2.1", "2.2")
    with pytest.raises(PermanentJobError, match="method"):
        request_from_params({**params, "method": "fetch"})
    with pytest.raises(PermanentJobError, match="list of UIDs"):
        request_from_params({**params, "study_uids": "1.1"})
    with pytest.raises(QueryKeyError):
        request_from_params({**params, "level": "SERIES", "study_uids": []})
