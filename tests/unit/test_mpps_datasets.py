"""MPPS data sets (dicom/builders/mpps.py) against extract-001 A.11 and PS3.4 Table F.7.2-1.

The N-CREATE and N-SET lists are also run through the strict test SCP's rules
(tests/peers/mpps_scp.py), so what the builder makes is what a strict RIS accepts.
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

import pytest
from pydicom.dataset import Dataset
from pydicom.filebase import DicomFileLike
from pydicom.filewriter import write_dataset
from pydicom.sr.codedict import Collection
from pydicom.uid import UID_dictionary, generate_uid

from tests.peers.mpps_scp import MPPS, Instance, check_n_create, check_n_set
from workstation.dicom.builders.mpps import (
    CID_9300,
    COMPLETED,
    DISCONTINUED,
    IN_PROGRESS,
    Code,
    PerformedInstance,
    StepFacts,
    is_image_sop_class,
    n_create_dataset,
    n_set_dataset,
)
from workstation.dicom.registration import Registration
from workstation.errors import BuildError

CT = "1.2.840.10008.5.1.4.1.1.2"
SC = "1.2.840.10008.5.1.4.1.1.7"
VL_PHOTO = "1.2.840.10008.5.1.4.1.1.77.1.4"
PDF = "1.2.840.10008.5.1.4.1.1.104.1"
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"
KOS = "1.2.840.10008.5.1.4.1.1.88.59"
GSPS = "1.2.840.10008.5.1.4.1.1.11.1"

START = datetime(2026, 12, 7, 9, 30, 15)
END = datetime(2026, 12, 7, 9, 52, 3)


def code_item(value: str, scheme: str, meaning: str, version: str = "") -> Dataset:
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    if version:
        item.CodingSchemeVersion = version
    item.CodeMeaning = meaning
    return item


def sop_ref(cls: str, uid: str) -> Dataset:
    item = Dataset()
    item.ReferencedSOPClassUID = cls
    item.ReferencedSOPInstanceUID = uid
    return item


def worklist_item(study_uid: str) -> Dataset:
    """A Modality Worklist answer as a worklist SCP sends it."""
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.PatientName = "Müller^Anna^Maria^Dr.^"
    ds.PatientID = "PID-7"
    ds.PatientBirthDate = ""
    ds.PatientSex = "F"
    ds.AccessionNumber = "ACC-42"
    ds.RequestedProcedureID = "RP-9"
    ds.RequestedProcedureDescription = "Thorax zwei Ebenen"
    ds.RequestedProcedureCodeSequence = [code_item("RPX1", "99LOCAL", "Thorax pa/lat", "1.0")]
    ds.StudyInstanceUID = study_uid
    ds.ReferencedStudySequence = [sop_ref("1.2.840.10008.3.1.2.3.1", study_uid)]
    ds.ReferencedPatientSequence = [sop_ref("1.2.840.10008.3.1.2.1.1", "1.2.3.4.5.6")]
    sps = Dataset()
    sps.Modality = "CR"
    sps.ScheduledStationAETitle = "WS_MPPS"
    sps.ScheduledProcedureStepStartDate = "20261207"
    sps.ScheduledProcedureStepStartTime = "0930"
    sps.ScheduledProcedureStepDescription = "Thorax pa"
    sps.ScheduledProtocolCodeSequence = [code_item("SPC1", "99LOCAL", "Thorax pa", "2")]
    sps.ScheduledProcedureStepID = "SPS-3"
    sps.ScheduledPerformingPhysicianName = "Weber^Jan"
    ds.ScheduledProcedureStepSequence = [sps]
    return ds


def scheduled(**changes: object) -> Registration:
    study_uid = generate_uid()
    values: dict[str, object] = dict(
        patient_name="Müller^Anna^Maria^Dr.^", patient_id="PID-7", birth_date="", sex="F",
        accession_number="ACC-42", requested_procedure_id="RP-9",
        study_instance_uid=study_uid, study_id="RP-9", study_description="Thorax zwei Ebenen",
        performing_physician="Weber^Jan", referring_physician="", modality="CR",
        specific_character_set="ISO_IR 100", worklist=worklist_item(study_uid),
    )  # fmt: skip
    values.update(changes)
    return Registration(**values)  # type: ignore[arg-type]


def unscheduled(**changes: object) -> Registration:
    values: dict[str, object] = dict(
        patient_name="Doe^John", patient_id="U-1", birth_date="19700101", sex="M",
        study_instance_uid=generate_uid(), modality="OT",
    )  # fmt: skip
    values.update(changes)
    return Registration(**values)  # type: ignore[arg-type]


def facts(end: datetime | None = None, **changes: object) -> StepFacts:
    values: dict[str, object] = dict(
        pps_id="PPS-1", station_aet="WS_MPPS", station_name="ws-host", start=START, end=end,
        description="", operator="Tech^Tina", performed_protocol=None, retrieve_aet="ARCHIVE",
    )  # fmt: skip
    values.update(changes)
    return StepFacts(**values)  # type: ignore[arg-type]


def instances() -> list[PerformedInstance]:
    return [
        PerformedInstance(SC, "1.2.826.0.1.1", "1.2.826.0.9.1"),
        PerformedInstance(PDF, "1.2.826.0.1.2", "1.2.826.0.9.2"),
        PerformedInstance(SC, "1.2.826.0.1.3", "1.2.826.0.9.1"),
        PerformedInstance(SC, "1.2.826.0.1.1", "1.2.826.0.9.1"),  # listed once
        PerformedInstance(BASIC_TEXT_SR, "1.2.826.0.1.4", "1.2.826.0.9.2"),
    ]


def created(ds: Dataset) -> Instance:
    return Instance(ds, frozenset(int(e.tag) for e in ds))


def encodes(ds: Dataset) -> bytes:
    fp = DicomFileLike(BytesIO())
    fp.is_little_endian, fp.is_implicit_VR = True, True
    write_dataset(fp, ds)
    return fp.parent.getvalue()


# -- N-CREATE ----------------------------------------------------------------------------
def test_n_create_from_worklist_has_the_a11_attributes() -> None:
    reg = scheduled()
    ds = n_create_dataset(reg, facts())
    check_n_create(ds)  # every Type 1 with a value, every Type 2 present, IN PROGRESS
    assert ds.SpecificCharacterSet == "ISO_IR 100"
    assert ds.Modality == "CR"
    assert ds.PatientName == "Müller^Anna^Maria^Dr.^"
    assert (ds.PatientID, ds.PatientSex, ds.StudyID) == ("PID-7", "F", "RP-9")
    assert ds.PerformedStationAETitle == "WS_MPPS"
    assert ds.PerformedStationName == "ws-host"
    assert ds.PerformedProcedureStepStartDate == "20261207"
    assert ds.PerformedProcedureStepStartTime == "093015"
    assert ds.PerformedProcedureStepStatus == IN_PROGRESS
    assert ds.PerformedProcedureStepID == "PPS-1"
    assert ds.PerformedProcedureStepDescription == "Thorax pa"  # from (0040,0007)
    proc = ds.ProcedureCodeSequence[0]
    assert (proc.CodeValue, proc.CodingSchemeDesignator, proc.CodingSchemeVersion,
            proc.CodeMeaning) == ("RPX1", "99LOCAL", "1.0", "Thorax pa/lat")  # fmt: skip
    assert ds.ReferencedPatientSequence[0].ReferencedSOPInstanceUID == "1.2.3.4.5.6"
    (step,) = ds.ScheduledStepAttributesSequence
    assert step.AccessionNumber == "ACC-42"
    assert step.StudyInstanceUID == reg.study_instance_uid
    assert step.ReferencedStudySequence[0].ReferencedSOPInstanceUID == reg.study_instance_uid
    assert step.RequestedProcedureDescription == "Thorax zwei Ebenen"
    assert step.ScheduledProcedureStepDescription == "Thorax pa"
    assert step.ScheduledProtocolCodeSequence[0].CodeValue == "SPC1"
    assert step.ScheduledProtocolCodeSequence[0].CodingSchemeVersion == "2"
    assert (step.ScheduledProcedureStepID, step.RequestedProcedureID) == ("SPS-3", "RP-9")
    encodes(ds)


def test_n_create_creates_zero_length_what_the_final_n_set_fills() -> None:
    ds = n_create_dataset(scheduled(), facts())
    for keyword in ("PerformedProcedureStepEndDate", "PerformedProcedureStepEndTime",
                    "PerformedLocation", "PerformedProcedureTypeDescription",
                    "PatientBirthDate", "PerformedProtocolCodeSequence",
                    "PerformedSeriesSequence",
                    "PerformedProcedureStepDiscontinuationReasonCodeSequence",
                    "TotalTimeOfFluoroscopy", "TotalNumberOfExposures",
                    "ExposureDoseSequence", "FilmConsumptionSequence",
                    "CommentsOnRadiationDose", "EntranceDoseInmGy"):  # fmt: skip
        assert keyword in ds, keyword
        assert ds[keyword].value in ("", None, []), keyword


def test_zero_length_birth_date_stays_zero_length() -> None:
    ds = n_create_dataset(scheduled(birth_date=""), facts())
    assert ds.PatientBirthDate == ""
    assert ds["PatientBirthDate"].VR == "DA"


def test_unscheduled_step_has_one_item_with_only_the_study_uid() -> None:
    reg = unscheduled()
    ds = n_create_dataset(reg, facts(description="Hand"))
    check_n_create(ds)
    (step,) = ds.ScheduledStepAttributesSequence
    assert step.StudyInstanceUID == reg.study_instance_uid
    for keyword in ("AccessionNumber", "RequestedProcedureID", "RequestedProcedureDescription",
                    "ScheduledProcedureStepID", "ScheduledProcedureStepDescription"):  # fmt: skip
        assert step[keyword].value in ("", None)
    assert step.ReferencedStudySequence == [] and step.ScheduledProtocolCodeSequence == []
    assert ds.ProcedureCodeSequence == [] and ds.ReferencedPatientSequence == []
    assert ds.PerformedProcedureStepDescription == "Hand"
    assert ds.PatientBirthDate == "19700101"
    assert "SpecificCharacterSet" not in ds  # all ASCII, nothing registered


def test_performed_protocol_codes_when_configured() -> None:
    code = Code("P-1", "99LOCAL", "Thorax Protokoll")
    ds = n_create_dataset(scheduled(), facts(performed_protocol=[code]))
    item = ds.PerformedProtocolCodeSequence[0]
    assert (item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning) == (
        "P-1", "99LOCAL", "Thorax Protokoll")  # fmt: skip


def test_emergency_and_missing_type1_values_are_refused() -> None:
    with pytest.raises(BuildError, match="emergency"):
        n_create_dataset(unscheduled(emergency=True), facts())
    with pytest.raises(BuildError, match="PerformedStationAETitle"):
        n_create_dataset(unscheduled(), facts(station_aet=""))
    with pytest.raises(BuildError, match="Study Instance UID"):
        n_create_dataset(unscheduled(study_instance_uid=""), facts())


def test_character_set_follows_what_the_values_need() -> None:
    cyrillic = unscheduled(patient_name="Иванов^Иван", specific_character_set="ISO_IR 100")
    assert n_create_dataset(cyrillic, facts()).SpecificCharacterSet == "ISO_IR 192"
    latin = unscheduled(patient_name="Ørsted^Hans")
    assert n_create_dataset(latin, facts()).SpecificCharacterSet == "ISO_IR 192"
    reg = scheduled()
    n_set = n_set_dataset(reg, facts(END, operator="Jäger^Eva"), COMPLETED, instances())
    assert n_set.SpecificCharacterSet == "ISO_IR 100"
    encodes(n_set)


# -- N-SET -------------------------------------------------------------------------------
def test_final_n_set_lists_every_instance_by_series() -> None:
    reg = scheduled()
    step = created(n_create_dataset(reg, facts()))
    ds = n_set_dataset(reg, facts(END), COMPLETED, instances(),
                       series_descriptions={"1.2.826.0.9.1": "Fotos"})  # fmt: skip
    merged = check_n_set(step, ds, require_references=True)  # only allowed, all created
    assert merged.PerformedProcedureStepStatus == COMPLETED
    assert ds.PerformedProcedureStepEndDate == "20261207"
    assert ds.PerformedProcedureStepEndTime == "095203"
    assert ds.PerformedProcedureTypeDescription == ""
    assert "PerformedProcedureStepDiscontinuationReasonCodeSequence" not in ds
    first, second = ds.PerformedSeriesSequence
    assert first.SeriesInstanceUID == "1.2.826.0.9.1"
    assert [r.ReferencedSOPInstanceUID for r in first.ReferencedImageSequence] == [
        "1.2.826.0.1.1", "1.2.826.0.1.3"]  # fmt: skip
    assert first.ReferencedNonImageCompositeSOPInstanceSequence == []
    assert first.SeriesDescription == "Fotos"
    assert second.ReferencedImageSequence == []
    assert [(r.ReferencedSOPClassUID, r.ReferencedSOPInstanceUID)
            for r in second.ReferencedNonImageCompositeSOPInstanceSequence] == [
        (PDF, "1.2.826.0.1.2"), (BASIC_TEXT_SR, "1.2.826.0.1.4")]  # fmt: skip
    for item in (first, second):
        assert item.RetrieveAETitle == "ARCHIVE"
        assert item.PerformingPhysicianName == "Weber^Jan"
        assert item.OperatorsName == "Tech^Tina"
        assert item.ProtocolName == "Thorax pa"
    assert second.SeriesDescription == ""


def test_n_set_carries_only_what_an_n_set_may() -> None:
    ds = n_set_dataset(scheduled(), facts(END), COMPLETED, instances())
    for elem in ds:
        rule = MPPS.get(elem.keyword)
        assert rule is None or rule[1] != "-", elem.keyword
    for keyword in ("PatientName", "ScheduledStepAttributesSequence", "Modality",
                    "ProcedureCodeSequence", "PerformedProcedureStepStartDate"):  # fmt: skip
        assert keyword not in ds


def test_discontinued_carries_the_cid_9300_reason() -> None:
    reg = unscheduled()
    step = created(n_create_dataset(reg, facts()))
    reason = CID_9300["110514"]
    ds = n_set_dataset(reg, facts(END), DISCONTINUED, instances()[:1], discontinue_reason=reason)
    check_n_set(step, ds, require_references=True)
    (item,) = ds.PerformedProcedureStepDiscontinuationReasonCodeSequence
    assert (item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning) == (
        "110514", "DCM", "Incorrect worklist entry selected")  # fmt: skip
    unspecified = n_set_dataset(reg, facts(END), DISCONTINUED, instances()[:1])
    assert unspecified.PerformedProcedureStepDiscontinuationReasonCodeSequence[0].CodeValue == (
        "110513"
    )


def test_in_progress_n_set_has_no_end() -> None:
    ds = n_set_dataset(unscheduled(), facts(), IN_PROGRESS, instances()[:1])
    assert "PerformedProcedureStepEndDate" not in ds
    assert "PerformedProcedureStepEndTime" not in ds
    assert len(ds.PerformedSeriesSequence) == 1


def test_n_set_refuses_what_cannot_be_sent() -> None:
    reg = unscheduled()
    with pytest.raises(BuildError, match="reason"):
        n_set_dataset(
            reg, facts(END), COMPLETED, instances(), discontinue_reason=CID_9300["110500"]
        )
    with pytest.raises(BuildError, match="end date"):
        n_set_dataset(reg, facts(), COMPLETED, instances())
    with pytest.raises(BuildError, match="at least one instance"):
        n_set_dataset(reg, facts(END), DISCONTINUED, [])
    with pytest.raises(BuildError, match="Status"):
        n_set_dataset(reg, facts(END), "FINISHED", instances())  # type: ignore[arg-type]


# -- image or not, CID 9300 ---------------------------------------------------------------
@pytest.mark.parametrize("uid", [CT, SC, VL_PHOTO, "1.2.840.10008.5.1.4.1.1.1.1",
                                 "1.2.840.10008.5.1.4.1.1.3.1", "1.2.840.10008.5.1.4.1.1.66.4",
                                 "1.2.840.10008.5.1.4.1.1.7.4"])  # fmt: skip
def test_image_sop_classes(uid: str) -> None:
    assert is_image_sop_class(uid)


@pytest.mark.parametrize("uid", [PDF, BASIC_TEXT_SR, KOS, GSPS, "1.2.840.10008.5.1.4.1.1.9.1.1",
                                 "1.2.840.10008.5.1.4.1.1.481.5", "1.2.840.10008.5.1.4.1.1.66",
                                 "1.2.840.10008.5.1.4.1.1.88.67", "1.2.3.4.5", "",
                                 "1.2.840.10008.1.2.1"])  # fmt: skip
def test_non_image_sop_classes(uid: str) -> None:
    assert not is_image_sop_class(uid)


def test_every_image_storage_class_is_an_image() -> None:
    named = [uid for uid, (name, kind, *_rest) in UID_dictionary.items()
             if kind == "SOP Class" and "Image Storage" in name]  # fmt: skip
    assert len(named) > 50
    assert all(is_image_sop_class(uid) for uid in named)


def test_cid_9300_has_every_modality_pps_discontinuation_reason() -> None:
    """The DCM codes of CID 9301 (which CID 9300 includes) as pydicom's tables have them."""
    cid_9301 = Collection("CID9301").concepts.values()
    expected = {c.value: c.meaning for c in cid_9301 if c.scheme_designator == "DCM"}
    assert {value: code.meaning for value, code in CID_9300.items()} == expected
    assert all(code.scheme == "DCM" and code.value == value for value, code in CID_9300.items())
    assert set(CID_9300) == {str(v) for v in range(110500, 110517)}
