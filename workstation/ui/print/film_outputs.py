"""The composer's outputs: the films as print jobs on the DICOM printer (and what became
of them), a PDF at film size (written off the GUI thread, cancellable) and the system
printer (QPrinter), one film-size page per film. The PDF and the system printer take the
rasters the preview already rendered; a sheet not rendered yet is rendered here, by the
same ``render_sheet``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, QSizeF, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QGroupBox, QPushButton, QVBoxLayout, QWidget

from workstation.config.settings import PrinterProfile
from workstation.errors import PrintOutputError, WorkstationError
from workstation.imaging.film_render import SheetRaster, render_sheet
from workstation.jobs import JobQueue, JobState
from workstation.printing.film import Sheet
from workstation.services import print_job
from workstation.services.film_composer import FilmComposer
from workstation.services.print_pdf import write_sheets_pdf
from workstation.ui.messages import error_text
from workstation.ui.print.film_preview import film_qimage

log = logging.getLogger(__name__)


class PdfWriter(QObject):
    """One PDF at a time: ``page(done, total)`` before each page, then
    ``finished(path, error)`` (error "" when written, None when cancelled)."""

    page = Signal(int, int)
    finished = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, path: Path, sheets: Sequence[Sheet],
              rendered: Mapping[int, SheetRaster]) -> bool:  # fmt: skip
        """Write ``sheets`` to ``path``; False when a PDF is being written already."""
        if self.running():
            return False
        self._cancel.clear()
        rendered = dict(rendered)

        def on_page(done: int, total: int) -> None:
            if self._cancel.is_set():
                raise InterruptedError
            self.page.emit(done, total)

        def work() -> None:
            error: str | None = ""
            try:
                write_sheets_pdf(path, sheets, title="films", rendered=rendered, on_page=on_page)
            except InterruptedError:
                error = None
            except WorkstationError as exc:
                error = error_text(exc)
            except Exception as exc:  # a sheet that cannot be drawn: say it
                log.exception("PDF not written")
                error = str(exc) or type(exc).__name__
            try:
                self.finished.emit(str(path), error)
            except RuntimeError:  # the owner is gone (shutdown)
                pass

        self._thread = threading.Thread(target=work, name="film-pdf", daemon=True)
        self._thread.start()
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout_s: float) -> bool:
        """Wait (bounded) for the PDF being written; True when none is left."""
        if self._thread is not None:
            self._thread.join(timeout_s)
        return not self.running()


def print_on(printer: QPrinter, sheets: Sequence[Sheet],
             rendered: Mapping[int, SheetRaster]) -> None:  # fmt: skip
    """Each sheet on its own page of the film's size, the raster filling the page.
    Raises :class:`PrintOutputError` when the printer cannot be opened."""
    spec = sheets[0].spec
    width, height = spec.film_mm
    page = QPageSize(QSizeF(width, height), QPageSize.Unit.Millimeter, spec.film_size_id)
    printer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait,
                                      QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter))  # fmt: skip
    printer.setFullPage(True)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintOutputError(path=printer.printerName() or printer.outputFileName(),
                               reason="the system printer cannot be opened")  # fmt: skip
    try:
        for number, sheet in enumerate(sheets):
            if number:
                printer.newPage()
            raster = rendered.get(number) or render_sheet(sheet)
            painter.drawImage(painter.viewport(),
                              film_qimage(raster.film, 8 if spec.color else spec.bits))
    finally:
        painter.end()


class FilmOutputs(QGroupBox):
    """The "Output" group: Print films, Save as PDF…, System printer…. ``said(text,
    error)`` carries what the composer shows in its banner."""

    said = Signal(str, bool)

    def __init__(
        self,
        composer: FilmComposer,
        printer: Callable[[], PrinterProfile | None],
        rendered: Callable[[], dict[int, SheetRaster]],
        queue_limit: Callable[[], int],
        queue: JobQueue | None,
        wake: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Output"), parent)
        self.composer, self.printer, self.rendered = composer, printer, rendered
        self.queue_limit, self.queue, self.wake = queue_limit, queue, wake
        self.jobs: dict[int, str] = {}  # print jobs started here -> printer name
        self.pdf = PdfWriter(self)
        self.pdf.page.connect(self._on_pdf_page)
        self.pdf.finished.connect(self._on_pdf_done)
        box = QVBoxLayout(self)
        self.print_button = QPushButton(self.tr("Print films"), self)
        self.print_button.setObjectName("printFilms")
        self.pdf_button = QPushButton(self.tr("Save as PDF…"), self)
        self.system_button = QPushButton(self.tr("System printer…"), self)
        self.print_button.clicked.connect(self.print_films)
        self.pdf_button.clicked.connect(self._pdf_clicked)
        self.system_button.clicked.connect(lambda: self.print_system())
        for w in (self.print_button, self.pdf_button, self.system_button):
            box.addWidget(w)

    def update_buttons(self) -> None:
        images = bool(self.composer.images)
        self.pdf_button.setEnabled(images)
        self.system_button.setEnabled(images)
        self.print_button.setEnabled(images and self.printer() is not None)

    def _say(self, text: str, error: bool = False) -> None:
        self.said.emit(text, error)

    def _nothing_to_output(self) -> bool:
        if not self.composer.images:
            self._say(self.tr("The films hold no image yet."), True)
            return True
        return False

    # -- print jobs ------------------------------------------------------------------------
    def print_films(self) -> list[int]:
        """Queue the films as print jobs on the chosen printer (at most the printer
        queue's limit of sheets per job); the job ids."""
        printer = self.printer()
        if printer is None or self.queue is None:
            self._say(self.tr("Choose a DICOM printer to print films on."), True)
            return []
        if self._nothing_to_output():
            return []
        ids = []
        try:
            for first, count in self.composer.job_batches(self.queue_limit()):
                params = self.composer.job_params(printer.name, first, count)
                job_id = self.queue.submit(print_job.KIND, params,
                                           max_attempts=print_job.max_attempts(printer))  # fmt: skip
                self.jobs[job_id] = printer.name
                ids.append(job_id)
        except WorkstationError as exc:
            self._say(error_text(exc), True)
            return ids
        self.wake()
        self._say(self.tr("%n film(s) queued for printer %1 (job %2). The Jobs panel shows "
                          "the progress.", "", self.composer.sheet_count)
                  .replace("%1", printer.name).replace("%2", ", ".join(str(i) for i in ids)))  # fmt: skip
        return ids

    def on_job_changed(self, job_id: int) -> bool:
        """A job moved on: for a print job started here, say how it went; True when it
        failed for good."""
        if job_id not in self.jobs or self.queue is None:
            return False
        job = self.queue.get(job_id)
        if job is None:
            return False
        printer = self.jobs[job_id]
        if job.state == JobState.FAILED:
            self._say(self.tr("Films not printed on %1: %2 The films are kept: Retry in the "
                              "Jobs panel prints them again.").replace("%1", printer)
                      .replace("%2", _sentence(job.last_error or job.message or "")), True)  # fmt: skip
            return True
        if job.state == JobState.SUCCEEDED:
            self._say(self.tr("Job %1: films printed on %2.").replace("%1", str(job_id))
                      .replace("%2", printer))  # fmt: skip
        elif job.state == JobState.QUEUED and job.attempts and job.last_error:
            self._say(self.tr("Printer %1 did not take the films (%2); trying again (attempt "
                              "%3 of %4).").replace("%1", printer).replace("%2", job.last_error)
                      .replace("%3", str(job.attempts + 1))
                      .replace("%4", str(job.max_attempts)), True)  # fmt: skip
        return False

    # -- PDF and the system printer --------------------------------------------------------
    def _pdf_clicked(self) -> None:
        if self.pdf.running():
            self.pdf.cancel()
        else:
            self.save_pdf()

    def save_pdf(self, path: str | Path | None = None) -> bool:
        """Write the films to a PDF at film size (off the GUI thread); False when nothing
        was started."""
        if self._nothing_to_output() or self.pdf.running():
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save films as PDF"),
                                                  "films.pdf", self.tr("PDF (*.pdf)"))  # fmt: skip
            if not path:
                return False
        if not self.pdf.start(Path(path), self.composer.sheets(), self.rendered()):
            return False
        self.pdf_button.setText(self.tr("Cancel PDF"))
        return True

    def _on_pdf_page(self, done: int, total: int) -> None:
        self._say(self.tr("Writing the PDF: film %1 of %2…").replace("%1", str(done + 1))
                  .replace("%2", str(total)))  # fmt: skip

    def _on_pdf_done(self, path: str, error: object) -> None:
        self.pdf_button.setText(self.tr("Save as PDF…"))
        if error is None:
            self._say(self.tr("PDF not written: %1").replace("%1", self.tr("cancelled")), True)
        elif error:
            self._say(self.tr("PDF not written: %1").replace("%1", str(error)), True)
        else:
            self._say(self.tr("Films saved as %1 (film size, print at 100 %).")
                      .replace("%1", path))  # fmt: skip

    def print_system(self, printer: QPrinter | None = None) -> bool:
        """Print the films on a system printer (a dialog chooses it unless given), one
        page per film at the film's size; True when printed."""
        if self._nothing_to_output():
            return False
        if printer is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            if QPrintDialog(printer, self).exec() != QPrintDialog.DialogCode.Accepted:
                return False
        sheets = self.composer.sheets()
        try:
            print_on(printer, sheets, self.rendered())
        except WorkstationError as exc:
            self._say(error_text(exc), True)
            return False
        self._say(self.tr("%n film(s) sent to the system printer.", "", len(sheets)))
        return True

    def shutdown(self) -> None:
        self.pdf.cancel()
        self.pdf.wait(5.0)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."
