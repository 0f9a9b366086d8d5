"""Discontinue the examination: the reason is chosen from PS3.16 CID 9300.

The list shows the reasons of ``workstation.dicom.builders.mpps.CID_9300`` (translated
where we have a translation, else the code meaning as the standard words it). OK stays
disabled until a reason is chosen; ``code`` is the chosen code value.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

CODE_ROLE = Qt.ItemDataRole.UserRole + 1

#: CID 9300 code value -> the meaning, for translation
REASON_TEXTS: dict[str, str] = {
    "110500": QT_TRANSLATE_NOOP("DiscontinueDialog", "Doctor canceled procedure"),
    "110501": QT_TRANSLATE_NOOP("DiscontinueDialog", "Equipment failure"),
    "110502": QT_TRANSLATE_NOOP("DiscontinueDialog", "Incorrect procedure ordered"),
    "110503": QT_TRANSLATE_NOOP("DiscontinueDialog", "Patient allergic to media/contrast"),
    "110504": QT_TRANSLATE_NOOP("DiscontinueDialog", "Patient died"),
    "110505": QT_TRANSLATE_NOOP("DiscontinueDialog", "Patient refused to continue procedure"),
    "110506": QT_TRANSLATE_NOOP("DiscontinueDialog", "Patient taken for treatment or surgery"),
    "110507": QT_TRANSLATE_NOOP("DiscontinueDialog", "Patient did not arrive"),
    "110508": QT_TRANSLATE_NOOP("DiscontinueDialog", "Patient pregnant"),
    "110509": QT_TRANSLATE_NOOP("DiscontinueDialog", "Change of procedure for correct charging"),
    "110510": QT_TRANSLATE_NOOP("DiscontinueDialog", "Duplicate order"),
    "110511": QT_TRANSLATE_NOOP("DiscontinueDialog", "Nursing unit cancel"),
    "110512": QT_TRANSLATE_NOOP("DiscontinueDialog", "Incorrect side ordered"),
    "110513": QT_TRANSLATE_NOOP("DiscontinueDialog", "Discontinued for unspecified reason"),
    "110514": QT_TRANSLATE_NOOP("DiscontinueDialog", "Incorrect worklist entry selected"),
    "110515": QT_TRANSLATE_NOOP("DiscontinueDialog", "Patient condition prevented continuing"),
    "110516": QT_TRANSLATE_NOOP("DiscontinueDialog", "Equipment change"),
    "110521": QT_TRANSLATE_NOOP("DiscontinueDialog", "Objects incorrectly formatted"),
    "110522": QT_TRANSLATE_NOOP("DiscontinueDialog", "Object Types not supported"),
    "110523": QT_TRANSLATE_NOOP("DiscontinueDialog", "Object Set incomplete"),
    "110524": QT_TRANSLATE_NOOP("DiscontinueDialog", "Media Failure"),
    "110526": QT_TRANSLATE_NOOP("DiscontinueDialog", "Resource pre-empted"),
    "110527": QT_TRANSLATE_NOOP("DiscontinueDialog", "Resource inadequate"),
    "110528": QT_TRANSLATE_NOOP("DiscontinueDialog", "Discontinued Procedure Step rescheduled"),
    "110529": QT_TRANSLATE_NOOP(
        "DiscontinueDialog", "Discontinued Procedure Step rescheduling recommended"),
}  # fmt: skip


def reason_text(code_value: str, meaning: str = "") -> str:
    """The translated meaning of a CID 9300 code (the standard's words when unknown)."""
    text = REASON_TEXTS.get(code_value)
    return QCoreApplication.translate("DiscontinueDialog", text) if text else (meaning or code_value)


def cid_9300() -> Mapping[str, object]:
    from workstation.dicom.builders.mpps import CID_9300

    return CID_9300


class DiscontinueDialog(QDialog):
    """Choose why the examination is discontinued; ``code`` after OK."""

    def __init__(self, reasons: Mapping[str, object] | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("discontinueDialog")
        self.setWindowTitle(self.tr("Discontinue the examination"))
        self.setMinimumSize(540, 600)
        self.code: str | None = None
        reasons = cid_9300() if reasons is None else reasons
        intro = QLabel(self.tr("Why is the examination discontinued? The reason is reported "
                               "to the RIS (MPPS DISCONTINUED). The step cannot be changed "
                               "afterwards."))  # fmt: skip
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("reasonList")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setStyleSheet("QListWidget::item { padding: 4px 6px; }")
        for value, code in reasons.items():
            meaning = str(getattr(code, "meaning", "") or "")
            item = QListWidgetItem(reason_text(value, meaning))
            item.setData(CODE_ROLE, value)
            item.setToolTip(f"{value} (DCM): {meaning}")
            self.list.addItem(item)
        self.list.itemSelectionChanged.connect(self._changed)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept_reason())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Discontinue"))
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept_reason)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)

    def select(self, code_value: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(CODE_ROLE) == code_value:
                self.list.setCurrentRow(row)
                return

    def _changed(self) -> None:
        self.ok_button.setEnabled(bool(self.list.selectedItems()))

    def accept_reason(self) -> None:
        items = self.list.selectedItems()
        if not items:
            return
        self.code = items[0].data(CODE_ROLE)
        self.accept()
