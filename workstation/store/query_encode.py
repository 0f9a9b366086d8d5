"""C-FIND response identifiers encoded straight from index rows to bytes (PS3.5 7.1).

``build_response`` and pydicom's writer cost about 0.1 ms a match. Every identifier of
one query has the same elements in the same order, so each element's header is encoded
once per query and only the values per row. The bytes are the ones pydicom writes for
``build_response``'s dataset (tests/unit/test_query_encode.py compares them); a row
this path does not cover (a sequence key, non-ASCII text in a VR without a character
set, a number pydicom would reformat) is encoded through ``build_response`` instead.
"""

from __future__ import annotations

import json
import re
import sqlite3
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydicom.charset import convert_encodings, default_encoding, encode_string
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32, PersonName

from workstation.store.flatten import vr_of
from workstation.store.index import StoreIndex
from workstation.store.query import (
    CHARSET_VRS,
    COMPUTED_SQL,
    FindPlan,
    Model,
    build_response,
    interruptible,
    plan_find,
    response_charset,
)
from workstation.store.query_keys import ALIAS, LEVEL_ORDER, level_of

BINARY_FORMATS = {
    "US": "H",
    "SS": "h",
    "UL": "L",
    "SL": "l",
    "FL": "f",
    "FD": "d",
    "UV": "Q",
    "SV": "q",
}
NUMBER_TEXT = {
    "IS": re.compile(r"[+-]?\d+"),
    "DS": re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"),
}
UNSPLIT_VRS = ("LT", "ST", "UT")  # one value even with a backslash (set_flat)
SPECIFIC_CHARACTER_SET = 0x00080005
# Printable ASCII but the backslash: a character set passes it through unchanged when
# pydicom encodes this to the same bytes as ASCII does.
ASCII_PROBE = "".join(chr(c) for c in range(0x20, 0x7F) if c != 0x5C)


class EncodeError(ValueError):
    """pydicom cannot encode this response identifier either (its values do not fit
    their VR); pynetdicom answers such a match with 0xC312."""


class _Slow(Exception):
    """This row needs the pydicom path."""


class _NonAscii(_Slow):
    """This row has non-ASCII text: it needs its own character set."""


@dataclass(frozen=True, slots=True)
class _Slot:
    tag: int
    keyword: str
    vr: str  # "" when it depends on the value (US or SS)
    source: int  # computed: the row's column; else the level (index in LEVEL_ORDER)
    computed: bool
    const: bytes | None  # the whole element, when it is the same for every row


def _header(tag: int, vr: str, length: int, implicit: bool) -> bytes:
    tag_bytes = struct.pack("<HH", tag >> 16, tag & 0xFFFF)
    if implicit:
        return tag_bytes + struct.pack("<I", length)
    if vr in EXPLICIT_VR_LENGTH_32:
        return tag_bytes + vr.encode() + b"\x00\x00" + struct.pack("<I", length)
    if length > 0xFFFF:
        raise _Slow  # pydicom writes it as UN then
    return tag_bytes + vr.encode() + struct.pack("<H", length)


def _pydicom_bytes(ds: Dataset, implicit: bool) -> bytes:
    fp = DicomBytesIO()
    fp.is_implicit_VR = implicit
    fp.is_little_endian = True
    try:
        write_dataset(fp, ds)
    except Exception as exc:
        raise EncodeError(str(exc)) from exc
    return fp.getvalue()


@lru_cache(maxsize=32)
def _transparent(encodings: tuple[str, ...]) -> bool:
    """Does pydicom encode ASCII text and names to plain ASCII with ``encodings``?"""
    try:
        probe = ASCII_PROBE.encode("ascii")
        name = "A^B=C^D"
        return encode_string(ASCII_PROBE, list(encodings)) == probe and PersonName(name).encode(
            list(encodings)
        ) == name.encode("ascii")
    except Exception:
        return False


def _encodings(charset: str | list[str] | None) -> tuple[str, ...]:
    """The Python codecs pydicom's writer uses for a dataset with this charset."""
    return tuple(convert_encodings(charset or default_encoding))


def _computed_value(keyword: str, value: Any) -> str:
    if keyword in ("ModalitiesInStudy", "SOPClassesInStudy") and value:
        value = "\\".join(sorted(str(value).split(",")))
    return "" if value is None else str(value)


class ResponseEncoder:
    """Encodes the response identifier of one query's rows (as ``find`` builds them)."""

    def __init__(self, plan: FindPlan, identifier: Dataset, ae_title: str, implicit: bool,
                 columns: list[str]) -> None:  # fmt: skip
        self.plan = plan
        self.identifier = identifier
        self.ae_title = ae_title
        self.implicit = implicit
        self.columns = columns
        index = {name: k for k, name in enumerate(columns)}
        # per level: the column of its attrs JSON, -1 when the query is above that level
        self.attr_columns = [index.get(f"{ALIAS[lvl]}_attrs", -1) for lvl in LEVEL_ORDER]
        self.sequences = False
        slots: list[_Slot] = []
        for keyword in [*plan.return_keys, "QueryRetrieveLevel"]:
            tag = tag_for_keyword(keyword)
            if tag is None or (tag & 0xFFFF == 0 and tag >> 16 > 6):
                continue
            slots.append(self._slot(keyword, tag, index))
        slots.sort(key=lambda s: s.tag)
        used = {s.source for s in slots if s.const is None and not s.computed}
        self.parse = [(lvl, self.attr_columns[lvl]) for lvl in sorted(used)]
        self.before_charset = [s for s in slots if s.tag < SPECIFIC_CHARACTER_SET]
        self.after_charset = [s for s in slots if s.tag > SPECIFIC_CHARACTER_SET]
        self.query_charset = response_charset([], plan.query_charset)
        self.query_charset_element = self._charset_element(self.query_charset)
        self.ascii_ok = _transparent(_encodings(self.query_charset))

    def _slot(self, keyword: str, tag: int, index: dict[str, int]) -> _Slot:
        if keyword == "QueryRetrieveLevel":
            return _Slot(
                tag, keyword, "CS", -1, False, self._const(tag, "CS", self.plan.level.value)
            )
        if keyword == "RetrieveAETitle":
            return _Slot(tag, keyword, "AE", -1, False, self._const(tag, "AE", self.ae_title))
        if keyword == "InstanceAvailability":
            return _Slot(tag, keyword, "CS", -1, False, self._const(tag, "CS", "ONLINE"))
        ambiguous = dictionary_VR(tag) == "US or SS"
        vr = "" if ambiguous else vr_of(keyword)
        if vr == "SQ":
            self.sequences = True
        if keyword in COMPUTED_SQL:
            return _Slot(tag, keyword, vr, index[keyword], True, None)
        level = level_of(keyword)
        depth = LEVEL_ORDER.index(level) if level is not None else -1
        if depth < 0 or self.attr_columns[depth] < 0:  # not a key we keep: returned empty
            return _Slot(tag, keyword, vr, -1, False, _header(tag, vr or "US", 0, self.implicit))
        return _Slot(tag, keyword, vr, depth, False, None)

    def _const(self, tag: int, vr: str, text: str) -> bytes:
        value = text.encode("ascii")
        if len(value) % 2:
            value += b" "
        return _header(tag, vr, len(value), self.implicit) + value

    def _charset_element(self, charset: str | list[str] | None) -> bytes:
        if charset is None:
            return b""
        text = charset if isinstance(charset, str) else "\\".join(charset)
        return self._const(SPECIFIC_CHARACTER_SET, "CS", text)

    # -- per row ----------------------------------------------------------------------
    def encode(self, row: tuple) -> bytes:
        """The identifier for one row of ``plan.sql`` (a plain tuple)."""
        if self.sequences:
            return self.encode_slowly(row)
        attrs: list[dict[str, Any]] = [{}, {}, {}, {}]
        for level, column in self.parse:
            attrs[level] = json.loads(row[column])
        try:
            if self.ascii_ok:
                try:
                    parts = [self._element(s, row, attrs, None) for s in self.before_charset]
                    parts.append(self.query_charset_element)
                    parts.extend(self._element(s, row, attrs, None) for s in self.after_charset)
                    return b"".join(parts)
                except _NonAscii:
                    pass
            return self._encode_with_charset(row, attrs)
        except _Slow:
            return self.encode_slowly(row)

    def encode_slowly(self, row: tuple) -> bytes:
        """Through ``build_response`` and pydicom: every case, a little slower."""
        ds = build_response(
            self.plan, dict(zip(self.columns, row, strict=True)), self.identifier, self.ae_title
        )
        return _pydicom_bytes(ds, self.implicit)

    @staticmethod
    def _value(slot: _Slot, row: tuple, attrs: list[dict[str, Any]]) -> Any:
        if slot.computed:
            return _computed_value(slot.keyword, row[slot.source])
        return attrs[slot.source].get(slot.keyword)

    def _element(self, slot: _Slot, row: tuple, attrs: list[dict[str, Any]],
                 encodings: tuple[str, ...] | None) -> bytes:  # fmt: skip
        """One element. ``encodings`` None: the row is taken to be ASCII in the query's
        character set (_NonAscii when a text says otherwise)."""
        if slot.const is not None:
            return slot.const
        value = self._value(slot, row, attrs)
        vr = slot.vr or vr_of(slot.keyword, value)
        if value is None or value == "":
            return _header(slot.tag, vr, 0, self.implicit)
        fmt = BINARY_FORMATS.get(vr)
        if fmt is not None:
            data = self._binary(fmt, value)
        elif type(value) is str:
            data = self._string(vr, value, encodings)
        else:
            raise _Slow
        return _header(slot.tag, vr, len(data), self.implicit) + data

    @staticmethod
    def _binary(fmt: str, value: Any) -> bytes:
        try:
            if isinstance(value, list):
                if not all(type(v) in (int, float) for v in value):
                    raise _Slow
                return struct.pack(f"<{len(value)}{fmt}", *value)
            if type(value) not in (int, float):
                raise _Slow
            return struct.pack("<" + fmt, value)
        except struct.error:
            raise _Slow from None

    @staticmethod
    def _string(vr: str, value: str, encodings: tuple[str, ...] | None) -> bytes:
        values = [value] if vr in UNSPLIT_VRS or "\\" not in value else value.split("\\")
        if vr in NUMBER_TEXT:
            if not all(NUMBER_TEXT[vr].fullmatch(v) for v in values):
                raise _Slow
        if vr in CHARSET_VRS and encodings is not None:
            codecs = list(encodings)
            if vr == "PN":
                data = b"\\".join(PersonName(v).encode(codecs) for v in values)
            else:
                data = b"\\".join(encode_string(v, codecs) for v in values)
        elif value.isascii():
            if vr == "PN" and "=" in value:
                value = "\\".join(v.rstrip("=") for v in values)  # pydicom drops empty groups
            data = value.encode("ascii")
        elif vr in CHARSET_VRS:
            raise _NonAscii
        else:
            raise _Slow  # non-ASCII where pydicom ignores the character set
        if len(data) % 2:
            data += b"\x00" if vr == "UI" else b" "
        return data

    def _encode_with_charset(self, row: tuple, attrs: list[dict[str, Any]]) -> bytes:
        """A row with non-ASCII text: pick the response character set as build_response
        does, then encode the text values with it."""
        texts = []
        for slot in (*self.before_charset, *self.after_charset):
            if slot.const is None and (slot.vr or "US") in CHARSET_VRS:
                value = self._value(slot, row, attrs)
                if isinstance(value, str):
                    texts.append(value)
                elif value is not None:
                    raise _Slow
        charset = response_charset(texts, self.plan.query_charset)
        encodings = _encodings(charset)
        parts = [self._element(s, row, attrs, encodings) for s in self.before_charset]
        parts.append(self._charset_element(charset))
        parts.extend(self._element(s, row, attrs, encodings) for s in self.after_charset)
        return b"".join(parts)


@dataclass(frozen=True)
class EncodedAnswer:
    """The matches of one C-FIND, encoded as they are read; ``known`` of them (at most
    the look-ahead) were read before the first."""

    known: int
    matches: Iterator[bytes]


@contextmanager
def encoded_answer(
    index: StoreIndex,
    identifier: Dataset,
    model: Model,
    ae_title: str = "",
    implicit: bool = False,
    lookahead: int = 0,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[EncodedAnswer]:
    """``find``, each match encoded in (Explicit or Implicit VR) Little Endian; the
    index connection is held until the block ends. Once ``cancelled()`` the search
    stops, even inside SQLite, and the matches end."""
    plan = plan_find(identifier, model)
    with index.reader() as c, interruptible(c, cancelled):
        cursor = c.cursor()
        cursor.row_factory = None
        head: list[tuple] = []
        try:
            cursor.execute(plan.sql, plan.args)
            if lookahead > 0:
                head = cursor.fetchmany(lookahead)
        except sqlite3.OperationalError:
            if cancelled is None or not cancelled():
                raise
        columns = [d[0] for d in cursor.description or ()]
        encoder = ResponseEncoder(plan, identifier, ae_title, implicit, columns) if columns else None

        def matches() -> Iterator[bytes]:
            if encoder is None or (cancelled is not None and cancelled()):
                return
            for row in head:
                yield encoder.encode(row)
            try:
                for row in cursor:
                    yield encoder.encode(row)
            except sqlite3.OperationalError:
                if cancelled is None or not cancelled():
                    raise

        try:
            yield EncodedAnswer(len(head), matches())
        finally:
            cursor.close()  # a cancelled answer must not keep its read snapshot open
