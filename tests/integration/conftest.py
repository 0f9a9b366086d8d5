"""Integration fixtures: free loopback ports, an in-process node, DCMTK and ``workstation serve``.

Every peer is real (DCMTK from Debian, our node on pynetdicom) and talks over 127.0.0.1
only. Every process a test starts is stopped by its pid, every wait is bounded.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from tests.ports import free_port as free_port_outside_ephemeral
from workstation.config import Settings, parse_node_spec
from workstation.net.scp.node import StorageNode
from workstation.store import LocalStore

LOOPBACK = "127.0.0.1"
NODE_AET = "WS_TEST"
# The calling AE titles the DCMTK tools use in these tests; both are known nodes.
KNOWN_AET = "DCMTK"
KNOWN_AET_2 = "DCMTK2"
UNKNOWN_AET = "STRANGER"
DCMTK_TIMEOUT_S = 120.0
SERVE_START_TIMEOUT_S = 30.0
SERVE_STOP_TIMEOUT_S = 30.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything below tests/integration talks to real peers: mark it so."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.integration)


# -- ports and processes ---------------------------------------------------------------
def find_free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (tests/ports.py)."""
    return free_port_outside_ephemeral()


@pytest.fixture
def free_port() -> int:
    return find_free_port()


def peer_env() -> dict[str, str]:
    """Environment for DCMTK peers: Nagle off (DESIGN.md section 8)."""
    env = dict(os.environ)
    env["TCP_NODELAY"] = "1"
    return env


def stop_process(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    """Stop ``proc`` by its pid: ``sig``, then SIGKILL if it does not exit in time."""
    if proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


def run_dcmtk(tool: str, *args: str | Path, timeout: float = DCMTK_TIMEOUT_S) -> subprocess.CompletedProcess:
    """Run a DCMTK tool to completion (TCP_NODELAY=1, time limit); stdout and stderr merged."""
    return subprocess.run(
        [tool, *map(str, args)],
        env=peer_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )


@dataclass
class Processes:
    """Processes started by one test; all stopped by pid at teardown."""

    started: list[subprocess.Popen] = field(default_factory=list)

    def dcmtk(self, tool: str, *args: str | Path, log: Path) -> subprocess.Popen:
        """Start a DCMTK tool in the background, its output going to ``log``."""
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [tool, *map(str, args)], env=peer_env(), stdout=out, stderr=subprocess.STDOUT
            )
        self.started.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.started:
            stop_process(proc, signal.SIGKILL)


@pytest.fixture
def processes() -> Iterator[Processes]:
    procs = Processes()
    try:
        yield procs
    finally:
        procs.stop_all()


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, step: float = 0.02) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passes; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def wait_process(proc: subprocess.Popen, timeout: float = DCMTK_TIMEOUT_S) -> int:
    """Wait for ``proc`` to exit (bounded); return its exit code."""
    return proc.wait(timeout=timeout)


# -- storescu output -------------------------------------------------------------------
_SENDING = re.compile(r"I: Sending file: (.+?)\s*$")
_RESPONSE_V = re.compile(r"I: Received Store Response \((.+)\)\s*$")
_STATUS_D = re.compile(r"DIMSE Status\s*:\s*0x([0-9a-fA-F]{4})")


def storescu_results(output: str) -> list[tuple[str, list[str]]]:
    """(file as given to storescu, its store responses) per file sent, in sending order.

    Reads ``-v`` output ("Received Store Response (Success)") and ``-d`` output
    ("DIMSE Status : 0xa700: ..."); a ``-d`` status is given as four upper-case hex
    digits. A file storescu did not send a request for has no response, or the error
    line storescu logged for it (prefixed "E: ").
    """
    results: list[tuple[str, list[str]]] = []
    for line in output.splitlines():
        m = _SENDING.search(line)
        if m:
            results.append((m.group(1), []))
            continue
        if not results:
            continue
        responses = results[-1][1]
        m = _STATUS_D.search(line)
        if m:
            responses.append(m.group(1).upper())
            continue
        m = _RESPONSE_V.search(line)
        if m:
            responses.append(m.group(1))
            continue
        if re.search(r"\bE: ", line):
            responses.append("E: " + line.split("E: ", 1)[1].strip())
    return results


# -- generated data --------------------------------------------------------------------
def ct_small() -> Path:
    return Path(get_testdata_file("CT_small.dcm"))


def make_copies(folder: Path, count: int, series_uid: str | None = None) -> list[tuple[Path, str]]:
    """``count`` copies of CT_small with new SOP Instance UIDs (one new series): (path, uid)."""
    folder.mkdir(parents=True, exist_ok=True)
    ds = pydicom.dcmread(ct_small())
    ds.SeriesInstanceUID = series_uid or generate_uid()
    made = []
    for n in range(count):
        uid = generate_uid()
        ds.SOPInstanceUID = uid
        ds.file_meta.MediaStorageSOPInstanceUID = uid
        ds.InstanceNumber = n + 1
        path = folder / f"ct{n:05d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        made.append((path, uid))
    return made


def stored_dcm_files(root: Path) -> list[Path]:
    """Every stored instance file below a store root (not quarantine, not temp files)."""
    return [
        p
        for p in root.rglob("*.dcm")
        if "quarantine" not in p.relative_to(root).parts and not p.name.startswith(".")
    ]


def temp_files(root: Path) -> list[Path]:
    return list(root.rglob("*.tmp"))


# -- the in-process node ---------------------------------------------------------------
@dataclass
class RunningNode:
    node: StorageNode
    store: LocalStore
    settings: Settings
    events: list[Any]

    @property
    def host(self) -> str:
        return self.node.address[0]

    @property
    def port(self) -> int:
        return self.node.address[1]


def node_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "ae_title": NODE_AET,
        "port": find_free_port(),
        "bind_address": LOOPBACK,
        "data_dir": data_dir,
        "min_free_space_mb": 0,
        "max_associations": 12,
        "require_known_callers": True,
        "remote_nodes": (
            parse_node_spec(f"DCMTK={KNOWN_AET}@{LOOPBACK}:104"),
            parse_node_spec(f"DCMTK2={KNOWN_AET_2}@{LOOPBACK}:105"),
        ),
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def start_node(tmp_path: Path) -> Iterator[Callable[..., RunningNode]]:
    """Start a node (settings overrides as keywords) with its store in tmp_path."""
    running: list[RunningNode] = []

    def start(**overrides: Any) -> RunningNode:
        settings = node_settings(tmp_path / f"store{len(running)}", **overrides)
        store = LocalStore(
            settings.storage.data_dir,
            duplicate_policy=settings.storage.duplicate_policy,
            min_free_space_mb=settings.storage.min_free_space_mb,
        )
        node = StorageNode(settings, store)
        events: list[Any] = []
        node.add_listener(events.append)
        try:
            node.start()
        except BaseException:
            store.close()
            raise
        rn = RunningNode(node, store, settings, events)
        running.append(rn)
        return rn

    try:
        yield start
    finally:
        for rn in running:
            try:
                rn.node.stop()
            finally:
                rn.store.close()


@pytest.fixture
def node(start_node: Callable[..., RunningNode]) -> RunningNode:
    """A running node with default settings: known callers DCMTK and DCMTK2."""
    return start_node()


# -- ``workstation serve`` as a subprocess ---------------------------------------------
@dataclass
class ServeProcess:
    proc: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _start_serve(
    data_dir: Path, port: int, log: Path, register: Callable[[ServeProcess], None], *extra: str
) -> ServeProcess:
    cmd = [
        sys.executable, "-m", "workstation",
        "--config", str(log.with_suffix(".settings.json")),  # never the user's saved settings
        "serve",
        "--data-dir", str(data_dir),
        "--aet", NODE_AET,
        "--port", str(port),
        "--bind", LOOPBACK,
        "--min-free-mb", "0",
        "--node", f"DCMTK={KNOWN_AET}@{LOOPBACK}:104",
        *extra,
    ]  # fmt: skip
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    serve = ServeProcess(proc, log)
    register(serve)
    deadline = time.monotonic() + SERVE_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if any(line.startswith("listening as") for line in serve.output().splitlines()):
            return serve
        if proc.poll() is not None:
            raise AssertionError(f"workstation serve exited {proc.returncode}:\n{serve.output()}")
        time.sleep(0.05)
    raise AssertionError(f"workstation serve not listening after {SERVE_START_TIMEOUT_S} s")


@pytest.fixture
def start_serve() -> Iterator[Callable[..., ServeProcess]]:
    """Start ``workstation serve`` (data_dir, port, log, *extra options) on 127.0.0.1 and
    wait, bounded, for its "listening as" line. Teardown SIGKILLs any still running."""
    started: list[ServeProcess] = []

    def start(data_dir: Path, port: int, log: Path, *extra: str) -> ServeProcess:
        return _start_serve(data_dir, port, log, started.append, *extra)

    try:
        yield start
    finally:
        for serve in started:
            stop_process(serve.proc, signal.SIGKILL)


# -- Query/Retrieve: a node loaded with the shipped files, and Orthanc with the same ---------
QR_DESTINATIONS = ("STORESCP1", "STORESCP2", "STORESCP3", "STORESCP4")
ORTHANC_AET = "ORTHANC"
ORTHANC_BIN = "/usr/sbin/Orthanc"
ORTHANC_START_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def qr_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A node holding every shipped file (imported once per module), with storescp
    destinations STORESCP1..4 known on free ports (a test starts storescp on one)."""
    from conftest import sample_roots

    from workstation.store import import_paths

    from .qr_support import QRNode, catalog_of

    folder = tmp_path_factory.mktemp("qr-node")
    destinations = {name: (name, find_free_port()) for name in QR_DESTINATIONS}
    settings = node_settings(
        folder / "store",
        remote_nodes=(
            parse_node_spec(f"DCMTK={KNOWN_AET}@{LOOPBACK}:104"),
            parse_node_spec(f"DCMTK2={KNOWN_AET_2}@{LOOPBACK}:105"),
            *(parse_node_spec(f"{n}={aet}@{LOOPBACK}:{port}") for n, (aet, port) in destinations.items()),
        ),
    )
    store = LocalStore(settings.storage.data_dir, min_free_space_mb=0)
    try:
        report = import_paths(store, sample_roots())
        node = StorageNode(settings, store)
        node.start()
    except BaseException:
        store.close()
        raise
    running = RunningNode(node, store, settings, [])
    try:
        yield QRNode(running, catalog_of(tuple(report.imported)), destinations)
    finally:
        try:
            node.stop()
        finally:
            store.close()


@dataclass
class OrthancPeer:
    proc: subprocess.Popen
    port: int
    http_port: int
    log: Path
    refused: list[tuple[Path, str]]  # stored files Orthanc would not take, with its answer
    aet: str = ORTHANC_AET

    @property
    def host(self) -> str:
        return LOOPBACK

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _orthanc_post(http_port: int, data: bytes) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"http://{LOOPBACK}:{http_port}/instances",
        data=data,
        method="POST",
        headers={"Content-Type": "application/dicom"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@pytest.fixture(scope="module")
def orthanc(qr_node: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrthancPeer]:
    """Orthanc 1.10 on free loopback ports (it listens on every interface: DESIGN.md 8),
    loaded over REST with the very files the node stores, stopped by pid at the end."""
    import json

    folder = tmp_path_factory.mktemp("orthanc")
    dicom_port = find_free_port()
    http_port = find_free_port()
    while http_port == dicom_port:
        http_port = find_free_port()
    modalities = {
        "dcmtk": [KNOWN_AET, LOOPBACK, 104],
        "dcmtk2": [KNOWN_AET_2, LOOPBACK, 105],
        **{name.lower(): [aet, LOOPBACK, port] for name, (aet, port) in qr_node.destinations.items()},
    }
    config = {
        "Name": "QR_TEST",
        "DicomAet": ORTHANC_AET,
        "DicomPort": dicom_port,
        "HttpPort": http_port,
        "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "index"),
        "DicomCheckCalledAet": False,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "HttpsVerifyPeers": False,
        "DicomModalities": modalities,
        "Plugins": [],
    }
    config_path = folder / "orthanc.json"
    config_path.write_text(json.dumps(config, indent=2))
    log = folder / "orthanc.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [ORTHANC_BIN, str(config_path)], env=peer_env(), stdout=out, stderr=subprocess.STDOUT
        )
    try:

        def echoes() -> bool:
            if proc.poll() is not None:
                return True
            args = ("-aet", KNOWN_AET, "-aec", ORTHANC_AET, LOOPBACK, str(dicom_port))
            return run_dcmtk("echoscu", *args, timeout=10).returncode == 0

        assert wait_for(echoes, timeout=ORTHANC_START_TIMEOUT_S, step=0.2), "Orthanc did not answer"
        assert proc.poll() is None, log.read_text(errors="replace")
        refused = []
        for path in stored_dcm_files(qr_node.node.store.root):
            code, body = _orthanc_post(http_port, path.read_bytes())
            if code != 200:
                refused.append((path, f"HTTP {code}: {body.strip()[:200]}"))
        yield OrthancPeer(proc, dicom_port, http_port, log, refused)
    finally:
        stop_process(proc, signal.SIGTERM, timeout=30)
