"""A printer's status from N-GET, shown where a print is started.

:class:`PrinterStatusLabel` asks the printer (Printer SOP instance N-GET on its own
association, ``net/scu/print.printer_status``) on a plain Python thread, as
``ui/service/echo_runner.py`` does, and shows the answer: Printer Status NORMAL (green),
WARNING or FAILURE with the Printer Status Info (amber, red), or why the printer could
not be asked, in words (red). A newer probe supersedes one still running: only the last
one's answer is shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from workstation.config.settings import PrinterProfile
from workstation.errors import WorkstationError
from workstation.net.association import LocalAE
from workstation.net.scu.print import PrinterStatus, printer_status
from workstation.ui.messages import error_text

COLOURS = {"NORMAL": "#1d6b1d", "WARNING": "#9a6700", "FAILURE": "#b00020", "": "#b00020"}


class PrinterStatusLabel(QLabel):
    """``status_changed(printer name, NORMAL | WARNING | FAILURE | "" (not reached), text)``."""

    status_changed = Signal(str, str, str)
    _answered = Signal(int, str, object, str)  # probe number, name, PrinterStatus, error

    def __init__(self, local_ae: Callable[[], LocalAE], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printerStatus")
        self.setWordWrap(True)
        self.local_ae = local_ae
        self._probe = 0
        self._threads: list[threading.Thread] = []
        self._last = ("", "", "")
        self._answered.connect(self._on_answer)

    def last(self) -> tuple[str, str, str]:
        """The last answer shown: (printer name, status, text); status "" while asking or
        when the printer was not reached."""
        return self._last

    def probe(self, printer: PrinterProfile | None, *, color: bool | None = None) -> None:
        """Ask ``printer`` for its status (None: say that no printer is chosen)."""
        self._probe += 1
        if printer is None:
            self._show("", "", self.tr("No DICOM printer chosen: films go to PDF or the "
                                       "system printer."), "#555555")  # fmt: skip
            return
        self._last = (printer.name, "", "")
        self.setText(self.tr("Asking printer %1 for its status…").replace("%1", printer.name))
        self.setStyleSheet("color: #555555;")
        number, name = self._probe, printer.name
        local = self.local_ae()
        use_color = printer.color if color is None else color

        def work() -> None:
            status, error = None, ""
            try:
                status = printer_status(printer, local, color=use_color)
            except WorkstationError as exc:
                error = error_text(exc)
            except Exception as exc:  # a bug must still end the "asking" state
                error = str(exc) or type(exc).__name__
            try:
                self._answered.emit(number, name, status, error)
            except RuntimeError:  # the label was deleted meanwhile
                pass

        self._threads = [t for t in self._threads if t.is_alive()]
        thread = threading.Thread(target=work, name=f"printer-status-{name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _on_answer(self, number: int, name: str, status: object, error: str) -> None:
        if number != self._probe:
            return  # a newer probe was started
        if not isinstance(status, PrinterStatus):
            self._show(name, "", self.tr("Printer %1 not reached: %2").replace("%1", name)
                       .replace("%2", error), COLOURS[""])  # fmt: skip
            return
        value = (status.status or "").strip().upper()
        words = {"NORMAL": self.tr("ready"), "WARNING": self.tr("warning"),
                 "FAILURE": self.tr("failure")}  # fmt: skip
        text = self.tr("● %1: %2 (%3)").replace("%1", name).replace("%2", value or "?")\
            .replace("%3", words.get(value, self.tr("status not known")))  # fmt: skip
        if status.info and status.info.strip().upper() != value:
            text += " — " + status.info
        model = " ".join(p for p in (status.manufacturer, status.model) if p)
        if status.name or model:
            text += "\n" + " · ".join(p for p in (status.name, model) if p)
        self._show(name, value if value in COLOURS else "WARNING", text,
                   COLOURS.get(value, COLOURS["WARNING"]))  # fmt: skip

    def _show(self, name: str, status: str, text: str, colour: str) -> None:
        self._last = (name, status, text)
        self.setText(text)
        self.setStyleSheet(f"color: {colour};")
        self.status_changed.emit(name, status, text)

    def wait(self, timeout_s: float) -> bool:
        """Wait (bounded) for running probes; True when none is left running."""
        for thread in list(self._threads):
            thread.join(timeout_s)
        return not any(t.is_alive() for t in self._threads)
