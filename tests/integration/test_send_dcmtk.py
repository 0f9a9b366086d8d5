"""Sending to DCMTK storescp: as stored when the peer takes the stored syntax, decompressed
when it takes only uncompressed ones, a refused association failing for good, cancel,
and the ``workstation send`` command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pydicom
import pytest

from workstation.config.settings import CompressionPolicy
from workstation.dicom.lossy import is_lossy
from workstation.errors import AssociationRejectedError
from workstation.jobs import CancelToken, JobQueue, JobRunner, JobState
from workstation.net.scu.send_plan import Action
from workstation.net.scu.store import send_instances
from workstation.services.send_job import KIND, run_send, send_handler, send_params
from workstation.store import LocalStore
from workstation.store.send_state import SendOutcome, SendState

from .conftest import LOOPBACK, Processes
from .send_support import (
    SENDER_AET,
    STORESCP_AET,
    ct_series,
    fill_store,
    same_bytes,
    sender_settings,
    start_storescp,
)

pytestmark = pytest.mark.integration

# one of each stored kind: explicit, implicit, big endian, deflated, lossless JPEG, RLE,
# JPEG 2000 lossless, and the lossy JPEG baseline, JPEG extended and JPEG 2000
SAMPLES = [
    "CT_small.dcm",
    "MR_small_implicit.dcm",
    "MR_small_bigendian.dcm",
    "image_dfl.dcm",
    "SC_rgb_jpeg_gdcm.dcm",
    "MR_small_RLE.dcm",
    "MR_small_jp2klossless.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
    "JPEG-lossy.dcm",
    "JPEG2000.dcm",
]


@pytest.fixture
def sending(tmp_path: Path):
    settings = sender_settings(tmp_path / "ours")
    store = LocalStore(settings.storage.data_dir, min_free_space_mb=0)
    yield settings, store
    store.close()


def test_everything_arrives_as_stored_when_the_peer_takes_it(
    sending, processes: Processes, tmp_path: Path
) -> None:
    settings, store = sending
    items = fill_store(store, SAMPLES)
    peer = start_storescp(processes, tmp_path / "peer", "+xa")  # every syntax it knows
    report = send_instances(settings, peer.node(CompressionPolicy.LOSSY), items)
    assert report.summary().startswith(f"sent {len(items)}, warnings 0, duplicates 0, failed 0")
    assert not report.interrupted and not report.cancelled
    received = peer.received()
    assert sorted(received) == sorted(i.sop_uid for i in items)
    for item in items:
        (path,) = received[item.sop_uid]  # once each
        assert same_bytes(item.path, path), item.path.name
        assert str(pydicom.dcmread(path).file_meta.TransferSyntaxUID) == item.transfer_syntax
    assert {r.action for r in report.results} == {Action.AS_STORED}


def test_a_peer_taking_only_uncompressed_gets_them_decompressed(
    sending, processes: Processes, tmp_path: Path
) -> None:
    settings, store = sending
    items = fill_store(store, SAMPLES)
    peer = start_storescp(processes, tmp_path / "peer")  # uncompressed syntaxes only
    results = {}
    report = send_instances(settings, peer.node(CompressionPolicy.LOSSY), items,
                            on_result=lambda r: results.setdefault(r.item.sop_uid, r))  # fmt: skip
    # pylibjpeg cannot decode the shipped 12-bit JPEG extended file: that one fails with
    # the reason, and the send goes on
    (undecodable,) = [i for i in items if i.transfer_syntax == "1.2.840.10008.1.2.4.51"]
    failed = results.pop(undecodable.sop_uid)
    assert failed.outcome is SendOutcome.FAILED and failed.status is None
    assert failed.detail.startswith(f"Cannot convert {undecodable.sop_uid}")
    assert report.count(SendOutcome.STORED) == len(items) - 1, report.summary()
    received = peer.received()
    assert undecodable.sop_uid not in received
    for item in items:
        if item is undecodable:
            continue
        (path,) = received[item.sop_uid]
        result = results[item.sop_uid]
        got = pydicom.dcmread(path)
        stored = pydicom.dcmread(item.path)
        assert got.SOPInstanceUID == stored.SOPInstanceUID
        assert not got.file_meta.TransferSyntaxUID.is_compressed
        if result.action is Action.AS_STORED:
            assert same_bytes(item.path, path)
            continue
        assert np.array_equal(got.pixel_array, stored.pixel_array), item.path.name
        if is_lossy(item.transfer_syntax):  # lossy stays lossy
            assert result.action is Action.DECOMPRESS
            assert got.LossyImageCompression == "01"
            assert got.LossyImageCompressionMethod
        else:
            assert got.get("LossyImageCompression") in (None, "00")
    actions = {pydicom.dcmread(i.path).file_meta.TransferSyntaxUID.name: results[i.sop_uid].action
               for i in items if i is not undecodable}  # fmt: skip
    assert actions["JPEG Baseline (Process 1)"] is Action.DECOMPRESS
    assert actions["Deflated Explicit VR Little Endian"] is Action.CONVERT
    assert actions["Explicit VR Little Endian"] is Action.AS_STORED


def test_the_lossless_policy_sends_lossy_images_decompressed(
    sending, processes: Processes, tmp_path: Path
) -> None:
    settings, store = sending
    items = fill_store(store, ["SC_rgb_jpeg_dcmtk.dcm", "SC_rgb_jpeg_gdcm.dcm", "JPEG2000.dcm"])
    peer = start_storescp(processes, tmp_path / "peer", "+xa")
    report = send_instances(settings, peer.node(CompressionPolicy.LOSSLESS), items)
    by_uid = {r.item.sop_uid: r for r in report.results}
    received = peer.received()
    for item in items:
        got = pydicom.dcmread(received[item.sop_uid][0])
        if is_lossy(item.transfer_syntax):
            assert by_uid[item.sop_uid].action is Action.DECOMPRESS
            assert got.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
            assert got.LossyImageCompression == "01"
        else:
            assert by_uid[item.sop_uid].action is Action.AS_STORED
            assert str(got.file_meta.TransferSyntaxUID) == item.transfer_syntax


def test_a_refused_association_fails_the_job_without_retry(
    sending, processes: Processes, tmp_path: Path
) -> None:
    settings, store = sending
    items = fill_store(store, ["CT_small.dcm"])
    peer = start_storescp(processes, tmp_path / "peer", "--refuse")
    with pytest.raises(AssociationRejectedError) as info:
        send_instances(settings, peer.node(), items)
    assert info.value.permanent
    with JobQueue(tmp_path / "jobs.sqlite", backoff_base_s=0.01) as queue:
        runner = JobRunner(queue, {KIND: send_handler(store, lambda: settings)})
        job_id = queue.submit(KIND, send_params(peer.node(), [items[0].study_uid]), max_attempts=3)
        assert runner.run_once()
        job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1
    assert "rejected" in job.last_error.lower()
    assert peer.received() == {}


def test_cancel_between_instances_stops_the_send(
    sending, processes: Processes, tmp_path: Path
) -> None:
    settings, store = sending
    items = ct_series(store, tmp_path / "src", 20)
    peer = start_storescp(processes, tmp_path / "peer")
    token = CancelToken()
    state = SendState(store.index)

    def progress(p) -> None:
        if p.done == 5:
            token.set()

    params = send_params(peer.node(), [items[0].study_uid])
    outcome = run_send(settings, store, peer.node(), params["uids"], params["send_id"],
                       progress=progress, cancel=token)  # fmt: skip
    assert outcome.report.cancelled and outcome.report.interrupted is None
    assert len(outcome.records) == 5 and outcome.report.not_sent == 15
    assert len(peer.received()) == 5
    assert len(state.on_peer_in_batch(params["send_id"])) == 5


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workstation", *args], capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip


def test_the_command_line_sends_and_says_how_it_went(
    sending, processes: Processes, tmp_path: Path
) -> None:
    settings, store = sending
    items = fill_store(store, ["CT_small.dcm", "MR_small_implicit.dcm"])
    peer = start_storescp(processes, tmp_path / "peer")
    config = ["--config", str(tmp_path / "absent.json")]
    target = f"{STORESCP_AET}@{LOOPBACK}:{peer.port}"
    common = [
        *config,
        "send",
        "--data-dir",
        str(settings.storage.data_dir),
        "--aet",
        SENDER_AET,
        "--to",
        target,
    ]
    ok = run_cli(*common, *(i.study_uid for i in items))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == f"sent 2, warnings 0, duplicates 0, failed 0 of 2 to {target}"
    assert sorted(peer.received()) == sorted(i.sop_uid for i in items)

    unknown = run_cli(*common, "1.2.3.404")
    assert unknown.returncode == 2 and "not in the local store" in unknown.stderr

    refused = start_storescp(processes, tmp_path / "refusing", "--refuse")
    target = f"{STORESCP_AET}@{LOOPBACK}:{refused.port}"
    failed = run_cli(*config, "send", "--data-dir", str(settings.storage.data_dir), "--to", target,
                     "--retry-delay", "0", items[0].sop_uid)  # fmt: skip
    assert failed.returncode == 1
    assert "rejected" in failed.stderr.lower() and "try 1 of" not in failed.stderr

    malformed = run_cli(*config, "send", "--data-dir", str(settings.storage.data_dir), "--to", "nowhere",
                        items[0].sop_uid)  # fmt: skip
    assert malformed.returncode == 2 and "AET@HOST:PORT" in malformed.stderr


CT_ONLY_PROFILE = """\
[[TransferSyntaxes]]
[Uncompressed]
TransferSyntax1 = LocalEndianExplicit
TransferSyntax2 = LittleEndianImplicit

[[PresentationContexts]]
[CTOnly]
PresentationContext1 = CTImageStorage\\Uncompressed

[[Profiles]]
[CT]
PresentationContexts = CTOnly
"""


def test_a_refused_sop_class_fails_its_instances_for_good_and_the_rest_goes(
    sending, processes: Processes, tmp_path: Path
) -> None:
    settings, store = sending
    items = fill_store(store, ["MR_small_implicit.dcm", "CT_small.dcm", "MR_small_RLE.dcm"])
    config = tmp_path / "ct-only.cfg"
    config.write_text(CT_ONLY_PROFILE)
    peer = start_storescp(processes, tmp_path / "peer", "-xf", str(config), "CT")
    with JobQueue(tmp_path / "jobs.sqlite") as queue:
        runner = JobRunner(queue, {KIND: send_handler(store, lambda: settings)})
        job_id = queue.submit(KIND, send_params(peer.node(), [i.sop_uid for i in items]))
        assert runner.run_once()
        job = queue.get(job_id)
    assert job.state is JobState.FAILED and job.attempts == 1  # permanent: no retry
    assert "2 of 3 instances were not stored" in job.last_error
    (ct,) = [i for i in items if i.sop_class_uid == "1.2.840.10008.5.1.4.1.1.2"]
    assert sorted(peer.received()) == [ct.sop_uid]
    log = "\n".join(job.log)
    for mr in (i for i in items if i is not ct):
        assert f"refused {mr.sop_uid}" in log
    assert "accepted no presentation context for SOP class 1.2.840.10008.5.1.4.1.1.4" in log


def test_a_stored_file_gone_from_disk_fails_alone(
    sending, processes: Processes, tmp_path: Path
) -> None:
    settings, store = sending
    items = ct_series(store, tmp_path / "src", 3)
    items[1].path.unlink()  # the index still names it
    peer = start_storescp(processes, tmp_path / "peer")
    report = send_instances(settings, peer.node(), items)
    outcomes = {r.item.sop_uid: r for r in report.results}
    gone = outcomes[items[1].sop_uid]
    assert gone.outcome is SendOutcome.FAILED and "cannot send the stored file" in gone.detail
    assert sorted(peer.received()) == sorted([items[0].sop_uid, items[2].sop_uid])
    assert report.interrupted is None
