"""Screenshots of the film composer under Xvfb, with DCMTK dcmprscp as the printer:

  film_ct_4x5.png      a 4x5 CT film on 14INX17IN at the printer's 4096 x 4976 matrix,
                       12 bit, film annotations on, a box selected; the printer status
  film_cr_1x2.png      a 1x2 portrait CR film (two chest images) with annotations and
                       true size asked (the note says why it is not possible)
  film_refused.png     a print the printer refused (a film size it does not take): the
                       reason in the composer, the films kept in the job queue
  printers_page.png    service mode's printer profiles, the selected printer tested
  printer_dialog.png   a profile's dialog after "Test printer"

dcmprscp runs on loopback from a temporary folder and is stopped by its pid at the end.
Run by hand: ``.venv/bin/python benchmarks/print_screens.py [--out /tmp/screens]``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import screenshots

REPO = Path(__file__).resolve().parents[1]
WAIT_S = 60.0


def wait(predicate, timeout: float = WAIT_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screenshots.pump(50)
        if predicate():
            return True
    return False


def inside(out: Path) -> int:
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(REPO))
    from pydicom.uid import generate_uid
    from PySide6.QtWidgets import QApplication

    from tests.generated_studies import series_files
    from tests.integration.print_support import PRINTER_AET, PrintSCP
    from workstation.config.settings import (
        FilmSizeEntry,
        PrinterProfile,
        PrintersSettings,
        Settings,
    )
    from workstation.jobs import JobState
    from workstation.runtime import Runtime
    from workstation.ui.print.composer_tab import ComposerTab

    app = QApplication([sys.argv[0]])
    print(f"Qt platform: {app.platformName()}")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ws-film-"))
    scp = PrintSCP(work / "scp", screenshots.free_port())
    scp.root.mkdir()
    proc = subprocess.Popen(["dcmprscp", "-c", str(scp.write_config()), "-p", PRINTER_AET],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        assert wait(scp.listening, 20), "dcmprscp did not start"
        laser = PrinterProfile(
            name="Laser 1", ae_title=PRINTER_AET, host="127.0.0.1", port=scp.port,
            film_sizes=(FilmSizeEntry(id="14INX17IN", matrix_cols=4096, matrix_rows=4976),
                        FilmSizeEntry(id="11INX14IN", matrix_cols=3300, matrix_rows=4200)),
            display_formats=("STANDARD\\4,5", "STANDARD\\1,2", "STANDARD\\2,2"),
            bits=12, mediums=("BLUE FILM", "CLEAR FILM", "PAPER"), retries=0,
        )  # fmt: skip
        settings = Settings(ae_title="MODALITY1", data_dir=work / "store", min_free_space_mb=0)
        settings = settings.model_copy(update={"printers": PrintersSettings(printers=(laser,))})
        rt = Runtime(settings)
        ct_study, cr_study = generate_uid(), generate_uid()
        who = {"PatientName": "Film^Demo", "PatientID": "FILM-014",
               "InstitutionName": "General Hospital"}  # fmt: skip
        _, _, paths = series_files(work / "in", 20, "CT_small.dcm", ct_study, 2, **who)
        for number, name in enumerate(("RG1_UNCR.dcm", "RG3_UNCR.dcm"), start=1):
            paths += series_files(work / "in", 1, name, cr_study, number, **who)[2]
        for path in paths:
            rt.store.add_file(path)
        rt.start(node=False)
        tab = ComposerTab(rt.store, lambda: rt.settings, rt.queue, rt.runner.wake)
        tab.setWindowTitle("Workstation — Film")
        tab.resize(1500, 960)
        tab.show()

        def rendered() -> bool:
            done = wait(lambda: not tab.rendering())
            screenshots.pump(300)  # the layout follows the notes under the film
            return done

        # 1. a 4x5 CT film
        tab.film.format_combo.setCurrentIndex(tab.film.format_combo.findData("STANDARD\\4,5"))
        tab.film.annotations_check.setChecked(True)
        tab.add_uids([ct_study])
        tab.composer.update(6, window=(40.0, 80.0))
        tab._select(6)
        assert wait(lambda: tab.film.status_label.last()[1] != ""), "no printer status"
        assert rendered()
        screenshots.save(tab.grab(), out / "film_ct_4x5.png")

        # 2. a 1x2 portrait CR film, annotations, true size asked
        tab.clear()
        tab.film.format_combo.setCurrentIndex(tab.film.format_combo.findData("STANDARD\\1,2"))
        tab.film.true_size_check.setChecked(True)
        tab.add_uids([cr_study])
        assert rendered()
        screenshots.save(tab.grab(), out / "film_cr_1x2.png")

        # 3. a film size the printer does not take: refused, kept
        tab.film.true_size_check.setChecked(False)
        tab.film.size_combo.setCurrentIndex(tab.film.size_combo.findData("11INX14IN"))
        assert rendered()
        [job_id] = tab.print_films()
        assert wait(lambda: rt.queue.get(job_id).state is JobState.FAILED), "not refused"
        tab.on_job_changed(job_id)
        screenshots.pump(300)
        screenshots.save(tab.grab(), out / "film_refused.png")
        tab.shutdown()

        # 4. service mode: the printers page tested, the profile's dialog
        from workstation.net.association import LocalAE
        from workstation.ui.service.printer_dialog import PrinterDialog
        from workstation.ui.service.printers_page import PrintersPage

        def local_ae() -> LocalAE:
            return LocalAE.from_settings(rt.settings)

        page = PrintersPage(rt.settings, local_ae)
        page.resize(900, 420)
        page.show()
        page.table.selectRow(0)
        page.test_selected()
        assert wait(lambda: page.status.last()[2] != ""), "no printer status"
        screenshots.pump(300)
        screenshots.save(page.grab(), out / "printers_page.png")
        dialog = PrinterDialog(laser, local_ae)
        dialog.show()
        dialog.test_button.click()
        assert wait(lambda: dialog.status.last()[2] != ""), "no printer status"
        screenshots.pump(300)
        screenshots.save(dialog.grab(), out / "printer_dialog.png")
        dialog.reject()
        page.shutdown()
        rt.stop()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return 0


def main() -> int:
    return screenshots.script_main(__doc__, inside, Path(__file__))


if __name__ == "__main__":
    sys.exit(main())
