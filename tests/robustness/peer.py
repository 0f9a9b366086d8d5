"""A raw DICOM peer for robustness tests: PDUs built byte by byte (PS3.8 9.3), sent over a
plain socket, answers read with a deadline; and ``assert_healthy``, the check that follows
every hostile case (a good C-ECHO and C-STORE succeed at once, the store's check is clean).

Builders take every field as a parameter with the conformant value as default, so a test
states only what it breaks: ``associate_rq(pc_id=2)``, ``associate_rq(version=2)``.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO

import pydicom
from pydicom.dataset import Dataset
from pydicom.filewriter import write_dataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid
from pynetdicom import AE
from pynetdicom.sop_class import CTImageStorage, Verification

from tests.integration.conftest import KNOWN_AET, LOOPBACK, NODE_AET, ct_small

APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1"
VERIFICATION = "1.2.840.10008.1.1"
IMPLICIT_LE = "1.2.840.10008.1.2"
IMPLEMENTATION_UID = "1.2.826.0.1.3680043.9.7433.1.1"
DEADLINE_S = 10.0  # no answer a test waits for takes longer than this

# PDU types (PS3.8 9.3.1)
ASSOCIATE_RQ, ASSOCIATE_AC, ASSOCIATE_RJ = 0x01, 0x02, 0x03
P_DATA_TF, RELEASE_RQ, RELEASE_RP, ABORT = 0x04, 0x05, 0x06, 0x07


def ae_field(title: str | bytes) -> bytes:
    """A 16-byte AE title field, space padded (bytes are used as given, cut or padded)."""
    raw = title.encode("ascii") if isinstance(title, str) else title
    return raw[:16].ljust(16, b" ")


def pdu(pdu_type: int, body: bytes, length: int | None = None) -> bytes:
    """A PDU: type, reserved, 4-byte big-endian length (the real one unless given)."""
    return struct.pack(">BBL", pdu_type, 0, len(body) if length is None else length) + body


def item(item_type: int, body: bytes, length: int | None = None) -> bytes:
    """A variable item or sub-item: type, reserved, 2-byte length, body."""
    return struct.pack(">BBH", item_type, 0, len(body) if length is None else length) + body


def uid_bytes(uid: str) -> bytes:
    return uid.encode("ascii")


def presentation_context(
    pc_id: int = 1,
    abstract: str | None = VERIFICATION,
    transfers: Sequence[str] = (IMPLICIT_LE,),
    item_type: int = 0x20,
) -> bytes:
    """A Presentation Context item (RQ): ID, abstract syntax, transfer syntaxes."""
    body = struct.pack(">BBBB", pc_id, 0, 0, 0)
    if abstract is not None:
        body += item(0x30, uid_bytes(abstract))
    for ts in transfers:
        body += item(0x40, uid_bytes(ts))
    return item(item_type, body)


def user_information(max_pdu: int = 16384, implementation: str = IMPLEMENTATION_UID) -> bytes:
    """A User Information item: maximum length and implementation class UID sub-items."""
    body = item(0x51, struct.pack(">L", max_pdu)) + item(0x52, uid_bytes(implementation))
    return item(0x50, body)


def associate_rq(
    called: str | bytes = NODE_AET,
    calling: str | bytes = KNOWN_AET,
    version: int = 1,
    context_name: str = APPLICATION_CONTEXT,
    contexts: Iterable[bytes] | None = None,
    user_info: bytes | None = None,
    pc_id: int = 1,
    abstract: str = VERIFICATION,
    extra: bytes = b"",
    length: int | None = None,
) -> bytes:
    """An A-ASSOCIATE-RQ PDU; by default Verification on context 1, Implicit VR LE."""
    if contexts is None:
        contexts = [presentation_context(pc_id, abstract)]
    body = struct.pack(">HH", version, 0) + ae_field(called) + ae_field(calling) + bytes(32)
    body += item(0x10, uid_bytes(context_name))
    body += b"".join(contexts)
    body += user_information() if user_info is None else user_info
    body += extra
    return pdu(ASSOCIATE_RQ, body, length)


def pdv(context_id: int, data: bytes, command: bool, last: bool = True) -> bytes:
    """A presentation data value item: length, context ID, message control header, data."""
    header = (0x01 if command else 0x00) | (0x02 if last else 0x00)
    return struct.pack(">LBB", len(data) + 2, context_id, header) + data


def p_data(*pdvs: bytes) -> bytes:
    return pdu(P_DATA_TF, b"".join(pdvs))


def release_rq() -> bytes:
    return pdu(RELEASE_RQ, bytes(4))


def release_rp() -> bytes:
    return pdu(RELEASE_RP, bytes(4))


def abort(source: int = 0, reason: int = 0) -> bytes:
    return pdu(ABORT, struct.pack(">BBBB", 0, 0, source, reason))


def encode_command(command: Dataset) -> bytes:
    """A command set in Implicit VR Little Endian with its CommandGroupLength first."""
    body = BytesIO()
    rest = Dataset()
    for elem in command:
        if elem.tag != 0x00000000:
            rest.add(elem)
    write_dataset(_writer(body), rest)
    group = Dataset()
    group.CommandGroupLength = len(body.getvalue())
    head = BytesIO()
    write_dataset(_writer(head), group)
    return head.getvalue() + body.getvalue()


def _writer(buffer: BytesIO):
    from pydicom.filebase import DicomFileLike

    fp = DicomFileLike(buffer)
    fp.is_little_endian = True
    fp.is_implicit_VR = True
    return fp


def encode_dataset(ds: Dataset, syntax: str = ImplicitVRLittleEndian) -> bytes:
    """A data set's bytes in ``syntax`` (Implicit or Explicit VR Little Endian), no meta."""
    buffer = BytesIO()
    fp = _writer(buffer)
    fp.is_implicit_VR = syntax == ImplicitVRLittleEndian
    write_dataset(fp, ds)
    return buffer.getvalue()


def echo_rq(message_id: int = 1, sop_class: str = VERIFICATION) -> Dataset:
    cmd = Dataset()
    cmd.AffectedSOPClassUID = sop_class
    cmd.CommandField = 0x0030
    cmd.MessageID = message_id
    cmd.CommandDataSetType = 0x0101
    return cmd


def store_rq(sop_class: str, sop_instance: str, message_id: int = 1) -> Dataset:
    cmd = Dataset()
    cmd.AffectedSOPClassUID = sop_class
    cmd.CommandField = 0x0001
    cmd.MessageID = message_id
    cmd.Priority = 0
    cmd.CommandDataSetType = 0x0000
    cmd.AffectedSOPInstanceUID = sop_instance
    return cmd


@dataclass
class Reply:
    """One PDU read back: its type and its whole bytes (header included)."""

    pdu_type: int
    raw: bytes

    @property
    def body(self) -> bytes:
        return self.raw[6:]

    @property
    def source_reason(self) -> tuple[int, int]:
        """(source, reason) of an A-ABORT or an A-ASSOCIATE-RJ (bytes 9 and 10, PS3.8)."""
        return self.raw[8], self.raw[9]

    @property
    def result(self) -> int:
        """An A-ASSOCIATE-RJ's result: 1 permanent, 2 transient."""
        return self.raw[7]


class RawPeer:
    """A TCP connection to the node that sends raw bytes and reads PDUs with deadlines."""

    def __init__(self, host: str, port: int, timeout: float = DEADLINE_S) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def __enter__(self) -> RawPeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, data: bytes) -> bool:
        """Send all of ``data``; False if the node has closed the connection meanwhile."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def trickle(self, data: bytes, gap_s: float, deadline_s: float = DEADLINE_S) -> int:
        """Send ``data`` one byte per ``gap_s``; the bytes sent before the node cut us off."""
        end = time.monotonic() + deadline_s
        for n, byte in enumerate(data):
            if time.monotonic() > end or not self.send(bytes([byte])):
                return n
            time.sleep(gap_s)
        return len(data)

    def _recv_exact(self, n: int, end: float) -> bytes | None:
        data = b""
        while len(data) < n:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no complete answer within the deadline ({len(data)}/{n})")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(n - len(data))
            except (ConnectionResetError, BrokenPipeError):
                return None
            except TimeoutError:
                raise TimeoutError(
                    f"no complete answer within the deadline ({len(data)}/{n})"
                ) from None
            if not chunk:
                return None
            data += chunk
        return data

    def recv_pdu(self, timeout: float = DEADLINE_S) -> Reply | None:
        """The next PDU from the node, or None if it closed the connection first.

        Raises TimeoutError when neither happens within ``timeout``.
        """
        end = time.monotonic() + timeout
        header = self._recv_exact(6, end)
        if header is None:
            return None
        (length,) = struct.unpack(">L", header[2:6])
        body = self._recv_exact(length, end)
        if body is None:
            return None
        return Reply(header[0], header + body)

    def closed_by_node(self, timeout: float = DEADLINE_S) -> bool:
        """Whether the node closes the connection within ``timeout`` (PDUs read are dropped)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if self.recv_pdu(max(0.01, end - time.monotonic())) is None:
                    return True
            except TimeoutError:
                return False
        return False

    def associate(self, rq: bytes | None = None) -> Reply | None:
        """Send an A-ASSOCIATE-RQ (the conformant one unless given) and read the answer."""
        self.send(associate_rq() if rq is None else rq)
        return self.recv_pdu()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def fresh_ct(study_uid: str | None = None) -> Dataset:
    """CT_small with new Study, Series and SOP Instance UIDs."""
    ds = pydicom.dcmread(ct_small())
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


def good_echo(host: str, port: int, calling: str = KNOWN_AET, timeout: float = 5.0) -> int:
    """A C-ECHO from pynetdicom; its status (-1 when the association was not accepted)."""
    ae = AE(ae_title=calling)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = timeout
    ae.add_requested_context(Verification)
    assoc = ae.associate(host, port, ae_title=NODE_AET)
    if not assoc.is_established:
        return -1
    try:
        status = assoc.send_c_echo()
        return int(status.Status) if status else -2
    finally:
        assoc.release()


def good_store(host: str, port: int, ds: Dataset, timeout: float = 10.0) -> int:
    """A C-STORE of ``ds`` from pynetdicom; its status (-1: association not accepted)."""
    ae = AE(ae_title=KNOWN_AET)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = timeout
    ae.add_requested_context(CTImageStorage, [ExplicitVRLittleEndian, ImplicitVRLittleEndian])
    assoc = ae.associate(host, port, ae_title=NODE_AET)
    if not assoc.is_established:
        return -1
    try:
        status = assoc.send_c_store(ds)
        return int(status.Status) if status else -2
    finally:
        assoc.release()


def assert_healthy(running, stored_before: int | None = None) -> None:
    """After a hostile case: a good C-ECHO and C-STORE succeed at once and the store's
    check (reconcile) is clean, with the new instance indexed."""
    host, port = LOOPBACK, running.port
    assert good_echo(host, port) == 0x0000, "a good C-ECHO failed after the hostile case"
    ds = fresh_ct()
    assert good_store(host, port, ds) == 0x0000, "a good C-STORE failed after the hostile case"
    report = running.store.reconcile()
    assert report.clean, f"store check not clean: {report}"
    assert running.store.index.lookup(ds.SOPInstanceUID) is not None, "not indexed"


def associate_ac_for(rq: bytes, max_pdu: int = 16384) -> bytes:
    """An A-ASSOCIATE-AC accepting every presentation context of ``rq`` with its first
    transfer syntax (the header fields copied from the request)."""
    body = rq[6:]
    accepted = b""
    offset = 68
    while offset + 4 <= len(body):
        item_type, length = body[offset], struct.unpack(">H", body[offset + 2 : offset + 4])[0]
        value = body[offset + 4 : offset + 4 + length]
        if item_type == 0x20:
            pc_id, sub = value[0], 4
            syntax = b""
            while sub + 4 <= len(value):
                sub_type = value[sub]
                sub_len = struct.unpack(">H", value[sub + 2 : sub + 4])[0]
                if sub_type == 0x40 and not syntax:
                    syntax = value[sub + 4 : sub + 4 + sub_len]
                sub += 4 + sub_len
            accepted += item(0x21, struct.pack(">BBBB", pc_id, 0, 0, 0) + item(0x40, syntax))
        offset += 4 + length
    head = body[:68]
    ac = head + item(0x10, uid_bytes(APPLICATION_CONTEXT)) + accepted
    ac += user_information(max_pdu)
    return pdu(ASSOCIATE_AC, ac)


class StalledRemote:
    """A remote node that accepts every association and then never answers again: a PACS
    that hangs mid-conversation. ``pdata_seen`` counts the P-DATA-TF PDUs it swallowed;
    ``deaf``: after the A-ASSOCIATE-AC it reads nothing more (our sends then block once
    the socket buffers are full)."""

    def __init__(self, deaf: bool = False) -> None:
        self.deaf = deaf
        self.accepted = 0
        self.server = socket.create_server((LOOPBACK, 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.pdata_seen = 0
        self.connections: list[socket.socket] = []
        self._stop = False
        import threading

        self._thread = threading.Thread(target=self._serve, name="stalled-remote", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections.append(conn)
            conn.settimeout(0.2)
            self._talk(conn)

    def _talk(self, conn: socket.socket) -> None:
        buffer = b""
        answered = False
        while not self._stop:
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while len(buffer) >= 6:
                (length,) = struct.unpack(">L", buffer[2:6])
                if len(buffer) < 6 + length:
                    break
                one, buffer = buffer[: 6 + length], buffer[6 + length :]
                if one[0] == ASSOCIATE_RQ and not answered:
                    conn.sendall(associate_ac_for(one))
                    answered = True
                    self.accepted += 1
                    if self.deaf:
                        while not self._stop:
                            time.sleep(0.05)
                        return
                elif one[0] == P_DATA_TF:
                    self.pdata_seen += 1  # swallowed: no response, ever

    def close(self) -> None:
        self._stop = True
        self._thread.join(5)
        for conn in self.connections:
            conn.close()
        self.server.close()
