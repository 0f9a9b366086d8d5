"""Display forms of DICOM values in the browser (Qt-free helpers used by the models)."""

from __future__ import annotations


def person_name(value: str) -> str:
    """'Smith^John^A^Dr' -> 'Smith, John A'; the alphabetic group of a multi-group name.

    Falls back to the next group (ideographic) when the alphabetic one is empty.
    """
    if not value:
        return ""
    first = value.split("\\")[0]
    groups = [g for g in first.split("=") if g.strip("^ ")]
    if not groups:
        return ""
    parts = [p.strip() for p in groups[0].split("^")]
    family = parts[0] if parts else ""
    given = " ".join(p for p in parts[1:3] if p)
    if family and given:
        return f"{family}, {given}"
    return family or given


def dicom_date(value: str) -> str:
    """'20240131' -> '2024-01-31' (ISO: unambiguous in every locale); other text as is."""
    value = value.strip()
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value


def dicom_time(value: str) -> str:
    """'101503.25' -> '10:15'; 'HH' or 'HHMM' forms too; other text as is."""
    value = value.strip().split(".")[0]
    if value.isdigit() and len(value) >= 4:
        return f"{value[:2]}:{value[2:4]}"
    if value.isdigit() and len(value) == 2:
        return f"{value}:00"
    return value


def sex(value: str) -> str:
    return value.strip().upper()
