"""Hostile C-FIND identifiers (issue 12, item 1): each gets its defined answer at once —
matches for a pathological but legal pattern, A900 for a value longer than its VR allows —
and the node then serves a good C-ECHO, C-STORE and C-FIND at once.

Before the fix, forty ``*`` and one letter in Patient Name made the regex matcher
backtrack for minutes; with the network timeouts of ``tests/robustness/conftest.py``
(1.5 s) such a query now has to finish well inside the association's DIMSE timeout.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import generate_uid
from pynetdicom import AE
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind as STUDY_FIND

from tests.integration.conftest import KNOWN_AET, LOOPBACK, NODE_AET
from tests.robustness.peer import assert_healthy, fresh_ct, good_store

pytestmark = [
    pytest.mark.filterwarnings("ignore:Invalid value for VR:UserWarning"),
    pytest.mark.filterwarnings("ignore:The value length:UserWarning"),
]

PENDING = (0xFF00, 0xFF01)
FIND_TIMEOUT_S = 20.0  # the node's DIMSE timeout is short; this bounds our wait only
NAME = "HOSTILE^PATIENT"


def find(port: int, identifier: Dataset) -> tuple[int, list[Dataset], str]:
    """One C-FIND (Study Root): final status, matches, the final Error Comment."""
    ae = AE(ae_title=KNOWN_AET)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = FIND_TIMEOUT_S
    ae.add_requested_context(STUDY_FIND)
    assoc = ae.associate(LOOPBACK, port, ae_title=NODE_AET)
    assert assoc.is_established, "the node did not accept the C-FIND association"
    matches: list[Dataset] = []
    final, comment = -1, ""
    try:
        for status, match in assoc.send_c_find(identifier, STUDY_FIND):
            if "Status" not in status:
                break  # no answer within the timeout
            code = int(status.Status)
            if code in PENDING:
                matches.append(match)
                continue
            final, comment = code, str(status.get("ErrorComment", ""))
    finally:
        assoc.release()
    return final, matches, comment


def study_query(**keys: object) -> Dataset:
    ds = Dataset()
    ds.QueryRetrieveLevel = "STUDY"
    ds.StudyInstanceUID = ""
    ds.PatientName = ""
    for keyword, value in keys.items():
        setattr(ds, keyword, value)
    return ds


@pytest.fixture
def stocked(node) -> Iterator:
    """The node holding a study of patient ``NAME`` (and one other)."""
    for name in (NAME, "OTHER^ONE"):
        ds = fresh_ct()
        ds.PatientName = name
        ds.PatientID = name.split("^")[0]
        assert good_store(LOOPBACK, node.port, ds) == 0x0000
    yield node


def healthy_after(node) -> None:
    assert_healthy(node)
    status, matches, _ = find(node.port, study_query(PatientName=NAME))
    assert status == 0x0000 and len(matches) == 1, "a good C-FIND failed after the hostile one"


# -- legal but pathological patterns: answered right, at once ---------------------------------
@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("*" * 40 + "T", 1),  # the one that froze the node: HOSTILE^PATIENT ends in T
        ("*" * 40 + "X", 0),
        ("*?" * 30 + "*", 0),  # names of 30 characters or more: none
        ("H*" + "*?*" * 20 + "T", 0),  # needs 20 characters between H and T: 13 there
        ("*H*O*S*T*I*L*E*^*P*A*T*I*E*N*T*", 1),
        ("?" * 15, 1),  # exactly 15 characters: HOSTILE^PATIENT
    ],
)
def test_pathological_wildcards_are_matched_right_and_at_once(stocked, pattern, expected):
    status, matches, _ = find(stocked.port, study_query(PatientName=pattern))
    assert status == 0x0000
    assert len(matches) == expected
    healthy_after(stocked)


def test_wildcards_in_every_text_key_at_once(stocked) -> None:
    stars = "*" * 30 + "Q"
    query = study_query(
        PatientName=stars, PatientID=stars[:15] + "Q", AccessionNumber=stars[:15] + "Q",
        StudyDescription=stars, ReferringPhysicianName=stars,
    )  # fmt: skip
    status, matches, _ = find(stocked.port, query)
    assert status == 0x0000 and matches == []
    healthy_after(stocked)


def test_long_list_of_uids_is_answered(stocked) -> None:
    uids = [generate_uid() for _ in range(10_000)]
    status, matches, _ = find(stocked.port, study_query(StudyInstanceUID=uids))
    assert status == 0x0000 and matches == []
    healthy_after(stocked)


# -- values beyond their VR's length: A900 with an encodable comment ------------------------
@pytest.mark.parametrize(
    "keyword, value",
    [
        ("PatientName", "A" * 10_000),
        ("PatientName", "*" * 10_000 + "A"),
        ("PatientID", "P" * 65),  # LO: 64
        ("AccessionNumber", "1" * 17),  # SH: 16
        ("StudyID", "S" * 17),  # SH: 16
        ("ModalitiesInStudy", "CTCTCTCTCTCTCTCTC"),  # CS: 16
        ("StudyInstanceUID", "1." * 40),  # UI: 64
    ],
)
def test_values_longer_than_their_vr_are_refused_a900(stocked, keyword, value) -> None:
    status, matches, comment = find(stocked.port, study_query(**{keyword: value}))
    assert status == 0xA900, f"{keyword} of {len(value)} chars: status {status:04X}"
    assert matches == []
    assert comment and len(comment) <= 64 and comment.isascii() and "\\" not in comment
    healthy_after(stocked)


def test_over_long_value_inside_a_sequence_is_refused(stocked) -> None:
    item = Dataset()
    item.CodeValue = "C" * 17  # SH: 16
    query = study_query(ProcedureCodeSequence=Sequence([item]))
    status, _, comment = find(stocked.port, query)
    assert status == 0xA900 and comment
    healthy_after(stocked)


def test_nested_sequences_are_answered(stocked) -> None:
    inner = Dataset()
    inner.CodeValue = "*" * 10 + "Z"
    middle = Dataset()
    middle.ConceptNameCodeSequence = Sequence([inner])
    query = study_query(ProcedureCodeSequence=Sequence([middle]))
    status, _, _ = find(stocked.port, query)
    assert status in (0x0000, 0xA900)  # matched as a sequence, or refused: answered
    healthy_after(stocked)
