"""The "print" job against DCMTK dcmprscp: the rendered preview is what was sent, pixel for
pixel; a refused film size fails the job with the reason and keeps it (a retry prints the
same films); the printer going away while the job retries and coming back."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from tests.integration.conftest import Processes, find_free_port, node_settings, wait_for
from tests.integration.print_support import PRINTER_AET, PrintSCP
from workstation.config.settings import FilmSizeEntry, PrinterProfile, PrintersSettings, Settings
from workstation.imaging.film_render import render_sheet
from workstation.jobs import JobState
from workstation.printing.film import BoxContent, Sheet
from workstation.printing.profiles import spec_for
from workstation.runtime import Runtime
from workstation.services import print_job
from workstation.store.selection import select_instances

WAIT_S = 60.0
SOURCES = ("CT_small.dcm", "MR_small.dcm")


def profile(port: int, film_size: str = "14INX17IN", **changes: object) -> PrinterProfile:
    values: dict[str, object] = dict(
        name="film", ae_title=PRINTER_AET, host="127.0.0.1", port=port,
        film_sizes=(FilmSizeEntry(id=film_size, matrix_cols=300, matrix_rows=360),),
        display_formats=("STANDARD\\1,2", "STANDARD\\2,2"), magnification="NONE",
        border_density="BLACK", empty_image_density="WHITE", min_density=20, max_density=320,
        mediums=("PAPER",), destinations=("MAGAZINE",), bits=12, presentation_lut=True,
        retries=5, retry_delay_s=0.2,
    )  # fmt: skip
    values.update(changes)
    return PrinterProfile(**values)


def runtime(tmp_path: Path, printer: PrinterProfile) -> tuple[Runtime, Settings]:
    settings = node_settings(tmp_path / "ws")
    settings = settings.model_copy(update={"printers": PrintersSettings(printers=(printer,))})
    rt = Runtime(settings)
    for name in SOURCES:
        rt.store.add_file(Path(get_testdata_file(name)))
    return rt, settings


def sheets_for(rt: Runtime, printer: PrinterProfile) -> list[Sheet]:
    spec = spec_for(printer, printer.film_sizes[0].id, "STANDARD\\2,2", copies=2)
    boxes = []
    for name in SOURCES:
        uid = pydicom.dcmread(get_testdata_file(name), stop_before_pixels=True).SOPInstanceUID
        [instance] = select_instances(rt.store, [uid]).instances
        boxes.append(BoxContent((uid, instance.path)))
    boxes.append(boxes[0].with_(invert=True, zoom=2.0))
    return [Sheet(spec, tuple(boxes))]


def ended(rt: Runtime, job_id: int) -> bool:
    job = rt.queue.get(job_id)
    return job is not None and job.state in (JobState.SUCCEEDED, JobState.FAILED,
                                             JobState.CANCELLED)  # fmt: skip


@pytest.fixture
def scp(tmp_path: Path, processes: Processes) -> PrintSCP:
    printer = PrintSCP(tmp_path / "scp", find_free_port())
    printer.root.mkdir()
    printer.start(processes)
    return printer


def check_printed(scp: PrintSCP, sheets: list[Sheet]) -> None:
    [stored] = scp.stored_prints()
    hardcopies = scp.hardcopies()
    film = stored.FilmBoxContentSequence[0]
    assert film.ImageDisplayFormat == "STANDARD\\2,2"
    assert film.FilmSizeID == sheets[0].spec.film_size_id
    assert (film.BorderDensity, film.EmptyImageDensity) == ("BLACK", "WHITE")
    raster = render_sheet(sheets[0])
    sent = raster.boxes[:3]
    items = stored.ImageBoxContentSequence
    assert [int(i.ImageBoxPosition) for i in items] == [1, 2, 3]
    for item, preview in zip(items, sent, strict=True):
        hardcopy = hardcopies[item.ReferencedImageSequence[0].ReferencedSOPInstanceUID]
        assert hardcopy.BitsStored == 12
        np.testing.assert_array_equal(hardcopy.pixel_array, preview)


def test_print_job_sends_the_preview_pixels(tmp_path: Path, scp: PrintSCP) -> None:
    printer = profile(scp.port)
    rt, _settings = runtime(tmp_path, printer)
    try:
        rt.start(node=False)
        sheets = sheets_for(rt, printer)
        job_id = rt.submit(print_job.KIND, print_job.print_params(printer.name, sheets),
                           max_attempts=print_job.max_attempts(printer))  # fmt: skip
        assert wait_for(lambda: ended(rt, job_id), WAIT_S)
        job = rt.queue.get(job_id)
        assert job.state is JobState.SUCCEEDED, job.last_error
        check_printed(scp, sheets)
    finally:
        rt.stop()


def test_refused_film_size_fails_the_job_and_keeps_it(
    tmp_path: Path, scp: PrintSCP, processes: Processes
) -> None:
    printer = profile(scp.port, film_size="11INX14IN", retries=1)
    rt, _settings = runtime(tmp_path, printer)
    try:
        rt.start(node=False)
        sheets = sheets_for(rt, printer)
        job_id = rt.submit(print_job.KIND, print_job.print_params(printer.name, sheets),
                           max_attempts=print_job.max_attempts(printer))  # fmt: skip
        assert wait_for(lambda: ended(rt, job_id), WAIT_S)
        job = rt.queue.get(job_id)
        assert job.state is JobState.FAILED
        assert job.attempts == 2
        assert "N-CREATE Film Box failed with status 0x" in (job.last_error or "")
        assert scp.stored_prints() == []
        # nothing lost: the printer takes the size after all, a retry prints the same films
        scp.stop()
        scp.film_sizes = (*scp.film_sizes, "11INX14IN")
        scp.start(processes)
        assert rt.queue.retry(job_id)
        rt.runner.wake()
        assert wait_for(lambda: rt.queue.get(job_id).state is JobState.SUCCEEDED, WAIT_S)
        check_printed(scp, sheets)
    finally:
        rt.stop()


def test_printer_gone_while_the_job_retries(
    tmp_path: Path, scp: PrintSCP, processes: Processes
) -> None:
    printer = profile(scp.port, retry_delay_s=0.5)
    rt, _settings = runtime(tmp_path, printer)
    try:
        scp.stop()
        rt.start(node=False)
        sheets = sheets_for(rt, printer)
        job_id = rt.submit(print_job.KIND, print_job.print_params(printer.name, sheets),
                           max_attempts=print_job.max_attempts(printer))  # fmt: skip
        # an attempt failed with the reason; the job waits for its next try
        assert wait_for(lambda: bool(rt.queue.get(job_id).last_error), WAIT_S)
        assert rt.queue.get(job_id).state is not JobState.FAILED
        shutil.rmtree(scp.database, ignore_errors=True)
        scp.start(processes)
        assert wait_for(lambda: ended(rt, job_id), WAIT_S)
        job = rt.queue.get(job_id)
        assert job.state is JobState.SUCCEEDED, job.last_error
        check_printed(scp, sheets)
    finally:
        rt.stop()
