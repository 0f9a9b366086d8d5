"""``workstation query`` and ``workstation retrieve`` as a script runs them: a subprocess of
``.venv/bin/workstation`` against dcmqrscp (which knows WS_TEST on a port the retrieve
command listens on for the C-MOVE)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pydicom
import pytest

from workstation.store import LocalStore

from .conftest import LOOPBACK, NODE_AET, ct_small, find_free_port
from .qr_scu_support import ct_copies, start_qrscp

pytestmark = pytest.mark.integration

WORKSTATION = Path(sys.executable).parent / "workstation"
COPIES = 12
CT = pydicom.dcmread(ct_small(), stop_before_pixels=True)
RUN_TIMEOUT_S = 120


@pytest.fixture
def our_port() -> int:
    return find_free_port()


@pytest.fixture
def qrscp(tmp_path: Path, our_port: int):
    files = [ct_small(), *ct_copies(tmp_path / "copies", COPIES)]
    scp = start_qrscp(tmp_path / "qrscp", files, {"ws": (NODE_AET, our_port)}, peers="ws")
    try:
        yield scp
    finally:
        scp.stop()


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [str(WORKSTATION), "--config", str(tmp_path / "settings.json"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)


def source(scp) -> str:
    return f"{scp.aet}@{LOOPBACK}:{scp.port}"


def test_query_prints_one_line_per_match(tmp_path: Path, qrscp) -> None:
    result = run(tmp_path, "query", "--to", source(qrscp), "--aet", NODE_AET, "--level", "STUDY",
                 "-k", "PatientName=Compressed*", "-k", "0010,0020")  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    fields = dict(f.split("=", 1) for f in lines[0].split("\t"))
    assert fields["PatientName"] == str(CT.PatientName)
    assert fields["PatientID"] == str(CT.PatientID)  # given as the tag 0010,0020
    assert fields["StudyInstanceUID"] == str(CT.StudyInstanceUID)
    assert list(fields)[:2] == ["PatientName", "PatientID"]  # the given keys first
    assert "1 matches from QRSCP@" in result.stderr and "(complete)" in result.stderr


def test_query_limit_reports_an_incomplete_list(tmp_path: Path, qrscp) -> None:
    series = str(pydicom.dcmread(qrscp.files[-1], stop_before_pixels=True).SeriesInstanceUID)
    result = run(tmp_path, "query", "--to", source(qrscp), "--aet", NODE_AET, "--level", "IMAGE",
                 "-k", f"StudyInstanceUID={CT.StudyInstanceUID}", "-k",
                 f"SeriesInstanceUID={series}", "--limit", "4", "--only-keys", "-k",
                 "SOPInstanceUID")  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and all(line.count("SOPInstanceUID=1") == 1 for line in lines)
    assert "incomplete: the limit of 4 matches was reached (C-CANCEL sent)" in result.stderr


def test_query_refused_exits_non_zero(tmp_path: Path, qrscp) -> None:
    result = run(tmp_path, "query", "--to", source(qrscp), "--aet", "STRANGER", "--level", "STUDY")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "error:" in result.stderr and "rejected" in result.stderr.lower()


def test_query_bad_key_exits_2(tmp_path: Path, qrscp) -> None:
    result = run(tmp_path, "query", "--to", source(qrscp), "--level", "STUDY", "-k", "NoSuchKey=1")
    assert result.returncode == 2
    assert "NoSuchKey" in result.stderr


@pytest.mark.parametrize("how", ["move", "get"])
def test_retrieve_a_study(tmp_path: Path, qrscp, our_port: int, how: str) -> None:
    data = tmp_path / "data"
    args = ["retrieve", "--data-dir", str(data), "--from", source(qrscp), "--aet", NODE_AET,
            "--port", str(our_port), "--bind", LOOPBACK, "--min-free-mb", "0", "--progress",
            "--study", str(CT.StudyInstanceUID)]  # fmt: skip
    result = run(tmp_path, *args, *(["--get"] if how == "get" else []))
    assert result.returncode == 0, result.stdout + result.stderr
    verb = "C-GET" if how == "get" else "C-MOVE"
    assert f"{verb}: {COPIES + 1} completed, 0 failed" in result.stdout
    assert f"{COPIES + 1}/{COPIES + 1}:" in result.stderr  # the last progress line
    if how == "move":
        assert f"listening on {LOOPBACK}:{our_port} for the C-MOVE" in result.stderr
    with LocalStore(data) as store:
        assert store.index.count("instance") == COPIES + 1


def test_retrieve_when_the_source_does_not_know_us(tmp_path: Path) -> None:
    """A source that accepts us as a caller but has no address for our AE title answers
    the C-MOVE with A801: exit 1, the message says what to configure, nothing stored."""
    scp = start_qrscp(tmp_path / "qrscp", [ct_small()], {})
    data = tmp_path / "data"
    try:
        result = run(tmp_path, "retrieve", "--data-dir", str(data), "--from", source(scp),
                     "--aet", NODE_AET, "--port", str(find_free_port()), "--bind", LOOPBACK,
                     "--min-free-mb", "0", "--study", str(CT.StudyInstanceUID), "--series",
                     str(CT.SeriesInstanceUID))  # fmt: skip
    finally:
        scp.stop()
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"does not know the move destination {NODE_AET} (status 0xA801)" in result.stderr
    with LocalStore(data) as store:
        assert store.index.count("instance") == 0


def test_retrieve_through_a_node_already_running(tmp_path: Path, qrscp, our_port, start_serve) -> None:
    """``workstation serve`` listens on the port already: retrieve leaves it be and the
    instances arrive through it, into the same store."""
    data = tmp_path / "data"
    serve = start_serve(data, our_port, tmp_path / "serve.log", "--node",
                        f"qrscp={qrscp.aet}@{LOOPBACK}:104")  # fmt: skip
    result = run(tmp_path, "retrieve", "--data-dir", str(data), "--from", source(qrscp),
                 "--aet", NODE_AET, "--port", str(our_port), "--bind", LOOPBACK,
                 "--min-free-mb", "0", "--study", str(CT.StudyInstanceUID))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"port {our_port} is in use: the instances go to the node listening there" in result.stderr
    assert f"C-MOVE: {COPIES + 1} completed, 0 failed" in result.stdout
    assert serve.proc.poll() is None
    with LocalStore(data) as store:
        assert store.index.count("instance") == COPIES + 1
