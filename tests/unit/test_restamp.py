"""Re-stamping real files with worklist attributes (extract-001 A.10): read back every
attribute of the IOD column, new UIDs, pixel data and transfer syntax kept, procedure
codes left out when the performed protocol differs, character sets; and object_kind."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from test_registration import answered, worklist_item

from workstation.dicom.builders.common import code_item, part10_bytes
from workstation.dicom.read import read_dicom
from workstation.dicom.registration import (
    BIRTH_DATE_PLACEHOLDER,
    ManualForm,
    Registration,
    RegistrationEdits,
    from_worklist,
    manual,
)
from workstation.dicom.restamp import (
    MPPS_SOP_CLASS,
    REPLACED_KEYWORDS,
    object_kind,
    restamp,
)
from workstation.dicom.uids import IMPLEMENTATION_CLASS_UID, new_uid

SOURCES = ["CT_small.dcm", "MR_small.dcm", "JPEG-lossy.dcm", "SC_rgb_jpeg_dcmtk.dcm"]


def full_item(charset: str, name: str) -> Dataset:
    """A worklist item with every A.10 IOD-column attribute filled."""
    item = worklist_item(charset, name)
    item.PatientBirthDate = "19700315"
    item.OtherPatientIDs = "OLD-7"
    item.OtherPatientNames = "Mueller^Juergen"
    item.MilitaryRank = ""
    item.EthnicGroup = "Europäisch"
    item.PatientComments = "Allergie gegen Kontrastmittel"
    item.ConfidentialityConstraintOnPatientDataDescription = "VIP"
    item.AdditionalPatientHistory = "Husten seit drei Wochen"
    item.AdmittingDiagnosesDescription = "Verdacht auf Pneumonie"
    item.CurrentPatientLocation = "Station 3 Süd"
    item.InstitutionName = "Klinikum Süd"
    ref = Dataset()
    ref.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
    ref.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.2.1125.70"
    item.ReferencedStudySequence = [ref]
    patient = Dataset()
    patient.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.1.1"
    patient.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.2.1125.71"
    item.ReferencedPatientSequence = [patient]
    return answered(item)


def source(name: str) -> Dataset:
    return read_dicom(get_testdata_file(name))


def read_back(ds: Dataset) -> Dataset:
    return pydicom.dcmread(io.BytesIO(part10_bytes(ds)))


@pytest.fixture(params=[("ISO_IR 100", "Müller^Jürgen"), ("ISO_IR 192", "山田^太郎")])
def registration(request) -> Registration:
    return from_worklist(full_item(*request.param), modality_default="OT")


def assert_a10(back: Dataset, reg: Registration) -> None:
    item = reg.worklist
    assert item is not None
    step = item.ScheduledProcedureStepSequence[0]
    assert back.SpecificCharacterSet == reg.specific_character_set
    assert str(back.PatientName) == reg.patient_name
    assert back.PatientID == reg.patient_id
    assert back.PatientBirthDate == "19700315"
    assert back.PatientSex == "F"
    assert back.OtherPatientIDs == "OLD-7"
    assert str(back.OtherPatientNames) == "Mueller^Juergen"
    assert back.PatientWeight == 71.5
    assert "PatientSize" not in back  # the item says 0: not measured
    assert back.MilitaryRank == ""
    assert back.EthnicGroup == "Europäisch"
    assert back.PatientComments == "Allergie gegen Kontrastmittel"
    assert back.ConfidentialityConstraintOnPatientDataDescription == "VIP"
    assert back.AdditionalPatientHistory == "Husten seit drei Wochen"
    assert back.AdmittingDiagnosesDescription == "Verdacht auf Pneumonie"
    assert back.CurrentPatientLocation == "Station 3 Süd"
    assert back.InstitutionName == "Klinikum Süd"
    assert back.ReferencedPatientSequence[0].ReferencedSOPInstanceUID.endswith(".71")
    assert back.StudyInstanceUID == item.StudyInstanceUID
    assert back.ReferencedStudySequence[0].ReferencedSOPInstanceUID.endswith(".70")
    assert back.AccessionNumber == "ACC-7"
    assert str(back.ReferringPhysicianName) == "Überweiser^Anna"
    assert str(back.PerformingPhysicianName) == "Röntgen^Wilhelm"  # footnote 1
    assert back.StudyID == "RP-7"  # footnote 2
    assert back.StudyDescription == "Thorax zwei Ebenen"  # footnote 3
    codes = back.ProcedureCodeSequence  # footnote 4
    assert [(c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning) for c in codes] == [
        ("RPC7", "99LOCAL", "Chest 2 views")
    ]
    request = back.RequestAttributesSequence[0]
    assert request.RequestedProcedureID == "RP-7"
    assert request.ScheduledProcedureStepID == "SPS-7"
    assert request.ScheduledProcedureStepDescription == step.ScheduledProcedureStepDescription
    assert request.ScheduledProtocolCodeSequence[0].CodeValue == "P7"
    assert request.ScheduledProtocolCodeSequence[0].CodeMeaning == "Chest pa lat"
    assert request.StudyInstanceUID == item.StudyInstanceUID
    assert request.AccessionNumber == "ACC-7"
    assert request.ReferencedStudySequence[0].ReferencedSOPInstanceUID.endswith(".70")


@pytest.mark.parametrize("name", SOURCES)
def test_restamped_file_reads_back_with_every_a10_attribute(
    name: str, registration: Registration
) -> None:
    src = source(name)
    series_uid = new_uid()
    out = restamp(src, registration, series_uid=series_uid)
    back = read_back(out)
    assert_a10(back, registration)
    assert back.SeriesInstanceUID == series_uid
    assert back.SOPInstanceUID not in (src.SOPInstanceUID, "")
    assert back.SOPClassUID == src.SOPClassUID
    assert back.file_meta.MediaStorageSOPInstanceUID == back.SOPInstanceUID
    assert back.file_meta.MediaStorageSOPClassUID == src.SOPClassUID
    assert back.file_meta.TransferSyntaxUID == src.file_meta.TransferSyntaxUID
    assert back.file_meta.ImplementationClassUID == IMPLEMENTATION_CLASS_UID
    assert back.PixelData == src.PixelData
    assert (back.Rows, back.Columns) == (src.Rows, src.Columns)


@pytest.mark.parametrize("name", SOURCES)
def test_in_place_gives_the_same_data_set_as_a_copy(name: str, registration: Registration) -> None:
    series_uid = new_uid()
    copied = read_back(restamp(source(name), registration, series_uid=series_uid))
    src = source(name)
    in_place = restamp(src, registration, series_uid=series_uid, in_place=True)
    assert in_place is src
    back = read_back(in_place)
    assert_a10(back, registration)
    del copied.SOPInstanceUID, back.SOPInstanceUID
    assert copied == back
    assert copied.file_meta.TransferSyntaxUID == back.file_meta.TransferSyntaxUID


@pytest.mark.parametrize("name", SOURCES)
def test_source_patient_and_study_do_not_survive(name: str) -> None:
    src = source(name)
    reg = from_worklist(worklist_item(), modality_default="OT")
    back = read_back(restamp(src, reg, series_uid=new_uid()))
    for keyword in REPLACED_KEYWORDS:
        if keyword in src and keyword in back and src[keyword].value not in ("", None):
            assert back[keyword].value != src[keyword].value or keyword in (
                "PatientSex",
                "PatientBirthDate",
            ), keyword
    assert str(back.PatientName) != str(src.PatientName)
    assert back.StudyInstanceUID != src.StudyInstanceUID
    assert "PatientAge" not in back and "OtherPatientIDs" not in back


def test_each_call_gives_a_new_sop_instance_uid_and_leaves_the_source_alone() -> None:
    src = source("CT_small.dcm")
    before = (str(src.PatientName), src.SOPInstanceUID, src.SeriesInstanceUID)
    reg = from_worklist(worklist_item(), modality_default="OT")
    series_uid = new_uid()
    first = restamp(src, reg, series_uid=series_uid)
    second = restamp(src, reg, series_uid=series_uid)
    assert first.SOPInstanceUID != second.SOPInstanceUID
    assert first.SeriesInstanceUID == second.SeriesInstanceUID == series_uid
    assert (str(src.PatientName), src.SOPInstanceUID, src.SeriesInstanceUID) == before


def test_codes_not_copied_when_protocols_differ() -> None:
    reg = from_worklist(worklist_item(), modality_default="OT")
    other = [code_item("P8", "99LOCAL", "Chest pa only")]
    back = read_back(restamp(source("CT_small.dcm"), reg, series_uid=new_uid(),
                             performed_protocol=other))  # fmt: skip
    assert "ProcedureCodeSequence" not in back
    assert back.PerformedProtocolCodeSequence[0].CodeValue == "P8"
    assert back.RequestAttributesSequence[0].ScheduledProtocolCodeSequence[0].CodeValue == "P7"
    same = [code_item("P7", "99LOCAL", "Chest pa lat")]
    back = read_back(restamp(source("CT_small.dcm"), reg, series_uid=new_uid(),
                             performed_protocol=same))  # fmt: skip
    assert back.ProcedureCodeSequence[0].CodeValue == "RPC7"


def test_zero_length_birth_date_stays_zero_length() -> None:
    item = worklist_item()
    assert item.PatientBirthDate == ""
    reg = from_worklist(item, modality_default="OT")
    back = read_back(restamp(source("CT_small.dcm"), reg, series_uid=new_uid()))
    assert "PatientBirthDate" in back and back.PatientBirthDate == ""
    forced = Registration(patient_name="A", patient_id="B", birth_date=BIRTH_DATE_PLACEHOLDER)
    back = read_back(restamp(source("CT_small.dcm"), forced, series_uid=new_uid()))
    assert back.PatientBirthDate == ""


def test_edited_values_and_started_and_mpps_reference() -> None:
    edits = RegistrationEdits(performing_physician="Curie^Marie", study_id="S1",
                              study_description="Thorax pa")  # fmt: skip
    reg = from_worklist(worklist_item(), modality_default="OT", edits=edits)
    mpps_uid = new_uid()
    started = dt.datetime(2026, 12, 7, 8, 30, 0)
    back = read_back(restamp(source("MR_small.dcm"), reg, series_uid=new_uid(),
                             started=started, mpps_uid=mpps_uid))  # fmt: skip
    assert (str(back.PerformingPhysicianName), back.StudyID, back.StudyDescription) == (
        "Curie^Marie", "S1", "Thorax pa"
    )  # fmt: skip
    assert (back.StudyDate, back.StudyTime) == ("20261207", "083000")
    ref = back.ReferencedPerformedProcedureStepSequence[0]
    assert (ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID) == (MPPS_SOP_CLASS, mpps_uid)


def test_source_texts_the_worklist_charset_cannot_hold_switch_to_utf8() -> None:
    src = source("CT_small.dcm")
    src.SpecificCharacterSet = "ISO_IR 192"
    src.InstitutionName = "東京病院"
    src.SeriesDescription = "頭部"
    src = read_dicom(part10_bytes(src))
    reg = from_worklist(worklist_item("ISO_IR 100", "Müller^Jürgen"), modality_default="OT")
    back = read_back(restamp(src, reg, series_uid=new_uid()))
    assert back.SpecificCharacterSet == "ISO_IR 192"
    assert back.InstitutionName == "東京病院" and back.SeriesDescription == "頭部"
    assert str(back.PatientName) == "Müller^Jürgen"


def test_latin1_source_restamped_for_a_utf8_item_is_re_encoded() -> None:
    src = source("CT_small.dcm")  # ISO_IR 100
    src.SeriesDescription = "Schädel nativ"
    src = read_dicom(part10_bytes(src))
    reg = from_worklist(worklist_item("ISO_IR 192", "山田^太郎"), modality_default="OT")
    back = read_back(restamp(src, reg, series_uid=new_uid()))
    assert back.SpecificCharacterSet == "ISO_IR 192"
    assert back.SeriesDescription == "Schädel nativ" and str(back.PatientName) == "山田^太郎"


def test_unscheduled_registration_restamp() -> None:
    reg = manual(ManualForm(patient_name="Doe^Jane", patient_id="M-1", sex="F", modality="CT"),
                 today=dt.date(2026, 12, 7))  # fmt: skip
    back = read_back(restamp(source("CT_small.dcm"), reg, series_uid=new_uid()))
    assert str(back.PatientName) == "Doe^Jane" and back.StudyInstanceUID == reg.study_instance_uid
    assert "RequestAttributesSequence" not in back and "SpecificCharacterSet" not in back
    assert back.AccessionNumber == "" and back.StudyID == ""


# -- object_kind ---------------------------------------------------------------------------
def test_object_kind_sniffs_the_content(tmp_path: Path) -> None:
    from PIL import Image

    files = {
        "a.jpg": None,
        "b.png": None,
        "c.tif": None,
    }
    for name in files:
        Image.new("RGB", (4, 4), (10, 20, 30)).save(tmp_path / name)
    (tmp_path / "d.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (tmp_path / "e.txt").write_text("hello")
    (tmp_path / "no_suffix").write_bytes(Path(get_testdata_file("CT_small.dcm")).read_bytes())
    (tmp_path / "photo.dcm").write_bytes((tmp_path / "a.jpg").read_bytes())  # name lies
    assert [object_kind(tmp_path / n) for n in ("a.jpg", "b.png", "c.tif")] == ["image"] * 3
    assert object_kind(tmp_path / "d.pdf") == "pdf"
    assert object_kind(tmp_path / "no_suffix") == "dicom"
    assert object_kind(tmp_path / "photo.dcm") == "image"
    assert object_kind(tmp_path / "e.txt") is None
    assert object_kind(tmp_path / "missing") is None


def test_iso_2022_japanese_worklist_item() -> None:
    name = "Yamada^Tarou=山田^太郎=やまだ^たろう"
    item = worklist_item("\\ISO 2022 IR 87", name)
    item.ReferringPhysicianName = "Sato^Hanako=佐藤^花子"
    item.RequestedProcedureDescription = "胸部"
    item.ScheduledProcedureStepSequence[0].ScheduledPerformingPhysicianName = "Suzuki^Ichiro"
    reg = from_worklist(answered(item), modality_default="OT")
    assert reg.specific_character_set == "\\ISO 2022 IR 87"
    assert reg.patient_name == name
    back = read_back(restamp(source("CT_small.dcm"), reg, series_uid=new_uid()))
    assert list(back.SpecificCharacterSet) == ["", "ISO 2022 IR 87"]
    assert str(back.PatientName) == name
    assert str(back.ReferringPhysicianName) == "Sato^Hanako=佐藤^花子"
    assert back.StudyDescription == "胸部"


def test_registration_whose_worklist_item_came_back_from_json() -> None:
    """The step store keeps the item as DICOM JSON: re-stamping from it is the same."""
    reg = from_worklist(full_item("ISO_IR 100", "Müller^Jürgen"), modality_default="OT")
    assert reg.worklist is not None
    again = Registration(
        **{k: getattr(reg, k) for k in reg.__dataclass_fields__ if k != "worklist"},
        worklist=Dataset.from_json(reg.worklist.to_json_dict()),
    )
    back = read_back(restamp(source("CT_small.dcm"), again, series_uid=new_uid()))
    assert_a10(back, again)
