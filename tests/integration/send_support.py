"""Send test support: a local store to send from, DCMTK storescp as the receiver, and the
comparison of what arrived with what was stored."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.tag import Tag
from pydicom.uid import generate_uid

from workstation.config import Settings
from workstation.config.settings import CompressionPolicy, RemoteNode, make_node
from workstation.net.wire.cstore_request import dataset_offset
from workstation.store import LocalStore
from workstation.store.selection import StoredInstance, select_instances

from .conftest import LOOPBACK, Processes, find_free_port, wait_for

SENDER_AET = "WS_SENDER"
STORESCP_AET = "STORESCP"
TRAILING_PADDING = Tag(0xFFFC, 0xFFFC)


def sender_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Our side: short retry delays and timeouts, never the user's settings."""
    values: dict[str, Any] = {
        "ae_title": SENDER_AET,
        "data_dir": data_dir,
        "min_free_space_mb": 0,
        "send_retries": 3,
        "send_retry_delay_s": 0.2,
        "send_timeout_s": 30.0,
        "connect_timeout_s": 10.0,
        "acse_timeout_s": 10.0,
    }
    values.update(overrides)
    return Settings(**values)


def sample(name: str) -> Path:
    return Path(get_testdata_file(name))


def fill_store(store: LocalStore, names: Iterable[str]) -> list[StoredInstance]:
    """Copies of the shipped files ``names``, each with a new SOP Instance UID (several
    shipped MR files are one instance in different encodings), imported as they are."""
    folder = store.root.parent / "sources"
    folder.mkdir(parents=True, exist_ok=True)
    uids = []
    for name in names:
        ds = pydicom.dcmread(sample(name))
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        path = folder / f"{ds.SOPInstanceUID}.dcm"
        ds.save_as(path, enforce_file_format=True)
        store.add_file(path)
        uids.append(str(ds.SOPInstanceUID))
    return list(select_instances(store, uids).instances)


def ct_series(store: LocalStore, folder: Path, count: int) -> list[StoredInstance]:
    """``count`` copies of CT_small with new UIDs in one new study, imported."""
    folder.mkdir(parents=True, exist_ok=True)
    ds = pydicom.dcmread(sample("CT_small.dcm"))
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    uids = []
    for n in range(count):
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = n + 1
        path = folder / f"ct{n:05d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        store.add_file(path)
        uids.append(str(ds.SOPInstanceUID))
    return list(select_instances(store, uids).instances)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class StoreScp:
    """DCMTK storescp writing what it receives to ``out``, bit for bit, under unique file
    names (an instance received twice shows up twice)."""

    proc: subprocess.Popen
    port: int
    out: Path
    log: Path

    def node(self, policy: CompressionPolicy = CompressionPolicy.LOSSLESS) -> RemoteNode:
        return make_node(name="storescp", ae_title=STORESCP_AET, host=LOOPBACK, port=self.port,
                         compression=policy)  # fmt: skip

    def received(self) -> dict[str, list[Path]]:
        """SOP Instance UID -> the files storescp wrote for it."""
        found: dict[str, list[Path]] = {}
        for path in sorted(self.out.iterdir()):
            if path.is_file():
                uid = str(pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID)
                found.setdefault(uid, []).append(path)
        return found

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_storescp(
    processes: Processes, folder: Path, *options: str, port: int | None = None
) -> StoreScp:
    """storescp on a free loopback port (or ``port``), stopped by the processes fixture."""
    port = port or find_free_port()
    out = folder / "received"
    out.mkdir(parents=True, exist_ok=True)
    log = folder / f"storescp-{port}-{len(list(folder.glob('storescp-*.log')))}.log"
    proc = processes.dcmtk(
        "storescp", "-aet", STORESCP_AET, "-od", out, "+uf", "+B", *options, str(port), log=log
    )
    assert wait_for(lambda: port_open(port) or proc.poll() is not None, timeout=20), "storescp"
    assert proc.poll() is None, log.read_text(errors="replace")
    return StoreScp(proc, port, out, log)


def dataset_of(path: Path) -> Dataset:
    """The data set of a file without its file meta and trailing padding."""
    ds = pydicom.dcmread(path)
    if TRAILING_PADDING in ds:
        del ds[TRAILING_PADDING]
    return ds


def same_elements(a: Dataset, b: Dataset) -> bool:
    """Every data element equal, value bytes included (file meta not compared)."""
    return Dataset(a) == Dataset(b)


def same_bytes(stored: Path, received: Path) -> bool:
    """The received data set is the stored one byte for byte (storescp runs with
    ``--bit-preserving``); an odd-length deflated one arrives padded with one NUL."""
    mine = stored.read_bytes()[dataset_offset(stored) :]
    theirs = received.read_bytes()[dataset_offset(received) :]
    return theirs == mine or (len(mine) % 2 == 1 and theirs == mine + b"\x00")
