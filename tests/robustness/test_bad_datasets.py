"""Unreadable data sets (cut anywhere, even inside an element header; lengths that do not
add up) are refused with C000 and a reason, nothing written (CONFORMANCE.md, "Storage SCP
outcomes"): the cut sweep in-process on the receive path's parser, a sample over the wire,
inconsistent lengths over the wire, and a fuzzer for the data-set reader."""

from __future__ import annotations

import struct

import pydicom
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydicom.data import get_testdata_file

from tests.robustness.peer import assert_healthy, fresh_ct
from tests.robustness.test_bad_commands import CT_IMAGE_STORAGE, store_raw
from workstation.dicom.file_meta import file_meta_bytes
from workstation.dicom.structure import check_structure, meta_end
from workstation.errors import CorruptDicomError, WorkstationError
from workstation.store.parse import parse_received

EXPLICIT_LE = "1.2.840.10008.1.2.1"
IMPLICIT_LE = "1.2.840.10008.1.2"


def _sample() -> tuple[bytes, pydicom.Dataset]:
    """SC_rgb_small_odd.dcm's data set (explicit VR LE, a sequence, pixel data)."""
    path = get_testdata_file("SC_rgb_small_odd.dcm")
    data = open(path, "rb").read()
    return data[meta_end(data, 132) :], pydicom.dcmread(path)


def _top_level_boundaries(body: bytes) -> set[int]:
    """Offsets between two top-level elements: a cut there is a well-formed data set."""
    offsets, pos = set(), 0
    while pos < len(body):
        offsets.add(pos)
        vr = body[pos + 4 : pos + 6]
        if vr in (b"OB", b"OW", b"SQ", b"UN", b"UT", b"UC", b"UR", b"OF", b"OD", b"OL"):
            pos += 12 + struct.unpack_from("<I", body, pos + 8)[0]
        else:
            pos += 8 + struct.unpack_from("<H", body, pos + 6)[0]
    return offsets


def test_a_data_set_cut_at_every_byte_is_refused_unless_at_an_element_boundary() -> None:
    body, ds = _sample()
    meta = file_meta_bytes(ds.SOPClassUID, ds.SOPInstanceUID, EXPLICIT_LE, source_ae="T")
    boundaries = _top_level_boundaries(body)
    accepted = []
    for cut in range(1, len(body)):
        try:
            parse_received(meta, body[:cut], EXPLICIT_LE, ds.SOPClassUID)
        except WorkstationError:
            continue
        accepted.append(cut)
    assert set(accepted) <= boundaries, sorted(set(accepted) - boundaries)
    parse_received(meta, body, EXPLICIT_LE, ds.SOPClassUID)  # the whole one is read


def _sequence_item_too_long(body: bytes) -> bytes:
    """The first sequence's first item made 16 bytes longer than its sequence."""
    pos = body.index(b"SQ") - 4
    item = pos + 12
    (length,) = struct.unpack_from("<I", body, item + 4)
    return body[: item + 4] + struct.pack("<I", length + 16) + body[item + 8 :]


def _element_past_the_end(body: bytes) -> bytes:
    pos = body.index(b"\xe0\x7f\x10\x00")  # Pixel Data, OB/OW: 4-byte length at +8
    (length,) = struct.unpack_from("<I", body, pos + 8)
    return body[: pos + 8] + struct.pack("<I", length + 2) + body[pos + 12 :]


@pytest.mark.parametrize(
    "breaker",
    [_sequence_item_too_long, _element_past_the_end, lambda b: b + b"\x08\x00\x20"],
    ids=["item longer than its sequence", "length past the end", "trailing bytes"],
)
def test_inconsistent_lengths_are_refused_in_process(breaker) -> None:
    body, ds = _sample()
    meta = file_meta_bytes(ds.SOPClassUID, ds.SOPInstanceUID, EXPLICIT_LE, source_ae="T")
    with pytest.raises(CorruptDicomError):
        parse_received(meta, breaker(body), EXPLICIT_LE, ds.SOPClassUID)


def _ct_body() -> tuple[bytes, pydicom.Dataset]:
    from tests.robustness.peer import encode_dataset

    ds = fresh_ct()
    return encode_dataset(ds), ds


def _assert_refused(running, ds, body: bytes) -> None:
    elements = store_raw(running, CT_IMAGE_STORAGE.encode(), ds.SOPInstanceUID.encode(), body)
    (status,) = struct.unpack("<H", elements[0x0900])
    assert status in (0xC000, 0xA900), f"status {status:04X}"
    assert elements.get(0x0902), "no error comment"
    assert running.store.index.lookup(ds.SOPInstanceUID) is None


@pytest.mark.parametrize("fraction", [0.001, 0.01, 0.3, 0.6, 0.999])
def test_a_cut_data_set_over_the_wire_is_refused(node, fraction) -> None:
    body, ds = _ct_body()
    cut = max(1, int(len(body) * fraction))
    if cut in _implicit_boundaries(body):
        cut += 3  # inside an element header
    _assert_refused(node, ds, body[:cut])
    assert_healthy(node)


def _implicit_boundaries(body: bytes) -> set[int]:
    offsets, pos = set(), 0
    while pos < len(body):
        offsets.add(pos)
        pos += 8 + struct.unpack_from("<I", body, pos + 4)[0]
    return offsets


def test_an_element_length_past_the_end_over_the_wire_is_refused(node) -> None:
    body, ds = _ct_body()
    pos = body.index(b"\xe0\x7f\x10\x00")
    (length,) = struct.unpack_from("<I", body, pos + 4)
    broken = body[: pos + 4] + struct.pack("<I", length + 100) + body[pos + 8 :]
    _assert_refused(node, ds, broken)
    assert_healthy(node)


@settings(max_examples=300, deadline=500, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), implicit=st.booleans(), little=st.booleans())
def test_the_structure_check_raises_only_its_own_error(data, implicit, little) -> None:
    try:
        check_structure(data, implicit, little)
    except CorruptDicomError:
        pass


@settings(max_examples=200, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=1101), flips=st.lists(
    st.tuples(st.integers(min_value=0, max_value=1101), st.integers(0, 255)), max_size=4))
@example(cut=192, flips=[(55, 0)])  # an invalid VR in SOP Class UID: found by this fuzzer
def test_mutated_data_sets_are_read_or_refused_with_a_workstation_error(cut, flips) -> None:
    body, ds = _sample()
    mutated = bytearray(body[: max(cut, 1)])
    for offset, value in flips:
        if offset < len(mutated):
            mutated[offset] = value
    meta = file_meta_bytes(ds.SOPClassUID, ds.SOPInstanceUID, EXPLICIT_LE, source_ae="T")
    try:
        parse_received(meta, bytes(mutated), EXPLICIT_LE, ds.SOPClassUID)
    except WorkstationError:
        pass
