"""Import files, folders (recursively) and DICOMDIRs into the local store.

Paths are taken in sorted order, so when several files carry one SOP Instance UID the
first in that order is the one kept (with the default keep policy). Everything that is
not imported is reported with its reason; nothing stops the run but a cancel or a full
disk.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pydicom

from workstation.dicom.read import read_dicom_bytes
from workstation.errors import InsufficientSpaceError, StoreError
from workstation.store.local_store import AddOutcome, LocalStore

log = logging.getLogger(__name__)

Progress = Callable[[int, int, Path], None]
Cancelled = Callable[[], bool]


@dataclass
class ImportReport:
    imported: list[Path] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)
    duplicates: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    # files whose SOP Instance UID an earlier file of this import had (also in
    # duplicates or replaced): copies within the import, not instances stored before
    repeated: list[Path] = field(default_factory=list)
    cancelled: bool = False
    stopped_reason: str | None = None
    total: int = 0

    def summary(self) -> str:
        lines = [
            f"imported: {len(self.imported)}",
            f"replaced: {len(self.replaced)}{self._origin(self.replaced)}",
            f"duplicates: {len(self.duplicates)}{self._origin(self.duplicates)}",
            f"skipped: {len(self.skipped)}",
        ]
        for path, reason in self.skipped:
            lines.append(f"  {path}: {reason}")
        if self.cancelled:
            lines.append(f"cancelled after {self.done} of {self.total} files")
        if self.stopped_reason:
            lines.append(f"stopped: {self.stopped_reason}")
        return "\n".join(lines)

    def _origin(self, paths: list[Path]) -> str:
        """The note "(k within this import, m already stored)" for non-empty ``paths``."""
        if not paths:
            return ""
        repeated = set(self.repeated)
        within = sum(1 for p in paths if p in repeated)
        return f" ({within} within this import, {len(paths) - within} already stored)"

    @property
    def done(self) -> int:
        return len(self.imported) + len(self.replaced) + len(self.duplicates) + len(self.skipped)


def _is_dicomdir(path: Path) -> bool:
    return path.name.upper() == "DICOMDIR"


def dicomdir_files(dicomdir: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files referenced by a DICOMDIR, and references that point nowhere."""
    ds = pydicom.dcmread(dicomdir)
    root = dicomdir.parent
    found: list[Path] = []
    missing: list[tuple[Path, str]] = []
    for record in ds.get("DirectoryRecordSequence", []):
        ref = record.get("ReferencedFileID")
        if not ref:
            continue
        parts = [ref] if isinstance(ref, str) else list(ref)
        path = root.joinpath(*parts)
        if not path.is_file():
            # media written on case-insensitive systems: try a case-insensitive match
            alt = _case_insensitive(root, parts)
            if alt is None:
                missing.append((path, "referenced by the DICOMDIR but not found"))
                continue
            path = alt
        found.append(path)
    return found, missing


def _case_insensitive(root: Path, parts: list[str]) -> Path | None:
    current = root
    for part in parts:
        try:
            match = next((e for e in os.scandir(current) if e.name.upper() == part.upper()), None)
        except OSError:
            return None
        if match is None:
            return None
        current = Path(match.path)
    return current if current.is_file() else None


def collect(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand the user's paths into files to import (sorted, unique) and early skips."""
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames.sort()
                files.extend(
                    Path(dirpath) / f for f in sorted(filenames) if not _is_dicomdir(Path(f))
                )
        elif path.is_file() and _is_dicomdir(path):
            try:
                found, missing = dicomdir_files(path)
            except Exception as exc:
                skipped.append((path, f"DICOMDIR cannot be read: {exc}"))
                continue
            files.extend(sorted(found))
            skipped.extend(missing)
        elif path.is_file():
            files.append(path)
        else:
            skipped.append((path, "no such file or folder"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, skipped


def import_paths(
    store: LocalStore,
    paths: Iterable[Path],
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Import everything under ``paths``; ``progress(done, total, path)`` after each file."""
    files, early = collect(paths)
    report = ImportReport(skipped=list(early), total=len(files) + len(early))
    seen: set[str] = set()  # SOP Instance UIDs of this import so far
    for n, path in enumerate(files, start=1):
        if cancelled is not None and cancelled():
            report.cancelled = True
            break
        try:
            # the shared reader decides what is DICOM (with or without preamble / file meta)
            result = store.add_bytes(read_dicom_bytes(path), f"file:{path}")
        except InsufficientSpaceError as exc:
            report.skipped.append((path, exc.message()))
            report.stopped_reason = exc.message()
            break
        except StoreError as exc:
            report.skipped.append((path, exc.message()))
        except OSError as exc:
            report.skipped.append((path, f"cannot be read: {exc.strerror or exc}"))
        else:
            if result.record.sop_uid in seen:
                report.repeated.append(path)
            seen.add(result.record.sop_uid)
            if result.outcome is AddOutcome.STORED:
                report.imported.append(path)
            elif result.outcome is AddOutcome.REPLACED:
                report.replaced.append(path)
            else:
                report.duplicates.append(path)
        if progress is not None:
            progress(len(early) + n, report.total, path)
    log.info(
        "import: %d imported, %d replaced, %d duplicates, %d skipped%s",
        len(report.imported),
        len(report.replaced),
        len(report.duplicates),
        len(report.skipped),
        " (cancelled)" if report.cancelled else "",
    )
    return report
