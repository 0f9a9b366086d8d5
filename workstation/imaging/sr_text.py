"""Structured Reports (Basic/Enhanced/Comprehensive SR, KOS) as readable structured text.

The viewer shows an SR as text rather than pixels: a header (title, document kind, date,
observers, status) and the content tree, one line per content item, indented by depth,
with containers as headings and other items as ``[RELATIONSHIP] Concept: value``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pydicom.uid import UID

from workstation.errors import DocumentRenderError

INDENT = "  "


@dataclass(frozen=True)
class SrLine:
    """One rendered line: ``depth`` for indentation, ``heading`` for containers."""

    depth: int
    text: str
    heading: bool = False

    def rendered(self) -> str:
        return INDENT * self.depth + self.text


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _code_meaning(seq: object) -> str:
    if not seq:
        return ""
    item = seq[0]  # type: ignore[index]
    meaning = _text(item.get("CodeMeaning"))
    return meaning or _text(item.get("CodeValue"))


def _unit(seq: object) -> str:
    """UCUM code value when it is readable ('mm', 'cm'), else the code meaning."""
    if not seq:
        return ""
    item = seq[0]  # type: ignore[index]
    value = _text(item.get("CodeValue"))
    if _text(item.get("CodingSchemeDesignator")) == "UCUM" and value and not set(value) & set("[{"):
        return "" if value == "1" else value
    return _code_meaning(seq)


def _person(value: object) -> str:
    if value is None or _text(value) == "":
        return ""
    family = _text(getattr(value, "family_name", ""))
    given = _text(getattr(value, "given_name", ""))
    if family and given:
        return f"{family}, {given}"
    return family or given or _text(value).replace("^", " ").strip()


def _date(da: object) -> str:
    s = _text(da)
    return f"{s[0:4]}-{s[4:6]}-{s[6:8]}" if len(s) >= 8 and s[:8].isdigit() else s


def _time(tm: object) -> str:
    s = _text(tm).split(".")[0]
    if len(s) >= 4 and s.isdigit():
        return ":".join(s[i : i + 2] for i in range(0, len(s), 2))
    return s


def _datetime(dt: object) -> str:
    s = _text(dt)
    if len(s) < 8:
        return s
    rest = s[8:].split("+")[0].split("-")[0]
    return f"{_date(s[:8])} {_time(rest)}".strip()


def _number(value: object) -> str:
    s = _text(value)
    try:
        number = float(s)
    except ValueError:
        return s
    return f"{number:g}" if abs(number) < 1e15 else s


def _references(item: Dataset, word: str) -> str:
    refs = item.get("ReferencedSOPSequence") or []
    parts = []
    for ref in refs:
        text = f"{word} {_text(ref.get('ReferencedSOPInstanceUID'))}"
        frames = ref.get("ReferencedFrameNumber")
        if frames not in (None, ""):
            frame_list = (
                frames if isinstance(frames, Iterable) and not isinstance(frames, str) else [frames]
            )
            text += ", frames " + ", ".join(str(f) for f in frame_list)
        channels = ref.get("ReferencedWaveformChannels")
        if channels not in (None, ""):
            text += ", channels " + " ".join(str(c) for c in channels)
        parts.append(text)
    return "; ".join(parts) or f"{word} (no reference)"


def _num_value(item: Dataset) -> str:
    measured = item.get("MeasuredValueSequence")
    if not measured:
        qualifier = _code_meaning(item.get("NumericValueQualifierCodeSequence"))
        return qualifier or "(no value)"
    value = measured[0]
    number = _number(value.get("NumericValue"))
    if not number:
        return "(no value)"
    unit = _unit(value.get("MeasurementUnitsCodeSequence"))
    return f"{number} {unit}".strip()


def _scoord(item: Dataset) -> str:
    data = item.get("GraphicData") or []
    kind = _text(item.get("GraphicType")).lower() or "coordinates"
    return f"{kind} " + " ".join(f"{v:g}" for v in data)


def _value(item: Dataset, value_type: str) -> str:
    """The value part of one non-container content item."""
    if value_type == "TEXT":
        return _text(item.get("TextValue")).replace("\r\n", "\n").replace("\r", "\n")
    if value_type == "CODE":
        return _code_meaning(item.get("ConceptCodeSequence"))
    if value_type == "NUM":
        return _num_value(item)
    if value_type == "DATETIME":
        return _datetime(item.get("DateTime"))
    if value_type == "DATE":
        return _date(item.get("Date"))
    if value_type == "TIME":
        return _time(item.get("Time"))
    if value_type == "PNAME":
        return _person(item.get("PersonName"))
    if value_type == "UIDREF":
        return _text(item.get("UID"))
    if value_type == "IMAGE":
        return _references(item, "image")
    if value_type == "WAVEFORM":
        return _references(item, "waveform")
    if value_type == "COMPOSITE":
        return _references(item, "object")
    if value_type in ("SCOORD", "SCOORD3D"):
        return _scoord(item)
    if value_type == "TCOORD":
        offsets = item.get("ReferencedTimeOffsets") or item.get("ReferencedSamplePositions") or []
        return f"{_text(item.get('TemporalRangeType')).lower()} " + " ".join(
            str(v) for v in offsets
        )
    return f"({value_type.lower() or 'unknown'} item)"


def _item_lines(item: Dataset, depth: int, is_root: bool = False) -> list[SrLine]:
    relationship = _text(item.get("RelationshipType"))
    prefix = "" if is_root or not relationship else f"[{relationship}] "
    if "ReferencedContentItemIdentifier" in item and "ValueType" not in item:
        target = ".".join(str(i) for i in item.ReferencedContentItemIdentifier)
        return [SrLine(depth, f"{prefix}(see content item {target})")]
    value_type = _text(item.get("ValueType")).upper()
    concept = _code_meaning(item.get("ConceptNameCodeSequence"))
    lines: list[SrLine] = []
    if value_type == "CONTAINER":
        heading = concept or "(untitled section)"
        lines.append(SrLine(depth, heading if is_root else prefix + heading, heading=True))
    else:
        value = _value(item, value_type)
        first, *more = value.split("\n") if value else [""]
        label = f"{concept}: " if concept else ""
        lines.append(SrLine(depth, f"{prefix}{label}{first}".rstrip()))
        lines.extend(SrLine(depth + 1, extra) for extra in more if extra)
    for child in item.get("ContentSequence") or []:
        lines.extend(_item_lines(child, depth + 1))
    return lines


def _observers(ds: Dataset) -> list[str]:
    lines = []
    for author in ds.get("AuthorObserverSequence") or []:
        name = _person(author.get("PersonName")) or _text(author.get("DeviceObserverName"))
        if name:
            lines.append(f"Author: {name}")
    for observer in ds.get("VerifyingObserverSequence") or []:
        text = _person(observer.get("VerifyingObserverName")) or "(unnamed)"
        organisation = _text(observer.get("VerifyingOrganization"))
        if organisation:
            text += f" ({organisation})"
        when = _datetime(observer.get("VerificationDateTime"))
        if when:
            text += f" on {when}"
        lines.append(f"Verified by: {text}")
    return lines


def sr_title(ds: Dataset) -> str:
    return _code_meaning(ds.get("ConceptNameCodeSequence")) or "Structured Report"


def sr_lines(ds: Dataset) -> list[SrLine]:
    """Header lines (depth 0) followed by the content tree."""
    if _text(ds.get("ValueType")).upper() != "CONTAINER" and "ContentSequence" not in ds:
        raise DocumentRenderError(kind="structured report", reason="no SR content tree")
    header = [SrLine(0, f"Title: {sr_title(ds)}", heading=True)]
    sop_class = _text(ds.get("SOPClassUID"))
    if sop_class:
        header.append(SrLine(0, f"Document: {UID(sop_class).name.removesuffix(' Storage')}"))
    when = f"{_date(ds.get('ContentDate'))} {_time(ds.get('ContentTime'))}".strip()
    if when:
        header.append(SrLine(0, f"Content date: {when}"))
    header.extend(SrLine(0, text) for text in _observers(ds))
    status = [_text(ds.get(k)) for k in ("CompletionFlag", "VerificationFlag")]
    if any(status):
        header.append(SrLine(0, "Status: " + ", ".join(s for s in status if s)))
    header.append(SrLine(0, ""))
    return header + _item_lines(ds, 0, is_root=True)


def render_sr(ds: Dataset) -> str:
    """The whole report as plain text, one line per item."""
    return "\n".join(line.rendered() for line in sr_lines(ds)) + "\n"
