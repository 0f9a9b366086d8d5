"""Lossy transfer syntaxes and the marks a lossy image keeps when it is decompressed.

PS3.3 C.7.6.1.1.5: once an image has been lossy compressed, Lossy Image Compression
(0028,2110) is "01" for good, with the method(s) and ratio(s) in (0028,2114) and
(0028,2112). Decompressing does not undo the loss, so a decompressed copy must say so.
"""

from __future__ import annotations

from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

# Lossy transfer syntax -> the Lossy Image Compression Method defined term.
LOSSY_METHODS: dict[str, str] = {
    "1.2.840.10008.1.2.4.50": "ISO_10918_1",  # JPEG baseline
    "1.2.840.10008.1.2.4.51": "ISO_10918_1",  # JPEG extended
    "1.2.840.10008.1.2.4.52": "ISO_10918_1",  # retired JPEG lossy processes
    "1.2.840.10008.1.2.4.53": "ISO_10918_1",
    "1.2.840.10008.1.2.4.54": "ISO_10918_1",
    "1.2.840.10008.1.2.4.55": "ISO_10918_1",
    "1.2.840.10008.1.2.4.56": "ISO_10918_1",
    "1.2.840.10008.1.2.4.59": "ISO_10918_1",
    "1.2.840.10008.1.2.4.60": "ISO_10918_1",
    "1.2.840.10008.1.2.4.61": "ISO_10918_1",
    "1.2.840.10008.1.2.4.62": "ISO_10918_1",
    "1.2.840.10008.1.2.4.63": "ISO_10918_1",
    "1.2.840.10008.1.2.4.64": "ISO_10918_1",
    "1.2.840.10008.1.2.4.81": "ISO_14495_1",  # JPEG-LS near-lossless
    "1.2.840.10008.1.2.4.91": "ISO_15444_1",  # JPEG 2000 (lossy allowed)
    "1.2.840.10008.1.2.4.93": "ISO_15444_1",  # JPEG 2000 part 2 (lossy allowed)
    "1.2.840.10008.1.2.4.203": "ISO_15444_15",  # HTJ2K (lossy allowed)
    "1.2.840.10008.1.2.4.100": "ISO_13818_2",  # MPEG-2
    "1.2.840.10008.1.2.4.100.1": "ISO_13818_2",
    "1.2.840.10008.1.2.4.101": "ISO_13818_2",
    "1.2.840.10008.1.2.4.101.1": "ISO_13818_2",
    "1.2.840.10008.1.2.4.102": "ISO_14496_10",  # MPEG-4 AVC / H.264
    "1.2.840.10008.1.2.4.102.1": "ISO_14496_10",
    "1.2.840.10008.1.2.4.103": "ISO_14496_10",
    "1.2.840.10008.1.2.4.103.1": "ISO_14496_10",
    "1.2.840.10008.1.2.4.104": "ISO_14496_10",
    "1.2.840.10008.1.2.4.104.1": "ISO_14496_10",
    "1.2.840.10008.1.2.4.105": "ISO_14496_10",
    "1.2.840.10008.1.2.4.105.1": "ISO_14496_10",
    "1.2.840.10008.1.2.4.106": "ISO_14496_10",
    "1.2.840.10008.1.2.4.106.1": "ISO_14496_10",
    "1.2.840.10008.1.2.4.107": "ISO_23008_2",  # HEVC / H.265
    "1.2.840.10008.1.2.4.108": "ISO_23008_2",
}

# Syntaxes whose data set and pixel data are not compressed at all.
NATIVE = (str(ExplicitVRLittleEndian), str(ImplicitVRLittleEndian), str(ExplicitVRBigEndian))


def is_lossy(transfer_syntax: str) -> bool:
    return str(transfer_syntax) in LOSSY_METHODS


def image_is_lossy(ds: Dataset) -> bool:
    """Lossy Image Compression "01", or stored in a lossy transfer syntax: what the viewer
    marks LOSSY."""
    if str(ds.get("LossyImageCompression", "") or "").strip() == "01":
        return True
    meta = getattr(ds, "file_meta", None)
    syntax = str(meta.get("TransferSyntaxUID", "")) if meta is not None else ""
    return is_lossy(syntax)


def is_native(transfer_syntax: str) -> bool:
    """Uncompressed: no pixel compression and no deflate."""
    return str(transfer_syntax) in NATIVE


def mark_lossy(ds: Dataset, stored_syntax: str, compressed_bytes: int, native_bytes: int) -> None:
    """Mark ``ds`` (decompressed from ``stored_syntax``) as lossy compressed.

    Lossy Image Compression becomes "01"; the method and the ratio of this compression
    are added unless the instance already names them (an earlier history stays as is).
    """
    method = LOSSY_METHODS.get(str(stored_syntax))
    if method is None:
        return
    ds.LossyImageCompression = "01"
    if not ds.get("LossyImageCompressionMethod"):
        ds.LossyImageCompressionMethod = method
        if compressed_bytes > 0:
            ds.LossyImageCompressionRatio = _ratio(native_bytes / compressed_bytes)


def _ratio(value: float) -> str:
    """A DS value (at most 16 characters)."""
    return f"{value:.6g}"[:16]
