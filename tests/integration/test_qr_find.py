"""C-FIND SCP against DCMTK findscu, on a node holding every shipped file.

Each query's expected answer is computed from the kept files themselves (qr_support),
never from our index. Responses are written by ``findscu -X`` and read with pydicom.
"""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian
from pynetdicom import AE
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind

from .conftest import KNOWN_AET, NODE_AET
from .qr_support import (
    FIND_CASES,
    PATIENT_ROOT,
    PATIENT_STUDY_ONLY,
    STUDY_ROOT,
    FindCase,
    as_text,
    findscu,
    fresh_dir,
    pn_match,
)

pytestmark = [
    pytest.mark.integration,
    # values some shipped files carry (ACR-NEMA dates "1997.04.24", times "14:04:38")
    pytest.mark.filterwarnings("ignore:Invalid value for VR:UserWarning"),
]

PENDING = (0xFF00, 0xFF01)
CANCELLED = 0xFE00
FINDSCU_CANCELLED = "Cancel: MatchingTerminatedDueToCancelRequest"  # findscu's words for FE00


def ask(qr_node, tmp_path: Path, model: str, keys, **kwargs):
    return findscu(
        qr_node.host, qr_node.port, NODE_AET, model, keys, fresh_dir(tmp_path, "find"), **kwargs
    )


@pytest.mark.parametrize("case", FIND_CASES, ids=lambda c: c.id)
def test_find_answers_what_the_files_hold(qr_node, tmp_path: Path, case: FindCase):
    """Every level of each model and every matching kind: the matches are exactly the
    entities of the kept files that PS3.4 C.2.2.2 says match."""
    catalog = qr_node.catalog
    expected = case.expected_identities(catalog)
    assert bool(expected) != case.empty, f"the shipped files no longer fit this query: {expected}"
    result = ask(qr_node, tmp_path, case.model, case.find_keys(catalog))
    assert result.returncode == 0, result.output[-3000:]
    assert result.final_status == "Success", result.output[-3000:]
    assert result.identities(case.level) == expected
    assert {ds.QueryRetrieveLevel for ds in result.responses} <= {case.level}


STUDY_RETURN_KEYS = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "AccessionNumber",
    "StudyID",
    "StudyDescription",
    "ReferringPhysicianName",
)


def test_study_level_returns_the_values_in_the_files(qr_node, tmp_path: Path):
    """Universal matching on ten keys: every study is returned with each key's value
    as the study's (first kept) file has it, empty where the file has none."""
    catalog = qr_node.catalog
    keys = ["QueryRetrieveLevel=STUDY", "StudyInstanceUID", *STUDY_RETURN_KEYS]
    result = ask(qr_node, tmp_path, STUDY_ROOT, keys)
    assert result.final_status == "Success", result.output[-3000:]
    assert result.identities("STUDY") == sorted(catalog.studies)
    for ds in result.responses:
        study = catalog.studies[ds.StudyInstanceUID]
        for keyword in STUDY_RETURN_KEYS:
            assert keyword in ds, keyword
            assert as_text(ds[keyword].value) == study.text(keyword), (keyword, study.name)


def test_study_level_counts_and_modalities_equal_the_files(qr_node, tmp_path: Path):
    """Number of Study Related Series/Instances and Modalities in Study, per study,
    equal what the kept files hold (and so does Number of Patient Related Studies)."""
    catalog = qr_node.catalog
    keys = [
        "QueryRetrieveLevel=STUDY",
        "StudyInstanceUID",
        "ModalitiesInStudy",
        "NumberOfStudyRelatedSeries",
        "NumberOfStudyRelatedInstances",
    ]
    result = ask(qr_node, tmp_path, STUDY_ROOT, keys)
    assert result.final_status == "Success", result.output[-3000:]
    assert result.identities("STUDY") == sorted(catalog.studies)
    for ds in result.responses:
        uid = ds.StudyInstanceUID
        assert int(ds.NumberOfStudyRelatedInstances) == len(catalog.instances_of_study(uid)), uid
        assert int(ds.NumberOfStudyRelatedSeries) == len(catalog.series_of_study(uid)), uid
        returned = set(as_text(ds.ModalitiesInStudy).split("\\")) - {""}
        assert returned == catalog.modalities_of_study(uid), uid


def test_series_level_number_of_instances_equals_the_files(qr_node, tmp_path: Path):
    catalog = qr_node.catalog
    keys = [
        "QueryRetrieveLevel=SERIES",
        "SeriesInstanceUID",
        "Modality",
        "NumberOfSeriesRelatedInstances",
    ]
    result = ask(qr_node, tmp_path, STUDY_ROOT, keys)
    assert result.final_status == "Success", result.output[-3000:]
    assert result.identities("SERIES") == sorted(catalog.series)
    for ds in result.responses:
        uid = ds.SeriesInstanceUID
        assert int(ds.NumberOfSeriesRelatedInstances) == len(catalog.instances_of_series(uid)), uid
        assert as_text(ds.Modality) == catalog.series[uid].text("Modality"), uid


def test_patient_level_counts_equal_the_files(qr_node, tmp_path: Path):
    """Patient Root, PATIENT level, universal: one answer per patient of the files, with
    its number of related studies, series and instances."""
    catalog = qr_node.catalog
    keys = [
        "QueryRetrieveLevel=PATIENT",
        "PatientID",
        "PatientName",
        "PatientBirthDate",
        "NumberOfPatientRelatedStudies",
        "NumberOfPatientRelatedSeries",
        "NumberOfPatientRelatedInstances",
    ]
    result = ask(qr_node, tmp_path, PATIENT_ROOT, keys)
    assert result.final_status == "Success", result.output[-3000:]
    assert result.identities("PATIENT") == sorted(
        p.patient_identity for p in catalog.patients.values()
    )
    by_identity = {}
    for key, first in catalog.patients.items():
        studies = catalog.studies_of_patient(key)
        series = [s for st in studies for s in catalog.series_of_study(st.study_uid)]
        instances = [k for st in studies for k in catalog.instances_of_study(st.study_uid)]
        by_identity[(first.patient_identity, first.text("PatientBirthDate"))] = (
            len(studies),
            len(series),
            len(instances),
        )
    for ds in result.responses:
        ident = ((as_text(ds.PatientID), as_text(ds.PatientName)), as_text(ds.PatientBirthDate))
        counts = (
            int(ds.NumberOfPatientRelatedStudies),
            int(ds.NumberOfPatientRelatedSeries),
            int(ds.NumberOfPatientRelatedInstances),
        )
        assert counts == by_identity[ident], ident


def test_key_below_the_query_level_is_not_returned(qr_node, tmp_path: Path):
    """Series and image keys in a STUDY-level identifier (in a hierarchical query, PS3.4
    C.4.1, the SCU names keys of the query level and the unique keys above it) are
    neither returned nor used to narrow the answer (our conformance choice)."""
    catalog = qr_node.catalog
    keys = [
        "QueryRetrieveLevel=STUDY",
        "StudyInstanceUID",
        "Modality=XX",
        "SeriesDescription",
        "SOPInstanceUID",
        "InstanceNumber",
    ]
    result = ask(qr_node, tmp_path, STUDY_ROOT, keys)
    assert result.final_status == "Success", result.output[-3000:]
    assert result.identities("STUDY") == sorted(catalog.studies)
    for ds in result.responses:
        for keyword in ("Modality", "SeriesDescription", "SOPInstanceUID", "InstanceNumber"):
            assert keyword not in ds, keyword


@pytest.mark.parametrize(
    ("model", "level"),
    [(PATIENT_STUDY_ONLY, "SERIES"), (PATIENT_STUDY_ONLY, "IMAGE"), (STUDY_ROOT, "PATIENT")],
)
def test_level_outside_the_model_is_refused_a900(qr_node, tmp_path: Path, model: str, level: str):
    keys = [f"QueryRetrieveLevel={level}", "PatientID", "SeriesInstanceUID"]
    result = ask(qr_node, tmp_path, model, keys)
    # DCMTK's name for A900 (Identifier does not match SOP Class)
    assert result.final_status == "Error: DataSetDoesNotMatchSOPClass", result.output[-3000:]
    assert result.responses == []


# -- Specific Character Set ------------------------------------------------------------------
def query_file(path: Path, charset: str | list[str], level: str, **keys: str) -> Path:
    ds = Dataset()
    ds.SpecificCharacterSet = charset
    ds.QueryRetrieveLevel = level
    for keyword, value in keys.items():
        setattr(ds, keyword, value)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.2.1.1"
    ds.file_meta.MediaStorageSOPInstanceUID = pydicom.uid.generate_uid()
    ds.save_as(path, enforce_file_format=True)
    return path


@pytest.mark.parametrize(
    ("charset", "pattern", "response_charset"),
    [
        # Japanese: ISO 2022 with escape sequences to JIS X 0208 (kanji), the ideographic
        # component group of two shipped names; answered in UTF-8, which holds all three
        # groups of those names
        (["", "ISO 2022 IR 87"], "山田^太郎", "ISO_IR 192"),
        # Latin-1, lower case: PN matching is case-insensitive beyond ASCII too; Latin-1 can
        # hold the answer, so the answer keeps the query's character set
        ("ISO_IR 100", "äneas^rüdiger", "ISO_IR 100"),
        ("ISO_IR 100", "BUC^JÉRÔME", "ISO_IR 100"),
    ],
    ids=["iso2022-ir87-japanese", "latin1-lower-case", "latin1-upper-case"],
)
def test_query_in_a_non_ascii_character_set_finds_the_patient(
    qr_node, tmp_path: Path, charset, pattern: str, response_charset: str
):
    catalog = qr_node.catalog
    expected = sorted(
        p.patient_identity
        for p in catalog.patients.values()
        if pn_match(pattern, p.text("PatientName"))
    )
    assert expected
    query = query_file(
        tmp_path / "query.dcm", charset, "PATIENT", PatientName=pattern, PatientID=""
    )
    result = ask(qr_node, tmp_path, PATIENT_ROOT, [], query_file=query)
    assert result.final_status == "Success", result.output[-3000:]
    assert result.identities("PATIENT") == expected
    for ds in result.responses:
        assert ds.SpecificCharacterSet == response_charset


def test_responses_decode_to_the_names_in_the_files(qr_node, tmp_path: Path):
    """Every patient, in whatever character set its file is written (Latin-1, Greek,
    Arabic, Hebrew, Cyrillic, ISO 2022 Japanese and Korean, GB18030, UTF-8): the name
    in the response decodes to the name pydicom reads in the file."""
    catalog = qr_node.catalog
    result = ask(
        qr_node, tmp_path, PATIENT_ROOT, ["QueryRetrieveLevel=PATIENT", "PatientID", "PatientName"]
    )
    assert result.final_status == "Success", result.output[-3000:]
    assert result.identities("PATIENT") == sorted(
        p.patient_identity for p in catalog.patients.values()
    )
    non_ascii = [ds for ds in result.responses if not as_text(ds.PatientName).isascii()]
    in_files = [p for p in catalog.patients.values() if not p.text("PatientName").isascii()]
    assert len(non_ascii) == len(in_files) >= 12  # the charset test files
    for ds in non_ascii:
        assert "SpecificCharacterSet" in ds


# -- C-CANCEL --------------------------------------------------------------------------------
def test_findscu_cancel_ends_the_find_with_fe00(qr_node, tmp_path: Path):
    """findscu --cancel 2 sends C-CANCEL after the second pending response: the SCP stops
    and answers FE00 (Matching terminated due to Cancel) before all 154 instances."""
    total = len(qr_node.catalog.instances)
    keys = ["QueryRetrieveLevel=IMAGE", "SOPInstanceUID"]
    result = ask(qr_node, tmp_path, STUDY_ROOT, keys, extra=["--cancel", "2"])
    assert "Sending Cancel Request" in result.output
    assert result.final_status == FINDSCU_CANCELLED, result.output[-3000:]
    assert 2 <= len(result.responses) < total


def test_c_cancel_from_a_raw_client_ends_the_find_with_fe00(qr_node):
    """A pynetdicom client (in this process, like the node) sends C-CANCEL right after the
    first pending response: the SCP answers FE00 before the last of the 154 matches."""
    total = len(qr_node.catalog.instances)
    ae = AE(ae_title=KNOWN_AET)
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelFind)
    assoc = ae.associate(qr_node.host, qr_node.port, ae_title=NODE_AET)
    try:
        assert assoc.is_established
        query = Dataset()
        query.QueryRetrieveLevel = "IMAGE"
        query.SOPInstanceUID = ""
        context_id = assoc.accepted_contexts[0].context_id
        statuses = []
        for status, _identifier in assoc.send_c_find(
            query, StudyRootQueryRetrieveInformationModelFind, msg_id=7
        ):
            assert status is not None and "Status" in status, "no answer from the SCP"
            statuses.append(status.Status)
            if len(statuses) == 1:
                assoc.send_c_cancel(7, context_id)
        pending = [s for s in statuses if s in PENDING]
        assert statuses[-1] == CANCELLED, [hex(s) for s in statuses[-3:]]
        assert 1 <= len(pending) < total
        assert len(statuses) == len(pending) + 1
    finally:
        assoc.release()
        ae.shutdown()
