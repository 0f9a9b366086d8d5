"""`workstation print` end to end: a study of the store printed on DCMTK dcmprscp (one
image per box, as many sheets as needed) and written as a PDF at the film's size."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pydicom
import pytest

from tests.integration.conftest import Processes, find_free_port, make_copies
from tests.integration.print_support import PRINTER_AET, PrintSCP

pytestmark = pytest.mark.integration


def workstation(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workstation", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


@pytest.fixture
def store_with_five(tmp_path: Path) -> tuple[Path, str]:
    files = make_copies(tmp_path / "src", 5)
    data = tmp_path / "store"
    done = workstation("import", "--data-dir", data, *(p for p, _ in files))
    assert done.returncode == 0, done.stderr
    study = pydicom.dcmread(files[0][0]).StudyInstanceUID
    return data, study


def test_print_a_study_on_dcmprscp(tmp_path: Path, processes: Processes, store_with_five) -> None:
    data, study = store_with_five
    scp = PrintSCP(tmp_path / "scp", find_free_port())
    scp.root.mkdir()
    scp.start(processes)
    done = workstation("print", "--data-dir", data, "--to",
                       f"{PRINTER_AET}@127.0.0.1:{scp.port}", "--format", "STANDARD\\2,2",
                       "--film-size", "14INX17IN", study)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("sheet ")]
    assert len(lines) == 2 and "sheet 1/2: 4 boxes" in lines[0] and "sheet 2/2: 1 boxes" in lines[1]
    assert len(scp.stored_prints()) == 2
    assert len(scp.hardcopies()) == 5


def test_print_a_study_to_pdf_at_the_film_size(tmp_path: Path, store_with_five) -> None:
    data, study = store_with_five
    out = tmp_path / "film.pdf"
    done = workstation("print", "--data-dir", data, "--pdf", out, "--format", "STANDARD\\1,2",
                       "--film-size", "8INX10IN", "--annotations", study)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    boxes = re.findall(rb"/MediaBox \[0 0 (\d+) (\d+)\]", out.read_bytes())
    assert boxes == [(b"576", b"720")] * 3  # 8 x 10 inches in points, 3 sheets of 2

