"""The Query/Retrieve SCU against Orthanc 1.10 holding the shipped files.

Orthanc is the module fixture of conftest.py (loaded over REST with every file our
``qr_node`` kept but one it refuses); it is told over REST to know WS_TEST (our AE
title, calling and as move destination) on the port of the node a test starts. Every
expected answer comes from the files (qr_support's catalog), not from our index.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings

import pydicom
import pytest
from pydicom.uid import JPEG2000Lossless

from workstation.config import parse_node_spec
from workstation.config.settings import make_node
from workstation.dicom.qr_identifier import QRLevel, QRModel
from workstation.dicom.query_form import DatePreset, QueryForm, build_query, children_query
from workstation.errors import DimseStatusError
from workstation.net.scu.find import find
from workstation.net.scu.get import get
from workstation.net.scu.move import RetrieveRequest, move

from .conftest import LOOPBACK, NODE_AET
from .qr_scu_support import local, orthanc_add_modality
from .qr_support import Catalog, in_range, patients_where, pn_match, studies_where

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Invalid value for VR:UserWarning"),
]


@pytest.fixture(scope="module")
def catalog(qr_node, orthanc) -> Catalog:
    """What Orthanc holds: the node's files less the ones it refused."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refused = {
            str(pydicom.dcmread(p, stop_before_pixels=True, force=True).SOPInstanceUID)
            for p, _ in orthanc.refused
        }
    return qr_node.catalog.without(refused)


@pytest.fixture(scope="module")
def peer(orthanc):
    """Orthanc as a node, with WS_TEST known to it (as a caller until a test moves)."""
    orthanc_add_modality(orthanc, "wstest", NODE_AET, 104)
    return make_node(name="orthanc", ae_title=orthanc.aet, host=LOOPBACK, port=orthanc.port)


@pytest.fixture
def node(start_node, orthanc, peer):
    """Our node WS_TEST accepting Orthanc's C-MOVE associations, known to Orthanc."""
    running = start_node(
        remote_nodes=(parse_node_spec(f"orthanc={orthanc.aet}@{LOOPBACK}:{orthanc.port}"),)
    )
    orthanc_add_modality(orthanc, "wstest", NODE_AET, running.port)
    return running


def uids(matches, keyword: str) -> list[str]:
    return sorted(str(m[keyword].value) for m in matches)


ME = local(NODE_AET)


def test_study_level_universal(peer, catalog) -> None:
    outcome = find(peer, build_query(QueryForm(), QRModel.STUDY), QRModel.STUDY, ME)
    assert outcome.complete, outcome
    assert uids(outcome.matches, "StudyInstanceUID") == sorted(catalog.studies)
    for m in outcome.matches:  # the optional keys Orthanc computes
        uid = str(m.StudyInstanceUID)
        assert int(m.NumberOfStudyRelatedInstances) == len(catalog.instances_of_study(uid))
        assert int(m.NumberOfStudyRelatedSeries) == len(catalog.series_of_study(uid))


def test_series_and_image_levels_study_root(peer, catalog) -> None:
    kept = catalog.by_name("4467")  # an MR study with two series
    series = find(peer, children_query(QRModel.STUDY, QRLevel.SERIES, study_uid=kept.study_uid),
                  QRModel.STUDY, ME)  # fmt: skip
    assert series.complete
    assert uids(series.matches, "SeriesInstanceUID") == sorted(
        s.series_uid for s in catalog.series_of_study(kept.study_uid)
    )
    images = find(peer, children_query(QRModel.STUDY, QRLevel.IMAGE, study_uid=kept.study_uid,
                                       series_uid=kept.series_uid), QRModel.STUDY, ME)  # fmt: skip
    assert images.complete
    assert uids(images.matches, "SOPInstanceUID") == sorted(
        k.sop_uid for k in catalog.instances_of_series(kept.series_uid)
    )


def test_every_level_patient_root(peer, catalog) -> None:
    kept = catalog.by_name("4467")
    pid = kept.text("PatientID")
    patients = find(peer, build_query(QueryForm(patient_id=pid), QRModel.PATIENT, QRLevel.PATIENT),
                    QRModel.PATIENT, ME)  # fmt: skip
    assert [str(m.PatientID) for m in patients.matches] == [pid]
    studies = find(peer, build_query(QueryForm(patient_id=pid), QRModel.PATIENT, QRLevel.STUDY),
                   QRModel.PATIENT, ME)  # fmt: skip
    assert uids(studies.matches, "StudyInstanceUID") == sorted(
        studies_where(catalog, lambda s: s.text("PatientID") == pid)
    )
    series = find(peer, children_query(QRModel.PATIENT, QRLevel.SERIES, pid, kept.study_uid),
                  QRModel.PATIENT, ME)  # fmt: skip
    assert uids(series.matches, "SeriesInstanceUID") == sorted(
        s.series_uid for s in catalog.series_of_study(kept.study_uid)
    )
    images = find(peer, children_query(QRModel.PATIENT, QRLevel.IMAGE, pid, kept.study_uid,
                                       kept.series_uid), QRModel.PATIENT, ME)  # fmt: skip
    assert uids(images.matches, "SOPInstanceUID") == sorted(
        k.sop_uid for k in catalog.instances_of_series(kept.series_uid)
    )


def test_wildcard_name_as_typed(peer, catalog) -> None:
    """"doe" is sent as "doe*": Orthanc matches names case-insensitively (PS3.4 leaves
    it open; the conformance target asks for it)."""
    identifier = build_query(QueryForm(patient_name="doe"), QRModel.PATIENT, QRLevel.PATIENT)
    assert identifier.PatientName == "doe*"
    outcome = find(peer, identifier, QRModel.PATIENT, ME)
    expected = patients_where(catalog, lambda p: pn_match("doe*", p.text("PatientName")))
    assert len(expected) == 2  # Doe^Archibald, Doe^Peter
    assert sorted((str(m.PatientID), str(m.PatientName)) for m in outcome.matches) == sorted(expected)


def test_study_date_range_and_modality(peer, catalog) -> None:
    form = QueryForm(study_date=DatePreset.CUSTOM, date_from=dt.date(1990, 1, 1),
                     date_to=dt.date(2004, 12, 31), modalities=("CT", "MR"))  # fmt: skip
    identifier = build_query(form, QRModel.STUDY)
    assert identifier.StudyDate == "19900101-20041231"
    outcome = find(peer, identifier, QRModel.STUDY, ME)
    expected = studies_where(
        catalog,
        lambda s: in_range(s.text("StudyDate"), "19900101", "20041231")
        and bool(catalog.modalities_of_study(s.study_uid) & {"CT", "MR"}),
    )
    assert len(expected) >= 3
    assert uids(outcome.matches, "StudyInstanceUID") == sorted(expected)


def test_result_limit_cancels_and_keeps_the_first_matches(peer, catalog, caplog) -> None:
    identifier = build_query(QueryForm(), QRModel.STUDY)
    seen = []
    with caplog.at_level(logging.INFO, logger="workstation.net.scu.find"):
        outcome = find(peer, identifier, QRModel.STUDY, ME, limit=3, on_match=seen.append)
    assert len(outcome.matches) == 3 and seen == list(outcome.matches)
    assert outcome.limit_reached and not outcome.complete and outcome.error is None
    assert "C-CANCEL sent" in caplog.text
    # Orthanc ends with FE00 when it reads the C-CANCEL before its last match, else 0000
    assert outcome.status in (0xFE00, 0x0000)
    assert set(uids(outcome.matches, "StudyInstanceUID")) <= set(catalog.studies)


def test_non_ascii_name_goes_as_utf8_and_comes_back_decoded(peer, catalog) -> None:
    identifier = build_query(QueryForm(patient_name="Buc^Jérôme"), QRModel.STUDY)
    assert identifier.SpecificCharacterSet == "ISO_IR 192"
    outcome = find(peer, identifier, QRModel.STUDY, ME)
    expected = studies_where(catalog, lambda s: pn_match("Buc^Jérôme*", s.text("PatientName")))
    assert expected
    assert uids(outcome.matches, "StudyInstanceUID") == sorted(expected)
    assert {str(m.PatientName) for m in outcome.matches} == {"Buc^Jérôme"}


def test_move_a_study_back_to_our_node(peer, node, catalog) -> None:
    kept = catalog.by_name("4467")
    total = len(catalog.instances_of_study(kept.study_uid))
    progress = []
    outcome = move(peer, NODE_AET, RetrieveRequest(QRModel.STUDY, QRLevel.STUDY,
                   (kept.study_uid,)), ME, on_progress=progress.append)  # fmt: skip
    assert outcome.ok, outcome.summary()
    assert (outcome.counts.completed, outcome.counts.failed) == (total, 0)
    assert progress and progress[-1].completed == total
    stored = {e.sop_instance_uid for e in node.events if e.kind == "stored"}
    assert stored == {k.sop_uid for k in catalog.instances_of_study(kept.study_uid)}


def test_move_a_jpeg2000_image_keeps_its_syntax(peer, node, catalog) -> None:
    kept = catalog.by_name("MR2_J2KR.dcm")
    outcome = move(peer, NODE_AET, RetrieveRequest(QRModel.STUDY, QRLevel.IMAGE, (kept.study_uid,),
                   (kept.series_uid,), (kept.sop_uid,)), ME)  # fmt: skip
    assert outcome.ok and outcome.counts.completed == 1, outcome.summary()
    stored = pydicom.dcmread(node.store.path_of(node.store.index.lookup(kept.sop_uid)))
    assert stored.file_meta.TransferSyntaxUID == JPEG2000Lossless


def test_get_a_jpeg2000_series(peer, catalog, store) -> None:
    """Orthanc cannot decompress JPEG 2000 for a C-GET (DESIGN.md section 8): it
    completes because the JPEG 2000 contexts are offered, and the file arrives as stored."""
    kept = catalog.by_name("MR2_J2KR.dcm")
    events = []
    outcome = get(peer, RetrieveRequest(QRModel.STUDY, QRLevel.SERIES, (kept.study_uid,),
                  (kept.series_uid,)), store, ME, on_event=events.append)  # fmt: skip
    expected = {k.sop_uid for k in catalog.instances_of_series(kept.series_uid)}
    assert outcome.ok, outcome.summary()
    assert outcome.received == len(expected) == outcome.counts.completed
    assert {e.sop_instance_uid for e in events} == expected
    stored = pydicom.dcmread(store.path_of(store.index.lookup(kept.sop_uid)))
    assert stored.file_meta.TransferSyntaxUID == JPEG2000Lossless
    assert stored.PixelData == pydicom.dcmread(kept.path).PixelData


def test_get_a_study_of_several_classes(peer, catalog, store) -> None:
    kept = catalog.by_name("4467")
    expected = {k.sop_uid for k in catalog.instances_of_study(kept.study_uid)}
    outcome = get(peer, RetrieveRequest(QRModel.STUDY, QRLevel.STUDY, (kept.study_uid,)), store, ME)
    assert outcome.ok, outcome.summary()
    assert outcome.expected == len(expected) == outcome.received
    assert {store.index.lookup(uid) is not None for uid in expected} == {True}


def test_move_to_a_destination_orthanc_does_not_know(peer, node, catalog) -> None:
    """Orthanc answers an unknown destination with C000, not A801 (test_qr_orthanc):
    a typed status error all the same, nothing arrives."""
    kept = catalog.by_name("CT_small.dcm")
    outcome = move(peer, "NOWHERE", RetrieveRequest(QRModel.STUDY, QRLevel.STUDY,
                   (kept.study_uid,)), ME)  # fmt: skip
    assert isinstance(outcome.error, DimseStatusError)
    assert outcome.status == 0xC000 and outcome.error.values["status_hex"] == "C000"
    assert not outcome.ok
    assert node.store.index.count("instance") == 0

