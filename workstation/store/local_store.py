"""The local store: DICOM files under ``<root>/<Study>/<Series>/<SOP>.dcm`` plus the index.

An instance is durable (fsynced file, renamed into place, folder fsynced) before its
index row is committed, and the row is committed before :meth:`LocalStore.add` returns:
a caller that reports success afterwards (C-STORE 0000, import summary) never lies.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from workstation.config.settings import DuplicatePolicy
from workstation.errors import InsufficientSpaceError, StoreError
from workstation.imaging.thumbnails import THUMBNAIL_FOLDER, forget_series
from workstation.store import files
from workstation.store.index import StoreIndex
from workstation.store.parse import ParsedInstance, parse_instance
from workstation.store.records import InstanceRecord

log = logging.getLogger(__name__)

INDEX_NAME = "index.sqlite"
QUARANTINE = "quarantine"
SPARES_MAX = 4  # empty files made ahead in the store folder (prepare_spare)


class AddOutcome(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # already stored; the new copy was discarded (keep policy)
    REPLACED = "replaced"  # already stored; the new copy replaced it (replace policy)


@dataclass(frozen=True, slots=True)
class AddResult:
    outcome: AddOutcome
    record: InstanceRecord
    rel_path: str


@dataclass
class ReconcileReport:
    temp_files_removed: list[str] = field(default_factory=list)
    rows_without_file: list[str] = field(default_factory=list)
    files_indexed: list[str] = field(default_factory=list)
    files_quarantined: list[tuple[str, str]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (
            self.temp_files_removed
            or self.rows_without_file
            or self.files_indexed
            or self.files_quarantined
        )


class LocalStore:
    """Files plus index. Thread-safe: many SCP threads may add at once."""

    def __init__(
        self,
        root: Path,
        duplicate_policy: DuplicatePolicy = DuplicatePolicy.KEEP,
        min_free_space_mb: int = 0,
        check_on_open: bool = True,
    ) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.duplicate_policy = duplicate_policy
        self.min_free_space_mb = min_free_space_mb
        self.index = StoreIndex(self.root / INDEX_NAME)
        self._dir_lock = threading.Lock()
        self._known_dirs: set[Path] = set()
        self._spares_lock = threading.Lock()
        self._spares: list[Path] = []
        self._closed = False
        self.last_check: ReconcileReport | None = None
        if check_on_open:
            self.last_check = self.reconcile()

    def close(self) -> None:
        with self._spares_lock:
            self._closed = True
            spares, self._spares = self._spares, []
        for spare in spares:
            spare.unlink(missing_ok=True)
        self.index.close()

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- paths -----------------------------------------------------------------
    def path_of(self, rel_path: str) -> Path:
        return self.root / rel_path

    def free_space_mb(self) -> float:
        return shutil.disk_usage(self.root).free / 1_048_576

    def check_free_space(self) -> None:
        if self.min_free_space_mb <= 0:
            return
        free = self.free_space_mb()
        if free < self.min_free_space_mb:
            raise InsufficientSpaceError(free_mb=free, threshold_mb=self.min_free_space_mb)

    def _ensure_dir(self, folder: Path) -> None:
        if folder in self._known_dirs:
            return
        with self._dir_lock:
            files.ensure_dir(folder, self.root)
            self._known_dirs.add(folder)

    # -- adding ----------------------------------------------------------------
    def prepare_spare(self) -> None:
        """Make an empty spare file for a coming add, unless SPARES_MAX wait already.

        Creating a file is the slowest step of a small durable write on some disks (about
        0.3 ms here, more than its fdatasync): a receiver calls this while it waits for
        the next instance. The spare becomes the temp file in the store folder that is
        renamed into the series folder, whose fsync makes the new name durable (the
        rename is one journal commit on ext4/XFS); a crash leaves only temp or spare
        names, which the start-up check removes. Spares left at close() are removed.
        """
        with self._spares_lock:
            if self._closed or len(self._spares) >= SPARES_MAX:
                return
        spare = files.create_spare(self.root)
        with self._spares_lock:
            if not self._closed:
                self._spares.append(spare)
                return
        spare.unlink(missing_ok=True)

    def _write_temp(self, folder: Path, name: str, data: bytes) -> Path:
        """``data`` written and fsynced to a temp file: a spare's if one waits."""
        with self._spares_lock:
            spare = self._spares.pop() if self._spares else None
        if spare is None:
            return files.write_temp(folder, name, data)
        return files.write_spare(spare, name, data)

    @staticmethod
    def _move_into(tmp: Path, target: Path, make_folder: Callable[[], None]) -> None:
        try:
            os.replace(tmp, target)
        except FileNotFoundError:
            if not tmp.exists():
                raise
            make_folder()  # the folder went away under us (a delete of the same series)
            os.replace(tmp, target)

    def add_bytes(self, data: bytes, source: str = "") -> AddResult:
        """Parse, check and store one instance given as bytes (Part 10 or bare dataset)."""
        return self.add_parsed(parse_instance(data), source)

    def add_file(self, path: Path, source: str | None = None) -> AddResult:
        return self.add_bytes(Path(path).read_bytes(), source or f"file:{path}")

    def add_parsed(self, parsed: ParsedInstance, source: str = "") -> AddResult:
        rec = parsed.record
        rel_path = rec.rel_path
        existing = self.index.lookup(rec.sop_uid)
        if existing is not None and self.duplicate_policy is DuplicatePolicy.KEEP:
            log.info("duplicate SOP Instance UID %s kept as stored (%s)", rec.sop_uid, source)
            return AddResult(AddOutcome.DUPLICATE, rec, existing)
        self.check_free_space()
        target = self.root / rel_path
        self._ensure_dir(target.parent)

        def make_folder() -> None:
            self._known_dirs.discard(target.parent)
            self._ensure_dir(target.parent)

        try:
            tmp = self._write_temp(target.parent, target.name, parsed.data)
        except FileNotFoundError:
            # the folder went away under us (a delete of the same series): make it again
            make_folder()
            tmp = files.write_temp(target.parent, target.name, parsed.data)
        moved = False
        try:
            with self.index.transaction() as c:
                existing = self.index.lookup(rec.sop_uid, c)
                if existing is not None and self.duplicate_policy is DuplicatePolicy.KEEP:
                    outcome = AddOutcome.DUPLICATE
                else:
                    outcome = AddOutcome.STORED if existing is None else AddOutcome.REPLACED
                    self._move_into(tmp, target, make_folder)
                    moved = True
                    self.index.add(c, rec, rel_path, len(parsed.data), source)
                    if existing is not None and existing != rel_path:
                        self.index.prune(c)
        finally:
            if not moved:
                tmp.unlink(missing_ok=True)
        if moved:
            # Outside the writer lock, so that concurrent senders sync in parallel; still
            # before the caller reports success. Lost by a power cut in between, the row is
            # dropped by the start-up check, and the sender never got a success for it.
            files.fsync_dir(target.parent)
        if outcome is AddOutcome.DUPLICATE:
            return AddResult(outcome, rec, existing or rel_path)
        if outcome is AddOutcome.REPLACED and existing and existing != rel_path:
            self._unlink_and_prune_dirs(existing)
        log.debug("%s %s", outcome.value, rel_path)
        return AddResult(outcome, rec, rel_path)

    # -- deleting --------------------------------------------------------------
    def delete_study(self, study_uid: str) -> int:
        """Delete a study's instances and its cached thumbnails; the instances removed."""
        series = self.index.series_uids_of_study(study_uid)
        removed = self._delete(self.index.paths_of_study(study_uid))
        for series_uid in series:
            forget_series(self.root / THUMBNAIL_FOLDER, series_uid)
        return removed

    def delete_series(self, series_uid: str) -> int:
        """Delete a series' instances and its cached thumbnails; the instances removed."""
        removed = self._delete(self.index.paths_of_series(series_uid))
        forget_series(self.root / THUMBNAIL_FOLDER, series_uid)
        return removed

    def _delete(self, rel_paths: list[str]) -> int:
        """Index rows go first: a crash half way leaves files the start-up check re-indexes."""
        self.index.remove_paths(rel_paths)
        for rel in rel_paths:
            self._unlink_and_prune_dirs(rel)
        return len(rel_paths)

    def _unlink_and_prune_dirs(self, rel_path: str) -> None:
        path = self.root / rel_path
        path.unlink(missing_ok=True)
        with self._dir_lock:
            for folder in (path.parent, path.parent.parent):
                try:
                    folder.rmdir()  # only when empty
                    self._known_dirs.discard(folder)
                except OSError:
                    break

    # -- consistency -----------------------------------------------------------
    def _walk(self) -> tuple[set[str], list[Path]]:
        """All stored .dcm files (relative paths) and leftover temp files."""
        found: set[str] = set()
        temps: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            if dirpath == str(self.root):
                dirnames[:] = [d for d in dirnames if d != QUARANTINE]
            for name in filenames:
                full = Path(dirpath) / name
                if files.is_temp_name(name):
                    temps.append(full)
                elif name.endswith(".dcm"):
                    found.add(full.relative_to(self.root).as_posix())
        return found, temps

    def _quarantine(self, rel: str, reason: str, report: ReconcileReport) -> None:
        src = self.root / rel
        dst = self.root / QUARANTINE / rel.replace("/", "_")
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        report.files_quarantined.append((rel, reason))
        log.warning("unreadable stored file %s moved to quarantine: %s", rel, reason)

    def reconcile(self) -> ReconcileReport:
        """Start-up check: drop temp files, rows without files, index files without rows.

        A stored file that cannot be read is moved to ``quarantine/``, never deleted.
        """
        report = ReconcileReport()
        on_disk, temps = self._walk()
        with self._spares_lock:
            waiting = set(self._spares)  # this store's own spares: live, not leftovers
        for tmp in (t for t in temps if t not in waiting):
            tmp.unlink(missing_ok=True)
            report.temp_files_removed.append(tmp.relative_to(self.root).as_posix())
        indexed = self.index.all_paths()
        missing = sorted(indexed - on_disk)
        if missing:
            self.index.remove_paths(missing)
            report.rows_without_file.extend(missing)
        for rel in sorted(on_disk - indexed):
            self._index_file(rel, report)
        if not report.clean:
            log.warning(
                "store check: %d temp files removed, %d rows without file dropped, "
                "%d files re-indexed, %d quarantined",
                len(report.temp_files_removed),
                len(report.rows_without_file),
                len(report.files_indexed),
                len(report.files_quarantined),
            )
        return report

    def _index_file(self, rel: str, report: ReconcileReport) -> None:
        path = self.root / rel
        try:
            data = path.read_bytes()
            parsed = parse_instance(data)
        except StoreError as exc:
            self._quarantine(rel, exc.message(), report)
            return
        rec = parsed.record
        with self.index.transaction() as c:
            other = self.index.lookup(rec.sop_uid, c)
            if other is not None and other != rel:
                # two files for one SOP Instance UID: the indexed one stays authoritative
                self._quarantine(rel, f"same SOP Instance UID as {other}", report)
                return
            self.index.add(c, rec, rel, len(data), "rebuild")
        report.files_indexed.append(rel)

    def rebuild_index(self) -> ReconcileReport:
        """Forget the index and rebuild it from the files (keeping the user's study flags)."""
        user_state = self.index.study_user_state()
        self.index.clear()
        report = self.reconcile()
        self.index.restore_study_user_state(user_state)
        return report
