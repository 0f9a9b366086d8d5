"""Screenshots of the main window under Xvfb, to look at the GUI as a user would.

Starts Xvfb on a free display number, runs itself inside it (``--inside``) with Qt's
real X11 (xcb) platform plugin, and saves PNGs taken with ``QWidget.grab()``:

  browser.png        the patient browser over the pydicom sample data, a study with
                     several series selected, its thumbnails loaded
  search.png         the browser filtered (modality MR, last 30 days off: any date)
  jobs.png           the job panel while an import runs (progress bar in the status bar)
  import_summary.png the summary shown when that import ended, details open
  after_import.png   the imported study found by name, its four series as thumbnails

Xvfb is stopped by its pid at the end. If Qt's xcb plugin does not load, rerun with
``QT_DEBUG_PLUGINS=1`` to see the missing library (DESIGN.md section 8 lists the Debian
packages; ``installer/install-test-deps.sh`` installs them).

Run by hand: ``.venv/bin/python benchmarks/screenshots.py [--out /tmp/screens]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
XVFB_START_TIMEOUT_S = 20.0
INSIDE_TIMEOUT_S = 300.0
SCREEN = "1600x1000x24"


# -- outside: Xvfb -------------------------------------------------------------------------
def free_display() -> int:
    """A display number with neither a lock file nor a socket."""
    for n in range(90, 200):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise RuntimeError("no free X display number between :90 and :199")


def start_xvfb(display: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        ["Xvfb", f":{display}", "-screen", "0", SCREEN, "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + XVFB_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if Path(f"/tmp/.X11-unix/X{display}").exists():
            return proc
        if proc.poll() is not None:
            raise RuntimeError(f"Xvfb exited: {proc.stderr.read().decode(errors='replace')}")
        time.sleep(0.05)
    stop(proc)
    raise RuntimeError(f"Xvfb :{display} did not come up in {XVFB_START_TIMEOUT_S} s")


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout)


def outside(out: Path, script: Path | None = None) -> int:
    """Run ``script`` (this one by default) with ``--inside`` on a fresh Xvfb display."""
    display = free_display()
    xvfb = start_xvfb(display)
    try:
        env = dict(os.environ)
        env["DISPLAY"] = f":{display}"
        env.pop("QT_QPA_PLATFORM", None)  # the real xcb plugin, not offscreen
        env.pop("WAYLAND_DISPLAY", None)
        script = (script or Path(__file__)).resolve()
        cmd = [sys.executable, str(script), "--inside", "--out", str(out)]
        proc = subprocess.Popen(cmd, env=env, cwd=REPO)
        try:
            return proc.wait(INSIDE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            stop(proc)
            print("screenshots: timed out", file=sys.stderr)
            return 1
    finally:
        stop(xvfb)


# -- inside: the application -----------------------------------------------------------------
def inside(out: Path) -> int:
    warnings.simplefilter("ignore")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("pydicom").setLevel(logging.ERROR)
    sys.path.insert(0, str(REPO))
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from workstation.config import Settings, parse_node_spec
    from workstation.samples import sample_paths
    from workstation.store import LocalStore, import_paths

    app = QApplication([sys.argv[0]])
    print(f"Qt platform: {app.platformName()}")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ws-screens-"))
    data = work / "store"
    with LocalStore(data, min_free_space_mb=0) as store:
        report = import_paths(store, sample_paths())
    print(f"sample store: {len(report.imported)} instances imported")
    big = work / "to-import"
    copies = make_copies(big, 400)
    port = free_port()
    settings = Settings(
        ae_title="READING1",
        port=port,
        bind_address="127.0.0.1",
        data_dir=data,
        min_free_space_mb=0,
        remote_nodes=(
            # the node itself (so an echo from the service dialog has a peer on loopback)
            parse_node_spec(f"This workstation=READING1@127.0.0.1:{port}"),
            parse_node_spec(f"Archive (offline)=PACS@127.0.0.1:{free_port()}"),
        ),
    )

    from workstation.app import Workstation

    station = Workstation(settings, work / "gui.ini", offer_samples=False)

    def wait(predicate: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if predicate():
                return
            time.sleep(0.01)
        raise RuntimeError(f"timed out waiting for {what}")

    def pause(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    window = station.window
    window.resize(1560, 940)
    station.start()
    wait(lambda: not station.checking, 60, "the store check")
    browser = window.browser
    wait(lambda: browser.study_model.rowCount() > 0, 10, "studies")
    browser.select_study(showcase_study(station.store))
    series = browser.series_model.rows()
    wait(
        lambda: all(
            browser.strip.has_thumbnail(s.series_uid) for s in series if s.thumbnail_rel_path
        ),
        60,
        "thumbnails",
    )
    pause(300)
    save(window.grab(), out / "browser.png")

    browser.search.set_modality("MR")
    wait(lambda: browser.study_model.filter.modality == "MR", 5, "filter")
    browser.study_table.selectRow(0)
    pause(800)
    save(window.grab(), out / "search.png")
    browser.search.clear()

    job_id = window.importer.submit([big])
    wait(
        lambda: window.import_progress.isVisible() and window.import_progress.value() > 40,
        60,
        "import progress",
    )
    window.jobs_panel.select_job(job_id)
    pause(200)
    save(window.grab(), out / "jobs.png")
    wait(lambda: window.importer.last_summary is not None, 120, "import end")
    pause(300)
    boxes = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]
    for box in boxes:
        for button in box.buttons():
            if box.buttonRole(button) == QMessageBox.ButtonRole.ActionRole:
                button.click()  # "Show Details..."
        pause(300)
        save(box.grab(), out / "import_summary.png")
        box.close()
    browser.search.name_edit.setText("import")
    browser.search.emit_filter()
    browser.study_table.selectRow(0)
    imported = browser.series_model.rows()
    wait(
        lambda: (
            len(imported) == 4 and all(browser.strip.has_thumbnail(s.series_uid) for s in imported)
        ),
        60,
        "thumbnails of the imported study",
    )
    pause(300)
    save(window.grab(), out / "after_import.png")
    print(f"import summary: {window.importer.last_summary}")
    print(f"copies made: {len(copies)}")
    service_dialog_screens(station, work, out, wait, pause)
    window.close()
    pause(100)
    return 0


def service_dialog_screens(station, work: Path, out: Path, wait, pause) -> None:
    """The service dialog's node page, and its remote nodes page after an Echo.

    Opened directly (the password prompt in front of it is not what is being shown)."""
    from workstation.ui.service import ServiceContext
    from workstation.ui.service.service_dialog import ServiceDialog

    context = ServiceContext(station.settings, work / "settings.json", lambda _s: None)
    dialog = ServiceDialog(context, station.window)
    dialog.resize(900, 640)
    dialog.show()
    pause(300)
    save(dialog.grab(), out / "service_node.png")
    page = dialog.nodes_page
    dialog.tabs.setCurrentWidget(page)
    for row in (1, 0):  # the offline archive first (a refusal), then the node itself
        page.table.selectRow(row)
        page.echo_selected()
        wait(lambda: not page.runner.running(), 30, "the echo")
        pause(300)
        save(dialog.grab(), out / ("service_echo.png" if row == 0 else "service_echo_fail.png"))
    dialog.close()


def showcase_study(store) -> str:
    """The study whose series show the strip best: most series of real-sized images."""
    with store.index.reader() as c:
        row = c.execute(
            "SELECT st.study_uid, COUNT(DISTINCT s.id) AS n FROM study st"
            " JOIN series s ON s.study_fk = st.id JOIN instance i ON i.series_fk = s.id"
            " WHERE i.rows >= 128 GROUP BY st.id ORDER BY n DESC, MAX(i.rows) DESC LIMIT 1"
        ).fetchone()
    return row[0]


def pump(ms: int) -> None:
    """Let Qt process events for ``ms`` milliseconds (the screenshot scripts' pause)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + ms / 1000
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.01)


def save(pixmap, path: Path) -> None:
    if not pixmap.save(str(path)):
        raise RuntimeError(f"cannot save {path}")
    print(f"saved {path} ({pixmap.width()}x{pixmap.height()})")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_copies(folder: Path, count: int) -> list[Path]:
    """``count`` copies of pydicom's CT_small (one new study, 4 series) to import."""
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.uid import generate_uid

    folder.mkdir(parents=True)
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.StudyInstanceUID = generate_uid()
    ds.PatientName = "Import^Demo"
    ds.PatientID = "DEMO-001"
    series = [generate_uid() for _ in range(4)]
    made = []
    for n in range(count):
        ds.SeriesInstanceUID = series[n % 4]
        ds.SeriesNumber = n % 4 + 1
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = n // 4 + 1
        path = folder / f"ct{n:04d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        made.append(path)
    (folder / "notes.txt").write_text("not a DICOM file\n")  # shows up as skipped
    return made


def script_main(doc: str, inside_fn: Callable[[Path], int], script: Path | None = None) -> int:
    """The command line of a screenshot script: ``[--out DIR]`` runs ``script`` again on
    a fresh Xvfb display with ``--inside``, which calls ``inside_fn(out)`` there."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/screens"))
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        return inside_fn(args.out)
    return outside(args.out, script)


def main() -> int:
    return script_main(__doc__, inside)


if __name__ == "__main__":
    sys.exit(main())
