"""The Storage SCP's C-STORE command sets coded directly: the request's decoded, the
response's encoded (PS3.7 9.3.1; Implicit VR Little Endian, PS3.7 6.3.1).

pynetdicom decodes and encodes every command set through pydicom datasets (encoding
each response twice), about 0.4 ms a message here; these are a few fixed elements.
Values come out as pydicom would give them. Anything unusual (an unknown element,
several values, non-ASCII text, no data set) gives None: pynetdicom then does it.
"""

from __future__ import annotations

import struct

from workstation.dicom.uid_rules import encodable_comment

C_STORE_RQ = 0x0001
C_STORE_RSP = 0x8001
NO_DATA_SET = 0x0101

# (0000,eeee) -> (keyword as in pynetdicom's primitives, VR)
_RQ_ELEMENTS: dict[int, tuple[str, str]] = {
    0x0000: ("CommandGroupLength", "UL"),
    0x0002: ("AffectedSOPClassUID", "UI"),
    0x0100: ("CommandField", "US"),
    0x0110: ("MessageID", "US"),
    0x0700: ("Priority", "US"),
    0x0800: ("CommandDataSetType", "US"),
    0x1000: ("AffectedSOPInstanceUID", "UI"),
    0x1030: ("MoveOriginatorApplicationEntityTitle", "AE"),
    0x1031: ("MoveOriginatorMessageID", "US"),
}
# what a C_STORE primitive takes from the command set (message_to_primitive's choice)
PRIMITIVE_KEYWORDS = (
    "AffectedSOPClassUID",
    "MessageID",
    "Priority",
    "AffectedSOPInstanceUID",
    "MoveOriginatorApplicationEntityTitle",
    "MoveOriginatorMessageID",
)
_INT_SIZE = {"US": (2, "<H"), "UL": (4, "<I")}


def _value(vr: str, raw: bytes) -> int | str | None:
    """The value as pydicom decodes it, or None where only pydicom's rules should say."""
    if vr in _INT_SIZE:
        size, fmt = _INT_SIZE[vr]
        return struct.unpack(fmt, raw)[0] if len(raw) == size else None
    if b"\\" in raw:
        return None  # several values
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    value = text.rstrip("\0 ") if vr == "UI" else text.strip()
    return value or None


def decode_store_request(data: bytes) -> dict[str, int | str] | None:
    """The elements of a C-STORE-RQ command set with a data set following, by keyword."""
    values: dict[str, int | str] = {}
    offset, end = 0, len(data)
    while offset < end:
        if end - offset < 8:
            return None
        group, element, length = struct.unpack_from("<HHI", data, offset)
        offset += 8
        spec = _RQ_ELEMENTS.get(element)
        if group != 0 or spec is None or length > end - offset or spec[0] in values:
            return None
        value = _value(spec[1], data[offset : offset + length])
        offset += length
        if value is None:
            return None
        values[spec[0]] = value
    if values.get("CommandField") != C_STORE_RQ:
        return None
    if values.get("CommandDataSetType", NO_DATA_SET) == NO_DATA_SET:
        return None
    return values


def _element(element: int, value: bytes, pad: bytes = b"\x00") -> bytes:
    if len(value) % 2:
        value += pad
    return struct.pack("<HHI", 0x0000, element, len(value)) + value


def _us(element: int, value: int) -> bytes:
    return struct.pack("<HHIH", 0x0000, element, 2, value)


def encode_store_response(
    sop_class_uid: str | None,
    sop_instance_uid: str | None,
    message_id: int,
    status: int,
    error_comment: str | None = None,
) -> bytes:
    """The encoded C-STORE-RSP command set, group length first, as pynetdicom writes
    it; the comment made encodable (dicom/uid_rules.py), omitted when empty."""
    return encode_response(
        C_STORE_RSP, sop_class_uid, sop_instance_uid, message_id, status, error_comment
    )


def encode_response(
    command_field: int,
    sop_class_uid: str | None,
    sop_instance_uid: str | None,
    message_id: int,
    status: int,
    error_comment: str | None = None,
) -> bytes:
    """A response command set without data set (C-STORE/ECHO/FIND/GET/MOVE, N-ACTION,
    N-EVENT-REPORT: Affected SOP Class/Instance UID, Status, Error Comment)."""
    parts = []
    if sop_class_uid:
        parts.append(_element(0x0002, sop_class_uid.encode("ascii")))
    parts += [
        _us(0x0100, command_field),
        _us(0x0120, message_id),
        _us(0x0800, NO_DATA_SET),
        _us(0x0900, status),
    ]
    comment = encodable_comment(error_comment) if error_comment else ""
    if comment:
        parts.append(_element(0x0902, comment.encode("ascii"), b" "))
    if sop_instance_uid:
        parts.append(_element(0x1000, sop_instance_uid.encode("ascii")))
    body = b"".join(parts)
    return struct.pack("<HHII", 0x0000, 0x0000, 4, len(body)) + body
