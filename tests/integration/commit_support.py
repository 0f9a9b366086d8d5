"""Helpers for the storage commitment tests: raw pynetdicom peers for the cases no
installed tool produces (a provider that never reports, a report nobody asked for)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pydicom
from pydicom.dataset import Dataset
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, AllStoragePresentationContexts, build_role, evt

from workstation.config.settings import RemoteNode, make_node
from workstation.net.commitment import (
    COMMITMENT_SOP_CLASS,
    COMMITMENT_SOP_INSTANCE,
    CommitReport,
    event_information,
)
from workstation.store import LocalStore

from .conftest import LOOPBACK, make_copies

TIMEOUT_S = 30.0


def node_entry(name: str, aet: str, port: int, commit: bool = True) -> RemoteNode:
    return make_node(name=name, ae_title=aet, host=LOOPBACK, port=port, storage_commitment=commit)


def copies(folder: Path, count: int) -> list[tuple[Path, str, str]]:
    """``count`` CT copies in one new series: (path, SOP class, SOP instance)."""
    made = make_copies(folder, count)
    sop_class = str(pydicom.dcmread(made[0][0], stop_before_pixels=True).SOPClassUID)
    return [(path, sop_class, uid) for path, uid in made]


def study_of(path: Path) -> str:
    return str(pydicom.dcmread(path, stop_before_pixels=True).StudyInstanceUID)


def load(store: LocalStore, files: Sequence[tuple[Path, str, str]]) -> None:
    for path, _cls, _uid in files:
        store.add_file(path)


def raw_ae(aet: str) -> AE:
    ae = AE(ae_title=aet)
    for timeout in ("acse_timeout", "dimse_timeout", "network_timeout", "connection_timeout"):
        setattr(ae, timeout, TIMEOUT_S)
    return ae


@contextmanager
def silent_provider(
    aet: str, port: int, status: int = 0x0000, storage: bool = False
) -> Iterator[list[Dataset]]:
    """A commitment provider that answers every N-ACTION with ``status`` and never
    sends a report (no installed tool behaves so); with ``storage`` it also takes (and
    drops) C-STOREs. Yields the Action Informations."""
    received: list[Dataset] = []

    def on_action(event: evt.Event) -> tuple[int, None]:
        received.append(event.action_information)
        return status, None

    ae = raw_ae(aet)
    ae.add_supported_context(COMMITMENT_SOP_CLASS)
    handlers = [(evt.EVT_N_ACTION, on_action)]
    if storage:
        for cx in AllStoragePresentationContexts:
            ae.add_supported_context(cx.abstract_syntax, ALL_TRANSFER_SYNTAXES)
        handlers.append((evt.EVT_C_STORE, lambda event: 0x0000))
    server = ae.start_server((LOOPBACK, port), block=False, evt_handlers=handlers)
    try:
        yield received
    finally:
        server.shutdown()
        ae.shutdown()


def send_report(
    calling: str, port: int, called: str, report: CommitReport, as_scp_role: bool = True
) -> int | None:
    """Send one N-EVENT-REPORT as a provider would on a new association; its status."""
    ae = raw_ae(calling)
    ae.add_requested_context(COMMITMENT_SOP_CLASS)
    roles = [build_role(COMMITMENT_SOP_CLASS, scp_role=True)] if as_scp_role else []
    assoc = ae.associate(LOOPBACK, port, ae_title=called, ext_neg=roles)
    try:
        assert assoc.is_established, "the node refused the report's association"
        rsp, _ = assoc.send_n_event_report(
            event_information(report), report.event_type, COMMITMENT_SOP_CLASS,
            COMMITMENT_SOP_INSTANCE,
        )  # fmt: skip
        assoc.release()
        return int(rsp.Status) if "Status" in rsp else None
    finally:
        if assoc.is_alive():
            assoc.abort()
        ae.shutdown()


class RawRequester:
    """A commitment requester on pynetdicom: N-ACTION, then (optionally) wait on the
    association for the report. Our SCP is tested with it and with Orthanc."""

    def __init__(self, aet: str) -> None:
        self.aet = aet
        self.reports: list[tuple[int, Dataset]] = []
        self._got = threading.Event()
        self._threads: list[threading.Thread] = []

    def _on_report(self, event: evt.Event) -> tuple[int, None]:
        self._threads.append(threading.current_thread())
        self.reports.append((int(event.event_type), event.event_information))
        self._got.set()
        return 0x0000, None

    def request(
        self,
        port: int,
        called: str,
        info: Dataset,
        action_type: int = 1,
        wait: bool = True,
        instance: str = COMMITMENT_SOP_INSTANCE,
    ) -> int | None:
        """The N-ACTION's status; with ``wait`` the report is awaited on the association."""
        ae = raw_ae(self.aet)
        ae.add_requested_context(COMMITMENT_SOP_CLASS)
        assoc = ae.associate(
            LOOPBACK, port, ae_title=called,
            evt_handlers=[(evt.EVT_N_EVENT_REPORT, self._on_report)],
        )  # fmt: skip
        try:
            assert assoc.is_established
            rsp, _ = assoc.send_n_action(info, action_type, COMMITMENT_SOP_CLASS, instance)
            status = int(rsp.Status) if "Status" in rsp else None
            if wait and status == 0:
                assert self._got.wait(TIMEOUT_S), "no report on the association"
                for t in self._threads:
                    t.join(TIMEOUT_S)  # pynetdicom's thread answering the report
            assoc.release()
            return status
        finally:
            if assoc.is_alive():
                assoc.abort()
            ae.shutdown()


def report_refs(ds: Dataset) -> tuple[set[str], dict[str, int]]:
    """(successful SOP instances, failed SOP instance -> Failure Reason) of a report."""
    ok = {str(i.ReferencedSOPInstanceUID) for i in ds.get("ReferencedSOPSequence", [])}
    bad = {
        str(i.ReferencedSOPInstanceUID): int(i.FailureReason)
        for i in ds.get("FailedSOPSequence", [])
    }
    return ok, bad


def transaction_state(state: Any, uid: str) -> str | None:
    t = state.transaction(uid)
    return None if t is None else str(t.state)
