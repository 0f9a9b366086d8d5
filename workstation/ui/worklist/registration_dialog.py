"""The registration form: from a worklist item, manual, or completing an emergency.

From a worklist item the patient and order fields are shown read-only; only the
performing physician, the study ID and the study description may be edited (extract-001
5.2). Manual registration (and completing an emergency registration) validates every
change through :mod:`workstation.dicom.registration`: the first broken rule is shown in
red next to its field and OK stays disabled until the form is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from workstation.dicom.registration import Registration
from workstation.errors import RegistrationError, WorkstationError
from workstation.ui.messages import error_text
from workstation.ui.worklist import registration_backend as rb
from workstation.ui.worklist.worklist_model import da, person_name

ERROR_STYLE = "color: #b00020;"
INVALID_STYLE = "border: 1px solid #b00020; border-radius: 2px; padding: 1px;"
READ_ONLY_STYLE = "QLineEdit[readOnly=\"true\"] { background: #eeeeee; color: #333333; }"

#: the form's fields in order: (name, label)
FIELDS: tuple[tuple[str, str], ...] = (
    ("family_name", QT_TRANSLATE_NOOP("RegistrationDialog", "Family name:")),
    ("given_name", QT_TRANSLATE_NOOP("RegistrationDialog", "Given name:")),
    ("middle_name", QT_TRANSLATE_NOOP("RegistrationDialog", "Middle name:")),
    ("name_prefix", QT_TRANSLATE_NOOP("RegistrationDialog", "Name prefix:")),
    ("name_suffix", QT_TRANSLATE_NOOP("RegistrationDialog", "Name suffix:")),
    ("patient_id", QT_TRANSLATE_NOOP("RegistrationDialog", "Patient ID:")),
    ("birth_date", QT_TRANSLATE_NOOP("RegistrationDialog", "Birth date:")),
    ("sex", QT_TRANSLATE_NOOP("RegistrationDialog", "Sex:")),
    ("accession_number", QT_TRANSLATE_NOOP("RegistrationDialog", "Accession number:")),
    ("requested_procedure_id", QT_TRANSLATE_NOOP("RegistrationDialog", "Requested procedure ID:")),
    ("modality", QT_TRANSLATE_NOOP("RegistrationDialog", "Modality:")),
    ("referring_physician", QT_TRANSLATE_NOOP("RegistrationDialog", "Referring physician:")),
    ("performing_physician", QT_TRANSLATE_NOOP("RegistrationDialog", "Performing physician:")),
    ("study_id", QT_TRANSLATE_NOOP("RegistrationDialog", "Study ID:")),
    ("study_description", QT_TRANSLATE_NOOP("RegistrationDialog", "Study description:")),
)  # fmt: skip
NAME_FIELDS = ("family_name", "given_name", "middle_name", "name_prefix", "name_suffix")
EDITABLE_FROM_WORKLIST = frozenset({"performing_physician", "study_id", "study_description"})

#: rule codes of RegistrationError, worded for the form
RULE_TEXTS: dict[str, str] = {
    "required": QT_TRANSLATE_NOOP("RegistrationDialog", "required"),
    "family_name_required": QT_TRANSLATE_NOOP("RegistrationDialog", "the family name is required"),
    "too_long": QT_TRANSLATE_NOOP("RegistrationDialog", "too long"),
    "component_too_long": QT_TRANSLATE_NOOP("RegistrationDialog", "at most 64 characters per name part"),
    "too_many_components": QT_TRANSLATE_NOOP("RegistrationDialog", "at most 5 name parts"),
    "too_many_groups": QT_TRANSLATE_NOOP("RegistrationDialog", "at most 3 name groups (=)"),
    "forbidden_character": QT_TRANSLATE_NOOP(
        "RegistrationDialog", "no control characters and no backslash"),
    "format": QT_TRANSLATE_NOOP("RegistrationDialog", "use YYYYMMDD, e.g. 19700131"),
    "not_a_date": QT_TRANSLATE_NOOP("RegistrationDialog", "this date does not exist"),
    "in_future": QT_TRANSLATE_NOOP("RegistrationDialog", "must not be in the future"),
    "one_of": QT_TRANSLATE_NOOP("RegistrationDialog", "must be female, male, other or unknown"),
    "cs": QT_TRANSLATE_NOOP(
        "RegistrationDialog", "1-16 capital letters, digits or '_', e.g. CT"),
}  # fmt: skip


class RegistrationMode(StrEnum):
    WORKLIST = "worklist"  # from a worklist item: patient read-only
    MANUAL = "manual"  # unscheduled: validated
    COMPLETE = "complete"  # completing an emergency registration


def _tr(text: str) -> str:
    return QCoreApplication.translate("RegistrationDialog", text)


def rule_text(err: RegistrationError) -> str:
    code = str(err.values.get("rule_code", ""))
    text = RULE_TEXTS.get(code)
    return _tr(text) if text else str(err.values.get("rule", "")) or error_text(err)


class RegistrationDialog(QDialog):
    """``registration`` holds the result after OK."""

    def __init__(
        self,
        mode: RegistrationMode,
        *,
        item: object | None = None,
        base: Registration | None = None,
        modality: str = "OT",
        validate: Callable[[dict[str, str]], Registration] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("registrationDialog")
        self.mode = mode
        self.item = item
        self.base = base
        self.registration: Registration | None = None
        self.registration_candidate: Registration | None = None
        self.error: WorkstationError | None = None
        self._ready = False  # no validation while the form is being built
        titles = {
            RegistrationMode.WORKLIST: self.tr("Register from the worklist"),
            RegistrationMode.MANUAL: self.tr("Register without a worklist item"),
            RegistrationMode.COMPLETE: self.tr("Complete the emergency registration"),
        }
        self.setWindowTitle(titles[mode])
        self.setMinimumWidth(640)
        self.setStyleSheet(READ_ONLY_STYLE)
        self._validate = validate or self._default_validator(modality)

        self.edits: dict[str, QLineEdit | QComboBox] = {}
        self.errors: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        patient = QGroupBox(self.tr("Patient"))
        order = QGroupBox(self.tr("Procedure"))
        grids = {patient: QGridLayout(patient), order: QGridLayout(order)}
        for name, label in FIELDS:
            box = patient if name in NAME_FIELDS or name in ("patient_id", "birth_date", "sex") else order
            grid = grids[box]
            row = grid.rowCount()
            widget: QLineEdit | QComboBox
            if name == "sex":
                widget = QComboBox()
                for value, text in (("", self.tr("unknown")), ("F", self.tr("female")),
                                    ("M", self.tr("male")), ("O", self.tr("other"))):  # fmt: skip
                    widget.addItem(text, value)
                widget.currentIndexChanged.connect(self._changed)
            else:
                widget = QLineEdit()
                widget.textChanged.connect(self._changed)
            widget.setObjectName(name)
            error = QLabel()
            error.setObjectName(name + "_error")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.setMinimumWidth(200)
            caption = QLabel(_tr(label))
            caption.setMinimumWidth(190)  # both groups line up
            self.captions[name] = caption
            grid.addWidget(caption, row, 0)
            grid.addWidget(widget, row, 1)
            grid.addWidget(error, row, 2)
            grid.setColumnStretch(1, 2)
            grid.setColumnStretch(2, 1)
            self.edits[name] = widget
            self.errors[name] = error
        self._line("birth_date").setPlaceholderText(self.tr("YYYYMMDD"))
        for name in ("referring_physician", "performing_physician"):
            self._line(name).setPlaceholderText(self.tr("Family^Given"))
        self._line("modality").setText(modality)

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.form_error = QLabel()
        self.form_error.setObjectName("formError")
        self.form_error.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Register") if mode is not RegistrationMode.COMPLETE
                               else self.tr("Save patient data"))  # fmt: skip
        self.buttons.accepted.connect(self.accept_form)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(patient)
        layout.addWidget(order)
        layout.addWidget(self.form_error)
        layout.addWidget(self.buttons)

        if mode is RegistrationMode.WORKLIST:
            self._fill_from_item(item)
            for name in NAME_FIELDS[2:]:  # empty optional name parts: no rows to read
                if not self._line(name).text():
                    for w in (self.captions[name], self.edits[name], self.errors[name]):
                        w.hide()
            self.note.setText(self.tr("The patient and order data come from the worklist and "
                                      "cannot be changed here."))  # fmt: skip
        else:  # no requested procedure without a worklist item
            for w in (self.captions["requested_procedure_id"],
                      self.edits["requested_procedure_id"], self.errors["requested_procedure_id"]):
                w.hide()
        if mode is not RegistrationMode.WORKLIST and base is not None:
            self._fill_from_registration(base)
            if base.emergency:  # the generated name and ID are replaced, not kept
                for name in (*NAME_FIELDS, "patient_id"):
                    self._set(name, "")
            self.note.setText(self.tr("Replace the generated ID and name with the patient's "
                                      "data. The MPPS is sent once the data is complete."))  # fmt: skip
        elif mode is RegistrationMode.MANUAL:
            self.note.setText(self.tr("Fields marked in red must be corrected before the "
                                      "patient can be registered."))  # fmt: skip
        self._ready = True
        self._changed()
        first = next((w for w in self.edits.values() if w.isEnabled() and not (
            isinstance(w, QLineEdit) and w.isReadOnly())), None)  # fmt: skip
        if first is not None:
            first.setFocus()

    # -- filling -------------------------------------------------------------------------
    def _line(self, name: str) -> QLineEdit:
        widget = self.edits[name]
        assert isinstance(widget, QLineEdit)
        return widget

    def _set(self, name: str, value: str) -> None:
        widget = self.edits[name]
        if isinstance(widget, QComboBox):
            index = widget.findData(value.upper())
            widget.setCurrentIndex(index if index >= 0 else 0)
        else:
            widget.setText(value)

    def _fill_name(self, value: str) -> None:
        parts = (str(value or "").split("=")[0].split("^") + [""] * 5)[:5]
        for name, part in zip(NAME_FIELDS, parts, strict=True):
            self._set(name, part)

    def _fill_from_item(self, item: object) -> None:
        def a(name: str) -> str:
            value = getattr(item, name, "")
            return "" if value is None else str(value)

        self._fill_name(a("patient_name"))
        for name in ("patient_id", "birth_date", "sex", "accession_number",
                     "requested_procedure_id", "modality", "referring_physician",
                     "performing_physician"):  # fmt: skip
            self._set(name, a(name))
        self._set("birth_date", da(a("birth_date")))
        if not a("modality"):
            self._set("modality", self._line("modality").text())
        self._set("referring_physician", person_name(a("referring_physician")))
        self._set("performing_physician", a("performing_physician"))
        self._set("study_id", a("requested_procedure_id"))
        self._set("study_description", a("requested_procedure_description")
                  or a("sps_description"))  # fmt: skip
        for name, widget in self.edits.items():
            if name in EDITABLE_FROM_WORKLIST:
                continue
            if isinstance(widget, QLineEdit):
                widget.setReadOnly(True)
            else:
                widget.setEnabled(False)

    def _fill_from_registration(self, reg: Registration) -> None:
        self._fill_name(reg.patient_name)
        for name in ("patient_id", "birth_date", "sex", "accession_number",
                     "requested_procedure_id", "modality", "referring_physician",
                     "performing_physician", "study_id", "study_description"):  # fmt: skip
            self._set(name, getattr(reg, name))

    # -- values and validation -----------------------------------------------------------
    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, widget in self.edits.items():
            out[name] = (widget.currentData() or "") if isinstance(widget, QComboBox) else widget.text()
        out["birth_date"] = out["birth_date"].strip().replace("-", "").replace(".", "")
        parts = [out[n].strip() for n in NAME_FIELDS]
        while parts and not parts[-1]:
            parts.pop()
        out["patient_name"] = "^".join(parts)
        return out

    def _default_validator(self, modality: str) -> Callable[[dict[str, str]], Registration]:
        if self.mode is RegistrationMode.WORKLIST:
            return lambda values: rb.from_worklist(self.item, values, modality)
        if self.mode is RegistrationMode.COMPLETE and self.base is not None:
            base = self.base
            return lambda values: rb.complete(base, values)
        return rb.manual

    def _changed(self, *_args: object) -> None:
        if not self._ready:
            return
        for label in self.errors.values():
            label.clear()
        for widget in self.edits.values():
            widget.setStyleSheet("")
        self.form_error.hide()
        try:
            self.registration_candidate = self._validate(self.values())
        except RegistrationError as err:
            self.registration_candidate = None
            self.error = err
            field = str(err.values.get("field", ""))
            target = self._error_label(field)
            if target is not None:
                target.setText(rule_text(err))
                widget = self.edits.get(self._field_of(target))
                if widget is not None:
                    widget.setStyleSheet(INVALID_STYLE)
            else:
                self.form_error.setText(error_text(err))
                self.form_error.show()
            self.ok_button.setEnabled(False)
            return
        except WorkstationError as err:
            self.registration_candidate = None
            self.error = err
            self.form_error.setText(error_text(err))
            self.form_error.show()
            self.ok_button.setEnabled(False)
            return
        self.error = None
        self.ok_button.setEnabled(True)

    def _error_label(self, field: str) -> QLabel | None:
        if field in self.errors:
            return self.errors[field]
        if field in ("patient_name", "name"):
            # the component the rule is about, when the error names it ("patient_name.2")
            return self.errors["family_name"]
        head, _, index = field.partition(".")
        if head == "patient_name" and index.isdigit() and int(index) < len(NAME_FIELDS):
            return self.errors[NAME_FIELDS[int(index)]]
        return None

    def _field_of(self, label: QLabel) -> str:
        return next(name for name, lab in self.errors.items() if lab is label)

    def error_shown(self) -> dict[str, str]:
        """Field -> the error text next to it (tests, screenshots)."""
        return {name: label.text() for name, label in self.errors.items() if label.text()}

    def accept_form(self) -> None:
        self._changed()
        if self.registration_candidate is None:
            return
        self.registration = self.registration_candidate
        self.accept()

