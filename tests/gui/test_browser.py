"""The patient browser widget over a store of shipped files: thumbnails, search bar,
sorting by header click, multi-select, delete with confirmation, selection kept on refresh."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from workstation.dicom.query_form import DatePreset
from workstation.imaging.thumbnails import ThumbnailCache
from workstation.store import LocalStore, import_paths
from workstation.store.browse import StudyColumn
from workstation.ui.browser.browser_widget import PatientBrowser

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore::UserWarning")]

WAIT_MS = 10_000
# one study each (their own Study Instance UIDs), pixel data of several kinds and an RT plan
FILES = ["CT_small.dcm", "MR_small.dcm", "emri_small.dcm", "SC_rgb.dcm", "rtplan.dcm"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for name in FILES:
        shutil.copy2(get_testdata_file(name), incoming / name)
    s = LocalStore(tmp_path / "store", min_free_space_mb=0)
    report = import_paths(s, [incoming])
    assert len(report.imported) == len(FILES), report.summary()
    yield s
    s.close()


@pytest.fixture
def browser(qtbot, store: LocalStore) -> Iterator[PatientBrowser]:
    b = PatientBrowser(store)
    qtbot.addWidget(b)
    b.resize(1200, 800)
    b.show()
    qtbot.waitExposed(b)
    yield b
    b.shutdown()


def study_of(store: LocalStore, name: str) -> str:
    import pydicom

    return str(pydicom.dcmread(get_testdata_file(name), stop_before_pixels=True).StudyInstanceUID)


def answer(monkeypatch, button: QMessageBox.StandardButton) -> list[str]:
    """Make QMessageBox.question answer ``button``; returns the questions asked."""
    asked: list[str] = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


# -- series and thumbnails ---------------------------------------------------------------
def test_selecting_a_study_shows_its_series_and_thumbnail(qtbot, browser, store) -> None:
    uid = study_of(store, "CT_small.dcm")
    assert browser.select_study(uid)
    assert browser.current_study_uid() == uid
    series = browser.series_model.rows()
    assert len(series) == 1 and series[0].modality == "CT"
    qtbot.waitUntil(lambda: browser.strip.has_thumbnail(series[0].series_uid), timeout=WAIT_MS)
    icon = browser.strip.item_of(series[0].series_uid).icon()
    assert not icon.isNull()


def test_thumbnails_are_made_off_the_gui_thread(qtbot, browser, store, monkeypatch) -> None:
    threads: list[str] = []
    real_get = ThumbnailCache.get

    def recording_get(self, series_uid, sop_uid, source):
        threads.append(threading.current_thread().name)
        return real_get(self, series_uid, sop_uid, source)

    monkeypatch.setattr(ThumbnailCache, "get", recording_get)
    browser.select_study(study_of(store, "emri_small.dcm"))
    series_uid = browser.series_model.rows()[0].series_uid
    qtbot.waitUntil(lambda: browser.strip.has_thumbnail(series_uid), timeout=WAIT_MS)
    assert threads and threading.main_thread().name not in threads
    assert set(threads) == {"thumbnail-loader"}
    assert (store.root / "thumbnails").is_dir()  # cached on disk under the data folder


def test_series_without_pixels_gets_a_placeholder(qtbot, browser, store) -> None:
    browser.select_study(study_of(store, "rtplan.dcm"))
    series_uid = browser.series_model.rows()[0].series_uid
    qtbot.waitUntil(
        lambda: "no image" in browser.strip.item_of(series_uid).toolTip(), timeout=WAIT_MS
    )
    assert not browser.strip.has_thumbnail(series_uid)


# -- search bar ---------------------------------------------------------------------------
def test_typing_a_name_filters_after_a_pause(qtbot, browser) -> None:
    assert browser.study_model.total() == len(FILES)
    qtbot.keyClicks(browser.search.name_edit, "compressed*")  # MR_small's patient
    qtbot.waitUntil(
        lambda: browser.study_model.filter.patient_name == "compressed*", timeout=WAIT_MS
    )
    names = [r.patient_name for r in browser.study_model.loaded_rows()]
    assert names and all(n.lower().startswith("compressed") for n in names)
    assert "1 study" in browser.count_label.text() or "studies" in browser.count_label.text()


def test_modality_choice_lists_the_stores_modalities_and_filters(qtbot, browser) -> None:
    combo = browser.search.modality_combo
    choices = [combo.itemData(i) for i in range(combo.count())]
    assert choices[0] == "" and {"CT", "MR", "OT", "RTPLAN"} <= set(choices)
    browser.search.set_modality("CT")
    qtbot.waitUntil(lambda: browser.study_model.filter.modality == "CT", timeout=WAIT_MS)
    assert [r.modalities for r in browser.study_model.loaded_rows()] == ["CT"]


def test_date_preset_and_custom_range(qtbot, store) -> None:
    from workstation.ui.browser.search_bar import SearchBar

    bar = SearchBar(today=dt.date(2004, 1, 20))
    qtbot.addWidget(bar)
    with qtbot.waitSignal(bar.filter_changed, timeout=WAIT_MS) as got:
        bar.set_preset(DatePreset.YESTERDAY)
    assert (got.args[0].date_from, got.args[0].date_to) == ("20040119", "20040119")
    assert not bar.from_edit.isVisibleTo(bar)
    with qtbot.waitSignal(bar.filter_changed, timeout=WAIT_MS) as got:
        bar.set_preset(DatePreset.CUSTOM)
    assert bar.from_edit.isVisibleTo(bar) and bar.to_edit.isVisibleTo(bar)
    from PySide6.QtCore import QDate

    with qtbot.waitSignal(bar.filter_changed, timeout=WAIT_MS) as got:
        bar.from_edit.setDate(QDate(2004, 1, 1))
    assert got.args[0].date_from == "20040101"


def test_clear_shows_every_study_again(qtbot, browser) -> None:
    browser.search.set_modality("CT")
    qtbot.waitUntil(lambda: browser.study_model.total() == 1, timeout=WAIT_MS)
    browser.search.clear()
    qtbot.waitUntil(lambda: browser.study_model.total() == len(FILES), timeout=WAIT_MS)


# -- sorting and selection --------------------------------------------------------------------
def test_clicking_a_header_sorts_by_that_column(qtbot, browser) -> None:
    header = browser.study_table.horizontalHeader()
    column = browser.study_model.column_of(StudyColumn.PATIENT_ID)
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    assert browser.study_model.sort_column is StudyColumn.PATIENT_ID
    ids = [r.patient_id for r in browser.study_model.loaded_rows()]
    first = sorted(ids)
    assert ids in (first, first[::-1])
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    again = [r.patient_id for r in browser.study_model.loaded_rows()]
    assert again == ids[::-1]  # the second click reversed the (total) order


def test_select_all_selects_every_study(browser) -> None:
    browser.select_all()
    assert len(browser.selected_study_uids()) == len(FILES)


def test_selection_survives_a_refresh_with_a_new_arrival(qtbot, browser, store, tmp_path) -> None:
    keep = [study_of(store, "CT_small.dcm"), study_of(store, "MR_small.dcm")]
    sel = browser.study_table.selectionModel()
    from PySide6.QtCore import QItemSelectionModel

    for uid in keep:
        row = browser.study_model.row_of(uid)
        sel.select(
            browser.study_model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    new = tmp_path / "new.dcm"
    shutil.copy2(get_testdata_file("JPEG2000.dcm"), new)
    result = store.add_file(new)
    browser.on_studies_changed(frozenset({result.record.study_uid}))
    assert browser.study_model.total() == len(FILES) + 1
    assert browser.study_model.row_of(result.record.study_uid) >= 0
    assert sorted(browser.selected_study_uids()) == sorted(keep)


# -- delete ------------------------------------------------------------------------------------
def test_delete_asks_and_removes_the_study_when_confirmed(
    qtbot, browser, store, monkeypatch
) -> None:
    uid = study_of(store, "CT_small.dcm")
    browser.select_study(uid)
    series_uid = browser.series_model.rows()[0].series_uid
    qtbot.waitUntil(lambda: browser.strip.has_thumbnail(series_uid), timeout=WAIT_MS)
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(browser.deleted, timeout=WAIT_MS):
        removed = browser.delete_selected()
    assert removed == 1 and len(asked) == 1
    assert "CompressedSamples, CT1 (1CT1)" in asked[0]  # the user sees what goes
    assert store.index.paths_of_study(uid) == []
    assert browser.study_model.row_of(uid) == -1
    assert browser.study_model.total() == len(FILES) - 1
    assert not list((store.root / "thumbnails").glob(f"{series_uid}__*"))


def test_delete_answered_no_keeps_everything(browser, store, monkeypatch) -> None:
    uid = study_of(store, "MR_small.dcm")
    browser.select_study(uid)
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    assert browser.delete_selected() == 0
    assert len(asked) == 1
    assert store.index.paths_of_study(uid) != []
    assert browser.study_model.row_of(uid) >= 0


def test_delete_of_several_studies_names_them(browser, store, monkeypatch) -> None:
    uids = [study_of(store, n) for n in ("CT_small.dcm", "SC_rgb.dcm")]
    from PySide6.QtCore import QItemSelectionModel

    for uid in uids:
        browser.study_table.selectionModel().select(
            browser.study_model.index(browser.study_model.row_of(uid), 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert browser.delete_selected() == 2
    assert "2 studies" in asked[0]
    assert all(store.index.paths_of_study(u) == [] for u in uids)
    assert browser.study_model.total() == len(FILES) - 2


def _select(browser, uids: list[str]) -> None:
    from PySide6.QtCore import QItemSelectionModel

    flags = QItemSelectionModel.SelectionFlag
    for uid in uids:
        browser.study_table.selectionModel().select(
            browser.study_model.index(browser.study_model.row_of(uid), 0),
            flags.Select | flags.Rows,
        )


def test_delete_names_the_protected_studies_and_keeps_them(browser, store, monkeypatch) -> None:
    from workstation.store.cleanup import set_protected

    free, kept = study_of(store, "CT_small.dcm"), study_of(store, "SC_rgb.dcm")
    set_protected(store.index, kept, True)
    _select(browser, [free, kept])
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert browser.delete_selected() == 1
    [question] = asked
    listed, protected_part = question.split("Protected, not deleted (remove their protection first):")
    assert "CT1 (1CT1)" in listed and "(ID1)" not in listed
    assert "(ID1)" in protected_part and "CT1 (1CT1)" not in protected_part
    assert store.index.paths_of_study(kept) != [] and store.index.paths_of_study(free) == []
    assert browser.study_model.row_of(kept) >= 0


def test_delete_of_only_protected_studies_says_so_and_deletes_nothing(
    browser, store, monkeypatch
) -> None:
    from workstation.store.cleanup import set_protected

    kept = study_of(store, "MR_small.dcm")
    set_protected(store.index, kept, True)
    browser.select_study(kept)
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda parent, title, text, *a, **k: told.append((title, text))))  # fmt: skip
    assert browser.delete_selected() == 0
    assert asked == []  # no "Delete?" for nothing to delete
    [(title, text)] = told
    assert title == "Protected studies"
    assert text.startswith("The selected studies are protected and are not deleted.")
    assert store.index.paths_of_study(kept) != []


def test_delete_with_focus_in_the_series_table_deletes_the_series(
    qtbot, browser, store, monkeypatch
) -> None:
    uid = study_of(store, "emri_small.dcm")
    browser.select_study(uid)
    browser.series_table.setFocus()
    qtbot.waitUntil(browser.series_table.hasFocus, timeout=WAIT_MS)
    browser.series_table.selectRow(0)
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert browser.delete_selected() == 1
    assert "series" in asked[0]
    assert store.index.paths_of_study(uid) == []  # its only series: the study went too
    assert browser.series_model.rows() == []
