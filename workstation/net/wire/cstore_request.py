"""C-STORE requests written straight from a Part 10 file onto an association.

pynetdicom's ``send_c_store`` builds the command set as a pydicom Dataset and encodes it
twice, and parses the file meta with pydicom, for every instance: about 0.7 ms of
Python per instance, a third of a small image's round trip. A C-STORE-RQ command set is
seven fixed elements (PS3.7 9.3.1.1), so it is encoded here directly (Implicit VR
Little Endian, as PS3.7 6.3.1 requires) and the data set follows from the file in
PDU-sized fragments (PS3.8 E.2), the stored bytes unchanged. The response is decoded
by pynetdicom as usual. The association's reactor must be held (``StoreAssociation.sending``).
"""

from __future__ import annotations

import queue
import struct
import time
from collections.abc import Iterator
from pathlib import Path

from pynetdicom.association import Association
from pynetdicom.dimse_primitives import C_STORE
from pynetdicom.pdu_primitives import P_DATA

PRIORITY_MEDIUM = 0x0000
COMMAND_STORE_RQ = 0x0001
DATA_SET_PRESENT = 0x0001  # anything but 0x0101; 0x0001 as pynetdicom sends it
PDV_HEADER = 6  # PDV item length (4), context ID (1), message control header (1)
QUEUED_PDUS_MAX = 32  # bound on the fragments queued ahead of the socket (memory)
QUEUE_WAIT_S = 0.0002


class NotPart10Error(ValueError):
    """The file has no DICM prefix or no readable group 0002."""


class MessageBrokenError(OSError):
    """The file failed to read after part of its message was sent: the association
    carries half a message and must be aborted."""


def dataset_offset(path: Path) -> int:
    """Where the data set starts in a Part 10 file: after the preamble, "DICM" and the
    File Meta Information (group 0002, always Explicit VR Little Endian)."""
    with open(path, "rb") as fp:
        head = fp.read(132)
        if len(head) < 132 or head[128:132] != b"DICM":
            raise NotPart10Error(f"{path} is not a DICOM Part 10 file")
        offset = 132
        while True:
            tag = fp.read(8)
            if len(tag) < 8:
                raise NotPart10Error(f"{path} ends inside its file meta information")
            group, _element = struct.unpack("<HH", tag[:4])
            if group != 0x0002:
                return offset
            vr = tag[4:6]
            if vr in (b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN", b"UC", b"UR", b"OD", b"OL", b"OV"):
                rest = fp.read(4)
                if len(rest) < 4:
                    raise NotPart10Error(f"{path} ends inside its file meta information")
                length = struct.unpack("<I", rest)[0]
                header = 12
            else:
                length = struct.unpack("<H", tag[6:8])[0]
                header = 8
            if length == 0xFFFFFFFF:
                raise NotPart10Error(f"{path} has an undefined length in its file meta")
            fp.seek(length, 1)
            offset += header + length


def _element(element: int, value: bytes) -> bytes:
    if len(value) % 2:
        value += b"\x00"  # UI values are padded with a NUL to an even length
    return struct.pack("<HHI", 0x0000, element, len(value)) + value


def command_set(sop_class_uid: str, sop_instance_uid: str, message_id: int,
                priority: int = PRIORITY_MEDIUM) -> bytes:  # fmt: skip
    """The encoded C-STORE-RQ command set, group length first."""
    body = b"".join(
        (
            _element(0x0002, sop_class_uid.encode("ascii")),
            _element(0x0100, struct.pack("<H", COMMAND_STORE_RQ)),
            _element(0x0110, struct.pack("<H", message_id)),
            _element(0x0700, struct.pack("<H", priority)),
            _element(0x0800, struct.pack("<H", DATA_SET_PRESENT)),
            _element(0x1000, sop_instance_uid.encode("ascii")),
        )
    )
    return _element(0x0000, struct.pack("<I", len(body))) + body


def _fragments(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


class RequestWriter:
    """Sends C-STORE-RQs on ``assoc`` and waits for each response."""

    def __init__(self, assoc: Association) -> None:
        self.assoc = assoc
        self.message_id = 0
        peer_max = int(assoc.acceptor.maximum_length or 0)
        # fragments of even length: DCMTK refuses odd ones ("Odd Fragment Length")
        self.fragment = (peer_max - PDV_HEADER) & ~1 if peer_max > PDV_HEADER + 1 else 0

    def _next_id(self) -> int:
        self.message_id = self.message_id % 0xFFFF + 1
        return self.message_id

    def _queue(self, context_id: int, control: bytes, data: bytes) -> bool:
        """Queue one PDV for the DUL to send; False when the connection is gone (the
        DUL has ended: cut off, aborted, closed), so nothing more is worth queueing."""
        pdata = P_DATA()
        pdata.presentation_data_value_list.append((context_id, control + data))
        dul = self.assoc.dul
        while dul.to_provider_queue.qsize() > QUEUED_PDUS_MAX and self.assoc.is_established:
            if not dul.is_alive():  # the reactor may be held: is_established stays True
                return False
            time.sleep(QUEUE_WAIT_S)
        if not dul.is_alive():
            return False
        dul.send_pdu(pdata)
        return True

    def store(self, path: Path, context_id: int, sop_class_uid: str, sop_uid: str,
              timeout_s: float | None = None) -> C_STORE | None:  # fmt: skip
        """Send the data set of the Part 10 file ``path``; the response primitive, or
        None when none came (abort, closed connection, ``timeout_s``)."""
        offset = dataset_offset(path)
        message_id = self._next_id()
        command = command_set(sop_class_uid, sop_uid, message_id)
        size = self.fragment or max(len(command), 1)
        with open(path, "rb") as fp:
            fp.seek(offset)
            chunk = fp.read(size) if self.fragment else fp.read()
            if not chunk:
                raise NotPart10Error(f"{path} has an empty data set")
            pieces = list(_fragments(command, size))
            going = all(self._queue(context_id, b"\x01", piece) for piece in pieces[:-1])
            going = going and self._queue(context_id, b"\x03", pieces[-1])
            try:
                while chunk and going:
                    following = fp.read(size) if self.fragment else b""
                    if not following and len(chunk) % 2:
                        chunk += b"\x00"  # a deflated data set may end odd: PS3.5 A.5 pads it
                    going = self._queue(context_id, b"\x00" if following else b"\x02", chunk)
                    chunk = following
            except OSError as exc:
                raise MessageBrokenError(f"reading {path} failed in the middle: {exc}") from exc
        if not going:
            return None  # the connection ended while we sent: no response can come
        return self._response(message_id, timeout_s)

    def _response(self, message_id: int, timeout_s: float | None) -> C_STORE | None:
        while True:
            try:
                _cx, rsp = self.assoc.dimse.msg_queue.get(block=True, timeout=timeout_s)
            except queue.Empty:
                return None
            if rsp is None:
                return None
            if isinstance(rsp, C_STORE) and rsp.MessageIDBeingRespondedTo == message_id:
                return rsp
            # anything else (a late answer to an earlier request) is not ours: skip it
