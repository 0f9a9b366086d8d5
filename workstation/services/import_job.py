"""The "import" job: files, folders and DICOMDIRs into the local store.

Params ``{"paths": [str, ...]}`` (:class:`ImportParams`). The result is the summary counts; every skipped file
with its reason goes to the job log (the first 40, then "... and N more"). A full disk
stops the import and fails the job without retries: another attempt cannot fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from workstation.jobs import (
    CancelToken,
    Handler,
    JobParams,
    LogLine,
    PermanentJobError,
    Progress,
    read_params,
    validate_params,
)
from workstation.store import ImportReport, LocalStore, import_paths

KIND = "import"
SKIPPED_IN_LOG = 40


class ImportParams(JobParams):
    """An import job: the files, folders and DICOMDIRs to import."""

    paths: tuple[Annotated[str, StringConstraints(min_length=1)], ...] = Field(min_length=1)


def import_params(paths: list[Path] | list[str]) -> dict[str, Any]:
    """The parameters of an import job for ``paths``."""
    return validate_params(KIND, ImportParams, {"paths": [str(p) for p in paths]}).to_json()


def summary_counts(report: ImportReport) -> str:
    return (
        f"imported {len(report.imported)}, replaced {len(report.replaced)}, "
        f"duplicates {len(report.duplicates)}, skipped {len(report.skipped)}"
    )


def import_handler(store: LocalStore) -> Handler:
    """The handler of the "import" kind, importing into ``store``."""

    def handle(
        params: dict[str, Any], progress: Progress, cancel: CancelToken, log: LogLine
    ) -> str | None:
        job = read_params(KIND, ImportParams, params)
        report = import_paths(
            store,
            [Path(p) for p in job.paths],
            progress=lambda done, total, path: progress(done, total, Path(path).name),
            cancelled=cancel.is_set,
        )
        for path, reason in report.skipped[:SKIPPED_IN_LOG]:
            log(f"skipped {path}: {reason}")
        if len(report.skipped) > SKIPPED_IN_LOG:
            log(f"... and {len(report.skipped) - SKIPPED_IN_LOG} more")
        counts = summary_counts(report)
        if report.stopped_reason:
            log(f"stopped after {report.done} of {report.total} files: {counts}")
            raise PermanentJobError(report.stopped_reason)
        if report.cancelled:
            return f"cancelled after {report.done} of {report.total} files: {counts}"
        return counts

    return handle
