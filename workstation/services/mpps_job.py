"""The MPPS jobs: "mpps-create" (N-CREATE, IN PROGRESS) and "mpps-set" (the final N-SET,
COMPLETED or DISCONTINUED) of one procedure step.

Params ``{"step_id": str, "node": {RemoteNode fields}, "retry_delay_s": float}``
(:class:`MppsParams`, the same model for both kinds). The data sets are built when the
job runs, from the step as stored (``store/procedure_steps.py``): the final N-SET lists
exactly the step's instances, which are locked by then.

Order: the set job is queued only once the N-CREATE succeeded and the step ended
(``ProcedureSteps.claim_job`` decides it once, whichever of the two comes last), and the
set handler checks it again: without a successful N-CREATE it waits (a retry later) and
never sends. Failures: no connection, a timeout, an abort, a transient rejection and a
failure status are retried with ``retry_delay_s`` doubled per attempt; a permanent
rejection, a context not accepted or a status that says our data set is wrong fail the
job at once. An N-CREATE answered 0111 (the SCP has it: an earlier attempt got through,
its answer did not) counts as created; an N-SET answered 0110 with Error ID A710 (the
step is final there already) as done, with a note. Each failed attempt writes its reason into the step (``mpps_error``); a job
failed for good (or cancelled) turns the step's MPPS state to failed with that reason
(:func:`failure_listener`, a queue listener), and a retry by the user turns it back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from workstation.config.settings import RemoteNode, Settings
from workstation.dicom.builders import mpps as mpps_builder
from workstation.errors import (
    AssociationRejectedError,
    BuildError,
    DimseStatusError,
    NetworkError,
    ProcedureStepError,
    ServiceNotAcceptedError,
)
from workstation.jobs import (
    CancelToken,
    Handler,
    JobParams,
    JobQueue,
    JobState,
    LogLine,
    PermanentJobError,
    Progress,
    RetryableJobError,
    read_params,
    validate_params,
)
from workstation.net.association import LocalAE
from workstation.net.scu import mpps as mpps_scu
from workstation.store.local_store import LocalStore
from workstation.store.procedure_steps import (
    MppsState,
    ProcedureStep,
    ProcedureSteps,
    StepInstance,
    StepState,
)

log = logging.getLogger(__name__)

CREATE_KIND = "mpps-create"
SET_KIND = "mpps-set"
KINDS = (CREATE_KIND, SET_KIND)
MAX_ATTEMPTS = 10
RETRY_DELAY_S = 10.0
DUPLICATE_INSTANCE = 0x0111  # N-CREATE: the SCP has this MPPS already (an earlier attempt)
PROCESSING_FAILURE = 0x0110
NO_LONGER_UPDATABLE = 0xA710  # N-SET Error ID: the SCP holds the step final already (F.7.2.2)
# statuses that say our request is wrong: another attempt sends the same
PERMANENT_STATUSES = frozenset(
    {0x0105, 0x0106, 0x0112, 0x0116, 0x0117, 0x0118, 0x0120, 0x0121, 0x0122}
)
Text = Annotated[str, StringConstraints(min_length=1)]
OnCreated = Callable[[str, RemoteNode], object]  # (step id, the node that has the MPPS)


class MppsParams(JobParams):
    """An MPPS job: the step, the MPPS SCP, the first retry delay."""

    step_id: Text
    node: RemoteNode
    retry_delay_s: float = Field(default=RETRY_DELAY_S, ge=0, le=86_400)

    @classmethod
    def omit_when_default(cls) -> tuple[str, ...]:
        return ("retry_delay_s",)


def mpps_params(
    step_id: str, node: RemoteNode, retry_delay_s: float = RETRY_DELAY_S
) -> dict[str, Any]:
    """The parameters of an MPPS job (either kind) of ``step_id`` to ``node``."""
    raw = {"step_id": step_id, "node": node, "retry_delay_s": retry_delay_s}
    return validate_params(CREATE_KIND, MppsParams, raw).to_json()


# -- the data sets -----------------------------------------------------------------------
def step_facts(step: ProcedureStep, retrieve_aet: str) -> mpps_builder.StepFacts:
    """What the MPPS says about the step besides the registration."""
    reg = step.registration
    description = reg.study_description
    if not description and reg.worklist is not None:
        sps = reg.worklist.get("ScheduledProcedureStepSequence") or []
        if sps:
            description = str(sps[0].get("ScheduledProcedureStepDescription", "") or "")
    return mpps_builder.StepFacts(
        pps_id=step.step_id,
        station_aet=step.station_aet or retrieve_aet,
        station_name=step.station_name,
        start=step.started_at,
        end=step.ended_at,
        description=description,
        operator=step.operator,
        performed_protocol=None,
        retrieve_aet=retrieve_aet,
    )


def performed_instances(instances: list[StepInstance]) -> list[mpps_builder.PerformedInstance]:
    return [
        mpps_builder.PerformedInstance(i.sop_class_uid, i.sop_instance_uid, i.series_uid)
        for i in instances
    ]


def create_dataset(step: ProcedureStep, retrieve_aet: str) -> Any:
    """The N-CREATE data set of ``step`` (IN PROGRESS)."""
    return mpps_builder.n_create_dataset(step.registration, step_facts(step, retrieve_aet))


def final_set_dataset(
    step: ProcedureStep,
    instances: list[StepInstance],
    retrieve_aet: str,
    series_descriptions: dict[str, str] | None = None,
) -> Any:
    """The final N-SET data set of an ended ``step``: COMPLETED, or DISCONTINUED with its
    CID 9300 reason, listing exactly ``instances``."""
    if step.state is StepState.DISCONTINUED:
        status = "DISCONTINUED"
        reason = mpps_builder.CID_9300.get(step.discontinue_code)
    else:
        status, reason = "COMPLETED", None
    return mpps_builder.n_set_dataset(
        step.registration, step_facts(step, retrieve_aet), status,
        performed_instances(instances), series_descriptions, reason,
    )  # fmt: skip


def _status_of(exc: DimseStatusError) -> int | None:
    status = exc.values.get("status")
    return int(status) if isinstance(status, int) else None


def _already_final(exc: DimseStatusError) -> bool:
    """0110 with Error ID A710: "Performed Procedure Step Object may no longer be updated"."""
    return _status_of(exc) == PROCESSING_FAILURE and exc.values.get("error_id") == (
        NO_LONGER_UPDATABLE
    )


def _fail(steps: ProcedureSteps, step_id: str, exc: Exception, delay: float) -> None:
    """Write the attempt's reason into the step and raise the runner's verdict."""
    text = exc.message() if hasattr(exc, "message") else str(exc)
    steps.note_mpps_error(step_id, text)
    if isinstance(exc, AssociationRejectedError) and exc.permanent:
        raise PermanentJobError(text) from None
    if isinstance(exc, ServiceNotAcceptedError):
        raise PermanentJobError(text) from None
    if isinstance(exc, DimseStatusError) and _status_of(exc) in PERMANENT_STATUSES:
        raise PermanentJobError(text) from None
    raise RetryableJobError(text, delay) from None


def _series_descriptions(store: LocalStore, instances: list[StepInstance]) -> dict[str, str]:
    out: dict[str, str] = {}
    with store.index.reader() as c:
        for series_uid in dict.fromkeys(i.series_uid for i in instances):
            row = c.execute(
                "SELECT description FROM series WHERE series_uid = ?", (series_uid,)
            ).fetchone()
            out[series_uid] = row[0] if row else ""
    return out


# -- the handlers ------------------------------------------------------------------------
def create_handler(
    store: LocalStore, settings: Callable[[], Settings], on_created: OnCreated | None = None
) -> Handler:
    """The handler of "mpps-create"; ``on_created(step_id, node)`` after the N-CREATE
    succeeded (the exam service queues the final N-SET to the same node there, when the
    step has ended)."""
    steps = ProcedureSteps(store.index)

    def handle(
        params: dict[str, Any], progress: Progress, cancel: CancelToken, log_line: LogLine
    ) -> str | None:
        job = read_params(CREATE_KIND, MppsParams, params)
        step = _step(steps, job.step_id)
        if step.mpps_created:
            if on_created is not None:
                on_created(step.step_id, job.node)
            return f"MPPS {step.mpps_uid} was already created"
        current = settings()
        progress(0, 1, f"N-CREATE to {job.node.name}")
        ds = _built(steps, step, lambda: create_dataset(step, current.node.ae_title))
        try:
            mpps_scu.create(job.node, LocalAE.from_settings(current), step.mpps_uid, ds)
        except DimseStatusError as exc:
            if _status_of(exc) != DUPLICATE_INSTANCE:
                _fail(steps, step.step_id, exc, job.retry_delay_s)
            log_line(f"{job.node.name} has MPPS {step.mpps_uid} already (0111): taken as created")
        except NetworkError as exc:
            _fail(steps, step.step_id, exc, job.retry_delay_s)
        steps.set_mpps(step.step_id, MppsState.IN_PROGRESS, created=True)
        progress(1, 1, "IN PROGRESS")
        if on_created is not None:
            on_created(step.step_id, job.node)
        return f"MPPS {step.mpps_uid} IN PROGRESS at {job.node.name}"

    return handle


def set_handler(store: LocalStore, settings: Callable[[], Settings]) -> Handler:
    """The handler of "mpps-set": the final N-SET of an ended step."""
    steps = ProcedureSteps(store.index)

    def handle(
        params: dict[str, Any], progress: Progress, cancel: CancelToken, log_line: LogLine
    ) -> str | None:
        job = read_params(SET_KIND, MppsParams, params)
        step = _step(steps, job.step_id)
        if not step.state.is_final:
            raise PermanentJobError(f"procedure step {step.step_id} has not ended")
        final = (MppsState.DISCONTINUED if step.state is StepState.DISCONTINUED
                 else MppsState.COMPLETED)  # fmt: skip
        if step.mpps_state is final:
            return f"MPPS {step.mpps_uid} was already {final}"
        if not step.mpps_created:  # never before the N-CREATE succeeded
            log_line("waiting for the N-CREATE of this step to succeed")
            raise RetryableJobError("the N-CREATE has not succeeded yet", job.retry_delay_s)
        instances = steps.instances(step.step_id)
        current = settings()
        progress(0, 1, f"N-SET {final} to {job.node.name}")
        ds = _built(steps, step, lambda: final_set_dataset(
            step, instances, current.node.ae_title, _series_descriptions(store, instances)))
        note = ""
        try:
            mpps_scu.update(job.node, LocalAE.from_settings(current), step.mpps_uid, ds)
        except DimseStatusError as exc:
            if not _already_final(exc):
                _fail(steps, step.step_id, exc, job.retry_delay_s)
            # an earlier attempt got through but its answer was lost
            note = f"{job.node.name} holds MPPS {step.mpps_uid} final already (A710)"
            log_line(note)
        except NetworkError as exc:
            _fail(steps, step.step_id, exc, job.retry_delay_s)
        steps.set_mpps(step.step_id, final, note)
        progress(1, 1, str(final).upper())
        return (f"MPPS {step.mpps_uid} {str(final).upper()} at {job.node.name}, "
                f"{len(instances)} instance(s)")  # fmt: skip

    return handle


def _built(steps: ProcedureSteps, step: ProcedureStep, build: Callable[[], Any]) -> Any:
    """The data set ``build`` makes; one that cannot be built fails the job for good."""
    try:
        return build()
    except BuildError as exc:
        steps.note_mpps_error(step.step_id, exc.message())
        raise PermanentJobError(exc.message()) from None


def _step(steps: ProcedureSteps, step_id: str) -> ProcedureStep:
    try:
        return steps.get(step_id)
    except ProcedureStepError as exc:
        raise PermanentJobError(exc.message()) from None


# -- the step's MPPS state from the job's fate -------------------------------------------
def failure_listener(queue: JobQueue, store: LocalStore) -> Callable[[int], None]:
    """A queue listener: an MPPS job failed for good or cancelled -> the step's MPPS state
    is failed with the reason; the job queued again by the user -> back to what the step
    had reached."""
    steps = ProcedureSteps(store.index)

    def on_change(job_id: int) -> None:
        job = queue.get(job_id)
        if job is None or job.kind not in KINDS:
            return
        step = steps.find(str(job.params.get("step_id", "")))
        if step is None:
            return
        if job.state in (JobState.FAILED, JobState.CANCELLED):
            if step.mpps_state is MppsState.FAILED and step.mpps_error:
                return
            reason = job.last_error or ("cancelled" if job.state is JobState.CANCELLED else "")
            steps.set_mpps(step.step_id, MppsState.FAILED, reason or "failed")
        elif job.state is JobState.QUEUED and step.mpps_state is MppsState.FAILED:
            back = MppsState.IN_PROGRESS if step.mpps_created else MppsState.NOT_SENT
            steps.set_mpps(step.step_id, back, step.mpps_error)

    return on_change
