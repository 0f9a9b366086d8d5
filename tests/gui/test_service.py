"""Service mode: the password gate and the settings dialog (validation, save, apply)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from workstation.config import RemoteNode, Role, Settings, load_settings
from workstation.config.password import ServicePassword
from workstation.config.settings import DuplicatePolicy, Language
from workstation.errors import SettingsError
from workstation.ui.service import ServiceContext, open_service_mode
from workstation.ui.service.node_dialog import NodeDialog
from workstation.ui.service.password_dialog import PasswordDialog, PasswordMode
from workstation.ui.service.service_dialog import ServiceDialog

pytestmark = pytest.mark.gui

SECRET = "Geheim-1234"


class Applied:
    """Stands in for the app's apply_settings: records what it was given."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[Settings] = []
        self.fail = fail

    def __call__(self, settings: Settings) -> None:
        self.calls.append(settings)
        if self.fail is not None:
            raise self.fail


@pytest.fixture
def applied() -> Applied:
    return Applied()


@pytest.fixture
def context(tmp_path: Path, applied: Applied) -> ServiceContext:
    settings = Settings(
        ae_title="WS_SERVICE",
        data_dir=tmp_path / "data",
        port=11112,
        remote_nodes=(
            RemoteNode(name="PACS", ae_title="PACS_AE", host="127.0.0.1", port=104,
                       roles=frozenset({Role.STORE, Role.QUERY})),
        ),
    )  # fmt: skip
    return ServiceContext(settings, tmp_path / "config" / "settings.json", applied)


@pytest.fixture
def dialog(qtbot, context: ServiceContext) -> ServiceDialog:
    dlg = ServiceDialog(context)
    qtbot.addWidget(dlg)
    return dlg


def when_modal(handler: Callable[[QWidget], None], timeout_ms: int = 10_000) -> None:
    """Call ``handler`` with the next modal dialog once it is open (polls, bounded)."""
    waited = [0]

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None and widget.isVisible():
            handler(widget)
        elif waited[0] < timeout_ms:
            waited[0] += 20
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


# -- password ----------------------------------------------------------------------------
def test_first_time_password_is_set_with_confirmation(qtbot, tmp_path: Path) -> None:
    store = ServicePassword(tmp_path / "pw.json")
    dlg = PasswordDialog(store, PasswordMode.SET)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.confirm_edit.isVisible()

    qtbot.keyClicks(dlg.password_edit, SECRET)
    qtbot.keyClicks(dlg.confirm_edit, SECRET + "x")
    dlg.submit()
    assert dlg.error_label.isVisible()
    assert dlg.error_label.text() == "The two passwords are not the same."
    assert dlg.result() != QDialog.DialogCode.Accepted and not store.is_set()

    qtbot.keyClicks(dlg.password_edit, "short")
    qtbot.keyClicks(dlg.confirm_edit, "short")
    dlg.submit()
    assert "at least 8 characters" in dlg.error_label.text()
    assert not store.is_set()

    qtbot.keyClicks(dlg.password_edit, SECRET)
    qtbot.keyClicks(dlg.confirm_edit, SECRET)
    dlg.submit()
    assert dlg.result() == QDialog.DialogCode.Accepted
    assert store.is_set()
    store.verify(SECRET)  # stored, and only as a hash
    assert SECRET not in store.path.read_text()


def test_wrong_password_is_refused(qtbot, tmp_path: Path) -> None:
    store = ServicePassword(tmp_path / "pw.json")
    store.set(SECRET, SECRET)
    dlg = PasswordDialog(store, PasswordMode.VERIFY)
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.confirm_edit.isVisible()

    qtbot.keyClicks(dlg.password_edit, "geheim-1234")
    qtbot.keyClick(dlg.password_edit, Qt.Key.Key_Return)
    assert dlg.error_label.text() == "The password is not correct."
    assert dlg.result() != QDialog.DialogCode.Accepted
    assert dlg.password_edit.text() == ""  # cleared for the next try

    qtbot.keyClicks(dlg.password_edit, SECRET)
    qtbot.keyClick(dlg.password_edit, Qt.Key.Key_Return)
    assert dlg.result() == QDialog.DialogCode.Accepted


def test_open_service_mode_wrong_password_opens_nothing(qtbot, context, applied) -> None:
    ServicePassword(context.password_file()).set(SECRET, SECRET)
    seen: list[str] = []

    def type_wrong_then_cancel(widget: QWidget) -> None:
        assert isinstance(widget, PasswordDialog) and widget.mode is PasswordMode.VERIFY
        widget.password_edit.setText("not-the-password")
        widget.submit()
        seen.append(widget.error_label.text())
        widget.reject()

    when_modal(type_wrong_then_cancel)
    open_service_mode(None, context)
    assert seen == ["The password is not correct."]
    assert applied.calls == [] and not context.settings_path.exists()


def test_open_service_mode_first_time_sets_password_then_saves(qtbot, context, applied) -> None:
    assert not ServicePassword(context.password_file()).is_set()
    steps: list[str] = []

    def in_service_dialog(widget: QWidget) -> None:
        assert isinstance(widget, ServiceDialog)
        steps.append("service")
        widget.local_page.ae_title.setText("NEW_AET")
        widget.ok()

    def set_password(widget: QWidget) -> None:
        assert isinstance(widget, PasswordDialog) and widget.mode is PasswordMode.SET
        steps.append("password")
        widget.password_edit.setText(SECRET)
        widget.confirm_edit.setText(SECRET)
        widget.submit()
        when_modal(in_service_dialog)

    when_modal(set_password)
    open_service_mode(None, context)
    assert steps == ["password", "service"]
    assert context.password_file() == context.settings_path.with_name("service-password.json")
    ServicePassword(context.password_file()).verify(SECRET)
    assert load_settings(context.settings_path).node.ae_title == "NEW_AET"
    assert [s.node.ae_title for s in applied.calls] == ["NEW_AET"]


# -- validation ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "rule"),
    [
        pytest.param("WS\\ONE", "must not contain a backslash", id="backslash"),
        pytest.param("A" * 17, "must have at most 16 characters", id="17-characters"),
        pytest.param("   ", "must not be empty", id="blank"),
    ],
)
def test_invalid_ae_title_refused_and_nothing_saved(qtbot, dialog, context, applied, value, rule):
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.storage_page)
    dialog.local_page.ae_title.setText(value)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    text = dialog.status_label.text()
    assert dialog.status_label.isVisible()
    assert text.startswith("Not saved.")
    assert "Local AE title" in text and rule in text
    assert not context.settings_path.exists()
    assert applied.calls == []
    assert dialog.tabs.currentWidget() is dialog.local_page  # taken to the field
    assert dialog.settings is context.settings
    # OK refuses the same way and keeps the dialog open
    dialog.ok()
    assert dialog.isVisible() and not context.settings_path.exists()


@pytest.mark.parametrize(
    ("field", "setter", "words"),
    [
        pytest.param("max_pdu", lambda d: d.local_page.max_pdu.setValue(1000),
                     ["Maximum PDU size", "4096"], id="max-pdu"),
        pytest.param("bind_address", lambda d: d.local_page.bind_address.setText("my-host"),
                     ["Listen on address", "IP address"], id="bind-address"),
        pytest.param("connect_timeout_s", lambda d: d.local_page.connect_timeout_s.setValue(0),
                     ["Connect timeout", "must be greater than 0"], id="timeout-zero"),
        pytest.param("tls_certificate", lambda d: d.local_page.tls_certificate.setText("/no/such.pem"),
                     ["TLS certificate", "must be an existing file"], id="tls-missing"),
        pytest.param("data_dir", lambda d: d.local_page.data_dir.setText("  "),
                     ["Data folder", "must not be empty"], id="data-dir-empty"),
    ],
)  # fmt: skip
def test_other_invalid_values_name_their_field(qtbot, dialog, context, applied, field, setter, words):
    setter(dialog)
    assert not dialog.apply()
    for word in words:
        assert word in dialog.status_label.text()
    assert not context.settings_path.exists() and applied.calls == []


def test_duplicate_node_names_refused(qtbot, dialog, context, applied) -> None:
    dialog.nodes_page.nodes.append(
        RemoteNode(name="pacs", ae_title="OTHER", host="10.0.0.2", port=104)
    )
    assert not dialog.apply()
    assert "Remote nodes" in dialog.status_label.text()
    assert "'pacs' is used twice" in dialog.status_label.text()
    assert dialog.tabs.currentWidget() is dialog.nodes_page
    assert not context.settings_path.exists() and applied.calls == []


# -- saving and applying -------------------------------------------------------------------
def test_valid_change_saved_and_applied(qtbot, dialog, context, applied, tmp_path) -> None:
    dialog.show()
    cert = tmp_path / "node.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    dialog.local_page.ae_title.setText("  WS_NEW ")
    dialog.local_page.port.setValue(11113)
    dialog.local_page.require_known_callers.setChecked(False)
    dialog.local_page.tls_certificate.setText(str(cert))
    dialog.storage_page.duplicate_policy.setCurrentIndex(
        dialog.storage_page.duplicate_policy.findData("replace"))
    dialog.storage_page.min_free_space_mb.setValue(1234)
    dialog.storage_page.language.setCurrentIndex(dialog.storage_page.language.findData("de"))
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)

    assert dialog.status_label.text() == "Settings saved and applied."
    saved = load_settings(context.settings_path)
    assert saved.node.ae_title == "WS_NEW" and saved.node.port == 11113
    assert saved.node.require_known_callers is False
    assert saved.storage.duplicate_policy is DuplicatePolicy.REPLACE
    assert saved.storage.min_free_space_mb == 1234
    assert saved.viewer.language is Language.DE
    assert saved.network.tls_certificate == cert
    assert saved.remote_nodes == context.settings.remote_nodes
    assert applied.calls == [saved]

    # OK with nothing changed closes without saving or applying again
    dialog.ok()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert len(applied.calls) == 1


def test_node_added_through_node_dialog_is_saved(qtbot, dialog, context, applied) -> None:
    def fill(widget: QWidget) -> None:
        assert isinstance(widget, NodeDialog)
        widget.name.setText("CT scanner")
        widget.ae_title.setText("CT\\1")
        widget.host.setText("10.1.2.3")
        widget.port.setValue(4006)
        widget.role_boxes[Role.MOVE_DESTINATION].setChecked(True)
        widget.submit()
        assert widget.isVisible()  # refused: the node dialog stays open
        assert "Remote node: AE title" in widget.error_label.text()
        assert "backslash" in widget.error_label.text()
        widget.ae_title.setText("CT1")
        widget.submit()

    when_modal(fill)
    dialog.nodes_page.add_node()
    assert [n.name for n in dialog.nodes_page.nodes] == ["PACS", "CT scanner"]
    assert dialog.nodes_page.table.rowCount() == 2
    assert dialog.nodes_page.table.item(1, 4).text() == "Move destination"
    assert dialog.apply()
    saved = load_settings(context.settings_path).find_node("CT scanner")
    assert saved == RemoteNode(name="CT scanner", ae_title="CT1", host="10.1.2.3", port=4006,
                               roles=frozenset({Role.MOVE_DESTINATION}))  # fmt: skip
    assert applied.calls[-1].find_node("CT scanner") == saved


def test_storage_commitment_switch_is_edited_and_kept(qtbot, dialog, context) -> None:
    def switch_on(widget: QWidget) -> None:
        assert isinstance(widget, NodeDialog)
        assert not widget.storage_commitment.isChecked()
        widget.storage_commitment.setChecked(True)
        widget.submit()

    dialog.nodes_page.table.selectRow(0)
    when_modal(switch_on)
    dialog.nodes_page.edit_node()
    assert dialog.apply()
    assert load_settings(context.settings_path).find_node("PACS").storage_commitment

    def keep(widget: QWidget) -> None:  # editing something else keeps the switch
        assert isinstance(widget, NodeDialog)
        assert widget.storage_commitment.isChecked()
        widget.port.setValue(4242)
        widget.submit()

    dialog.nodes_page.table.selectRow(0)
    when_modal(keep)
    dialog.nodes_page.edit_node()
    assert dialog.apply()
    saved = load_settings(context.settings_path).find_node("PACS")
    assert saved.storage_commitment and saved.port == 4242


def test_compression_policy_is_chosen_and_kept(qtbot, dialog, context) -> None:
    from workstation.config.settings import CompressionPolicy

    def choose(widget: QWidget) -> None:
        assert isinstance(widget, NodeDialog)
        combo = widget.compression
        assert combo.currentData() == CompressionPolicy.LOSSLESS.value  # the default
        combo.setCurrentIndex(combo.findData(CompressionPolicy.UNCOMPRESSED.value))
        widget.submit()

    dialog.nodes_page.table.selectRow(0)
    when_modal(choose)
    dialog.nodes_page.edit_node()
    assert dialog.apply()
    assert load_settings(context.settings_path).find_node("PACS").compression is (
        CompressionPolicy.UNCOMPRESSED
    )

    def keep(widget: QWidget) -> None:
        assert isinstance(widget, NodeDialog)
        assert widget.compression.currentData() == CompressionPolicy.UNCOMPRESSED.value
        widget.submit()

    dialog.nodes_page.table.selectRow(0)
    when_modal(keep)
    dialog.nodes_page.edit_node()
    assert dialog.apply()
    assert load_settings(context.settings_path).find_node("PACS").compression is (
        CompressionPolicy.UNCOMPRESSED
    )


def test_node_removed_is_saved(qtbot, dialog, context) -> None:
    dialog.nodes_page.table.selectRow(0)
    qtbot.mouseClick(dialog.nodes_page.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.nodes_page.table.rowCount() == 0
    assert not dialog.nodes_page.echo_button.isEnabled()
    assert dialog.apply()
    assert load_settings(context.settings_path).remote_nodes == ()


def test_data_dir_change_warns(qtbot, dialog, tmp_path) -> None:
    dialog.show()
    assert not dialog.local_page.data_dir_warning.isVisible()
    dialog.local_page.data_dir.setText(str(tmp_path / "elsewhere"))
    assert dialog.local_page.data_dir_warning.isVisible()
    assert "not moved" in dialog.local_page.data_dir_warning.text()
    dialog.local_page.data_dir.setText(str(tmp_path / "data"))
    assert not dialog.local_page.data_dir_warning.isVisible()


def test_apply_failure_in_the_app_is_shown(qtbot, tmp_path, context) -> None:
    failing = Applied(fail=SettingsError(field="port", rule="is in use by another program", value=11113))
    ctx = ServiceContext(context.settings, context.settings_path, failing)
    dlg = ServiceDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.local_page.port.setValue(11113)
    assert not dlg.apply()
    text = dlg.status_label.text()
    assert "saved but could not be put into effect" in text
    assert "Port: is in use by another program" in text
    assert load_settings(ctx.settings_path).node.port == 11113  # saved all the same


def test_change_password_from_service_dialog(qtbot, dialog, context) -> None:
    store = ServicePassword(context.password_file())
    store.set(SECRET, SECRET)

    def change(widget: QWidget) -> None:
        assert isinstance(widget, PasswordDialog) and widget.mode is PasswordMode.CHANGE
        widget.current_edit.setText(SECRET)
        widget.password_edit.setText("Neues-Passwort-9")
        widget.confirm_edit.setText("Neues-Passwort-9")
        widget.submit()

    when_modal(change)
    dialog.change_password()
    store.verify("Neues-Passwort-9")
    assert dialog.status_label.text() == "The service password was changed."
