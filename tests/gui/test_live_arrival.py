"""Instances arriving over the network show up in the browser live: DCMTK storescu sends
to the application's node on loopback, nobody presses refresh, bursts are coalesced."""

from __future__ import annotations

import threading
from pathlib import Path

import pydicom
import pytest
import workstation_app
from integration.conftest import run_dcmtk
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid
from workstation_app import APP_AET, KNOWN_AET, LOOPBACK

from workstation.net.scp.node import NodeEvent, NodeEventKind, StorageNode
from workstation.ui.node_bridge import NodeBridge

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore::UserWarning")]

start_app = workstation_app.start_app  # the fixture
WAIT_MS = 60_000


def new_study(folder: Path, count: int, series: int = 1) -> tuple[str, list[Path]]:
    """``count`` copies of CT_small in one new study (``series`` series): (study UID, files)."""
    folder.mkdir(parents=True)
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    study_uid = generate_uid()
    ds.StudyInstanceUID = study_uid
    ds.PatientName = "Live^Arrival"
    ds.PatientID = "LIVE-1"
    series_uids = [generate_uid() for _ in range(series)]
    files = []
    for n in range(count):
        ds.SeriesInstanceUID = series_uids[n % series]
        ds.SeriesNumber = n % series + 1
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = n + 1
        path = folder / f"img{n:04d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        files.append(path)
    return study_uid, files


def storescu(port: int, files: list[Path]):
    return run_dcmtk("storescu", "-aet", KNOWN_AET, "-aec", APP_AET, LOOPBACK, str(port), *files)


def no_refresh(*args, **kwargs):
    raise AssertionError("refresh was called: arrivals must show up on their own")


def test_node_events_reach_the_gui_thread_coalesced(qtbot, tmp_path) -> None:
    from workstation.config import Settings
    from workstation.store import LocalStore

    store = LocalStore(tmp_path / "store", check_on_open=False)
    try:
        node = StorageNode(Settings(data_dir=tmp_path / "store", port=11112), store)  # not started
        bridge = NodeBridge(interval_ms=200)
        bridge.attach(node)
        received: list[tuple[frozenset, str]] = []
        bridge.studies_changed.connect(
            lambda uids: received.append((uids, threading.current_thread().name))
        )

        def burst() -> None:
            for n in range(100):
                node._publish(NodeEvent(NodeEventKind.STORED, study_uid=f"1.2.{n % 3}"))

        sender = threading.Thread(target=burst, name="association")
        with qtbot.waitSignal(bridge.studies_changed, timeout=WAIT_MS):
            sender.start()
            sender.join(10)
        qtbot.waitUntil(
            lambda: frozenset().union(*(u for u, _ in received)) == {"1.2.0", "1.2.1", "1.2.2"},
            timeout=WAIT_MS,
        )
        assert len(received) < 100  # a burst costs a few refreshes, not one per instance
        assert {name for _, name in received} == {threading.main_thread().name}
        bridge.detach()
    finally:
        store.close()


def test_study_sent_with_storescu_appears_without_refresh(qtbot, start_app, tmp_path) -> None:
    station = start_app()
    browser = station.window.browser
    browser.refresh = no_refresh  # the "refresh button" must not be needed
    study_uid, files = new_study(tmp_path / "send", 3)
    assert browser.study_model.row_of(study_uid) == -1
    result = storescu(station.node.address[1], files)
    assert result.returncode == 0, result.stdout
    qtbot.waitUntil(lambda: browser.study_model.row_of(study_uid) >= 0, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: browser.study_model.row_at(browser.study_model.row_of(study_uid)).num_images == 3,
        timeout=WAIT_MS,
    )
    row = browser.study_model.row_at(browser.study_model.row_of(study_uid))
    assert row.patient_name == "Live^Arrival" and row.modalities == "CT"


def test_burst_into_the_selected_study_updates_it_live_and_coalesced(
    qtbot, start_app, tmp_path
) -> None:
    station = start_app()
    browser = station.window.browser
    browser.refresh = no_refresh
    study_uid, files = new_study(tmp_path / "burst", 240, series=2)
    first = storescu(station.node.address[1], files[:2])  # one per series: the study exists
    assert first.returncode == 0, first.stdout
    qtbot.waitUntil(lambda: browser.select_study(study_uid), timeout=WAIT_MS)
    changes: list[frozenset] = []
    station.bridge.studies_changed.connect(changes.append)
    ticks: list[int] = []
    from PySide6.QtCore import QTimer

    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(1))
    heartbeat.start(50)
    done = threading.Event()
    outcome: dict[str, object] = {}

    def send() -> None:
        outcome["result"] = storescu(station.node.address[1], files[2:])
        done.set()

    sender = threading.Thread(target=send, name="storescu-runner")
    sender.start()
    try:
        qtbot.waitUntil(done.is_set, timeout=WAIT_MS)
    finally:
        sender.join(WAIT_MS / 1000)
    heartbeat.stop()
    assert outcome["result"].returncode == 0, outcome["result"].stdout
    qtbot.waitUntil(
        lambda: sum(r.num_images for r in browser.series_model.rows()) == 240, timeout=WAIT_MS
    )
    assert browser.current_study_uid() == study_uid  # the selection stayed on the study
    assert [r.num_images for r in browser.series_model.rows()] == [120, 120]
    assert 0 < len(changes) < 238 // 2  # coalesced: far fewer refreshes than instances
    assert ticks  # the GUI thread kept running its timers during the burst
