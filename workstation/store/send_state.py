"""What was sent where: one row per send job ("batch") and instance, in the index database.

The send job records every instance's outcome as soon as the peer answered, so a retry
of the same job (after an abort, or after a restart) skips what its batch already
stored, and the browser can show per study and node whether it was sent. Storage
commitment keeps its own tables (``commitment_state``); this one says only "sent".
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from workstation.store.browse import instance_counts
from workstation.store.index import StoreIndex

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class SendOutcome(StrEnum):
    """One instance's outcome at the destination."""

    STORED = "stored"  # 0000
    WARNING = "warning"  # B000, B006, B007: stored, with a warning
    DUPLICATE = "duplicate"  # 0111: the peer already has it
    FAILED = "failed"  # a failure status (A7xx, A9xx, Cxxx, ...) or no response
    REFUSED = "refused"  # the peer accepted no presentation context we could use for it

    @property
    def on_peer(self) -> bool:
        """The peer holds the instance after this outcome."""
        return self in (SendOutcome.STORED, SendOutcome.WARNING, SendOutcome.DUPLICATE)


class StudySendState(StrEnum):
    """What the browser shows for one study and one node (no row at all: not sent)."""

    SENT = "sent"  # every instance of the study in the local store is on the peer
    PARTLY = "partly sent"  # some are
    FAILED = "send failed"  # the last try of each instance sent there failed


@dataclass(frozen=True, slots=True)
class SendRecord:
    """One instance's outcome in one send job."""

    sop_uid: str
    sop_class_uid: str
    study_uid: str
    series_uid: str
    outcome: SendOutcome
    status: int | None = None
    transfer_syntax: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class StudySend:
    """One study at one node: the summed state, the counts, and when it was last sent."""

    study_uid: str
    node_name: str
    state: StudySendState
    on_peer: int
    failed: int
    instances: int  # instances of the study in the local store (0 once deleted)
    last_sent_at: float


class SendState:
    """The send table of ``index``; thread-safe through the index's writer lock."""

    def __init__(self, index: StoreIndex, clock: Clock = time.time) -> None:
        self.index = index
        self.clock = clock

    def record(
        self, batch: str, node_name: str, node_ae: str, records: Sequence[SendRecord]
    ) -> None:
        """Write (or overwrite, within ``batch``) the outcome of ``records``."""
        if not records:
            return
        now = self.clock()
        with self.index.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO send_record (batch, node_name, node_ae, study_uid,"
                " series_uid, sop_uid, sop_class_uid, outcome, status, transfer_syntax, detail,"
                " sent_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (batch, node_name, node_ae, r.study_uid, r.series_uid, r.sop_uid,
                     r.sop_class_uid, str(r.outcome), r.status, r.transfer_syntax,
                     r.detail[:500], now)
                    for r in records
                ],
            )  # fmt: skip

    def batch_records(self, batch: str) -> list[SendRecord]:
        """What one send job recorded so far, in the order it was written."""
        rows = self._rows(
            "SELECT sop_uid, sop_class_uid, study_uid, series_uid, outcome, status,"
            " transfer_syntax, detail FROM send_record WHERE batch = ? ORDER BY sent_at, rowid",
            [batch],
        )
        return [
            SendRecord(r[0], r[1], r[2], r[3], SendOutcome(r[4]), r[5], r[6], r[7]) for r in rows
        ]

    def on_peer_in_batch(self, batch: str) -> set[str]:
        """SOP Instance UIDs the batch already got onto the peer (a retry skips them)."""
        return {r.sop_uid for r in self.batch_records(batch) if r.outcome.on_peer}

    def study_states(self, study_uids: Iterable[str] | None = None) -> dict[str, list[StudySend]]:
        """Per study UID, one :class:`StudySend` per node it was sent to (absent: not sent).

        Each instance counts with its latest outcome at that node, whichever job sent it.
        """
        wanted = list(dict.fromkeys(study_uids)) if study_uids is not None else None
        sql = "SELECT study_uid, node_name, sop_uid, outcome, sent_at FROM send_record"
        args: list[object] = []
        if wanted is not None:
            if not wanted:
                return {}
            sql += f" WHERE study_uid IN ({','.join('?' * len(wanted))})"
            args.extend(wanted)
        sql += " ORDER BY sent_at, rowid"
        latest: dict[tuple[str, str], dict[str, str]] = {}
        last_at: dict[tuple[str, str], float] = {}
        for study, node, sop, outcome, sent_at in self._rows(sql, args):
            latest.setdefault((study, node), {})[sop] = outcome
            last_at[(study, node)] = sent_at
        counts = instance_counts(self.index, {study for study, _node in latest})
        out: dict[str, list[StudySend]] = {}
        for (study, node), outcomes in sorted(latest.items()):
            on_peer = sum(1 for o in outcomes.values() if SendOutcome(o).on_peer)
            failed = len(outcomes) - on_peer
            local = counts.get(study, 0)
            if on_peer and not failed and on_peer >= local:
                state = StudySendState.SENT
            elif on_peer:
                state = StudySendState.PARTLY
            else:
                state = StudySendState.FAILED
            out.setdefault(study, []).append(
                StudySend(study, node, state, on_peer, failed, local, last_at[(study, node)])
            )
        return out

    # -- helpers ---------------------------------------------------------------------
    def _rows(self, sql: str, args: Sequence[object]) -> list[sqlite3.Row]:
        with self.index.reader() as c:
            return c.execute(sql, list(args)).fetchall()
