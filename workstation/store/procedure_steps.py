"""Procedure steps in the index database: what was registered, what entered the step, and
how far its MPPS got (schema step 6).

One :class:`ProcedureStep` per Performed Procedure Step we opened: its ID (our Performed
Procedure Step ID), the MPPS SOP Instance UID made when it opened, the registration (as
JSON, the worklist item through ``Dataset.to_json_dict``), its state (open, completed,
discontinued) and its MPPS state (not sent, in progress, completed, discontinued,
failed, with the reason). ``step_instance`` lists every instance that entered the step.

After a final state (completed, discontinued) the step is locked: registration,
instances and state refuse every change with :class:`StepLockedError`, but for one: an
emergency registration may still be completed with the patient's data (its MPPS waits
for that, extract-001 5.3). What the MPPS
jobs write (MPPS state, error, job ids) is bookkeeping, not the step, and stays writable.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydicom.dataset import Dataset

from workstation.dicom.registration import Registration
from workstation.dicom.uids import new_uid
from workstation.errors import ProcedureStepError, StepLockedError
from workstation.store.index import StoreIndex

Clock = Callable[[], float]
STEP_ID_CHARS = 16  # Performed Procedure Step ID is SH


class StepState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"

    @property
    def is_final(self) -> bool:
        return self is not StepState.OPEN


class MppsState(StrEnum):
    NOT_SENT = "not_sent"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in (MppsState.COMPLETED, MppsState.DISCONTINUED, MppsState.FAILED)


class StepJob(StrEnum):
    """The two MPPS jobs a step may have."""

    CREATE = "create"
    SET = "set"


@dataclass(frozen=True, slots=True)
class StepInstance:
    """One instance that entered a step."""

    sop_class_uid: str
    sop_instance_uid: str
    series_uid: str
    source_key: str = ""


@dataclass(frozen=True)
class ProcedureStep:
    """One step as stored; a fresh copy per read."""

    step_id: str
    mpps_uid: str
    registration: Registration
    state: StepState
    mpps_state: MppsState
    mpps_error: str
    mpps_created: bool
    discontinue_code: str
    operator: str
    station_aet: str
    station_name: str
    started_at: datetime
    ended_at: datetime | None
    create_job: int | None
    set_job: int | None
    after_exam_done: bool

    @property
    def study_uid(self) -> str:
        return self.registration.study_instance_uid

    @property
    def locked(self) -> bool:
        return self.state.is_final


# -- the registration as JSON ------------------------------------------------------------
def registration_to_json(reg: Registration) -> str:
    """``reg`` as JSON; the worklist item through ``Dataset.to_json_dict``."""
    data: dict[str, Any] = {
        f.name: getattr(reg, f.name) for f in fields(reg) if f.name != "worklist"
    }
    data["worklist"] = reg.worklist.to_json_dict() if reg.worklist is not None else None
    return json.dumps(data, sort_keys=True)


def registration_from_json(text: str) -> Registration:
    """The registration :func:`registration_to_json` wrote."""
    data = json.loads(text)
    item = data.pop("worklist", None)
    known = {f.name for f in fields(Registration)}
    values = {k: v for k, v in data.items() if k in known}
    worklist = Dataset.from_json(item) if item is not None else None
    return Registration(**values, worklist=worklist)


def new_step_id(now: datetime) -> str:
    """A Performed Procedure Step ID (SH, 16 characters): "P", date-time, 3 hex digits."""
    return ("P" + now.strftime("%y%m%d%H%M%S") + new_uid().replace(".", "")[-3:])[
        :STEP_ID_CHARS
    ]


class ProcedureSteps:
    """The procedure-step tables of ``index``; thread-safe through the index's writer lock."""

    def __init__(self, index: StoreIndex, clock: Clock = time.time) -> None:
        self.index = index
        self.clock = clock

    # -- writes of the step -------------------------------------------------------------
    def open(
        self,
        reg: Registration,
        *,
        operator: str = "",
        station_aet: str = "",
        station_name: str = "",
        started_at: datetime | None = None,
        step_id: str | None = None,
    ) -> ProcedureStep:
        """A new open step for ``reg`` with a new MPPS SOP Instance UID."""
        start = started_at or datetime.now().astimezone()
        for _ in range(20):
            sid = step_id or new_step_id(start)
            try:
                with self.index.transaction() as c:
                    c.execute(
                        "INSERT INTO procedure_step (step_id, mpps_uid, study_uid, registration,"
                        " operator, station_aet, station_name, started_at, created_at)"
                        " VALUES (?,?,?,?,?,?,?,?,?)",
                        (sid, new_uid(), reg.study_instance_uid, registration_to_json(reg),
                         operator, station_aet, station_name, start.isoformat(), self.clock()),
                    )  # fmt: skip
            except sqlite3.IntegrityError:
                if step_id is not None:
                    raise ProcedureStepError(step_id=step_id, reason="already exists") from None
                continue
            return self.get(sid)
        raise ProcedureStepError(step_id="?", reason="no free step ID")

    def update_registration(self, step_id: str, reg: Registration) -> ProcedureStep:
        """Replace the registration of an open step. The one change an ended step takes:
        its emergency registration completed (``reg`` no longer an emergency), once."""
        with self.index.transaction() as c:
            row = self._row(c, step_id)
            if StepState(row["state"]).is_final:
                old = registration_from_json(row["registration"])
                if not old.emergency or reg.emergency:
                    raise StepLockedError(step_id=step_id, state=row["state"])
            c.execute(
                "UPDATE procedure_step SET registration = ?, study_uid = ? WHERE step_id = ?",
                (registration_to_json(reg), reg.study_instance_uid, step_id),
            )
        return self.get(step_id)

    def add_instances(self, step_id: str, instances: Iterable[StepInstance]) -> int:
        """Record instances in an open step; those already in it are left; the count added."""
        items = list(instances)
        now = self.clock()
        with self.index.transaction() as c:
            self._open_row(c, step_id)
            before = c.total_changes
            c.executemany(
                "INSERT OR IGNORE INTO step_instance (step_id, sop_class_uid, sop_uid, series_uid,"
                " source_key, added_at) VALUES (?,?,?,?,?,?)",
                [(step_id, i.sop_class_uid, i.sop_instance_uid, i.series_uid, i.source_key, now)
                 for i in items],
            )  # fmt: skip
            return c.total_changes - before

    def finish(
        self,
        step_id: str,
        state: StepState,
        *,
        discontinue_code: str = "",
        ended_at: datetime | None = None,
    ) -> ProcedureStep:
        """Open -> completed or discontinued (with the CID 9300 code); locked from then on."""
        if not StepState(state).is_final:
            raise ProcedureStepError(step_id=step_id, reason="a step can only end once")
        end = ended_at or datetime.now().astimezone()
        with self.index.transaction() as c:
            self._open_row(c, step_id)
            c.execute(
                "UPDATE procedure_step SET state = ?, discontinue_code = ?, ended_at = ?"
                " WHERE step_id = ?",
                (str(state), discontinue_code if state is StepState.DISCONTINUED else "",
                 end.isoformat(), step_id),
            )  # fmt: skip
        return self.get(step_id)

    # -- the MPPS bookkeeping (writable after the final state) ------------------------
    def set_mpps(
        self, step_id: str, state: MppsState, error: str = "", *, created: bool | None = None
    ) -> None:
        """The step's MPPS state and its reason (empty: none); ``created`` once the
        N-CREATE succeeded."""
        with self.index.transaction() as c:
            self._row(c, step_id)
            c.execute(
                "UPDATE procedure_step SET mpps_state = ?, mpps_error = ?,"
                " mpps_created = CASE WHEN ? IS NULL THEN mpps_created ELSE ? END"
                " WHERE step_id = ?",
                (str(state), error[:1000], created, int(bool(created)), step_id),
            )

    def note_mpps_error(self, step_id: str, error: str) -> None:
        """The reason of a failed attempt; the MPPS state stays (the job retries)."""
        with self.index.transaction() as c:
            self._row(c, step_id)
            c.execute(
                "UPDATE procedure_step SET mpps_error = ? WHERE step_id = ?",
                (error[:1000], step_id),
            )

    def claim_job(self, step_id: str, which: StepJob) -> bool:
        """Take the right to queue the step's create or set job (once per step).

        The set is claimable only after the N-CREATE succeeded and the step ended; the
        create only while it has none. True: the caller queues it and records its id
        with :meth:`record_job`."""
        column = "create_job" if which is StepJob.CREATE else "set_job"
        extra = "" if which is StepJob.CREATE else (
            " AND mpps_created = 1 AND state IN ('completed', 'discontinued')"
        )  # fmt: skip
        with self.index.transaction() as c:
            self._row(c, step_id)
            cur = c.execute(
                f"UPDATE procedure_step SET {column} = 0 WHERE step_id = ? AND {column} IS NULL"
                + extra,
                (step_id,),
            )
            return cur.rowcount == 1

    def record_job(self, step_id: str, which: StepJob, job_id: int) -> None:
        column = "create_job" if which is StepJob.CREATE else "set_job"
        with self.index.transaction() as c:
            c.execute(f"UPDATE procedure_step SET {column} = ? WHERE step_id = ?", (job_id, step_id))

    def release_job(self, step_id: str, which: StepJob) -> None:
        """Undo a claim whose job could not be queued."""
        column = "create_job" if which is StepJob.CREATE else "set_job"
        with self.index.transaction() as c:
            c.execute(
                f"UPDATE procedure_step SET {column} = NULL WHERE step_id = ? AND {column} = 0",
                (step_id,),
            )

    def claim_after_exam(self, step_id: str) -> bool:
        """Take the right to run the after-exam rules of an ended step (once)."""
        with self.index.transaction() as c:
            cur = c.execute(
                "UPDATE procedure_step SET after_exam_done = 1 WHERE step_id = ?"
                " AND after_exam_done = 0 AND state IN ('completed', 'discontinued')",
                (step_id,),
            )
            return cur.rowcount == 1

    # -- reads -----------------------------------------------------------------------
    def find(self, step_id: str) -> ProcedureStep | None:
        rows = self._rows("SELECT * FROM procedure_step WHERE step_id = ?", [step_id])
        return _step(rows[0]) if rows else None

    def get(self, step_id: str) -> ProcedureStep:
        """The step; ProcedureStepError when there is none."""
        step = self.find(step_id)
        if step is None:
            raise ProcedureStepError(step_id=step_id, reason="no such procedure step")
        return step

    def by_mpps_uid(self, mpps_uid: str) -> ProcedureStep | None:
        rows = self._rows("SELECT * FROM procedure_step WHERE mpps_uid = ?", [mpps_uid])
        return _step(rows[0]) if rows else None

    def list(self, states: Iterable[StepState] | None = None) -> list[ProcedureStep]:
        """Steps (those in ``states``) oldest first."""
        sql, args = "SELECT * FROM procedure_step", []
        if states is not None:
            wanted = [str(StepState(s)) for s in states]
            if not wanted:
                return []
            sql += f" WHERE state IN ({','.join('?' * len(wanted))})"
            args = wanted
        return [_step(r) for r in self._rows(sql + " ORDER BY created_at, rowid", args)]

    def open_for_study(self, study_uid: str) -> list[ProcedureStep]:
        """The open steps of a Study Instance UID."""
        rows = self._rows(
            "SELECT * FROM procedure_step WHERE study_uid = ? AND state = 'open'"
            " ORDER BY created_at, rowid",
            [study_uid],
        )
        return [_step(r) for r in rows]

    def instances(self, step_id: str) -> list[StepInstance]:
        """The step's instances in the order they entered it."""
        rows = self._rows(
            "SELECT sop_class_uid, sop_uid, series_uid, source_key FROM step_instance"
            " WHERE step_id = ? ORDER BY added_at, rowid",
            [step_id],
        )
        return [StepInstance(r[0], r[1], r[2], r[3]) for r in rows]

    def series_for_source(self, step_id: str, source_key: str) -> tuple[str, int] | None:
        """The series made for ``source_key`` in the step and how many instances it has."""
        rows = self._rows(
            "SELECT series_uid, COUNT(*) FROM step_instance WHERE step_id = ? AND source_key = ?"
            " GROUP BY series_uid ORDER BY MIN(added_at) LIMIT 1",
            [step_id, source_key],
        )
        return (rows[0][0], rows[0][1]) if rows else None

    # -- helpers -----------------------------------------------------------------------
    def _rows(self, sql: str, args: Sequence[object]) -> list[sqlite3.Row]:
        with self.index.reader() as c:
            return c.execute(sql, list(args)).fetchall()

    @staticmethod
    def _row(c: sqlite3.Connection, step_id: str) -> sqlite3.Row:
        row = c.execute("SELECT * FROM procedure_step WHERE step_id = ?", (step_id,)).fetchone()
        if row is None:
            raise ProcedureStepError(step_id=step_id, reason="no such procedure step")
        return row

    def _open_row(self, c: sqlite3.Connection, step_id: str) -> sqlite3.Row:
        row = self._row(c, step_id)
        if StepState(row["state"]).is_final:
            raise StepLockedError(step_id=step_id, state=row["state"])
        return row


def _step(row: sqlite3.Row) -> ProcedureStep:
    return ProcedureStep(
        step_id=row["step_id"],
        mpps_uid=row["mpps_uid"],
        registration=registration_from_json(row["registration"]),
        state=StepState(row["state"]),
        mpps_state=MppsState(row["mpps_state"]),
        mpps_error=row["mpps_error"],
        mpps_created=bool(row["mpps_created"]),
        discontinue_code=row["discontinue_code"],
        operator=row["operator"],
        station_aet=row["station_aet"],
        station_name=row["station_name"],
        started_at=datetime.fromisoformat(row["started_at"]),
        ended_at=datetime.fromisoformat(row["ended_at"]) if row["ended_at"] else None,
        create_job=row["create_job"],
        set_job=row["set_job"],
        after_exam_done=bool(row["after_exam_done"]),
    )
