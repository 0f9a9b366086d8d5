"""parse_received (a C-STORE data set read without its file meta) has parse_instance's
outcome for the same bytes: the same record and Part 10 data, or the same error."""

from __future__ import annotations

import warnings
from pathlib import Path

import pydicom
import pytest
from conftest import sample_roots

from workstation.dicom.file_meta import file_meta_bytes
from workstation.errors import StoreError
from workstation.net.wire.cstore_request import NotPart10Error, dataset_offset
from workstation.store.parse import parse_instance, parse_received


def part10_samples() -> list[Path]:
    folder = sample_roots()[0] / "test_files"
    found = []
    for path in sorted(folder.glob("*.dcm")):
        try:
            dataset_offset(path)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                meta = pydicom.dcmread(path, stop_before_pixels=True).file_meta
        except (NotPart10Error, OSError, pydicom.errors.InvalidDicomError):
            continue
        if "TransferSyntaxUID" in meta and "MediaStorageSOPClassUID" in meta:
            found.append(path)
    return found


def outcome(fn, *args):
    try:
        parsed = fn(*args)
    except StoreError as exc:
        return ("error", type(exc).__name__, exc.message())
    return ("parsed", parsed.record, parsed.data)


def received(path: Path, body: bytes | None = None) -> tuple[bytes, bytes, str, str]:
    """What the node has for ``path`` sent by C-STORE: built meta, data set, syntax, class."""
    meta = pydicom.dcmread(path, stop_before_pixels=True).file_meta
    syntax = str(meta.TransferSyntaxUID)
    sop_class = str(meta.MediaStorageSOPClassUID)
    if body is None:
        body = path.read_bytes()[dataset_offset(path) :]
    sop_uid = str(meta.get("MediaStorageSOPInstanceUID", "1.2.3"))
    return file_meta_bytes(sop_class, sop_uid, syntax, "PEER"), body, syntax, sop_class


SAMPLES = part10_samples()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_samples_cover_the_syntaxes():
    syntaxes = {received(p)[2] for p in SAMPLES}
    assert {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2",
            "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.5"} <= syntaxes  # fmt: skip
    assert len(SAMPLES) > 40


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_same_outcome_as_parse_instance(path):
    meta, body, syntax, sop_class = received(path)
    assert outcome(parse_received, meta, body, syntax, sop_class) == outcome(
        parse_instance, meta + body
    )


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x08\x00",
        b"\x00\x00\x00\x00\x04\x00\x00\x00\x10\x00\x00\x00",
        b"not a data set at all, only text " * 8,
    ],  # fmt: skip
    ids=["empty", "half a tag", "group 0000", "text"],
)
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_same_outcome_for_broken_data_sets(body):
    ct = sample_roots()[0] / "test_files" / "CT_small.dcm"
    meta, body, syntax, sop_class = received(ct, body)
    assert outcome(parse_received, meta, body, syntax, sop_class) == outcome(
        parse_instance, meta + body
    )


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_same_outcome_for_a_data_set_cut_anywhere():
    ct = sample_roots()[0] / "test_files" / "CT_small.dcm"
    whole = ct.read_bytes()[dataset_offset(ct) :]
    for cut in range(1, len(whole), 997):
        meta, body, syntax, sop_class = received(ct, whole[:cut])
        assert outcome(parse_received, meta, body, syntax, sop_class) == outcome(
            parse_instance, meta + body
        ), cut
