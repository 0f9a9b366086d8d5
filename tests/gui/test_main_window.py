"""The main window with the whole application behind it: status bar, menus, window state,
import through the job queue, first-start samples, shutdown; and the command line's GUI start."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import workstation_app
from pydicom.data import get_testdata_file
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox
from workstation_app import APP_AET, LOOPBACK, app_settings, free_port

from workstation.config import save_settings
from workstation.store.browse import StudyColumn

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore::UserWarning")]

start_app = workstation_app.start_app  # the fixture
WAIT_MS = 20_000
CLI_TIMEOUT_S = 90


def incoming(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(get_testdata_file(name), folder / name)
    return folder


# -- status bar ----------------------------------------------------------------------------
def test_status_bar_shows_ae_port_and_listening(start_app) -> None:
    station = start_app()
    label = station.window.node_label
    port = station.node.address[1]
    assert station.node.running
    assert label.text() == f"{APP_AET} · port {port} · listening · 0 associations"
    assert station.window.disk_label.text().startswith("Free:")


def test_status_bar_counts_open_associations(qtbot, start_app) -> None:
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification

    station = start_app()
    port = station.node.address[1]
    ae = AE(ae_title="DCMTK")
    ae.add_requested_context(Verification)
    assoc = ae.associate(LOOPBACK, port, ae_title=APP_AET)
    try:
        assert assoc.is_established
        qtbot.waitUntil(
            lambda: station.window.node_label.text().endswith("1 association"), timeout=WAIT_MS
        )
    finally:
        assoc.release()
        ae.shutdown()
    qtbot.waitUntil(
        lambda: station.window.node_label.text().endswith("0 associations"), timeout=WAIT_MS
    )


def test_status_bar_says_not_listening_when_the_port_is_taken(start_app) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        station = start_app(port=port)
        label = station.window.node_label
        assert not station.node.running
        assert label.text() == f"{APP_AET} · port {port} · NOT listening"
        assert f"port {port}" in label.toolTip()


def test_status_says_starting_until_the_store_is_checked(qtbot, start_app) -> None:
    station = start_app(wait=False)
    assert "starting" in station.window.node_label.text() or station.node.running
    qtbot.waitUntil(lambda: station.node.running, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "listening" in station.window.node_label.text(), timeout=WAIT_MS)


# -- menus -----------------------------------------------------------------------------------
def test_menus_and_shortcuts(start_app) -> None:
    w = start_app().window
    titles = [a.text() for a in w.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Tools", "&Help"]
    assert w.action_quit.shortcut() == QKeySequence("Ctrl+Q")
    assert w.action_delete.shortcut() == QKeySequence(QKeySequence.StandardKey.Delete)
    assert w.action_select_all.shortcut() == QKeySequence(QKeySequence.StandardKey.SelectAll)
    assert w.action_import_files.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert w.action_refresh.shortcut() == QKeySequence(QKeySequence.StandardKey.Refresh)
    file_menu = w.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions() if not a.isSeparator()]
    assert texts == ["Import &files…", "Import f&older…", "Import &DICOMDIR…", "&Send to", "&Quit"]
    assert w.action_show_jobs.isCheckable() and w.action_show_jobs.isChecked()


def test_tool_entries_call_their_handlers_once_wired(start_app) -> None:
    w = start_app().window
    assert w.action_service_mode.isEnabled()  # the app wires service mode and cleanup
    assert w.action_storage_cleanup.isEnabled()
    calls = []
    w.set_tool_handlers(
        service_mode=lambda parent: calls.append(("service", parent)),
        storage_cleanup=lambda parent: calls.append(("cleanup", parent)),
    )
    w.action_service_mode.trigger()
    w.action_storage_cleanup.trigger()
    assert calls == [("service", w), ("cleanup", w)]


def test_delete_is_enabled_only_with_a_selection(start_app, tmp_path) -> None:
    station = start_app()
    w = station.window
    assert not w.action_delete.isEnabled()
    station.store.add_file(get_testdata_file("CT_small.dcm"))
    w.browser.refresh()
    w.browser.study_table.selectRow(0)
    assert w.action_delete.isEnabled()


# -- window state --------------------------------------------------------------------------------
def test_window_state_is_restored_on_the_next_start(qtbot, start_app, tmp_path) -> None:
    state = tmp_path / "shared-gui.ini"
    first = start_app(ui_state=state)
    w = first.window
    w.resize(700, 500)  # as small as its minimum size allows, within the offscreen screen
    size = (w.width(), w.height())
    assert size != (1400, 900)  # not the first-start default
    w.jobs_dock.hide()
    w.browser.study_table.horizontalHeader().setSortIndicator(
        w.browser.study_model.column_of(StudyColumn.PATIENT_ID), Qt.SortOrder.AscendingOrder
    )
    assert w.browser.study_model.sort_column is StudyColumn.PATIENT_ID
    w.close()
    assert state.is_file()

    second = start_app(ui_state=state)
    w2 = second.window
    assert (w2.width(), w2.height()) == size
    assert not w2.jobs_dock.isVisible()
    assert not w2.action_show_jobs.isChecked()
    assert w2.browser.study_model.sort_column is StudyColumn.PATIENT_ID
    assert not w2.browser.study_model.descending


# -- import and first start --------------------------------------------------------------------
def test_import_runs_as_a_job_and_reports_skipped_files(qtbot, start_app, tmp_path) -> None:
    station = start_app()
    w = station.window
    folder = incoming(tmp_path / "in", ["CT_small.dcm", "MR_small.dcm"])
    (folder / "readme.txt").write_text("not DICOM")
    assert w.browser.study_model.total() == 0
    job_id = w.importer.submit([folder])
    assert station.queue.get(job_id).kind == "import"
    qtbot.waitUntil(lambda: w.importer.last_summary is not None, timeout=WAIT_MS)
    text, details = w.importer.last_summary
    assert "imported 2" in text and "skipped 1" in text
    assert "readme.txt" in details and "Not a DICOM file" in details
    # the browser shows the imported studies without anyone calling refresh
    qtbot.waitUntil(lambda: w.browser.study_model.total() == 2, timeout=WAIT_MS)
    assert w.jobs_panel.model.row_of(job_id) is not None
    assert not w.import_progress.isVisible()


def test_first_start_offers_the_samples_once(qtbot, start_app, tmp_path, monkeypatch) -> None:
    samples = incoming(tmp_path / "samples", ["CT_small.dcm"])
    asked = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(title)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    state = tmp_path / "first.ini"
    station = start_app(ui_state=state, offer_samples=True, sample_paths=lambda: [samples])
    assert asked == ["Empty local store"]
    jobs = station.queue.list()
    assert [(j.kind, j.params) for j in jobs] == [("import", {"paths": [str(samples)]})]
    qtbot.waitUntil(lambda: station.window.browser.study_model.total() == 1, timeout=WAIT_MS)
    station.window.close()

    again = start_app(ui_state=state, offer_samples=True, sample_paths=lambda: [samples])
    assert asked == ["Empty local store"]  # not asked a second time
    assert again.queue.list() == []


# -- shutdown ---------------------------------------------------------------------------------------
def test_quit_stops_node_and_worker(qtbot, start_app) -> None:
    station = start_app()
    assert station.node.running and station.worker.is_running()
    station.window.action_quit.trigger()
    assert not station.window.isVisible()
    assert not station.node.running
    assert not station.worker.is_running()


# -- the command line ----------------------------------------------------------------------------------
def _env_without_display() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(key, None)
    return env


def test_cli_without_a_display_points_to_serve(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workstation", "--config", str(tmp_path / "s.json")],
        env=_env_without_display(),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
    )
    assert result.returncode == 2
    assert "no display" in result.stderr and "workstation serve" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "store").exists()


def test_cli_without_a_command_opens_the_main_window(tmp_path) -> None:
    from workstation.app import EXIT_WHEN_SHOWN_ENV, SHOWN_MARKER

    config = tmp_path / "settings.json"
    save_settings(app_settings(tmp_path / "store", port=free_port()), config)
    env = _env_without_display()
    env["QT_QPA_PLATFORM"] = "offscreen"
    env[EXIT_WHEN_SHOWN_ENV] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "workstation", "--config", str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr
    assert SHOWN_MARKER in result.stdout
    assert (tmp_path / "gui.ini").is_file()  # the window saved its state on close
