"""Import from the GUI: choose files, a folder or a DICOMDIR; run it as an import job.

The work runs in the job queue (``services/import_job.py``), so it shows in the job
panel, survives a restart and can be cancelled there. This controller only builds the
job's parameters on the GUI thread, follows its progress for the status bar and, when
it ends, shows a summary with every skipped file and the reason (from the job log).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from workstation.jobs import Job, JobQueue, JobState
from workstation.services.import_job import KIND, import_params
from workstation.ui.job_worker import JobWorker

log = logging.getLogger(__name__)

LAST_DIR_KEY = "import/last_dir"
_STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")  # the job log's time stamp


class ImportController(QObject):
    """Submits import jobs and reports on them; ``progress(done, total, file)`` while one runs."""

    progress = Signal(int, int, str)
    #: an import job of ours started (True) or none is running any more (False)
    running_changed = Signal(bool)
    #: an import job ended (job id); the browser refreshes on this
    import_ended = Signal(int)

    def __init__(
        self,
        queue: JobQueue,
        worker: JobWorker | None,
        window: QWidget,
        ui_state: QSettings | None = None,
    ) -> None:
        super().__init__(window)
        self.queue = queue
        self.worker = worker
        self.window = window
        self.ui_state = ui_state
        self._jobs: set[int] = set()
        self.last_summary: tuple[str, str] | None = None  # (text, details) for tests
        self._dialogs: list[QMessageBox] = []
        if worker is not None:
            worker.progress.connect(self._on_progress)
            worker.finished.connect(self._on_finished)
            worker.failed.connect(self._on_failed)
            worker.job_changed.connect(self._on_changed)

    # -- choosing --------------------------------------------------------------------------
    def _last_dir(self) -> str:
        value = self.ui_state.value(LAST_DIR_KEY, "") if self.ui_state else ""
        return str(value or Path.home())

    def _remember_dir(self, path: Path) -> None:
        if self.ui_state is not None:
            self.ui_state.setValue(LAST_DIR_KEY, str(path))

    def import_files(self) -> int | None:
        files, _ = QFileDialog.getOpenFileNames(
            self.window,
            self.tr("Import DICOM files"),
            self._last_dir(),
            self.tr("DICOM files (*.dcm *.DCM *.dicom *.ima *.IMA);;All files (*)"),
        )
        if not files:
            return None
        self._remember_dir(Path(files[0]).parent)
        return self.submit([Path(f) for f in files])

    def import_folder(self) -> int | None:
        folder = QFileDialog.getExistingDirectory(
            self.window, self.tr("Import a folder (with its subfolders)"), self._last_dir()
        )
        if not folder:
            return None
        self._remember_dir(Path(folder))
        return self.submit([Path(folder)])

    def import_dicomdir(self) -> int | None:
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            self.tr("Import a DICOMDIR (CD, DVD or USB medium)"),
            self._last_dir(),
            self.tr("DICOMDIR (DICOMDIR dicomdir);;All files (*)"),
        )
        if not path:
            return None
        self._remember_dir(Path(path).parent)
        return self.submit([Path(path)])

    # -- jobs ------------------------------------------------------------------------------
    def submit(self, paths: list[Path]) -> int:
        """Queue an import of ``paths``; returns the job id."""
        job_id = self.queue.submit(KIND, import_params(paths))
        self._jobs.add(job_id)
        self.running_changed.emit(True)
        if self.worker is not None:
            self.worker.wake()
        return job_id

    def tracked_jobs(self) -> set[int]:
        return set(self._jobs)

    def _on_progress(self, job_id: int, done: int, total: int, message: str) -> None:
        if job_id in self._jobs:
            self.progress.emit(done, total, message)

    def _on_changed(self, job_id: int) -> None:
        if job_id not in self._jobs:
            return
        job = self.queue.get(job_id)
        if job is None or job.state is JobState.CANCELLED:
            self._end(job_id, job)

    def _on_finished(self, job_id: int, result: str) -> None:
        if job_id in self._jobs:
            self._end(job_id, self.queue.get(job_id))

    def _on_failed(self, job_id: int, error: str) -> None:
        if job_id in self._jobs:
            self._end(job_id, self.queue.get(job_id))

    def _end(self, job_id: int, job: Job | None) -> None:
        self._jobs.discard(job_id)
        self.import_ended.emit(job_id)
        if not self._jobs:
            self.running_changed.emit(False)
        if job is not None:
            self._show_summary(job)

    # -- summary ---------------------------------------------------------------------------
    def summary(self, job: Job) -> tuple[str, str, bool]:
        """(text, details, problem) of a finished import job."""
        lines = [_STAMP.sub("", line, count=1) for line in job.log]
        skipped = [line for line in lines if line.startswith(("skipped ", "... and "))]
        details = "\n".join(skipped)
        if job.state is JobState.SUCCEEDED:
            text = self.tr("Import finished: %1.").replace("%1", job.result or "")
            if skipped:
                text += "\n" + self.tr(
                    "Some files were not imported; see the details for each file and why."
                )
            return text, details, bool(skipped)
        if job.state is JobState.CANCELLED:
            return self.tr("Import cancelled: %1").replace("%1", job.result or ""), details, True
        error = job.last_error or ""
        return self.tr("Import failed: %1").replace("%1", error), details, True

    def _show_summary(self, job: Job) -> None:
        text, details, problem = self.summary(job)
        self.last_summary = (text, details)
        box = QMessageBox(
            QMessageBox.Icon.Warning if problem else QMessageBox.Icon.Information,
            self.tr("Import"),
            text,
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        if details:
            box.setDetailedText(details)
        box.finished.connect(lambda *_: self._dialogs.remove(box) if box in self._dialogs else None)
        self._dialogs.append(box)
        box.open()  # not modal to the application: the user keeps working

    def close_dialogs(self) -> None:
        for box in list(self._dialogs):
            box.close()
        self._dialogs.clear()
