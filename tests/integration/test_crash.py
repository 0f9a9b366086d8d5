"""A crash mid-transfer loses nothing that was acknowledged (DESIGN.md section 4).

``workstation serve`` is SIGKILLed while storescu is sending; the restarted server's
start-up check cleans up; every instance storescu saw 0000 for is then indexed and
readable, every index row has its file, and no temp file is left.
"""

from __future__ import annotations

import signal
import time

import pydicom
import pytest

from workstation.store import LocalStore

from .conftest import (
    KNOWN_AET,
    LOOPBACK,
    NODE_AET,
    find_free_port,
    make_copies,
    stop_process,
    stored_dcm_files,
    storescu_results,
    temp_files,
    wait_process,
)

pytestmark = pytest.mark.integration

INSTANCES = 300
KILL_AFTER = 5  # successes storescu has seen before the server is killed


def successes(log_text: str) -> dict[str, str]:
    """Files storescu logged a Success response for (path -> path)."""
    return {path: path for path, responses in storescu_results(log_text) if "Success" in responses}


def test_kill_mid_transfer_loses_no_acknowledged_instance(tmp_path, processes, start_serve):
    data_dir = tmp_path / "data"
    copies = make_copies(tmp_path / "in", INSTANCES)
    uid_of = {str(path): uid for path, uid in copies}

    port = find_free_port()
    server = start_serve(data_dir, port, tmp_path / "serve1.log")
    scu_log = tmp_path / "storescu.log"
    scu = processes.dcmtk(
        "storescu", "-v", "-nh", "-aet", KNOWN_AET, "-aec", NODE_AET, LOOPBACK, str(port),
        *(path for path, _ in copies),
        log=scu_log,
    )  # fmt: skip

    # SIGKILL the server once storescu has seen the first few successes (bounded wait)
    deadline = time.monotonic() + 60
    while len(successes(scu_log.read_text(errors="replace"))) < KILL_AFTER:
        assert time.monotonic() < deadline, "storescu saw no successes in 60 s"
        assert scu.poll() is None, scu_log.read_text(errors="replace")[-3000:]
        time.sleep(0.005)
    server.proc.send_signal(signal.SIGKILL)
    assert server.proc.wait(timeout=10) == -signal.SIGKILL
    wait_process(scu, timeout=60)  # it notices the lost connection and gives up

    acknowledged = successes(scu_log.read_text(errors="replace"))
    assert KILL_AFTER <= len(acknowledged) < INSTANCES, "the kill was not mid-transfer"

    # restart: the start-up check runs; then a clean stop
    restarted = start_serve(data_dir, find_free_port(), tmp_path / "serve2.log")
    stop_process(restarted.proc, signal.SIGTERM, timeout=30)
    assert restarted.proc.returncode == 0, restarted.output()

    # what the restarted server left behind (opened without a second check)
    assert temp_files(data_dir) == []
    with LocalStore(data_dir, check_on_open=False) as store:
        for path in acknowledged:
            uid = uid_of[path]
            row = store.index.instance(uid)
            assert row is not None, f"acknowledged {uid} is not indexed"
            ds = pydicom.dcmread(store.path_of(row["rel_path"]))
            assert ds.SOPInstanceUID == uid
            assert ds.PixelData == pydicom.dcmread(path).PixelData
        rows = store.index.all_paths()
        assert store.index.count("instance") == len(rows)
        for rel in rows:
            assert store.path_of(rel).is_file(), f"indexed {rel} has no file"
        # and the other way round: every stored file is indexed
        on_disk = {p.relative_to(store.root).as_posix() for p in stored_dcm_files(store.root)}
        assert on_disk == rows
