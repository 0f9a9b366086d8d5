"""Job parameters: one frozen, validated model per job kind, checked when a job is queued.

A kind's model (a :class:`JobParams` subclass, next to its handler in ``services/``)
describes the JSON the queue stores for it; :meth:`JobQueue.submit` validates against it,
so bad parameters are refused at queue time and nothing is queued. Handlers read the
stored JSON back through the same model (:func:`read_params`), so rows written before
the models existed load as long as their shape is the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from workstation.errors import WorkstationError
from workstation.jobs.model import PermanentJobError

P = TypeVar("P", bound="JobParams")


class JobParams(BaseModel):
    """Base of the parameter models: frozen, no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready dict the queue stores (fields left at their default omitted when
        the model says so through ``omit_when_default``)."""
        data = self.model_dump(mode="json")
        for name in self.omit_when_default():
            field = type(self).model_fields[name]
            if data.get(name) == field.default:
                data.pop(name, None)
        return data

    @classmethod
    def omit_when_default(cls) -> tuple[str, ...]:
        """Optional fields the stored JSON leaves out at their default (today's shape)."""
        return ()


class JobParamsError(WorkstationError):
    """Parameters that do not fit their job kind's model; ``problems`` lists
    ``{"field", "code", "value", "detail"}`` (pydantic's error type as the code, our
    validators' own text as the detail)."""

    code = "jobs.params"
    template = "Invalid parameters for a '{kind}' job: {summary}"


def params_error(kind: str, exc: ValidationError) -> JobParamsError:
    """The typed error for a failed validation of ``kind``'s parameters."""
    problems = []
    for err in exc.errors():
        # a value_error carries our own validator's text (not pydantic's English)
        cause = (err.get("ctx") or {}).get("error") if err["type"] == "value_error" else None
        problems.append({
            "field": ".".join(str(p) for p in err["loc"]) or "params",
            "code": err["type"],
            "value": err.get("input"),
            "detail": str(cause) if cause is not None else "",
        })  # fmt: skip
    summary = "; ".join(
        f"{p['field']}: {p['detail']}" if p["detail"] else f"{p['field']} ({p['code']})"
        for p in problems
    )
    return JobParamsError(kind=kind, problems=problems, summary=summary)


def validate_params(
    kind: str, model: type[P], params: Mapping[str, Any] | JobParams
) -> P:
    """``params`` as ``model``; JobParamsError when they do not fit."""
    if isinstance(params, model):
        return params
    raw = params.to_json() if isinstance(params, JobParams) else dict(params)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise params_error(kind, exc) from None


def read_params(kind: str, model: type[P], params: Mapping[str, Any]) -> P:
    """A handler's view of its stored parameters; a row that does not fit fails the job
    for good (PermanentJobError: another attempt reads the same row)."""
    try:
        return validate_params(kind, model, params)
    except JobParamsError as exc:
        raise PermanentJobError(exc.message()) from None
