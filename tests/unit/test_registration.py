"""Registration: from a worklist item (with the edits the target allows), manual with
every validation rule, emergency, completeness, and the A.10 attribute data set."""

from __future__ import annotations

import datetime as dt
import io
import re

import pydicom
import pytest
from pydicom.dataset import Dataset

from workstation.dicom import registration as reg_mod
from workstation.dicom.builders.common import code_item
from workstation.dicom.registration import (
    ManualForm,
    Registration,
    RegistrationEdits,
    emergency,
    from_worklist,
    is_complete,
    manual,
    worklist_attributes,
)
from workstation.errors import RegistrationError

TODAY = dt.date(2026, 12, 7)


def answered(ds: Dataset) -> Dataset:
    """The item as a C-FIND answer arrives: encoded in its character set and read back."""
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, implicit_vr=False, little_endian=True)
    buf.seek(0)
    return pydicom.dcmread(buf, force=True)


def worklist_item(charset: str = "ISO_IR 100", name: str = "Müller^Jürgen") -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = charset
    ds.PatientName = name
    ds.PatientID = "PID-7"
    ds.PatientBirthDate = ""
    ds.PatientSex = "F"
    ds.AccessionNumber = "ACC-7"
    ds.RequestedProcedureID = "RP-7"
    ds.RequestedProcedureDescription = "Thorax zwei Ebenen"
    ds.RequestedProcedureCodeSequence = [code_item("RPC7", "99LOCAL", "Chest 2 views")]
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.2.1125.7"
    ds.ReferringPhysicianName = "Überweiser^Anna"
    ds.PatientWeight = "71.5"
    ds.PatientSize = "0"
    step = Dataset()
    step.Modality = "CR"
    step.ScheduledStationAETitle = "WS1"
    step.ScheduledProcedureStepStartDate = "20261207"
    step.ScheduledPerformingPhysicianName = "Röntgen^Wilhelm"
    step.ScheduledProcedureStepDescription = "Thorax pa/lat"
    step.ScheduledProtocolCodeSequence = [code_item("P7", "99LOCAL", "Chest pa lat")]
    step.ScheduledProcedureStepID = "SPS-7"
    ds.ScheduledProcedureStepSequence = [step]
    return answered(ds)


# -- from a worklist item ----------------------------------------------------------------
def test_from_worklist_takes_the_item_values_and_the_a10_defaults() -> None:
    reg = from_worklist(worklist_item(), modality_default="OT")
    assert reg.patient_name == "Müller^Jürgen"
    assert (reg.patient_id, reg.sex, reg.accession_number) == ("PID-7", "F", "ACC-7")
    assert reg.birth_date == ""  # zero length stays zero length, no placeholder
    assert reg.study_id == "RP-7" == reg.requested_procedure_id  # footnote 2
    assert reg.study_description == "Thorax zwei Ebenen"  # footnote 3
    assert reg.performing_physician == "Röntgen^Wilhelm"  # footnote 1
    assert reg.referring_physician == "Überweiser^Anna"
    assert reg.study_instance_uid == "1.2.826.0.1.3680043.2.1125.7"
    assert reg.modality == "CR"
    assert reg.specific_character_set == "ISO_IR 100"
    assert reg.scheduled and not reg.emergency and is_complete(reg)


def test_from_worklist_with_edits_changes_only_the_editable_values() -> None:
    edits = RegistrationEdits(
        performing_physician="Curie^Marie", study_id="S-99", study_description="Thorax pa"
    )
    reg = from_worklist(worklist_item(), modality_default="OT", edits=edits)
    assert (reg.performing_physician, reg.study_id, reg.study_description) == (
        "Curie^Marie",
        "S-99",
        "Thorax pa",
    )
    assert reg.requested_procedure_id == "RP-7"  # the request itself is not edited
    ds = worklist_attributes(reg)
    assert ds.StudyID == "S-99" and ds.StudyDescription == "Thorax pa"
    assert str(ds.PerformingPhysicianName) == "Curie^Marie"
    assert ds.RequestAttributesSequence[0].RequestedProcedureID == "RP-7"


def test_edits_are_validated() -> None:
    with pytest.raises(RegistrationError) as err:
        from_worklist(
            worklist_item(), modality_default="OT", edits=RegistrationEdits(study_id="X" * 17)
        )
    assert err.value.values["field"] == "study_id"
    assert err.value.values["rule_code"] == "too_long"


def test_from_worklist_without_modality_or_study_uid() -> None:
    item = worklist_item()
    del item.ScheduledProcedureStepSequence[0].Modality
    del item.StudyInstanceUID
    reg = from_worklist(item, modality_default="DX")
    assert reg.modality == "DX"
    assert re.fullmatch(r"2\.25\.\d+", reg.study_instance_uid)


def test_the_worklist_item_is_not_changed_and_decoded_in_its_character_set() -> None:
    item = worklist_item("ISO_IR 192", "Ἀχιλλεύς^Πηλείδης")
    reg = from_worklist(item, modality_default="OT")
    assert reg.patient_name == "Ἀχιλλεύς^Πηλείδης"
    assert reg.specific_character_set == "ISO_IR 192"
    assert reg.worklist is not item


def test_placeholder_birth_date_is_never_written() -> None:
    item = worklist_item()
    item.PatientBirthDate = reg_mod.BIRTH_DATE_PLACEHOLDER
    reg = from_worklist(item, modality_default="OT")
    assert reg.birth_date == ""
    forced = Registration(patient_name="A", patient_id="B", birth_date="18500101")
    assert worklist_attributes(forced).PatientBirthDate == ""


# -- manual --------------------------------------------------------------------------------
def form(**changes: str) -> ManualForm:
    values = {
        "patient_name": "Doe^John",
        "patient_id": "ID-1",
        "birth_date": "19800229",
        "sex": "M",
        "modality": "CR",
    }
    values.update(changes)
    return ManualForm(**values)


def test_manual_registration_of_a_valid_form() -> None:
    reg = manual(form(patient_name=" Doe^John^^^ ", sex="m", modality="dx"), today=TODAY)
    assert reg.patient_name == "Doe^John"
    assert (reg.sex, reg.modality, reg.birth_date) == ("M", "DX", "19800229")
    assert not reg.scheduled and not reg.emergency and is_complete(reg)
    assert re.fullmatch(r"2\.25\.\d+", reg.study_instance_uid)
    assert reg.specific_character_set == ""  # ASCII only: default repertoire


def test_manual_character_set_follows_the_values() -> None:
    assert manual(form(patient_name="Müller^Jürgen"), today=TODAY).specific_character_set == (
        "ISO_IR 100"
    )
    assert manual(form(patient_name="山田^太郎"), today=TODAY).specific_character_set == (
        "ISO_IR 192"
    )


def test_manual_accepts_empty_birth_date_and_sex_and_five_components() -> None:
    reg = manual(form(birth_date="", sex="", patient_name="Doe^John^Q^Dr.^Jr."), today=TODAY)
    assert (reg.birth_date, reg.sex, reg.patient_name) == ("", "", "Doe^John^Q^Dr.^Jr.")
    assert manual(form(birth_date=TODAY.strftime("%Y%m%d")), today=TODAY).birth_date == ("20261207")


@pytest.mark.parametrize(
    ("changes", "field", "rule_code"),
    [
        ({"patient_name": ""}, "patient_name", "family_name_required"),
        ({"patient_name": "^John"}, "patient_name", "family_name_required"),
        ({"patient_name": "A^B^C^D^E^F"}, "patient_name", "too_many_components"),
        ({"patient_name": "X" * 65}, "patient_name", "component_too_long"),
        ({"patient_name": "X" * 40 + "^" + "Y" * 40}, "patient_name", "too_long"),
        ({"patient_name": "Doe\\John"}, "patient_name", "forbidden_character"),
        ({"patient_name": "Doe^Jo\x07hn"}, "patient_name", "forbidden_character"),
        ({"patient_name": "A=B=C=D"}, "patient_name", "too_many_groups"),
        ({"birth_date": "1980-02-29"}, "birth_date", "format"),
        ({"birth_date": "19810229"}, "birth_date", "not_a_date"),
        ({"birth_date": "19801301"}, "birth_date", "not_a_date"),
        ({"birth_date": "20261208"}, "birth_date", "in_future"),
        ({"sex": "X"}, "sex", "one_of"),
        ({"sex": "MALE"}, "sex", "one_of"),
        ({"patient_id": ""}, "patient_id", "required"),
        ({"patient_id": "   "}, "patient_id", "required"),
        ({"patient_id": "P" * 65}, "patient_id", "too_long"),
        ({"patient_id": "P\\1"}, "patient_id", "forbidden_character"),
        ({"patient_id": "P\t1"}, "patient_id", "forbidden_character"),
        ({"modality": ""}, "modality", "cs"),
        ({"modality": "C-R"}, "modality", "cs"),
        ({"modality": "ABCDEFGHIJKLMNOPQ"}, "modality", "cs"),
        ({"accession_number": "A" * 17}, "accession_number", "too_long"),
        ({"referring_physician": "A\\B"}, "referring_physician", "forbidden_character"),
        ({"performing_physician": "A^B^C^D^E^F"}, "performing_physician", "too_many_components"),
        ({"study_description": "D" * 65}, "study_description", "too_long"),
    ],
)
def test_manual_rejects(changes: dict[str, str], field: str, rule_code: str) -> None:
    with pytest.raises(RegistrationError) as err:
        manual(form(**changes), today=TODAY)
    assert err.value.code == "registration.invalid"
    assert err.value.values["field"] == field
    assert err.value.values["rule_code"] == rule_code
    assert field in err.value.message() and err.value.values["rule"] in err.value.message()


def test_exactly_64_characters_are_allowed() -> None:
    assert manual(form(patient_id="P" * 64, patient_name="X" * 64), today=TODAY).patient_id == (
        "P" * 64
    )


# -- emergency -----------------------------------------------------------------------------
def test_emergency_registration_has_generated_id_and_name() -> None:
    now = dt.datetime(2026, 12, 7, 9, 5, 3)
    reg = emergency(now=now, modality="ct")
    assert re.fullmatch(r"EMERG-20261207-090503-[0-9A-F]{4}", reg.patient_id)
    assert reg.patient_name == "EMERGENCY^20261207-090503"
    assert reg.emergency and reg.modality == "CT" and not reg.scheduled
    assert not is_complete(reg)  # the MPPS waits
    assert re.fullmatch(r"2\.25\.\d+", reg.study_instance_uid)
    other = emergency(now=now, modality="CT")
    assert other.study_instance_uid != reg.study_instance_uid


def test_emergency_completed_later_keeps_its_study() -> None:
    reg = emergency(now=dt.datetime(2026, 12, 7, 9, 5, 3), modality="CT")
    done = reg_mod.complete_emergency(reg, form(modality="CT"), today=TODAY)
    assert is_complete(done) and not done.emergency
    assert (done.patient_name, done.patient_id) == ("Doe^John", "ID-1")
    assert done.study_instance_uid == reg.study_instance_uid
    with pytest.raises(RegistrationError):
        reg_mod.complete_emergency(reg, form(birth_date="20300101"), today=TODAY)


def test_emergency_rejects_a_bad_modality() -> None:
    with pytest.raises(RegistrationError) as err:
        emergency(now=dt.datetime(2026, 12, 7), modality="C/T")
    assert err.value.values["field"] == "modality"


def test_incomplete_without_family_name_or_id() -> None:
    assert not is_complete(Registration(patient_name="^John", patient_id="1"))
    assert not is_complete(Registration(patient_name="Doe", patient_id=""))
    assert is_complete(Registration(patient_name="Doe", patient_id="1"))


# -- the A.10 data set ---------------------------------------------------------------------
def test_worklist_attributes_carry_the_a10_iod_column() -> None:
    reg = from_worklist(worklist_item(), modality_default="OT")
    ds = worklist_attributes(reg)
    assert ds.SpecificCharacterSet == "ISO_IR 100"
    assert str(ds.PatientName) == "Müller^Jürgen" and ds.PatientID == "PID-7"
    assert ds.PatientBirthDate == "" and ds.PatientSex == "F"
    assert ds.PatientWeight == 71.5 and "PatientSize" not in ds  # zero: not measured
    assert ds.StudyInstanceUID == reg.study_instance_uid and ds.AccessionNumber == "ACC-7"
    assert str(ds.ReferringPhysicianName) == "Überweiser^Anna"
    assert ds.ProcedureCodeSequence[0].CodeValue == "RPC7"
    request = ds.RequestAttributesSequence[0]
    assert request.ScheduledProcedureStepID == "SPS-7"
    assert request.ScheduledProcedureStepDescription == "Thorax pa/lat"
    assert request.ScheduledProtocolCodeSequence[0].CodeValue == "P7"
    assert request.RequestedProcedureID == "RP-7"
    assert request.StudyInstanceUID == reg.study_instance_uid


def test_procedure_codes_left_out_when_performed_protocol_differs() -> None:
    reg = from_worklist(worklist_item(), modality_default="OT")
    same = [code_item("P7", "99LOCAL", "Chest pa lat")]
    other = [code_item("P8", "99LOCAL", "Chest pa only")]
    assert "ProcedureCodeSequence" in worklist_attributes(reg, performed_protocol=same)
    assert "ProcedureCodeSequence" not in worklist_attributes(reg, performed_protocol=other)
    assert reg_mod.protocols_differ(reg, other) and not reg_mod.protocols_differ(reg, None)


def test_unscheduled_registration_has_no_request_attributes() -> None:
    ds = worklist_attributes(manual(form(), today=TODAY))
    assert "RequestAttributesSequence" not in ds and "ProcedureCodeSequence" not in ds
    assert "SpecificCharacterSet" not in ds
    assert ds.StudyID == "" and ds.AccessionNumber == ""  # Type 2, present
