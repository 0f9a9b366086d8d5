"""A stored instance rewritten in another uncompressed transfer syntax, for a peer that
refused the stored one.

Compressed pixel data is decoded (pydicom with the pylibjpeg plugins); a lossy image
keeps its Lossy Image Compression "01" (``dicom/lossy.py``). The SOP Instance UID stays
(the same instance in another encoding), and nothing is ever re-compressed.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.uid import UID

from workstation.dicom.lossy import mark_lossy
from workstation.errors import TranscodeError

log = logging.getLogger(__name__)

# binary VRs whose bytes are words: swapped when a big endian instance goes little endian
_WORD_BYTES = {"OW": 2, "OL": 4, "OF": 4, "OD": 8, "OV": 8}


def _to_little_endian(ds: Dataset) -> None:
    """Swap the words of every binary word value (pixel data, LUTs, overlays) in place."""
    for elem in ds.iterall():
        size = _WORD_BYTES.get(str(elem.VR))
        if size and isinstance(elem.value, bytes) and len(elem.value) % size == 0:
            words = np.frombuffer(elem.value, dtype=f">u{size}")
            elem.value = words.astype(f"<u{size}").tobytes()


def write_transcoded(source: Path, target: Path, transfer_syntax: str, decompress: bool) -> int:
    """Write ``source`` to ``target`` in ``transfer_syntax`` (Explicit or Implicit VR
    Little Endian); ``decompress`` when its pixel data is compressed. Returns the size
    written; raises TranscodeError."""
    wanted = UID(transfer_syntax)
    sop_uid, stored = "?", "?"
    try:
        ds = pydicom.dcmread(source)
        sop_uid = str(ds.get("SOPInstanceUID", "?"))
        stored = str(ds.file_meta.TransferSyntaxUID)
        if decompress and "PixelData" in ds:
            compressed = len(ds.PixelData)
            ds.decompress(generate_instance_uid=False)
            mark_lossy(ds, stored, compressed, len(ds.PixelData))
        ds.file_meta.TransferSyntaxUID = wanted
        if not UID(stored).is_little_endian:
            _to_little_endian(ds)
            pydicom.dcmwrite(target, ds, implicit_vr=wanted.is_implicit_VR, little_endian=True,
                             force_encoding=True)  # fmt: skip
        else:
            ds.save_as(target, enforce_file_format=True)
    except Exception as exc:  # pydicom and the decoders raise many kinds
        log.warning("cannot transcode %s from %s to %s: %s", sop_uid, stored, wanted, exc)
        raise TranscodeError(
            sop_uid=sop_uid,
            stored=stored,
            target=str(wanted),
            reason=str(exc) or type(exc).__name__,
        ) from None
    return target.stat().st_size
