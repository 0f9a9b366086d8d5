"""Peers for the Query/Retrieve SCU tests: DCMTK ``dcmqrscp`` and Orthanc's modality list.

``dcmqrscp`` runs in its default fork mode (``--single-process`` crashes after the first
association in 3.6.7, DESIGN.md section 8) with its configuration and database in a
temporary folder, the files indexed with ``dcmqridx``. It is stopped by pid, its forked
children too. Its host table names peers by host name: it compares the name the
caller's address resolves to ("localhost" for 127.0.0.1), so the tables say localhost.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid
from pynetdicom import AE, evt
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind

from workstation.config.settings import RemoteNode, make_node
from workstation.net.association import LocalAE

from .conftest import LOOPBACK, find_free_port, peer_env, run_dcmtk, stop_process, wait_for

QRSCP_AET = "QRSCP"
START_TIMEOUT_S = 20.0


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


@dataclass
class QRSCP:
    """A running dcmqrscp: where it listens and what it holds."""

    proc: subprocess.Popen
    port: int
    folder: Path
    log: Path
    files: list[Path]
    aet: str = QRSCP_AET

    @property
    def host(self) -> str:
        return LOOPBACK

    def node(self, aet: str | None = None) -> RemoteNode:
        return make_node(name="qrscp", ae_title=aet or self.aet, host=LOOPBACK, port=self.port)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Children first (each serves one association), then the parent, by pid."""
        for _ in range(3):
            for kid in children_of(self.proc.pid):
                try:
                    os.kill(kid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if self.proc.poll() is not None:
                break
            stop_process(self.proc, signal.SIGTERM, timeout=10)


def start_qrscp(
    folder: Path,
    files: Iterable[Path],
    hosts: dict[str, tuple[str, int]],
    *,
    peers: str = "ANY",
    extra: Iterable[str] = (),
) -> QRSCP:
    """dcmqrscp on a free port holding copies of ``files``; ``hosts`` (symbolic name ->
    (AE title, port) on localhost) are its move destinations; ``peers`` the symbolic names
    allowed to call it, or ANY."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "db"
    db.mkdir()
    copies = []
    for n, path in enumerate(files):
        target = db / f"{n:05d}_{Path(path).name}"
        shutil.copyfile(path, target)
        copies.append(target)
    if copies:
        result = run_dcmtk("dcmqridx", db, *copies)
        assert result.returncode == 0, result.stdout
    port = find_free_port()
    host_lines = "\n".join(f"{name} = ({aet}, localhost, {p})" for name, (aet, p) in hosts.items())
    config = folder / "dcmqrscp.cfg"
    config.write_text(
        f"NetworkTCPPort  = {port}\nMaxPDUSize      = 65536\nMaxAssociations = 16\n\n"
        f"HostTable BEGIN\n{host_lines}\nHostTable END\n\n"
        "VendorTable BEGIN\nVendorTable END\n\n"
        f"AETable BEGIN\n{QRSCP_AET} {db} RW (2000, 1024mb) {peers}\nAETable END\n"
    )
    log = folder / "dcmqrscp.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["dcmqrscp", "-v", "-c", str(config), *extra], env=peer_env(), stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    scp = QRSCP(proc, port, folder, log, copies)

    def answers() -> bool:
        if proc.poll() is not None:
            return True
        echo = ("-v", "-aet", "ECHO", "-aec", QRSCP_AET, LOOPBACK, str(port))
        output = run_dcmtk("echoscu", *echo, timeout=10).stdout
        return "Association Accepted" in output or "Association Rejected" in output

    try:
        assert wait_for(answers, timeout=START_TIMEOUT_S, step=0.1), "dcmqrscp did not answer"
        assert proc.poll() is None, scp.output()
    except BaseException:
        scp.stop()
        raise
    return scp


def ct_copies(folder: Path, count: int) -> list[Path]:
    """``count`` copies of CT_small in one new series of CT_small's study."""
    folder.mkdir(parents=True, exist_ok=True)
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.SeriesInstanceUID = generate_uid()
    paths = []
    for n in range(count):
        uid = generate_uid()
        ds.SOPInstanceUID = uid
        ds.file_meta.MediaStorageSOPInstanceUID = uid
        ds.InstanceNumber = n + 1
        path = folder / f"ct{n:05d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


# -- Orthanc -------------------------------------------------------------------------------
def orthanc_add_modality(orthanc, name: str, aet: str, port: int) -> None:
    """Make Orthanc know a DICOM node (C-MOVE destination, allowed caller) over REST."""
    body = json.dumps({"AET": aet, "Host": LOOPBACK, "Port": port}).encode()
    request = urllib.request.Request(
        f"http://{LOOPBACK}:{orthanc.http_port}/modalities/{name}", data=body, method="PUT",
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200


def local(aet: str, dimse_timeout_s: float = 60.0) -> LocalAE:
    return LocalAE(aet, connect_timeout_s=10, acse_timeout_s=30, dimse_timeout_s=dimse_timeout_s)


# -- a raw pynetdicom Find SCP, for what no real peer does on demand ----------------------
RAW_AET = "RAWSCP"


@contextmanager
def raw_find_scp(handler: Callable) -> Iterator[RemoteNode]:
    """A Study Root Find SCP on loopback answering with ``handler`` (an EVT_C_FIND
    handler); shut down when the block ends."""
    ae = AE(ae_title=RAW_AET)
    ae.add_supported_context(StudyRootQueryRetrieveInformationModelFind)
    port = find_free_port()
    server = ae.start_server((LOOPBACK, port), block=False,
                             evt_handlers=[(evt.EVT_C_FIND, handler)])  # fmt: skip
    try:
        yield make_node(name="raw", ae_title=RAW_AET, host=LOOPBACK, port=port)
    finally:
        server.shutdown()
