"""Service mode pages "Worklist" and "Examination": the worklist query settings, the MPPS
settings and the after-exam rule list (add, edit, remove; node from the store role),
saved through the service dialog; a refused value marks its input on its page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from workstation.config import RemoteNode, Role, Settings, load_settings
from workstation.config.settings import (
    AfterExamRule,
    BroadKey,
    MppsCompleteMode,
    WorklistDateWindow,
)
from workstation.ui.service import ServiceContext
from workstation.ui.service.service_dialog import ServiceDialog
from workstation.ui.service.worklist_settings import RuleDialog

pytestmark = pytest.mark.gui

NODES = (
    RemoteNode(name="PACS", ae_title="PACS_AE", host="127.0.0.1", port=104,
               roles=frozenset({Role.STORE, Role.COMMITMENT})),
    RemoteNode(name="RIS", ae_title="RIS_AE", host="127.0.0.1", port=105,
               roles=frozenset({Role.WORKLIST, Role.MPPS})),
    RemoteNode(name="ARCHIVE2", ae_title="ARCH2", host="127.0.0.1", port=106,
               roles=frozenset({Role.STORE})),
)  # fmt: skip


@pytest.fixture
def dialog(qtbot, tmp_path: Path) -> ServiceDialog:
    settings = Settings(ae_title="WS_SERVICE", data_dir=tmp_path / "data", port=11112,
                        remote_nodes=NODES)  # fmt: skip
    applied: list[Settings] = []
    dlg = ServiceDialog(ServiceContext(settings, tmp_path / "settings.json", applied.append))
    dlg.applied = applied
    qtbot.addWidget(dlg)
    return dlg


def answer_rule(page, rule: AfterExamRule | None, pick: str, **checks: bool) -> None:
    """Make the page's next rule dialog choose node ``pick`` and the given check boxes."""

    def make(current):
        dlg = RuleDialog(current, NODES, page)
        dlg.node.setCurrentIndex(dlg.node.findData(pick))
        for name, value in checks.items():
            getattr(dlg, name).setChecked(value)
        dlg.exec = lambda: (dlg.accept_rule(), QDialog.DialogCode.Accepted)[1]
        return dlg

    page.rule_dialog = make


def test_worklist_and_exam_settings_are_saved(dialog: ServiceDialog, tmp_path: Path) -> None:
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs[3:5] == ["Worklist", "Examination"]
    wl = dialog.worklist_page
    names = [wl.node.itemData(i) for i in range(wl.node.count())]
    assert names == ["", "RIS"]  # the default, then the nodes with the worklist role
    wl.node.setCurrentIndex(1)
    wl.date_window.setCurrentIndex(wl.date_window.findData("today-12h"))
    wl.query_by_station_aet.setChecked(True)
    wl.modality.setText("cr")
    wl.return_only[BroadKey.MODALITY].setChecked(True)
    wl.refresh_minutes.setValue(5)
    wl.max_items.setValue(200)
    wl.response_timeout_s.setValue(20)

    ex = dialog.exam_page
    assert [ex.mpps_node.itemData(i) for i in range(ex.mpps_node.count())] == ["", "RIS"]
    ex.mpps_node.setCurrentIndex(1)
    ex.complete_mode.setCurrentIndex(ex.complete_mode.findData("automatic"))
    ex.station_name.setText("ROOM 3")
    answer_rule(ex, None, "PACS")
    ex.add_button.click()
    answer_rule(ex, None, "ARCHIVE2", storage_commitment=False, on_discontinued=True)
    ex.add_button.click()
    assert ex.after_exam.rowCount() == 2
    assert ex.after_exam.item(1, 1).text() == "ARCHIVE2"
    assert ex.after_exam.item(1, 2).text() == "no" and ex.after_exam.item(1, 4).text() == "yes"
    ex.after_exam.selectRow(0)
    answer_rule(ex, ex.rules[0], "PACS", enabled=False)
    ex.edit_button.click()
    assert ex.after_exam.item(0, 3).text() == "no"

    assert dialog.apply(), dialog.status_label.text()
    saved = load_settings(tmp_path / "settings.json")
    assert saved == dialog.applied[-1]
    w, e = saved.worklist, saved.exam
    assert (w.node, w.date_window, w.query_by_station_aet, w.modality) == (
        "RIS", WorklistDateWindow.TODAY_12H, True, "CR")  # fmt: skip
    assert w.return_only == frozenset({BroadKey.MODALITY})
    assert (w.refresh_minutes, w.max_items, w.response_timeout_s) == (5, 200, 20)
    assert (e.mpps_node, e.complete_mode, e.station_name) == ("RIS", MppsCompleteMode.AUTOMATIC,
                                                              "ROOM 3")  # fmt: skip
    assert e.after_exam == (
        AfterExamRule(node="PACS", storage_commitment=True, enabled=False),
        AfterExamRule(node="ARCHIVE2", storage_commitment=False, on_discontinued=True),
    )

    ex.after_exam.selectRow(0)
    ex.remove_button.click()
    assert dialog.apply()
    assert [r.node for r in load_settings(tmp_path / "settings.json").exam.after_exam] == [
        "ARCHIVE2"]  # fmt: skip


def test_the_rule_dialog_offers_only_nodes_with_the_store_role(qtbot) -> None:
    dlg = RuleDialog(None, list(NODES))
    qtbot.addWidget(dlg)
    assert [dlg.node.itemData(i) for i in range(dlg.node.count())] == ["PACS", "ARCHIVE2"]
    empty = RuleDialog(None, [NODES[1]])
    qtbot.addWidget(empty)
    assert not empty.buttons.button(empty.buttons.StandardButton.Ok).isEnabled()
    assert "storage role" in empty.hint.text()


def test_a_refused_value_marks_its_input(dialog: ServiceDialog) -> None:
    dialog.worklist_page.modality.setText("C-T")
    assert not dialog.apply()
    assert dialog.tabs.currentWidget() is dialog.worklist_page
    assert "border" in dialog.worklist_page.modality.styleSheet()
    assert dialog.status_label.text().startswith("Not saved. This station's modality: ")
