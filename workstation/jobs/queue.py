"""The persistent job queue: one SQLite file, a state machine per job, change listeners.

States: queued -> running -> succeeded | failed | cancelled, and running -> queued again
after a retryable failure (with exponential backoff) or a restart. The database is the
truth: every transition is committed (``synchronous=FULL``) before it is announced, so
a job submitted is never lost, and a job that was running when the process died comes
back through :meth:`JobQueue.recover`.

Thread-safe: one connection guarded by a lock, short transactions (``BEGIN IMMEDIATE``,
so two processes sharing the file cannot both claim a job). Listeners are called after
the commit, outside the lock, on the thread that made the change.
"""

from __future__ import annotations

import builtins
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workstation.jobs.cancel import CancelToken
from workstation.jobs.model import Job, JobQueueSchemaError, JobState
from workstation.jobs.params import JobParams, validate_params
from workstation.jobs.schema import MIGRATIONS
from workstation.sqlite_schema import immediate_transaction, migrate

log = logging.getLogger(__name__)

Listener = Callable[[int], None]
Clock = Callable[[], float]

LOG_LINES = 50  # the job log keeps the last lines only
LOG_LINE_CHARS = 500
MESSAGE_CHARS = 300
INTERRUPTED = "interrupted by a restart"


class JobQueue:
    """Jobs in ``db_path``; see the module docstring for the state machine.

    ``params_models`` (kind -> :class:`JobParams` model) are checked at :meth:`submit`;
    kinds without a model are stored as given.
    """

    def __init__(
        self,
        db_path: Path,
        clock: Clock = time.time,
        backoff_base_s: float = 5.0,
        backoff_max_s: float = 3600.0,
        log_lines: int = LOG_LINES,
        params_models: Mapping[str, type[JobParams]] | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.log_lines = log_lines
        self.params_models = dict(params_models or {})
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.db_path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        # no index to rebuild this from: a committed job survives a power cut too
        self._conn.execute("PRAGMA synchronous=FULL")
        self._listeners: list[Listener] = []
        self._tokens: dict[int, CancelToken] = {}
        self._closed = False
        self._migrate()

    # -- plumbing -----------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __enter__(self) -> JobQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, immediate_transaction(self._conn) as c:
            yield c

    def _migrate(self) -> None:
        with self._lock:
            migrate(
                self._conn,
                MIGRATIONS,
                lambda found, known: JobQueueSchemaError(found=found, known=known),
                "job database",
            )

    def schema_version(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT version FROM schema_version").fetchone()[0]

    # -- listeners ------------------------------------------------------------------
    def add_listener(self, fn: Listener) -> None:
        """``fn(job_id)`` after every committed change, on the changing thread."""
        with self._lock:
            self._listeners.append(fn)

    def remove_listener(self, fn: Listener) -> None:
        with self._lock:
            if fn in self._listeners:
                self._listeners.remove(fn)

    def _notify(self, job_ids: Iterable[int]) -> None:
        with self._lock:
            listeners = builtins.list(self._listeners)
        for job_id in job_ids:
            for fn in listeners:
                try:
                    fn(job_id)
                except Exception:
                    log.exception("job listener %r failed for job %d", fn, job_id)

    # -- reading --------------------------------------------------------------------
    @staticmethod
    def _job(row: sqlite3.Row) -> Job:
        return Job(
            id=row["id"],
            kind=row["kind"],
            params=json.loads(row["params"]),
            state=JobState(row["state"]),
            done=row["done"],
            total=row["total"],
            message=row["message"],
            attempts=row["attempts"],
            max_attempts=row["max_attempts"],
            next_attempt_at=row["next_attempt_at"],
            last_error=row["last_error"],
            log=json.loads(row["log"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            result=row["result"],
            cancel_requested=bool(row["cancel_requested"]),
        )

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM job WHERE id = ?", (job_id,)).fetchone()
        return self._job(row) if row else None

    def list(self, states: Iterable[JobState] | None = None) -> builtins.list[Job]:
        """All jobs (or those in ``states``) in submission order, oldest first."""
        sql, args = "SELECT * FROM job", []
        if states is not None:
            wanted = [JobState(s).value for s in states]
            if not wanted:
                return []
            sql += f" WHERE state IN ({','.join('?' * len(wanted))})"
            args = wanted
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        return [self._job(r) for r in rows]

    def next_due_at(self) -> float | None:
        """When the earliest queued job becomes due, or None if nothing is queued."""
        with self._lock:
            row = self._conn.execute(
                "SELECT MIN(next_attempt_at) FROM job WHERE state = 'queued'"
            ).fetchone()
        return row[0]

    def cancel_requested(self, job_id: int) -> bool:
        with self._lock:
            row = self._conn.execute(
                "SELECT cancel_requested FROM job WHERE id = ?", (job_id,)
            ).fetchone()
        return bool(row and row[0])

    # -- the user's actions ---------------------------------------------------------
    def submit(
        self, kind: str, params: Mapping[str, Any] | JobParams, max_attempts: int = 3
    ) -> int:
        """Queue a job, due now. ``params`` must be JSON-serialisable (or a JobParams);
        JobParamsError, and nothing queued, when they do not fit the kind's model."""
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        model = self.params_models.get(kind)
        if model is not None:
            params = validate_params(kind, model, params)
        data = params.to_json() if isinstance(params, JobParams) else dict(params)
        now = self.clock()
        text = json.dumps(data, sort_keys=True)
        with self._tx() as c:
            cur = c.execute(
                "INSERT INTO job (kind, params, state, max_attempts, next_attempt_at,"
                " created_at, updated_at) VALUES (?, ?, 'queued', ?, ?, ?, ?)",
                (kind, text, max_attempts, now, now, now),
            )
            job_id = int(cur.lastrowid)
        log.info("job %d (%s) queued", job_id, kind)
        self._notify([job_id])
        return job_id

    def cancel(self, job_id: int) -> bool:
        """Queued -> cancelled at once; running -> the runner's token is set. False otherwise."""
        now = self.clock()
        token = None
        with self._tx() as c:
            row = c.execute(
                "SELECT state, cancel_requested FROM job WHERE id = ?", (job_id,)
            ).fetchone()
            if row is None:
                return False
            state = JobState(row["state"])
            if state is JobState.QUEUED:
                c.execute(
                    "UPDATE job SET state = 'cancelled', updated_at = ? WHERE id = ?",
                    (now, job_id),
                )
                self._log_in(c, job_id, "cancelled while queued", now)
            elif state is JobState.RUNNING:
                c.execute(
                    "UPDATE job SET cancel_requested = 1, updated_at = ? WHERE id = ?",
                    (now, job_id),
                )
                if not row["cancel_requested"]:
                    self._log_in(c, job_id, "cancel requested", now)
                token = self._tokens.get(job_id)
            else:
                return False
        if token is not None:
            token.set()  # outside the lock: its callbacks may abort an association
        self._notify([job_id])
        return True

    def retry(self, job_id: int) -> bool:
        """Failed or cancelled -> queued, due now, attempts counted from zero again."""
        now = self.clock()
        with self._tx() as c:
            cur = c.execute(
                "UPDATE job SET state = 'queued', attempts = 0, next_attempt_at = ?,"
                " cancel_requested = 0, done = 0, total = 0, message = '', result = NULL,"
                " updated_at = ? WHERE id = ? AND state IN ('failed', 'cancelled')",
                (now, now, job_id),
            )
            if cur.rowcount == 0:
                return False
            self._log_in(c, job_id, "queued again by the user", now)
        self._notify([job_id])
        return True

    def remove(self, job_id: int) -> bool:
        """Delete a job that is not running. False if it is running or unknown."""
        with self._tx() as c:
            cur = c.execute("DELETE FROM job WHERE id = ? AND state != 'running'", (job_id,))
            if cur.rowcount == 0:
                return False
        self._notify([job_id])
        return True

    # -- the runner's side ------------------------------------------------------------
    def claim_next(
        self, now: float | None = None, kinds: Iterable[str] | None = None
    ) -> Job | None:
        """Atomically take the earliest due queued job: -> running, attempts + 1."""
        now = self.clock() if now is None else now
        sql = "SELECT id FROM job WHERE state = 'queued' AND next_attempt_at <= ?"
        args: builtins.list[Any] = [now]
        if kinds is not None:
            wanted = builtins.list(kinds)
            sql += f" AND kind IN ({','.join('?' * len(wanted))})"
            args.extend(wanted)
        with self._tx() as c:
            row = c.execute(sql + " ORDER BY next_attempt_at, id LIMIT 1", args).fetchone()
            if row is None:
                return None
            job_id = row[0]
            c.execute(
                "UPDATE job SET state = 'running', attempts = attempts + 1, cancel_requested = 0,"
                " message = '', updated_at = ? WHERE id = ?",
                (now, job_id),
            )
            job = self._job(c.execute("SELECT * FROM job WHERE id = ?", (job_id,)).fetchone())
        self._notify([job_id])
        return job

    def token_for(self, job_id: int) -> CancelToken:
        """The cancel token :meth:`cancel` sets for this running job (made on first ask)."""
        with self._lock:
            token = self._tokens.get(job_id)
            if token is None:
                token = self._tokens[job_id] = CancelToken()
            already = self.cancel_requested(job_id)
        if already:
            token.set()
        return token

    def release_token(self, job_id: int) -> None:
        with self._lock:
            self._tokens.pop(job_id, None)

    def update_progress(self, job_id: int, done: int, total: int, message: str = "") -> None:
        now = self.clock()
        with self._tx() as c:
            c.execute(
                "UPDATE job SET done = ?, total = ?, message = ?, updated_at = ? WHERE id = ?",
                (int(done), int(total), _clip(message, MESSAGE_CHARS), now, job_id),
            )
        self._notify([job_id])

    def append_log(self, job_id: int, line: str) -> None:
        now = self.clock()
        with self._tx() as c:
            self._log_in(c, job_id, line, now)
        self._notify([job_id])

    def _log_in(self, c: sqlite3.Connection, job_id: int, line: str, now: float) -> None:
        row = c.execute("SELECT log FROM job WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            return
        lines = json.loads(row[0])
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
        for part in str(line).splitlines() or [""]:
            lines.append(f"{stamp} {_clip(part, LOG_LINE_CHARS)}")
        lines = lines[-self.log_lines :]
        c.execute(
            "UPDATE job SET log = ?, updated_at = ? WHERE id = ?",
            (json.dumps(lines), now, job_id),
        )

    def finish(self, job_id: int, result: str | None = None) -> None:
        """Running -> succeeded with a result message; the last error is cleared."""
        now = self.clock()
        with self._tx() as c:
            c.execute(
                "UPDATE job SET state = 'succeeded', result = ?, last_error = NULL,"
                " cancel_requested = 0, done = CASE WHEN total > 0 THEN total ELSE done END,"
                " updated_at = ? WHERE id = ?",
                (result, now, job_id),
            )
            self._log_in(c, job_id, f"succeeded: {result}" if result else "succeeded", now)
        log.info("job %d succeeded", job_id)
        self._notify([job_id])

    def backoff_s(self, attempts: int, base_s: float | None = None) -> float:
        """The wait before the next attempt after ``attempts`` failed ones: base * 2**(n-1)
        (``base_s`` instead of the queue's base when given)."""
        base = self.backoff_base_s if base_s is None else base_s
        return min(self.backoff_max_s, base * 2 ** max(0, attempts - 1))

    def fail(
        self,
        job_id: int,
        error: str,
        permanent: bool = False,
        now: float | None = None,
        backoff_base_s: float | None = None,
    ) -> Job | None:
        """A failed attempt: queued again after a backoff, or failed for good.

        Failed for good when ``permanent`` or when the attempts are used up.
        ``backoff_base_s`` replaces the queue's backoff base for this job's wait.
        """
        now = self.clock() if now is None else now
        with self._tx() as c:
            row = c.execute(
                "SELECT attempts, max_attempts FROM job WHERE id = ?", (job_id,)
            ).fetchone()
            if row is None:
                return None
            attempts, max_attempts = row
            if permanent or attempts >= max_attempts:
                c.execute(
                    "UPDATE job SET state = 'failed', last_error = ?, cancel_requested = 0,"
                    " updated_at = ? WHERE id = ?",
                    (error, now, job_id),
                )
                why = "" if permanent else f" after {attempts} attempts"
                self._log_in(c, job_id, f"failed{why}: {error}", now)
            else:
                wait = self.backoff_s(attempts, backoff_base_s)
                c.execute(
                    "UPDATE job SET state = 'queued', last_error = ?, next_attempt_at = ?,"
                    " cancel_requested = 0, updated_at = ? WHERE id = ?",
                    (error, now + wait, now, job_id),
                )
                self._log_in(
                    c,
                    job_id,
                    f"attempt {attempts} of {max_attempts} failed: {error}; next in {wait:g} s",
                    now,
                )
            job = self._job(c.execute("SELECT * FROM job WHERE id = ?", (job_id,)).fetchone())
        log.info("job %d attempt %d failed (%s): %s", job_id, attempts, job.state, error)
        self._notify([job_id])
        return job

    def mark_cancelled(self, job_id: int) -> None:
        now = self.clock()
        with self._tx() as c:
            c.execute(
                "UPDATE job SET state = 'cancelled', cancel_requested = 0, updated_at = ?"
                " WHERE id = ?",
                (now, job_id),
            )
            self._log_in(c, job_id, "cancelled", now)
        log.info("job %d cancelled", job_id)
        self._notify([job_id])

    def requeue_interrupted(self, job_id: int, reason: str) -> None:
        """Running -> queued, due now, this attempt not counted (the program is stopping)."""
        now = self.clock()
        with self._tx() as c:
            c.execute(
                "UPDATE job SET state = 'queued', attempts = MAX(0, attempts - 1),"
                " next_attempt_at = ?, cancel_requested = 0, updated_at = ?"
                " WHERE id = ? AND state = 'running'",
                (now, now, job_id),
            )
            self._log_in(c, job_id, f"{reason}; queued to run again", now)
        self._notify([job_id])

    def recover(self) -> builtins.list[Job]:
        """At start-up: jobs left running by a crash or kill come back, never lost.

        Queued again (due now) while attempts remain, else failed with the last error
        "interrupted by a restart"; one whose cancel was requested is cancelled.
        """
        now = self.clock()
        with self._tx() as c:
            rows = c.execute(
                "SELECT id, attempts, max_attempts, cancel_requested FROM job"
                " WHERE state = 'running' ORDER BY id"
            ).fetchall()
            for job_id, attempts, max_attempts, cancel_requested in rows:
                if cancel_requested:
                    c.execute(
                        "UPDATE job SET state = 'cancelled', cancel_requested = 0, updated_at = ?"
                        " WHERE id = ?",
                        (now, job_id),
                    )
                    self._log_in(c, job_id, f"{INTERRUPTED}; cancelled as requested", now)
                elif attempts < max_attempts:
                    c.execute(
                        "UPDATE job SET state = 'queued', last_error = ?, next_attempt_at = ?,"
                        " updated_at = ? WHERE id = ?",
                        (INTERRUPTED, now, now, job_id),
                    )
                    self._log_in(c, job_id, f"{INTERRUPTED}; queued again", now)
                else:
                    c.execute(
                        "UPDATE job SET state = 'failed', last_error = ?, updated_at = ?"
                        " WHERE id = ?",
                        (INTERRUPTED, now, job_id),
                    )
                    self._log_in(c, job_id, f"failed: {INTERRUPTED}", now)
            ids = [r[0] for r in rows]
            jobs = [
                self._job(c.execute("SELECT * FROM job WHERE id = ?", (i,)).fetchone()) for i in ids
            ]
        if ids:
            log.warning("%d job(s) were running at the last stop and were recovered", len(ids))
        self._notify(ids)
        return jobs


def _clip(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
