"""Modality Worklist SCU against DCMTK ``wlmscpfs`` serving the files the tests write.

Every date window, station, modality and patient key over the catalog of
``worklist_support`` (ISO_IR 100 and UTF-8 names), the limit with C-CANCEL, a refused
association (unknown called AE title), a dead node, answers without a Specific
Character Set (wlmscpfs' default) and the command line end to end.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.integration.worklist_support import (
    CATALOG,
    NOW,
    WINDOWS,
    Peer,
    Provider,
    Spec,
    bulk_specs,
    check_broad_windows,
    check_cli,
    check_dead_node,
    check_limit,
    check_modality,
    check_names_decoded,
    check_patient_keys,
    check_refused,
    check_station,
    query,
    start_wlmscpfs,
    step_names,
    stop,
    write_items,
)
from tests.ports import free_port
from workstation.config.settings import WorklistDateWindow, WorklistSettings
from workstation.dicom.worklist import broad_identifier, broad_window

MAIN, BULK, CLI = "WLMAIN", "WLBULK", "WLCLI"


@pytest.fixture(scope="module")
def wlm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """wlmscpfs returning the files' character set (``-csk``), serving the catalog as
    WLMAIN, 40 bulk items as WLBULK and an empty WLCLI."""
    root = tmp_path_factory.mktemp("wlm") / "db"
    write_items(root / MAIN, CATALOG)
    write_items(root / BULK, bulk_specs(40))
    write_items(root / CLI, [])
    provider = start_wlmscpfs(root, MAIN, "-csk")
    try:
        yield provider
    finally:
        stop(provider.proc)


@pytest.fixture
def peer(wlm: Provider) -> Peer:
    return Peer(wlm.aet, wlm.host, wlm.port, bulk_aet=BULK)


@pytest.mark.parametrize("window", list(WINDOWS))
def test_every_date_window(peer: Peer, window: str) -> None:
    check_broad_windows(peer, window)


@pytest.mark.parametrize("window", ["today-12h", "today-24h"])
def test_combined_date_time_range_gives_the_same_steps(peer: Peer, window: str) -> None:
    """wlmscpfs combines a Date range and a Time range into one date-time range: sent
    that way the answer is already the window."""
    ws = WorklistSettings(date_window=WorklistDateWindow(window), query_by_modality=False)
    identifier = broad_identifier(ws, "WS", NOW, combined_datetime=True)
    assert identifier.ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime
    raw = query(peer, identifier, window=None)
    assert set(step_names(raw.items)) == WINDOWS[window]
    filtered = query(peer, identifier, window=broad_window(ws, NOW))
    assert set(step_names(filtered.items)) == WINDOWS[window]


def test_station(peer: Peer) -> None:
    check_station(peer)


def test_modality(peer: Peer) -> None:
    check_modality(peer)


def test_patient_keys(peer: Peer) -> None:
    check_patient_keys(peer)


def test_iso_ir_100_and_utf8_names_decoded(peer: Peer) -> None:
    check_names_decoded(peer)


def test_names_decoded_when_the_provider_sends_no_character_set(tmp_path: Path) -> None:
    """wlmscpfs' default (``-cs0``) leaves the Specific Character Set out: Latin-1 and
    UTF-8 bytes are still read right."""
    root = tmp_path / "db"
    write_items(root / MAIN, CATALOG)
    provider = start_wlmscpfs(root, MAIN)
    try:
        check_names_decoded(Peer(provider.aet, provider.host, provider.port))
    finally:
        stop(provider.proc)


def test_limit_sends_c_cancel(peer: Peer, wlm: Provider) -> None:
    check_limit(peer)


def test_refused_association_for_an_unknown_called_ae(peer: Peer) -> None:
    check_refused(peer, "NOSUCHAE")


def test_dead_node() -> None:
    check_dead_node()


def test_cli_end_to_end(peer: Peer, wlm: Provider, tmp_path: Path) -> None:
    check_cli(peer, tmp_path)


def test_cli_today_with_station_and_modality(wlm: Provider, tmp_path: Path) -> None:
    """``--date today`` on the real clock: an item written for today (and one for
    another station) in the WLCLI folder."""
    assert wlm.root is not None
    folder = wlm.root / CLI
    now = datetime.now().replace(microsecond=0)
    write_items(
        folder,
        [
            Spec("T1", "Łukasz^Żółć", "PID-T1", "ST_CLI", "DX", now, charset="ISO_IR 192"),
            Spec("T2", "Other^Station", "PID-T2", "ST_OTHER", "DX", now),
        ],
    )
    cmd = [
        sys.executable,
        "-m",
        "workstation",
        "--config",
        str(tmp_path / "s.json"),
        "worklist",
        "--from",
        f"{CLI}@{wlm.host}:{wlm.port}",
        "--date",
        "today",
        "--station-aet",
        "ST_CLI",
        "--modality",
        "DX",
    ]
    done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    if now.date() != datetime.now().date():  # midnight passed meanwhile: nothing to say
        return
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    lines = done.stdout.decode("utf-8").splitlines()
    assert len(lines) == 1
    fields = dict(f.split("=", 1) for f in lines[0].split("\t"))
    assert fields["PatientName"] == "Łukasz^Żółć"
    assert fields["ScheduledStationAETitle"] == "ST_CLI"
    assert b"1 worklist items" in done.stderr


def test_refresh_replaces_the_book_and_a_failure_keeps_it(wlm: Provider, tmp_path: Path) -> None:
    """The settings' broad query (own AE title as station) fills the book; the patient
    query replaces it; a dead node leaves it as it was, with the error."""
    from workstation.config.settings import Role, Settings, make_node
    from workstation.dicom.worklist import PatientQuery
    from workstation.errors import PeerConnectError
    from workstation.services.worklist_refresh import WorklistBook, refresh

    ris = make_node(
        name="ris", ae_title=MAIN, host=wlm.host, port=wlm.port, roles=frozenset({Role.WORKLIST})
    )
    settings = Settings(
        ae_title="ST_CT1",
        data_dir=tmp_path / "data",
        remote_nodes=(ris,),
        worklist={"date_window": "any", "query_by_station_aet": True, "query_by_modality": False},
    )
    book = WorklistBook()
    refresh(settings, book, now=NOW)
    assert set(step_names(book.items)) == {"A", "C", "F"}
    refresh(settings, book, patient=PatientQuery(patient_id="PID-B"), now=NOW)
    assert step_names(book.items) == ["B"]
    dead = make_node(name="dead", ae_title="DEAD", host=wlm.host, port=free_port())
    with pytest.raises(PeerConnectError):
        refresh(settings, book, node=dead, now=NOW)
    assert step_names(book.items) == ["B"]
    assert isinstance(book.state.error, PeerConnectError)
