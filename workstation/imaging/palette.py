"""PALETTE COLOR: stored indices -> RGB through the image's own lookup tables.

Read here, not with pydicom 3.0's ``apply_color_lut``: that reads (non-segmented) Palette
Color Lookup Table Data, OW, as little-endian words whatever the data set's byte order,
so an Explicit VR Big Endian image shows its colour channels byte-swapped (DCMTK's
dcmj2pnm reads them right); it also indexes 8-bit tables through a uint8 array, which wraps
for tables of more than 256 entries. Here the descriptor (PS3.3 C.7.6.3.1.5), plain data
(C.7.6.3.1.6) and segmented data (C.7.9.2) are read in the byte order the data set was
read in; 8-bit entries padded to 16-bit words are taken as the standard's note says
(and 16-bit values under an 8-bit descriptor as 16-bit, as the data shows).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from pydicom.dataset import Dataset
from pydicom.uid import UID

log = logging.getLogger(__name__)

CHANNELS = ("Red", "Green", "Blue")
DISCRETE, LINEAR, INDIRECT = 0, 1, 2  # segment opcodes, PS3.3 Table C.7-24
CACHE_SIZE = 8  # palettes kept (one per series shown, typically)
_CACHE: dict[tuple, Palette] = {}
_CACHE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Palette:
    """Three tables (3 x entries, values of ``bits`` bits) and the first mapped index."""

    tables: np.ndarray
    first_mapped: int
    bits: int
    rgb8: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rgb8", self.to_8bit())

    @property
    def entries(self) -> int:
        return int(self.tables.shape[1])

    def to_8bit(self) -> np.ndarray:
        """The tables scaled to 0..255 (entries x 3, uint8); 8-bit tables unchanged."""
        if self.bits == 8:
            return np.ascontiguousarray(self.tables.T.astype(np.uint8))
        top = float(2**self.bits - 1)
        scaled = np.rint(np.clip(self.tables.T.astype(np.float64) * (255.0 / top), 0, 255))
        return np.ascontiguousarray(scaled.astype(np.uint8))

    def apply(self, indices: np.ndarray) -> np.ndarray:
        """RGB uint8 (``indices.shape`` x 3): indices below the first mapped value take the
        first entry, those past the end the last (PS3.3 C.7.6.3.1.5)."""
        index = np.clip(np.asarray(indices).astype(np.int64) - self.first_mapped, 0,
                        self.entries - 1)  # fmt: skip
        return self.rgb8[index]


def is_little_endian(ds: Dataset) -> bool:
    """The byte order the data set's OW values are in: as it was read, else its transfer
    syntax, else little endian (a data set built in memory)."""
    little = ds.original_encoding[1]
    if little is not None:
        return bool(little)
    meta = getattr(ds, "file_meta", None)
    syntax = meta.get("TransferSyntaxUID") if meta is not None else None
    if syntax and UID(str(syntax)).is_transfer_syntax:
        return bool(UID(str(syntax)).is_little_endian)
    return True


def _descriptor(ds: Dataset, channel: str) -> tuple[int, int, int]:
    """(entries, first mapped value, bits per entry) of one channel's descriptor."""
    value = ds.get(f"{channel}PaletteColorLookupTableDescriptor")
    if value is None:
        raise ValueError(f"no {channel} Palette Color Lookup Table Descriptor")
    values = [int(v) for v in (value if isinstance(value, Sequence) else [value])]
    if len(values) != 3:
        raise ValueError(f"the {channel} descriptor has {len(values)} values, not 3")
    entries, first, bits = values
    if bits not in (8, 16):
        raise ValueError(f"{bits} bits per palette entry (8 or 16 allowed)")
    return entries or 2**16, first, bits


def _words(raw: object, little: bool, bits: int) -> np.ndarray:
    """An OW value (bytes in the data set's byte order, or already numbers) as integers
    of ``bits`` bits each."""
    if isinstance(raw, bytes | bytearray | memoryview):
        data = bytes(raw)
        if bits == 8:
            return np.frombuffer(data, dtype=np.uint8).astype(np.int64)
        data = data[: len(data) // 2 * 2]
        return np.frombuffer(data, dtype="<u2" if little else ">u2").astype(np.int64)
    values = raw if isinstance(raw, Sequence) else [raw]
    return np.asarray([int(v) for v in values], dtype=np.int64)


def _plain(raw: object, little: bool, entries: int, bits: int) -> tuple[np.ndarray, int]:
    """Plain LUT data -> (entries values, their bits). The value length tells 8-bit entries
    packed in bytes from 8 or 16 bits per entry in 16-bit words (PS3.3 C.7.6.3.1.5 note)."""
    if isinstance(raw, bytes | bytearray | memoryview) and len(raw) in (entries, entries + 1):
        table, bits = _words(raw, little, 8)[:entries], 8
    else:
        table = _words(raw, little, 16)
    if len(table) < entries:
        raise ValueError(f"palette data holds {len(table)} of {entries} entries")
    table = table[:entries]
    if bits == 8 and int(table.max(initial=0)) > 255:  # "8 bits" said, 16-bit values written
        bits = 16
    return table & (2**bits - 1), bits


def _indirect_offset(data: list[int], at: int, bits: int, little: bool) -> tuple[int, int]:
    """The 32-bit byte offset of an indirect segment (least significant word first) and the
    number of entries it takes in the data."""
    if bits == 16:
        return data[at] | data[at + 1] << 16, 2
    b = data[at : at + 4]  # two 16-bit words written as four bytes
    if little:
        low, high = b[0] | b[1] << 8, b[2] | b[3] << 8
    else:
        low, high = b[0] << 8 | b[1], b[2] << 8 | b[3]
    return low | high << 16, 4


def expand_segmented(
    data: list[int], bits: int, little: bool = True, needed: int = 2**16,
    start: int = 0, stop: int | None = None, count: int | None = None,
    previous: int | None = None,
) -> list[int]:  # fmt: skip
    """Segmented LUT data (entries of ``bits`` bits) -> the first ``needed`` table values
    (PS3.3 C.7.9.2): discrete runs, linear ramps from the previous value to an end point,
    and indirect copies of ``count`` earlier segments (a byte offset from the data's start;
    only backwards, so hostile data cannot loop)."""
    table: list[int] = []
    at, done, stop = start, 0, len(data) if stop is None else stop
    while at + 1 < stop and len(table) < needed and (count is None or done < count):
        segment = at  # a trailing pad word may follow the last segment
        opcode, length = data[at], data[at + 1]
        at += 2
        last = table[-1] if table else previous
        if opcode == DISCRETE:
            if at + length > stop:
                raise ValueError("a discrete segment runs past the end of the data")
            table.extend(data[at : at + length])
            at += length
        elif opcode == LINEAR:
            if last is None or at >= stop:
                raise ValueError("a linear segment without a previous value")
            end = data[at]
            step = (end - last) / length if length else 0.0
            table.extend(round(last + k * step) for k in range(1, length))
            table.extend([end] if length else [])
            at += 1
        elif opcode == INDIRECT:
            if last is None or at + 4 // (bits // 8) > stop:
                raise ValueError("an indirect segment without earlier segments")
            offset, used = _indirect_offset(data, at, bits, little)
            at += used
            target = offset // (bits // 8)
            if not 0 <= target < segment:
                raise ValueError("an indirect segment that does not point back")
            table.extend(expand_segmented(data, bits, little, needed - len(table), target,
                                          segment, length, last))  # fmt: skip
        else:
            raise ValueError(f"unknown palette segment type {opcode}")
        done += 1
    return table[:needed]


def read_palette(ds: Dataset) -> Palette:
    """The image's palette; raises ``ValueError`` for a missing or inconsistent one."""
    little = is_little_endian(ds)
    tables, depths, first_values = [], set(), set()
    for channel in CHANNELS:
        entries, first, bits = _descriptor(ds, channel)
        first_values.add(first)
        plain = ds.get(f"{channel}PaletteColorLookupTableData")
        segmented = ds.get(f"Segmented{channel}PaletteColorLookupTableData")
        if plain is not None:
            table, bits = _plain(plain, little, entries, bits)
        elif segmented is not None:
            words = _words(segmented, little, bits).tolist()
            expanded = expand_segmented(words, bits, little, entries)
            if len(expanded) < entries:
                raise ValueError(f"segmented palette expands to {len(expanded)} of {entries}")
            table = np.asarray(expanded[:entries], dtype=np.int64) & (2**bits - 1)
        else:
            raise ValueError(f"no {channel} Palette Color Lookup Table Data")
        tables.append(table)
        depths.add(bits)
    if len({len(t) for t in tables}) != 1 or len(first_values) != 1:
        raise ValueError("the red, green and blue palettes differ in size or first value")
    return Palette(np.stack(tables), first_values.pop(), max(depths))


def _hashable(value: object) -> object:
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return tuple(value) if isinstance(value, Sequence) and not isinstance(value, bytes) else value


def _cache_key(ds: Dataset) -> tuple:
    """What the palette is made of: descriptors, data and byte order (bytes cache their
    hash, so a key costs microseconds after the first frame)."""
    parts: list[object] = [is_little_endian(ds)]
    for channel in CHANNELS:
        for keyword in (
            f"{channel}PaletteColorLookupTableDescriptor",
            f"{channel}PaletteColorLookupTableData",
            f"Segmented{channel}PaletteColorLookupTableData",
        ):
            parts.append(_hashable(ds.get(keyword)))
    return tuple(parts)


def cached_palette(ds: Dataset) -> Palette:
    """:func:`read_palette`, remembered for the last few palettes: a segmented table of
    65536 entries takes tens of milliseconds to expand, and every frame needs it."""
    key = _cache_key(ds)
    with _CACHE_LOCK:  # the viewer's prefetch thread renders too
        found = _CACHE.get(key)
        if found is None:
            found = read_palette(ds)
            if len(_CACHE) >= CACHE_SIZE:
                del _CACHE[next(iter(_CACHE))]  # the oldest
            _CACHE[key] = found
    return found


def palette_to_rgb(indices: np.ndarray, ds: Dataset) -> np.ndarray:
    """PALETTE COLOR indices -> RGB uint8 (raises ``ValueError`` for a bad palette)."""
    return cached_palette(ds).apply(indices)
