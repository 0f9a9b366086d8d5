"""Datasets to and from the flat JSON the index keeps per level.

Text values become Unicode strings (multi-values joined with a backslash, person
names in their full ``alphabetic=ideographic=phonetic`` form), binary numbers become
JSON numbers, sequences become lists of flat items. It is deliberately lossy: only what
C-FIND matches and returns.
"""

from __future__ import annotations

import json
from typing import Any

from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement, convert_raw_data_element
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag, Tag

from workstation.store.query_keys import STORED_ATTRS, Level

BINARY_NUMBERS = {"US", "SS", "UL", "SL", "FL", "FD", "UV", "SV"}
Flat = dict[str, Any]


def _flat_value(value: Any, vr: str) -> Any:
    if isinstance(value, Sequence):
        return [flatten_item(item) for item in value]
    if vr in BINARY_NUMBERS:
        if isinstance(value, MultiValue | list | tuple):
            return [v for v in value]
        return value
    if isinstance(value, MultiValue | list | tuple):
        return "\\".join("" if v is None else str(v) for v in value)
    if isinstance(value, bytes):
        return None
    if value is None:
        return ""
    if vr == "PN":
        return str(value).rstrip()
    return str(value).strip("\x00 ")


def flatten_item(ds: Dataset) -> Flat:
    """Every element of ``ds`` that has a keyword (private and unknown tags are left out)."""
    out: Flat = {}
    for elem in ds:
        keyword = elem.keyword
        if not keyword:
            continue
        try:
            value = _flat_value(elem.value, elem.VR)
        except Exception:
            continue
        if value is not None:
            out[keyword] = value
    return out


_LEVEL_TAGS: dict[Level, tuple[tuple[str, BaseTag], ...]] = {
    level: tuple((kw, Tag(tag_for_keyword(kw))) for kw in keywords)
    for level, keywords in STORED_ATTRS.items()
}


def flat_level(ds: Dataset, level: Level) -> Flat:
    """The level's C-FIND attributes present in ``ds`` as flat values (absent ones left out).

    On the C-STORE hot path: tags are looked up once per module, and only elements that
    are present are decoded.
    """
    out: Flat = {}
    present = ds._dict  # noqa: SLF001 - a dict lookup per tag instead of a keyword search
    encoding = ds._character_set  # noqa: SLF001 - once, not once per element
    for keyword, tag in _LEVEL_TAGS[level]:
        raw = present.get(tag)
        if raw is None:
            continue
        try:
            elem = (
                convert_raw_data_element(raw, encoding=encoding, ds=ds)
                if isinstance(raw, RawDataElement)
                else raw
            )
            value = _flat_value(elem.value, elem.VR)
        except Exception:  # an undecodable value is not worth losing the instance for
            continue
        if value is not None:
            out[keyword] = value
    return out


def to_json(flat: Flat) -> str:
    return json.dumps(flat, ensure_ascii=False, separators=(",", ":"))


def vr_of(keyword: str, value: Any = None) -> str:
    vr = dictionary_VR(tag_for_keyword(keyword))
    if vr == "US or SS":
        return "SS" if isinstance(value, int) and value < 0 else "US"
    if vr == "OB or OW":
        return "OW"
    if " or " in vr:
        return vr.split(" or ")[0]
    return vr


def set_flat(ds: Dataset, keyword: str, value: Any) -> None:
    """Put a flat value back into ``ds`` with the dictionary VR."""
    vr = vr_of(keyword, value)
    if vr == "SQ":
        items = []
        for item in value or []:
            sub = Dataset()
            for k, v in item.items():
                set_flat(sub, k, v)
            items.append(sub)
        ds.add_new(keyword, "SQ", Sequence(items))
        return
    if value is None or value == "":
        ds.add_new(keyword, vr, None)
        return
    if vr in BINARY_NUMBERS:
        ds.add_new(keyword, vr, value)
        return
    text = str(value)
    ds.add_new(
        keyword, vr, text.split("\\") if "\\" in text and vr not in ("LT", "ST", "UT") else text
    )
