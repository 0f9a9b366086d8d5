"""Service dialog page "Remote nodes": the table of known nodes, add/edit/remove, echo."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import RemoteNode, Role
from workstation.net.scu.echo import EchoResult
from workstation.ui.messages import text_for
from workstation.ui.service.echo_runner import EchoRunner
from workstation.ui.service.list_table import ListTable
from workstation.ui.service.node_dialog import NodeDialog, role_label

OK_STYLE = "color: #1b5e20; font-weight: bold;"
FAIL_STYLE = "color: #b00020; font-weight: bold;"


class RemoteNodesPage(QWidget):
    """Holds the edited node list; the dialog validates it with the rest on Apply."""

    def __init__(self, nodes: tuple[RemoteNode, ...], calling_ae: Callable[[], str],
                 echo_timeout_s: float = 10.0, parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.nodes: list[RemoteNode] = list(nodes)
        self._calling_ae = calling_ae
        self._echo_timeout_s = echo_timeout_s
        self._echo_text: dict[str, str] = {}  # node name -> short result for the table
        self.runner = EchoRunner(self)
        self.runner.finished.connect(self._echo_finished)

        self.table = ListTable([
            self.tr("Name"), self.tr("AE title"), self.tr("Host"), self.tr("Port"),
            self.tr("Roles"), self.tr("Last echo"),
        ], 4, self._update_buttons, self.edit_node)  # fmt: skip
        self.table.setWordWrap(False)

        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.echo_button = QPushButton(self.tr("Echo"))
        self.echo_button.setToolTip(self.tr("Send a DICOM C-ECHO to the selected node"))
        self.add_button.clicked.connect(self.add_node)
        self.edit_button.clicked.connect(self.edit_node)
        self.remove_button.clicked.connect(self.remove_node)
        self.echo_button.clicked.connect(self.echo_selected)

        self.echo_label = QLabel(self.tr("Select a node and press Echo to test the connection."))
        self.echo_label.setWordWrap(True)
        self.echo_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.echo_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.echo_label)
        self._refresh()

    # -- table ---------------------------------------------------------------------------
    def _refresh(self, select: int | None = None) -> None:
        rows = []
        for node in self.nodes:
            roles = ", ".join(role_label(r) for r in Role if r in node.roles) or "–"
            rows.append([node.name, node.ae_title, node.host, str(node.port), roles,
                         self._echo_text.get(node.name, "")])  # fmt: skip
        self.table.show_rows(rows, select, tooltips=True, right_aligned=(3,))
        self._update_buttons()

    def selected_row(self) -> int | None:
        return self.table.selected_row()

    def _update_buttons(self) -> None:
        has = self.selected_row() is not None
        self.edit_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.echo_button.setEnabled(has and not self.runner.running())

    # -- add / edit / remove -------------------------------------------------------------
    def add_node(self) -> None:
        dialog = NodeDialog(None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.node is not None:
            self.nodes.append(dialog.node)
            self._refresh(select=len(self.nodes) - 1)

    def edit_node(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        dialog = NodeDialog(self.nodes[row], self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.node is not None:
            self._echo_text.pop(self.nodes[row].name, None)
            self.nodes[row] = dialog.node
            self._refresh(select=row)

    def remove_node(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        del self.nodes[row]
        self._refresh(select=min(row, len(self.nodes) - 1))

    # -- echo ----------------------------------------------------------------------------
    def echo_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        node = self.nodes[row]
        if not self.runner.start(node, self._calling_ae(), self._echo_timeout_s):
            return
        self.echo_label.setStyleSheet("")
        self.echo_label.setText(self.tr("Echo to {name} ({aet} at {host}:{port}) running…")
                                .format(name=node.name, aet=node.ae_title, host=node.host,
                                        port=node.port))  # fmt: skip
        self._update_buttons()

    def _echo_finished(self, node: RemoteNode, result: EchoResult) -> None:
        where = self.tr("{name} ({aet} at {host}:{port})").format(
            name=node.name, aet=node.ae_title, host=node.host, port=node.port
        )
        if result.ok:
            locale = QLocale()  # "3,2 ms" in German
            rtt = locale.toString(result.rtt_ms, "f", 1)
            total = locale.toString(result.total_ms, "f", 0)
            self._echo_text[node.name] = self.tr("OK, {rtt} ms").format(rtt=rtt)
            self.echo_label.setStyleSheet(OK_STYLE)
            self.echo_label.setText(
                self.tr("Echo to {where} succeeded. Round trip {rtt} ms "
                        "(with association set-up and release {total} ms).")
                .format(where=where, rtt=rtt, total=total))  # fmt: skip
        else:
            self._echo_text[node.name] = self.tr("failed")
            self.echo_label.setStyleSheet(FAIL_STYLE)
            reason = text_for(result.error_code, result.values, fallback=result.detail)
            self.echo_label.setText(self.tr("Echo to {where} failed. {reason}")
                                    .format(where=where, reason=reason))  # fmt: skip
        self._refresh(select=self.selected_row())
