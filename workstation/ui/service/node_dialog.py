"""Add or edit one remote node: name, AE title, host, port and its roles."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import CompressionPolicy, RemoteNode, Role, make_node
from workstation.errors import SettingsError
from workstation.ui.messages import error_text

ROLE_LABELS: dict[Role, str] = {
    Role.STORE: QT_TRANSLATE_NOOP("Roles", "Send to (storage)"),
    Role.QUERY: QT_TRANSLATE_NOOP("Roles", "Query"),
    Role.RETRIEVE: QT_TRANSLATE_NOOP("Roles", "Retrieve from"),
    Role.MOVE_DESTINATION: QT_TRANSLATE_NOOP("Roles", "Move destination"),
    Role.COMMITMENT: QT_TRANSLATE_NOOP("Roles", "Storage commitment"),
    Role.WORKLIST: QT_TRANSLATE_NOOP("Roles", "Worklist"),
    Role.MPPS: QT_TRANSLATE_NOOP("Roles", "MPPS"),
    Role.PRINT: QT_TRANSLATE_NOOP("Roles", "Printer"),
}


def role_label(role: Role) -> str:
    return QCoreApplication.translate("Roles", ROLE_LABELS[role])


class NodeDialog(QDialog):
    """Edits a node; OK only closes once the node model accepts every value."""

    def __init__(self, node: RemoteNode | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit remote node") if node else self.tr("Add remote node"))
        self.setMinimumWidth(460)
        self.node: RemoteNode | None = None  # the accepted result

        self.name = QLineEdit(node.name if node else "")
        self.ae_title = QLineEdit(node.ae_title if node else "")
        self.ae_title.setPlaceholderText(self.tr("1 to 16 characters, no backslash"))
        self.host = QLineEdit(node.host if node else "")
        self.host.setPlaceholderText(self.tr("IP address or host name"))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(node.port if node else 104)
        self.role_boxes: dict[Role, QCheckBox] = {}
        roles_box = QGroupBox(self.tr("Roles"))
        grid = QGridLayout(roles_box)
        for i, role in enumerate(Role):
            box = QCheckBox(role_label(role))
            box.setChecked(node is not None and role in node.roles)
            self.role_boxes[role] = box
            grid.addWidget(box, i // 2, i % 2)
        self.storage_commitment = QCheckBox(self.tr("Request storage commitment after sending"))
        self.storage_commitment.setChecked(node is not None and node.storage_commitment)
        self.compression = QComboBox()
        self.compression.setObjectName("compressionCombo")
        for policy, text in (
            (CompressionPolicy.UNCOMPRESSED, self.tr("Uncompressed only")),
            (CompressionPolicy.LOSSLESS, self.tr("Lossless compression allowed")),
            (CompressionPolicy.LOSSY, self.tr("Lossy compression allowed (as stored)")),
        ):
            self.compression.addItem(text, policy.value)
        current = node.compression if node is not None else CompressionPolicy.LOSSLESS
        self.compression.setCurrentIndex(self.compression.findData(current.value))
        self.compression.setToolTip(
            self.tr(
                "How images may travel to this node. Nothing is ever compressed; an image "
                "the node does not take as stored is sent decompressed, and a lossy image "
                "stays marked as lossy."
            )
        )

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error_label.hide()

        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name)
        form.addRow(self.tr("AE title:"), self.ae_title)
        form.addRow(self.tr("Host:"), self.host)
        form.addRow(self.tr("Port:"), self.port)
        form.addRow(self.tr("Sending:"), self.compression)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(roles_box)
        layout.addWidget(self.storage_commitment)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def submit(self) -> None:
        try:
            self.node = make_node(
                name=self.name.text(),
                ae_title=self.ae_title.text(),
                host=self.host.text(),
                port=self.port.value(),
                roles=frozenset(r for r, box in self.role_boxes.items() if box.isChecked()),
                storage_commitment=self.storage_commitment.isChecked(),
                compression=CompressionPolicy(self.compression.currentData()),
            )
        except SettingsError as err:
            self.error_label.setText(error_text(err))
            self.error_label.show()
            self.adjustSize()  # room for the new line
            sub = str(err.values.get("field", "")).rsplit(".", 1)[-1]
            widget = getattr(self, sub, None)
            if isinstance(widget, QWidget):
                widget.setFocus()
            return
        self.accept()
