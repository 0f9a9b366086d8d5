"""The SQLite index of the local store: patient / study / series / instance.

WAL mode, one connection per thread, short write transactions under one writer lock.
The files are the truth: the index can always be rebuilt from them, so commits use
``synchronous=NORMAL`` (durable against a process crash; the start-up check re-indexes
any fsynced file a power loss kept out of the index).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workstation.errors import IndexSchemaError
from workstation.sqlite_schema import immediate_transaction, migrate
from workstation.store import match_values, matching
from workstation.store.records import InstanceRecord, fold
from workstation.store.schema import MIGRATIONS

log = logging.getLogger(__name__)


class StoreIndex:
    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.write_lock = threading.RLock()
        self._writer = self._connect()
        # Association threads come and go: readers are pooled, not tied to a thread,
        # so a long-running node does not pile up one connection per association.
        self._readers: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._closed = False
        self._migrate()

    # -- connections -------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        c = sqlite3.connect(self.db_path, timeout=30, isolation_level=None, check_same_thread=False)
        c.row_factory = sqlite3.Row
        c.execute("PRAGMA journal_mode=WAL")
        c.execute("PRAGMA synchronous=NORMAL")
        c.execute("PRAGMA foreign_keys=ON")
        matching.register(c)
        match_values.register(c)
        return c

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads, taken from the pool and given back."""
        try:
            c = self._readers.get_nowait()
        except queue.Empty:
            c = self._connect()
        try:
            yield c
        finally:
            if self._closed:
                c.close()
            else:
                self._readers.put(c)

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._readers.get_nowait().close()
            except queue.Empty:
                break
        with self.write_lock:
            self._writer.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; only one at a time in this process."""
        with self.write_lock, immediate_transaction(self._writer) as c:
            yield c

    def _query(self, sql: str, args: tuple | list = ()) -> list[sqlite3.Row]:
        with self.reader() as c:
            return c.execute(sql, args).fetchall()

    def _migrate(self) -> None:
        with self.write_lock:
            migrate(
                self._writer,
                MIGRATIONS,
                lambda found, known: IndexSchemaError(found=found, known=known),
                "index",
            )

    def schema_version(self) -> int:
        return self._query("SELECT version FROM schema_version")[0][0]

    # -- writes --------------------------------------------------------------------
    def lookup(self, sop_uid: str, c: sqlite3.Connection | None = None) -> str | None:
        """The stored file's relative path for a SOP Instance UID, or None.

        Inside a write transaction pass its connection ``c`` to see its own state.
        """
        sql = "SELECT rel_path FROM instance WHERE sop_uid = ?"
        rows = (
            c.execute(sql, (sop_uid,)).fetchall() if c is not None else self._query(sql, (sop_uid,))
        )
        return rows[0][0] if rows else None

    def add(
        self,
        c: sqlite3.Connection,
        rec: InstanceRecord,
        rel_path: str,
        file_size: int,
        source: str = "",
    ) -> None:
        """Insert or replace the instance row (inside a transaction from :meth:`transaction`).

        The patient, study and series rows are written only when the series is new:
        the rest of a series costs one lookup and one insert.
        """
        now = time.time()
        row = c.execute("SELECT id FROM series WHERE series_uid=?", (rec.series_uid,)).fetchone()
        series_pk = row[0] if row else self._add_series(c, rec, now)
        c.execute("DELETE FROM instance WHERE sop_uid = ? OR rel_path = ?", (rec.sop_uid, rel_path))
        c.execute(
            "INSERT INTO instance (sop_uid, series_fk, sop_class_uid, instance_number,"
            " transfer_syntax, rel_path, file_size, rows, columns, frames, content_date,"
            " content_time, source, attrs, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                rec.sop_uid,
                series_pk,
                rec.sop_class_uid,
                rec.instance_number,
                rec.transfer_syntax,
                rel_path,
                file_size,
                rec.rows,
                rec.columns,
                rec.frames,
                rec.content_date,
                rec.content_time,
                source,
                rec.instance_attrs,
                now,
            ),
        )

    def _add_series(self, c: sqlite3.Connection, rec: InstanceRecord, now: float) -> int:
        up = rec.upper()
        c.execute(
            "INSERT INTO patient (patient_id, issuer, patient_name, patient_name_fold, birth_date,"
            " sex, attrs) VALUES (?,?,?,?,?,?,?)"
            " ON CONFLICT (patient_id, issuer, patient_name, birth_date)"
            " DO UPDATE SET sex = CASE WHEN excluded.sex != '' THEN excluded.sex ELSE sex END",
            (
                up.patient_id,
                up.issuer_of_patient_id,
                up.patient_name,
                fold(up.patient_name),
                up.patient_birth_date,
                up.patient_sex,
                up.patient_attrs,
            ),
        )
        patient_pk = c.execute(
            "SELECT id FROM patient WHERE patient_id=? AND issuer=? AND patient_name=? AND birth_date=?",
            (up.patient_id, up.issuer_of_patient_id, up.patient_name, up.patient_birth_date),
        ).fetchone()[0]
        c.execute(
            "INSERT INTO study (study_uid, patient_fk, study_date, study_time, accession_number,"
            " study_id, description, referring_physician, referring_physician_fold, charset, attrs,"
            " created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (study_uid) DO NOTHING",
            (
                rec.study_uid,
                patient_pk,
                up.study_date,
                up.study_time,
                up.accession_number,
                up.study_id,
                up.study_description,
                up.referring_physician,
                fold(up.referring_physician),
                rec.charset,
                up.study_attrs,
                now,
            ),
        )
        study_pk = c.execute("SELECT id FROM study WHERE study_uid=?", (rec.study_uid,)).fetchone()[
            0
        ]
        cursor = c.execute(
            "INSERT INTO series (series_uid, study_fk, modality, series_number, description,"
            " body_part, series_date, series_time, attrs, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                rec.series_uid,
                study_pk,
                up.modality,
                up.series_number,
                up.series_description,
                up.body_part,
                up.series_date,
                up.series_time,
                up.series_attrs,
                now,
            ),
        )
        return cursor.lastrowid

    def prune(self, c: sqlite3.Connection) -> None:
        """Remove series, studies and patients left without instances."""
        c.execute("DELETE FROM series WHERE id NOT IN (SELECT DISTINCT series_fk FROM instance)")
        c.execute("DELETE FROM study WHERE id NOT IN (SELECT DISTINCT study_fk FROM series)")
        c.execute("DELETE FROM patient WHERE id NOT IN (SELECT DISTINCT patient_fk FROM study)")

    def remove_paths(self, rel_paths: Iterable[str]) -> int:
        paths = list(rel_paths)
        with self.transaction() as c:
            c.executemany("DELETE FROM instance WHERE rel_path = ?", [(p,) for p in paths])
            self.prune(c)
        return len(paths)

    def study_user_state(self) -> dict[str, tuple[int, float | None]]:
        """Per study UID the state only the user creates (protected, last access).

        The files cannot give it back, so a rebuild of the index keeps it through this.
        """
        rows = self._query(
            "SELECT study_uid, protected, last_access FROM study"
            " WHERE protected != 0 OR last_access IS NOT NULL"
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def restore_study_user_state(self, state: dict[str, tuple[int, float | None]]) -> None:
        with self.transaction() as c:
            c.executemany(
                "UPDATE study SET protected = ?, last_access = ? WHERE study_uid = ?",
                [(p, a, uid) for uid, (p, a) in state.items()],
            )

    def clear(self) -> None:
        with self.transaction() as c:
            for table in ("instance", "series", "study", "patient"):
                c.execute(f"DELETE FROM {table}")

    # -- reads ---------------------------------------------------------------------
    def all_paths(self) -> set[str]:
        return {r[0] for r in self._query("SELECT rel_path FROM instance")}

    def paths_of_study(self, study_uid: str) -> list[str]:
        return [
            r[0]
            for r in self._query(
                "SELECT i.rel_path FROM instance i JOIN series s ON i.series_fk = s.id"
                " JOIN study st ON s.study_fk = st.id WHERE st.study_uid = ?",
                (study_uid,),
            )
        ]

    def paths_of_series(self, series_uid: str) -> list[str]:
        return [
            r[0]
            for r in self._query(
                "SELECT i.rel_path FROM instance i JOIN series s ON i.series_fk = s.id"
                " WHERE s.series_uid = ?",
                (series_uid,),
            )
        ]

    def series_uids_of_study(self, study_uid: str) -> list[str]:
        return [
            r[0]
            for r in self._query(
                "SELECT s.series_uid FROM series s JOIN study st ON s.study_fk = st.id"
                " WHERE st.study_uid = ?",
                (study_uid,),
            )
        ]

    def count(self, table: str) -> int:
        if table not in ("patient", "study", "series", "instance"):
            raise ValueError(table)
        return self._query(f"SELECT COUNT(*) FROM {table}")[0][0]

    def instance(self, sop_uid: str) -> dict[str, Any] | None:
        rows = self._query(
            "SELECT i.*, s.series_uid, st.study_uid FROM instance i"
            " JOIN series s ON i.series_fk = s.id JOIN study st ON s.study_fk = st.id"
            " WHERE i.sop_uid = ?",
            (sop_uid,),
        )
        return dict(rows[0]) if rows else None

    def find_studies(
        self,
        patient_name: str | None = None,
        patient_id: str | None = None,
        study_date: str | None = None,
        modality: str | None = None,
        accession_number: str | None = None,
    ) -> list[dict[str, Any]]:
        """Studies for the browser: wildcard PN (case-insensitive), ID, date or range, modality."""
        where, args = [], []
        if patient_name:
            where.append("pn_match(?, p.patient_name)")
            args.append(patient_name)
        if patient_id:
            where.append("key_match('LO', ?, p.patient_id)")
            args.append(patient_id)
        if accession_number:
            where.append("key_match('SH', ?, st.accession_number)")
            args.append(accession_number)
        if study_date:
            lo, sep, hi = study_date.partition("-")
            if sep:
                where.append("st.study_date != ''")
                if lo:
                    where.append("st.study_date >= ?")
                    args.append(lo)
                if hi:
                    where.append("st.study_date <= ?")
                    args.append(hi)
            else:
                where.append("st.study_date = ?")
                args.append(study_date)
        if modality:
            where.append(
                "EXISTS (SELECT 1 FROM series m WHERE m.study_fk = st.id AND m.modality = ?)"
            )
            args.append(modality)
        sql = (
            "SELECT p.patient_name, p.patient_id, p.birth_date, p.sex, st.study_uid,"
            " st.study_date, st.study_time, st.accession_number, st.study_id, st.description,"
            " st.referring_physician,"
            " (SELECT group_concat(DISTINCT m.modality) FROM series m WHERE m.study_fk = st.id)"
            "   AS modalities,"
            " (SELECT COUNT(*) FROM series m WHERE m.study_fk = st.id) AS num_series,"
            " (SELECT COUNT(*) FROM instance i JOIN series m ON i.series_fk = m.id"
            "   WHERE m.study_fk = st.id) AS num_instances"
            " FROM study st JOIN patient p ON st.patient_fk = p.id"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY st.study_date DESC, p.patient_name"
        return [dict(r) for r in self._query(sql, args)]
