"""The storage cleanup dialog and the status bar's free space indicator (pytest-qt)."""

from __future__ import annotations

import threading

import pytest
from generated_studies import add_study
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

import workstation.ui.storage_deletion as storage_deletion
from workstation.config.settings import Settings
from workstation.store import LocalStore
from workstation.store.cleanup import CleanupPolicy, DeleteReport, set_protected, study_usage
from workstation.ui.storage_dialog import StorageCleanupDialog, open_storage_cleanup
from workstation.ui.storage_model import UID_ROLE, Column, format_size
from workstation.ui.storage_status import FreeSpaceIndicator, SpaceLevel

pytestmark = pytest.mark.gui
WAIT_MS = 10_000


def make_dialog(qtbot, store: LocalStore, **kwargs) -> StorageCleanupDialog:
    dialog = StorageCleanupDialog(store, kwargs.pop("settings", Settings()), **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def shown_uids(dialog: StorageCleanupDialog) -> list[str]:
    proxy = dialog.proxy
    return [proxy.index(r, 0).data(UID_ROLE) for r in range(proxy.rowCount())]


def cell(dialog: StorageCleanupDialog, uid: str, column: int) -> str:
    proxy = dialog.proxy
    for r in range(proxy.rowCount()):
        if proxy.index(r, 0).data(UID_ROLE) == uid:
            return proxy.index(r, column).data()
    raise AssertionError(f"{uid} not shown")


def answer(monkeypatch, delete: bool) -> list[str]:
    """Let the confirmation box click its Delete (or Cancel) button; returns the texts asked."""
    asked: list[str] = []

    def exec_(box: QMessageBox) -> int:
        asked.append(box.text())
        role = (
            QMessageBox.ButtonRole.DestructiveRole if delete else QMessageBox.ButtonRole.RejectRole
        )
        buttons = [b for b in box.buttons() if box.buttonRole(b) == role]
        assert len(buttons) == 1, [b.text() for b in box.buttons()]
        assert box.defaultButton() is not None
        assert box.buttonRole(box.defaultButton()) == QMessageBox.ButtonRole.RejectRole
        buttons[0].click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked


def test_table_shows_every_study_with_its_size(qtbot, store: LocalStore) -> None:
    small = add_study(store, "20190305", images=1, patient_name="Doe^Jane", patient_id="A1")
    big = add_study(store, "20220101", images=3, patient_name="Roe^Max")
    dialog = make_dialog(qtbot, store)
    sizes = {u.study_uid: u.size_bytes for u in study_usage(store.index)}

    assert shown_uids(dialog) == [small, big]  # oldest study date first
    assert cell(dialog, small, Column.PATIENT) == "Doe, Jane"
    assert cell(dialog, small, Column.PATIENT_ID) == "A1"
    assert cell(dialog, small, Column.STUDY_DATE) == "2019-03-05"
    assert cell(dialog, big, Column.IMAGES) == "3"
    assert cell(dialog, small, Column.SIZE) == format_size(sizes[small])
    assert cell(dialog, big, Column.SIZE) == format_size(sizes[big])
    assert cell(dialog, small, Column.LAST_ACCESS) == "never"
    assert "2 studies" in dialog.disk_label.text()


def test_sorting_by_size_uses_bytes_not_text(qtbot, store: LocalStore) -> None:
    one = add_study(store, "20200101", images=1)
    three = add_study(store, "20190101", images=3)
    two = add_study(store, "20210101", images=2)
    dialog = make_dialog(qtbot, store)
    dialog.order_combo.setCurrentIndex(dialog.order_combo.findData(Column.SIZE))
    assert shown_uids(dialog) == [three, two, one]
    dialog.table.sortByColumn(Column.SIZE, Qt.SortOrder.AscendingOrder)
    assert shown_uids(dialog) == [one, two, three]


def test_protect_and_unprotect_toggle_the_flag_in_the_index(qtbot, store: LocalStore) -> None:
    uid = add_study(store, "20200101")
    other = add_study(store, "20210101")
    dialog = make_dialog(qtbot, store)
    dialog.select_studies({uid})
    assert dialog.protect_button.isEnabled() and not dialog.unprotect_button.isEnabled()

    qtbot.mouseClick(dialog.protect_button, Qt.MouseButton.LeftButton)
    flags = {u.study_uid: u.protected for u in study_usage(store.index)}
    assert flags == {uid: True, other: False}
    assert cell(dialog, uid, Column.PROTECTED) == "Protected"
    assert [u.study_uid for u in dialog.selected_studies()] == [uid]  # selection kept
    assert dialog.unprotect_button.isEnabled() and not dialog.protect_button.isEnabled()

    qtbot.mouseClick(dialog.unprotect_button, Qt.MouseButton.LeftButton)
    assert not any(u.protected for u in study_usage(store.index))
    assert cell(dialog, uid, Column.PROTECTED) == ""


def test_delete_selected_after_confirmation_removes_the_study(
    qtbot, store: LocalStore, monkeypatch
) -> None:
    gone = add_study(store, "20100101", images=2, patient_name="Doe^Jane")
    stays = add_study(store, "20200101")
    size = next(u.size_bytes for u in study_usage(store.index) if u.study_uid == gone)
    asked = answer(monkeypatch, delete=True)
    dialog = make_dialog(qtbot, store)
    dialog.select_studies({gone})

    with qtbot.waitSignal(dialog.deletion_finished, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)

    assert len(asked) == 1
    assert "1 study" in asked[0] and format_size(size) in asked[0] and "Doe, Jane" in asked[0]
    report: DeleteReport = blocker.args[0]
    assert [u.study_uid for u in report.deleted] == [gone]
    assert [u.study_uid for u in study_usage(store.index)] == [stays]
    assert not (store.root / gone).exists()
    assert shown_uids(dialog) == [stays]
    assert not dialog.deleting
    assert "Deleted 1 study" in dialog.result_label.text()


def test_declined_confirmation_deletes_nothing(qtbot, store: LocalStore, monkeypatch) -> None:
    uid = add_study(store, "20100101")
    asked = answer(monkeypatch, delete=False)
    dialog = make_dialog(qtbot, store)
    dialog.select_studies({uid})
    dialog.delete_selected()
    assert len(asked) == 1 and not dialog.deleting
    assert shown_uids(dialog) == [uid] and store.index.count("study") == 1


def test_protected_studies_in_the_selection_are_kept(qtbot, store: LocalStore, monkeypatch) -> None:
    kept = add_study(store, "20100101")
    gone = add_study(store, "20110101")
    set_protected(store.index, kept, True)
    asked = answer(monkeypatch, delete=True)
    dialog = make_dialog(qtbot, store)
    dialog.select_studies({kept, gone})
    with qtbot.waitSignal(dialog.deletion_finished, timeout=WAIT_MS):
        dialog.delete_selected()
    assert "1 study (" in asked[0] and "1 study protected" in asked[0]
    assert [u.study_uid for u in study_usage(store.index)] == [kept]
    assert shown_uids(dialog) == [kept]


def test_only_protected_selected_asks_to_unprotect_first(
    qtbot, store: LocalStore, monkeypatch
) -> None:
    uid = add_study(store, "20100101")
    set_protected(store.index, uid, True)
    told: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "information", staticmethod(lambda p, t, text, *a: told.append(text))
    )
    asked = answer(monkeypatch, delete=True)
    dialog = make_dialog(qtbot, store)
    dialog.select_studies({uid})
    dialog.delete_selected()
    assert asked == [] and len(told) == 1 and "Unprotect" in told[0]
    assert store.index.count("study") == 1


def test_filters_by_age_and_size(qtbot, store: LocalStore) -> None:
    old_small = add_study(store, "20000101", images=1)
    old_big = add_study(store, "20010101", images=4)
    new_big = add_study(store, "29991231", images=4)  # a date in the future: never "older"
    dialog = make_dialog(qtbot, store)
    assert len(shown_uids(dialog)) == 3

    dialog.older_days.setValue(30)
    dialog.older_check.setChecked(True)
    assert set(shown_uids(dialog)) == {old_small, old_big}

    sizes = {u.study_uid: u.size_mb for u in study_usage(store.index)}
    assert sizes[old_small] < 0.1 < sizes[old_big]
    dialog.larger_mb.setValue(0.1)
    dialog.larger_check.setChecked(True)
    assert shown_uids(dialog) == [old_big]

    dialog.older_check.setChecked(False)
    assert set(shown_uids(dialog)) == {old_big, new_big}
    assert "2 studies shown" in dialog.selection_label.text()


def test_policy_is_shown_and_applied_through_the_callback(qtbot, store: LocalStore) -> None:
    settings = Settings().updated(
        cleanup_enabled=True, cleanup_low_water_mb=1000, cleanup_high_water_mb=3000
    )
    applied: list[CleanupPolicy] = []
    dialog = make_dialog(qtbot, store, settings=settings, on_policy_changed=applied.append)
    assert dialog.policy_box.enabled_check.isChecked()
    assert (dialog.policy_box.low_water.value(), dialog.policy_box.high_water.value()) == (
        1000,
        3000,
    )
    assert not dialog.policy_box.apply_button.isEnabled()  # nothing changed yet

    dialog.policy_box.high_water.setValue(1000)  # not above the low-water mark
    assert not dialog.policy_box.apply_button.isEnabled()
    assert "must be larger" in dialog.policy_box.state_label.text()

    dialog.policy_box.high_water.setValue(8000)
    dialog.policy_box.enabled_check.setChecked(False)
    assert dialog.policy_box.apply_button.isEnabled()
    qtbot.mouseClick(dialog.policy_box.apply_button, Qt.MouseButton.LeftButton)
    assert applied == [CleanupPolicy(1000, 8000, enabled=False)]
    assert not dialog.policy_box.apply_button.isEnabled()


def test_policy_is_read_only_without_a_callback(qtbot, store: LocalStore) -> None:
    dialog = make_dialog(qtbot, store)
    assert (
        not dialog.policy_box.enabled_check.isEnabled()
        and not dialog.policy_box.low_water.isEnabled()
    )
    assert not dialog.policy_box.apply_button.isEnabled()


def test_closing_during_a_deletion_stops_and_joins_the_thread(
    qtbot, store: LocalStore, monkeypatch
) -> None:
    uid = add_study(store, "20100101")
    started = threading.Event()

    def slow_delete(store, uids, is_protected_fn=None, progress=None, cancelled=None):
        started.set()
        for _ in range(500):  # until the dialog cancels, at most ~5 s
            if cancelled():
                return DeleteReport(cancelled=True)
            threading.Event().wait(0.01)
        return DeleteReport()

    monkeypatch.setattr(storage_deletion, "delete_studies", slow_delete)
    answer(monkeypatch, delete=True)
    dialog = make_dialog(qtbot, store)
    dialog.select_studies({uid})
    dialog.delete_selected()
    assert started.wait(5) and dialog.deleting
    dialog.reject()
    assert not dialog.deleting
    assert not [t for t in threading.enumerate() if t.name == storage_deletion.THREAD_NAME]


def test_open_storage_cleanup_shows_a_modal_dialog(qtbot, store: LocalStore) -> None:
    add_study(store, "20100101")
    seen: list[str] = []

    def close_it() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, close_it)
            return
        seen.append(dialog.windowTitle())
        dialog.reject()

    QTimer.singleShot(0, close_it)
    open_storage_cleanup(None, store, Settings(), None)
    assert seen == ["Storage cleanup"]


def test_free_space_indicator_levels(qtbot) -> None:
    free = [5000.0]
    label = FreeSpaceIndicator(lambda: free[0], refuse_below_mb=500, low_water_mb=2000)
    qtbot.addWidget(label)
    assert label.level is SpaceLevel.OK and label.text().startswith("Free: ")
    free[0] = 1500.0
    label.refresh()
    assert label.level is SpaceLevel.LOW
    free[0] = 100.0
    label.refresh()
    assert label.level is SpaceLevel.REFUSING and "refused below" in label.toolTip()
    label.set_thresholds(refuse_below_mb=50, low_water_mb=None)
    assert label.level is SpaceLevel.OK


def test_free_space_indicator_when_the_disk_cannot_be_read(qtbot) -> None:
    def broken() -> float:
        raise FileNotFoundError("/data")

    label = FreeSpaceIndicator(broken, refuse_below_mb=500)
    qtbot.addWidget(label)
    assert label.level is SpaceLevel.REFUSING and label.free_mb is None
    assert "unknown" in label.text()


def test_policy_box_says_what_would_happen_now(qtbot, store: LocalStore) -> None:
    settings = Settings().updated(
        min_free_space_mb=500,
        cleanup_enabled=True,
        cleanup_low_water_mb=1000,
        cleanup_high_water_mb=3000,
    )
    dialog = make_dialog(qtbot, store, settings=settings, on_policy_changed=lambda p: None)
    box = dialog.policy_box
    box.set_free_mb(800)
    assert "below the start value" in box.state_label.text()
    box.set_free_mb(5000)
    assert "nothing is deleted now" in box.state_label.text()
    box.low_water.setValue(100)  # below the refuse limit of 500 MB
    assert "refused before the cleanup starts" in box.state_label.text()
    assert "Not applied yet" in box.state_label.text()
    box.enabled_check.setChecked(False)
    assert box.state_label.text().startswith("Automatic cleanup is off.")
