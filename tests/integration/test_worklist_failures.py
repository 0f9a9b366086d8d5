"""Worklist SCU failures a real SCP cannot be told to produce: a failure status after
some answers, an abort in the middle, no response in time, and cancel from the user.

The SCP is pynetdicom in this process (a Modality Worklist FIND handler that does what
the test says), over 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import ModalityWorklistInformationFind

from tests.integration.worklist_support import LOCAL, NOW, Peer, Spec, item_dataset, query
from tests.ports import free_port
from workstation.config.settings import WorklistDateWindow, WorklistSettings
from workstation.dicom.worklist import broad_identifier
from workstation.errors import AssociationAbortedError, DimseStatusError, NetworkTimeoutError
from workstation.jobs.cancel import CancelToken
from workstation.net.scu.worklist import query_worklist

AET = "FAKE_RIS"


def answers(count: int) -> list[Dataset]:
    out = []
    for n in range(count):
        ds = item_dataset(Spec(f"x{n}", f"Fake^P{n}", f"FK{n}", "ST", "CT", NOW))
        del ds.file_meta
        out.append(ds)
    return out


@pytest.fixture
def fake_scp() -> Iterator[Callable[[Callable[[evt.Event], object]], Peer]]:
    servers = []

    def start(handler: Callable[[evt.Event], object]) -> Peer:
        ae = AE(ae_title=AET)
        ae.add_supported_context(ModalityWorklistInformationFind)
        port = free_port()
        server = ae.start_server(
            ("127.0.0.1", port), block=False, evt_handlers=[(evt.EVT_C_FIND, handler)]
        )
        servers.append(server)
        return Peer(AET, "127.0.0.1", port)

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()


def identifier() -> Dataset:
    return broad_identifier(WorklistSettings(date_window=WorklistDateWindow.ANY), "", NOW)


def test_failure_status_after_some_answers_raises_with_status_and_comment(fake_scp) -> None:
    def handler(event: evt.Event):
        for ds in answers(2):
            yield 0xFF00, ds
        status = Dataset()
        status.Status = 0xA700
        status.ErrorComment = "database offline"
        yield status, None

    peer = fake_scp(handler)
    with pytest.raises(DimseStatusError) as info:
        query(peer, identifier())
    text = info.value.message()
    assert info.value.values["status"] == 0xA700
    assert "0xA700" in text and "out of resources" in text and "database offline" in text


def test_unable_to_process_status(fake_scp) -> None:
    def handler(event: evt.Event):
        yield 0xC123, None

    with pytest.raises(DimseStatusError) as info:
        query(fake_scp(handler), identifier())
    assert "0xC123" in info.value.message() and "unable to process" in info.value.message()


def test_abort_in_the_middle(fake_scp) -> None:
    def handler(event: evt.Event):
        yield 0xFF00, answers(1)[0]
        event.assoc.abort()
        yield 0xFF00, answers(1)[0]

    with pytest.raises(AssociationAbortedError):
        query(fake_scp(handler), identifier())


def test_no_response_in_time(fake_scp) -> None:
    release = threading.Event()

    def handler(event: evt.Event):
        release.wait(10)
        yield 0x0000, None

    peer = fake_scp(handler)
    try:
        with pytest.raises(NetworkTimeoutError) as info:
            query_worklist(peer.node(), LOCAL, identifier(), limit=10, timeout_s=1)
        assert "within 1 s" in info.value.message()
    finally:
        release.set()


def test_cancel_token_sends_c_cancel_and_keeps_nothing_after_it(fake_scp) -> None:
    cancelled = threading.Event()
    token = CancelToken()

    def handler(event: evt.Event):
        for n, ds in enumerate(answers(50)):
            if event.is_cancelled:
                cancelled.set()
                yield 0xFE00, None
                return
            if n == 5:
                token.set()
                time.sleep(0.2)
            yield 0xFF00, ds
        yield 0x0000, None

    peer = fake_scp(handler)
    answer = query_worklist(peer.node(), LOCAL, identifier(), limit=999, timeout_s=10, cancel=token)
    assert answer.cancelled and answer.truncated
    assert cancelled.is_set()
    assert answer.answers < 50
