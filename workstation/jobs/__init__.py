"""Persistent job queue: jobs with state, progress, retries and a log, surviving a restart.

Qt-free. :class:`JobQueue` keeps the jobs in their own SQLite file, :class:`JobRunner`
claims and runs them with handlers (``handler(params, progress, cancel, log)``), a
:class:`CancelToken` carries a cancel to the handler and its long calls.
"""

from workstation.jobs.cancel import CancelToken
from workstation.jobs.model import (
    Job,
    JobCancelled,
    JobQueueSchemaError,
    JobState,
    PermanentJobError,
    RetryableJobError,
)
from workstation.jobs.queue import INTERRUPTED, JobQueue
from workstation.jobs.runner import Handler, JobRunner, LogLine, Progress

__all__ = [
    "INTERRUPTED",
    "CancelToken",
    "Handler",
    "Job",
    "JobCancelled",
    "JobQueue",
    "JobQueueSchemaError",
    "JobRunner",
    "JobState",
    "LogLine",
    "PermanentJobError",
    "Progress",
    "RetryableJobError",
]
