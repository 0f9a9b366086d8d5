"""Request command sets checked before pynetdicom or the wire fast path decode them.

A request (C-STORE, C-ECHO, C-FIND, C-GET, C-MOVE, N-ACTION, N-EVENT-REPORT) whose
Affected or Requested SOP Class or Instance UID cannot be taken as a UID (empty,
over 64 characters, non-ASCII, a backslash, NUL or other control characters) would end
in silence (pynetdicom drops a request it finds invalid) or an abort (its UID setter
raises). :func:`install` wraps the DIMSE provider's ``receive_primitive`` (fast paths on
or off): such a request, with its data set, is consumed here and answered with a failure
status (``REQUESTS``) and an encodable comment; the response echoes only what is a valid UI value (PS3.7 9.3.1.2,
Affected SOP Class/Instance UID are conditional on being known). Every other message is
passed on untouched. The association stays open (CONFORMANCE.md, "Storage SCP outcomes").
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable
from typing import Any

from pynetdicom.pdu_primitives import P_DATA

from workstation.dicom.status import StoreStatus
from workstation.dicom.uid_rules import uid_problem
from workstation.net.wire.store_commands import NO_DATA_SET, encode_response

log = logging.getLogger(__name__)

_AFFECTED_SOP_CLASS, _REQUESTED_SOP_CLASS, _COMMAND_FIELD = 0x0002, 0x0003, 0x0100
_MESSAGE_ID, _DATA_SET_TYPE = 0x0110, 0x0800
_AFFECTED_SOP_INSTANCE, _REQUESTED_SOP_INSTANCE = 0x1000, 0x1001
PROCESSING_FAILURE = 0x0110  # PS3.7 C.4.2: the general failure of C-ECHO and N- services
UNABLE_TO_PROCESS = 0xC000

# request command field -> (SOP class element, SOP instance element or None, failure)
REQUESTS: dict[int, tuple[int, int | None, int]] = {
    0x0001: (_AFFECTED_SOP_CLASS, _AFFECTED_SOP_INSTANCE, StoreStatus.DATASET_DOES_NOT_MATCH_SOP_CLASS),
    0x0030: (_AFFECTED_SOP_CLASS, None, PROCESSING_FAILURE),  # C-ECHO
    0x0020: (_AFFECTED_SOP_CLASS, None, UNABLE_TO_PROCESS),  # C-FIND
    0x0010: (_AFFECTED_SOP_CLASS, None, UNABLE_TO_PROCESS),  # C-GET
    0x0021: (_AFFECTED_SOP_CLASS, None, UNABLE_TO_PROCESS),  # C-MOVE
    0x0100: (_AFFECTED_SOP_CLASS, _AFFECTED_SOP_INSTANCE, PROCESSING_FAILURE),  # N-EVENT-REPORT
    0x0130: (_REQUESTED_SOP_CLASS, _REQUESTED_SOP_INSTANCE, PROCESSING_FAILURE),  # N-ACTION
}


def command_elements(data: bytes) -> dict[int, bytes] | None:
    """The group 0000 elements of an Implicit VR LE command set; None if not parseable."""
    out: dict[int, bytes] = {}
    offset, end = 0, len(data)
    while offset < end:
        if end - offset < 8:
            return None
        group, element, length = struct.unpack_from("<HHI", data, offset)
        offset += 8
        if group != 0 or length > end - offset:
            return None
        out[element] = data[offset : offset + length]
        offset += length
    return out


def _us(elements: dict[int, bytes], element: int) -> int | None:
    raw = elements.get(element)
    return struct.unpack("<H", raw)[0] if raw is not None and len(raw) == 2 else None


def refusal(elements: dict[int, bytes]) -> str | None:
    """Why a request with these elements is refused before decoding; None: pass it."""
    spec = REQUESTS.get(_us(elements, _COMMAND_FIELD) or -1)
    if spec is None or _us(elements, _MESSAGE_ID) is None:
        return None
    class_element, instance_element, _failure = spec
    checks = [(class_element, "SOP Class")]
    if instance_element is not None:
        checks.append((instance_element, "SOP Instance"))
    for element, name in checks:
        problem = uid_problem(elements.get(element, b""))
        if problem is not None:
            return f"{name} UID: {problem}"
    return None


def refusal_response(elements: dict[int, bytes], reason: str) -> bytes:
    """The failure response to a refused request: its UIDs echoed only when valid."""
    command = _us(elements, _COMMAND_FIELD) or 0
    class_element, instance_element, failure = REQUESTS[command]
    instance = elements.get(instance_element) if instance_element is not None else None
    return encode_response(
        command | 0x8000,
        _valid_uid(elements.get(class_element)),
        _valid_uid(instance),
        _us(elements, _MESSAGE_ID) or 0,
        failure,
        reason,
    )


def _valid_uid(raw: bytes | None) -> str | None:
    if raw is None or uid_problem(raw) is not None:
        return None
    return raw.rstrip(b"\x00 ").decode("ascii")


class CommandScreen:
    """The screening ``receive_primitive`` of one acceptor association."""

    def __init__(self, assoc: Any, original: Callable[[P_DATA], None]) -> None:
        self.assoc = assoc
        self.original = original
        self.idle = True  # at a message boundary
        self.swallowing: tuple[int, bytes] | None = None  # (context ID, response) owed

    def __call__(self, primitive: P_DATA) -> None:
        pdvs = primitive.presentation_data_value_list
        if self.swallowing is not None:
            self._swallow(pdvs)
            return
        if self.idle and pdvs:
            context_id, first = pdvs[0]
            if first[:1] and first[0] & 3 == 3:  # a whole command set in one fragment
                elements = command_elements(first[1:])
                reason = refusal(elements) if elements is not None else None
                if reason is not None:
                    self._refuse(context_id, elements, reason, pdvs[1:])
                    return
        self._track(pdvs)
        self.original(primitive)

    def _track(self, pdvs: list[tuple[int, bytes]]) -> None:
        """Follow message boundaries of what is passed on (command, then data set)."""
        for _cx, data in pdvs:
            if not data:
                continue
            if data[0] & 1:  # command fragment
                if data[0] & 2:
                    elements = command_elements(data[1:]) or {}
                    self.idle = _us(elements, _DATA_SET_TYPE) == NO_DATA_SET
                else:
                    self.idle = False
            elif data[0] & 2:
                self.idle = True

    def _refuse(self, context_id: int, elements: dict[int, bytes], reason: str, rest: list) -> None:
        response = refusal_response(elements, reason)
        log.warning("request (command %04X) refused before decoding: %s",
                    _us(elements, _COMMAND_FIELD), reason)  # fmt: skip
        self.swallowing = (context_id, response)
        if _us(elements, _DATA_SET_TYPE) == NO_DATA_SET:
            self._answer()
        else:
            self._swallow(rest)

    def _swallow(self, pdvs: list[tuple[int, bytes]]) -> None:
        for _cx, data in pdvs:
            if data[:1] and not data[0] & 1 and data[0] & 2:
                self._answer()
                return

    def _answer(self) -> None:
        assert self.swallowing is not None
        context_id, response = self.swallowing
        self.swallowing, self.idle = None, True
        pdata = P_DATA()
        pdata.presentation_data_value_list.append((context_id, b"\x03" + response))
        self.assoc.dul.send_pdu(pdata)


def install(assoc: Any) -> CommandScreen | None:
    """Wrap an acceptor ``assoc``'s DIMSE ``receive_primitive``; call last of the hooks
    from EVT_CONN_OPEN so that it sees every P-DATA first."""
    if not assoc.is_acceptor:
        return None
    screen = CommandScreen(assoc, assoc.dimse.receive_primitive)
    assoc.dimse.receive_primitive = screen
    return screen
