"""Specific Character Set in C-FIND answers: decoded with the answer's own set, or the
query's when a peer leaves it out. Orthanc answers every name in ISO_IR 100
(test_qr_scu_orthanc); the ISO 2022 and undeclared-UTF-8 answers here come from a raw
pynetdicom SCP that sends the shipped charset files' own encoded values."""

from __future__ import annotations

import pydicom
import pytest
from conftest import sample_roots
from pydicom.dataset import Dataset

from workstation.dicom.qr_identifier import QRModel
from workstation.dicom.query_form import QueryForm, build_query
from workstation.net.scu.find import find

from .conftest import NODE_AET
from .qr_scu_support import local, raw_find_scp

pytestmark = pytest.mark.integration

CHARSETS = sample_roots()[0] / "charset_files"


def answer_from(path) -> Dataset:
    """A STUDY match carrying a shipped file's name and character set, as stored."""
    source = pydicom.dcmread(path, stop_before_pixels=True)
    ds = Dataset()
    ds.SpecificCharacterSet = source.SpecificCharacterSet
    ds.QueryRetrieveLevel = "STUDY"
    ds.StudyInstanceUID = source.StudyInstanceUID
    ds.PatientName = source.PatientName
    return ds


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう"),
        ("chrI2.dcm", "Hong^Gildong=洪^吉洞=홍^길동"),
        ("chrX2.dcm", "Wang^XiaoDong=王^小东"),
        ("chrGreek.dcm", "Διονυσιος"),
    ],
)
def test_answers_in_other_character_sets_are_decoded(name: str, expected: str) -> None:
    answer = answer_from(CHARSETS / name)

    def handler(event):
        yield 0xFF00, answer
        yield 0x0000, None

    with raw_find_scp(handler) as peer:
        outcome = find(peer, build_query(QueryForm(), QRModel.STUDY), QRModel.STUDY, local(NODE_AET))
    assert outcome.complete
    (match,) = outcome.matches
    assert str(match.PatientName) == expected


def test_an_undeclared_utf8_answer_to_a_utf8_query() -> None:
    """The peer answers a UTF-8 query in UTF-8 but leaves Specific Character Set out."""

    def handler(event):
        raw = Dataset()
        raw.QueryRetrieveLevel = "STUDY"
        raw.StudyInstanceUID = "1.2.3"
        raw.add_new(0x00100010, "PN", "Müller^Jürgen".encode())  # UTF-8 bytes, no charset
        yield 0xFF00, raw
        yield 0x0000, None

    query = build_query(QueryForm(patient_name="Müller"), QRModel.STUDY)
    assert query.SpecificCharacterSet == "ISO_IR 192"
    with raw_find_scp(handler) as peer:
        outcome = find(peer, query, QRModel.STUDY, local(NODE_AET))
    (match,) = outcome.matches
    assert str(match.PatientName) == "Müller^Jürgen"
