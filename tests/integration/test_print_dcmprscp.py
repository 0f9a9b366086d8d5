"""Print SCU against DCMTK dcmprscp: what it stores (Stored Print + Hardcopy Grayscale)
equals what we sent; a refused film size is a typed error; a printer that went away."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tests.integration.conftest import Processes, find_free_port
from tests.integration.print_support import PRINTER_AET, PrintSCP
from workstation.dicom.builders.print import FilmBoxValues, FilmSessionValues
from workstation.errors import NetworkError, PrintStatusError
from workstation.net.association import LocalAE
from workstation.net.scu import print as print_scu

LOCAL = LocalAE("WS_TEST", connect_timeout_s=5, acse_timeout_s=10, dimse_timeout_s=25)


@pytest.fixture
def scp(tmp_path: Path, processes: Processes) -> PrintSCP:
    printer = PrintSCP(tmp_path / "scp", find_free_port())
    printer.root.mkdir()
    printer.start(processes)
    return printer


def printer_of(scp: PrintSCP) -> SimpleNamespace:
    return SimpleNamespace(name="Test printer", ae_title=PRINTER_AET, host="127.0.0.1",
                           port=scp.port)  # fmt: skip


def boxes(count: int, rows: int, cols: int, bits: int) -> list[np.ndarray]:
    rng = np.random.default_rng(14)
    top = 255 if bits == 8 else 4095
    dtype = np.uint8 if bits == 8 else np.uint16
    return [rng.integers(0, top + 1, size=(rows, cols)).astype(dtype) for _ in range(count)]


def film(fmt: str = "STANDARD\\2,3", size: str = "14INX17IN") -> FilmBoxValues:
    return FilmBoxValues(display_format=fmt, film_size_id=size, orientation="LANDSCAPE",
                         magnification="NONE", smoothing="NONE", border_density="WHITE",
                         empty_image_density="BLACK", min_density=20, max_density=320)  # fmt: skip


@pytest.mark.parametrize("bits", [8, 12])
def test_stored_print_matches_what_was_sent(scp: PrintSCP, bits: int) -> None:
    status = print_scu.printer_status(printer_of(scp), LOCAL)
    assert status.status == "NORMAL"
    sheets = [
        print_scu.PrintSheet(film(), boxes(6, 60, 45, bits)),
        print_scu.PrintSheet(film("STANDARD\\1,2", "8INX10IN"), boxes(2, 33, 71, bits)),
    ]
    session = FilmSessionValues(copies=3, priority="MED", medium="PAPER",
                                destination="MAGAZINE", label="issue 14")  # fmt: skip
    outcome = print_scu.print_sheets(printer_of(scp), LOCAL, session, sheets, bits=bits,
                                     presentation_lut=True)  # fmt: skip
    assert outcome.sheets_printed == 2
    assert outcome.warnings == []

    stored = scp.stored_prints()
    hardcopies = scp.hardcopies()
    assert len(stored) == 2
    assert len(hardcopies) == 8
    by_format = {sp.FilmBoxContentSequence[0].ImageDisplayFormat: sp for sp in stored}
    for sheet in sheets:
        sp = by_format[sheet.film.display_format]
        box = sp.FilmBoxContentSequence[0]
        assert box.FilmSizeID == sheet.film.film_size_id
        assert box.FilmOrientation == "LANDSCAPE"
        assert (box.MagnificationType, box.SmoothingType) == ("NONE", "NONE")
        assert (box.BorderDensity, box.EmptyImageDensity) == ("WHITE", "BLACK")
        assert (box.MinDensity, box.MaxDensity) == (20, 320)
        assert "ReferencedPresentationLUTSequence" in box
        assert sp.PresentationLUTContentSequence[0].PresentationLUTShape == "IDENTITY"
        images = sp.ImageBoxContentSequence
        assert [int(item.ImageBoxPosition) for item in images] == list(
            range(1, len(sheet.boxes) + 1))
        for item, sent in zip(images, sheet.boxes, strict=True):
            uid = item.ReferencedImageSequence[0].ReferencedSOPInstanceUID
            hardcopy = hardcopies[uid]
            assert hardcopy.PhotometricInterpretation == "MONOCHROME2"
            assert (hardcopy.Rows, hardcopy.Columns) == sent.shape
            assert (hardcopy.BitsAllocated, hardcopy.BitsStored) == (
                (8, 8) if bits == 8 else (16, 12))
            np.testing.assert_array_equal(hardcopy.pixel_array, sent)


def test_refused_film_size_is_a_typed_error(scp: PrintSCP) -> None:
    sheets = [print_scu.PrintSheet(film(size="11INX14IN"), boxes(6, 20, 20, 8))]
    with pytest.raises(PrintStatusError) as caught:
        print_scu.print_sheets(printer_of(scp), LOCAL, FilmSessionValues(), sheets)
    error = caught.value
    assert error.values["operation"] == "N-CREATE Film Box"
    assert error.values["status"] >= 0x0100
    assert error.values["printer"] == "Test printer"
    assert "N-CREATE Film Box failed with status 0x" in error.message()
    assert scp.stored_prints() == []
    # the printer is still there for the next try
    assert print_scu.printer_status(printer_of(scp), LOCAL).status == "NORMAL"


def test_printer_gone_and_back(scp: PrintSCP, processes: Processes) -> None:
    scp.stop()
    sheets = [print_scu.PrintSheet(film(), boxes(6, 20, 20, 8))]
    with pytest.raises(NetworkError):
        print_scu.print_sheets(printer_of(scp), LOCAL, FilmSessionValues(), sheets)
    scp.start(processes)
    outcome = print_scu.print_sheets(printer_of(scp), LOCAL, FilmSessionValues(), sheets)
    assert outcome.sheets_printed == 1
    assert len(scp.stored_prints()) == 1
