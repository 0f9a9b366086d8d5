"""Instances whose UIDs break the UID syntax, as field modalities send them (issue 12,
item 5; CONFORMANCE.md "Storage SCP outcomes"): DCMTK ``storescu`` sends them, the node
answers 0000 and keeps the UIDs as sent (the files under derived names), ``findscu``
finds them; a UID with a control character is refused with A900 and nothing is written.

``bad_sequence.dcm`` (pydicom-data, JPEG Lossless: storescu -xs) carries 64-character hex
strings as Study, Series and SOP Instance UIDs; a copy of CT_small gets a 70-character Study Instance UID with letters.
"""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from tests.robustness.peer import good_store
from workstation.samples import sample_files

from .conftest import KNOWN_AET, NODE_AET, ct_small, run_dcmtk, storescu_results
from .qr_support import STUDY_ROOT, findscu

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Invalid value for VR UI:UserWarning"),
    pytest.mark.filterwarnings("ignore:The value length:UserWarning"),
]

LONG_STUDY_UID = "1.2.826.0.1.3680043.ABC." + "7" * 46  # 70 characters, letters


def bad_sequence() -> Path:
    found = [f for f in sample_files() if f.name == "bad_sequence.dcm"]
    assert found, "pydicom-data's bad_sequence.dcm is not installed"
    return found[0]


def long_uid_copy(folder: Path) -> Path:
    ds = pydicom.dcmread(ct_small())
    ds.StudyInstanceUID = LONG_STUDY_UID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.PatientName = "NONCONFORMANT^LONG"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "long_uid.dcm"
    ds.save_as(path, enforce_file_format=True)
    return path


def test_storescu_of_nonconformant_uids_is_stored_and_findscu_finds_them(node, tmp_path):
    files = [bad_sequence(), long_uid_copy(tmp_path / "send")]
    out = run_dcmtk(
        "storescu", "-d", "-nh", "-xs", "-aet", KNOWN_AET, "-aec", NODE_AET, node.host, str(node.port),
        *files, timeout=60,
    )  # fmt: skip
    statuses = [responses[0] if responses else "none" for _, responses in storescu_results(out.stdout)]
    assert statuses == ["0000", "0000"], out.stdout[-3000:]
    assert node.store.index.count("instance") == 2
    for rel in node.store.index.all_paths():
        path = (node.store.root / rel).resolve()
        assert path.is_file() and node.store.root.resolve() in path.parents
    assert node.store.reconcile().clean

    sent = pydicom.dcmread(bad_sequence())
    for name in ("find1", "find2", "find3"):
        (tmp_path / name).mkdir()
    by_uid = findscu(
        node.host, node.port, NODE_AET, STUDY_ROOT,
        ["QueryRetrieveLevel=STUDY", f"StudyInstanceUID={sent.StudyInstanceUID}", "PatientName"],
        tmp_path / "find1",
    )  # fmt: skip
    assert by_uid.final_status == "Success", by_uid.output[-2000:]
    assert [str(ds.StudyInstanceUID) for ds in by_uid.responses] == [sent.StudyInstanceUID]

    by_name = findscu(
        node.host, node.port, NODE_AET, STUDY_ROOT,
        ["QueryRetrieveLevel=STUDY", "StudyInstanceUID", "PatientName=NONCONFORMANT*"],
        tmp_path / "find2",
    )  # fmt: skip
    assert by_name.final_status == "Success", by_name.output[-2000:]
    assert [str(ds.StudyInstanceUID) for ds in by_name.responses] == [LONG_STUDY_UID]

    series = findscu(
        node.host, node.port, NODE_AET, STUDY_ROOT,
        ["QueryRetrieveLevel=IMAGE", f"StudyInstanceUID={sent.StudyInstanceUID}",
         f"SeriesInstanceUID={sent.SeriesInstanceUID}", "SOPInstanceUID"],
        tmp_path / "find3",
    )  # fmt: skip
    assert [str(ds.SOPInstanceUID) for ds in series.responses] == [sent.SOPInstanceUID]


@pytest.mark.parametrize("bad", ["1.2.3\x01.4", "1.2/3.4", "1.2.3\\4"])
def test_study_uid_with_control_character_or_separator_is_refused(node, bad: str) -> None:
    ds = pydicom.dcmread(ct_small())
    ds.StudyInstanceUID = bad
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    assert good_store(node.host, node.port, ds) == 0xA900
    assert node.store.index.count("instance") == 0
    assert not list(node.store.root.rglob("*.dcm"))
