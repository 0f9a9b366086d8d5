"""Key Object Selection builder: dciodvfy clean, stored, listed back, UTF-8 names."""

from __future__ import annotations

import pydicom
import pytest
from iod_check import assert_iod_valid, reread, stored_and_indexed
from pydicom.data import get_charset_files, get_testdata_file

from workstation.dicom.builders.common import part10_bytes
from workstation.dicom.builders.kos import KOS_SOP_CLASS, build_kos
from workstation.dicom.uids import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME
from workstation.errors import BuildError
from workstation.imaging.gsps import read_kos


def shipped(name: str) -> pydicom.Dataset:
    return pydicom.dcmread(get_testdata_file(name))


def japanese() -> pydicom.Dataset:
    return pydicom.dcmread(get_charset_files("chrH31.dcm")[0])


def test_kos_for_one_image_passes_dciodvfy_and_is_stored(store) -> None:
    source = shipped("CT_small.dcm")
    kos = build_kos([source], description="Befund", observer="Müller^Hans")
    assert_iod_valid(kos, "KeyObjectSelectionDocument")
    row = stored_and_indexed(store, kos)
    assert row["study_uid"] == source.StudyInstanceUID
    assert row["series_uid"] == kos.SeriesInstanceUID != source.SeriesInstanceUID


def test_kos_for_three_images_with_a_multiframe_source_passes_dciodvfy_and_is_stored(
    store,
) -> None:
    sources = [shipped("CT_small.dcm"), shipped("MR_small.dcm"), shipped("emri_small.dcm")]
    kos = build_kos(sources)
    assert_iod_valid(kos, "KeyObjectSelectionDocument")
    images = [i for i in kos.ContentSequence if i.ValueType == "IMAGE"]
    assert [i.ReferencedSOPSequence[0].ReferencedSOPInstanceUID for i in images] == [
        s.SOPInstanceUID for s in sources
    ]
    multiframe = images[2].ReferencedSOPSequence[0]
    assert list(multiframe.ReferencedFrameNumber) == list(range(1, 11))
    assert "ReferencedFrameNumber" not in images[0].ReferencedSOPSequence[0]
    evidence = {
        ref.ReferencedSOPInstanceUID
        for study in kos.CurrentRequestedProcedureEvidenceSequence
        for series in study.ReferencedSeriesSequence
        for ref in series.ReferencedSOPSequence
    }
    assert evidence == {s.SOPInstanceUID for s in sources}
    assert stored_and_indexed(store, kos)["study_uid"] == sources[0].StudyInstanceUID


def test_kos_has_title_of_interest_utf8_charset_and_our_file_meta() -> None:
    kos = reread(build_kos([shipped("CT_small.dcm")]))
    assert kos.SOPClassUID == KOS_SOP_CLASS
    title = kos.ConceptNameCodeSequence[0]
    assert (title.CodeValue, title.CodingSchemeDesignator, title.CodeMeaning) == (
        "113000",
        "DCM",
        "Of Interest",
    )
    assert kos.SpecificCharacterSet == "ISO_IR 192"
    assert kos.file_meta.ImplementationClassUID == IMPLEMENTATION_CLASS_UID
    assert kos.file_meta.ImplementationVersionName == IMPLEMENTATION_VERSION_NAME
    assert kos.file_meta.MediaStorageSOPInstanceUID == kos.SOPInstanceUID


def test_kos_read_back_lists_title_description_observer_and_references() -> None:
    sources = [shipped("CT_small.dcm"), shipped("emri_small.dcm")]
    listed = read_kos(reread(build_kos(sources, description="Größe", observer="Müller^Hans")))
    assert listed.title == ("113000", "DCM", "Of Interest")
    assert listed.description == "Größe"
    assert listed.observer == "Müller^Hans"
    assert listed.instance_uids == tuple(s.SOPInstanceUID for s in sources)
    assert listed.references[1].frames == tuple(range(1, 11))
    assert listed.references[0].sop_class_uid == sources[0].SOPClassUID


def test_kos_from_japanese_source_keeps_patient_name_in_utf8(store) -> None:
    source = japanese()
    kos = build_kos([source], description="キー画像")
    assert_iod_valid(kos, "KeyObjectSelectionDocument")
    back = reread(kos)
    assert "山田^太郎".encode() in part10_bytes(kos)
    assert back.SpecificCharacterSet == "ISO_IR 192"
    assert str(back.PatientName) == "Yamada^Tarou=山田^太郎=やまだ^たろう"
    assert read_kos(back).description == "キー画像"
    assert stored_and_indexed(store, kos)["study_uid"] == source.StudyInstanceUID


def test_kos_without_sources_raises_build_error() -> None:
    with pytest.raises(BuildError):
        build_kos([])


def test_dciodvfy_check_rejects_a_kos_without_its_evidence_sequence() -> None:
    """The check itself bites: dciodvfy reports a missing Type 1 attribute as an Error."""
    kos = build_kos([shipped("CT_small.dcm")])
    del kos.CurrentRequestedProcedureEvidenceSequence
    with pytest.raises(AssertionError, match="Error"):
        assert_iod_valid(kos, "KeyObjectSelectionDocument")
