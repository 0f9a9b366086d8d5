"""PALETTE COLOR lookup tables read in the data set's byte order (workstation/imaging/palette.py):
big-endian files show the same colours as their little-endian twins, plain and segmented
tables, 8-bit entries, the first mapped value, and damaged palettes refused."""

from __future__ import annotations

import struct

import numpy as np
import pydicom
import pytest
from pydicom.data import get_palette_files
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import apply_color_lut
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian

from tests.unit.test_pixels import find
from workstation.errors import PixelDataError
from workstation.imaging import pixels
from workstation.imaging.palette import (
    cached_palette,
    expand_segmented,
    is_little_endian,
    palette_to_rgb,
    read_palette,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

# (little endian, big endian): the same image in both byte orders
TWINS = [
    ("OBXXXX1A.dcm", "OBXXXX1A_expb.dcm"),  # plain 16-bit tables
    ("OBXXXX1A_2frame.dcm", "OBXXXX1A_expb_2frame.dcm"),
    ("gdcm-US-ALOKA-16.dcm", "gdcm-US-ALOKA-16_big.dcm"),  # segmented, 65536 entries
]


def rgb_of(name: str) -> np.ndarray:
    ds = pydicom.dcmread(find(name))
    return palette_to_rgb(ds.pixel_array, ds)


@pytest.mark.parametrize(("little", "big"), TWINS, ids=[t[1] for t in TWINS])
def test_big_endian_palettes_give_the_little_endian_colours(little: str, big: str) -> None:
    assert not is_little_endian(pydicom.dcmread(find(big), stop_before_pixels=True))
    expected, got = rgb_of(little), rgb_of(big)
    assert got.dtype == np.uint8 and got.shape == expected.shape and got.shape[-1] == 3
    assert np.array_equal(got, expected)
    assert len(np.unique(got.reshape(-1, 3), axis=0)) > 10  # really coloured, not grey


def test_pydicom_still_misreads_big_endian_palettes() -> None:
    """Why palette.py exists (reported upstream): pydicom 3.0's apply_color_lut reads
    plain Palette Color LUT Data as little-endian words in a big-endian data set. When
    this test fails, pydicom reads them right: palette.py may go back to it."""
    le = pydicom.dcmread(find("OBXXXX1A.dcm"))
    be = pydicom.dcmread(find("OBXXXX1A_expb.dcm"))
    assert np.array_equal(le.pixel_array, be.pixel_array)
    assert not np.array_equal(apply_color_lut(le.pixel_array, le), apply_color_lut(be.pixel_array, be))


def test_the_byte_order_comes_from_how_the_data_set_was_read(tmp_path) -> None:
    """A big-endian segmented palette without file meta (no Transfer Syntax UID): pydicom
    3.0 gives up ("Unable to determine the endianness"), though it read the data set."""
    source = pydicom.dcmread(find("gdcm-US-ALOKA-16_big.dcm"))
    indices = source.pixel_array
    source.file_meta, source.preamble = FileMetaDataset(), None
    path = tmp_path / "aloka_be_bare.dcm"
    source.save_as(path, implicit_vr=False, little_endian=False, enforce_file_format=False)
    bare = pydicom.dcmread(path, force=True)
    assert "TransferSyntaxUID" not in bare.file_meta and bare.original_encoding == (False, False)
    assert np.array_equal(palette_to_rgb(indices, bare), rgb_of("gdcm-US-ALOKA-16.dcm"))


@pytest.mark.parametrize(
    "name", ["OBXXXX1A.dcm", "OBXXXX1A_rle.dcm", "examples_palette.dcm",
             "gdcm-US-ALOKA-16.dcm", "OT-PAL-8-face.dcm"],
)  # fmt: skip
def test_little_endian_files_agree_with_pydicom(name: str) -> None:
    """Where pydicom is right (little endian), both give the same colours."""
    path = find(name)
    ds = pydicom.dcmread(path, force=True)
    if "TransferSyntaxUID" not in ds.file_meta:  # OT-PAL-8-face: no file meta
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2"
    theirs = apply_color_lut(ds.pixel_array, ds).astype(np.float64)
    expected = np.rint(theirs * 255 / 65535).astype(np.uint8)
    assert np.array_equal(palette_to_rgb(ds.pixel_array, ds), expected)


@pytest.mark.parametrize("name", ["fall.dcm", "spring.dcm", "summer.dcm", "winter.dcm",
                                  "hotiron.dcm", "pet.dcm"])  # fmt: skip
def test_the_standard_palettes_expand_as_pydicom_expands_them(name: str) -> None:
    """The well-known colour palettes (8-bit; four of them segmented)."""
    ds = pydicom.dcmread(get_palette_files(name)[0])
    indices = np.arange(256).reshape(16, 16)
    assert np.array_equal(palette_to_rgb(indices, ds), apply_color_lut(indices, ds))


# -- built palettes ---------------------------------------------------------------------
def palette_dataset(
    tables: list[list[int]], first: int = 0, bits: int = 16, little: bool = True,
    segmented: bool = False, byte_entries: bool = False, entries: int | None = None,
) -> Dataset:  # fmt: skip
    """A PALETTE COLOR header holding ``tables`` (red, green, blue) as OW in one byte order."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian if little else ExplicitVRBigEndian
    ds.PhotometricInterpretation = "PALETTE COLOR"
    order = "<" if little else ">"
    for channel, table in zip(("Red", "Green", "Blue"), tables, strict=True):
        count = len(table) if entries is None else entries
        setattr(ds, f"{channel}PaletteColorLookupTableDescriptor", [count, first, bits])
        if byte_entries:
            data = bytes(table) + (b"\x00" if len(table) % 2 else b"")
        else:
            data = struct.pack(f"{order}{len(table)}H", *table)
        keyword = "Segmented" if segmented else ""
        setattr(ds, f"{keyword}{channel}PaletteColorLookupTableData", data)
    return ds


@pytest.mark.parametrize("little", [True, False], ids=["le", "be"])
def test_16_bit_entries_in_either_byte_order(little: bool) -> None:
    red, green, blue = [0, 0xFFFF, 0x8000], [0xFFFF, 0, 0x0100], [0x1234, 0x00FF, 0xFF00]
    ds = palette_dataset([red, green, blue], little=little)
    got = palette_to_rgb(np.array([[0, 1, 2]]), ds)
    expected = np.rint(np.array([red, green, blue]).T * 255 / 65535).astype(np.uint8)
    assert np.array_equal(got[0], expected)


def test_first_mapped_value_and_clipping() -> None:
    """Below the first mapped value: the first entry; past the last entry: the last."""
    ds = palette_dataset([[10, 20, 30]] * 3, first=100, bits=8, byte_entries=True)
    got = palette_to_rgb(np.array([0, 99, 100, 101, 102, 103, 5000]), ds)
    assert got[:, 0].tolist() == [10, 10, 10, 20, 30, 30, 30]


def test_8_bit_entries_packed_in_bytes_and_padded_in_words() -> None:
    values = [0, 7, 128, 255, 64]  # odd count: one pad byte
    packed = palette_dataset([values] * 3, bits=8, byte_entries=True)
    padded = palette_dataset([values] * 3, bits=8)  # 8 bits per entry in 16-bit words
    indices = np.arange(5)
    assert palette_to_rgb(indices, packed)[:, 1].tolist() == values
    assert palette_to_rgb(indices, padded)[:, 1].tolist() == values


def test_16_bit_values_under_an_8_bit_descriptor_keep_their_range() -> None:
    ds = palette_dataset([[0, 0x8000, 0xFF00]] * 3, bits=8)  # the values say 16 bits
    assert palette_to_rgb(np.arange(3), ds)[:, 0].tolist() == [0, 128, 254]


def test_an_8_bit_table_longer_than_256_entries_is_indexed_fully() -> None:
    """pydicom 3.0 indexes 8-bit tables through uint8 indices: entry 300 becomes entry 44."""
    table = [i % 251 for i in range(512)]
    ds = palette_dataset([table] * 3, bits=8, byte_entries=True)
    indices = np.array([0, 44, 300, 511], dtype=np.uint16)
    assert palette_to_rgb(indices, ds)[:, 0].tolist() == [table[i] for i in (0, 44, 300, 511)]


def test_zero_entries_means_65536() -> None:
    table = list(range(65536))
    ds = palette_dataset([table] * 3, entries=0)
    palette = read_palette(ds)
    assert palette.entries == 65536 and palette.bits == 16
    assert palette_to_rgb(np.array([65535]), ds)[0].tolist() == [255, 255, 255]


# -- segmented (PS3.3 C.7.9.2) ------------------------------------------------------------
SEGMENTS = [
    0, 3, 10, 20, 30,  # discrete: 10 20 30
    1, 4, 70,  # linear from 30 to 70 in 4 steps: 40 50 60 70
    2, 2, 0, 0,  # indirect: the 2 segments from byte offset 0 again
]  # fmt: skip
EXPANDED = [10, 20, 30, 40, 50, 60, 70, 10, 20, 30, 40, 50, 60, 70]


def test_segments_expand_discrete_linear_and_indirect() -> None:
    assert expand_segmented(SEGMENTS, 16) == EXPANDED
    assert expand_segmented(SEGMENTS, 16, needed=5) == EXPANDED[:5]


@pytest.mark.parametrize("little", [True, False], ids=["le", "be"])
def test_segmented_tables_in_either_byte_order(little: bool) -> None:
    ds = palette_dataset([SEGMENTS] * 3, bits=16, little=little, segmented=True,
                         entries=len(EXPANDED))  # fmt: skip
    palette = read_palette(ds)
    assert palette.tables[0].tolist() == EXPANDED


def test_an_8_bit_indirect_offset_reads_in_the_byte_order() -> None:
    # 8-bit entries: the 32-bit offset is two 16-bit words written as four bytes
    little = [0, 2, 5, 6, 2, 1, 0, 0, 0, 0]  # copy 1 segment from byte 0
    big = [0, 2, 5, 6, 2, 1, 0, 0, 0, 0]
    assert expand_segmented(little, 8, little=True) == [5, 6, 5, 6]
    assert expand_segmented(big, 8, little=False) == [5, 6, 5, 6]
    far = [0, 2, 5, 6, 0, 1, 9, 2, 1, 4, 0, 0, 0]  # little-endian offset 4 -> [0, 1, 9]
    assert expand_segmented(far, 8, little=True) == [5, 6, 9, 9]
    far_be = [0, 2, 5, 6, 0, 1, 9, 2, 1, 0, 4, 0, 0]  # the same offset, big endian words
    assert expand_segmented(far_be, 8, little=False) == [5, 6, 9, 9]


@pytest.mark.parametrize(
    ("segments", "why"),
    [
        ([1, 3, 40], "linear"),  # a linear segment first: no previous value
        ([2, 1, 0, 0], "indirect"),  # an indirect segment first
        ([0, 1, 5, 2, 1, 6, 0], "back"),  # points at itself (byte 6): would never end
        ([0, 1, 5, 2, 1, 100, 0], "back"),  # points past itself
        ([0, 9, 1, 2], "past the end"),  # discrete longer than the data
        ([7, 1, 0], "unknown"),  # no such opcode
    ],
)
def test_damaged_segments_are_refused(segments: list[int], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        expand_segmented(segments, 16)


@pytest.mark.parametrize(
    "damage",
    ["no descriptor", "two values", "12 bits", "short data", "no data", "sizes differ"],
)
def test_a_damaged_palette_is_a_pixel_data_error(damage: str) -> None:
    ds = palette_dataset([[1, 2, 3, 4]] * 3)
    if damage == "no descriptor":
        del ds.GreenPaletteColorLookupTableDescriptor
    elif damage == "two values":
        ds.RedPaletteColorLookupTableDescriptor = [4, 0]
    elif damage == "12 bits":
        ds.RedPaletteColorLookupTableDescriptor = [4, 0, 12]
    elif damage == "short data":
        ds.BluePaletteColorLookupTableDescriptor = [40, 0, 16]
    elif damage == "no data":
        del ds.BluePaletteColorLookupTableData
    else:
        ds.RedPaletteColorLookupTableDescriptor = [3, 0, 16]
    with pytest.raises(ValueError):
        read_palette(ds)
    with pytest.raises(PixelDataError) as raised:
        pixels.palette_to_rgb(np.zeros((2, 2), dtype=np.uint8), ds)
    assert "palette cannot be applied" in raised.value.message()


def test_the_palette_is_read_once_per_table() -> None:
    ds = pydicom.dcmread(find("gdcm-US-ALOKA-16_big.dcm"), stop_before_pixels=True)
    assert cached_palette(ds) is cached_palette(ds)
    other = pydicom.dcmread(find("OBXXXX1A_expb.dcm"), stop_before_pixels=True)
    assert cached_palette(other) is not cached_palette(ds)
