"""The application's wiring of service mode, settings changes and the storage policy."""

from __future__ import annotations

import json
import subprocess

import workstation_app
from pydicom.data import get_testdata_file
from workstation_app import KNOWN_AET, LOOPBACK, free_port

from workstation.config.settings import DuplicatePolicy
from workstation.jobs import JobState
from workstation.services.cleanup_job import KIND as CLEANUP_KIND
from workstation.store.cleanup import CleanupPolicy, set_protected

JOB_MS = 30_000
start_app = workstation_app.start_app  # the fixture


def _echo(port: int, called: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["echoscu", "-aet", KNOWN_AET, "-aec", called, LOOPBACK, str(port)],
        env={"TCP_NODELAY": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )


def _busy(station) -> list:
    return [
        j
        for j in station.queue.list((JobState.QUEUED, JobState.RUNNING))
        if j.kind == CLEANUP_KIND
    ]


def test_a_new_port_restarts_the_node_where_dcmtk_reaches_it(start_app) -> None:
    station = start_app()
    old_node = station.node
    port = free_port()
    station.apply_settings(station.settings.updated(port=port))
    assert station.node is not old_node and not old_node.running
    assert station.node.address == (LOOPBACK, port)
    assert _echo(port, station.settings.node.ae_title).returncode == 0


def test_store_policies_change_without_restarting_the_node(start_app) -> None:
    station = start_app()
    node = station.node
    station.apply_settings(
        station.settings.updated(duplicate_policy=DuplicatePolicy.REPLACE, min_free_space_mb=7)
    )
    assert station.node is node and node.running
    assert station.store.duplicate_policy is DuplicatePolicy.REPLACE
    assert station.store.min_free_space_mb == 7


def test_policy_changed_in_the_dialog_is_saved_to_the_settings_file(start_app, tmp_path) -> None:
    station = start_app()
    station._policy_changed(CleanupPolicy(low_water_mb=100, high_water_mb=300, enabled=True))
    saved = json.loads(station.config_path.read_text())
    assert saved["storage"]["cleanup_enabled"] is True
    assert (saved["storage"]["cleanup_low_water_mb"], saved["storage"]["cleanup_high_water_mb"]) == (100, 300)
    assert station.settings.storage.cleanup_enabled


def test_cleanup_job_runs_below_the_mark_and_keeps_a_protected_study(qtbot, start_app) -> None:
    huge = 9_000_000  # MB (9 TB): free space here is always below this mark
    station = start_app(
        cleanup_enabled=True, cleanup_low_water_mb=huge, cleanup_high_water_mb=huge + 1
    )
    result = station.store.add_file(get_testdata_file("CT_small.dcm"))
    set_protected(station.store.index, result.record.study_uid, True)
    # the run queued at start-up (empty store) may still be waiting: this one follows it
    qtbot.waitUntil(lambda: not _busy(station), timeout=JOB_MS)
    station.schedule_cleanup()

    def cleanup_done() -> bool:
        jobs = [j for j in station.queue.list() if j.kind == CLEANUP_KIND]
        return bool(jobs) and all(j.state is JobState.SUCCEEDED for j in jobs)

    qtbot.waitUntil(cleanup_done, timeout=JOB_MS)
    assert station.store.index.count("study") == 1  # protected: never deleted
    job = max((j for j in station.queue.list() if j.kind == CLEANUP_KIND), key=lambda j: j.id)
    assert "deleted 0 studies" in (job.result or "")
    assert any("kept protected study" in line for line in job.log)


def test_cleanup_is_not_queued_twice_while_one_waits(start_app) -> None:
    huge = 9_000_000
    station = start_app(
        wait=False, cleanup_enabled=True, cleanup_low_water_mb=huge, cleanup_high_water_mb=huge + 1
    )
    station.schedule_cleanup()
    station.schedule_cleanup()
    assert len(_busy(station)) == 1  # the worker is not started before the store check
