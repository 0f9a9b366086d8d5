"""C-STORE command sets coded directly (net/wire/store_commands.py) give pynetdicom's bytes and
values, and leave everything unusual to pynetdicom."""

from __future__ import annotations

import struct
from io import BytesIO

import pytest
from pynetdicom.dimse_messages import C_ECHO_RQ, C_STORE_RQ, C_STORE_RSP, DIMSEMessage
from pynetdicom.dimse_primitives import C_ECHO, C_STORE
from pynetdicom.dsutils import encode
from pynetdicom.pdu_primitives import P_DATA

from workstation.net.wire.store_commands import (
    PRIMITIVE_KEYWORDS,
    decode_store_request,
    encode_store_response,
)

CT = "1.2.840.10008.5.1.4.1.1.2"


def pynetdicom_response(status: int, comment: str | None, sop_class: str | None,
                        sop_uid: str | None, message_id: int) -> bytes:  # fmt: skip
    rsp = C_STORE()
    rsp.MessageIDBeingRespondedTo = message_id
    rsp.AffectedSOPClassUID = sop_class
    rsp.AffectedSOPInstanceUID = sop_uid
    rsp.Status = status
    if comment is not None:
        rsp.ErrorComment = comment
    msg = C_STORE_RSP()
    msg.primitive_to_message(rsp)
    return encode(msg.command_set, True, True)


@pytest.mark.parametrize(
    ("status", "comment", "sop_class", "sop_uid", "message_id"),
    [
        (0x0000, None, CT, "1.2.3.4.5", 1),  # odd UID length: NUL padded
        (0x0000, None, CT, "1.2.3.4", 65535),
        (0xA900, "SOP Class UID in the dataset differs from the request", CT, "1.2.3", 7),
        (0xC000, "odd", CT, "1.2.3.44", 2),  # odd comment: space padded
        (0xA700, "x" * 64, CT, "1.2", 3),
        (0x0110, "cannot write: No space left on device", None, None, 4),
    ],
)
def test_response_bytes_equal_pynetdicoms(status, comment, sop_class, sop_uid, message_id):
    ours = encode_store_response(sop_class, sop_uid, message_id, status, comment)
    assert ours == pynetdicom_response(status, comment, sop_class, sop_uid, message_id)


@pytest.mark.parametrize(
    ("comment", "sent"),
    [("", None), ("x" * 65, "x" * 64), ("a\\b", "a?b"), ("Größe", "Gr??e"), ("a\x00b\n", "a?b?")],
)
def test_an_unencodable_comment_is_made_encodable_as_pynetdicom_would_send_it(comment, sent):
    """One sanitising (dicom/uid_rules.py) for both encoders: the fast path's bytes equal
    pynetdicom's for the sanitised comment, omitted when nothing is left."""
    ours = encode_store_response(CT, "1.2.3", 1, 0xC000, comment)
    assert ours == pynetdicom_response(0xC000, sent, CT, "1.2.3", 1)


def pynetdicom_request(**values: object) -> tuple[bytes, C_STORE]:
    """A C-STORE-RQ command set as pynetdicom encodes it, and pynetdicom's decoding."""
    rq = C_STORE()
    rq.MessageID = 5
    rq.AffectedSOPClassUID = CT
    rq.AffectedSOPInstanceUID = "1.2.3.4"
    rq.Priority = 0
    rq.DataSet = BytesIO(b"\x08\x00\x16\x00")
    for keyword, value in values.items():
        setattr(rq, keyword, value)
    msg = C_STORE_RQ()
    msg.primitive_to_message(rq)
    raw = encode(msg.command_set, True, True)
    pdata = P_DATA()
    pdata.presentation_data_value_list.append((1, b"\x03" + raw))
    pdata.presentation_data_value_list.append((1, b"\x02" + b"\x08\x00\x16\x00"))
    decoded = DIMSEMessage()
    assert decoded.decode_msg(pdata)
    return raw, decoded.message_to_primitive()


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"Priority": 2, "MessageID": 65535, "AffectedSOPInstanceUID": "1.2.3.45"},
        {"MoveOriginatorApplicationEntityTitle": "MOVER", "MoveOriginatorMessageID": 9},
    ],
)
def test_request_values_equal_pynetdicoms(values):
    raw, theirs = pynetdicom_request(**values)
    ours = decode_store_request(raw)
    assert ours is not None
    for keyword in PRIMITIVE_KEYWORDS:
        assert ours.get(keyword) == getattr(theirs, keyword), keyword


def test_other_messages_and_odd_command_sets_are_left_to_pynetdicom():
    echo = C_ECHO()
    echo.MessageID = 1
    echo.AffectedSOPClassUID = "1.2.840.10008.1.1"
    msg = C_ECHO_RQ()
    msg.primitive_to_message(echo)
    assert decode_store_request(encode(msg.command_set, True, True)) is None

    raw, _ = pynetdicom_request()
    assert decode_store_request(raw[:-3]) is None  # cut short
    assert decode_store_request(raw + struct.pack("<HHI", 0, 0x0600, 2) + b"AE") is None
    no_data_set = raw.replace(struct.pack("<HHIH", 0, 0x0800, 2, 0x0001),
                              struct.pack("<HHIH", 0, 0x0800, 2, 0x0101))  # fmt: skip
    assert no_data_set != raw and decode_store_request(no_data_set) is None
    two_values = raw.replace(b"1.2.3.4\x00", b"1.2\\3.4\x00")
    assert two_values != raw and decode_store_request(two_values) is None
