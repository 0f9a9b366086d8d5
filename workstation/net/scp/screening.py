"""Screening of every PDU a peer sends to the node, before pynetdicom decodes or acts on it.

pynetdicom 3.0.4 answers some malformed PDUs with nothing or with an exception on the DUL
thread (an even presentation context ID fails in the state machine's AE-6 and ends the
thread: no answer, a dead connection). :func:`install` replaces the acceptor DUL's PDU
reader (``_read_pdu_data``: wire fast paths on or off, both read through it) with one
that checks the header, then the body, and answers a PDU it refuses itself: an
A-ASSOCIATE-RJ (from Sta2, state machine then in Sta13 as after AE-6's rejection) or an
A-ABORT (through pynetdicom's Evt19 actions AA-1/AA-8, with our source and reason), and
then discards what the peer still sends until the connection closes. Every PDU it
passes is decoded by pynetdicom as before.

Answers (PS3.8 9.2 state machine, 9.3 PDU structures; RJ = result/source/reason, Table
9-21; ABORT = source 2 "service provider" + reason, Table 9-26):

==========================================  ==================  =========================
Received                                    Answer              PS3.8
==========================================  ==================  =========================
PDU type not 01H-07H (garbage, HTTP...)     ABORT reason 1      9.2 Evt19, 9.3.1
PDU not valid in the state (P-DATA before   ABORT reason 2      9.2 Table 9-10 AA-1/AA-8
association, RQ twice, RELEASE-RP unasked,
A-ASSOCIATE-AC/RJ to an acceptor)
PDU length 0 / below its type's minimum     ABORT reason 6      9.3.2-9.3.6 (fixed fields)
RELEASE-RQ/RP or ABORT length not 4         ABORT reason 6      9.3.6, 9.3.7, 9.3.8
RQ longer than MAX_ASSOCIATE_RQ; P-DATA     ABORT reason 6,     9.3.5, PS3.7 D.3.3.1
longer than our Maximum Length Received     body not read
RQ protocol version without bit 0           RJ 1/2/2            9.3.2 (version 1 = bit 0)
RQ version with bit 0 and other bits        accepted as v1      9.3.2
Called AE title all spaces, or a byte       RJ 1/1/7            9.3.2 (ISO 646 G0, not
outside 20H-7EH, or a backslash                                 16 spaces), PS3.5 AE VR
Calling AE title likewise                   RJ 1/1/3            9.3.2
Called AE title not ours (setting           RJ 1/1/7            9.3.2, node.py
node.check_called_ae, on by default)
Item or sub-item header/length overrunning  ABORT reason 6      9.3.2, 9.3.1
the PDU or its item
Application Context item missing, twice,    ABORT reason 6      9.3.2.1
or its name not a UID
Application context name not DICOM's        RJ 1/1/2            9.3.2.1, PS3.7 A.2.1
No Presentation Context item                ABORT reason 6      9.3.2 (one or more)
Context ID even, 0, or used twice           ABORT reason 6      9.3.2.2 (odd 1-255, unique)
Abstract Syntax missing, twice, empty or    ABORT reason 6      9.3.2.2.1
not a UID
No Transfer Syntax, or one empty or not a   ABORT reason 6      9.3.2.2.2
UID
User Information item missing or twice;     ABORT reason 6      9.3.2.3, PS3.7 D.3.3.1
Maximum Length sub-item not 4 bytes
Any other value pynetdicom cannot decode    ABORT reason 6      9.3.1
Items and sub-items of unknown types        skipped             9.3.1 ("ignored")
P-DATA without a PDV, a PDV item shorter    ABORT reason 6      9.3.5
than 2 or overrunning, or a context ID
that was not accepted
==========================================  ==================  =========================

The protocol-version rejection is source 2 ("service provider, ACSE related"), reason 2,
as pynetdicom's AE-6 sends it; source 3 reason 2 would be "local limit exceeded".
"""

from __future__ import annotations

import logging
import re
import socket
import struct
from dataclasses import dataclass
from typing import Any

from pynetdicom.association import Association
from pynetdicom.fsm import TRANSITION_TABLE
from pynetdicom.pdu import A_ABORT_RQ, A_ASSOCIATE_RQ, PDU_TYPES
from pynetdicom.pdu_items import PDU_ITEM_TYPES
from pynetdicom.pdu_primitives import A_P_ABORT

log = logging.getLogger(__name__)

DICOM_APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1"
MAX_ASSOCIATE_RQ = 1 << 20  # bytes: 128 contexts with many transfer syntaxes fit easily
MAX_UNLIMITED_PDU = 1 << 26  # P-DATA limit when we announce 0 (no limit): still bounded
RQ_FIXED = 68  # version, reserved, called AE, calling AE, 32 reserved bytes (9.3.2)
DRAIN_CHUNK = 65536

# PDU types (9.3.1) and the state machine event each is
PDU_EVENTS = {1: "Evt6", 2: "Evt3", 3: "Evt4", 4: "Evt10", 5: "Evt12", 6: "Evt13", 7: "Evt16"}
ASSOCIATE_RQ, P_DATA = 0x01, 0x04
PDU_CLASSES = {code: cls for cls, code in PDU_TYPES.items()}
UNEXPECTED_ACTIONS = ("AA-1", "AA-8")  # the state machine's answer to a PDU out of order
AWAITING_CLOSE = "Sta13"
AWAITING_REQUEST = "Sta2"

# A-ABORT reasons (source 2, Table 9-26) and A-ASSOCIATE-RJ codes (Table 9-21)
PROVIDER = 0x02
UNRECOGNIZED_PDU, UNEXPECTED_PDU, INVALID_PARAMETER = 0x01, 0x02, 0x06
PERMANENT, SERVICE_USER, PROVIDER_ACSE = 0x01, 0x01, 0x02
APP_CONTEXT_NOT_SUPPORTED, CALLING_AE_NOT_RECOGNIZED, CALLED_AE_NOT_RECOGNIZED = 2, 3, 7
VERSION_NOT_SUPPORTED = 0x02

ITEM_APP_CONTEXT, ITEM_CONTEXT, ITEM_USER_INFO = 0x10, 0x20, 0x50
SUB_ABSTRACT, SUB_TRANSFER, SUB_MAX_LENGTH = 0x30, 0x40, 0x51
KNOWN_USER_SUB_ITEMS = frozenset(t for t in PDU_ITEM_TYPES if 0x51 <= t <= 0x5F)
UID_RE = re.compile(rb"[0-9]+(\.[0-9]+)*")


@dataclass(frozen=True, slots=True)
class Refusal:
    """How a PDU is answered: an A-ABORT (source 2, ``reason``) or an A-ASSOCIATE-RJ."""

    reject: bool
    reason: int
    why: str
    source: int = PROVIDER
    result: int = PERMANENT

    def pdu(self) -> bytes:
        """The answer's bytes: A-ASSOCIATE-RJ (type 03H) or A-ABORT (07H), length 4."""
        if self.reject:
            return struct.pack(">BBLBBBB", 0x03, 0, 4, 0, self.result, self.source, self.reason)
        return struct.pack(">BBLBBBB", 0x07, 0, 4, 0, 0, self.source, self.reason)


class Refused(Exception):
    """A PDU the screening refuses; ``refusal`` says what the peer gets."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.why)
        self.refusal = refusal


def _abort(reason: int, why: str) -> Refused:
    return Refused(Refusal(False, reason, why))


def _reject(source: int, reason: int, why: str) -> Refused:
    return Refused(Refusal(True, reason, why, source=source))


# -- the header ---------------------------------------------------------------------------
def check_header(pdu_type: int, length: int, state: str, max_p_data: int) -> None:
    """Refuse a PDU from its type, its length and the DUL ``state`` before its body is read
    (``max_p_data``: the largest P-DATA-TF we take, 0 for our no-limit default)."""
    event = PDU_EVENTS.get(pdu_type)
    if event is None:
        raise _abort(UNRECOGNIZED_PDU, f"unrecognised PDU type 0x{pdu_type:02X}")
    if state != AWAITING_CLOSE and TRANSITION_TABLE.get((event, state)) in UNEXPECTED_ACTIONS:
        raise _abort(UNEXPECTED_PDU, f"PDU type 0x{pdu_type:02X} not expected in {state}")
    if pdu_type == ASSOCIATE_RQ:
        low, high = RQ_FIXED, MAX_ASSOCIATE_RQ
    elif pdu_type == P_DATA:
        low, high = 6, max_p_data or MAX_UNLIMITED_PDU
    elif pdu_type == 0x02:  # A-ASSOCIATE-AC (read only while awaiting close)
        low, high = RQ_FIXED, MAX_ASSOCIATE_RQ
    else:  # A-ASSOCIATE-RJ, A-RELEASE-RQ/RP, A-ABORT: four fixed bytes
        low = high = 4
    if not low <= length <= high:
        raise _abort(INVALID_PARAMETER, f"PDU type 0x{pdu_type:02X} of length {length}")


# -- A-ASSOCIATE-RQ -----------------------------------------------------------------------
def _items(data: bytes, where: str) -> list[tuple[int, bytes]]:
    """(type, body) of each item in ``data`` (type, reserved, 2-byte length, body)."""
    items: list[tuple[int, bytes]] = []
    offset = 0
    while offset < len(data):
        if offset + 4 > len(data):
            raise _abort(INVALID_PARAMETER, f"item header truncated in {where}")
        item_type, _, length = struct.unpack_from(">BBH", data, offset)
        end = offset + 4 + length
        if end > len(data):
            raise _abort(INVALID_PARAMETER, f"item 0x{item_type:02X} overruns {where}")
        items.append((item_type, data[offset + 4 : end]))
        offset = end
    return items


def _item(item_type: int, body: bytes) -> bytes:
    return struct.pack(">BBH", item_type, 0, len(body)) + body


def _uid(value: bytes, what: str) -> str:
    """A UID field's value (trailing NUL or space padding allowed), else refused."""
    value = value.rstrip(b"\0 ")
    if not 0 < len(value) <= 64 or UID_RE.fullmatch(value) is None:
        raise _abort(INVALID_PARAMETER, f"{what} is not a UID: {value[:64]!r}")
    return value.decode("ascii")


def _ae_title(field: bytes, reason: int, what: str) -> None:
    if not field.strip(b" "):
        raise _reject(SERVICE_USER, reason, f"{what} AE title is all spaces")
    if any(b < 0x20 or b > 0x7E or b == 0x5C for b in field):
        raise _reject(SERVICE_USER, reason, f"{what} AE title has illegal characters")


def _context(body: bytes, seen: set[int]) -> bytes:
    """A Presentation Context item (RQ) checked; its body with unknown sub-items left out."""
    if len(body) < 4:
        raise _abort(INVALID_PARAMETER, "presentation context item shorter than 4 bytes")
    pc_id = body[0]
    if pc_id % 2 == 0:
        raise _abort(INVALID_PARAMETER, f"presentation context ID {pc_id} is not odd")
    if pc_id in seen:
        raise _abort(INVALID_PARAMETER, f"presentation context ID {pc_id} used twice")
    seen.add(pc_id)
    subs = [(t, b) for t, b in _items(body[4:], f"context {pc_id}") if t in (0x30, 0x40)]
    abstract = [b for t, b in subs if t == SUB_ABSTRACT]
    transfers = [b for t, b in subs if t == SUB_TRANSFER]
    if len(abstract) != 1:
        raise _abort(INVALID_PARAMETER, f"context {pc_id}: {len(abstract)} abstract syntaxes")
    if not transfers:
        raise _abort(INVALID_PARAMETER, f"context {pc_id}: no transfer syntax")
    _uid(abstract[0], f"context {pc_id} abstract syntax")
    for ts in transfers:
        _uid(ts, f"context {pc_id} transfer syntax")
    return body[:4] + b"".join(_item(t, b) for t, b in subs)


def _user_information(body: bytes) -> bytes:
    subs = [(t, b) for t, b in _items(body, "user information") if t in KNOWN_USER_SUB_ITEMS]
    for sub_type, sub in subs:
        if sub_type == SUB_MAX_LENGTH and len(sub) != 4:
            raise _abort(INVALID_PARAMETER, "maximum length sub-item not 4 bytes")
    return b"".join(_item(t, b) for t, b in subs)


def screen_associate_rq(raw: bytes) -> bytes:
    """Check a whole A-ASSOCIATE-RQ PDU (header included); the PDU pynetdicom may decode
    (version 1, unknown items left out), or :class:`Refused`."""
    body = raw[6:]
    if len(body) < RQ_FIXED:
        raise _abort(INVALID_PARAMETER, "A-ASSOCIATE-RQ shorter than its fixed fields")
    (version,) = struct.unpack_from(">H", body)
    if not version & 1:
        raise _reject(PROVIDER_ACSE, VERSION_NOT_SUPPORTED, f"protocol version 0x{version:04X}")
    _ae_title(body[4:20], CALLED_AE_NOT_RECOGNIZED, "called")
    _ae_title(body[20:36], CALLING_AE_NOT_RECOGNIZED, "calling")
    app_contexts: list[bytes] = []
    contexts: list[bytes] = []
    user_info: list[bytes] = []
    seen: set[int] = set()
    for item_type, item_body in _items(body[RQ_FIXED:], "the A-ASSOCIATE-RQ"):
        if item_type == ITEM_APP_CONTEXT:
            app_contexts.append(item_body)
        elif item_type == ITEM_CONTEXT:
            contexts.append(_context(item_body, seen))
        elif item_type == ITEM_USER_INFO:
            user_info.append(_user_information(item_body))
    if len(app_contexts) != 1:
        raise _abort(INVALID_PARAMETER, f"{len(app_contexts)} application context items")
    if not contexts:
        raise _abort(INVALID_PARAMETER, "no presentation context item")
    if len(user_info) != 1:
        raise _abort(INVALID_PARAMETER, f"{len(user_info)} user information items")
    name = _uid(app_contexts[0], "application context name")
    if name != DICOM_APPLICATION_CONTEXT:
        raise _reject(SERVICE_USER, APP_CONTEXT_NOT_SUPPORTED, f"application context {name}")
    out = struct.pack(">HH", 1, 0) + body[4:RQ_FIXED] + _item(ITEM_APP_CONTEXT, app_contexts[0])
    out += b"".join(_item(ITEM_CONTEXT, c) for c in contexts)
    out += _item(ITEM_USER_INFO, user_info[0])
    return struct.pack(">BBL", ASSOCIATE_RQ, 0, len(out)) + out


def decode_associate_rq(raw: bytes) -> tuple[bytes, A_ASSOCIATE_RQ]:
    """Screen and decode a whole A-ASSOCIATE-RQ PDU as the DUL does, its primitive made as
    the state machine's AE-6 makes it: the screened bytes and the PDU, or :class:`Refused`
    (nothing else)."""
    screened = screen_associate_rq(raw)
    try:
        rq = A_ASSOCIATE_RQ()
        rq.decode(screened)
        rq.to_primitive()
    except Exception as exc:  # whatever pynetdicom cannot take: an invalid parameter
        raise _abort(INVALID_PARAMETER, f"A-ASSOCIATE-RQ not decodable: {exc!r}") from None
    return screened, rq


# -- P-DATA-TF ----------------------------------------------------------------------------
def screen_p_data(raw: bytes | bytearray, context_ids: frozenset[int]) -> None:
    """Check a whole P-DATA-TF PDU: one or more PDV items, each whole, each on an accepted
    presentation context (``context_ids``); else :class:`Refused`."""
    end, offset = len(raw), 6
    if end == offset:
        raise _abort(INVALID_PARAMETER, "P-DATA-TF without a PDV item")
    while offset < end:
        if offset + 6 > end:
            raise _abort(INVALID_PARAMETER, "PDV item header truncated")
        (length,) = struct.unpack_from(">L", raw, offset)
        if length < 2 or offset + 4 + length > end:
            raise _abort(INVALID_PARAMETER, f"PDV item of length {length} does not fit")
        if raw[offset + 4] not in context_ids:
            raise _abort(INVALID_PARAMETER, f"PDV on context {raw[offset + 4]}, not accepted")
        offset += 4 + length


# -- a whole PDU --------------------------------------------------------------------------
def screen_pdu(
    raw: bytearray, state: str, max_p_data: int = 0, context_ids: frozenset[int] = frozenset()
) -> bytearray:
    """Check a whole PDU received in DUL ``state`` as the node's reader does: the bytes
    pynetdicom may decode (an A-ASSOCIATE-RQ tidied), or :class:`Refused`."""
    if len(raw) < 6:
        raise _abort(INVALID_PARAMETER, "shorter than a PDU header")
    pdu_type, _, length = struct.unpack_from(">BBL", raw)
    check_header(pdu_type, length, state, max_p_data)
    if len(raw) != 6 + length:
        raise _abort(INVALID_PARAMETER, f"{len(raw)} bytes for a PDU of length {length}")
    if pdu_type == ASSOCIATE_RQ and state == AWAITING_REQUEST:
        return bytearray(decode_associate_rq(bytes(raw))[0])  # what AE-6 does, tried here
    if pdu_type == P_DATA and state != AWAITING_CLOSE:
        screen_p_data(raw, context_ids)
    return raw


def decode_pdu(
    raw: bytearray, state: str, max_p_data: int = 0, context_ids: frozenset[int] = frozenset()
) -> Any:
    """:func:`screen_pdu`, then pynetdicom's decoding as the DUL does it: the PDU, or
    :class:`Refused` (nothing else)."""
    screened = screen_pdu(raw, state, max_p_data, context_ids)
    try:
        pdu = PDU_CLASSES[screened[0]]()
        pdu.decode(bytes(screened))
    except Exception as exc:  # whatever pynetdicom cannot take: an invalid parameter
        raise _abort(INVALID_PARAMETER, f"PDU not decodable: {exc!r}") from None
    return pdu


# -- the DUL's reader ---------------------------------------------------------------------
class PduScreen:
    """The screening reader of one acceptor DUL (see the module docstring)."""

    def __init__(self, assoc: Association) -> None:
        self.assoc = assoc
        self.dul = assoc.dul
        self._send_pdu = assoc.dul._send
        self.abort_reason: int | None = None  # the next A-ABORT the DUL sends gets it
        self.discarding = False  # refused: the rest of the conversation is not read
        self._context_ids: frozenset[int] | None = None

    def install(self) -> None:
        dul = self.dul
        dul._read_pdu_data = self.read_pdu  # type: ignore[method-assign]
        dul._send = self.send  # type: ignore[method-assign]
        self._do_action = dul.state_machine.do_action
        dul.state_machine.do_action = self.do_action  # type: ignore[method-assign]

    def do_action(self, event: str) -> None:
        """The state machine's ``do_action``; an action that fails (a DIMSE message that
        pynetdicom's DT-2 cannot decode, say) aborts the association instead of ending
        the DUL thread with the association left hanging."""
        try:
            self._do_action(event)
        except Exception:
            state = self.dul.state_machine.current_state
            log.exception("DUL action for %s failed in %s: aborting", event, state)
            self._abort_now(INVALID_PARAMETER if event == "Evt10" else 0x00)

    def send(self, pdu: Any) -> None:
        """The DUL's ``_send``: an A-ABORT of our refusal carries our source and reason."""
        if self.abort_reason is not None and isinstance(pdu, A_ABORT_RQ):
            pdu.source, pdu.reason_diagnostic = PROVIDER, self.abort_reason
            self.abort_reason = None
        self._send_pdu(pdu)

    def _max_p_data(self) -> int:
        return int(getattr(self.assoc.acceptor, "maximum_length", 0) or 0)

    def _accepted_ids(self) -> frozenset[int]:
        if self._context_ids is None:
            ids = frozenset(int(cx.context_id) for cx in self.assoc.accepted_contexts)
            if not self.assoc.is_established:
                return ids  # not final yet
            self._context_ids = ids
        return self._context_ids

    def read_pdu(self) -> None:
        """pynetdicom's ``_read_pdu_data`` with the screening (runs on the DUL thread)."""
        dul = self.dul
        if self.discarding:
            self._drain()
            return
        header = bytes(dul.socket.recv(6))
        if len(header) < 6:
            dul.event_queue.put("Evt17")  # closed (or cut off) before a whole header
            return
        pdu_type, _, length = struct.unpack(">BBL", header)
        state = self._settled_state()
        try:
            check_header(pdu_type, length, state, self._max_p_data())
        except Refused as refused:
            self._refuse(refused.refusal, state)
            return
        raw = bytearray(header)
        raw += dul.socket.recv(length)
        if len(raw) != 6 + length:
            log.error("PDU shorter than announced (%d of %d bytes)", len(raw), 6 + length)
            dul.event_queue.put("Evt17")
            return
        try:
            context_ids = self._accepted_ids() if pdu_type == P_DATA else frozenset()
            raw = screen_pdu(raw, state, self._max_p_data(), context_ids)
        except Refused as refused:
            self._refuse(refused.refusal, state)
            return
        try:
            pdu, event = dul._decode_pdu(raw)
        except Exception:
            log.exception("PDU not decodable")
            self._refuse(Refusal(False, INVALID_PARAMETER, "PDU not decodable"), state)
            return
        dul.event_queue.put(event)
        dul._recv_pdu.put(pdu)

    def _settled_state(self) -> str:
        """The DUL's state once the connection's Evt5 is handled: the first PDU is read
        before the loop gets to it (Sta1 then means "Sta2 in a moment")."""
        dul = self.dul
        machine = dul.state_machine
        pending = dul.event_queue.queue
        while machine.current_state == "Sta1" and pending and pending[0] == "Evt5":
            machine.do_action(dul.event_queue.get(block=False))  # AE-5: Sta2
        return str(machine.current_state)

    def _refuse(self, refusal: Refusal, state: str) -> None:
        """Answer with ``refusal``; what the peer sends after it is not read any more."""
        address = getattr(self.assoc.requestor, "address", "?")
        log.warning("PDU from %s refused (%s): %s", address, _describe(refusal), refusal.why)
        self.discarding = True
        dul = self.dul
        if refusal.reject and state == AWAITING_REQUEST:
            # as AE-6 rejects: A-ASSOCIATE-RJ, ARTIM timer, Sta13 (awaiting close)
            dul.socket.send(refusal.pdu())
            dul.artim_timer.start()
            dul.state_machine.transition(AWAITING_CLOSE)
            return
        # Evt19 "invalid PDU": AA-1 (Sta2), AA-8 (Sta3-12) or AA-7 (Sta13) send the
        # A-ABORT, with our reason (send); AA-8 also tells the association thread
        self.abort_reason = refusal.reason if not refusal.reject else UNEXPECTED_PDU
        dul.event_queue.put("Evt19")

    def _abort_now(self, reason: int) -> None:
        """A-ABORT straight onto the socket, A-P-ABORT to the association thread, then as
        after AA-8: ARTIM timer, Sta13, the rest of the conversation not read."""
        dul, assoc = self.dul, self.assoc
        self.discarding = True
        if dul.state_machine.current_state in ("Sta1", AWAITING_CLOSE):
            return
        try:
            dul.socket.send(Refusal(False, reason, "").pdu())
            assoc._sent_abort = True  # pynetdicom's abort() queues no second one
        except (OSError, AttributeError):
            pass
        indication = A_P_ABORT()
        indication.provider_reason = reason
        dul.to_user_queue.put(indication)
        dul.artim_timer.start()
        dul.state_machine.transition(AWAITING_CLOSE)

    def _drain(self) -> None:
        """After a refusal: read and drop what is there; Evt17 once the peer has closed."""
        sock = getattr(self.dul.socket, "socket", None)
        try:
            data = sock.recv(DRAIN_CHUNK, socket.MSG_DONTWAIT) if sock is not None else b""
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.dul.socket.close()  # Evt17 (once)


def _describe(refusal: Refusal) -> str:
    if refusal.reject:
        return f"A-ASSOCIATE-RJ {refusal.result}/{refusal.source}/{refusal.reason}"
    return f"A-ABORT {refusal.source}/{refusal.reason}"


def install(assoc: Association) -> PduScreen | None:
    """Put the screening on an acceptor ``assoc``'s DUL (from EVT_CONN_OPEN, before its
    threads start, and before the deadlines so that they bound the screening's reads)."""
    if not assoc.is_acceptor or assoc.dul.socket is None:
        return None
    screen = PduScreen(assoc)
    screen.install()
    return screen
