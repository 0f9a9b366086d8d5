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
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence

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


def flatten(ds: Dataset, keywords: tuple[str, ...]) -> str:
    """The listed attributes of ``ds`` as flat JSON text (absent ones left out)."""
    out: Flat = {}
    for keyword in keywords:
        try:
            elem = ds[keyword] if keyword in ds else None
            if elem is None:
                continue
            value = _flat_value(elem.value, elem.VR)
        except Exception:  # an undecodable value is not worth losing the instance for
            continue
        if value is not None:
            out[keyword] = value
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


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
