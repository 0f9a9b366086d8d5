"""The registration form: from a worklist item (patient read-only, three fields editable),
manual with validation errors shown in red next to their field (OK disabled until the
form is valid), and completing an emergency registration."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit
from test_worklist_tab import items

from workstation.dicom import registration
from workstation.ui.worklist.registration_dialog import RegistrationDialog, RegistrationMode

pytestmark = pytest.mark.gui


def line(dialog: RegistrationDialog, name: str) -> QLineEdit:
    widget = dialog.edits[name]
    assert isinstance(widget, QLineEdit)
    return widget


def test_from_a_worklist_item_only_three_fields_are_editable(qtbot) -> None:
    item = items()[2]  # Müller^Jürgen, ISO_IR 100
    dialog = RegistrationDialog(RegistrationMode.WORKLIST, item=item, modality="CR")
    qtbot.addWidget(dialog)
    assert line(dialog, "family_name").text() == "Müller"
    assert line(dialog, "given_name").text() == "Jürgen"
    assert line(dialog, "birth_date").text() == "1963-01-02"
    assert line(dialog, "referring_physician").text() == "Weiß, Anna"
    editable = {name for name, w in dialog.edits.items()
                if (w.isEnabled() and not w.isReadOnly()) if isinstance(w, QLineEdit)}  # fmt: skip
    assert editable == {"performing_physician", "study_id", "study_description"}
    sex = dialog.edits["sex"]
    assert isinstance(sex, QComboBox) and not sex.isEnabled() and sex.currentData() == "M"
    assert dialog.ok_button.isEnabled()
    line(dialog, "study_description").setText("Knie rechts, 2 Ebenen")
    line(dialog, "performing_physician").setText("Meier^Eva")
    dialog.ok_button.click()
    reg = dialog.registration
    assert reg is not None and reg.scheduled and not reg.emergency
    assert reg.patient_name == "Müller^Jürgen"
    assert reg.study_instance_uid == item.study_instance_uid
    assert reg.accession_number == "ACC-LATIN1"
    assert reg.study_description == "Knie rechts, 2 Ebenen"
    assert reg.performing_physician == "Meier^Eva"
    assert reg.study_id == "RP-LATIN1"  # from the Requested Procedure ID


def test_manual_registration_shows_the_broken_rule_next_to_its_field(qtbot) -> None:
    dialog = RegistrationDialog(RegistrationMode.MANUAL, modality="OT")
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled()  # empty form
    assert dialog.error_shown() == {"family_name": "the family name is required"}
    line(dialog, "family_name").setText("Doe")
    line(dialog, "given_name").setText("Jane")
    assert dialog.error_shown() == {"patient_id": "required"}
    line(dialog, "patient_id").setText("MAN-0001")
    assert dialog.ok_button.isEnabled()
    tomorrow = date.today().replace(year=date.today().year + 1).strftime("%Y%m%d")
    line(dialog, "birth_date").setText(tomorrow)
    assert dialog.error_shown() == {"birth_date": "must not be in the future"}
    assert "b00020" in dialog.errors["birth_date"].styleSheet()
    assert not dialog.ok_button.isEnabled()
    line(dialog, "birth_date").setText("19800231")
    assert dialog.error_shown() == {"birth_date": "this date does not exist"}
    line(dialog, "birth_date").setText("1980-02-29")  # dashes are dropped
    assert dialog.error_shown() == {}
    line(dialog, "patient_id").setText("MAN\\0001")
    assert dialog.error_shown() == {"patient_id": "no control characters and no backslash"}
    line(dialog, "patient_id").setText("MAN-0001")
    dialog.ok_button.click()
    reg = dialog.registration
    assert reg is not None and not reg.scheduled
    assert (reg.patient_name, reg.patient_id, reg.birth_date) == ("Doe^Jane", "MAN-0001",
                                                                  "19800229")  # fmt: skip
    assert reg.study_instance_uid


def test_completing_an_emergency_registration(qtbot) -> None:
    base = registration.emergency(now=datetime(2026, 3, 10, 10, 42), modality="CR")
    dialog = RegistrationDialog(RegistrationMode.COMPLETE, base=base, modality="CR")
    qtbot.addWidget(dialog)
    assert line(dialog, "family_name").text() == ""  # the generated name is not offered
    assert not dialog.ok_button.isEnabled()
    line(dialog, "family_name").setText("Ωμέγα")
    line(dialog, "given_name").setText("Ελένη")
    line(dialog, "patient_id").setText("PID-1004")
    dialog.ok_button.click()
    reg = dialog.registration
    assert reg is not None and not reg.emergency
    assert reg.patient_name == "Ωμέγα^Ελένη" and reg.patient_id == "PID-1004"
    assert reg.study_instance_uid == base.study_instance_uid
    assert reg.specific_character_set == "ISO_IR 192"
