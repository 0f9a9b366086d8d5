"""Service dialog page "Local node": our identity on the network, limits, data folder, TLS.

The widgets hold raw input; the Settings model judges it when the dialog applies, so
every rule lives in one place. Spin box ranges only keep typing sensible.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from workstation.config.settings import Settings

INT32_MAX = 2**31 - 1


def _path_row(edit: QLineEdit, button: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    layout.addWidget(button)
    return row


def _timeout_box() -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0.0, 3600.0)
    box.setDecimals(1)
    box.setSuffix(" s")
    return box


class LocalNodePage(QWidget):
    """Edits ae_title, port, bind_address, max_associations, require_known_callers,
    check_called_ae, max_pdu, the four timeouts, data_dir and the TLS file paths."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._saved_data_dir = settings.storage.data_dir

        self.ae_title = QLineEdit()
        self.ae_title.setPlaceholderText(self.tr("1 to 16 characters, no backslash"))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.bind_address = QLineEdit()
        self.bind_address.setPlaceholderText(self.tr("0.0.0.0 = every network interface"))
        self.max_associations = QSpinBox()
        self.max_associations.setRange(1, 127)
        self.require_known_callers = QCheckBox(
            self.tr("Accept associations only from the configured remote nodes")
        )
        self.check_called_ae = QCheckBox(
            self.tr("Accept associations only when addressed to the local AE title")
        )
        self.max_pdu = QSpinBox()
        self.max_pdu.setRange(0, INT32_MAX)
        self.max_pdu.setSingleStep(4096)
        self.max_pdu.setSpecialValueText(self.tr("unlimited"))
        self.max_pdu.setSuffix(self.tr(" bytes"))
        self.connect_timeout_s = _timeout_box()
        self.acse_timeout_s = _timeout_box()
        self.dimse_timeout_s = _timeout_box()
        self.network_timeout_s = _timeout_box()
        self.data_dir = QLineEdit()
        self.data_dir_browse = QPushButton(self.tr("Browse…"))
        self.data_dir_browse.clicked.connect(self._browse_data_dir)
        self.data_dir.textChanged.connect(self._data_dir_changed)
        self.data_dir_warning = QLabel(
            self.tr("Changing the data folder reopens the local store in the new folder. "
                    "Images already stored stay in the old folder and are not moved.")
        )  # fmt: skip
        self.data_dir_warning.setWordWrap(True)
        self.data_dir_warning.setStyleSheet("color: #8a5300;")
        self.data_dir_warning.hide()
        self.tls_certificate = QLineEdit()
        self.tls_private_key = QLineEdit()
        for edit in (self.tls_certificate, self.tls_private_key):
            edit.setPlaceholderText(self.tr("not set"))
        self.tls_certificate_browse = QPushButton(self.tr("Browse…"))
        self.tls_private_key_browse = QPushButton(self.tr("Browse…"))
        self.tls_certificate_browse.clicked.connect(
            lambda: self._browse_file(self.tls_certificate, self.tr("TLS certificate"))
        )
        self.tls_private_key_browse.clicked.connect(
            lambda: self._browse_file(self.tls_private_key, self.tr("TLS private key"))
        )

        identity = QGroupBox(self.tr("Identity"))
        form = QFormLayout(identity)
        form.addRow(self.tr("Local AE title:"), self.ae_title)
        form.addRow(self.tr("Port:"), self.port)
        form.addRow(self.tr("Listen on address:"), self.bind_address)

        assoc = QGroupBox(self.tr("Associations"))
        form = QFormLayout(assoc)
        form.addRow(self.tr("Simultaneous associations:"), self.max_associations)
        form.addRow(self.tr("Maximum PDU size:"), self.max_pdu)
        form.addRow(self.require_known_callers)
        form.addRow(self.check_called_ae)

        timeouts = QGroupBox(self.tr("Timeouts"))
        form = QFormLayout(timeouts)
        form.addRow(self.tr("Connect:"), self.connect_timeout_s)
        form.addRow(self.tr("Association (ACSE):"), self.acse_timeout_s)
        form.addRow(self.tr("Message (DIMSE):"), self.dimse_timeout_s)
        form.addRow(self.tr("Network idle:"), self.network_timeout_s)

        data = QGroupBox(self.tr("Data folder"))
        form = QFormLayout(data)
        form.addRow(self.tr("Folder:"), _path_row(self.data_dir, self.data_dir_browse))
        form.addRow(self.data_dir_warning)

        tls = QGroupBox(self.tr("TLS (recorded for later; not used yet)"))
        form = QFormLayout(tls)
        form.addRow(self.tr("Certificate:"), _path_row(self.tls_certificate,
                                                       self.tls_certificate_browse))  # fmt: skip
        form.addRow(self.tr("Private key:"), _path_row(self.tls_private_key,
                                                       self.tls_private_key_browse))  # fmt: skip

        restart_note = QLabel(
            self.tr("Apply restarts the DICOM node with these values; associations in "
                    "progress are given a few seconds to finish.")
        )  # fmt: skip
        restart_note.setWordWrap(True)

        grid = QGridLayout(self)
        grid.addWidget(identity, 0, 0)
        grid.addWidget(timeouts, 0, 1)
        grid.addWidget(assoc, 1, 0)
        grid.addWidget(tls, 1, 1)
        grid.addWidget(data, 2, 0, 1, 2)
        grid.addWidget(restart_note, 3, 0, 1, 2)
        grid.setRowStretch(4, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.load(settings)

    # -- settings in and out -------------------------------------------------------------
    def load(self, settings: Settings) -> None:
        self._saved_data_dir = settings.storage.data_dir
        self.ae_title.setText(settings.node.ae_title)
        self.port.setValue(settings.node.port)
        self.bind_address.setText(settings.node.bind_address)
        self.max_associations.setValue(settings.node.max_associations)
        self.require_known_callers.setChecked(settings.node.require_known_callers)
        self.check_called_ae.setChecked(settings.node.check_called_ae)
        self.max_pdu.setValue(min(settings.network.max_pdu, INT32_MAX))
        self.connect_timeout_s.setValue(settings.network.connect_timeout_s)
        self.acse_timeout_s.setValue(settings.network.acse_timeout_s)
        self.dimse_timeout_s.setValue(settings.network.dimse_timeout_s)
        self.network_timeout_s.setValue(settings.network.network_timeout_s)
        self.data_dir.setText(str(settings.storage.data_dir))
        self.tls_certificate.setText(str(settings.network.tls_certificate or ""))
        self.tls_private_key.setText(str(settings.network.tls_private_key or ""))
        self._data_dir_changed(self.data_dir.text())

    def values(self) -> dict[str, Any]:
        """The raw input, keyed by settings field (validated by the caller)."""
        return {
            "ae_title": self.ae_title.text(),
            "port": self.port.value(),
            "bind_address": self.bind_address.text().strip(),
            "max_associations": self.max_associations.value(),
            "require_known_callers": self.require_known_callers.isChecked(),
            "check_called_ae": self.check_called_ae.isChecked(),
            "max_pdu": self.max_pdu.value(),
            "connect_timeout_s": self.connect_timeout_s.value(),
            "acse_timeout_s": self.acse_timeout_s.value(),
            "dimse_timeout_s": self.dimse_timeout_s.value(),
            "network_timeout_s": self.network_timeout_s.value(),
            "data_dir": self.data_dir.text().strip(),
            "tls_certificate": self.tls_certificate.text().strip() or None,
            "tls_private_key": self.tls_private_key.text().strip() or None,
        }

    def widget_for(self, field: str) -> QWidget | None:
        """The input widget of a settings field (to focus it after a refusal)."""
        widget = getattr(self, field, None)
        return widget if field in self.values() and isinstance(widget, QWidget) else None

    # -- helpers -------------------------------------------------------------------------
    def _data_dir_changed(self, text: str) -> None:
        changed = bool(text.strip()) and Path(text.strip()).expanduser() != self._saved_data_dir
        self.data_dir_warning.setVisible(changed)

    def _browse_data_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Data folder"),
                                                  self.data_dir.text())  # fmt: skip
        if folder:
            self.data_dir.setText(folder)

    def _browse_file(self, edit: QLineEdit, title: str) -> None:
        start = edit.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self,
            title,
            start,
            self.tr("Certificates and keys (*.pem *.crt *.cer *.key);;All files (*)"),
        )
        if path:
            edit.setText(path)
