"""The gate to service mode: set the password the first time, enter it afterwards."""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from workstation.config.password import MIN_LENGTH, PasswordError, ServicePassword
from workstation.ui.messages import error_text


class PasswordMode(Enum):
    SET = "set"  # no password yet: choose one, typed twice
    VERIFY = "verify"  # enter the password
    CHANGE = "change"  # current password, then the new one twice


class PasswordDialog(QDialog):
    """Asks for the service password; accepted only when it was right (or set)."""

    def __init__(self, store: ServicePassword, mode: PasswordMode,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.store = store
        self.mode = mode
        self.setModal(True)
        self.setMinimumWidth(440)

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.current_edit = self._password_edit()
        self.password_edit = self._password_edit()
        self.confirm_edit = self._password_edit()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error_label.hide()

        form = QFormLayout()
        if mode is PasswordMode.VERIFY:
            self.setWindowTitle(self.tr("Service mode"))
            self.intro.setText(self.tr("Enter the service password to change the settings."))
            form.addRow(self.tr("Password:"), self.password_edit)
        else:
            if mode is PasswordMode.SET:
                self.setWindowTitle(self.tr("Set the service password"))
                self.intro.setText(
                    self.tr("No service password has been set yet. Choose one now: it protects "
                            "the network and storage settings. At least {n} characters.")
                    .format(n=MIN_LENGTH))  # fmt: skip
            else:
                self.setWindowTitle(self.tr("Change the service password"))
                self.intro.setText(self.tr("At least {n} characters.").format(n=MIN_LENGTH))
                form.addRow(self.tr("Current password:"), self.current_edit)
            form.addRow(self.tr("New password:"), self.password_edit)
            form.addRow(self.tr("Repeat the new password:"), self.confirm_edit)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        first = self.current_edit if mode is PasswordMode.CHANGE else self.password_edit
        first.setFocus()

    def _password_edit(self) -> QLineEdit:
        edit = QLineEdit()
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.textEdited.connect(lambda _text: self.error_label.hide())
        return edit

    def submit(self) -> None:
        """Check or store the password; stay open with a message when refused."""
        try:
            if self.mode is PasswordMode.VERIFY:
                self.store.verify(self.password_edit.text())
            elif self.mode is PasswordMode.SET:
                self.store.set(self.password_edit.text(), self.confirm_edit.text())
            else:
                self.store.change(self.current_edit.text(), self.password_edit.text(),
                                  self.confirm_edit.text())  # fmt: skip
        except PasswordError as err:
            self.show_error(error_text(err))
            for edit in (self.current_edit, self.password_edit, self.confirm_edit):
                edit.clear()
            (
                self.current_edit if self.mode is PasswordMode.CHANGE else self.password_edit
            ).setFocus()
            return
        self.accept()

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.adjustSize()  # room for the new line, not squeezed out of the wrapped text


def ask_service_password(store: ServicePassword, parent: QWidget | None = None) -> bool:
    """Set (first time) or verify the service password; True when the user got through."""
    mode = PasswordMode.VERIFY if store.is_set() else PasswordMode.SET
    dialog = PasswordDialog(store, mode, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
