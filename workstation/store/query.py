"""C-FIND and retrieve queries on the index (PS3.4 C.2.2.2 and C.4), in SQL.

``find`` turns an identifier into one SQL statement over the level's table and the
tables above it, and yields one response identifier per row. Matching never reads a
DICOM file: indexed columns are matched natively, the other keys through SQLite
functions over the level's flat ``attrs`` JSON.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pydicom.dataset import Dataset

from workstation.errors import QueryError
from workstation.store.flatten import flatten_item, set_flat, vr_of
from workstation.store.index import StoreIndex
from workstation.store.match_values import (
    DATE_TIME_VRS,
    NUMERIC_VRS,
    is_range,
    is_universal,
    is_universal_item,
    over_length,
    range_bounds,
)
from workstation.store.query_keys import (
    ALIAS,
    COLUMNS,
    COMPUTED,
    LEVEL_ORDER,
    UNIQUE_KEY,
    Level,
    level_of,
)

# Elements of an identifier that are not matching keys.
CONTROL_KEYWORDS = {
    "QueryRetrieveLevel",
    "SpecificCharacterSet",
    "RetrieveAETitle",
    "InstanceAvailability",
    "TimezoneOffsetFromUTC",
    "QueryRetrieveView",
}


class Model(StrEnum):
    PATIENT_ROOT = "PATIENT_ROOT"
    STUDY_ROOT = "STUDY_ROOT"
    PATIENT_STUDY_ONLY = "PATIENT_STUDY_ONLY"


MODEL_LEVELS = {
    Model.PATIENT_ROOT: LEVEL_ORDER,
    Model.STUDY_ROOT: (Level.STUDY, Level.SERIES, Level.IMAGE),
    Model.PATIENT_STUDY_ONLY: (Level.PATIENT, Level.STUDY),
}

FROM = {
    Level.PATIENT: "patient p",
    Level.STUDY: "study st JOIN patient p ON st.patient_fk = p.id",
    Level.SERIES: "series se JOIN study st ON se.study_fk = st.id"
    " JOIN patient p ON st.patient_fk = p.id",
    Level.IMAGE: "instance i JOIN series se ON i.series_fk = se.id"
    " JOIN study st ON se.study_fk = st.id JOIN patient p ON st.patient_fk = p.id",
}

ORDER = {
    Level.PATIENT: "p.patient_name, p.patient_id",
    Level.STUDY: "st.study_date, st.study_time, st.study_uid",
    Level.SERIES: "se.series_number, se.series_uid",
    Level.IMAGE: "i.instance_number, i.sop_uid",
}

COMPUTED_SQL = {
    "NumberOfPatientRelatedStudies": "(SELECT COUNT(*) FROM study y WHERE y.patient_fk = p.id)",
    "NumberOfPatientRelatedSeries": "(SELECT COUNT(*) FROM series x JOIN study y"
    " ON x.study_fk = y.id WHERE y.patient_fk = p.id)",
    "NumberOfPatientRelatedInstances": "(SELECT COUNT(*) FROM instance z JOIN series x"
    " ON z.series_fk = x.id JOIN study y ON x.study_fk = y.id WHERE y.patient_fk = p.id)",
    "ModalitiesInStudy": "(SELECT group_concat(DISTINCT x.modality) FROM series x"
    " WHERE x.study_fk = st.id AND x.modality != '')",
    "SOPClassesInStudy": "(SELECT group_concat(DISTINCT z.sop_class_uid) FROM instance z"
    " JOIN series x ON z.series_fk = x.id WHERE x.study_fk = st.id)",
    "NumberOfStudyRelatedSeries": "(SELECT COUNT(*) FROM series x WHERE x.study_fk = st.id)",
    "NumberOfStudyRelatedInstances": "(SELECT COUNT(*) FROM instance z JOIN series x"
    " ON z.series_fk = x.id WHERE x.study_fk = st.id)",
    "NumberOfSeriesRelatedInstances": "(SELECT COUNT(*) FROM instance z WHERE z.series_fk = se.id)",
    "AvailableTransferSyntaxUID": "i.transfer_syntax",
}

# Computed keys that can be matched (multiple values: any of the study's values matches).
COMPUTED_MATCH = {
    "ModalitiesInStudy": "EXISTS (SELECT 1 FROM series x WHERE x.study_fk = st.id AND ({cond}))",
    "SOPClassesInStudy": "EXISTS (SELECT 1 FROM instance z JOIN series x ON z.series_fk = x.id"
    " WHERE x.study_fk = st.id AND ({cond}))",
}
COMPUTED_MATCH_COLUMN = {"ModalitiesInStudy": "x.modality", "SOPClassesInStudy": "z.sop_class_uid"}


# A UID list longer than this is one JSON parameter (SQLite allows 32766 parameters).
UID_PARAMETERS_MAX = 64
# SQLite steps between two looks at whether the caller still wants the answer.
CANCEL_CHECK_STEPS = 5000


def _glob(pattern: str) -> str:
    """A DICOM wildcard pattern as a GLOB pattern ('*' and '?' mean the same)."""
    return pattern.replace("[", "[[]")


@dataclass
class FindPlan:
    level: Level
    model: Model
    sql: str
    args: list[Any]
    return_keys: list[str]  # keywords, in identifier order
    sequence_filters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)  # unknown keys (returned empty)
    query_charset: list[str] = field(default_factory=list)


def _effective_level(keyword: str, model: Model) -> Level | None:
    level = level_of(keyword)
    if level is Level.PATIENT and model is Model.STUDY_ROOT:
        return Level.STUDY  # Study Root keeps the patient keys at the study level
    return level


def _value_expr(keyword: str) -> str:
    level = level_of(keyword)
    assert level is not None
    if keyword in COLUMNS:
        col_level, column = COLUMNS[keyword]
        return f"{ALIAS[col_level]}.{column}"
    return f"json_extract({ALIAS[level]}.attrs, '$.{keyword}')"


def _text(elem_value: Any) -> str:
    if elem_value is None:
        return ""
    if isinstance(elem_value, list | tuple) or type(elem_value).__name__ == "MultiValue":
        return "\\".join(str(v) for v in elem_value)
    return str(elem_value).strip()


def key_condition(keyword: str, vr: str, expr: str, query: str) -> tuple[str, list[Any]] | None:
    """SQL condition for one non-sequence key; None for universal matching."""
    if is_universal(query):
        return None  # '' or '*' ('*' on a UID is not PS3.4, but SCUs send it meaning "any")
    if vr == "UI":
        uids = [u.strip() for u in query.split("\\") if u.strip()]
        if len(uids) > UID_PARAMETERS_MAX:
            return f"{expr} IN (SELECT value FROM json_each(?))", [json.dumps(uids)]
        return f"{expr} IN ({','.join('?' * len(uids))})", uids
    if vr == "PN":
        return f"pn_match(?, {expr})", [query]
    if vr in DATE_TIME_VRS:
        if is_range(vr, query):
            lo, hi = range_bounds(vr, query)
            value = {"TM": f"norm_time({expr})", "DT": f"norm_datetime({expr})"}.get(vr, expr)
            parts, args = [f"{expr} IS NOT NULL", f"{expr} != ''"], []
            if lo is not None:
                parts.append(f"{value} >= ?")
                args.append(lo)
            if hi is not None:
                parts.append(f"{value} <= ?")
                args.append(hi)
            return " AND ".join(parts), args
        return f"{expr} = ?", [query]
    if vr in NUMERIC_VRS:
        try:
            number = float(query)
        except ValueError:
            raise QueryError(
                reason=f"{keyword}: {query!r} is not a number", status=0xA900
            ) from None
        return f"CAST({expr} AS REAL) = ?", [number]
    if keyword in COLUMNS:
        if "*" in query or "?" in query:
            return f"{expr} GLOB ?", [_glob(query)]
        return f"{expr} = ?", [query]
    # attrs JSON: may be multi-valued, so matched value by value in Python
    return f"key_match(?, ?, {expr})", [vr, query]


def _computed_condition(keyword: str, query: str) -> tuple[str, list[Any]] | None:
    if keyword not in COMPUTED_MATCH or is_universal(query):
        return None
    column = COMPUTED_MATCH_COLUMN[keyword]
    values = [v for v in query.split("\\") if v]
    conds, args = [], []
    for v in values:
        if "*" in v or "?" in v:
            conds.append(f"{column} GLOB ?")
            args.append(_glob(v))
        else:
            conds.append(f"{column} = ?")
            args.append(v)
    return COMPUTED_MATCH[keyword].format(cond=" OR ".join(conds)), args


def _value_texts(value: Any) -> list[str]:
    if value is None or isinstance(value, bytes | bytearray):
        return []
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        return [str(v) for v in value]
    return [str(value)]


def check_lengths(identifier: Dataset) -> None:
    """Refuse (A900) an identifier with a value longer than its VR allows, in any
    sequence item too: such a key is no valid query and only costs matching time."""
    stack = [identifier]
    while stack:
        ds = stack.pop()
        for elem in ds:
            if elem.tag.group in (0x0000, 0x0002) or elem.tag.is_private:
                continue
            if elem.VR == "SQ":
                stack.extend(elem.value or [])
                continue
            for text in _value_texts(elem.value):
                limit = over_length(elem.VR, text)
                if limit is not None:
                    name = elem.keyword or f"({elem.tag.group:04X},{elem.tag.element:04X})"
                    raise QueryError(reason=f"{name} over {limit} chars", status=0xA900)


@contextmanager
def interruptible(
    conn: sqlite3.Connection, cancelled: Callable[[], bool] | None
) -> Iterator[None]:
    """While the block runs, SQLite stops a statement (OperationalError) once
    ``cancelled()``: a query nobody waits for any more ends between two candidates."""
    if cancelled is None:
        yield
        return
    conn.set_progress_handler(lambda: 1 if cancelled() else 0, CANCEL_CHECK_STEPS)
    try:
        yield
    finally:
        conn.set_progress_handler(None, 0)


def query_level(identifier: Dataset, model: Model) -> Level:
    raw = str(identifier.get("QueryRetrieveLevel", "") or "").strip().upper()
    if not raw:
        raise QueryError(reason="Query/Retrieve Level (0008,0052) is missing", status=0xA900)
    try:
        level = Level(raw)
    except ValueError:
        raise QueryError(reason=f"unknown Query/Retrieve Level {raw!r}", status=0xA900) from None
    if level not in MODEL_LEVELS[model]:
        raise QueryError(
            reason=f"level {level.value} is not part of the {model.value} model", status=0xA900
        )
    return level


def plan_find(identifier: Dataset, model: Model) -> FindPlan:
    level = query_level(identifier, model)
    check_lengths(identifier)
    depth = LEVEL_ORDER.index(level)
    where: list[str] = []
    args: list[Any] = []
    patient_where: list[str] = []  # conditions on the patient row alone
    patient_args: list[Any] = []
    return_keys: list[str] = []
    unsupported: list[str] = []
    for elem in identifier:
        keyword = elem.keyword
        if elem.tag.group in (0x0000, 0x0002) or elem.tag.is_private or not keyword:
            continue
        if keyword in CONTROL_KEYWORDS:
            if keyword in ("RetrieveAETitle", "InstanceAvailability"):
                return_keys.append(keyword)
            continue
        key_level = _effective_level(keyword, model)
        if key_level is None:
            unsupported.append(keyword)
            return_keys.append(keyword)
            continue
        if LEVEL_ORDER.index(key_level) > depth:
            continue  # a key below the query level: neither matched nor returned
        return_keys.append(keyword)
        if keyword in COMPUTED:
            cond = _computed_condition(keyword, _text(elem.value))
        elif elem.VR == "SQ":
            items = list(elem.value or [])
            item = flatten_item(items[0]) if items else {}
            cond = (
                None
                if is_universal_item(item)
                else (
                    f"seq_match({_value_expr(keyword)}, ?)",
                    [json.dumps(item, ensure_ascii=False)],
                )
            )
        else:
            cond = key_condition(keyword, vr_of(keyword), _value_expr(keyword), _text(elem.value))
        if cond is None:
            continue
        if depth > 0 and keyword not in COMPUTED and level_of(keyword) is Level.PATIENT:
            patient_where.append(cond[0])  # only on the patient row: see below
            patient_args.extend(cond[1])
        else:
            where.append(cond[0])
            args.extend(cond[1])
    if patient_where:
        # Matched once per patient instead of once per study, series or instance row
        # (a person name is matched in Python): the same rows, a fraction of the calls.
        inner = " AND ".join(f"({w})" for w in patient_where)
        where.append(f"st.patient_fk IN (SELECT p.id FROM patient p WHERE {inner})")
        args.extend(patient_args)
    columns = ["p.attrs AS p_attrs"]
    for lvl in LEVEL_ORDER[1 : depth + 1]:
        columns.append(f"{ALIAS[lvl]}.attrs AS {ALIAS[lvl]}_attrs")
    for keyword in return_keys:
        if keyword in COMPUTED_SQL:
            columns.append(f'{COMPUTED_SQL[keyword]} AS "{keyword}"')
    sql = f"SELECT {', '.join(columns)} FROM {FROM[level]}"
    if where:
        sql += " WHERE " + " AND ".join(f"({w})" for w in where)
    sql += f" ORDER BY {ORDER[level]}"
    charset = identifier.get("SpecificCharacterSet")
    charsets = [] if not charset else ([charset] if isinstance(charset, str) else list(charset))
    return FindPlan(
        level, model, sql, args, return_keys, unsupported=unsupported, query_charset=charsets
    )


def _filter_items(
    stored: list[dict[str, Any]] | None, query_elem_value: Any
) -> list[dict[str, Any]]:
    items = list(query_elem_value or [])
    wanted = [e.keyword for e in items[0]] if items else []
    if not wanted:
        return stored or []
    return [{k: item.get(k, "") for k in wanted} for item in stored or []]


# Text VRs whose values are encoded in the Specific Character Set (PS3.5 6.1.2.3).
CHARSET_VRS = ("PN", "LO", "SH", "ST", "LT", "UT", "UC")


@lru_cache(maxsize=64)
def _codec(charset: str) -> str | None:
    from pydicom.charset import convert_encodings

    try:
        return convert_encodings([charset])[0]
    except LookupError:
        return None


def response_charset(texts: Iterable[str], query_charsets: list[str]) -> str | list[str] | None:
    """The Specific Character Set of a response holding ``texts`` (None: leave it out).

    ASCII answers echo the query's character set; otherwise the query's single
    (non ISO 2022) character set if it encodes every text, else UTF-8 (ISO_IR 192).
    """
    texts = [t for t in texts if t]
    if all(t.isascii() for t in texts):
        if query_charsets:
            return query_charsets if len(query_charsets) > 1 else query_charsets[0]
        return None
    if len(query_charsets) == 1 and not query_charsets[0].startswith("ISO 2022"):
        codec = _codec(query_charsets[0])
        if codec is not None:
            try:
                for t in texts:
                    t.encode(codec)
                return query_charsets[0]
            except (UnicodeEncodeError, LookupError):
                pass
    return "ISO_IR 192"


def _response_charset(ds: Dataset, query_charsets: list[str]) -> None:
    texts = [_text(e.value) for e in ds.iterall() if e.VR in CHARSET_VRS]
    charset = response_charset(texts, query_charsets)
    if charset is not None:
        ds.SpecificCharacterSet = charset


def build_response(plan: FindPlan, row: Any, identifier: Dataset, ae_title: str) -> Dataset:
    attrs: dict[Level, dict[str, Any]] = {}
    keys = row.keys()
    for lvl in LEVEL_ORDER:
        name = f"{ALIAS[lvl]}_attrs"
        if name in keys:
            attrs[lvl] = json.loads(row[name])
    ds = Dataset()
    for keyword in plan.return_keys:
        if keyword == "RetrieveAETitle":
            ds.RetrieveAETitle = ae_title
            continue
        if keyword == "InstanceAvailability":
            ds.InstanceAvailability = "ONLINE"
            continue
        if keyword in COMPUTED_SQL:
            value = row[keyword]
            if keyword in ("ModalitiesInStudy", "SOPClassesInStudy") and value:
                value = "\\".join(sorted(str(value).split(",")))
            set_flat(ds, keyword, "" if value is None else str(value))
            continue
        level = level_of(keyword)
        stored = attrs.get(level, {}).get(keyword) if level is not None else None
        if vr_of(keyword) == "SQ":
            stored = _filter_items(stored, identifier[keyword].value)
        set_flat(ds, keyword, stored)
    ds.QueryRetrieveLevel = plan.level.value
    _response_charset(ds, plan.query_charset)
    return ds


def find(
    index: StoreIndex,
    identifier: Dataset,
    model: Model,
    ae_title: str = "",
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[Dataset]:
    """Yield one response identifier per match; stops early when ``cancelled()``."""
    plan = plan_find(identifier, model)
    with index.reader() as c, interruptible(c, cancelled):
        try:
            for row in c.execute(plan.sql, plan.args):
                if cancelled is not None and cancelled():
                    return
                yield build_response(plan, row, identifier, ae_title)
        except sqlite3.OperationalError:
            if cancelled is not None and cancelled():
                return  # interrupted: the caller left or cancelled
            raise


@dataclass(frozen=True, slots=True)
class RetrieveItem:
    rel_path: str
    sop_class_uid: str
    sop_uid: str
    transfer_syntax: str


def plan_retrieve(identifier: Dataset, model: Model) -> tuple[str, list[Any]]:
    """SQL listing the instances a C-MOVE/C-GET identifier asks for (hierarchical)."""
    level = query_level(identifier, model)
    depth = LEVEL_ORDER.index(level)
    unique = UNIQUE_KEY[level]
    check_lengths(identifier)
    if is_universal(_text(identifier.get(unique))):  # empty or '*': not one entity
        raise QueryError(
            reason=f"{unique} is required for a {level.value} level retrieve", status=0xA900
        )
    where, args = [], []
    for lvl in LEVEL_ORDER[: depth + 1]:
        keyword = UNIQUE_KEY[lvl]
        value = _text(identifier.get(keyword))
        if not value:
            continue
        vr = "LO" if keyword == "PatientID" else "UI"
        cond = key_condition(keyword, vr, _value_expr(keyword), value)
        if cond is not None:
            where.append(cond[0])
            args.extend(cond[1])
    sql = (
        f"SELECT i.rel_path, i.sop_class_uid, i.sop_uid, i.transfer_syntax FROM {FROM[Level.IMAGE]}"
        f" WHERE {' AND '.join(f'({w})' for w in where)}"
        " ORDER BY st.study_uid, se.series_number, se.series_uid, i.instance_number, i.sop_uid"
    )
    return sql, args


def retrieve_items(index: StoreIndex, identifier: Dataset, model: Model) -> list[RetrieveItem]:
    sql, args = plan_retrieve(identifier, model)
    with index.reader() as c:
        return [RetrieveItem(*row) for row in c.execute(sql, args)]
