"""Persistent job queue: jobs with state, progress, retries and a log, surviving a restart.

Qt-free. :class:`JobQueue` keeps the jobs in their own SQLite file, :class:`JobRunner`
claims and runs them with handlers (``handler(params, progress, cancel, log)``), a
:class:`CancelToken` carries a cancel to the handler and its long calls. Each kind has a
frozen parameter model (:class:`JobParams`) checked at submit; :class:`JobKind` ties a
kind's name, model and handler factory together.
"""

from workstation.jobs.cancel import CancelToken
from workstation.jobs.kinds import JobKind, params_models
from workstation.jobs.model import (
    Job,
    JobCancelled,
    JobQueueSchemaError,
    JobState,
    PermanentJobError,
    RetryableJobError,
)
from workstation.jobs.params import JobParams, JobParamsError, read_params, validate_params
from workstation.jobs.queue import INTERRUPTED, JobQueue
from workstation.jobs.runner import Handler, JobRunner, LogLine, Progress

__all__ = [
    "INTERRUPTED",
    "CancelToken",
    "Handler",
    "Job",
    "JobCancelled",
    "JobKind",
    "JobParams",
    "JobParamsError",
    "JobQueue",
    "JobQueueSchemaError",
    "JobRunner",
    "JobState",
    "LogLine",
    "PermanentJobError",
    "Progress",
    "RetryableJobError",
    "params_models",
    "read_params",
    "validate_params",
]
