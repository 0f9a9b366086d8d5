"""Service dialog pages "Worklist" and "Examination" (WorklistSettings, ExamSettings).

The worklist page sets the node, the broad query (date window, station AE title and/or
modality, each optionally return-only), the refresh interval and the limits. The
examination page sets the MPPS node, how a step is ended, the station name and the
after-exam rules: a list of rules (action, node with the store role, storage commitment,
enabled, also after a discontinued step) edited with Add / Edit / Remove. The node lists
come from the Remote nodes page as it is being edited (``nodes`` callable).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import (
    AfterExamAction,
    AfterExamRule,
    BroadKey,
    MppsCompleteMode,
    RemoteNode,
    Role,
    Settings,
    WorklistDateWindow,
)
from workstation.ui.service.list_table import ListTable

NodesFn = Callable[[], list[RemoteNode]]

DATE_WINDOW_LABELS: dict[WorklistDateWindow, str] = {
    WorklistDateWindow.TODAY: QT_TRANSLATE_NOOP("WorklistSettings", "Today"),
    WorklistDateWindow.YESTERDAY_TODAY: QT_TRANSLATE_NOOP("WorklistSettings", "Yesterday and today"),
    WorklistDateWindow.TODAY_12H: QT_TRANSLATE_NOOP("WorklistSettings", "Now ± 12 hours"),
    WorklistDateWindow.TODAY_24H: QT_TRANSLATE_NOOP("WorklistSettings", "Now ± 24 hours"),
    WorklistDateWindow.ANY: QT_TRANSLATE_NOOP("WorklistSettings", "No date (every scheduled step)"),
}  # fmt: skip

ACTION_LABELS: dict[AfterExamAction, str] = {
    AfterExamAction.SEND: QT_TRANSLATE_NOOP("WorklistSettings", "Send"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("WorklistSettings", text)


def action_label(action: AfterExamAction) -> str:
    return _tr(ACTION_LABELS.get(action, action.value))


def _fill_nodes(combo: QComboBox, nodes: list[RemoteNode], role: Role, current: str,
                default_text: str | None) -> None:  # fmt: skip
    """Node names with ``role`` (and ``current`` even without it, marked) into ``combo``."""
    combo.blockSignals(True)
    combo.clear()
    if default_text is not None:
        combo.addItem(default_text, "")
    names = [n.name for n in nodes if role in n.roles]
    for name in names:
        combo.addItem(name, name)
    if current and current not in names:
        text = QCoreApplication.translate("WorklistSettings", "{name} (unknown or without this role)")
        combo.addItem(text.format(name=current), current)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


class WorklistPage(QWidget):
    """Edits the ``worklist`` section."""

    def __init__(self, settings: Settings, nodes: NodesFn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._nodes = nodes
        self._node_name = settings.worklist.node
        self.node = QComboBox()
        self.node.setObjectName("worklistNode")
        self.date_window = QComboBox()
        for window, text in DATE_WINDOW_LABELS.items():
            self.date_window.addItem(_tr(text), window.value)
        self.query_by_station_aet = QCheckBox(self.tr("Only steps for this station's AE title"))
        self.query_by_modality = QCheckBox(self.tr("Only steps for this modality"))
        self.modality = QLineEdit()
        self.modality.setMaxLength(16)
        self.modality.setPlaceholderText(self.tr("e.g. CT, MR, US, OT"))
        self.return_only: dict[BroadKey, QCheckBox] = {
            BroadKey.STATION_AET: QCheckBox(self.tr("Scheduled Station AE Title")),
            BroadKey.START_DATE: QCheckBox(self.tr("Scheduled start date")),
            BroadKey.MODALITY: QCheckBox(self.tr("Modality")),
        }
        self.refresh_minutes = QSpinBox()
        self.refresh_minutes.setRange(0, 1440)
        self.refresh_minutes.setSuffix(self.tr(" min"))
        self.refresh_minutes.setSpecialValueText(self.tr("off"))
        self.max_items = QSpinBox()
        self.max_items.setRange(1, 999)
        self.response_timeout_s = QSpinBox()
        self.response_timeout_s.setRange(1, 999)
        self.response_timeout_s.setSuffix(self.tr(" s"))

        for w in (self.refresh_minutes, self.max_items, self.response_timeout_s, self.modality):
            w.setMaximumWidth(160)
        query = QGroupBox(self.tr("Broad worklist query"))
        form = QFormLayout(query)
        form.addRow(self.tr("Worklist node:"), self.node)
        form.addRow(self.tr("Scheduled date:"), self.date_window)
        form.addRow(self.tr("Station:"), self.query_by_station_aet)
        form.addRow(self.tr("Modality filter:"), self.query_by_modality)
        form.addRow(self.tr("This station's modality:"), self.modality)
        keys = QVBoxLayout()
        for box in self.return_only.values():
            keys.addWidget(box)
        note = QLabel(self.tr("A key marked here is sent empty: the worklist returns it but "
                              "does not match on it (for RIS systems that match poorly)."))  # fmt: skip
        note.setWordWrap(True)
        keys.addWidget(note)
        form.addRow(self.tr("Return only, do not match:"), keys)
        limits = QGroupBox(self.tr("Refresh and limits"))
        form = QFormLayout(limits)
        form.addRow(self.tr("Automatic refresh every:"), self.refresh_minutes)
        form.addRow(self.tr("Maximum items (then C-CANCEL):"), self.max_items)
        form.addRow(self.tr("Response timeout:"), self.response_timeout_s)

        layout = QVBoxLayout(self)
        layout.addWidget(query)
        layout.addWidget(limits)
        layout.addStretch(1)
        self.load(settings)

    def load(self, settings: Settings) -> None:
        ws = settings.worklist
        self._node_name = ws.node
        self.refresh_nodes()
        self.date_window.setCurrentIndex(self.date_window.findData(ws.date_window.value))
        self.query_by_station_aet.setChecked(ws.query_by_station_aet)
        self.query_by_modality.setChecked(ws.query_by_modality)
        self.modality.setText(ws.modality)
        for key, box in self.return_only.items():
            box.setChecked(key in ws.return_only)
        self.refresh_minutes.setValue(ws.refresh_minutes)
        self.max_items.setValue(ws.max_items)
        self.response_timeout_s.setValue(ws.response_timeout_s)

    def refresh_nodes(self) -> None:
        current = self.node.currentData() if self.node.count() else self._node_name
        _fill_nodes(self.node, self._nodes(), Role.WORKLIST, current or "",
                    self.tr("First node with the worklist role"))  # fmt: skip

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh_nodes()  # nodes added on the Remote nodes page appear here
        super().showEvent(event)

    def values(self) -> dict[str, Any]:
        return {"worklist": {
            "node": self.node.currentData() or "",
            "date_window": self.date_window.currentData(),
            "query_by_station_aet": self.query_by_station_aet.isChecked(),
            "query_by_modality": self.query_by_modality.isChecked(),
            "modality": self.modality.text(),
            "return_only": frozenset(k for k, box in self.return_only.items() if box.isChecked()),
            "refresh_minutes": self.refresh_minutes.value(),
            "max_items": self.max_items.value(),
            "response_timeout_s": self.response_timeout_s.value(),
        }}  # fmt: skip

    def widget_for(self, field: str) -> QWidget | None:
        widget = getattr(self, field, None)
        return widget if field in self.values()["worklist"] and isinstance(widget, QWidget) else None


class RuleDialog(QDialog):
    """Adds or edits one after-exam rule; OK needs a node."""

    def __init__(self, rule: AfterExamRule | None, nodes: list[RemoteNode],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit after-exam rule") if rule else self.tr("Add after-exam rule"))
        self.setMinimumWidth(420)
        self.rule: AfterExamRule | None = None
        self.action = QComboBox()
        for action in AfterExamAction:
            self.action.addItem(action_label(action), action.value)
        self.node = QComboBox()
        self.node.setObjectName("ruleNode")
        _fill_nodes(self.node, nodes, Role.STORE, rule.node if rule else "", None)
        self.storage_commitment = QCheckBox(self.tr("Request storage commitment"))
        self.enabled = QCheckBox(self.tr("Rule enabled"))
        self.on_discontinued = QCheckBox(self.tr("Also when the step was discontinued"))
        self.storage_commitment.setChecked(rule.storage_commitment if rule else True)
        self.enabled.setChecked(rule.enabled if rule else True)
        self.on_discontinued.setChecked(rule.on_discontinued if rule else False)
        if rule is not None:
            self.action.setCurrentIndex(self.action.findData(rule.action.value))
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow(self.tr("Action:"), self.action)
        form.addRow(self.tr("To node:"), self.node)
        form.addRow("", self.storage_commitment)
        form.addRow("", self.enabled)
        form.addRow("", self.on_discontinued)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept_rule)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.node.count() > 0)
        if self.node.count() == 0:
            self.hint.setText(self.tr("No remote node has the storage role: add one on the "
                                      "Remote nodes page first."))  # fmt: skip

    def accept_rule(self) -> None:
        name = self.node.currentData()
        if not name:
            return
        self.rule = AfterExamRule(
            action=AfterExamAction(self.action.currentData()),
            node=name,
            storage_commitment=self.storage_commitment.isChecked(),
            enabled=self.enabled.isChecked(),
            on_discontinued=self.on_discontinued.isChecked(),
        )
        self.accept()


class ExamPage(QWidget):
    """Edits the ``exam`` section, the after-exam rules included."""

    def __init__(self, settings: Settings, nodes: NodesFn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._nodes = nodes
        self._node_name = settings.exam.mpps_node
        self.rules: list[AfterExamRule] = []
        self.mpps_enabled = QCheckBox(self.tr("Report the procedure step with MPPS"))
        self.mpps_node = QComboBox()
        self.mpps_node.setObjectName("mppsNode")
        self.complete_mode = QComboBox()
        self.complete_mode.addItem(self.tr("Ask when the examination ends"),
                                   MppsCompleteMode.DIALOG.value)  # fmt: skip
        self.complete_mode.addItem(self.tr("Complete automatically when the patient is closed"),
                                   MppsCompleteMode.AUTOMATIC.value)  # fmt: skip
        self.station_name = QLineEdit()
        self.station_name.setMaxLength(16)

        self.station_name.setMaximumWidth(220)
        mpps = QGroupBox(self.tr("Modality Performed Procedure Step"))
        form = QFormLayout(mpps)
        form.addRow("", self.mpps_enabled)
        form.addRow(self.tr("MPPS node:"), self.mpps_node)
        form.addRow(self.tr("Ending a step:"), self.complete_mode)
        form.addRow(self.tr("Station name:"), self.station_name)

        self.after_exam = ListTable([
            self.tr("Action"), self.tr("Node"), self.tr("Storage commitment"),
            self.tr("Enabled"), self.tr("Also when discontinued"),
        ], 1, self._update_buttons, self.edit_rule)  # fmt: skip
        self.after_exam.setObjectName("afterExamRules")
        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.add_button.clicked.connect(self.add_rule)
        self.edit_button.clicked.connect(self.edit_rule)
        self.remove_button.clicked.connect(self.remove_rule)
        rules = QGroupBox(self.tr("After the examination (rules run when a step is completed)"))
        box = QVBoxLayout(rules)
        box.addWidget(self.after_exam, 1)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        box.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(mpps)
        layout.addWidget(rules, 1)
        self.load(settings)

    # the rule dialog, replaceable in tests
    def rule_dialog(self, rule: AfterExamRule | None) -> RuleDialog:
        return RuleDialog(rule, self._nodes(), self)

    def load(self, settings: Settings) -> None:
        ex = settings.exam
        self._node_name = ex.mpps_node
        self.mpps_node.clear()
        self.refresh_nodes()
        self.mpps_enabled.setChecked(ex.mpps_enabled)
        self.complete_mode.setCurrentIndex(self.complete_mode.findData(ex.complete_mode.value))
        self.station_name.setText(ex.station_name)
        self.rules = list(ex.after_exam)
        self._refresh()

    def refresh_nodes(self) -> None:
        current = self.mpps_node.currentData() if self.mpps_node.count() else self._node_name
        _fill_nodes(self.mpps_node, self._nodes(), Role.MPPS, current or "",
                    self.tr("First node with the MPPS role"))  # fmt: skip

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh_nodes()
        super().showEvent(event)

    def _refresh(self, select: int | None = None) -> None:
        yes, no = self.tr("yes"), self.tr("no")
        self.after_exam.show_rows([
            (action_label(rule.action), rule.node, yes if rule.storage_commitment else no,
             yes if rule.enabled else no, yes if rule.on_discontinued else no)
            for rule in self.rules], select)  # fmt: skip
        self._update_buttons()

    def selected_row(self) -> int | None:
        return self.after_exam.selected_row()

    def _update_buttons(self) -> None:
        has = self.selected_row() is not None
        self.edit_button.setEnabled(has)
        self.remove_button.setEnabled(has)

    def add_rule(self) -> None:
        dialog = self.rule_dialog(None)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.rule is not None:
            self.rules.append(dialog.rule)
            self._refresh(select=len(self.rules) - 1)

    def edit_rule(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        dialog = self.rule_dialog(self.rules[row])
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.rule is not None:
            self.rules[row] = dialog.rule
            self._refresh(select=row)

    def remove_rule(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        del self.rules[row]
        self._refresh(select=min(row, len(self.rules) - 1))

    def values(self) -> dict[str, Any]:
        return {"exam": {
            "mpps_node": self.mpps_node.currentData() or "",
            "mpps_enabled": self.mpps_enabled.isChecked(),
            "complete_mode": self.complete_mode.currentData(),
            "station_name": self.station_name.text().strip(),
            "after_exam": tuple(self.rules),
        }}  # fmt: skip

    def widget_for(self, field: str) -> QWidget | None:
        widget = getattr(self, field, None)
        return widget if field in self.values()["exam"] and isinstance(widget, QWidget) else None
