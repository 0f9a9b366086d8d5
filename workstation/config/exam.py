"""The technologist's sections: the Modality Worklist query and the examination (MPPS,
after-exam rules)."""

from __future__ import annotations

import socket
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from workstation.config.fields import Section, check_code_string


class WorklistDateWindow(StrEnum):
    """The Scheduled Procedure Step Start Date of the broad worklist query (extract-001 5.2)."""

    TODAY = "today"
    YESTERDAY_TODAY = "yesterday-today"
    TODAY_12H = "today-12h"  # today +/- 12 hours
    TODAY_24H = "today-24h"  # today +/- 24 hours
    ANY = "any"  # no date


class BroadKey(StrEnum):
    """The single-value keys of the broad query; each may be sent as a return key only."""

    STATION_AET = "ScheduledStationAETitle"
    START_DATE = "ScheduledProcedureStepStartDate"
    MODALITY = "Modality"


class WorklistSettings(Section):
    """Modality Worklist (C-FIND SCU): which node, the broad query, refresh and limits."""

    node: str = ""  # the remote node's name; empty: the first node with the worklist role
    date_window: WorklistDateWindow = WorklistDateWindow.TODAY
    query_by_station_aet: bool = False  # own AE title as Scheduled Station AE Title
    query_by_modality: bool = True
    modality: str = "OT"  # this station's modality (0008,0060)
    return_only: frozenset[BroadKey] = frozenset()  # sent zero-length instead of matched
    refresh_minutes: int = Field(default=0, ge=0, le=1440)  # 0: no automatic refresh
    max_items: int = Field(default=500, ge=1, le=999)  # C-CANCEL when reached
    response_timeout_s: int = Field(default=30, ge=1, le=999)

    @field_validator("modality")
    @classmethod
    def _modality(cls, v: str) -> str:
        return check_code_string(v)


class MppsCompleteMode(StrEnum):
    """How a procedure step is ended (extract-001 5.3 "MPPS Complete" method)."""

    AUTOMATIC = "automatic"  # COMPLETED when the technologist closes the patient
    DIALOG = "dialog"  # a dialog on close: COMPLETED / IN PROGRESS / DISCONTINUED


class AfterExamAction(StrEnum):
    """What an after-exam rule does; print and burn are added by issues 14 and 15."""

    SEND = "send"  # send the step's instances, with storage commitment if the node has it


class AfterExamRule(BaseModel):
    """One rule: when a procedure step is completed, queue ``action`` to ``node``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: AfterExamAction = AfterExamAction.SEND
    node: str = Field(min_length=1, max_length=64)  # a remote node's name
    storage_commitment: bool = True
    enabled: bool = True
    on_discontinued: bool = False  # also when the step was discontinued


class ExamSettings(Section):
    """The examination: MPPS reporting and the rules run after a step ends (per station)."""

    mpps_node: str = ""  # the remote node's name; empty: the first node with the MPPS role
    mpps_enabled: bool = True
    complete_mode: MppsCompleteMode = MppsCompleteMode.DIALOG
    station_name: str = Field(default_factory=lambda: socket.gethostname()[:16])
    after_exam: tuple[AfterExamRule, ...] = ()
