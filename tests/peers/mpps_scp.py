"""A strict Modality Performed Procedure Step SCP for the tests (no Debian package has one).

A pynetdicom AE in its own server thread on 127.0.0.1 that accepts the MPPS SOP Class
(1.2.840.10008.3.1.2.3.3, PS3.4 F.7.3) and holds the instances it created in memory.
What it enforces, by clause of PS3.4 Annex F (and PS3.7 Annex C for the status codes):

N-CREATE (F.7.2.1)
- F.7.2.1.2 / PS3.7 10.1.5.1.4: the Affected SOP Instance UID is taken as given, or
  generated and returned in the response when the request has none; a UID it already
  holds is refused with 0111 Duplicate SOP Instance.
- F.7.2.1.1, Table F.7.2-1 (N-CREATE column): every Type 1 attribute present with a
  value and every Type 2 attribute present, at the top level and inside the items of
  Scheduled Step Attributes Sequence, Referenced Study Sequence, Referenced Patient
  Sequence, Performed Series Sequence and its Referenced Image / Non-Image Composite SOP
  Instance Sequences; the code items of the Code Value Macros (Tables F.7.2-1a..f: a code
  value, a Coding Scheme Designator with it, Code Meaning where mandatory). A missing
  attribute is refused with 0120 Missing Attribute, a Type 1 attribute without a value
  with 0121 Missing Attribute Value; the Error Comment names the attribute and the rule.
- F.7.2.1.3: Performed Procedure Step Status (0040,0252) must be IN PROGRESS, else 0106
  Invalid Attribute Value; malformed DA / TM values of the start and end date/time are
  0106 too.

N-SET (F.7.2.2)
- PS3.7 C.5.x: an instance it does not hold is 0112 No Such SOP Instance.
- F.7.2.2.3, Table F.7.2-2: once the status is COMPLETED or DISCONTINUED every N-SET is
  refused with 0110 Processing Failure, Error Comment "Performed Procedure Step Object
  may no longer be updated", Error ID A710.
- Table F.7.2-1 (N-SET column): an attribute marked "Not allowed" is refused with 0105
  No Such Attribute (Attribute Identifier List names it); note 5 and F.7.2.2.2: an
  attribute the N-CREATE did not create cannot be set, 0105 as well.
- Table F.7.2-1 N-SET types: 3/1 attributes (status, end date, end time, Performed Series
  Sequence) must have a value when sent, items must carry their 1/1 and 2/2 attributes:
  0121 Missing Attribute Value; a status other than IN PROGRESS, COMPLETED, DISCONTINUED
  is 0106.
- F.7.2.2.2 and Table F.7.2-1 "Final State" column with notes 1 and 2, for COMPLETED and
  DISCONTINUED alike: End Date and End Time with values, a Performed Series Sequence of at
  least one item (0121 otherwise); and (``require_references``, on by default) at least
  one Image or Non-Image Composite reference in it, as the step must list what it created
  and the workstation only creates an MPPS with its first instance (0110 otherwise).
- F.7.2.2.2: sequences are replaced as a whole by an N-SET.

``fail_next(n, status)`` answers the next ``n`` requests (N-CREATE or N-SET) with
``status`` and changes nothing, ``warn_next(n, status)`` carries them out but answers with
a warning status; ``stop()`` / ``start()`` take it off and back on the same
port with its instances kept (a RIS that restarts). Every request is recorded in
``messages`` as (operation, SOP Instance UID, data set), its answer in ``answers``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydicom.datadict import tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.uid import (
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    generate_uid,
)
from pynetdicom import AE, evt
from pynetdicom.sop_class import ModalityPerformedProcedureStep

LOOPBACK = "127.0.0.1"
SCP_AET = "STRICT_MPPS"
TIMEOUT_S = 30.0

N_CREATE, N_SET = "N-CREATE", "N-SET"
IN_PROGRESS, COMPLETED, DISCONTINUED = "IN PROGRESS", "COMPLETED", "DISCONTINUED"
FINAL = frozenset({COMPLETED, DISCONTINUED})

NO_SUCH_ATTRIBUTE = 0x0105
INVALID_ATTRIBUTE_VALUE = 0x0106
PROCESSING_FAILURE = 0x0110
DUPLICATE_SOP_INSTANCE = 0x0111
NO_SUCH_SOP_INSTANCE = 0x0112
MISSING_ATTRIBUTE = 0x0120
MISSING_ATTRIBUTE_VALUE = 0x0121
NO_LONGER_UPDATED = "Performed Procedure Step Object may no longer be updated"
NO_LONGER_UPDATED_ID = 0xA710

# -- Table F.7.2-1 as data ----------------------------------------------------------------
# An item specification: keyword -> (N-CREATE type, N-SET type, nested spec or None).
# Types: "1", "2", "3" for the SCP side of "x/y"; N-SET "-" is "Not allowed".
CODE_MANDATORY = "code, mandatory meaning"  # Tables F.7.2-1a..d
CODE_OPTIONAL = "code, optional meaning"  # Tables F.7.2-1e, f
Spec = dict[str, tuple[str, str, Any]]

SOP_REFERENCE: Spec = {
    "ReferencedSOPClassUID": ("1", "1", None),
    "ReferencedSOPInstanceUID": ("1", "1", None),
}
SCHEDULED_STEP: Spec = {
    "StudyInstanceUID": ("1", "-", None),
    "ReferencedStudySequence": ("2", "-", SOP_REFERENCE),
    "AccessionNumber": ("2", "-", None),
    "RequestedProcedureID": ("2", "-", None),
    "RequestedProcedureCodeSequence": ("3", "-", CODE_MANDATORY),
    "RequestedProcedureDescription": ("2", "-", None),
    "ScheduledProcedureStepID": ("2", "-", None),
    "ScheduledProcedureStepDescription": ("2", "-", None),
    "ScheduledProtocolCodeSequence": ("2", "-", CODE_MANDATORY),
}
PERFORMED_SERIES: Spec = {
    "PerformingPhysicianName": ("2", "2", None),
    "ProtocolName": ("1", "1", None),
    "OperatorsName": ("2", "2", None),
    "SeriesInstanceUID": ("1", "1", None),
    "SeriesDescription": ("2", "2", None),
    "RetrieveAETitle": ("2", "2", None),
    "ReferencedImageSequence": ("2", "2", SOP_REFERENCE),
    "ReferencedNonImageCompositeSOPInstanceSequence": ("2", "2", SOP_REFERENCE),
}
MPPS: Spec = {
    # Performed Procedure Step Relationship
    "ScheduledStepAttributesSequence": ("1", "-", SCHEDULED_STEP),
    "PatientName": ("2", "-", None),
    "PatientID": ("2", "-", None),
    "IssuerOfPatientID": ("3", "-", None),
    "IssuerOfPatientIDQualifiersSequence": ("3", "-", None),
    "OtherPatientIDsSequence": ("3", "-", None),
    "PatientBirthDate": ("2", "-", None),
    "PatientSex": ("2", "-", None),
    "ReferencedPatientSequence": ("2", "-", SOP_REFERENCE),
    "AdmissionID": ("3", "-", None),
    "IssuerOfAdmissionIDSequence": ("3", "-", None),
    "ServiceEpisodeID": ("3", "-", None),
    "IssuerOfServiceEpisodeIDSequence": ("3", "-", None),
    "ServiceEpisodeDescription": ("3", "-", None),
    # Performed Procedure Step Information
    "PerformedProcedureStepID": ("1", "-", None),
    "PerformedStationAETitle": ("1", "-", None),
    "PerformedStationName": ("2", "-", None),
    "PerformedLocation": ("2", "-", None),
    "PerformedProcedureStepStartDate": ("1", "-", None),
    "PerformedProcedureStepStartTime": ("1", "-", None),
    "PerformedProcedureStepStatus": ("1", "1", None),
    "PerformedProcedureStepDescription": ("2", "2", None),
    "PerformedProcedureTypeDescription": ("2", "2", None),
    "ProcedureCodeSequence": ("2", "2", CODE_OPTIONAL),
    "ReasonForPerformedProcedureCodeSequence": ("3", "3", CODE_MANDATORY),
    "PerformedProcedureStepEndDate": ("2", "1", None),
    "PerformedProcedureStepEndTime": ("2", "1", None),
    "CommentsOnThePerformedProcedureStep": ("3", "3", None),
    "PerformedProcedureStepDiscontinuationReasonCodeSequence": ("3", "3", CODE_MANDATORY),
    # Image Acquisition Results
    "Modality": ("1", "-", None),
    "StudyID": ("2", "-", None),
    "PerformedProtocolCodeSequence": ("2", "2", CODE_OPTIONAL),
    "PerformedSeriesSequence": ("2", "1", PERFORMED_SERIES),
}
DATES = ("PerformedProcedureStepStartDate", "PerformedProcedureStepEndDate")
TIMES = ("PerformedProcedureStepStartTime", "PerformedProcedureStepEndTime")
_TM = re.compile(r"^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$")


class Refusal(Exception):
    """A request the SCP refuses: the status, an Error Comment and the offending tags."""

    def __init__(self, status: int, comment: str, tags: Iterable[int] = (),
                 error_id: int | None = None) -> None:  # fmt: skip
        super().__init__(comment)
        self.status = status
        self.comment = comment
        self.tags = list(tags)
        self.error_id = error_id

    def dataset(self, operation: str) -> Dataset:
        """The status data set; the Attribute Identifier List only where PS3.7 C.5 has one
        for the status and pynetdicom's primitive can carry it (the N-SET response)."""
        ds = Dataset()
        ds.Status = self.status
        ds.ErrorComment = self.comment[:64]
        if self.error_id is not None:
            ds.ErrorID = self.error_id
        if operation == N_SET and self.status == NO_SUCH_ATTRIBUTE and self.tags:
            ds.AttributeIdentifierList = self.tags
        return ds


@dataclass
class Instance:
    """An MPPS the SCP holds: its attributes, and which top-level tags the N-CREATE made."""

    dataset: Dataset
    created: frozenset[int]

    @property
    def status(self) -> str:
        return str(self.dataset.get("PerformedProcedureStepStatus", ""))


class StrictMppsScp:
    """The strict MPPS SCP on ``port`` (see the module docstring for what it enforces)."""

    def __init__(self, port: int, ae_title: str = SCP_AET, *,
                 require_references: bool = True) -> None:  # fmt: skip
        self.port = port
        self.ae_title = ae_title
        self.require_references = require_references
        self.messages: list[tuple[str, str, Dataset]] = []
        self.answers: list[tuple[int, str]] = []  # (status, Error Comment), one per message
        self.instances: dict[str, Instance] = {}
        self._lock = threading.Lock()
        self._fail: list[tuple[int, str]] = []
        self._warn: list[int] = []
        self._ae: AE | None = None

    # -- life cycle --------------------------------------------------------------------
    def start(self) -> None:
        """Listen on 127.0.0.1:``port`` (again, after ``stop``)."""
        if self._ae is not None:
            return
        ae = AE(ae_title=self.ae_title)
        for timeout in ("acse_timeout", "dimse_timeout", "network_timeout", "connection_timeout"):
            setattr(ae, timeout, TIMEOUT_S)
        ae.add_supported_context(
            ModalityPerformedProcedureStep,
            [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian],
        )
        ae.start_server((LOOPBACK, self.port), block=False, evt_handlers=[
            (evt.EVT_N_CREATE, self._on_n_create), (evt.EVT_N_SET, self._on_n_set),
        ])  # fmt: skip
        self._ae = ae

    def stop(self) -> None:
        """Stop listening, abort open associations; the instances are kept."""
        ae, self._ae = self._ae, None
        if ae is not None:
            ae.shutdown()

    @property
    def running(self) -> bool:
        return self._ae is not None

    def fail_next(self, n: int, status: int, comment: str = "") -> None:
        """Answer the next ``n`` requests with ``status`` (and ``comment``), changing nothing."""
        with self._lock:
            self._fail.extend([(status, comment)] * n)

    def warn_next(self, n: int, status: int) -> None:
        """Carry out the next ``n`` valid requests but answer them with warning ``status``."""
        with self._lock:
            self._warn.extend([status] * n)

    def status_of(self, uid: str) -> str:
        with self._lock:
            return self.instances[uid].status

    def operations(self) -> list[str]:
        with self._lock:
            return [op for op, _uid, _ds in self.messages]

    # -- handlers ----------------------------------------------------------------------
    def _on_n_create(self, event: evt.Event) -> tuple[Any, Dataset | None]:
        req = event.request
        uid = str(req.AffectedSOPInstanceUID or "")
        generated = not uid
        if generated:
            uid = generate_uid()
        ds = event.attribute_list
        with self._lock:
            self.messages.append((N_CREATE, uid, ds))
            try:
                self._forced()
                if uid in self.instances:
                    raise Refusal(DUPLICATE_SOP_INSTANCE, f"SOP Instance {uid} exists (PS3.7 C.5)")
                check_n_create(ds)
            except Refusal as refusal:
                return self._refuse(refusal, N_CREATE)
            self.instances[uid] = Instance(_copy(ds), frozenset(int(e.tag) for e in ds))
            status = self._success()
        reply = None
        if generated:
            reply = Dataset()
            reply.AffectedSOPInstanceUID = uid
        return status, reply

    def _on_n_set(self, event: evt.Event) -> tuple[Any, Dataset | None]:
        uid = str(event.request.RequestedSOPInstanceUID or "")
        mods = event.modification_list
        with self._lock:
            self.messages.append((N_SET, uid, mods))
            try:
                self._forced()
                instance = self.instances.get(uid)
                if instance is None:
                    raise Refusal(NO_SUCH_SOP_INSTANCE, f"no MPPS {uid} (PS3.7 C.5)")
                merged = check_n_set(instance, mods, self.require_references)
            except Refusal as refusal:
                return self._refuse(refusal, N_SET)
            instance.dataset = merged
            status = self._success()
        return status, None

    def _forced(self) -> None:
        if self._fail:
            status, comment = self._fail.pop(0)
            raise Refusal(status, comment or "failure requested by the test")

    def _success(self) -> int:
        status = self._warn.pop(0) if self._warn else 0x0000
        self.answers.append((status, ""))
        return status

    def _refuse(self, refusal: Refusal, operation: str) -> tuple[Dataset, None]:
        self.answers.append((refusal.status, refusal.comment))
        return refusal.dataset(operation), None


# -- the rules ---------------------------------------------------------------------------
def check_n_create(ds: Dataset) -> None:
    """Raise Refusal unless ``ds`` is a valid N-CREATE attribute list (F.7.2.1)."""
    _check_item(ds, MPPS, N_CREATE, top=True)
    status = str(ds.get("PerformedProcedureStepStatus", ""))
    if status != IN_PROGRESS:
        raise Refusal(INVALID_ATTRIBUTE_VALUE, f"N-CREATE status {status!r}: F.7.2.1.3",
                      [tag_for_keyword("PerformedProcedureStepStatus")])  # fmt: skip
    _check_dates(ds)


def check_n_set(instance: Instance, mods: Dataset, require_references: bool) -> Dataset:
    """The instance after ``mods``, or Refusal (F.7.2.2)."""
    if instance.status in FINAL:
        raise Refusal(PROCESSING_FAILURE, NO_LONGER_UPDATED, error_id=NO_LONGER_UPDATED_ID)
    for elem in mods:
        keyword = elem.keyword
        tag = int(elem.tag)
        if keyword == "SpecificCharacterSet":
            continue
        if keyword in MPPS and MPPS[keyword][1] == "-":
            raise Refusal(NO_SUCH_ATTRIBUTE, f"{keyword} not allowed in N-SET (F.7.2-1)", [tag])
        if tag not in instance.created:
            raise Refusal(NO_SUCH_ATTRIBUTE, f"{keyword} not created (F.7.2-1 note 5)", [tag])
    _check_item(mods, MPPS, N_SET, top=True)
    if "PerformedProcedureStepStatus" in mods:
        status = str(mods.PerformedProcedureStepStatus)
        if status not in (IN_PROGRESS, COMPLETED, DISCONTINUED):
            raise Refusal(INVALID_ATTRIBUTE_VALUE, f"status {status!r} (C.4.14)",
                          [tag_for_keyword("PerformedProcedureStepStatus")])  # fmt: skip
    _check_dates(mods)
    merged = _copy(instance.dataset)
    for elem in mods:
        if elem.keyword == "SpecificCharacterSet":
            continue  # F.7.2.2.3: does not replace the N-CREATE's
        merged[elem.tag] = elem
    if str(merged.get("PerformedProcedureStepStatus", "")) in FINAL:
        _check_final(merged, require_references)
    return merged


def _check_final(ds: Dataset, require_references: bool) -> None:
    """Table F.7.2-1 "Final State" column, notes 1 and 2, and F.7.2.2.2."""
    for keyword in ("PerformedProcedureStepEndDate", "PerformedProcedureStepEndTime"):
        if not _has_value(ds, keyword):
            raise Refusal(MISSING_ATTRIBUTE_VALUE, f"final state without {keyword} (F.7.2-1)",
                          [tag_for_keyword(keyword)])  # fmt: skip
    series = ds.get("PerformedSeriesSequence") or []
    if not series:
        raise Refusal(MISSING_ATTRIBUTE_VALUE, "final: no Performed Series (F.7.2-1 note 2)",
                      [tag_for_keyword("PerformedSeriesSequence")])  # fmt: skip
    if require_references:
        refs = sum(len(item.get("ReferencedImageSequence") or [])
                   + len(item.get("ReferencedNonImageCompositeSOPInstanceSequence") or [])
                   for item in series)  # fmt: skip
        if refs == 0:
            raise Refusal(PROCESSING_FAILURE, "final: no instance referenced (F.7.2.2.2)")


def _check_item(ds: Dataset, spec: Spec, operation: str, top: bool) -> None:
    """Table F.7.2-1 types for ``operation``: N-CREATE Type 1 and 2 present (1 with a
    value); N-SET top-level attributes are all 3/x (optional) but 3/1 ones need a value
    when sent, and items sent in an N-SET carry their 1/1 and 2/2 attributes."""
    for keyword, (create_type, set_type, nested) in spec.items():
        required = create_type if operation == N_CREATE else set_type
        tag = tag_for_keyword(keyword)
        if required == "-":
            continue  # refused before, when sent in an N-SET
        if keyword not in ds:
            if operation == N_CREATE and required in ("1", "2"):
                raise Refusal(MISSING_ATTRIBUTE, f"{keyword} missing (Type {required})", [tag])
            if operation == N_SET and not top and required in ("1", "2"):
                raise Refusal(MISSING_ATTRIBUTE_VALUE, f"{keyword} missing in item", [tag])
            continue
        if required == "1" and not _has_value(ds, keyword):
            raise Refusal(MISSING_ATTRIBUTE_VALUE, f"{keyword} empty (Type 1)", [tag])
        if nested is None:
            continue
        for item in ds[keyword].value or []:
            if nested in (CODE_MANDATORY, CODE_OPTIONAL):
                _check_code(item, nested == CODE_MANDATORY, keyword)
            else:
                _check_item(item, nested, operation, top=False)


def _check_code(item: Dataset, meaning_required: bool, sequence: str) -> None:
    """Code Value Macro items (Tables F.7.2-1a..f)."""
    has_value = any(_has_value(item, k) for k in ("CodeValue", "LongCodeValue", "URNCodeValue"))
    if not has_value:
        raise Refusal(MISSING_ATTRIBUTE_VALUE, f"{sequence}: no code value (Type 1C)",
                      [tag_for_keyword("CodeValue")])  # fmt: skip
    if (_has_value(item, "CodeValue") or _has_value(item, "LongCodeValue")) and not _has_value(
        item, "CodingSchemeDesignator"
    ):
        raise Refusal(MISSING_ATTRIBUTE_VALUE, f"{sequence}: no scheme (Type 1C)",
                      [tag_for_keyword("CodingSchemeDesignator")])  # fmt: skip
    if meaning_required and not _has_value(item, "CodeMeaning"):
        raise Refusal(MISSING_ATTRIBUTE_VALUE, f"{sequence}: no Code Meaning (Type 1)",
                      [tag_for_keyword("CodeMeaning")])  # fmt: skip


def _check_dates(ds: Dataset) -> None:
    for keyword in DATES:
        value = str(ds.get(keyword, "") or "")
        if value and not _valid_date(value):
            raise Refusal(INVALID_ATTRIBUTE_VALUE, f"{keyword} {value!r} is no DA",
                          [tag_for_keyword(keyword)])  # fmt: skip
    for keyword in TIMES:
        value = str(ds.get(keyword, "") or "")
        if value and not _TM.match(value):
            raise Refusal(INVALID_ATTRIBUTE_VALUE, f"{keyword} {value!r} is no TM",
                          [tag_for_keyword(keyword)])  # fmt: skip


def _valid_date(value: str) -> bool:
    if not re.fullmatch(r"\d{8}", value):
        return False
    try:
        date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return False
    return True


def _has_value(ds: Dataset, keyword: str) -> bool:
    if keyword not in ds:
        return False
    value = ds[keyword].value
    if value is None:
        return False
    if isinstance(value, str | bytes):
        return bool(value.strip(b" \x00" if isinstance(value, bytes) else " \x00"))
    if hasattr(value, "__len__"):
        return len(value) > 0
    return True


def _copy(ds: Dataset) -> Dataset:
    out = Dataset()
    for elem in ds:
        out[elem.tag] = elem
    return out
