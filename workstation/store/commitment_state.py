"""Storage commitment transactions we requested, kept in the index database.

A transaction is written *pending* before its N-ACTION leaves (the report may come back
on another association before the N-ACTION response does), with a deadline; a report
turns it committed / partly / failed, and one that never comes turns it failed once the
deadline passed. Being rows in SQLite, pending transactions survive a restart.

The browser reads :meth:`CommitmentState.study_states`: per study and node, the latest
commitment result of each instance sent there, summed up to one :class:`StudyCommit`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from workstation.errors import LateTransactionError, UnknownTransactionError
from workstation.store.browse import instance_counts
from workstation.store.index import StoreIndex

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class TransactionState(StrEnum):
    PENDING = "pending"
    COMMITTED = "committed"  # every referenced instance committed
    PARTLY = "partly"  # some committed, some failed
    FAILED = "failed"  # none committed, the request failed, or no report in time


class ItemResult(StrEnum):
    PENDING = "pending"
    SUCCESS = "success"
    FAILED = "failed"


class StudyCommitState(StrEnum):
    """What the browser shows for one study and one node."""

    PENDING = "pending"
    COMMITTED = "committed"
    PARTLY = "partly committed"
    FAILED = "commit failed"


@dataclass(frozen=True, slots=True)
class CommitItem:
    """One referenced instance; ``study_uid`` is looked up in the index when empty."""

    sop_class_uid: str
    sop_uid: str
    study_uid: str = ""


@dataclass(frozen=True, slots=True)
class CommitTransaction:
    transaction_uid: str
    node_name: str
    node_ae: str
    created_at: float
    deadline: float
    state: TransactionState
    completed_at: float | None
    note: str


@dataclass(frozen=True, slots=True)
class ReportResult:
    """What a recorded report did: the transaction's new state and the counts."""

    transaction_uid: str
    state: TransactionState
    committed: int
    failed: int
    study_uids: frozenset[str]


@dataclass(frozen=True, slots=True)
class StudyCommit:
    """One study's commitment at one node: the summed state and the instance counts."""

    study_uid: str
    node_name: str
    state: StudyCommitState
    committed: int
    failed: int
    pending: int
    instances: int  # instances of the study in the local store (0 once deleted)


@dataclass(frozen=True, slots=True)
class OwedReport:
    """A report we owe as the SCP: the requester's transaction and what it referenced."""

    transaction_uid: str
    calling_ae: str
    references: tuple[tuple[str, str], ...]
    received_at: float


class CommitmentState:
    """The commitment tables of ``index``; thread-safe through the index's writer lock."""

    def __init__(self, index: StoreIndex, clock: Clock = time.time) -> None:
        self.index = index
        self.clock = clock

    # -- writes ----------------------------------------------------------------------
    def create_pending(
        self,
        transaction_uid: str,
        node_name: str,
        node_ae: str,
        items: Sequence[CommitItem],
        timeout_s: float,
    ) -> CommitTransaction:
        """Record a new pending transaction for ``items``, due by now + ``timeout_s``."""
        if not items:
            raise ValueError("a commitment transaction needs at least one instance")
        now = self.clock()
        studies = self._study_uids([i.sop_uid for i in items if not i.study_uid])
        with self.index.transaction() as c:
            c.execute(
                "INSERT INTO commit_transaction (transaction_uid, node_name, node_ae,"
                " created_at, deadline, state) VALUES (?,?,?,?,?,'pending')",
                (transaction_uid, node_name, node_ae, now, now + timeout_s),
            )
            c.executemany(
                "INSERT OR IGNORE INTO commit_item (transaction_uid, sop_class_uid, sop_uid,"
                " study_uid) VALUES (?,?,?,?)",
                [
                    (transaction_uid, i.sop_class_uid, i.sop_uid,
                     i.study_uid or studies.get(i.sop_uid, ""))
                    for i in items
                ],
            )  # fmt: skip
        log.info(
            "commitment %s to %s pending for %d instances", transaction_uid, node_name, len(items)
        )
        return CommitTransaction(
            transaction_uid, node_name, node_ae, now, now + timeout_s,
            TransactionState.PENDING, None, "",
        )  # fmt: skip

    def record_report(
        self,
        transaction_uid: str,
        successes: Iterable[tuple[str, str]],
        failures: Iterable[tuple[str, str, int | None]],
    ) -> ReportResult:
        """Apply an N-EVENT-REPORT: (class, instance) successes, (class, instance, reason)
        failures. Raises UnknownTransactionError / LateTransactionError (the caller answers
        0110); a referenced instance the report leaves out counts as failed."""
        now = self.clock()
        ok = {sop for _cls, sop in successes}
        bad = {sop: reason for _cls, sop, reason in failures}
        with self.index.transaction() as c:
            row = c.execute(
                "SELECT state, deadline FROM commit_transaction WHERE transaction_uid = ?",
                (transaction_uid,),
            ).fetchone()
            refused: str | None = None
            if row is None:
                refused = ""
            elif row["state"] != TransactionState.PENDING:
                refused = row["state"]
            elif row["deadline"] < now:
                self._expire(c, [transaction_uid], now)  # committed: the raise comes after
                refused = "timed out"
            if refused is None:
                items, state, committed, failed = self._apply(c, transaction_uid, ok, bad, now)
        if refused == "":
            raise UnknownTransactionError(transaction_uid=transaction_uid)
        if refused is not None:
            raise LateTransactionError(transaction_uid=transaction_uid, state=refused)
        unknown = (ok | set(bad)) - {i["sop_uid"] for i in items}
        if unknown:
            log.warning("commitment %s: report names %d instances not asked about",
                        transaction_uid, len(unknown))  # fmt: skip
        log.info("commitment %s: %s (%d committed, %d failed)",
                 transaction_uid, state, committed, failed)  # fmt: skip
        return ReportResult(
            transaction_uid, state, committed, failed,
            frozenset(i["study_uid"] for i in items if i["study_uid"]),
        )  # fmt: skip

    def _apply(
        self,
        c: sqlite3.Connection,
        transaction_uid: str,
        ok: set[str],
        bad: dict[str, int | None],
        now: float,
    ) -> tuple[list[sqlite3.Row], TransactionState, int, int]:
        """Write a report's results into a pending transaction (inside ``c``'s transaction)."""
        items = c.execute(
            "SELECT sop_uid, study_uid FROM commit_item WHERE transaction_uid = ?",
            (transaction_uid,),
        ).fetchall()
        updates = []
        for item in items:
            sop = item["sop_uid"]
            if sop in ok and sop not in bad:
                updates.append((ItemResult.SUCCESS.value, None, transaction_uid, sop))
            else:
                updates.append((ItemResult.FAILED.value, bad.get(sop), transaction_uid, sop))
        c.executemany(
            "UPDATE commit_item SET result = ?, failure_reason = ?"
            " WHERE transaction_uid = ? AND sop_uid = ?",
            updates,
        )
        committed = sum(1 for u in updates if u[0] == ItemResult.SUCCESS)
        failed = len(updates) - committed
        state = (
            TransactionState.COMMITTED if failed == 0 and committed
            else TransactionState.PARTLY if committed
            else TransactionState.FAILED
        )  # fmt: skip
        omitted = len({i["sop_uid"] for i in items} - ok - set(bad))
        note = f"{omitted} referenced instances missing from the report" if omitted else ""
        c.execute(
            "UPDATE commit_transaction SET state = ?, completed_at = ?, note = ?"
            " WHERE transaction_uid = ?",
            (state.value, now, note, transaction_uid),
        )
        return items, state, committed, failed

    def mark_failed(self, transaction_uid: str, note: str) -> bool:
        """A pending transaction whose request failed: failed with ``note``. False if not pending."""
        now = self.clock()
        with self.index.transaction() as c:
            changed = c.execute(
                "UPDATE commit_transaction SET state = 'failed', completed_at = ?, note = ?"
                " WHERE transaction_uid = ? AND state = 'pending'",
                (now, note[:500], transaction_uid),
            ).rowcount
            if changed:
                c.execute(
                    "UPDATE commit_item SET result = 'failed' WHERE transaction_uid = ?"
                    " AND result = 'pending'",
                    (transaction_uid,),
                )
        return bool(changed)

    def expire_overdue(self) -> list[str]:
        """Pending transactions past their deadline become failed; their UIDs are returned."""
        now = self.clock()
        with self.index.transaction() as c:
            uids = [
                r[0]
                for r in c.execute(
                    "SELECT transaction_uid FROM commit_transaction"
                    " WHERE state = 'pending' AND deadline < ?",
                    (now,),
                )
            ]
            self._expire(c, uids, now)
        for uid in uids:
            log.warning("commitment %s: no report before the deadline, commit failed", uid)
        return uids

    def _expire(self, c: sqlite3.Connection, uids: list[str], now: float) -> None:
        for uid in uids:
            c.execute(
                "UPDATE commit_transaction SET state = 'failed', completed_at = ?,"
                " note = 'no commitment report before the deadline' WHERE transaction_uid = ?",
                (now, uid),
            )
            c.execute(
                "UPDATE commit_item SET result = 'failed' WHERE transaction_uid = ?"
                " AND result = 'pending'",
                (uid,),
            )

    # -- SCP role: reports owed ------------------------------------------------------
    def owe(
        self, transaction_uid: str, calling_ae: str, references: Sequence[tuple[str, str]]
    ) -> None:
        """Record a report owed to ``calling_ae`` (before its N-ACTION is answered)."""
        refs = json.dumps([[str(c), str(s)] for c, s in references])
        with self.index.transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO commit_owed (transaction_uid, calling_ae, refs,"
                " received_at) VALUES (?,?,?,?)",
                (transaction_uid, calling_ae, refs, self.clock()),
            )

    def delivered(self, transaction_uid: str, calling_ae: str) -> None:
        """The owed report was delivered (or given up for good): no longer owed."""
        with self.index.transaction() as c:
            c.execute(
                "DELETE FROM commit_owed WHERE transaction_uid = ? AND calling_ae = ?",
                (transaction_uid, calling_ae),
            )

    def owed(self, transaction_uid: str | None = None) -> list[OwedReport]:
        """The reports still owed (all, or the one of ``transaction_uid``), oldest first."""
        sql = "SELECT * FROM commit_owed"
        args: tuple[object, ...] = ()
        if transaction_uid is not None:
            sql += " WHERE transaction_uid = ?"
            args = (transaction_uid,)
        rows = self._rows(sql + " ORDER BY received_at, rowid", args)
        return [
            OwedReport(
                r["transaction_uid"], r["calling_ae"],
                tuple((str(c), str(s)) for c, s in json.loads(r["refs"])), r["received_at"],
            )  # fmt: skip
            for r in rows
        ]

    # -- reads -----------------------------------------------------------------------
    def transaction(self, transaction_uid: str) -> CommitTransaction | None:
        rows = self._rows(
            "SELECT * FROM commit_transaction WHERE transaction_uid = ?", (transaction_uid,)
        )
        return _transaction(rows[0]) if rows else None

    def transactions(self, state: TransactionState | None = None) -> list[CommitTransaction]:
        if state is None:
            rows = self._rows("SELECT * FROM commit_transaction ORDER BY created_at")
        else:
            rows = self._rows(
                "SELECT * FROM commit_transaction WHERE state = ? ORDER BY created_at",
                (state.value,),
            )
        return [_transaction(r) for r in rows]

    def items(self, transaction_uid: str) -> list[dict[str, object]]:
        """The referenced instances with their result and failure reason."""
        return [
            dict(r)
            for r in self._rows(
                "SELECT sop_class_uid, sop_uid, study_uid, result, failure_reason"
                " FROM commit_item WHERE transaction_uid = ? ORDER BY rowid",
                (transaction_uid,),
            )
        ]

    def study_states(self, study_uids: Iterable[str] | None = None) -> dict[str, list[StudyCommit]]:
        """Per study UID, one :class:`StudyCommit` per node it was committed to.

        Each instance counts with its latest transaction to that node; a pending one whose
        deadline passed reads as failed even before :meth:`expire_overdue` ran.
        """
        now = self.clock()
        wanted = list(dict.fromkeys(study_uids)) if study_uids is not None else None
        sql = (
            "SELECT i.study_uid, t.node_name, i.sop_uid, i.result, t.state, t.deadline"
            " FROM commit_item i JOIN commit_transaction t USING (transaction_uid)"
            " WHERE i.study_uid != ''"
        )
        args: list[object] = []
        if wanted is not None:
            if not wanted:
                return {}
            sql += f" AND i.study_uid IN ({','.join('?' * len(wanted))})"
            args.extend(wanted)
        sql += " ORDER BY t.created_at, t.rowid"
        latest: dict[tuple[str, str], dict[str, str]] = {}
        for r in self._rows(sql, args):
            result = r["result"]
            if result == ItemResult.PENDING and r["deadline"] < now:
                result = ItemResult.FAILED
            latest.setdefault((r["study_uid"], r["node_name"]), {})[r["sop_uid"]] = result
        counts = instance_counts(self.index, {study for study, _node in latest})
        out: dict[str, list[StudyCommit]] = {}
        for (study, node), results in sorted(latest.items()):
            values = list(results.values())
            ok = values.count(ItemResult.SUCCESS)
            bad = values.count(ItemResult.FAILED)
            pending = values.count(ItemResult.PENDING)
            local = counts.get(study, 0)
            if pending:
                state = StudyCommitState.PENDING
            elif ok and not bad and ok >= local:
                state = StudyCommitState.COMMITTED
            elif ok:
                state = StudyCommitState.PARTLY
            else:
                state = StudyCommitState.FAILED
            out.setdefault(study, []).append(
                StudyCommit(study, node, state, ok, bad, pending, local)
            )
        return out

    def stored_classes(self, sop_uids: Sequence[str]) -> dict[str, str]:
        """SOP Class UID per stored SOP Instance UID (the SCP role's check); absent ones left out."""
        found: dict[str, str] = {}
        for start in range(0, len(sop_uids), 500):
            chunk = list(sop_uids[start : start + 500])
            rows = self._rows(
                "SELECT sop_uid, sop_class_uid FROM instance"
                f" WHERE sop_uid IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update({r[0]: r[1] for r in rows})
        return found

    # -- helpers ---------------------------------------------------------------------
    def _rows(self, sql: str, args: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self.index.reader() as c:
            return c.execute(sql, tuple(args)).fetchall()

    def _study_uids(self, sop_uids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(sop_uids), 500):
            chunk = sop_uids[start : start + 500]
            rows = self._rows(
                "SELECT i.sop_uid, st.study_uid FROM instance i"
                " JOIN series s ON i.series_fk = s.id JOIN study st ON s.study_fk = st.id"
                f" WHERE i.sop_uid IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update({r[0]: r[1] for r in rows})
        return found


def _transaction(r: sqlite3.Row) -> CommitTransaction:
    return CommitTransaction(
        r["transaction_uid"], r["node_name"], r["node_ae"], r["created_at"], r["deadline"],
        TransactionState(r["state"]), r["completed_at"], r["note"],
    )  # fmt: skip
