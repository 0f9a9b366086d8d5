"""The worklist book: replaced, never merged; a failure keeps the items; the node."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from workstation.config.settings import Role, Settings, make_node
from workstation.dicom.worklist_items import WorklistItem
from workstation.errors import PeerConnectError, SettingsError
from workstation.net.scu.worklist import WorklistAnswer
from workstation.services.worklist_refresh import WorklistBook, worklist_node


def item(study: str, sps_id: str, accession: str = "") -> WorklistItem:
    ds = Dataset()
    ds.StudyInstanceUID = study
    ds.AccessionNumber = accession
    sps = Dataset()
    sps.ScheduledProcedureStepID = sps_id
    ds.ScheduledProcedureStepSequence = [sps]
    return WorklistItem(ds)


def test_each_answer_replaces_the_list() -> None:
    book = WorklistBook()
    book.replace(WorklistAnswer([item("1", "a"), item("2", "a", "ACC2")], False, 2))
    assert [i.key for i in book.items] == [("1", "a"), ("2", "a")]
    assert book.find(("2", "a")) is not None and book.with_accession("ACC2")
    state = book.replace(WorklistAnswer([item("3", "a")], True, 5))
    assert [i.key for i in book.items] == [("3", "a")]  # not merged
    assert state.truncated and state.generation == 2 and state.error is None
    assert book.find(("1", "a")) is None


def test_a_failure_keeps_the_items_and_the_next_success_clears_the_error() -> None:
    book = WorklistBook()
    book.replace(WorklistAnswer([item("1", "a")], False, 1))
    error = PeerConnectError(host="h", port=1, ae_title="X", detail="refused")
    state = book.failed(error)
    assert state.error is error and [i.key for i in state.items] == [("1", "a")]
    assert book.replace(WorklistAnswer([], False, 0)).error is None


def test_worklist_node_by_name_or_role() -> None:
    a = make_node(
        name="pacs", ae_title="PACS", host="127.0.0.1", port=104, roles=frozenset({Role.QUERY})
    )
    b = make_node(
        name="ris", ae_title="RIS", host="127.0.0.1", port=105, roles=frozenset({Role.WORKLIST})
    )
    settings = Settings(remote_nodes=(a, b))
    assert worklist_node(settings).name == "ris"
    named = settings.updated(worklist={"node": "PACS"})
    assert worklist_node(named).name == "pacs"
    with pytest.raises(SettingsError):
        worklist_node(settings.updated(worklist={"node": "nosuch"}))
    with pytest.raises(SettingsError):
        worklist_node(Settings(remote_nodes=(a,)))
