"""DCMTK ``dcmprscp`` as the print SCP of the tests: its configuration file written by the
test (the format of /etc/dcmtk/dcmpstat.cfg and printers.cfg: a printer section under
[[COMMUNICATION]]), started on a port, stopped by its pid; the Stored Print objects and
Hardcopy Grayscale images it writes to its database folder read back with pydicom."""

from __future__ import annotations

import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset

from tests.integration.conftest import Processes, stop_process, wait_for

PRINTER_AET = "TESTPRN"
STORED_PRINT = "1.2.840.10008.5.1.1.27"
HARDCOPY_GRAYSCALE = "1.2.840.10008.5.1.1.29"


@dataclass
class PrintSCP:
    """One dcmprscp configuration and the process currently serving it."""

    root: Path
    port: int
    film_sizes: tuple[str, ...] = ("8INX10IN", "14INX17IN", "14INX14IN")
    formats: tuple[str, ...] = ("1,1", "1,2", "2,1", "2,2", "2,3", "3,2", "3,3", "4,4", "4,5", "5,4")
    annotation: bool = True
    proc: subprocess.Popen | None = None
    starts: list[subprocess.Popen] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return self.root / "db"

    def write_config(self) -> Path:
        self.database.mkdir(parents=True, exist_ok=True)
        (self.root / "spool").mkdir(exist_ok=True)
        lines = [
            "[[GENERAL]]", "[PRINT]", f"Directory = {self.root / 'spool'}",
            "[DATABASE]", f"Directory = {self.database}",
            "[[COMMUNICATION]]", f"[{PRINTER_AET}]", f"Aetitle = {PRINTER_AET}",
            "Description = test printer", "Hostname = localhost", f"Port = {self.port}",
            "Type = LOCALPRINTER", "BorderDensity = 150\\20\\BLACK\\WHITE",
            "DisableNewVRs = false", f"DisplayFormat = {chr(92).join(self.formats)}",
            "EmptyImageDensity = 20\\BLACK\\WHITE", "FilmDestination = MAGAZINE\\PROCESSOR",
            f"FilmSizeID = {chr(92).join(self.film_sizes)}", "ImplicitOnly = false",
            "MagnificationType = REPLICATE\\BILINEAR\\CUBIC\\NONE", "MaxDensity = 320",
            "MaxPDU = 32768", "MediumType = PAPER\\CLEAR FILM\\BLUE FILM", "MinDensity = 20",
            "PresentationLUTMatchRequired = false", "PresentationLUTinFilmSession = false",
            "SmoothingType = NONE", "Supports12Bit = true", "SupportsPresentationLUT = true",
        ]  # fmt: skip
        if self.annotation:
            lines.append("Annotation = 2\\ANNOTATION")
        path = self.root / "dcmprscp.cfg"
        path.write_text("\n".join(lines) + "\n", encoding="ascii")
        return path

    def start(self, processes: Processes) -> None:
        config = self.write_config()
        log = self.root / f"dcmprscp-{len(self.starts)}.log"
        self.proc = processes.dcmtk("dcmprscp", "-c", config, "-p", PRINTER_AET, "-v", log=log)
        self.starts.append(self.proc)
        assert wait_for(self.listening, timeout=20), log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def listening(self) -> bool:
        with socket.socket() as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def objects(self) -> list[Dataset]:
        out = []
        for path in sorted(self.database.rglob("*")):
            if path.is_file() and path.name != "index.dat":
                try:
                    out.append(pydicom.dcmread(path))
                except Exception:  # noqa: BLE001 - not a DICOM file
                    continue
        return out

    def stored_prints(self) -> list[Dataset]:
        return [ds for ds in self.objects() if ds.SOPClassUID == STORED_PRINT]

    def hardcopies(self) -> dict[str, Dataset]:
        return {ds.SOPInstanceUID: ds for ds in self.objects()
                if ds.SOPClassUID == HARDCOPY_GRAYSCALE}  # fmt: skip
