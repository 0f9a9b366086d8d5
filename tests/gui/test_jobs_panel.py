"""The job panel with a real worker thread: progress, cancel, retry, restart, buttons."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import sample_roots
from PySide6.QtCore import Qt

from workstation.jobs import INTERRUPTED, JobQueue, JobState, PermanentJobError
from workstation.services.import_job import import_handler, import_params
from workstation.store import LocalStore
from workstation.ui.job_worker import JobWorker
from workstation.ui.jobs_panel import (
    ATTEMPTS,
    ERROR,
    PROGRESS,
    STATE,
    STATE_COLOURS,
    JobLogDialog,
    JobsPanel,
)

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore::UserWarning")]

WAIT_MS = 10_000


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    for f in (sample_roots()[0] / "test_files").iterdir():
        if f.is_file() and f.suffix == ".dcm":
            shutil.copy2(f, folder / f.name)
    return folder


class Harness:
    """Queues, workers and panels made by a test, all stopped and closed afterwards."""

    def __init__(self, qtbot, tmp_path: Path) -> None:
        self.qtbot = qtbot
        self.db = tmp_path / "jobs.sqlite"
        self.queues: list[JobQueue] = []
        self.workers: list[JobWorker] = []
        self.panels: list[JobsPanel] = []

    def queue(self, **kwargs) -> JobQueue:
        q = JobQueue(self.db, **kwargs)
        self.queues.append(q)
        return q

    def worker(self, queue: JobQueue, handlers: dict[str, Callable]) -> JobWorker:
        w = JobWorker(queue, handlers, poll_s=0.1, progress_interval_s=0)
        self.workers.append(w)
        w.start()
        return w

    def panel(self, queue: JobQueue, worker: JobWorker | None = None) -> JobsPanel:
        p = JobsPanel(queue, worker)
        self.qtbot.addWidget(p)
        p.resize(1000, 300)
        p.show()
        self.panels.append(p)
        return p

    def close_all(self) -> None:
        for w in self.workers:
            assert w.stop(10), "a job worker did not stop"
            assert not w.is_running()
        for p in self.panels:
            p.detach()
        for q in self.queues:
            q.close()
        self.workers.clear()
        self.panels.clear()
        self.queues.clear()


@pytest.fixture
def harness(qtbot, tmp_path: Path) -> Iterator[Harness]:
    h = Harness(qtbot, tmp_path)
    yield h
    h.close_all()


def cell(panel: JobsPanel, job_id: int, column: int, role=Qt.ItemDataRole.DisplayRole):
    row = panel.model.row_of(job_id)
    assert row is not None, f"job {job_id} not in the panel"
    return panel.model.index(row, column).data(role)


def buttons(panel: JobsPanel) -> tuple[bool, bool, bool, bool]:
    return (
        panel.cancel_button.isEnabled(),
        panel.retry_button.isEnabled(),
        panel.remove_button.isEnabled(),
        panel.log_button.isEnabled(),
    )


def gated_import(store: LocalStore, hold_at: int, gate: threading.Event, reached: threading.Event):
    """The import handler, holding after ``hold_at`` files until ``gate`` or a cancel."""
    inner = import_handler(store)

    def handler(params, progress, cancel, log):
        def slow_progress(done: int, total: int, message: str) -> None:
            progress(done, total, message)
            if done == hold_at:
                reached.set()
                while not gate.is_set() and not cancel.is_set():
                    cancel.wait(0.02)

        return inner(params, slow_progress, cancel, log)

    return handler


def click(qtbot, button) -> None:
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# -- a running import ---------------------------------------------------------------------
def test_running_import_shows_progress(harness: Harness, qtbot, store, shipped: Path) -> None:
    total = len(list(shipped.iterdir()))
    gate, reached = threading.Event(), threading.Event()
    queue = harness.queue()
    worker = harness.worker(queue, {"import": gated_import(store, 5, gate, reached)})
    panel = harness.panel(queue, worker)
    progress_seen: list[tuple[int, int, int, str]] = []
    worker.progress.connect(lambda *a: progress_seen.append(a))

    job_id = queue.submit("import", import_params([shipped]))
    qtbot.waitUntil(lambda: cell(panel, job_id, PROGRESS) == f"5 of {total}", timeout=WAIT_MS)
    assert cell(panel, job_id, STATE) == "Running"
    assert cell(panel, job_id, ATTEMPTS) == "1 of 3"
    assert (
        cell(panel, job_id, STATE, Qt.ItemDataRole.ForegroundRole).color()
        == STATE_COLOURS[JobState.RUNNING]
    )
    qtbot.waitUntil(lambda: any(p[:3] == (job_id, 5, total) for p in progress_seen))
    assert panel.model.rowCount() == 1
    panel.select_job(job_id)
    assert buttons(panel) == (True, False, False, True)  # cancel and log only
    panel.grab()  # paints the progress bar delegate

    with qtbot.waitSignal(worker.finished, timeout=WAIT_MS) as finished:
        gate.set()
    assert finished.args[0] == job_id
    assert finished.args[1].startswith("imported ")
    qtbot.waitUntil(lambda: cell(panel, job_id, STATE) == "Done")  # the panel's own signal
    assert cell(panel, job_id, PROGRESS) == f"{total} of {total}"
    assert buttons(panel) == (False, False, True, True)
    assert store.index.count("instance") > 30
    panel.grab()


def test_cancel_stops_a_running_import(harness: Harness, qtbot, store, shipped: Path) -> None:
    total = len(list(shipped.iterdir()))
    gate, reached = threading.Event(), threading.Event()
    queue = harness.queue()
    worker = harness.worker(queue, {"import": gated_import(store, 5, gate, reached)})
    panel = harness.panel(queue, worker)

    job_id = queue.submit("import", import_params([shipped]))
    qtbot.waitUntil(lambda: cell(panel, job_id, PROGRESS) == f"5 of {total}", timeout=WAIT_MS)
    panel.select_job(job_id)
    click(qtbot, panel.cancel_button)
    qtbot.waitUntil(lambda: cell(panel, job_id, STATE) == "Cancelled", timeout=WAIT_MS)
    job = queue.get(job_id)
    assert job.state is JobState.CANCELLED and job.done == 5
    assert store.index.count("instance") <= 5
    assert buttons(panel) == (False, True, True, True)
    assert any("cancelled after 5 of" in line for line in job.log)

    # and run again to the end
    gate.set()
    with qtbot.waitSignal(worker.finished, timeout=WAIT_MS):
        click(qtbot, panel.retry_button)
    qtbot.waitUntil(lambda: cell(panel, job_id, STATE) == "Done")  # the panel's own signal
    assert cell(panel, job_id, ATTEMPTS) == "1 of 3"


def test_cancel_a_waiting_job(harness: Harness, qtbot) -> None:
    queue = harness.queue()
    panel = harness.panel(queue)  # no worker: the job stays queued
    job_id = queue.submit("import", import_params(["/nowhere"]))
    qtbot.waitUntil(lambda: panel.model.row_of(job_id) is not None)
    assert cell(panel, job_id, STATE) == "Waiting"
    panel.select_job(job_id)
    assert buttons(panel) == (True, False, True, True)
    click(qtbot, panel.cancel_button)
    qtbot.waitUntil(lambda: cell(panel, job_id, STATE) == "Cancelled")
    assert queue.get(job_id).state is JobState.CANCELLED


# -- failures and retry ----------------------------------------------------------------------
def test_failing_job_can_be_retried(harness: Harness, qtbot) -> None:
    outcomes = [ConnectionError("peer not answering"), PermanentJobError("peer rejected us")]

    def flaky(params, progress, cancel, log):
        if outcomes:
            raise outcomes.pop(0)
        return "sent 3 images"

    queue = harness.queue(backoff_base_s=0.05)
    worker = harness.worker(queue, {"send": flaky})
    panel = harness.panel(queue, worker)
    failures: list[tuple[int, str]] = []
    worker.failed.connect(lambda *a: failures.append(a))

    # attempt 1: retryable, queued again after 0.05 s; attempt 2: permanent
    with qtbot.waitSignal(worker.failed, timeout=WAIT_MS):
        job_id = queue.submit("send", {"node": "PACS"}, max_attempts=3)
    assert failures == [(job_id, "peer rejected us")]
    qtbot.waitUntil(lambda: cell(panel, job_id, STATE) == "Failed")  # the panel's own signal
    assert cell(panel, job_id, ERROR) == "peer rejected us"
    assert cell(panel, job_id, ATTEMPTS) == "2 of 3"
    assert (
        cell(panel, job_id, STATE, Qt.ItemDataRole.ForegroundRole).color()
        == STATE_COLOURS[JobState.FAILED]
    )
    job = queue.get(job_id)
    assert any("attempt 1 of 3 failed: peer not answering" in line for line in job.log)

    panel.select_job(job_id)
    assert buttons(panel) == (False, True, True, True)
    with qtbot.waitSignal(worker.finished, timeout=WAIT_MS) as finished:
        click(qtbot, panel.retry_button)
    assert finished.args == [job_id, "sent 3 images"]
    qtbot.waitUntil(lambda: cell(panel, job_id, STATE) == "Done")  # the panel's own signal
    assert cell(panel, job_id, ERROR) == ""
    assert cell(panel, job_id, ATTEMPTS) == "1 of 3"
    assert len(failures) == 1


def test_remove_takes_the_job_off_the_list(harness: Harness, qtbot) -> None:
    queue = harness.queue()
    panel = harness.panel(queue)
    keep = queue.submit("import", import_params(["/a"]))
    gone = queue.submit("import", import_params(["/b", "/c", "/d"]))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    assert panel.model.row_of(gone) == 0  # newest first
    assert cell(panel, gone, 1) == "/b and 2 more"
    panel.select_job(gone)
    click(qtbot, panel.remove_button)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert queue.get(gone) is None and panel.model.row_of(keep) == 0
    assert buttons(panel) == (False, False, False, False)  # nothing selected any more


# -- restart ------------------------------------------------------------------------------------
def test_jobs_and_states_come_back_after_reopening(
    harness: Harness, qtbot, store, shipped: Path
) -> None:
    gate, reached = threading.Event(), threading.Event()
    queue = harness.queue()
    done = queue.submit("send", {"n": 1})
    failed = queue.submit("send", {"n": 2})
    cancelled = queue.submit("send", {"n": 3})
    crashed = queue.submit("send", {"n": 4}, max_attempts=1)
    queue.cancel(cancelled)
    for job_id in (done, failed, crashed):
        assert queue.claim_next().id == job_id
    queue.finish(done, "sent")
    queue.fail(failed, "association rejected", permanent=True)
    # `crashed` is left running, as by a killed process; an import runs in the worker
    worker = harness.worker(queue, {"import": gated_import(store, 3, gate, reached)})
    importing = queue.submit("import", import_params([shipped]))
    assert reached.wait(10)
    panel = harness.panel(queue, worker)
    assert cell(panel, importing, STATE) == "Running"
    before = {j.id: j.state for j in queue.list()}

    harness.close_all()  # the program stops: the worker's job is queued again
    queue = harness.queue()
    states = {j.id: j.state for j in queue.list()}
    assert states == {**before, importing: JobState.QUEUED}
    assert queue.get(importing).attempts == 0
    queue.recover()
    panel = harness.panel(queue)
    assert cell(panel, done, STATE) == "Done"
    assert cell(panel, failed, STATE) == "Failed"
    assert cell(panel, failed, ERROR) == "association rejected"
    assert cell(panel, cancelled, STATE) == "Cancelled"
    assert queue.get(crashed).last_error == INTERRUPTED
    assert cell(panel, crashed, STATE) == "Failed"  # its only attempt was used up
    assert cell(panel, crashed, ERROR) == "Interrupted by a restart"
    assert cell(panel, importing, STATE) == "Waiting"
    assert [panel.model.job_at(r).id for r in range(5)] == [
        importing,
        crashed,
        cancelled,
        failed,
        done,
    ]

    # the next start picks the import up and finishes it
    gate.set()
    worker = harness.worker(queue, {"import": import_handler(store)})
    panel.worker = worker
    qtbot.waitUntil(lambda: cell(panel, importing, STATE) == "Done", timeout=WAIT_MS)
    assert queue.get(importing).attempts == 1


# -- buttons per state, log ------------------------------------------------------------------
def test_buttons_follow_the_selected_jobs_state(harness: Harness, qtbot) -> None:
    queue = harness.queue()
    ids = {
        name: queue.submit("send", {"n": name})
        for name in ("running", "cancelling", "succeeded", "failed")
    }
    for job_id in ids.values():
        assert queue.claim_next().id == job_id
    ids["queued"] = queue.submit("send", {})
    ids["cancelled"] = queue.submit("send", {})
    queue.cancel(ids["cancelling"])
    queue.finish(ids["succeeded"], "ok")
    queue.fail(ids["failed"], "no", permanent=True)
    queue.cancel(ids["cancelled"])
    panel = harness.panel(queue)
    assert buttons(panel) == (False, False, False, False)

    expected = {  # cancel, retry, remove, log
        "queued": ("Waiting", (True, False, True, True)),
        "running": ("Running", (True, False, False, True)),
        "cancelling": ("Cancelling…", (False, False, False, True)),
        "succeeded": ("Done", (False, False, True, True)),
        "failed": ("Failed", (False, True, True, True)),
        "cancelled": ("Cancelled", (False, True, True, True)),
    }
    for name, (words, enabled) in expected.items():
        panel.select_job(ids[name])
        assert cell(panel, ids[name], STATE) == words, name
        assert buttons(panel) == enabled, name

    # several selected: each action for those it applies to
    panel.table.selectAll()
    assert buttons(panel) == (True, True, True, False)
    click(qtbot, panel.remove_button)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    assert {j.state for j in queue.list()} == {JobState.RUNNING}

    # a state change of the selected job updates the buttons
    panel.select_job(ids["running"])
    assert buttons(panel) == (True, False, False, True)
    queue.fail(ids["running"], "boom", permanent=True)
    qtbot.waitUntil(lambda: buttons(panel) == (False, True, True, True))


def test_double_click_shows_the_log(harness: Harness, qtbot) -> None:
    queue = harness.queue()
    job_id = queue.submit("import", import_params(["/a"]))
    queue.append_log(job_id, "skipped /a/x.txt: Not a DICOM file")
    panel = harness.panel(queue)
    row = panel.model.row_of(job_id)
    rect = panel.table.visualRect(panel.model.index(row, 1))
    viewport = panel.table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())  # Qt wants a press
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: bool(panel.findChildren(JobLogDialog)))
    dialog = panel.findChildren(JobLogDialog)[0]
    assert "skipped /a/x.txt: Not a DICOM file" in dialog.text.toPlainText()
    assert dialog.windowTitle() == f"Log of Import #{job_id}"
    dialog.close()


# -- every job kind the runtime registers has a name in the panel ---------------------------
def test_every_registered_job_kind_is_named_in_words(harness: Harness) -> None:
    from workstation.runtime import JOB_KINDS

    panel = harness.panel(harness.queue())
    kinds = [k.name for k in JOB_KINDS]
    assert kinds, "no job kinds registered"
    for kind in kinds:
        text = panel.model.kind_text(kind)
        assert text and text != kind, f"job kind {kind!r} shown raw in the jobs panel"
