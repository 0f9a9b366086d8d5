"""Tools > Service mode…: the password gate, then the service dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from workstation.config.password import ServicePassword
from workstation.ui.service.context import ServiceContext
from workstation.ui.service.password_dialog import ask_service_password
from workstation.ui.service.service_dialog import ServiceDialog


def open_service_mode(parent: QWidget | None, context: ServiceContext) -> None:
    """Ask for the service password (or to set one), then run the service dialog.

    Returns when the dialog is closed; saved settings have been passed to
    ``context.apply_settings`` by then.
    """
    if not ask_service_password(ServicePassword(context.password_file()), parent):
        return
    dialog = ServiceDialog(context, parent)
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()
