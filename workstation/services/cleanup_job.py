"""The "storage_cleanup" job: the automatic storage policy, run off the GUI thread.

Params ``{}`` (:class:`CleanupParams`); the policy is read from the settings when the job runs (``settings()``),
so a change in the cleanup dialog applies to the next run. Each deletion is logged by
``store/cleanup.py``; the job log lists what was deleted and what could not be.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workstation.config.settings import Settings
from workstation.jobs import CancelToken, Handler, JobParams, LogLine, Progress, read_params
from workstation.store.cleanup import CleanupPolicy, run_policy
from workstation.store.local_store import LocalStore

KIND = "storage_cleanup"


class CleanupParams(JobParams):
    """A cleanup job has no parameters: the policy comes from the settings at run time."""


def cleanup_handler(store: LocalStore, settings: Callable[[], Settings]) -> Handler:
    """The handler of the "storage_cleanup" kind for ``store``."""

    def handle(
        params: dict[str, Any], progress: Progress, cancel: CancelToken, log: LogLine
    ) -> str | None:
        read_params(KIND, CleanupParams, params)
        policy = CleanupPolicy.from_settings(settings())
        report = run_policy(store, policy)
        if not report.triggered:
            return f"nothing to do: {report.start_free_mb:.0f} MB free"
        for usage in report.deleted:
            log(f"deleted study {usage.study_uid} ({usage.study_date}, {usage.size_mb:.1f} MB)")
        for uid in report.skipped_protected:
            log(f"kept protected study {uid}")
        for uid, reason in report.failed:
            log(f"could not delete study {uid}: {reason}")
        result = (
            f"deleted {len(report.deleted)} studies, freed {report.freed_bytes / 1e6:.0f} MB; "
            f"{report.final_free_mb:.0f} MB free"
        )
        if report.still_short_mb > 0:
            result += f"; still {report.still_short_mb:.0f} MB short of the mark"
        return result

    return handle
