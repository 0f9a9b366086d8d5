"""Helpers shared by the benchmark scripts: synthetic data, processes, ports, tables.

Not a test module and not part of the package: imported by ``benchmarks/*.py`` run as
scripts (their folder is then first on ``sys.path``).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
import pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

MB = 1_000_000  # MB/s in this folder means 10^6 bytes per second
LOOPBACK = "127.0.0.1"
DCMTK_ENV = {"TCP_NODELAY": "1"}  # DESIGN.md section 8: DCMTK leaves Nagle on otherwise
T = TypeVar("T")


# -- working folder ------------------------------------------------------------------
@contextlib.contextmanager
def work_dir(prefix: str, keep: bool = False) -> Iterator[Path]:
    """A fresh folder under the system tmp folder, removed at the end unless ``keep``."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if keep:
            print(f"working folder kept: {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


# -- synthetic data ------------------------------------------------------------------
def ct_small() -> pydicom.Dataset:
    return pydicom.dcmread(get_testdata_file("CT_small.dcm"))


def enlarge(ds: pydicom.Dataset, size: int = 512) -> pydicom.Dataset:
    """``ds`` turned into a ``size`` x ``size`` 16-bit unsigned MONOCHROME2 image."""
    ds.Rows = ds.Columns = size
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation = 0
    for keyword in ("PixelPaddingValue", "SmallestImagePixelValue", "LargestImagePixelValue"):
        if keyword in ds:
            delattr(ds, keyword)
    ramp = np.add.outer(np.arange(size), np.arange(size)) * 4
    ds.PixelData = (ramp % 4096).astype("<u2").tobytes()
    return ds


def write_copies(template: pydicom.Dataset, folder: Path, count: int, per_study: int) -> int:
    """``count`` copies of ``template`` with new UIDs, ``per_study`` instances to a
    study (one series each); returns the total bytes written."""
    folder.mkdir(parents=True)
    ds = template
    total = 0
    for n in range(count):
        if n % per_study == 0:
            ds.StudyInstanceUID = generate_uid()
            ds.SeriesInstanceUID = generate_uid()
            ds.StudyID = str(n // per_study + 1)
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = n % per_study + 1
        path = folder / f"IMG{n:06d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        total += path.stat().st_size
    return total


def studies_for(count: int, per_study: int) -> int:
    return math.ceil(count / per_study)


def warm_cache(folder: Path) -> int:
    """Read every file under ``folder`` once, so timed runs all see a warm page cache."""
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            total += len(path.read_bytes())
    return total


def count_files(folder: Path, pattern: str = "*") -> int:
    return sum(1 for p in folder.rglob(pattern) if p.is_file())


# -- timing --------------------------------------------------------------------------
def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Seconds ``fn()`` took, and what it returned."""
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def sync_disks() -> None:
    """Flush dirty pages left by earlier steps so they are not charged to the next run."""
    subprocess.run(["sync"], check=True, timeout=300)


# -- processes and ports -------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def env_with(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def stop_process(proc: subprocess.Popen | None, grace_s: float = 10.0) -> int | None:
    """terminate(), then kill() after ``grace_s``; returns the exit code."""
    if proc is None:
        return None
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=grace_s)
    return proc.returncode


def wait_until(
    check: Callable[[], bool], timeout_s: float, what: str, alive: Callable[[], bool] = lambda: True
) -> None:
    """Poll ``check`` every 0.1 s for at most ``timeout_s``; fail if ``alive`` turns false."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        if not alive():
            raise RuntimeError(f"{what}: the process exited while starting")
        time.sleep(0.1)
    raise TimeoutError(f"{what}: not ready after {timeout_s:.0f} s")


def echo_ok(port: int, aet: str, timeout_s: float = 5.0) -> bool:
    """True when a C-ECHO to ``aet`` on loopback:``port`` succeeds (DCMTK echoscu)."""
    try:
        result = subprocess.run(
            ["echoscu", "-aec", aet, "-to", "2", "-ta", "2", "-td", "2", LOOPBACK, str(port)],
            env=env_with(DCMTK_ENV),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = out.strip().splitlines()
    return lines[0].strip() if lines else "unknown"


def machine_line() -> str:
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


# -- output --------------------------------------------------------------------------
def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table: numbers right-aligned, text left-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def cell(text: str, width: int) -> str:
        return text.rjust(width) if _numeric(text) else text.ljust(width)

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell(c, w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _numeric(text: str) -> bool:
    try:
        float(text.rstrip("x"))
    except ValueError:
        return False
    return True


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "n/a"


class ServerProcess:
    """A DICOM server run as a subprocess on a free loopback port, ready once it echoes.

    Subclasses give ``argv()`` (and may override ``ready()``); the log keeps its output.
    """

    key = ""
    aet = ""
    start_timeout_s = 120.0
    log_tail_chars = 3000

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log = log

    def argv(self) -> list[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        return echo_ok(self.port, self.aet)

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                self.argv(), stdout=log, stderr=subprocess.STDOUT, env=env_with(DCMTK_ENV)
            )
        wait_until(self.ready, self.start_timeout_s, self.key, alive=self.alive)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> int | None:
        return stop_process(self.proc)

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-self.log_tail_chars :]
        except OSError:
            return ""


ORTHANC = "/usr/sbin/Orthanc"


class OrthancProcess(ServerProcess):
    """Orthanc (Debian 1.10) with a generated JSON configuration in ``root``.

    A mixin before the script's own server class; subclasses add their settings to
    :meth:`config`. ``ready`` also waits for the REST API, whose ``/statistics`` counts
    the instances.
    """

    key = "orthanc"

    def setup_orthanc(self, root: Path) -> None:
        """Call from the subclass's ``__init__``, after the port is chosen."""
        self.root = root
        self.http_port = free_port()
        while self.http_port == self.port:
            self.http_port = free_port()
        self.config_file = root / "orthanc.json"

    def config(self) -> dict:
        return {
            "DicomAet": self.aet,
            "DicomPort": self.port,
            "HttpPort": self.http_port,
            "StorageDirectory": str(self.root / "storage"),
            "IndexDirectory": str(self.root / "index"),
            "TemporaryDirectory": str(self.root / "tmp"),
            "DicomCheckCalledAet": False,
            "DicomAlwaysAllowStore": True,
            "RemoteAccessAllowed": False,  # HTTP callers only; DICOM listens everywhere
            "AuthenticationEnabled": False,
            "Plugins": [],
        }

    def write_config(self) -> None:
        self.config_file.write_text(json.dumps(self.config(), indent=2), encoding="utf-8")

    def argv(self) -> list[str]:
        return [ORTHANC, str(self.config_file)]

    def ready(self) -> bool:
        return echo_ok(self.port, self.aet) and self.statistics() is not None

    def statistics(self) -> dict | None:
        url = f"http://{LOOPBACK}:{self.http_port}/statistics"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.load(response)
        except OSError:
            return None

    def count(self) -> int:
        stats = self.statistics()
        return -1 if stats is None else int(stats["CountInstances"])


def serve_argv(config: Path, data_dir: Path, aet: str, port: int, *extra: str) -> list[str]:
    """``workstation serve`` on loopback with this venv's entry point, any caller allowed,
    no free-space floor; ``config`` should not exist (defaults, never the user's settings)."""
    script = Path(sys.executable).with_name("workstation")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "workstation"]
    return [
        *cmd,
        "--config", str(config),
        "serve",
        "--data-dir", str(data_dir),
        "--aet", aet,
        "--port", str(port),
        "--bind", LOOPBACK,
        "--allow-any-caller",
        "--min-free-mb", "0",
        *extra,
    ]  # fmt: skip
