"""The service dialog: three pages over one Settings model, saved and applied together.

Apply (or OK) builds the new settings from every page through ``Settings.updated``: the
first refused value is shown with its field and rule (translated), its page and input
get the focus, and nothing is saved. Valid settings are written with
``save_settings`` and handed to the app's ``apply_settings``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workstation.config.password import ServicePassword
from workstation.config.persistence import save_settings
from workstation.config.settings import SECTIONS, Settings, check_ae_title
from workstation.errors import SettingsError, WorkstationError
from workstation.net.association import LocalAE
from workstation.ui.messages import error_text
from workstation.ui.service.context import ServiceContext
from workstation.ui.service.local_node_page import LocalNodePage
from workstation.ui.service.password_dialog import PasswordDialog, PasswordMode
from workstation.ui.service.printers_page import PrintersPage
from workstation.ui.service.remote_nodes_page import RemoteNodesPage
from workstation.ui.service.storage_page import StoragePage
from workstation.ui.service.worklist_settings import ExamPage, WorklistPage

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #b00020; font-weight: bold;"
OK_STYLE = "color: #1b5e20;"
MARK_STYLE = "border: 2px solid #b00020;"  # the input a refusal is about


class ServiceDialog(QDialog):
    """Local node, remote nodes and storage settings behind the service password."""

    def __init__(self, context: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.settings = context.settings  # what is saved and applied now
        self._marked: QWidget | None = None
        self.setWindowTitle(self.tr("Service settings"))
        self.setMinimumSize(820, 560)

        self.local_page = LocalNodePage(self.settings)
        self.nodes_page = RemoteNodesPage(self.settings.remote_nodes, self._calling_ae,
                                          context.echo_timeout_s)  # fmt: skip
        self.storage_page = StoragePage(self.settings)
        self.worklist_page = WorklistPage(self.settings, lambda: self.nodes_page.nodes)
        self.exam_page = ExamPage(self.settings, lambda: self.nodes_page.nodes)
        self.printers_page = PrintersPage(self.settings, self._local_ae)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.local_page, self.tr("Local node"))
        self.tabs.addTab(self.nodes_page, self.tr("Remote nodes"))
        self.tabs.addTab(self.storage_page, self.tr("Storage"))
        self.tabs.addTab(self.worklist_page, self.tr("Worklist"))
        self.tabs.addTab(self.exam_page, self.tr("Examination"))
        self.tabs.addTab(self.printers_page, self.tr("Printers"))

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel
        )
        self.change_password_button = QPushButton(self.tr("Change service password…"))
        self.buttons.addButton(self.change_password_button,
                               QDialogButtonBox.ButtonRole.ResetRole)  # fmt: skip
        self.change_password_button.clicked.connect(self.change_password)
        self.buttons.accepted.connect(self.ok)
        self.buttons.rejected.connect(self.reject)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.clicked.connect(self.apply)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)

    # -- the edited settings -------------------------------------------------------------
    def _calling_ae(self) -> str:
        """Our AE title for an echo: the one typed on the Local node page when valid."""
        try:
            return check_ae_title(self.local_page.ae_title.text())
        except ValueError:
            return self.settings.node.ae_title

    def _local_ae(self) -> LocalAE:
        """Our AE for a printer test: the calling AE title as typed, saved timeouts."""
        return LocalAE.from_settings(self.settings, ae_title=self._calling_ae())

    def edited_settings(self) -> Settings:
        """Every page's input through the model (raises SettingsError)."""
        changes = {
            **self.local_page.values(),
            **self.storage_page.values(),
            **self.worklist_page.values(),
            **self.exam_page.values(),
            **self.printers_page.values(),
            "remote_nodes": tuple(self.nodes_page.nodes),
        }
        return self.settings.updated(**changes)

    def apply(self) -> bool:
        """Validate, save and apply; on any refusal show why and keep the old settings."""
        self._unmark()
        try:
            new = self.edited_settings()
        except SettingsError as err:
            self._show_refusal(err)
            return False
        if new == self.settings:
            self._show(self.tr("No changes to save."), OK_STYLE)
            return True
        try:
            save_settings(new, self.context.settings_path)
        except OSError as exc:
            self._show(self.tr("The settings could not be saved to {path}: {reason}")
                       .format(path=self.context.settings_path, reason=exc.strerror or exc),
                       ERROR_STYLE)  # fmt: skip
            return False
        log.info("service settings saved to %s", self.context.settings_path)
        self.settings = new
        self.local_page.load(new)
        self.storage_page.load(new)
        self.worklist_page.load(new)
        self.exam_page.load(new)
        try:
            self.context.apply_settings(new)
        except WorkstationError as err:
            self._show(self.tr("The settings were saved but could not be put into effect: "
                               "{reason}").format(reason=error_text(err)), ERROR_STYLE)  # fmt: skip
            return False
        except Exception as exc:  # the app's restart failed: say so, do not crash the dialog
            log.exception("applying settings failed")
            self._show(self.tr("The settings were saved but could not be put into effect: "
                               "{reason}").format(reason=exc), ERROR_STYLE)  # fmt: skip
            return False
        self._show(self.tr("Settings saved and applied."), OK_STYLE)
        return True

    def ok(self) -> None:
        if self.apply():
            self.accept()

    def _show(self, text: str, style: str) -> None:
        self.status_label.setStyleSheet(style)
        self.status_label.setText(text)
        self.status_label.show()

    def _show_refusal(self, err: SettingsError) -> None:
        self._show(self.tr("Not saved. {reason}").format(reason=error_text(err)), ERROR_STYLE)
        parts = str(err.values.get("field", "")).split(".")
        field = parts[1] if parts[0] in SECTIONS and len(parts) > 1 else parts[0]
        if field == "remote_nodes":
            self.tabs.setCurrentWidget(self.nodes_page)
            return
        if parts[0] == "printers":
            self.tabs.setCurrentWidget(self.printers_page)
            return
        for page in (self.local_page, self.storage_page, self.worklist_page, self.exam_page):
            widget = page.widget_for(field)
            if widget is not None:
                self.tabs.setCurrentWidget(page)
                widget.setFocus()
                widget.setStyleSheet(MARK_STYLE)
                self._marked = widget
                return

    def _unmark(self) -> None:
        if self._marked is not None:
            self._marked.setStyleSheet("")
            self._marked = None

    # -- password ------------------------------------------------------------------------
    def change_password(self) -> None:
        store = ServicePassword(self.context.password_file())
        dialog = PasswordDialog(store, PasswordMode.CHANGE, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._show(self.tr("The service password was changed."), OK_STYLE)

    # -- closing -------------------------------------------------------------------------
    def done(self, result: int) -> None:
        # an echo still on its way ends within its own timeouts: wait rather than leave it
        self.nodes_page.runner.wait(3 * self.context.echo_timeout_s + 5)
        self.printers_page.shutdown()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.nodes_page.runner.wait(3 * self.context.echo_timeout_s + 5)
        super().closeEvent(event)
