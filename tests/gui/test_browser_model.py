"""The study table model over a few thousand generated studies: filters, sorting, paging."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_data import GeneratedStudy, add_datasets, generate_studies, study_dataset
from pydicom.uid import generate_uid
from PySide6.QtCore import Qt

from workstation.dicom.query_form import DatePreset
from workstation.store import LocalStore
from workstation.store.browse import StudyColumn, StudyFilter, preset_range
from workstation.ui.browser.study_model import COLUMNS, StudyTableModel

pytestmark = pytest.mark.gui

TODAY = dt.date(2024, 3, 15)
COUNT = 3000


class Generated:
    def __init__(self, store: LocalStore, studies: list[GeneratedStudy]) -> None:
        self.store = store
        self.studies = studies

    def uids(self, keep) -> set[str]:
        return {s.study_uid for s in self.studies if keep(s)}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    store = LocalStore(tmp_path_factory.mktemp("browse") / "store", check_on_open=False)
    try:
        yield Generated(store, generate_studies(store.index, COUNT, today=TODAY))
    finally:
        store.close()


@pytest.fixture
def model(qtbot, generated: Generated) -> StudyTableModel:
    return StudyTableModel(generated.store.index)


def all_uids(model: StudyTableModel) -> set[str]:
    model.fetch_all()
    return {r.study_uid for r in model.loaded_rows()}


def wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
        re.IGNORECASE,
    )


# -- paging ----------------------------------------------------------------------------
def test_first_page_only_until_more_is_fetched(model: StudyTableModel) -> None:
    assert model.total() == COUNT
    assert model.rowCount() == StudyTableModel.PAGE_SIZE
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * StudyTableModel.PAGE_SIZE


def test_fetching_every_page_gives_every_study_once(
    model: StudyTableModel, generated: Generated
) -> None:
    model.fetch_all()
    rows = model.loaded_rows()
    assert not model.canFetchMore()
    assert len(rows) == COUNT
    assert {r.study_uid for r in rows} == generated.uids(lambda s: True)


def test_view_fetches_more_when_scrolled_to_the_end(qtbot, model: StudyTableModel) -> None:
    from PySide6.QtWidgets import QTableView

    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(800, 400)
    view.show()
    qtbot.waitExposed(view)
    assert model.rowCount() == StudyTableModel.PAGE_SIZE
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > StudyTableModel.PAGE_SIZE, timeout=5000)
    assert model.rowCount() < COUNT  # still lazy: one more page, not everything


# -- filters ---------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["smith1", "SMITH1*", "*eyer2?^*", "Nguyen10^Lena"])
def test_name_filter_with_wildcards(model: StudyTableModel, generated: Generated, typed) -> None:
    model.set_filter(StudyFilter(patient_name=typed))
    pattern = typed if ("*" in typed or "?" in typed) else typed + "*"
    rx = wildcard(pattern)
    expected = generated.uids(lambda s: rx.fullmatch(s.patient_name) is not None)
    assert expected, "the pattern should match some generated names"
    assert model.total() == len(expected)
    assert all_uids(model) == expected


def test_name_filter_with_a_comma_between_family_and_given_name(
    model: StudyTableModel, generated: Generated
) -> None:
    model.set_filter(StudyFilter(patient_name="garcia3, yu"))
    expected = generated.uids(lambda s: s.patient_name.lower().startswith("garcia3^yu"))
    assert expected and all_uids(model) == expected


def test_patient_id_filter(model: StudyTableModel, generated: Generated) -> None:
    model.set_filter(StudyFilter(patient_id="PID00012"))
    expected = generated.uids(lambda s: s.patient_id.startswith("PID00012"))
    assert len(expected) == 10
    assert all_uids(model) == expected


def test_accession_filter_exact_and_case_insensitive(
    model: StudyTableModel, generated: Generated
) -> None:
    model.set_filter(StudyFilter(accession_number="acc0000042"))
    assert all_uids(model) == generated.uids(lambda s: s.accession == "ACC0000042")


@pytest.mark.parametrize(
    "preset",
    [DatePreset.TODAY, DatePreset.YESTERDAY, DatePreset.LAST_7_DAYS, DatePreset.LAST_30_DAYS],
)
def test_date_presets(model: StudyTableModel, generated: Generated, preset) -> None:
    lo, hi = preset_range(preset, TODAY)
    model.set_filter(StudyFilter(date_from=lo, date_to=hi))
    expected = generated.uids(lambda s: lo <= s.study_date <= hi)
    days = {
        DatePreset.TODAY: 1,
        DatePreset.YESTERDAY: 1,
        DatePreset.LAST_7_DAYS: 7,
        DatePreset.LAST_30_DAYS: 30,
    }[preset]
    # generated dates cycle through 730 days: each day has COUNT/730 studies, rounded
    assert len(expected) >= days * (COUNT // 730)
    assert all_uids(model) == expected


def test_preset_ranges_are_the_calendar_days() -> None:
    assert preset_range(DatePreset.TODAY, TODAY) == ("20240315", "20240315")
    assert preset_range(DatePreset.YESTERDAY, TODAY) == ("20240314", "20240314")
    assert preset_range(DatePreset.LAST_7_DAYS, TODAY) == ("20240309", "20240315")
    assert preset_range(DatePreset.LAST_30_DAYS, TODAY) == ("20240215", "20240315")
    assert preset_range(DatePreset.ANY, TODAY) == ("", "")


def test_custom_date_range(model: StudyTableModel, generated: Generated) -> None:
    model.set_filter(StudyFilter(date_from="20230101", date_to="20230131"))
    expected = generated.uids(lambda s: "20230101" <= s.study_date <= "20230131")
    assert expected and all_uids(model) == expected


def test_modality_filter_finds_studies_with_that_series(
    model: StudyTableModel, generated: Generated
) -> None:
    model.set_filter(StudyFilter(modality="MR"))
    expected = generated.uids(lambda s: "MR" in s.modalities)
    assert all_uids(model) == expected
    assert all("MR" in r.modalities.split("/") for r in model.loaded_rows())


def test_filters_combine(model: StudyTableModel, generated: Generated) -> None:
    lo, hi = preset_range(DatePreset.LAST_30_DAYS, TODAY)
    model.set_filter(StudyFilter(patient_name="s*", modality="CT", date_from=lo, date_to=hi))
    expected = generated.uids(
        lambda s: (
            s.patient_name.lower().startswith("s")
            and "CT" in s.modalities
            and lo <= s.study_date <= hi
        )
    )
    assert expected and all_uids(model) == expected


# -- sorting ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "column, key",
    [
        (StudyColumn.PATIENT_ID, lambda r: r.patient_id),
        (StudyColumn.PATIENT_NAME, lambda r: r.patient_name.casefold()),
        (StudyColumn.STUDY_DATE, lambda r: (r.study_date, r.study_time)),
        (StudyColumn.ACCESSION, lambda r: r.accession_number),
        (StudyColumn.NUM_IMAGES, lambda r: r.num_images),
        (StudyColumn.MODALITIES, lambda r: r.modalities),
    ],
)
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_sorting_by_a_column(model: StudyTableModel, column, key, order) -> None:
    model.sort(COLUMNS.index(column), order)
    model.fetch_all()
    keys = [key(r) for r in model.loaded_rows()]
    assert len(keys) == COUNT
    assert keys == sorted(keys, reverse=order == Qt.SortOrder.DescendingOrder)


def test_display_columns(model: StudyTableModel, generated: Generated) -> None:
    model.set_filter(StudyFilter(patient_id="PID000003"))  # study 3: CT + US series
    assert model.rowCount() == 1
    shown = [model.data(model.index(0, c)) for c in range(len(COLUMNS))]
    assert shown == [
        "Garcia0, Peter",
        "PID000003",
        "1970-01-01",
        "F",
        (TODAY - dt.timedelta(days=3)).isoformat(),
        "10:15",
        "US study",
        "CT/US",
        "ACC0000003",
        "2",
        "3",
    ]
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Patient name"


# -- refresh ---------------------------------------------------------------------------
def test_refresh_shows_a_new_study_and_keeps_loaded_rows(tmp_path: Path, qtbot) -> None:
    store = LocalStore(tmp_path / "store", check_on_open=False)
    try:
        generate_studies(store.index, 450, today=TODAY)
        model = StudyTableModel(store.index)
        model.fetchMore()
        loaded = model.rowCount()
        assert loaded == 400
        uid = generate_uid()
        newest = TODAY.strftime("%Y%m%d")
        add_datasets(
            store.index,
            [study_dataset("New^Arrival", "NEW1", "ACCNEW", newest, "CT", uid, generate_uid())],
        )
        with qtbot.waitSignal(model.modelReset, timeout=2000):
            model.refresh()
        assert model.total() == 451
        assert model.rowCount() == loaded  # the loaded range, re-read, not more
        assert model.row_of(uid) >= 0
    finally:
        store.close()


def test_refresh_without_changes_resets_nothing(model: StudyTableModel, qtbot) -> None:
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    model.refresh()
    assert resets == []


# -- display forms -------------------------------------------------------------------------
def test_person_names_dates_and_times_for_display() -> None:
    from workstation.ui.browser.formatting import dicom_date, dicom_time, person_name

    assert person_name("Smith^John^A^Dr^") == "Smith, John A"
    assert person_name("Yamada^Tarou=山田^太郎=やまだ^たろう") == "Yamada, Tarou"
    assert person_name("=山田^太郎") == "山田, 太郎"  # no alphabetic group: the next one
    assert person_name("Meyer") == "Meyer"
    assert person_name("") == ""
    assert dicom_date("20240131") == "2024-01-31"
    assert dicom_date("2024") == "2024"
    assert dicom_time("101503.25") == "10:15"
    assert dicom_time("09") == "09:00"
