"""Storage management: per-study disk usage, user protection, cleanup candidates, auto policy.

The automatic policy deletes the oldest unprotected studies when free space falls below
a low-water mark, until a high-water mark is reached. It never deletes a study the user
protected, nor one for which ``is_protected_fn`` says so (the hook through which send /
commitment state will protect unsent studies), nor a study still being received. Every
deletion it makes is logged at WARNING with the study UID, date, size and the reason.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from workstation.errors import SettingsError, StoreError, UnknownStudyError
from workstation.store.index import StoreIndex

if TYPE_CHECKING:
    from workstation.config.settings import Settings
    from workstation.store.local_store import LocalStore

log = logging.getLogger(__name__)

MB = 1_048_576
DEFAULT_RECENT_MINUTES = 30.0

IsProtectedFn = Callable[[str], bool]
"""Given a study UID, True when something other than the user's flag protects it."""


class CleanupOrder(StrEnum):
    STUDY_DATE = "study_date"  # oldest study date first (then earliest received)
    SIZE = "size"  # largest first
    LAST_ACCESS = "last_access"  # least recently used first (opened or received)


@dataclass(frozen=True, slots=True)
class StudyUsage:
    """One study's footprint in the store and its cleanup-relevant state."""

    study_uid: str
    patient_name: str  # for display only: never logged at INFO or above
    patient_id: str
    study_date: str  # DICOM DA (YYYYMMDD), '' when the study has none
    description: str
    modalities: str
    size_bytes: int
    instances: int
    last_access: float | None  # epoch seconds a viewer last opened it; None = never
    protected: bool  # the user's flag
    received_at: float | None  # epoch seconds the newest instance arrived
    created_at: float  # epoch seconds the first instance arrived

    @property
    def size_mb(self) -> float:
        return self.size_bytes / MB

    @property
    def age_date(self) -> date:
        """The study date; the day it arrived when the study date is missing or invalid."""
        parsed = parse_da(self.study_date)
        return parsed if parsed is not None else datetime.fromtimestamp(self.created_at).date()

    @property
    def last_used(self) -> float:
        """When the study was last opened or last received an instance, whichever is later."""
        return max(self.last_access or 0.0, self.received_at or self.created_at)


def parse_da(value: str) -> date | None:
    try:
        return datetime.strptime(value.strip(), "%Y%m%d").date()
    except ValueError:
        return None


_USAGE_SQL = (
    "SELECT st.study_uid, p.patient_name, p.patient_id, st.study_date, st.description,"
    " st.protected, st.last_access, st.created_at,"
    " (SELECT group_concat(DISTINCT m.modality) FROM series m WHERE m.study_fk = st.id)"
    "   AS modalities,"
    " COALESCE(SUM(i.file_size), 0) AS size_bytes, COUNT(i.id) AS instances,"
    " MAX(i.received_at) AS received_at"
    " FROM study st JOIN patient p ON st.patient_fk = p.id"
    " LEFT JOIN series s ON s.study_fk = st.id"
    " LEFT JOIN instance i ON i.series_fk = s.id"
)


def study_usage(index: StoreIndex, study_uids: Iterable[str] | None = None) -> list[StudyUsage]:
    """Usage of every study in the index (or of the given ones), in no particular order."""
    sql, args = _USAGE_SQL, []
    if study_uids is not None:
        args = list(study_uids)
        if not args:
            return []
        sql += f" WHERE st.study_uid IN ({','.join('?' * len(args))})"
    sql += " GROUP BY st.id"
    with index.reader() as c:
        rows = c.execute(sql, args).fetchall()
    return [
        StudyUsage(
            study_uid=r["study_uid"],
            patient_name=r["patient_name"],
            patient_id=r["patient_id"],
            study_date=r["study_date"],
            description=r["description"],
            modalities=r["modalities"] or "",
            size_bytes=int(r["size_bytes"]),
            instances=int(r["instances"]),
            last_access=r["last_access"],
            protected=bool(r["protected"]),
            received_at=r["received_at"],
            created_at=r["created_at"],
        )
        for r in rows
    ]


def set_protected(index: StoreIndex, study_uid: str, protected: bool) -> None:
    """Set the user's protection flag; raises UnknownStudyError for a study not stored."""
    with index.transaction() as c:
        cur = c.execute(
            "UPDATE study SET protected = ? WHERE study_uid = ?", (int(protected), study_uid)
        )
    if cur.rowcount == 0:
        raise UnknownStudyError(study_uid=study_uid)
    log.info("study %s %s by the user", study_uid, "protected" if protected else "unprotected")


def touch(index: StoreIndex, study_uid: str, when: float | None = None) -> bool:
    """Record that the study was opened (viewer). False when the study is not stored."""
    with index.transaction() as c:
        cur = c.execute(
            "UPDATE study SET last_access = ? WHERE study_uid = ?",
            (time.time() if when is None else when, study_uid),
        )
    return cur.rowcount > 0


def _guarded(is_protected_fn: IsProtectedFn | None, study_uid: str) -> bool:
    """The external protection hook; an error in it counts as protected (fail safe)."""
    if is_protected_fn is None:
        return False
    try:
        return bool(is_protected_fn(study_uid))
    except Exception:
        log.exception("protection check failed for study %s: treated as protected", study_uid)
        return True


def is_protected(usage: StudyUsage, is_protected_fn: IsProtectedFn | None = None) -> bool:
    """The user's flag combined with the external hook."""
    return usage.protected or _guarded(is_protected_fn, usage.study_uid)


def sort_key(order: CleanupOrder) -> Callable[[StudyUsage], tuple]:
    """The key that puts the study to delete first at the front for ``order``."""
    order = CleanupOrder(order)
    if order is CleanupOrder.SIZE:
        return lambda u: (-u.size_bytes, u.age_date, u.received_at or u.created_at)
    if order is CleanupOrder.LAST_ACCESS:
        return lambda u: (u.last_used, u.age_date)
    return lambda u: (u.age_date, u.received_at or u.created_at, u.study_uid)


def candidates(
    index: StoreIndex,
    order: CleanupOrder | str = CleanupOrder.STUDY_DATE,
    older_than: date | None = None,
    larger_than_mb: float | None = None,
    include_protected: bool = False,
    is_protected_fn: IsProtectedFn | None = None,
) -> list[StudyUsage]:
    """Studies in deletion order: first the one to delete first.

    ``older_than`` keeps studies dated before that day (see :attr:`StudyUsage.age_date`);
    ``larger_than_mb`` those bigger than that. Protected studies are left out unless
    ``include_protected``.
    """
    found = []
    for u in study_usage(index):
        if older_than is not None and not u.age_date < older_than:
            continue
        if larger_than_mb is not None and not u.size_mb > larger_than_mb:
            continue
        if not include_protected and is_protected(u, is_protected_fn):
            continue
        found.append(u)
    found.sort(key=sort_key(CleanupOrder(order)))
    return found


@dataclass(frozen=True, slots=True)
class DiskUsage:
    total_mb: float
    free_mb: float
    store_mb: float  # the sum of the stored files' sizes


def disk_usage(store: LocalStore) -> DiskUsage:
    disk = shutil.disk_usage(store.root)
    with store.index.reader() as c:
        size = c.execute("SELECT COALESCE(SUM(file_size), 0) FROM instance").fetchone()[0]
    return DiskUsage(total_mb=disk.total / MB, free_mb=disk.free / MB, store_mb=size / MB)


# -- the automatic policy -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CleanupPolicy:
    """Below ``low_water_mb`` free, delete oldest unprotected studies up to ``high_water_mb``.

    ``recent_minutes``: a study with an instance received that recently is skipped, so a
    study still arriving is not deleted under its sender.
    """

    low_water_mb: int
    high_water_mb: int
    enabled: bool = False
    recent_minutes: float = DEFAULT_RECENT_MINUTES

    def __post_init__(self) -> None:
        if self.low_water_mb < 0:
            raise SettingsError(
                field="storage.cleanup_low_water_mb", rule_code="greater_than_equal", limits={"ge": 0},
                rule="must be at least 0", value=self.low_water_mb,
            )  # fmt: skip
        if self.high_water_mb <= self.low_water_mb:
            raise SettingsError(
                field="storage.cleanup_high_water_mb",
                rule_code="below_low_water",
                limits={"low": self.low_water_mb},
                rule=f"must be above the low-water mark ({self.low_water_mb} MB)",
                value=self.high_water_mb,
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> CleanupPolicy:
        return cls(
            low_water_mb=settings.storage.cleanup_low_water_mb,
            high_water_mb=settings.storage.cleanup_high_water_mb,
            enabled=settings.storage.cleanup_enabled,
        )


@dataclass
class CleanupReport:
    """What one run of the policy did; ``still_short_mb`` > 0 when it could not reach the mark."""

    triggered: bool = False
    start_free_mb: float = 0.0
    final_free_mb: float = 0.0
    deleted: list[StudyUsage] = field(default_factory=list)
    skipped_protected: list[str] = field(default_factory=list)
    skipped_recent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    still_short_mb: float = 0.0

    @property
    def freed_bytes(self) -> int:
        return sum(u.size_bytes for u in self.deleted)


_policy_lock = threading.Lock()


def run_policy(
    store: LocalStore,
    policy: CleanupPolicy,
    free_mb_fn: Callable[[], float] | None = None,
    deleter: Callable[[str], object] | None = None,
    is_protected_fn: IsProtectedFn | None = None,
    now_fn: Callable[[], float] = time.time,
) -> CleanupReport:
    """Apply ``policy`` once. Safe to call from a timer: a run already under way is not doubled."""
    free_mb_fn = free_mb_fn or store.free_space_mb
    deleter = deleter or store.delete_study
    report = CleanupReport()
    if not policy.enabled:
        return report
    if not _policy_lock.acquire(blocking=False):
        log.info("automatic cleanup already running: this run skipped")
        return report
    try:
        free = report.start_free_mb = report.final_free_mb = free_mb_fn()
        if free >= policy.low_water_mb:
            return report
        report.triggered = True
        reason = f"free space {free:.0f} MB below the low-water mark of {policy.low_water_mb} MB"
        log.warning(
            "automatic cleanup started: %s; deleting the oldest unprotected studies until"
            " %d MB are free",
            reason,
            policy.high_water_mb,
        )
        for study in candidates(store.index, CleanupOrder.STUDY_DATE, include_protected=True):
            if free >= policy.high_water_mb:
                break
            # Read the study again just before deleting it: it may have been protected,
            # deleted or sent new instances since the list was made.
            fresh = study_usage(store.index, [study.study_uid])
            if not fresh:
                continue
            study = fresh[0]
            if is_protected(study, is_protected_fn):
                report.skipped_protected.append(study.study_uid)
                continue
            newest = study.received_at or study.created_at
            if now_fn() - newest < policy.recent_minutes * 60:
                report.skipped_recent.append(study.study_uid)
                continue
            try:
                deleter(study.study_uid)
            except (OSError, StoreError) as exc:
                report.failed.append((study.study_uid, str(exc)))
                log.error("automatic cleanup could not delete study %s: %s", study.study_uid, exc)
                continue
            log.warning(
                "automatic cleanup deleted study %s (study date %s, %d instances, %.1f MB): %s",
                study.study_uid,
                study.study_date or "unknown",
                study.instances,
                study.size_mb,
                reason,
            )
            report.deleted.append(study)
            free = report.final_free_mb = free_mb_fn()
        if free < policy.high_water_mb:
            report.still_short_mb = policy.high_water_mb - free
            log.warning(
                "automatic cleanup stopped %.0f MB short of the high-water mark of %d MB:"
                " nothing more may be deleted (%d protected, %d still receiving, %d failed)",
                report.still_short_mb,
                policy.high_water_mb,
                len(report.skipped_protected),
                len(report.skipped_recent),
                len(report.failed),
            )
        else:
            log.warning(
                "automatic cleanup finished: %d studies (%.1f MB) deleted, %.0f MB free",
                len(report.deleted),
                report.freed_bytes / MB,
                free,
            )
        return report
    finally:
        _policy_lock.release()


# -- deletion by the user --------------------------------------------------------------


@dataclass
class DeleteReport:
    deleted: list[StudyUsage] = field(default_factory=list)
    skipped_protected: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False

    @property
    def freed_bytes(self) -> int:
        return sum(u.size_bytes for u in self.deleted)


def delete_studies(
    store: LocalStore,
    study_uids: Iterable[str],
    is_protected_fn: IsProtectedFn | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> DeleteReport:
    """Delete studies the user chose, never a protected one; each deletion is logged.

    ``progress(done, total)`` is called after each study; ``cancelled()`` is checked
    before each, so a long deletion can be stopped between studies.
    """
    uids = list(study_uids)
    report = DeleteReport()
    for done, uid in enumerate(uids):
        if cancelled is not None and cancelled():
            report.cancelled = True
            break
        fresh = study_usage(store.index, [uid])
        if not fresh:
            report.missing.append(uid)
        elif is_protected(fresh[0], is_protected_fn):
            report.skipped_protected.append(uid)
        else:
            study = fresh[0]
            try:
                store.delete_study(uid)
            except (OSError, StoreError) as exc:
                report.failed.append((uid, str(exc)))
                log.error("could not delete study %s: %s", uid, exc)
            else:
                report.deleted.append(study)
                log.warning(
                    "study %s (study date %s, %d instances, %.1f MB) deleted by the user",
                    uid,
                    study.study_date or "unknown",
                    study.instances,
                    study.size_mb,
                )
        if progress is not None:
            progress(done + 1, len(uids))
    return report
