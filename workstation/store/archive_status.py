"""Where each study stands with the archive: the browser's flag and the delete guard.

One value per study and node from the send records and the commitment tables: not sent,
sent, partly sent, send failed, commit pending, committed, partly committed, commit
failed. A study is *safe to delete* only when every node it went to has committed all
its local instances (or it was never sent anywhere: then nothing is claimed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from workstation.store.commitment_state import CommitmentState, StudyCommitState
from workstation.store.index import StoreIndex
from workstation.store.send_state import SendState, StudySendState


class ArchiveFlag(StrEnum):
    """The browser's flag for one study at one node (worst first when sorted by rank)."""

    COMMIT_FAILED = "commit failed"
    SEND_FAILED = "send failed"
    PARTLY_COMMITTED = "partly committed"
    PARTLY_SENT = "partly sent"
    COMMIT_PENDING = "commit pending"
    SENT = "sent"
    COMMITTED = "committed"

    @property
    def rank(self) -> int:
        return list(ArchiveFlag).index(self)


_FROM_COMMIT = {
    StudyCommitState.COMMITTED: ArchiveFlag.COMMITTED,
    StudyCommitState.PARTLY: ArchiveFlag.PARTLY_COMMITTED,
    StudyCommitState.FAILED: ArchiveFlag.COMMIT_FAILED,
    StudyCommitState.PENDING: ArchiveFlag.COMMIT_PENDING,
}
_FROM_SEND = {
    StudySendState.SENT: ArchiveFlag.SENT,
    StudySendState.PARTLY: ArchiveFlag.PARTLY_SENT,
    StudySendState.FAILED: ArchiveFlag.SEND_FAILED,
}


@dataclass(frozen=True, slots=True)
class NodeFlag:
    node_name: str
    flag: ArchiveFlag


@dataclass(frozen=True, slots=True)
class StudyArchive:
    """A study's flags, one per node it was sent to (none: not sent)."""

    study_uid: str
    flags: tuple[NodeFlag, ...] = ()

    @property
    def sent(self) -> bool:
        return bool(self.flags)

    @property
    def worst(self) -> NodeFlag | None:
        return min(self.flags, key=lambda f: f.flag.rank) if self.flags else None

    @property
    def uncommitted(self) -> bool:
        """Sent somewhere but not committed everywhere it was sent."""
        return any(f.flag is not ArchiveFlag.COMMITTED for f in self.flags)


class ArchiveStatus:
    """Reads send and commitment state of studies from the index."""

    def __init__(self, index: StoreIndex) -> None:
        self.sends = SendState(index)
        self.commits = CommitmentState(index)

    def studies(self, study_uids: Iterable[str]) -> dict[str, StudyArchive]:
        """Every given study (absent from the tables: not sent)."""
        wanted = list(dict.fromkeys(study_uids))
        if not wanted:
            return {}
        sends = self.sends.study_states(wanted)
        commits = self.commits.study_states(wanted)
        out: dict[str, StudyArchive] = {}
        for uid in wanted:
            by_node: dict[str, ArchiveFlag] = {}
            for s in sends.get(uid, []):
                by_node[s.node_name] = _FROM_SEND[s.state]
            for c in commits.get(uid, []):
                sent = by_node.get(c.node_name)
                if sent in (ArchiveFlag.SEND_FAILED,) and c.committed == 0:
                    continue  # nothing got there: the send failure says more
                by_node[c.node_name] = _FROM_COMMIT[c.state]
            flags = tuple(NodeFlag(n, f) for n, f in sorted(by_node.items()))
            out[uid] = StudyArchive(uid, flags)
        return out

    def uncommitted(self, study_uids: Iterable[str]) -> list[StudyArchive]:
        """The studies among ``study_uids`` that were sent but are not committed."""
        return [a for a in self.studies(study_uids).values() if a.uncommitted]
