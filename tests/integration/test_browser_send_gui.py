"""Sending from the browser to Orthanc with storage commitment, and the Archive column.

Orthanc 1.10 (its own storage in a temp folder, loopback) is the archive; it reports
storage commitment on a new association to the application's node, which its
DicomModalities entry names. The study is sent from the browser's send action; the
flag goes Not sent -> Committed. Deleting a sent but uncommitted study asks twice.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from PySide6.QtWidgets import QMessageBox

from tests.gui import workstation_app
from workstation.config.settings import Role, make_node
from workstation.jobs import JobState
from workstation.store.commitment_state import CommitItem, CommitmentState
from workstation.ui.browser.study_model import ARCHIVE_COLUMN

from .conftest import (
    KNOWN_AET,
    LOOPBACK,
    ORTHANC_AET,
    ORTHANC_BIN,
    ORTHANC_START_TIMEOUT_S,
    find_free_port,
    peer_env,
    run_dcmtk,
    stop_process,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.gui]

start_app = workstation_app.start_app  # the fixture
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """Orthanc on loopback; yields (its DICOM port, the port it reports commitment to)."""
    folder = tmp_path_factory.mktemp("orthanc-send-gui")
    ports: list[int] = []
    while len(ports) < 3:
        p = find_free_port()
        if p not in ports:
            ports.append(p)
    dicom_port, http_port, app_port = ports
    config = {
        "Name": "SEND_GUI", "DicomAet": ORTHANC_AET, "DicomPort": dicom_port,
        "HttpPort": http_port, "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "index"), "DicomCheckCalledAet": False,
        "RemoteAccessAllowed": False, "AuthenticationEnabled": False,
        "DicomAlwaysAllowStore": True,
        "DicomModalities": {"ws": [workstation_app.APP_AET, LOOPBACK, app_port]},
        "Plugins": [],
    }  # fmt: skip
    path = folder / "orthanc.json"
    path.write_text(json.dumps(config))
    with open(folder / "orthanc.log", "wb") as out:
        proc = subprocess.Popen([ORTHANC_BIN, str(path)], env=peer_env(), stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
    try:

        def echoes() -> bool:
            if proc.poll() is not None:
                return True
            args = ("-aet", KNOWN_AET, "-aec", ORTHANC_AET, LOOPBACK, str(dicom_port))
            return run_dcmtk("echoscu", *args, timeout=10).returncode == 0

        assert wait_for(echoes, timeout=ORTHANC_START_TIMEOUT_S, step=0.2)
        assert proc.poll() is None
        yield dicom_port, app_port
    finally:
        stop_process(proc, signal.SIGTERM, timeout=30)


def archive_cell(browser, study_uid: str) -> str:
    model = browser.study_model
    return str(model.data(model.index(model.row_of(study_uid), ARCHIVE_COLUMN)))


def add_study(station) -> str:
    path = get_testdata_file("CT_small.dcm")
    station.store.add_bytes(Path(path).read_bytes())
    station.window.browser.refresh()
    return str(pydicom.dcmread(path, stop_before_pixels=True).StudyInstanceUID)


def test_send_from_the_browser_with_commitment_shows_committed(qtbot, start_app, archive):
    dicom_port, app_port = archive
    pacs = make_node(name="PACS", ae_title=ORTHANC_AET, host=LOOPBACK, port=dicom_port,
                     roles=frozenset({Role.STORE}), storage_commitment=True)  # fmt: skip
    station = start_app(port=app_port, remote_nodes=(pacs,), commit_wait_same_association_s=1.0)
    browser = station.window.browser
    study = add_study(station)
    qtbot.waitUntil(lambda: browser.study_model.row_of(study) >= 0, timeout=WAIT_MS)
    assert archive_cell(browser, study) == "Not sent"
    assert browser.select_study(study)
    menu = station.window.send_menu
    station.window.send_controller.fill_send_menu(menu)
    (action,) = [a for a in menu.actions() if a.objectName() == "send_PACS"]
    action.trigger()  # what the user's click does
    (job,) = station.window.send_controller.last_jobs
    queue = station.queue
    qtbot.waitUntil(lambda: queue.get(job).state is JobState.SUCCEEDED, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: archive_cell(browser, study) == "Committed · PACS", timeout=WAIT_MS)
    kinds = [j.kind for j in queue.list()]
    assert kinds.count("send") == 1 and kinds.count("commit") == 1


def test_deleting_a_sent_but_uncommitted_study_asks_again(qtbot, start_app, archive, monkeypatch):
    dicom_port, app_port = archive
    plain = make_node(name="ARCHIVE", ae_title=ORTHANC_AET, host=LOOPBACK, port=dicom_port,
                      roles=frozenset({Role.STORE}))  # no commitment asked  # fmt: skip
    station = start_app(port=app_port, remote_nodes=(plain,))
    browser = station.window.browser
    study = add_study(station)
    qtbot.waitUntil(lambda: browser.study_model.row_of(study) >= 0, timeout=WAIT_MS)
    (job,) = station.window.send_controller.send([study], [plain])
    qtbot.waitUntil(lambda: station.queue.get(job).state is JobState.SUCCEEDED, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: archive_cell(browser, study) == "Sent · ARCHIVE", timeout=WAIT_MS)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)  # fmt: skip

    def warning(_parent, title, text, *_rest):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "warning", warning)
    browser.select_study(study)
    assert browser.delete_selected() == 0  # the second question was answered No
    assert asked and "not confirmed" in asked[0] and "ARCHIVE: Sent" in asked[0]
    assert station.store.index.count("study") == 1


def test_an_overdue_commitment_shows_commit_failed(qtbot, start_app) -> None:
    """A report that never comes: past its deadline the transaction is commit failed."""
    station = start_app()
    browser = station.window.browser
    study = add_study(station)
    qtbot.waitUntil(lambda: browser.study_model.row_of(study) >= 0, timeout=WAIT_MS)
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"), stop_before_pixels=True)
    state = CommitmentState(station.store.index)
    item = CommitItem(str(ds.SOPClassUID), str(ds.SOPInstanceUID), study)
    state.create_pending("2.25.1234", "PACS", "PACS", [item], timeout_s=0.0)
    browser.study_model.refresh_archive()
    assert archive_cell(browser, study) == "Commit failed · PACS"
    assert browser.study_model.archive_of(study).uncommitted
