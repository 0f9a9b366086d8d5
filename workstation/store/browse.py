"""Paged study queries for the patient browser, over the store's index.

The browser shows one row per study with the patient's columns beside it; a table of
10 000 studies must stay responsive, so rows are read a page at a time: the filter and
sort pick the page's study ids (indexes where they help, the PN wildcard match in
Python through ``pn_match``), then the page's display columns and per-study counts are
read for those ids only.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from workstation.dicom.query_form import DatePreset
from workstation.store.index import StoreIndex
from workstation.store.matching import wildcard_regex


class StudyColumn(StrEnum):
    """The browser's study columns, in display order."""

    PATIENT_NAME = "patient_name"
    PATIENT_ID = "patient_id"
    BIRTH_DATE = "birth_date"
    SEX = "sex"
    STUDY_DATE = "study_date"
    STUDY_TIME = "study_time"
    DESCRIPTION = "description"
    MODALITIES = "modalities"
    ACCESSION = "accession_number"
    NUM_SERIES = "num_series"
    NUM_IMAGES = "num_images"


# distinct and sorted, joined with '/': the form shown, so sorting by it sorts what is seen
_MODALITIES_SQL = (
    "(SELECT group_concat(x.modality, '/') FROM (SELECT DISTINCT m.modality FROM series m"
    " WHERE m.study_fk = st.id AND m.modality != '' ORDER BY m.modality) x)"
)
_NUM_SERIES_SQL = "(SELECT COUNT(*) FROM series m WHERE m.study_fk = st.id)"
_NUM_IMAGES_SQL = (
    "(SELECT COUNT(*) FROM instance i JOIN series m ON i.series_fk = m.id WHERE m.study_fk = st.id)"
)

# ORDER BY terms per column; ties are broken by date, time and row id so pages are stable
_SORT_SQL: dict[StudyColumn, str] = {
    StudyColumn.PATIENT_NAME: "p.patient_name_fold {d}",
    StudyColumn.PATIENT_ID: "p.patient_id {d}",
    StudyColumn.BIRTH_DATE: "p.birth_date {d}",
    StudyColumn.SEX: "p.sex {d}",
    StudyColumn.STUDY_DATE: "st.study_date {d}, st.study_time {d}",
    StudyColumn.STUDY_TIME: "st.study_time {d}",
    StudyColumn.DESCRIPTION: "st.description COLLATE NOCASE {d}",
    StudyColumn.MODALITIES: _MODALITIES_SQL + " {d}",
    StudyColumn.ACCESSION: "st.accession_number {d}",
    StudyColumn.NUM_SERIES: _NUM_SERIES_SQL + " {d}",
    StudyColumn.NUM_IMAGES: _NUM_IMAGES_SQL + " {d}",
}


def preset_range(preset: DatePreset, today: dt.date | None = None) -> tuple[str, str]:
    """(from, to) as DICOM dates (YYYYMMDD) for a preset; ("", "") for any/custom.

    "Last 7 days" is today and the six days before it.
    """
    today = today or dt.date.today()
    days = {
        DatePreset.TODAY: (0, 0),
        DatePreset.YESTERDAY: (1, 1),
        DatePreset.LAST_7_DAYS: (6, 0),
        DatePreset.LAST_30_DAYS: (29, 0),
    }.get(preset)
    if days is None:
        return "", ""
    start, end = (today - dt.timedelta(days=d) for d in days)
    return start.strftime("%Y%m%d"), end.strftime("%Y%m%d")


def search_pattern(text: str) -> str:
    """The user's search text as a DICOM wildcard pattern.

    Without a wildcard it is a prefix search ("smi" finds "Smith^John"); a comma stands
    for the family/given name separator ("smith, j" -> "smith^j*"). Empty stays empty.
    """
    text = text.strip()
    if not text:
        return ""
    text = text.replace(", ", "^").replace(",", "^")
    if "*" not in text and "?" not in text:
        text += "*"
    return text


@dataclass(frozen=True, slots=True)
class StudyFilter:
    """What the search bar asks for; empty fields do not filter. Dates are YYYYMMDD."""

    patient_name: str = ""
    patient_id: str = ""
    accession_number: str = ""
    date_from: str = ""
    date_to: str = ""
    modality: str = ""

    def where(self) -> tuple[str, list[str]]:
        clauses: list[str] = []
        args: list[str] = []
        if pattern := search_pattern(self.patient_name):
            clauses.append("pn_match(?, p.patient_name)")
            args.append(pattern)
        if pattern := search_pattern(self.patient_id):
            clauses.append("id_match(?, p.patient_id)")
            args.append(pattern)
        if pattern := search_pattern(self.accession_number):
            clauses.append("id_match(?, st.accession_number)")
            args.append(pattern)
        if self.date_from or self.date_to:
            clauses.append("st.study_date != ''")
        if self.date_from:
            clauses.append("st.study_date >= ?")
            args.append(self.date_from)
        if self.date_to:
            clauses.append("st.study_date <= ?")
            args.append(self.date_to)
        if self.modality.strip():
            clauses.append(
                "EXISTS (SELECT 1 FROM series m WHERE m.study_fk = st.id AND m.modality = ?)"
            )
            args.append(self.modality.strip().upper())
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


@dataclass(frozen=True, slots=True)
class StudyRow:
    """One browser row: the study with its patient's columns and counts."""

    study_uid: str
    patient_name: str
    patient_id: str
    birth_date: str
    sex: str
    study_date: str
    study_time: str
    description: str
    modalities: str
    accession_number: str
    num_series: int
    num_images: int

    def value(self, column: StudyColumn) -> str | int:
        return getattr(self, column.value)


@dataclass(frozen=True, slots=True)
class SeriesRow:
    """One series of a study, with the instance its thumbnail shows (the middle image)."""

    series_uid: str
    modality: str
    series_number: int | None
    description: str
    body_part: str
    series_date: str
    series_time: str
    num_images: int
    thumbnail_sop_uid: str
    thumbnail_rel_path: str


_FROM = " FROM study st JOIN patient p ON st.patient_fk = p.id"


def _id_match(pattern: str, value: str | None) -> bool:
    """Case-insensitive wildcard match for IDs typed into a search box."""
    return wildcard_regex(pattern, casefold=True).fullmatch((value or "").casefold()) is not None


def _connection_ready(c: sqlite3.Connection) -> sqlite3.Connection:
    # registered per connection; re-registering is cheap and keeps the index module untouched
    c.create_function("id_match", 2, _id_match, deterministic=True)
    return c


def count_studies(index: StoreIndex, flt: StudyFilter) -> int:
    where, args = flt.where()
    with index.reader() as c:
        return _connection_ready(c).execute("SELECT COUNT(*)" + _FROM + where, args).fetchone()[0]


def page_study_uids(
    index: StoreIndex,
    flt: StudyFilter,
    sort: StudyColumn = StudyColumn.STUDY_DATE,
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[tuple[int, str]]:
    """(row id, Study Instance UID) of one page, in display order."""
    where, args = flt.where()
    d = "DESC" if descending else "ASC"
    order = _SORT_SQL[sort].format(d=d)
    if sort is not StudyColumn.STUDY_DATE:
        order += f", st.study_date {d}, st.study_time {d}"
    sql = f"SELECT st.id, st.study_uid{_FROM}{where} ORDER BY {order}, st.id {d} LIMIT ? OFFSET ?"
    with index.reader() as c:
        return [(r[0], r[1]) for r in _connection_ready(c).execute(sql, [*args, limit, offset])]


def _rows_for_ids(c: sqlite3.Connection, ids: list[int]) -> dict[int, StudyRow]:
    marks = ",".join("?" * len(ids))
    sql = (
        "SELECT st.id, st.study_uid, p.patient_name, p.patient_id, p.birth_date, p.sex,"
        " st.study_date, st.study_time, st.description, st.accession_number,"
        f" {_MODALITIES_SQL} AS modalities, {_NUM_SERIES_SQL} AS num_series,"
        f" {_NUM_IMAGES_SQL} AS num_images"
        f"{_FROM} WHERE st.id IN ({marks})"
    )
    out: dict[int, StudyRow] = {}
    for r in c.execute(sql, ids):
        out[r["id"]] = StudyRow(
            study_uid=r["study_uid"],
            patient_name=r["patient_name"],
            patient_id=r["patient_id"],
            birth_date=r["birth_date"],
            sex=r["sex"],
            study_date=r["study_date"],
            study_time=r["study_time"],
            description=r["description"],
            modalities=_modality_list(r["modalities"]),
            accession_number=r["accession_number"],
            num_series=r["num_series"],
            num_images=r["num_images"],
        )
    return out


def _modality_list(joined: str | None) -> str:
    """'CT/MR' as read (distinct, sorted); re-sorted here since SQL does not promise it."""
    return "/".join(sorted({m for m in (joined or "").split("/") if m}))


def page_studies(
    index: StoreIndex,
    flt: StudyFilter,
    sort: StudyColumn = StudyColumn.STUDY_DATE,
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[StudyRow]:
    """One page of study rows (``limit`` from ``offset``) for the filter, sorted."""
    ids = [i for i, _ in page_study_uids(index, flt, sort, descending, offset, limit)]
    if not ids:
        return []
    with index.reader() as c:
        by_id = _rows_for_ids(c, ids)
    return [by_id[i] for i in ids if i in by_id]


def study_rows(index: StoreIndex, study_uids: list[str]) -> dict[str, StudyRow]:
    """Fresh rows for the given studies (those still stored), by Study Instance UID."""
    if not study_uids:
        return {}
    marks = ",".join("?" * len(study_uids))
    with index.reader() as c:
        ids = [
            r[0]
            for r in c.execute(f"SELECT id FROM study WHERE study_uid IN ({marks})", study_uids)
        ]
        rows = _rows_for_ids(c, ids) if ids else {}
    return {row.study_uid: row for row in rows.values()}


def series_of_study(index: StoreIndex, study_uid: str) -> list[SeriesRow]:
    """The study's series in series-number order, each with its middle image."""
    with index.reader() as c:
        series = c.execute(
            "SELECT s.id, s.series_uid, s.modality, s.series_number, s.description, s.body_part,"
            " s.series_date, s.series_time,"
            " (SELECT COUNT(*) FROM instance i WHERE i.series_fk = s.id) AS num_images"
            " FROM series s JOIN study st ON s.study_fk = st.id WHERE st.study_uid = ?"
            " ORDER BY s.series_number IS NULL, s.series_number, s.series_date, s.series_time,"
            " s.id",
            (study_uid,),
        ).fetchall()
        out = []
        for s in series:
            sop_uid, rel_path = _middle_image(c, s["id"])
            out.append(
                SeriesRow(
                    series_uid=s["series_uid"],
                    modality=s["modality"],
                    series_number=s["series_number"],
                    description=s["description"],
                    body_part=s["body_part"],
                    series_date=s["series_date"],
                    series_time=s["series_time"],
                    num_images=s["num_images"],
                    thumbnail_sop_uid=sop_uid,
                    thumbnail_rel_path=rel_path,
                )
            )
    return out


def _middle_image(c: sqlite3.Connection, series_pk: int) -> tuple[str, str]:
    """The middle instance by instance number among those with pixels (rows known);
    any instance when none has (an SR or a PDF series: the thumbnail says so)."""
    for with_pixels in (True, False):
        cond = " AND rows IS NOT NULL" if with_pixels else ""
        n = c.execute(
            f"SELECT COUNT(*) FROM instance WHERE series_fk = ?{cond}", (series_pk,)
        ).fetchone()[0]
        if n:
            row = c.execute(
                f"SELECT sop_uid, rel_path FROM instance WHERE series_fk = ?{cond}"
                " ORDER BY instance_number IS NULL, instance_number, sop_uid LIMIT 1 OFFSET ?",
                (series_pk, n // 2),
            ).fetchone()
            if row is not None:
                return row[0], row[1]
    return "", ""


def modalities_in_store(index: StoreIndex) -> list[str]:
    """The modalities the store holds, for the search bar's choice list."""
    with index.reader() as c:
        return [
            r[0]
            for r in c.execute(
                "SELECT DISTINCT modality FROM series WHERE modality != '' ORDER BY modality"
            )
        ]


@dataclass(frozen=True, slots=True)
class SeriesImage:
    """What the index knows of one image of a series: enough to order the series."""

    rel_path: str
    instance_number: int | None
    frames: int
    position: str  # Image Position (Patient) as "x\\y\\z", '' when unknown
    orientation: str  # Image Orientation (Patient), six values, '' when unknown


def series_images(index: StoreIndex, series_uid: str) -> list[SeriesImage]:
    """The image instances of a series (instances without Rows are left out)."""
    sql = (
        "SELECT i.rel_path, i.instance_number, i.frames,"
        " json_extract(i.attrs, '$.ImagePositionPatient'),"
        " json_extract(i.attrs, '$.ImageOrientationPatient')"
        " FROM instance i JOIN series s ON i.series_fk = s.id"
        " WHERE s.series_uid = ? AND i.rows IS NOT NULL"
    )
    with index.reader() as c:
        return [
            SeriesImage(r[0], r[1], r[2] or 1, r[3] or "", r[4] or "")
            for r in c.execute(sql, (series_uid,))
        ]


@dataclass(frozen=True, slots=True)
class StoredInstance:
    """One stored instance found by SOP class: enough to read its file."""

    sop_uid: str
    sop_class_uid: str
    series_uid: str
    rel_path: str


def study_instances_of_classes(
    index: StoreIndex, series_uid: str, sop_class_uids: list[str]
) -> list[StoredInstance]:
    """Instances of the given SOP classes in the study holding ``series_uid`` (none when
    the series is not stored): the presentation states and key object selections the
    viewer lists when it opens the series, without reading any other file."""
    if not sop_class_uids:
        return []
    marks = ",".join("?" * len(sop_class_uids))
    sql = (
        "SELECT i.sop_uid, i.sop_class_uid, s.series_uid, i.rel_path"
        " FROM series opened JOIN series s ON s.study_fk = opened.study_fk"
        " JOIN instance i ON i.series_fk = s.id"
        f" WHERE opened.series_uid = ? AND i.sop_class_uid IN ({marks})"
        " ORDER BY i.content_date, i.content_time, i.sop_uid"
    )
    with index.reader() as c:
        return [StoredInstance(*r) for r in c.execute(sql, [series_uid, *sop_class_uids])]


def study_of_series(index: StoreIndex, series_uid: str) -> str | None:
    """The Study Instance UID a stored series belongs to (None when it is not stored)."""
    with index.reader() as c:
        row = c.execute(
            "SELECT st.study_uid FROM series s JOIN study st ON s.study_fk = st.id"
            " WHERE s.series_uid = ?",
            (series_uid,),
        ).fetchone()
    return row[0] if row else None


def studies_of_same_patient(index: StoreIndex, study_uid: str) -> list[StudyRow]:
    """The other stored studies of the patient of ``study_uid``, newest first (for
    comparing with priors)."""
    with index.reader() as c:
        ids = [
            r[0]
            for r in c.execute(
                "SELECT st.id FROM study st WHERE st.patient_fk ="
                " (SELECT patient_fk FROM study WHERE study_uid = ?) AND st.study_uid != ?"
                " ORDER BY st.study_date DESC, st.study_time DESC, st.id DESC",
                (study_uid, study_uid),
            )
        ]
        by_id = _rows_for_ids(c, ids) if ids else {}
    return [by_id[i] for i in ids if i in by_id]


def series_instance_paths(index: StoreIndex, series_uid: str) -> list[tuple[str, str]]:
    """(SOP Class UID, relative path) of every instance of a series, in instance order:
    what opens a series of documents, reports or waveforms."""
    sql = (
        "SELECT i.sop_class_uid, i.rel_path FROM instance i JOIN series s ON i.series_fk = s.id"
        " WHERE s.series_uid = ? ORDER BY i.instance_number IS NULL, i.instance_number, i.id"
    )
    with index.reader() as c:
        return [(r[0], r[1]) for r in c.execute(sql, (series_uid,))]


def instance_counts(index: StoreIndex, study_uids: set[str] | list[str]) -> dict[str, int]:
    """Instances stored per study (studies with none are absent): what "all of the study
    was sent / committed" is measured against."""
    wanted = sorted(set(study_uids))
    counts: dict[str, int] = {}
    with index.reader() as c:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = c.execute(
                "SELECT st.study_uid, COUNT(i.id) FROM study st JOIN series s ON s.study_fk = st.id"
                " JOIN instance i ON i.series_fk = s.id"
                f" WHERE st.study_uid IN ({','.join('?' * len(chunk))}) GROUP BY st.study_uid",
                chunk,
            )
            counts.update({r[0]: r[1] for r in rows})
    return counts

