"""C-FIND matching that no pattern can make slow (store/matching.py, store/query.py).

The wildcard matcher is compared with a plain dynamic-programming reference on random
patterns; pathological patterns are checked for the right answer (never for timing);
over-long query values are refused with A900; a query stops once its caller has gone.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pydicom
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from workstation.errors import QueryError
from workstation.store import LocalStore
from workstation.store.match_values import MAX_QUERY_LENGTH, match_value, over_length
from workstation.store.matching import match_pn, match_text, wildcard_match
from workstation.store.query import (
    UID_PARAMETERS_MAX,
    Model,
    check_lengths,
    find,
    key_condition,
    plan_find,
)
from workstation.store.query_encode import encoded_answer

# Identifiers carry wildcards and over-long values on purpose: pydicom warns about them.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Invalid value for VR"),
    pytest.mark.filterwarnings("ignore:The .*length"),
]

ROOT = "1.2.826.0.1.3680043.10.4711.77."


def reference(pattern: str, value: str) -> bool:
    """Textbook O(n*m) table: done[i][j] = pattern[:i] matches value[:j]."""
    done = [[False] * (len(value) + 1) for _ in range(len(pattern) + 1)]
    done[0][0] = True
    for i, p in enumerate(pattern, 1):
        done[i][0] = done[i - 1][0] and p == "*"
        for j, v in enumerate(value, 1):
            if p == "*":
                done[i][j] = done[i - 1][j] or done[i][j - 1]
            else:
                done[i][j] = done[i - 1][j - 1] and (p == "?" or p == v)
    return done[len(pattern)][len(value)]


ALPHABET = "ab?*"
patterns = st.text(alphabet=ALPHABET, max_size=12)
values = st.text(alphabet="abc", max_size=16)


@settings(max_examples=400, deadline=None)
@given(patterns, values)
def test_matcher_agrees_with_the_reference(pattern: str, value: str) -> None:
    assert wildcard_match(pattern, value) == reference(pattern, value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab*", max_size=8), values)
def test_matcher_agrees_on_values_built_to_match(pattern: str, filler: str) -> None:
    value = pattern.replace("*", filler)  # every '*' stands for the same filler
    assert wildcard_match(pattern, value)
    assert reference(pattern, value)


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("*" * 40 + "a", "b" * 10_000, False),
        ("*" * 40 + "a", "b" * 10_000 + "a", True),
        ("*a" * 32 + "b", "a" * 10_000, False),
        ("*a" * 32 + "b", "a" * 10_000 + "b", True),
        ("*a?" * 20 + "*b", "a" * 5_000 + "c", False),
        ("a*" * 30, "a" * 29, False),
        ("a*" * 30, "a" * 30, True),
        ("?" * 64, "x" * 64, True),
        ("?" * 64, "x" * 63, False),
        ("*?*?*?*", "ab", False),
        ("*?*?*?*", "abc", True),
        ("", "", True),
        ("", "a", False),
        ("*", "", True),
    ],
)
def test_pathological_patterns_give_the_right_answer(
    pattern: str, value: str, expected: bool
) -> None:
    assert wildcard_match(pattern, value) is expected
    assert match_text(pattern, value) is expected


def test_pathological_person_names_match_case_insensitively() -> None:
    name = "Doe^" + "j" * 10_000 + "=山田^太郎"
    assert not match_pn("*" * 40 + "x", name)
    assert match_pn("*" * 40 + "J", "Doe^" + "j" * 10_000)
    assert match_pn("*" * 40 + "太郎", name)
    assert match_value("LO", "*" * 40 + "a", "b" * 10_000) is False
    assert match_value("LO", "*" * 40 + "a", ["b" * 10_000, "ba"]) is True


def test_regex_metacharacters_are_literal() -> None:
    assert wildcard_match("a$^b.(c)", "a$^b.(c)")
    assert not wildcard_match("a.c", "abc")
    assert wildcard_match("[ab]*", "[ab]x")


@pytest.mark.parametrize(
    ("vr", "value", "limit"),
    [
        ("PN", "A" * 65, 64),
        ("PN", "Doe^John=" + "山" * 65, 64),
        ("LO", "x" * 65, 64),
        ("SH", "x" * 17, 16),
        ("CS", "X" * 17, 16),
        ("AE", "X" * 17, 16),
        ("UI", "1." * 33, 64),
        ("DA", "20200101-2020123100", 18),
        ("TM", "0" * 29, 28),
        ("DT", "2" * 55, 54),
        ("IS", "1" * 13, 12),
        ("DS", "1" * 17, 16),
    ],
)
def test_over_length_values_are_named_with_their_limit(vr: str, value: str, limit: int) -> None:
    assert MAX_QUERY_LENGTH[vr] == limit
    assert over_length(vr, value) == limit
    assert over_length(vr, value[:limit]) is None


def test_names_fit_per_component_group() -> None:
    three_groups = "=".join(["A" * 64] * 3)
    assert over_length("PN", three_groups) is None


def ident(level: str, **keys: Any) -> Dataset:
    ds = Dataset()
    ds.QueryRetrieveLevel = level
    for keyword, value in keys.items():
        setattr(ds, keyword, value)
    return ds


@pytest.mark.parametrize(
    "keys",
    [
        {"PatientName": "*" * 70 + "a"},
        {"PatientName": "x" * 10_000},
        {"PatientID": "x" * 65},
        {"StudyDescription": "x" * 65},
        {"AccessionNumber": "x" * 17},
        {"ModalitiesInStudy": "CT\\" + "X" * 17},
        {"StudyInstanceUID": "1.2\\" + "1" * 65},
        {"StudyDate": "2020" * 5},
        {"StudyTime": "1" * 29},
    ],
)
def test_over_long_query_values_are_refused_with_a900(keys: dict[str, Any]) -> None:
    with pytest.raises(QueryError) as info:
        plan_find(ident("STUDY", **keys), Model.STUDY_ROOT)
    assert info.value.status == 0xA900
    assert "over" in info.value.message()


def test_over_long_values_in_nested_sequences_are_refused() -> None:
    inner = Dataset()
    inner.CodeValue = "x" * 17  # SH
    outer = Dataset()
    outer.ProcedureCodeSequence = Sequence([inner])  # a sequence inside an item
    outer.CodeValue = "ok"
    ds = ident("STUDY")
    ds.RequestAttributesSequence = Sequence([outer])
    with pytest.raises(QueryError, match="CodeValue over 16"):
        check_lengths(ds)


def test_a_long_uid_list_is_one_sql_parameter() -> None:
    uids = "\\".join(f"{ROOT}{n}" for n in range(UID_PARAMETERS_MAX + 1))
    sql, args = key_condition("StudyInstanceUID", "UI", "st.study_uid", uids)
    assert "json_each" in sql
    assert len(args) == 1
    sql, args = key_condition("StudyInstanceUID", "UI", "st.study_uid", f"{ROOT}1\\{ROOT}2")
    assert args == [f"{ROOT}1", f"{ROOT}2"]


# -- on a store -------------------------------------------------------------------------

INSTANCES = 60


@pytest.fixture(scope="module")
def hstore(tmp_path_factory):
    store = LocalStore(tmp_path_factory.mktemp("wild") / "data")
    template = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    template.remove_private_tags()
    for n in range(INSTANCES):
        ds = template.copy()
        ds.PatientName = f"Patient^{'a' * 50}{n:03d}"
        ds.PatientID = f"PID{n % 20:03d}"
        ds.StudyInstanceUID = f"{ROOT}1.{n % 20}"
        ds.SeriesInstanceUID = f"{ROOT}2.{n % 30}"
        ds.SOPInstanceUID = f"{ROOT}3.{n}"
        ds.StudyDescription = "a" * 60 + f"{n % 20:02d}"
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        buf = BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        store.add_bytes(buf.getvalue())
    yield store
    store.close()


def study_uids(store: LocalStore, **keys: Any) -> set[str]:
    keys.setdefault("StudyInstanceUID", "")
    found = find(store.index, ident("STUDY", **keys), Model.STUDY_ROOT)
    return {str(ds.StudyInstanceUID) for ds in found}


def test_pathological_patterns_match_right_on_the_store(hstore: LocalStore) -> None:
    assert study_uids(hstore, PatientName="*" * 40 + "a") == set()
    assert study_uids(hstore, PatientName="*" * 40 + "007") == {f"{ROOT}1.7"}
    assert study_uids(hstore, StudyDescription="*a" * 31 + "b") == set()
    assert study_uids(hstore, StudyDescription="*a" * 30 + "*19") == {f"{ROOT}1.19"}
    assert study_uids(hstore, PatientID="*" * 40 + "1?") == {
        f"{ROOT}1.{n}" for n in range(10, 20)
    }


def test_a_list_of_ten_thousand_uids_matches(hstore: LocalStore) -> None:
    uids = [f"{ROOT}9.{n}" for n in range(10_000)] + [f"{ROOT}1.3", f"{ROOT}1.4"]
    assert study_uids(hstore, StudyInstanceUID=uids) == {f"{ROOT}1.3", f"{ROOT}1.4"}


def test_a_cancelled_find_stops_inside_sqlite(hstore: LocalStore) -> None:
    looks = 0

    def cancelled() -> bool:
        nonlocal looks
        looks += 1
        return looks > 1  # the first look (SQLite's progress handler) lets it start

    ds = ident("IMAGE", SOPInstanceUID="", PatientName="*" * 40 + "0??")
    found = list(find(hstore.index, ds, Model.PATIENT_ROOT, cancelled=cancelled))
    assert len(found) < INSTANCES
    assert looks >= 2
    # the pooled connection is usable afterwards, without the handler
    assert len(list(find(hstore.index, ds, Model.PATIENT_ROOT))) == INSTANCES


def test_an_encoded_answer_ends_once_cancelled(hstore: LocalStore) -> None:
    ds = ident("IMAGE", SOPInstanceUID="", PatientName="Patient*")
    with encoded_answer(hstore.index, ds, Model.PATIENT_ROOT, cancelled=lambda: True) as answer:
        assert list(answer.matches) == []
    with encoded_answer(hstore.index, ds, Model.PATIENT_ROOT, cancelled=lambda: False) as answer:
        assert len(list(answer.matches)) == INSTANCES
