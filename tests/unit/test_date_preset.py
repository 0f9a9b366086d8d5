"""One DatePreset (dicom/query_form.py) for the query panel and the local browser: both
turn every preset into the same days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workstation.dicom import query_form
from workstation.dicom.query_form import DatePreset, study_date_range
from workstation.store import browse
from workstation.store.browse import preset_range

TODAY = dt.date(2024, 3, 1)


def test_the_enum_is_defined_once() -> None:
    defined = [m for m in (browse, query_form) if "class DatePreset" in Path(m.__file__).read_text()]
    assert defined == [query_form]


@pytest.mark.parametrize("preset", list(DatePreset))
def test_browser_and_query_ranges_agree(preset: DatePreset) -> None:
    lo, hi = preset_range(preset, TODAY)
    query = study_date_range(preset, TODAY)
    if preset in (DatePreset.ANY, DatePreset.CUSTOM):
        assert (lo, hi) == ("", "") and query == ""
    else:
        assert query in (lo, f"{lo}-{hi}") and (lo == hi) == ("-" not in query)
