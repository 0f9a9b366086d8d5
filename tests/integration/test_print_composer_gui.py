"""The film composer against DCMTK dcmprscp: the preview raster of each box equals, pixel
for pixel, the Hardcopy Grayscale image the printer stored; the film box attributes are
the composer's; the printer status from N-GET is shown; a print the printer refuses is
said in the composer, the films stay in the job queue and a retry prints them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.generated_studies import series_files
from tests.integration.conftest import Processes, find_free_port, wait_for
from tests.integration.print_support import PrintSCP
from tests.integration.test_print_job import ended, profile
from workstation.config.settings import PrintersSettings
from workstation.jobs import JobState
from workstation.runtime import Runtime
from workstation.ui.print.composer_tab import ComposerTab

from .conftest import node_settings

WAIT_S = 60.0
WAIT_MS = 30_000


@pytest.fixture
def scp(tmp_path: Path, processes: Processes) -> PrintSCP:
    printer = PrintSCP(tmp_path / "scp", find_free_port())
    printer.root.mkdir()
    printer.start(processes)
    return printer


def composer(qtbot, tmp_path: Path, printer) -> tuple[Runtime, ComposerTab, str]:
    settings = node_settings(tmp_path / "ws")
    settings = settings.model_copy(update={"printers": PrintersSettings(printers=(printer,))})
    rt = Runtime(settings)
    _, series, paths = series_files(tmp_path / "in", 5)
    for path in paths:
        rt.store.add_file(path)
    rt.start(node=False)
    tab = ComposerTab(rt.store, lambda: rt.settings, rt.queue, rt.runner.wake)
    qtbot.addWidget(tab)
    tab.resize(1100, 800)
    tab.show()
    return rt, tab, series


def test_what_the_printer_stored_is_the_preview(qtbot, tmp_path: Path, scp: PrintSCP) -> None:
    printer = profile(scp.port, display_formats=("STANDARD\\2,2", "STANDARD\\1,2"))
    rt, tab, series = composer(qtbot, tmp_path, printer)
    try:
        qtbot.waitUntil(lambda: tab.film.status_label.last()[1] == "NORMAL", timeout=WAIT_MS)
        tab.film.format_combo.setCurrentIndex(tab.film.format_combo.findData("STANDARD\\2,2"))
        tab.film.copies_spin.setValue(2)
        assert tab.add_series(series) == 5
        # box 2 of film 1 windowed, rotated and inverted in the composer
        tab.composer.update(1, window=(60.0, 200.0), rotate=90, invert=True)
        previews = []
        for sheet in range(tab.composer.sheet_count):
            tab.show_sheet(sheet)
            qtbot.waitUntil(lambda: tab.raster() is not None, timeout=WAIT_MS)
            previews.append(tab.raster())
        [job_id] = tab.print_films()
        assert wait_for(lambda: ended(rt, job_id), WAIT_S)
        assert rt.queue.get(job_id).state is JobState.SUCCEEDED, rt.queue.get(job_id).last_error
        tab.on_job_changed(job_id)
        assert "films printed on film" in tab.banner.text()

        stored = scp.stored_prints()
        hardcopies = scp.hardcopies()
        assert len(stored) == 2 and len(hardcopies) == 5
        # film sessions/boxes come back in print order: match each by its images
        for preview, sheet in zip(previews, tab.composer.sheets(), strict=True):
            sent = [b for b in preview.boxes if b is not None]
            matched = [sp for sp in stored if len(sp.ImageBoxContentSequence) == len(sent)]
            assert matched
            sp = matched[0]
            film = sp.FilmBoxContentSequence[0]
            assert film.ImageDisplayFormat == "STANDARD\\2,2"
            assert film.FilmSizeID == sheet.spec.film_size_id
            assert film.FilmOrientation == "PORTRAIT"
            items = sorted(sp.ImageBoxContentSequence, key=lambda i: int(i.ImageBoxPosition))
            for item, pixels in zip(items, sent, strict=True):
                uid = item.ReferencedImageSequence[0].ReferencedSOPInstanceUID
                hardcopy = hardcopies[uid]
                assert (hardcopy.Rows, hardcopy.Columns) == pixels.shape
                assert hardcopy.BitsStored == 12
                np.testing.assert_array_equal(hardcopy.pixel_array, pixels)
        session_copies = {int(sp.get("NumberOfCopies", 0) or 0) for sp in stored
                          if "NumberOfCopies" in sp}  # fmt: skip
        assert session_copies in (set(), {2})
    finally:
        tab.shutdown()
        rt.stop()


def test_a_refused_print_is_said_and_the_films_are_kept(
    qtbot, tmp_path: Path, scp: PrintSCP, processes: Processes
) -> None:
    # the printer does not take 11INX14IN film: N-CREATE Film Box fails
    printer = profile(scp.port, film_size="11INX14IN", retries=0)
    rt, tab, series = composer(qtbot, tmp_path, printer)
    try:
        tab.add_series(series)
        [job_id] = tab.print_films()
        assert wait_for(lambda: ended(rt, job_id), WAIT_S)
        job = rt.queue.get(job_id)
        assert job.state is JobState.FAILED
        tab.on_job_changed(job_id)
        text = tab.banner.text()
        assert "Films not printed on film" in text and "N-CREATE Film Box" in text
        assert "kept" in text
        assert scp.stored_prints() == []
        # the printer learns the film size: Retry prints the same films
        scp.stop()
        scp.film_sizes = (*scp.film_sizes, "11INX14IN")
        scp.start(processes)
        assert rt.queue.retry(job_id)
        rt.runner.wake()
        assert wait_for(lambda: rt.queue.get(job_id).state is JobState.SUCCEEDED, WAIT_S)
        assert len(scp.hardcopies()) == 5
    finally:
        tab.shutdown()
        rt.stop()


def test_an_unreachable_printer_is_said_where_the_print_starts(qtbot, tmp_path: Path) -> None:
    printer = profile(find_free_port())  # nobody listens there
    rt, tab, _series = composer(qtbot, tmp_path, printer)
    try:
        qtbot.waitUntil(lambda: tab.film.status_label.last()[2] != "" and
                        tab.film.status_label.last()[1] == "", timeout=WAIT_MS)  # fmt: skip
        assert "film" in tab.film.status_label.text()
    finally:
        tab.shutdown()
        rt.stop()
