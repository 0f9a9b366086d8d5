"""Sending to Orthanc (Debian 1.10, a fresh one with its own temporary storage on loopback):
every kind of stored file arrives, in the syntax it was stored in, with the same data
elements, and the send state says the study is sent there."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pydicom
import pytest

from workstation.config.settings import CompressionPolicy, make_node
from workstation.jobs import JobQueue, JobRunner, JobState
from workstation.services.send_job import KIND, send_handler, send_params
from workstation.store import LocalStore
from workstation.store.send_state import SendState, StudySendState

from .conftest import (
    KNOWN_AET,
    LOOPBACK,
    ORTHANC_BIN,
    ORTHANC_START_TIMEOUT_S,
    find_free_port,
    peer_env,
    run_dcmtk,
    stop_process,
    wait_for,
)
from .send_support import TRAILING_PADDING, fill_store, sender_settings

pytestmark = pytest.mark.integration

ORTHANC_AET = "ORTHANC_RX"
SAMPLES = [
    "CT_small.dcm",
    "MR_small_implicit.dcm",
    "SC_rgb_jpeg_gdcm.dcm",
    "MR_small_RLE.dcm",
    "MR_small_jp2klossless.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
    "JPEG2000.dcm",
    "image_dfl.dcm",
]


class Orthanc:
    def __init__(self, proc: subprocess.Popen, port: int, http_port: int) -> None:
        self.proc, self.port, self.http_port = proc, port, http_port

    def get(self, path: str) -> bytes:
        url = f"http://{LOOPBACK}:{self.http_port}{path}"
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.read()

    def lookup(self, sop_uid: str) -> str | None:
        """Orthanc's id of the instance with ``sop_uid``, or None."""
        request = urllib.request.Request(
            f"http://{LOOPBACK}:{self.http_port}/tools/lookup", data=sop_uid.encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            found = [m for m in json.load(answer) if m.get("Type") == "Instance"]
        return found[0]["ID"] if found else None


@pytest.fixture(scope="module")
def orthanc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Orthanc]:
    folder = tmp_path_factory.mktemp("orthanc-send")
    port, http_port = find_free_port(), find_free_port()
    while http_port == port:
        http_port = find_free_port()
    config = {
        "Name": "SEND_TEST",
        "DicomAet": ORTHANC_AET,
        "DicomPort": port,
        "HttpPort": http_port,
        "StorageDirectory": str(folder / "storage"),
        "IndexDirectory": str(folder / "index"),
        "DicomCheckCalledAet": False,
        "DicomAlwaysAllowStore": True,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "Plugins": [],
    }
    (folder / "orthanc.json").write_text(json.dumps(config))
    with open(folder / "orthanc.log", "wb") as out:
        proc = subprocess.Popen([ORTHANC_BIN, str(folder / "orthanc.json")], env=peer_env(),
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:

        def echoes() -> bool:
            if proc.poll() is not None:
                return True
            args = ("-aet", KNOWN_AET, "-aec", ORTHANC_AET, LOOPBACK, str(port))
            return run_dcmtk("echoscu", *args, timeout=10).returncode == 0

        assert wait_for(echoes, timeout=ORTHANC_START_TIMEOUT_S, step=0.2), "Orthanc did not answer"
        assert proc.poll() is None, (folder / "orthanc.log").read_text(errors="replace")
        yield Orthanc(proc, port, http_port)
    finally:
        stop_process(proc, signal.SIGTERM, timeout=30)


def test_every_kind_of_stored_file_arrives_at_orthanc(orthanc: Orthanc, tmp_path: Path) -> None:
    settings = sender_settings(tmp_path / "ours")
    node = make_node(name="orthanc", ae_title=ORTHANC_AET, host=LOOPBACK, port=orthanc.port,
                     compression=CompressionPolicy.LOSSY)  # fmt: skip
    with LocalStore(settings.storage.data_dir, min_free_space_mb=0) as store:
        items = fill_store(store, SAMPLES)
        studies = sorted({i.study_uid for i in items})
        with JobQueue(tmp_path / "jobs.sqlite") as queue:
            runner = JobRunner(queue, {KIND: send_handler(store, lambda: settings)})
            job_id = queue.submit(KIND, send_params(node, [i.sop_uid for i in items]))
            assert runner.run_once()
            job = queue.get(job_id)
        assert job.state is JobState.SUCCEEDED, job.log
        n = len(items)
        assert job.result == f"sent {n}, warnings 0, duplicates 0, failed 0 of {n} to orthanc"
        for item in items:
            orthanc_id = orthanc.lookup(item.sop_uid)
            assert orthanc_id, item.path.name
            syntax = orthanc.get(f"/instances/{orthanc_id}/metadata/TransferSyntax").decode()
            assert syntax == item.transfer_syntax
            theirs = pydicom.dcmread(io.BytesIO(orthanc.get(f"/instances/{orthanc_id}/file")))
            mine = pydicom.dcmread(item.path)
            for ds in (theirs, mine):
                if TRAILING_PADDING in ds:
                    del ds[TRAILING_PADDING]
            # Orthanc writes encapsulated Pixel Data as OB where a shipped file says OW
            differ = [e.keyword or str(e.tag) for e in mine
                      if e.tag not in theirs or theirs[e.tag].value != e.value
                      or (theirs[e.tag].VR != e.VR and e.keyword != "PixelData")]  # fmt: skip
            differ += [e.keyword or str(e.tag) for e in theirs if e.tag not in mine]
            assert not differ, (item.path.name, differ)
        states = SendState(store.index).study_states(studies)
        assert {s.state for study in studies for s in states[study]} == {StudySendState.SENT}
        assert {s.node_name for study in studies for s in states[study]} == {"orthanc"}
