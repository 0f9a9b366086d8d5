"""C-FIND answers on the wire, on a node holding every shipped file.

The node writes pending responses itself (net/wire/find_response.py) in Little Endian and
leaves Big Endian to pynetdicom: the answers are the same whichever syntax is accepted.
findscu always proposes Little Endian too (which the node prefers) and will not go below
4096-byte PDUs, so Big Endian alone and identifiers fragmented over small PDUs are asked
for by a pynetdicom SCU.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import AE
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind

from .conftest import KNOWN_AET, NODE_AET
from .qr_support import STUDY_ROOT, findscu, fresh_dir

pytestmark = [
    pytest.mark.integration,
    # values some shipped files carry (ACR-NEMA dates "1997.04.24", times "14:04:38")
    pytest.mark.filterwarnings("ignore:Invalid value for VR:UserWarning"),
]

PENDING = (0xFF00, 0xFF01)
SYNTAX_OPTIONS = {  # findscu option: the syntax our node accepts, kept in findscu's files
    "-xi": ImplicitVRLittleEndian,  # proposed alone
    "-xe": ExplicitVRLittleEndian,  # proposed first
}
STUDY_KEYS = [
    "QueryRetrieveLevel=STUDY",
    "SpecificCharacterSet=ISO_IR 192",
    "StudyInstanceUID",
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "AccessionNumber",
    "StudyDescription",
    "ReferringPhysicianName",
    "ModalitiesInStudy",
    "NumberOfStudyRelatedInstances",
]
IMAGE_KEYS = [
    "QueryRetrieveLevel=IMAGE",
    "SOPInstanceUID",
    "SOPClassUID",
    "InstanceNumber",
    "Rows",
    "Columns",
    "ImageType",
]


def canonical(ds: Dataset) -> tuple[Any, ...]:
    """The values of a response, independent of how they were encoded."""
    return tuple((elem.tag, str(elem.value)) for elem in ds if elem.tag.group != 0x0002)


def _findscu_answers(qr_node, tmp_path: Path, keys: list[str], option: str) -> list[Any]:
    result = findscu(
        qr_node.host, qr_node.port, NODE_AET, STUDY_ROOT, keys,
        fresh_dir(tmp_path, "find"), extra=[option],
    )  # fmt: skip
    assert result.final_status == "Success", result.output[-3000:]
    # findscu -X writes each response in the syntax it came in
    assert {ds.file_meta.TransferSyntaxUID for ds in result.responses} == {SYNTAX_OPTIONS[option]}
    return sorted(canonical(ds) for ds in result.responses)


def _pynetdicom_answers(qr_node, keys: list[str], max_pdu: int = 0, syntax: str = "") -> list[Any]:
    """The same query from pynetdicom, with a maximum PDU length or one transfer syntax
    findscu cannot ask for (below 4096 bytes; Big Endian alone)."""
    ae = AE(ae_title=KNOWN_AET)
    ae.maximum_pdu_size = max_pdu
    ae.add_requested_context(
        StudyRootQueryRetrieveInformationModelFind, [syntax] if syntax else None
    )
    assoc = ae.associate(qr_node.host, qr_node.port, ae_title=NODE_AET)
    try:
        assert assoc.is_established
        if syntax:
            assert assoc.accepted_contexts[0].transfer_syntax[0] == syntax
        query = Dataset()
        for key in keys:
            keyword, _, value = key.partition("=")
            setattr(query, keyword, value or None)  # empty: None suits any VR
        answers, final = [], None
        for status, identifier in assoc.send_c_find(
            query, StudyRootQueryRetrieveInformationModelFind
        ):
            assert status is not None and "Status" in status, "no answer from the SCP"
            if status.Status in PENDING:
                answers.append(canonical(identifier))
            else:
                final = status.Status
        assert final == 0x0000
        return sorted(answers)
    finally:
        assoc.release()
        ae.shutdown()


@pytest.mark.parametrize("keys", [STUDY_KEYS, IMAGE_KEYS], ids=["study", "image"])
def test_every_transfer_syntax_gives_the_same_answers(qr_node, tmp_path: Path, keys):
    """Implicit and Explicit VR Little Endian (written by the node), Big Endian (by
    pynetdicom): the same identifiers."""
    implicit = _findscu_answers(qr_node, tmp_path, keys, "-xi")
    explicit = _findscu_answers(qr_node, tmp_path, keys, "-xe")
    big_endian = _pynetdicom_answers(qr_node, keys, syntax=ExplicitVRBigEndian)
    catalog = qr_node.catalog
    expected = len(catalog.studies) if keys is STUDY_KEYS else len(catalog.instances)
    assert len(explicit) == expected
    assert implicit == explicit == big_endian


def test_answers_fit_a_small_maximum_pdu(qr_node):
    """With 128-byte PDUs every identifier spans several fragments and still decodes to
    the matches an unlimited PDU gives."""
    unlimited = _pynetdicom_answers(qr_node, STUDY_KEYS)
    assert len(unlimited) == len(qr_node.catalog.studies)
    assert _pynetdicom_answers(qr_node, STUDY_KEYS, max_pdu=128) == unlimited


def test_an_scu_that_aborts_mid_answer_leaves_the_node_answering(qr_node):
    """pynetdicom aborts right after the first pending response (DCMTK's tools cannot):
    the node lets that association go and answers the next query in full."""
    ae = AE(ae_title=KNOWN_AET)
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelFind)
    assoc = ae.associate(qr_node.host, qr_node.port, ae_title=NODE_AET)
    try:
        assert assoc.is_established
        query = Dataset()
        for key in IMAGE_KEYS:
            keyword, _, value = key.partition("=")
            setattr(query, keyword, value or None)  # empty: None suits any VR
        for status, _identifier in assoc.send_c_find(
            query, StudyRootQueryRetrieveInformationModelFind
        ):
            assert status is not None and status.Status in PENDING
            assoc.abort()
            break
    finally:
        if assoc.is_established:
            assoc.abort()
        ae.shutdown()
    node = qr_node.node.node
    deadline = time.monotonic() + 10
    while node.active_associations() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert node.active_associations() == 0
    assert len(_pynetdicom_answers(qr_node, IMAGE_KEYS)) == len(qr_node.catalog.instances)
