"""A remote node that hangs mid-conversation never holds our shutdown: a send job whose
PACS accepted the association and then went silent is cut off when the runtime stops
(what closing the desktop does), within ``STOP_BOUND_S``, although its DIMSE timeout is
a minute.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.integration.conftest import LOOPBACK, NODE_AET, find_free_port, wait_for
from tests.robustness.peer import StalledRemote, fresh_ct
from workstation.config import Settings, parse_node_spec
from workstation.runtime import Runtime
from workstation.services.send_job import KIND as SEND
from workstation.services.send_job import send_params

STOP_BOUND_S = 5.0


@pytest.mark.parametrize("deaf", [False, True], ids=["silent", "not-reading"])
def test_runtime_stop_cuts_off_a_send_to_a_remote_that_went_silent(
    tmp_path: Path, deaf: bool
) -> None:
    """Silent: the remote reads the C-STORE and never answers. Not reading: it takes no
    byte after its A-ASSOCIATE-AC, so our send of a large instance blocks in the socket."""
    remote = StalledRemote(deaf=deaf)
    pacs = parse_node_spec(f"PACS=PACS@{LOOPBACK}:{remote.port}")
    settings = Settings(
        ae_title=NODE_AET, port=find_free_port(), bind_address=LOOPBACK,
        data_dir=tmp_path / "store", min_free_space_mb=0, remote_nodes=(pacs,),
        dimse_timeout_s=60, network_timeout_s=60, send_timeout_s=60,
    )  # fmt: skip
    runtime = Runtime(settings)
    stopper = threading.Thread(target=runtime.stop)
    try:
        runtime.start()
        ds = fresh_ct()
        if deaf:  # larger than any socket buffer: the send blocks
            ds.PixelData = bytes(16 * 1024 * 1024)
            ds.Rows, ds.Columns = 2048, 4096
        source = tmp_path / "ct.dcm"
        ds.save_as(source, enforce_file_format=True)
        runtime.store.add_file(source)
        runtime.start_jobs(poll_s=0.1)
        runtime.submit(SEND, send_params(pacs, [ds.StudyInstanceUID]))
        started = (lambda: remote.accepted > 0) if deaf else (lambda: remote.pdata_seen > 0)
        assert wait_for(started, timeout=20), "the send never started"
        if deaf:  # let the send fill the socket buffers and block
            wait_for(lambda: False, timeout=1.0)
        stopper.start()
        stopper.join(STOP_BOUND_S)
        assert not stopper.is_alive(), "Runtime.stop waited on a remote that went silent"
    finally:
        if stopper.ident is None:
            runtime.stop()
        else:
            stopper.join(60)
        remote.close()
