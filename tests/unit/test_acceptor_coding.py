"""The acceptor's C-STORE request reader gives what pynetdicom's DIMSE provider gives for
the same P-DATA primitives, and passes every other message to it (net/wire/acceptor.py).

Both run on real, unstarted pynetdicom associations (no thread, no socket)."""

from __future__ import annotations

import queue
import warnings
from io import BytesIO

import pytest
from pynetdicom import AE
from pynetdicom.association import Association
from pynetdicom.dimse_messages import C_ECHO_RQ, C_STORE_RQ
from pynetdicom.dimse_primitives import C_ECHO, C_STORE
from pynetdicom.dsutils import encode
from pynetdicom.pdu_primitives import P_DATA

from workstation.net.association import configure_pynetdicom
from workstation.net.wire.acceptor import RequestReader
from workstation.net.wire.store_commands import PRIMITIVE_KEYWORDS

CT = "1.2.840.10008.5.1.4.1.1.2"


@pytest.fixture(autouse=True)
def pynetdicom_configured():
    """As at start-up: without pynetdicom's standard DIMSE handlers, which make the
    reader hand every message to pynetdicom (someone watches them)."""
    configure_pynetdicom(debug=False, log_identifiers=False)
DATA = bytes(range(256)) * 40


def command(uid: str = "1.2.3.4", **values: object) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom on a UID too long: the point of one case
        return _command(uid, **values)


def _command(uid: str, **values: object) -> bytes:
    rq = C_STORE()
    rq.MessageID = 3
    rq.AffectedSOPClassUID = CT
    rq._affected_sop_instance_uid = uid  # unvalidated: a peer may send anything
    rq.Priority = 1
    rq.DataSet = BytesIO(b"x")
    for keyword, value in values.items():
        setattr(rq, keyword, value)
    msg = C_STORE_RQ()
    msg.primitive_to_message(rq)
    return encode(msg.command_set, True, True)


def echo_command() -> bytes:
    rq = C_ECHO()
    rq.MessageID = 4
    rq.AffectedSOPClassUID = "1.2.840.10008.1.1"
    msg = C_ECHO_RQ()
    msg.primitive_to_message(rq)
    return encode(msg.command_set, True, True)


def pdata(*pdvs: tuple[int, bytes]) -> P_DATA:
    p = P_DATA()
    for context_id, value in pdvs:
        p.presentation_data_value_list.append((context_id, value))
    return p


def run(primitives: list[P_DATA], ours: bool) -> tuple[list, list]:
    """(messages queued for the association thread, DUL events) after ``primitives``."""
    assoc = Association(AE(), "acceptor")
    dimse = assoc.dimse
    receive = RequestReader(assoc, dimse.receive_primitive) if ours else dimse.receive_primitive
    for p in primitives:
        receive(p)
    messages = []
    while True:
        try:
            messages.append(dimse.msg_queue.get_nowait())
        except queue.Empty:
            break
    return messages, list(assoc.dul.event_queue.queue)


def summary(messages: list) -> list:
    out = []
    for context_id, msg in messages:
        values = {k: getattr(msg, k, None) for k in PRIMITIVE_KEYWORDS}
        data = msg.DataSet.getvalue() if getattr(msg, "DataSet", None) is not None else None
        out.append((context_id, type(msg).__name__, values, data, msg._context_id))
    return out


CASES = {
    "one primitive": [pdata((1, b"\x03" + command()), (1, b"\x02" + DATA))],
    "fragments": [
        pdata(
            (
                3,
                b"\x03"
                + command(MoveOriginatorApplicationEntityTitle="MOVER", MoveOriginatorMessageID=7),
            )
        ),  # fmt: skip
        pdata((3, b"\x00" + DATA[:1000])),
        pdata((3, b"\x00" + DATA[1000:5000]), (3, b"\x02" + DATA[5000:])),
    ],
    "two stores": [
        pdata((1, b"\x03" + command("1.2.3"))),
        pdata((1, b"\x02" + DATA)),
        pdata((1, b"\x03" + command("1.2.4"))),
        pdata((1, b"\x02" + DATA[:10])),
    ],
    "after the last fragment": [
        pdata((1, b"\x03" + command()), (1, b"\x02" + DATA), (1, b"\x02" + b"ignored"))
    ],  # fmt: skip
    "echo then store": [
        pdata((1, b"\x03" + echo_command())),
        pdata((1, b"\x03" + command())),
        pdata((1, b"\x02" + DATA)),
    ],
    "command in two fragments": [
        pdata((1, b"\x01" + command()[:20])),
        pdata((1, b"\x03" + command()[20:])),
        pdata((1, b"\x02" + DATA)),
    ],
    "a UID too long for pynetdicom": [
        pdata((1, b"\x03" + command("1." + "2" * 70))),
        pdata((1, b"\x02" + DATA)),
    ],  # fmt: skip
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_same_messages_and_events_as_pynetdicom(case):
    theirs = run(CASES[case], ours=False)
    ours = run(CASES[case], ours=True)
    assert summary(ours[0]) == summary(theirs[0])
    assert ours[1] == theirs[1]


def test_a_command_fragment_inside_a_data_set_is_an_invalid_pdu():
    messages, events = run(
        [pdata((1, b"\x03" + command())), pdata((1, b"\x00" + DATA)), pdata((1, b"\x03" + DATA))],
        ours=True,
    )
    assert messages == []
    assert events == ["Evt19"]  # the DUL aborts the association, as for a broken message
