"""A data set's encoding checked end to end before it is stored: every element header
whole, every defined length inside its parent (elements, sequences, items), undefined
lengths delimited, nothing left over (PS3.5 7.1, 7.5, A.4).

pydicom reads a cut-off data set without complaint (it stops at a short header and
reads sequences lazily). This walks the bytes once by offset, values not copied (a large
Pixel Data element costs one length check), and raises ``CorruptDicomError`` with the
first inconsistency and its offset.
"""

from __future__ import annotations

import struct

from pydicom.datadict import dictionary_VR

from workstation.errors import CorruptDicomError

UNDEFINED = 0xFFFFFFFF
ITEM, ITEM_END, SEQUENCE_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
PIXEL_DATA = 0x7FE00010
MAX_DEPTH = 32  # nested sequences; deeper is refused rather than recursed into
_LONG_VRS = frozenset(
    (b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV")
)


def _name(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _implicit_sq(tag: int) -> bool:
    try:
        return dictionary_VR(tag) == "SQ"
    except KeyError:
        return False


class _Walker:
    def __init__(self, data: bytes, implicit: bool, little: bool, origin: int = 0) -> None:
        self.data = data
        self.origin = origin  # where the data set starts in ``data`` (for messages)
        self.implicit = implicit
        self.little = little
        self.tag_fmt = "<HH" if little else ">HH"
        self.u16 = "<H" if little else ">H"
        self.u32 = "<I" if little else ">I"

    def fail(self, reason: str, pos: int) -> CorruptDicomError:
        return CorruptDicomError(reason=f"{reason} at byte {pos - self.origin} of the data set")

    def tag_at(self, pos: int) -> int:
        group, element = struct.unpack_from(self.tag_fmt, self.data, pos)
        return group << 16 | element

    def as_found(self, pos: int, end: int, in_sequence: bool) -> _Walker:
        """The walker for the data set at ``pos`` with its VR encoding as pydicom finds
        it from the first element (``filereader._is_implicit_vr``): an explicit data set
        may hold implicit items; a top-level data set may differ from its syntax."""
        if (in_sequence and self.implicit) or end - pos < 6:
            return self
        vr = self.data[pos + 4 : pos + 6]
        found_implicit = not (0x40 < vr[0] < 0x5B and 0x40 < vr[1] < 0x5B)
        if found_implicit == self.implicit:
            return self
        return _Walker(self.data, found_implicit, self.little, self.origin)

    def dataset(self, pos: int, end: int, depth: int, in_item: bool = False) -> int:
        """Walk elements from ``pos`` up to ``end`` (or an item delimiter if ``in_item``
        is undefined-length); the offset after the last."""
        walker = self.as_found(pos, end, in_sequence=depth > 0)
        if walker is not self:
            return walker.dataset_as_is(pos, end, depth, in_item)
        return self.dataset_as_is(pos, end, depth, in_item)

    def dataset_as_is(self, pos: int, end: int, depth: int, in_item: bool) -> int:
        data = self.data
        while pos < end:
            if end - pos < 8:
                raise self.fail("cut inside an element header", pos)
            tag = self.tag_at(pos)
            if tag == ITEM_END and in_item:
                if struct.unpack_from(self.u32, data, pos + 4)[0] != 0:
                    raise self.fail("item delimiter with a length", pos)
                return pos + 8
            if tag >> 16 == 0xFFFE:
                raise self.fail(f"unexpected delimiter ({tag:08X})", pos)
            pos = self.element(pos, end, tag, depth)
        if in_item:
            raise self.fail("undefined-length item without its delimiter", pos)
        return pos

    def element(self, pos: int, end: int, tag: int, depth: int) -> int:
        data = self.data
        if self.implicit:
            length = struct.unpack_from(self.u32, data, pos + 4)[0]
            vr, value = None, pos + 8
        else:
            vr = data[pos + 4 : pos + 6]
            if not (vr.isalpha() and vr.isupper()):
                raise self.fail(f"invalid VR {vr!r} of ({tag >> 16:04X},{tag & 0xFFFF:04X})", pos)
            if vr in _LONG_VRS:
                if end - pos < 12:
                    raise self.fail("cut inside an element header", pos)
                length, value = struct.unpack_from(self.u32, data, pos + 8)[0], pos + 12
            else:
                length, value = struct.unpack_from(self.u16, data, pos + 6)[0], pos + 8
        if length == UNDEFINED:
            if tag == PIXEL_DATA and vr in (b"OB", b"OW", None):
                return self.fragments(value, end)
            if vr in (b"SQ", None):
                return self.items(value, end, depth + 1, undefined=True)
            if vr == b"UN":  # an implicit VR LE sequence (PS3.5 6.2.2)
                inner = _Walker(data, True, True, self.origin)
                return inner.items(value, end, depth + 1, undefined=True)
            raise self.fail(f"undefined length of {_name(tag)} (VR {vr.decode()})", pos)
        if length > end - value:
            raise self.fail(f"length {length} of {_name(tag)} runs past its parent's end", pos)
        if vr == b"SQ" or (vr is None and _implicit_sq(tag)):
            self.items(value, value + length, depth + 1, undefined=False)
        return value + length

    def items(self, pos: int, end: int, depth: int, undefined: bool) -> int:
        """A sequence's items from ``pos``; ends at ``end`` (defined) or its delimiter."""
        if depth > MAX_DEPTH:
            raise self.fail(f"sequences nested deeper than {MAX_DEPTH}", pos)
        data = self.data
        while pos < end:
            if end - pos < 8:
                raise self.fail("cut inside an item header", pos)
            tag = self.tag_at(pos)
            length = struct.unpack_from(self.u32, data, pos + 4)[0]
            if tag == SEQUENCE_END and undefined:
                if length != 0:
                    raise self.fail("sequence delimiter with a length", pos)
                return pos + 8
            if tag != ITEM:
                raise self.fail(f"({tag >> 16:04X},{tag & 0xFFFF:04X}) where an item belongs", pos)
            if length == UNDEFINED:
                pos = self.dataset(pos + 8, end, depth, in_item=True)
            elif length > end - pos - 8:
                raise self.fail(f"item of {length} bytes runs past the end of its sequence", pos)
            else:
                self.dataset(pos + 8, pos + 8 + length, depth)
                pos += 8 + length
        if undefined:
            raise self.fail("undefined-length sequence without its delimiter", pos)
        return pos

    def fragments(self, pos: int, end: int) -> int:
        """Encapsulated Pixel Data: defined-length items, then the sequence delimiter."""
        data = self.data
        while end - pos >= 8:
            tag = self.tag_at(pos)
            length = struct.unpack_from(self.u32, data, pos + 4)[0]
            if tag == SEQUENCE_END:
                return pos + 8
            if tag != ITEM or length == UNDEFINED or length > end - pos - 8:
                raise self.fail("pixel data fragment cut off or malformed", pos)
            pos += 8 + length
        raise self.fail("encapsulated pixel data without its sequence delimiter", pos)


def check_structure(data: bytes, implicit: bool, little: bool, start: int = 0) -> None:
    """Raise ``CorruptDicomError`` unless ``data[start:]`` is one whole data set."""
    _Walker(data, implicit, little, start).dataset(start, len(data), 0)


def meta_end(data: bytes, start: int) -> int:
    """The offset after the group 0002 elements (Explicit VR LE) from ``start``."""
    walker = _Walker(data, False, True)
    pos, end = start, len(data)
    while end - pos >= 8 and struct.unpack_from("<H", data, pos)[0] == 0x0002:
        pos = walker.element(pos, end, walker.tag_at(pos), 0)
    return pos
