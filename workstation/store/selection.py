"""A user's selection (study, series or instance UIDs) resolved to stored instance files.

The sender needs, per instance, the file, its SOP class and stored transfer syntax (to
plan presentation contexts) and its study and series (to record what was sent where).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from workstation.store.local_store import LocalStore

_CHUNK = 300  # UIDs per SQL statement (three IN lists stay below SQLite's 999 variables)


@dataclass(frozen=True, slots=True)
class StoredInstance:
    """One stored instance as the index knows it (values cross threads)."""

    path: Path
    sop_class_uid: str
    sop_uid: str
    transfer_syntax: str
    study_uid: str
    series_uid: str
    size: int


@dataclass(frozen=True, slots=True)
class Selection:
    """The instances a list of UIDs names (in study, series, instance order), and the
    UIDs that name nothing stored."""

    instances: tuple[StoredInstance, ...]
    unknown: tuple[str, ...]

    @property
    def total_bytes(self) -> int:
        return sum(i.size for i in self.instances)


def select_instances(store: LocalStore, uids: Iterable[str]) -> Selection:
    """Resolve each UID as a study, a series or an instance UID (whichever it is)."""
    wanted = list(dict.fromkeys(u.strip() for u in uids if u and u.strip()))
    found: dict[str, StoredInstance] = {}
    numbers: dict[str, int] = {}
    matched: set[str] = set()
    with store.index.reader() as c:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = c.execute(
                "SELECT i.rel_path, i.sop_class_uid, i.sop_uid, i.transfer_syntax, st.study_uid,"
                " s.series_uid, i.file_size, i.instance_number FROM instance i"
                " JOIN series s ON i.series_fk = s.id JOIN study st ON s.study_fk = st.id"
                f" WHERE st.study_uid IN ({marks}) OR s.series_uid IN ({marks})"
                f" OR i.sop_uid IN ({marks})",
                chunk * 3,
            ).fetchall()
            names = set(chunk)
            for rel, cls, sop, ts, study, series, size, number in rows:
                matched.update(names & {study, series, sop})
                numbers[sop] = number if number is not None else 0
                found[sop] = StoredInstance(store.path_of(rel), cls, sop, ts, study, series, size)
    ordered = sorted(
        found.values(), key=lambda i: (i.study_uid, i.series_uid, numbers[i.sop_uid], i.sop_uid)
    )
    return Selection(tuple(ordered), tuple(u for u in wanted if u not in matched))
