"""The worklist tab: four kinds of items (this station, another station already started,
an ISO_IR 100 and a UTF-8 name), sorting, details, the status line, replace-not-merge,
the limit, failures, the patient query, stop, the automatic refresh, and one run against
DCMTK wlmscpfs. The query always runs off the GUI thread.

The helpers at the top (items as a provider sends them, a fake C-FIND) are shared with
the other worklist and examination GUI tests and the screenshot script.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from io import BytesIO

import pydicom
import pytest
from PySide6.QtCore import Qt

from tests.integration.worklist_support import (
    CATALOG,
    Spec,
    item_dataset,
    start_wlmscpfs,
    stop,
    write_items,
)
from tests.integration.worklist_support import NOW as CATALOG_NOW
from workstation.config import RemoteNode, Role, Settings
from workstation.dicom.worklist_items import WorklistItem, collect
from workstation.errors import PeerConnectError
from workstation.net.scu.worklist import WorklistAnswer
from workstation.ui import i18n
from workstation.ui.worklist.worklist_tab import WorklistTab

pytestmark = pytest.mark.gui

NOW = datetime(2026, 3, 10, 10, 42, 0)
STATION = "WS_GUI"
RIS = RemoteNode(name="RIS", ae_title="RIS_AE", host="127.0.0.1", port=11199,
                 roles=frozenset({Role.WORKLIST}))  # fmt: skip

FOUR_KINDS: tuple[Spec, ...] = (
    Spec("TODAY", "Smith^John", "PID-1001", STATION, "CR", datetime(2026, 3, 10, 11, 0),
         charset="", description="Chest PA/LAT", referring_physician="House^Gregory",
         sex="M", birth_date="19580412"),  # fmt: skip
    Spec("OTHER", "Dupont^Camille", "PID-1002", "ST_CT1", "CT", datetime(2026, 3, 10, 9, 30),
         status="STARTED", description="CT Abdomen", sex="F", birth_date="19810923"),  # fmt: skip
    Spec("LATIN1", "Müller^Jürgen", "PID-1003", STATION, "CR", datetime(2026, 3, 10, 13, 15),
         charset="ISO_IR 100", description="Knie rechts", referring_physician="Weiß^Anna",
         sex="M", birth_date="19630102"),  # fmt: skip
    Spec("UTF8", "Ωμέγα^Ελένη", "PID-1004", STATION, "CR", datetime(2026, 3, 10, 14, 0),
         charset="ISO_IR 192", description="Hand links", sex="F", birth_date="19900517"),  # fmt: skip
)


def as_answer(spec: Spec) -> pydicom.Dataset:
    """The item of ``spec`` after a round trip through its encoded bytes."""
    buffer = BytesIO()
    item_dataset(spec).save_as(buffer, enforce_file_format=True)
    buffer.seek(0)
    return pydicom.dcmread(buffer)


def items(specs: tuple[Spec, ...] = FOUR_KINDS) -> list[WorklistItem]:
    return collect(as_answer(s) for s in specs)


def settings_for(tmp_path, **worklist: object) -> Settings:
    values = {"node": "RIS", "date_window": "today", "query_by_modality": False}
    values.update(worklist)
    return Settings(ae_title=STATION, data_dir=tmp_path / "data", port=11198,
                    remote_nodes=(RIS,), worklist=values)  # fmt: skip


class FakeWorklist:
    """Stands in for the C-FIND: answers (or errors) in turn; records each request and
    the thread it ran on. ``block`` makes the next call wait for its cancel (bounded)."""

    def __init__(self, *answers: WorklistAnswer | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[object] = []
        self.threads: list[str] = []
        self.block = False

    def __call__(self, request, cancel) -> WorklistAnswer:
        self.requests.append(request)
        self.threads.append(threading.current_thread().name)
        if self.block:
            self.block = False
            cancel.wait(30)
            return WorklistAnswer([], truncated=True, answers=0, cancelled=True)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def answer(found: list[WorklistItem], truncated: bool = False) -> WorklistAnswer:
    return WorklistAnswer(list(found), truncated=truncated, answers=len(found))


def fixed_now() -> Callable[[], datetime]:
    return lambda: NOW


# -- tests ------------------------------------------------------------------------------------
@pytest.fixture
def make_tab(qtbot, tmp_path) -> Callable[..., WorklistTab]:
    tabs: list[WorklistTab] = []

    def make(fake: FakeWorklist, **worklist: object) -> WorklistTab:
        settings = settings_for(tmp_path, **worklist)
        tab = WorklistTab(lambda: settings, run=fake, now=fixed_now())
        qtbot.addWidget(tab)
        tab.resize(1400, 700)
        tabs.append(tab)
        return tab

    yield make
    for tab in tabs:
        tab.shutdown()


def refreshed(qtbot, tab: WorklistTab, how: Callable[[], bool] | None = None) -> None:
    with qtbot.waitSignal(tab.answered, timeout=30_000):
        assert (how or tab.refresh)()


def shown_column(tab: WorklistTab, column: int) -> list[str]:
    return [tab.proxy.index(r, column).data() for r in range(tab.proxy.rowCount())]


def test_four_kinds_of_items_shown_with_their_names_decoded(qtbot, make_tab) -> None:
    fake = FakeWorklist(answer(items()))
    tab = make_tab(fake)
    refreshed(qtbot, tab)
    assert tab.model.rowCount() == 4
    assert sorted(shown_column(tab, 1)) == sorted(
        ["Smith, John", "Dupont, Camille", "Müller, Jürgen", "Ωμέγα, Ελένη"]
    )
    # sorted by scheduled time at first: the started CT step of 09:30 on top
    assert shown_column(tab, 0)[0] == "2026-03-10 09:30"
    assert shown_column(tab, 9)[0] == "started"
    assert tab.status.text() == "4 item(s) from RIS_AE at 10:42"
    # the query ran on its own thread, never on the GUI thread
    assert fake.threads and all(t != threading.main_thread().name for t in fake.threads)
    assert fake.requests[0].broad and fake.requests[0].limit == 500
    # another station's step is shown in grey
    other = next(r for r in range(tab.proxy.rowCount()) if tab.proxy.index(r, 8).data() == "ST_CT1")
    brush = tab.proxy.index(other, 0).data(Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color().name() == "#707070"


def test_sorting_details_and_register(qtbot, make_tab) -> None:
    tab = make_tab(FakeWorklist(answer(items())))
    refreshed(qtbot, tab)
    tab.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert shown_column(tab, 1) == ["Dupont, Camille", "Müller, Jürgen", "Smith, John",
                                    "Ωμέγα, Ελένη"]  # fmt: skip
    assert not tab.register_button.isEnabled() and tab.details_hint.isVisibleTo(tab)
    tab.table.selectRow(1)
    assert tab.register_button.isEnabled()
    texts = []
    tree = tab.details
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        node = stack.pop()
        texts.append((node.text(0), node.text(1)))
        stack.extend(node.child(i) for i in range(node.childCount()))
    assert ("Patient's Name", "Müller^Jürgen") in texts
    assert ("Scheduled Procedure Step Sequence", "items: 1") in texts
    assert ("Scheduled Station AE Title", STATION) in texts  # inside the sequence
    assert ("Code Meaning", "CR protocol") in texts  # a sequence inside the sequence
    with qtbot.waitSignal(tab.register_requested) as got:
        tab.register_button.click()
    assert got.args[0].patient_id == "PID-1003"


def test_items_with_an_open_examination_here_are_marked(qtbot, make_tab) -> None:
    found = items()
    tab = make_tab(FakeWorklist(answer(found)))
    tab.open_studies = lambda: {found[2].study_instance_uid}
    refreshed(qtbot, tab)
    row = next(r for r in range(tab.proxy.rowCount()) if tab.proxy.index(r, 2).data() == "PID-1003")
    assert tab.proxy.index(row, 9).data() == "in examination here"
    assert tab.proxy.index(row, 9).data(Qt.ItemDataRole.FontRole).bold()
    tab.open_studies = lambda: set()
    tab.mark_open_steps()
    assert tab.proxy.index(row, 9).data() == "scheduled"


def test_each_answer_replaces_the_rows_and_keeps_the_selection(qtbot, make_tab) -> None:
    found = items()
    fake = FakeWorklist(answer(found), answer([found[2], found[3]]))
    tab = make_tab(fake)
    refreshed(qtbot, tab)
    tab.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # patient ID
    tab.table.selectRow(3)  # PID-1004
    refreshed(qtbot, tab)
    assert sorted(shown_column(tab, 2)) == ["PID-1003", "PID-1004"]
    assert tab.selected_item().patient_id == "PID-1004"
    assert tab.status.text() == "2 item(s) from RIS_AE at 10:42"


def test_limit_reached_says_the_list_is_incomplete(qtbot, make_tab) -> None:
    tab = make_tab(FakeWorklist(answer(items()[:2], truncated=True)), max_items=2)
    refreshed(qtbot, tab)
    assert tab.model.rowCount() == 2
    assert "Limit of 2 reached: query cancelled" in tab.status.text()


def test_failure_keeps_the_rows_and_says_why(qtbot, make_tab) -> None:
    error = PeerConnectError(host="127.0.0.1", port=11199, detail="Connection refused",
                             cause="echo.refused")  # fmt: skip
    tab = make_tab(FakeWorklist(answer(items()), error))
    refreshed(qtbot, tab)
    refreshed(qtbot, tab)
    assert tab.model.rowCount() == 4  # nothing lost
    text = tab.status.text()
    assert text.startswith("Worklist query to RIS_AE failed: ")
    assert "from the last successful query" in text
    assert "b00020" in tab.status.styleSheet()


def test_patient_query_sends_only_the_entered_keys(qtbot, make_tab) -> None:
    fake = FakeWorklist(answer(items()[2:3]))
    tab = make_tab(fake)
    tab.name_edit.setText("Mül*")
    tab.accession_edit.setText("ACC-LATIN1")
    refreshed(qtbot, tab, tab.search)
    request = fake.requests[-1]
    assert not request.broad
    assert str(request.identifier.PatientName) == "Mül*"
    assert request.identifier.AccessionNumber == "ACC-LATIN1"
    assert not request.identifier.PatientID  # a return key only
    assert tab.model.rowCount() == 1


def test_stop_cancels_the_running_query(qtbot, make_tab) -> None:
    fake = FakeWorklist(answer(items()))
    fake.block = True
    tab = make_tab(fake)
    assert tab.refresh()
    assert tab.running() and tab.stop_button.isEnabled()
    with qtbot.waitSignal(tab.answered, timeout=30_000):
        tab.stop_button.click()
    assert not tab.running()
    assert "Stopped" in tab.status.text()


def test_without_a_worklist_node_says_what_to_configure(qtbot, make_tab) -> None:
    tab = make_tab(FakeWorklist(answer([])), node="NOPE")
    assert not tab.refresh()
    assert tab.status.text() == "The worklist node 'NOPE' is not among the remote nodes."


def test_automatic_refresh_runs_the_broad_query_again(qtbot, make_tab) -> None:
    fake = FakeWorklist(answer(items()))
    tab = make_tab(fake, refresh_minutes=5)
    refreshed(qtbot, tab)
    assert tab._refresh_timer.isActive() and tab._refresh_timer.interval() == 5 * 60_000
    with qtbot.waitSignal(tab.answered, timeout=30_000):
        tab._refresh_timer.timeout.emit()
    assert len(fake.requests) == 2 and fake.requests[1].broad


def test_worklist_tab_against_wlmscpfs(qtbot, tmp_path) -> None:
    """The real C-FIND: DCMTK wlmscpfs serving the catalog; today's window at its NOW."""
    root = tmp_path / "wl"
    write_items(root / "WLM_GUI", CATALOG)
    provider = start_wlmscpfs(root, "WLM_GUI")
    try:
        node = RemoteNode(name="RIS", ae_title="WLM_GUI", host="127.0.0.1", port=provider.port,
                          roles=frozenset({Role.WORKLIST}))  # fmt: skip
        settings = Settings(ae_title=STATION, data_dir=tmp_path / "data", port=11198,
                            remote_nodes=(node,),
                            worklist={"date_window": "today", "query_by_modality": False})  # fmt: skip
        tab = WorklistTab(lambda: settings, now=lambda: CATALOG_NOW)
        qtbot.addWidget(tab)
        try:
            refreshed(qtbot, tab)
            assert tab.last_error is None, tab.status.text()
            names = sorted(shown_column(tab, 1))
            assert names == ["Müller, Hans", "Müller, Hans", "Ωμέγα, Ελένη"]  # A, J, B
            assert tab.status.text().startswith("3 item(s) from WLM_GUI at ")
            tab.id_edit.setText("PID-C")  # a patient query finds yesterday's step too
            refreshed(qtbot, tab, tab.search)
            assert shown_column(tab, 1) == ["Иванов, Пётр"]
        finally:
            tab.shutdown()
    finally:
        stop(provider.proc)


def test_the_tab_speaks_german(qtbot, qapp, tmp_path) -> None:
    assert i18n.install_translators("de", qapp)
    try:
        settings = settings_for(tmp_path)
        tab = WorklistTab(lambda: settings, run=FakeWorklist(answer(items())), now=fixed_now())
        qtbot.addWidget(tab)
        refreshed(qtbot, tab)
        headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
        assert headers == ["Geplant", "Patientenname", "Patienten-ID", "Geburtsdatum"]
        assert tab.status.text() == "4 Einträge von RIS_AE um 10:42"
        assert tab.register_button.text() == "Registrieren"
        assert "begonnen" in shown_column(tab, 9)
        tab.shutdown()
    finally:
        i18n.install_translators("en", qapp)
