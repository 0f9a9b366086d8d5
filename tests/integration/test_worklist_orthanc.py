"""Modality Worklist SCU against Orthanc's ModalityWorklists plugin serving the files
the tests write (the same catalog and checks as ``test_worklist_dcmtk``).

Orthanc matches a Date range and a Time range each on its own (no combined date-time
matching): the +/-12 h and +/-24 h windows work because we send the date range only
and keep the window ourselves (``dicom/worklist.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.worklist_support import (
    CATALOG,
    NOW,
    WINDOWS,
    Peer,
    Provider,
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
    start_orthanc,
    step_names,
    stop,
    write_items,
)
from workstation.config.settings import WorklistDateWindow, WorklistSettings
from workstation.dicom.worklist import broad_identifier, broad_window


@pytest.fixture(scope="module")
def orthancs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Provider, Provider]]:
    """Two Orthancs: the catalog (ORTHANC_WL, answering in UTF-8) and 40 bulk items with
    Latin-1 names (ORTHANC_BULK, answering in ISO_IR 100, Orthanc's default)."""
    folder = tmp_path_factory.mktemp("orthanc-wl")
    write_items(folder / "catalog", CATALOG)
    write_items(folder / "bulk", bulk_specs(40))
    main = start_orthanc(folder / "main", folder / "catalog", "ORTHANC_WL", "Utf8")
    try:
        bulk = start_orthanc(folder / "bulk-server", folder / "bulk", "ORTHANC_BULK")
        try:
            yield main, bulk
        finally:
            stop(bulk.proc)
    finally:
        stop(main.proc)


@pytest.fixture
def peer(orthancs: tuple[Provider, Provider]) -> Peer:
    main, bulk = orthancs
    return Peer(main.aet, main.host, main.port, bulk_aet=bulk.aet, bulk_port=bulk.port)


@pytest.mark.parametrize("window", list(WINDOWS))
def test_every_date_window(peer: Peer, window: str) -> None:
    check_broad_windows(peer, window)


def test_combined_date_time_range_is_not_combined_by_orthanc(peer: Peer) -> None:
    """Why the date range goes alone: Orthanc matches the time range on its own, so
    ``T(now-12h)-T(now+12h)`` (03:00-03:00 here) keeps (almost) nothing."""
    ws = WorklistSettings(date_window=WorklistDateWindow.TODAY_12H, query_by_modality=False)
    combined = query(peer, broad_identifier(ws, "WS", NOW, combined_datetime=True))
    assert set(step_names(combined.items)) != WINDOWS["today-12h"]
    plain = query(peer, broad_identifier(ws, "WS", NOW), window=broad_window(ws, NOW))
    assert set(step_names(plain.items)) == WINDOWS["today-12h"]


def test_station(peer: Peer) -> None:
    check_station(peer)


def test_modality(peer: Peer) -> None:
    check_modality(peer)


def test_patient_keys(peer: Peer) -> None:
    check_patient_keys(peer)


def test_iso_ir_100_and_utf8_names_decoded(peer: Peer) -> None:
    check_names_decoded(peer)


def test_limit_sends_c_cancel(peer: Peer) -> None:
    check_limit(peer)


def test_refused_association_for_a_wrong_called_ae(peer: Peer) -> None:
    check_refused(peer, "NOT_ORTHANC")


def test_dead_node() -> None:
    check_dead_node()


def test_cli_end_to_end(peer: Peer, tmp_path: Path) -> None:
    check_cli(peer, tmp_path)
