"""File Meta Information (PS3.10 7.1) for instances we write, with our implementation UID.

Encoded directly: it is a fixed set of eight short elements, built once per received
instance on the C-STORE hot path, where building a pydicom dataset for it costs more
than storing the instance's index row.
"""

from __future__ import annotations

import struct

from workstation.dicom.uids import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME

PREAMBLE = b"\x00" * 128 + b"DICM"


def _short(element: int, vr: bytes, value: bytes) -> bytes:
    return struct.pack("<HH2sH", 0x0002, element, vr, len(value)) + value


def _uid(value: str) -> bytes:
    raw = value.encode("ascii")
    return raw + b"\x00" if len(raw) % 2 else raw


def _text(value: str) -> bytes:
    raw = value.encode("ascii")
    return raw + b" " if len(raw) % 2 else raw


def file_meta_bytes(
    sop_class_uid: str, sop_instance_uid: str, transfer_syntax: str, source_ae: str = ""
) -> bytes:
    """Preamble, 'DICM' and the group 0002 elements, ready to be followed by the dataset."""
    body = b"".join(
        [
            struct.pack("<HH2sHI", 0x0002, 0x0001, b"OB", 0, 2) + b"\x00\x01",
            _short(0x0002, b"UI", _uid(sop_class_uid)),
            _short(0x0003, b"UI", _uid(sop_instance_uid)),
            _short(0x0010, b"UI", _uid(transfer_syntax)),
            _short(0x0012, b"UI", _uid(IMPLEMENTATION_CLASS_UID)),
            _short(0x0013, b"SH", _text(IMPLEMENTATION_VERSION_NAME)),
        ]
        + ([_short(0x0016, b"AE", _text(source_ae.strip()))] if source_ae.strip() else [])
    )
    group_length = struct.pack("<HH2sHI", 0x0002, 0x0000, b"UL", 4, len(body))
    return PREAMBLE + group_length + body
