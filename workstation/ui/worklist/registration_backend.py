"""The form's values -> a Registration, through :mod:`workstation.dicom.registration`.

The dialog calls these on every change; each returns a Registration or raises
RegistrationError (field + rule), which the dialog shows next to the field.
"""

from __future__ import annotations

from datetime import date, datetime

from workstation.dicom import registration as reg_mod
from workstation.dicom.registration import Registration


def from_worklist(item: object, values: dict[str, str], modality: str) -> Registration:
    """The worklist item's registration with the three fields the user may edit."""
    edits = reg_mod.RegistrationEdits(
        performing_physician=values.get("performing_physician", "").strip(),
        study_id=values.get("study_id", "").strip(),
        study_description=values.get("study_description", "").strip(),
    )
    dataset = getattr(item, "dataset", item)
    return reg_mod.from_worklist(dataset, modality_default=modality, edits=edits)


def manual_form(values: dict[str, str]) -> reg_mod.ManualForm:
    names = set(getattr(reg_mod.ManualForm, "__dataclass_fields__", {}))
    data = {k: v for k, v in values.items() if k in names}
    return reg_mod.ManualForm(**data)


def manual(values: dict[str, str], today: date | None = None) -> Registration:
    """A validated unscheduled registration (raises RegistrationError)."""
    return reg_mod.manual(manual_form(values), today=today or date.today())


def complete(base: Registration, values: dict[str, str], today: date | None = None) -> Registration:
    """An emergency registration completed with the form's patient data (validated)."""
    return reg_mod.complete_emergency(base, manual_form(values), today=today or date.today())


def emergency(modality: str, now: datetime | None = None) -> Registration:
    return reg_mod.emergency(now=now or datetime.now(), modality=modality)
