"""Worklist identifiers (broad and patient query, ``-k`` overrides), the answers'
character sets, collect (de-duplication, hidden steps, the window) and the CLI fields."""

from __future__ import annotations

import itertools
from datetime import datetime
from io import BytesIO

import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset

from workstation.config.settings import BroadKey, WorklistDateWindow, WorklistSettings
from workstation.dicom.worklist import (
    ITEM_FIELDS,
    SPS_KEYS,
    TOP_KEYS,
    PatientQuery,
    broad_identifier,
    broad_window,
    identifier_with,
    patient_identifier,
    sps_item,
)
from workstation.dicom.worklist_items import (
    WorklistItem,
    collect,
    decode_answer,
    guess_charset,
    item_fields,
    item_line,
)
from workstation.errors import QueryKeyError

NOW = datetime(2026, 3, 10, 15, 30, 45, 123456)
STATION = "WS_CT1"
W = WorklistDateWindow

# (window, Date sent, combined Time range sent)
WINDOW_ENCODING = {
    W.TODAY: ("20260310", None),
    W.YESTERDAY_TODAY: ("20260309-20260310", None),
    W.TODAY_12H: ("20260310-20260311", "033045-033045"),
    W.TODAY_24H: ("20260309-20260311", "153045-153045"),
    W.ANY: (None, None),
}


def keywords(keys) -> list[str]:
    return [k if isinstance(k, str) else k[0] for k in keys]


def value(ds: Dataset, keyword: str) -> object:
    return (ds[keyword].value or "") if keyword in ds else "<absent>"


@pytest.mark.parametrize(
    ("window", "by_aet", "by_modality", "return_only"),
    [
        (w, a, m, frozenset(r))
        for w, a, m in itertools.product(W, (False, True), (False, True))
        for r in (
            (),
            (BroadKey.START_DATE,),
            (BroadKey.STATION_AET,),
            (BroadKey.MODALITY,),
            tuple(BroadKey),
        )
    ],
)
def test_broad_identifier_for_every_window_and_return_only_combination(
    window: WorklistDateWindow, by_aet: bool, by_modality: bool, return_only: frozenset
) -> None:
    ws = WorklistSettings(
        date_window=window,
        query_by_station_aet=by_aet,
        query_by_modality=by_modality,
        modality="CT",
        return_only=return_only,
    )
    for combined in (False, True):
        ds = broad_identifier(ws, STATION, NOW, combined_datetime=combined)
        sps = sps_item(ds)
        date, time = WINDOW_ENCODING[window]
        if BroadKey.START_DATE in return_only:
            date = time = None
        assert value(sps, "ScheduledProcedureStepStartDate") == (date or "")
        assert value(sps, "ScheduledProcedureStepStartTime") == ((combined and time) or "")
        aet = STATION if by_aet and BroadKey.STATION_AET not in return_only else ""
        assert value(sps, "ScheduledStationAETitle") == aet
        modality = "CT" if by_modality and BroadKey.MODALITY not in return_only else ""
        assert value(sps, "Modality") == modality
        # every other key is a zero-length return key
        assert "SpecificCharacterSet" in ds and not ds.SpecificCharacterSet
        assert keywords(TOP_KEYS) == [k for k in keywords(TOP_KEYS) if k in ds]
        assert all(k in sps for k in keywords(SPS_KEYS))
        assert not ds.PatientName and not ds.PatientID and not ds.AccessionNumber


def test_the_identifier_encodes_and_has_one_step_item_with_code_sequences() -> None:
    ds = broad_identifier(WorklistSettings(), STATION, NOW)
    assert len(ds.ScheduledProcedureStepSequence) == 1
    code = sps_item(ds).ScheduledProtocolCodeSequence[0]
    assert [e.keyword for e in code] == [
        "CodeValue",
        "CodingSchemeDesignator",
        "CodingSchemeVersion",
        "CodeMeaning",
    ]
    assert ds.ReferencedPatientSequence[0].ReferencedSOPInstanceUID is None
    buffer = DicomBytesIO()
    buffer.is_little_endian, buffer.is_implicit_VR = True, False
    write_dataset(buffer, ds)
    assert len(buffer.getvalue()) > 100


@pytest.mark.parametrize(
    ("window", "start", "end"),
    [
        (W.TODAY, datetime(2026, 3, 10), datetime(2026, 3, 10, 23, 59, 59)),
        (W.YESTERDAY_TODAY, datetime(2026, 3, 9), datetime(2026, 3, 10, 23, 59, 59)),
        (W.TODAY_12H, datetime(2026, 3, 10, 3, 30, 45), datetime(2026, 3, 11, 3, 30, 45)),
        (W.TODAY_24H, datetime(2026, 3, 9, 15, 30, 45), datetime(2026, 3, 11, 15, 30, 45)),
    ],
)
def test_broad_window(window: WorklistDateWindow, start: datetime, end: datetime) -> None:
    got = broad_window(WorklistSettings(date_window=window), NOW)
    assert got is not None and (got.start, got.end) == (start, end)


def test_no_window_without_a_date_or_with_the_date_return_only() -> None:
    assert broad_window(WorklistSettings(date_window=W.ANY), NOW) is None
    ws = WorklistSettings(date_window=W.TODAY_12H, return_only=frozenset({BroadKey.START_DATE}))
    assert broad_window(ws, NOW) is None


def test_window_at_the_turn_of_the_year() -> None:
    ws = WorklistSettings(date_window=W.TODAY_12H)
    ds = broad_identifier(ws, STATION, datetime(2026, 12, 31, 20, 0), combined_datetime=True)
    sps = sps_item(ds)
    assert sps.ScheduledProcedureStepStartDate == "20261231-20270101"
    assert sps.ScheduledProcedureStepStartTime == "080000-080000"


def test_patient_query_matches_only_entered_values() -> None:
    ds = patient_identifier(PatientQuery(patient_name="Doe", accession_number=" A1 "))
    assert ds.PatientName == "Doe*"
    assert ds.AccessionNumber == "A1"
    assert not ds.PatientID and not ds.RequestedProcedureID and not ds.ReferringPhysicianName
    sps = sps_item(ds)
    for key in (
        "ScheduledProcedureStepStartDate",
        "ScheduledProcedureStepStartTime",
        "ScheduledStationAETitle",
        "Modality",
    ):
        assert key in sps and not sps[key].value  # date not used, station return only
    assert not ds.SpecificCharacterSet


def test_patient_query_every_key() -> None:
    keys = PatientQuery(
        patient_name="Doe, John",
        patient_id="P1",
        accession_number="ACC",
        requested_procedure_id="RP1",
        referring_physician="Smi?h",
    )
    ds = patient_identifier(keys)
    assert (
        ds.PatientName,
        ds.PatientID,
        ds.AccessionNumber,
        ds.RequestedProcedureID,
        ds.ReferringPhysicianName,
    ) == ("Doe^John*", "P1", "ACC", "RP1", "Smi?h")
    assert not keys.empty and PatientQuery().empty


@pytest.mark.parametrize(
    ("name", "charset"),
    [
        ("Müller", "ISO_IR 100"),
        ("Ωμέγα", "ISO_IR 192"),
        ("Dupont^Zoé", "ISO_IR 100"),
        ("山田", "ISO_IR 192"),
        ("Smith", None),
    ],
)
def test_query_character_set_from_the_values(name: str, charset: str | None) -> None:
    ds = patient_identifier(PatientQuery(patient_name=name))
    assert (ds.SpecificCharacterSet or None) == charset
    assert (
        patient_identifier(PatientQuery(patient_name=name), charset="ISO_IR 192")[
            "SpecificCharacterSet"
        ].value
        == "ISO_IR 192"
    )


def test_patient_query_refuses_backslash_and_control_characters() -> None:
    with pytest.raises(QueryKeyError):
        patient_identifier(PatientQuery(patient_id="A\\B"))
    with pytest.raises(QueryKeyError):
        patient_identifier(PatientQuery(patient_name="A\x01"))


def test_identifier_with_overrides_top_and_step_keys() -> None:
    base = broad_identifier(WorklistSettings(modality="CT"), STATION, NOW)
    ds = identifier_with(
        base,
        {
            "PatientID": "P7",
            "Modality": "MR",
            "0040,0007": "Chest*",
            "ScheduledProcedureStepStartDate": "",
            "PatientSex": "F",
        },
    )
    sps = sps_item(ds)
    assert ds.PatientID == "P7" and ds.PatientSex == "F"
    assert sps.Modality == "MR" and sps.ScheduledProcedureStepDescription == "Chest*"
    assert not sps.ScheduledProcedureStepStartDate  # made return-only
    assert "Modality" not in ds  # step keys only in the item
    assert sps_item(base).Modality == "CT"  # the original is unchanged
    assert identifier_with(base, {"PatientName": "Jürgen*"}).SpecificCharacterSet == "ISO_IR 100"
    assert identifier_with(base, {"PatientName": "Пётр*"}).SpecificCharacterSet == "ISO_IR 192"


@pytest.mark.parametrize("key", ["NoSuchKeyword", "ScheduledProcedureStepSequence"])
def test_identifier_with_refuses_bad_keys(key: str) -> None:
    with pytest.raises(QueryKeyError):
        identifier_with(broad_identifier(WorklistSettings(), STATION, NOW), {key: "x"})


# -- answers ------------------------------------------------------------------------------
def answer(
    name: str,
    pid: str,
    study: str,
    sps_id: str,
    *,
    charset: str | None = "ISO_IR 100",
    status: str = "SCHEDULED",
    date: str = "20260310",
    time: str = "100000",
) -> Dataset:
    ds = Dataset()
    if charset:
        ds.SpecificCharacterSet = charset
    ds.PatientName = name
    ds.PatientID = pid
    ds.StudyInstanceUID = study
    sps = Dataset()
    sps.ScheduledProcedureStepID = sps_id
    sps.ScheduledProcedureStepStatus = status
    sps.ScheduledProcedureStepStartDate = date
    sps.ScheduledProcedureStepStartTime = time
    sps.Modality = "CT"
    sps.ScheduledStationAETitle = "ST1"
    ds.ScheduledProcedureStepSequence = [sps]
    return ds


def over_the_wire(ds: Dataset, encoding: str | None = None) -> Dataset:
    """``ds`` encoded (in ``encoding``, else its own charset) and read back undecoded, as
    pynetdicom hands an answer over; ``encoding`` without the element in the result."""
    ds = Dataset(ds)
    if encoding:
        ds.SpecificCharacterSet = encoding
    buffer = DicomBytesIO()
    buffer.is_little_endian, buffer.is_implicit_VR = True, False
    write_dataset(buffer, ds)
    raw = buffer.getvalue()
    from pydicom.filereader import read_dataset

    out = read_dataset(BytesIO(raw), is_implicit_VR=False, is_little_endian=True)
    if encoding:
        del out.SpecificCharacterSet
    return out


@pytest.mark.parametrize(
    ("name", "charset"),
    [
        ("Müller^Hans", "ISO_IR 100"),
        ("Ωμέγα^Ελένη", "ISO_IR 192"),
        ("Иванов^Пётр", "ISO_IR 192"),
        ("Dupont^Zoé", "ISO_IR 192"),
        ("Ωμέγα^Ελένη", "ISO_IR 126"),
        ("Иванов^Пётр", "ISO_IR 144"),
        ("王^小明", "GB18030"),
        # extract-001 7.2's Japanese sets: ISO 2022 with code extensions (PS3.5 H.3.1)
        ("ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", ["ISO 2022 IR 13", "ISO 2022 IR 87"]),
        ("Yamada^Tarou=山田^太郎=やまだ^たろう", ["", "ISO 2022 IR 87"]),
        ("Yamada^Tarou=山田^太郎", ["", "ISO 2022 IR 87", "ISO 2022 IR 159"]),
    ],
)
def test_answers_decoded_in_their_character_set(name: str, charset) -> None:  # noqa: ANN001
    ds = decode_answer(over_the_wire(answer(name, "P", "1.2", "S", charset=charset)))
    assert WorklistItem(ds).patient_name == name


@pytest.mark.parametrize(
    ("name", "encoding", "guessed"),
    [
        ("Müller^Hans", "ISO_IR 100", "ISO_IR 100"),
        ("Ωμέγα^Ελένη", "ISO_IR 192", "ISO_IR 192"),
        ("Dupont^Zoé", "ISO_IR 192", "ISO_IR 192"),
        ("Smith^John", "ISO_IR 100", ""),
    ],
)
def test_answer_without_character_set_is_guessed(name: str, encoding: str, guessed: str) -> None:
    raw = over_the_wire(answer(name, "P", "1.2", "S", charset=None), encoding)
    assert "SpecificCharacterSet" not in raw
    assert guess_charset(raw) == guessed
    assert WorklistItem(decode_answer(raw)).patient_name == name


def test_answer_without_character_set_read_in_the_query_s() -> None:
    raw = over_the_wire(answer("Müller^Hans", "P", "1.2", "S", charset=None), "ISO_IR 100")
    assert WorklistItem(decode_answer(raw, "ISO_IR 100")).patient_name == "Müller^Hans"


def test_collect_deduplicates_hides_and_keeps_order() -> None:
    answers = [
        answer("A^1", "P1", "1.1", "S1"),
        answer("A^1 again", "P1", "1.1", "S1"),  # same study and step: dropped
        answer("A^2", "P1", "1.1", "S2"),  # another step of the study: kept
        answer("B", "P2", "1.2", "S1"),  # same step ID in another study: kept
        answer("C", "P3", "1.3", "S1", status="CANCELED"),
        answer("D", "P4", "1.4", "S1", status="DISCONTINUED"),
        answer("E", "P5", "1.5", "S1", status="COMPLETED"),
    ]
    items = collect(answers)
    assert [i.patient_name for i in items] == ["A^1", "A^2", "B", "E"]
    assert [i.key for i in items] == [("1.1", "S1"), ("1.1", "S2"), ("1.2", "S1"), ("1.5", "S1")]


def test_collect_with_the_window() -> None:
    ws = WorklistSettings(date_window=W.TODAY_12H)
    window = broad_window(ws, datetime(2026, 3, 10, 15, 0))
    answers = [
        answer("in", "P1", "1.1", "S1", date="20260310", time="030000"),
        answer("before", "P2", "1.2", "S1", date="20260310", time="025959"),
        answer("tomorrow", "P3", "1.3", "S1", date="20260311", time="0300"),
        answer("late", "P4", "1.4", "S1", date="20260311", time="030001.5"),
        answer("no time", "P5", "1.5", "S1", date="20260311", time=""),
        answer("no date", "P6", "1.6", "S1", date="", time=""),
    ]
    assert [i.patient_name for i in collect(answers, window=window)] == [
        "in",
        "tomorrow",
        "no time",
        "no date",
    ]


def test_item_properties_and_fields() -> None:
    ds = answer("Müller^Hans", "P1", "1.2.3", "SPS1")
    ds.AccessionNumber = "ACC\t1"
    ds.PatientBirthDate = "19700101"
    ds.PatientSex = "M"
    ds.RequestedProcedureID = "RP1"
    ds.RequestedProcedureDescription = "CT head"
    ds.ReferringPhysicianName = "Weiß^Anna"
    sps = ds.ScheduledProcedureStepSequence[0]
    sps.ScheduledProcedureStepDescription = "Head"
    sps.ScheduledPerformingPhysicianName = "Tech^T"
    item = WorklistItem(decode_answer(ds))
    assert (item.patient_name, item.patient_id, item.birth_date, item.sex) == (
        "Müller^Hans",
        "P1",
        "19700101",
        "M",
    )
    assert (item.study_instance_uid, item.sps_id, item.modality, item.station_aet) == (
        "1.2.3",
        "SPS1",
        "CT",
        "ST1",
    )
    assert (item.start_date, item.start_time, item.status) == ("20260310", "100000", "SCHEDULED")
    assert item.start == datetime(2026, 3, 10, 10, 0)
    assert item.performing_physician == "Tech^T" and item.referring_physician == "Weiß^Anna"
    assert item.requested_procedure_description == "CT head"
    assert item.sps_description == "Head"
    fields = item_fields(item)
    assert [k for k, _ in fields] == list(ITEM_FIELDS)
    assert dict(fields)["AccessionNumber"] == "ACC 1"  # no tab inside a field
    assert dict(fields)["ScheduledStationAETitle"] == "ST1"
    line = item_line(item)
    assert line.split("\t")[0] == "PatientName=Müller^Hans" and line.count("\t") == len(fields) - 1


def test_an_item_without_a_step_sequence() -> None:
    ds = Dataset()
    ds.PatientName = "X"
    item = WorklistItem(ds)
    assert item.sps_id == "" and item.modality == "" and item.start is None
    assert item.key == ("", "")


def test_saved_worklist_file_reads_back_as_an_item(tmp_path) -> None:
    path = tmp_path / "a.wl"
    ds = answer("Ωμέγα^Ελένη", "P1", "1.2", "S1", charset="ISO_IR 192")
    ds.save_as(path, implicit_vr=False, little_endian=True)
    assert WorklistItem(decode_answer(dcmread(path, force=True))).patient_name == "Ωμέγα^Ελένη"


@pytest.mark.filterwarnings("ignore:Invalid value for VR TM")
def test_a_step_without_a_time_is_kept_by_its_date() -> None:
    window = broad_window(WorklistSettings(date_window=W.TODAY_12H), datetime(2026, 3, 10, 15))
    answers = [
        answer("today, no time", "P1", "1.1", "S1", date="20260310", time=""),
        answer("yesterday, no time", "P2", "1.2", "S1", date="20260309", time=""),
        answer("bad time", "P3", "1.3", "S1", date="20260311", time="99"),
    ]
    assert [i.patient_name for i in collect(answers, window=window)] == [
        "today, no time",
        "bad time",
    ]


@pytest.mark.parametrize(
    "charset",
    [
        "ISO_IR 100",
        "ISO_IR 192",
        "ISO_IR 144",
        "ISO_IR 126",
        "GB18030",
        "ISO 2022 IR 6\\ISO 2022 IR 100",
        "",
    ],
)
def test_raw_text_read_directly_equals_pydicom_s_decoding(charset: str) -> None:
    names = {
        "ISO_IR 144": "Иванов^Пётр",
        "ISO_IR 126": "Ωμέγα^Ελένη",
        "GB18030": "王^小明",
        "": "Smith^John",
    }
    name = names.get(charset, "Müller^Zoé")
    ds = answer(name, "P1", "1.2.3", "S1", charset=None)
    if charset:
        ds.SpecificCharacterSet = charset.split("\\") if "\\" in charset else charset
    ds.InstitutionName = "Spital  "
    ds.OtherPatientIDs = ["A", "B"]
    ds.ScheduledProcedureStepSequence[0].ScheduledPerformingPhysicianName = name
    received = WorklistItem(decode_answer(over_the_wire(ds)))
    decoded = over_the_wire(ds)
    decoded.decode()
    for keyword in ("PatientName", "InstitutionName", "OtherPatientIDs", "StudyInstanceUID"):
        value = decoded[keyword].value
        text = (
            "\\".join(map(str, value))
            if isinstance(value, list) or hasattr(value, "append")
            else str(value)
        )
        assert received.top(keyword) == text.strip(), keyword
    assert received.performing_physician == name
    assert received.patient_name == name


def test_identifier_with_takes_a_list_of_uids_but_no_control_characters() -> None:
    base = broad_identifier(WorklistSettings(), STATION, NOW)
    assert identifier_with(base, {"StudyInstanceUID": "1.2\\1.3"}).StudyInstanceUID == [
        "1.2",
        "1.3",
    ]
    with pytest.raises(QueryKeyError):
        identifier_with(base, {"PatientID": "A\nB"})
