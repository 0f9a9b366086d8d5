"""Response identifiers encoded straight from index rows (store/query_encode.py).

The reference is what the node sent before: ``build_response``'s dataset written by
pydicom (``ResponseEncoder.encode_slowly``). Every row of every query below must give the
same bytes both ways, in both Little Endian transfer syntaxes and for query character
sets from none to ISO 2022; rows without sequence keys must not need pydicom.
"""

from __future__ import annotations

import itertools
import json
from io import BytesIO
from pathlib import Path
from typing import Any

import pydicom
import pytest
from pydicom.data import get_charset_files, get_testdata_file
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset

from workstation.store import LocalStore
from workstation.store.flatten import vr_of
from workstation.store.query import MODEL_LEVELS, Model, find, plan_find
from workstation.store.query_encode import EncodeError, ResponseEncoder, encoded_answer
from workstation.store.query_keys import COMPUTED, LEVEL_ORDER, STORED_ATTRS

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

TEST_FILES = ("CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "emri_small.dcm", "SC_rgb.dcm")
QUERY_CHARSETS: list[Any] = [
    None,
    "ISO_IR 100",
    "ISO_IR 192",
    "ISO_IR 13",  # pydicom's own JIS X 0201 encoder
    ["ISO 2022 IR 6", "ISO 2022 IR 87"],
    "\\ISO 2022 IR 149",
]


def _odd_values() -> bytes:
    """CT_small with the values pydicom reformats or treats specially on writing."""
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.10.4711.9.1"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.10.4711.9.2"
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.10.4711.9.3"
    ds.PatientName = "Odd^Values=="  # trailing empty component groups: pydicom drops them
    ds.ReferringPhysicianName = "A^B=C^D=\\E^F="  # multi-valued, one with a trailing '='
    ds.OperatorsName = ["Op^One", "Op^Two="]
    ds.PatientComments = "line one\\line two"  # LT: one value despite the backslash
    ds.StudyDescription = "Fußgelenk"  # non-ASCII LO
    ds.BodyPartExamined = "KNÖCHEL"  # non-ASCII in a CS: pydicom ignores the charset there
    ds.SeriesNumber = "+5"
    ds.InstanceNumber = "007"
    ds.AcquisitionNumber = "12345678901"  # beyond IS's range
    ds.PatientSize = "1.50"
    ds.PatientWeight = "7.5e1"
    ds.ImagePositionPatient = ["-.5", "0", "1e3"]
    ds.add_new("SmallestPixelValueInSeries", "SS", -5)  # US or SS: SS when negative
    ds.add_new("LargestPixelValueInSeries", "SS", 4000)
    ds.Occupation = ""
    buf = BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


@pytest.fixture(scope="module")
def estore(tmp_path_factory):
    store = LocalStore(tmp_path_factory.mktemp("encode") / "data", min_free_space_mb=0)
    blobs = [Path(p).read_bytes() for p in get_charset_files("chr*.dcm")]
    blobs += [Path(get_testdata_file(name)).read_bytes() for name in TEST_FILES]
    blobs.append(_odd_values())
    for blob in blobs:
        try:
            store.add_bytes(blob)
        except Exception:  # noqa: BLE001 - a few charset files have no Study Instance UID
            continue
    assert store.index.count("instance") >= 15
    yield store
    store.close()


def every_key(level: str, model: Model, sequences: bool, charset: Any) -> Dataset:
    """An identifier asking for every attribute we keep at ``level`` and above."""
    ds = Dataset()
    ds.QueryRetrieveLevel = level
    depth = [lvl.value for lvl in LEVEL_ORDER].index(level)
    for lvl in LEVEL_ORDER[: depth + 1]:
        for keyword in STORED_ATTRS[lvl]:
            if vr_of(keyword) == "SQ":
                if sequences:
                    setattr(ds, keyword, [])
            else:
                setattr(ds, keyword, "")
        for keyword, key_level in COMPUTED.items():
            if key_level is lvl:
                setattr(ds, keyword, "")
    if sequences:
        ds.RetrieveAETitle = ""
        ds.InstanceAvailability = ""
        ds.PatientReligiousPreference = ""  # a key we do not keep: returned empty
    if charset is not None:
        ds.SpecificCharacterSet = charset
    return ds


def rows_of(store: LocalStore, identifier: Dataset, model: Model, implicit: bool):
    plan = plan_find(identifier, model)
    with store.index.reader() as c:
        cursor = c.cursor()
        cursor.row_factory = None
        cursor.execute(plan.sql, plan.args)
        columns = [d[0] for d in cursor.description]
        encoder = ResponseEncoder(plan, identifier, "WSAE", implicit, columns)
        return encoder, cursor.fetchall()


CASES = [
    (model, level.value, charset, implicit, sequences)
    for model in Model
    for level in MODEL_LEVELS[model]
    for charset, (implicit, sequences) in itertools.product(
        QUERY_CHARSETS, ((False, False), (True, False), (False, True))
    )
]


@pytest.mark.parametrize("model,level,charset,implicit,sequences", CASES)
def test_direct_bytes_equal_what_pydicom_writes(
    estore, monkeypatch, model, level, charset, implicit, sequences
):
    identifier = every_key(level, model, sequences, charset)
    encoder, rows = rows_of(estore, identifier, model, implicit)
    assert rows
    slow = encoder.encode_slowly
    used: list[tuple] = []

    def counted(row: tuple) -> bytes:
        used.append(row)
        return slow(row)

    monkeypatch.setattr(encoder, "encode_slowly", counted)
    for row in rows:
        assert encoder.encode(row) == slow(row), row
    if sequences:
        assert len(used) == len(rows)  # sequences always go through pydicom
    else:
        # only rows with non-ASCII text in a VR without a character set need pydicom
        assert len(used) <= sum(1 for row in rows if "KNÖCHEL" in str(row))


def test_the_odd_row_takes_each_path_it_should(estore):
    """Trailing '=' groups, multi-valued names, LT backslashes, IS/DS spellings and a
    negative US-or-SS value go the direct way; the non-ASCII CS value does not."""
    identifier = every_key("SERIES", Model.STUDY_ROOT, False, "ISO_IR 100")
    identifier.StudyInstanceUID = "1.2.826.0.1.3680043.10.4711.9.1"
    encoder, rows = rows_of(estore, identifier, Model.STUDY_ROOT, False)
    assert len(rows) == 1
    direct = encoder.encode(rows[0])
    assert direct == encoder.encode_slowly(rows[0])
    fp = DicomBytesIO(direct)
    fp.is_little_endian, fp.is_implicit_VR = True, False
    ds = read_dataset(fp, is_implicit_VR=False, is_little_endian=True)
    assert ds.SpecificCharacterSet == "ISO_IR 100"
    assert str(ds.PatientName) == "Odd^Values"
    assert ds.SeriesNumber == 5 and ds.SmallestPixelValueInSeries == -5
    assert ds["SmallestPixelValueInSeries"].VR == "SS"


def test_ascii_rows_never_touch_pydicom(estore, monkeypatch):
    identifier = every_key("IMAGE", Model.STUDY_ROOT, False, None)
    identifier.PatientID = "1CT1"  # CT_small (and its odd copy): plain ASCII
    identifier.SOPInstanceUID = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"
    encoder, rows = rows_of(estore, identifier, Model.STUDY_ROOT, True)
    assert rows

    def refuse(row: tuple) -> bytes:
        raise AssertionError("pydicom path taken")

    monkeypatch.setattr(encoder, "encode_slowly", refuse)
    for row in rows:
        assert encoder.encode(row)


def test_answer_holds_the_same_matches_as_find(estore):
    identifier = every_key("STUDY", Model.STUDY_ROOT, False, "ISO_IR 192")
    expected = list(find(estore.index, identifier, Model.STUDY_ROOT, ae_title="WSAE"))
    with encoded_answer(
        estore.index, identifier, Model.STUDY_ROOT, "WSAE", implicit=False, lookahead=3
    ) as answer:
        assert answer.known == min(3, len(expected))
        got = list(answer.matches)
    assert len(got) == len(expected)
    for raw, ds in zip(got, expected, strict=True):
        fp = DicomBytesIO(raw)
        fp.is_little_endian, fp.is_implicit_VR = True, False
        decoded = read_dataset(fp, is_implicit_VR=False, is_little_endian=True)
        assert decoded.StudyInstanceUID == ds.StudyInstanceUID
        assert str(decoded.PatientName or "") == str(ds.PatientName or "")


def test_a_value_pydicom_cannot_write_either_is_an_encode_error(estore):
    identifier = every_key("IMAGE", Model.STUDY_ROOT, False, None)
    encoder, rows = rows_of(estore, identifier, Model.STUDY_ROOT, False)
    column = encoder.columns.index("i_attrs")
    row = list(rows[0])
    row[column] = json.dumps({**json.loads(row[column]), "Rows": 70000})  # beyond US
    with pytest.raises(EncodeError):
        encoder.encode(tuple(row))
