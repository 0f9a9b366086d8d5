"""The called-AE check in service mode: shown on the local node page beside the
calling-AE check, on by default, saved and applied when switched off."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from workstation.config import Settings, load_settings
from workstation.ui import i18n
from workstation.ui.service import ServiceContext
from workstation.ui.service.service_dialog import ServiceDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def applied() -> list[Settings]:
    return []


@pytest.fixture
def context(tmp_path: Path, applied: list[Settings]) -> ServiceContext:
    settings = Settings(ae_title="WS_SERVICE", data_dir=tmp_path / "data")
    return ServiceContext(settings, tmp_path / "config" / "settings.json", applied.append)


@pytest.fixture
def dialog(qtbot, context: ServiceContext) -> ServiceDialog:
    dlg = ServiceDialog(context)
    qtbot.addWidget(dlg)
    return dlg


def test_called_ae_check_shown_checked_beside_the_calling_ae_check(dialog) -> None:
    page = dialog.local_page
    assert page.check_called_ae.isChecked()
    assert page.check_called_ae.text() == (
        "Accept associations only when addressed to the local AE title"
    )
    # in the same group as the calling-AE check, right below it
    group = page.require_known_callers.parentWidget()
    assert page.check_called_ae.parentWidget() is group
    layout = group.layout()
    rows = [layout.itemAt(i).widget() for i in range(layout.count())]
    assert rows.index(page.check_called_ae) == rows.index(page.require_known_callers) + 1


def test_switching_the_called_ae_check_off_is_saved_and_applied(
    qtbot, dialog, context, applied
) -> None:
    dialog.show()
    dialog.local_page.check_called_ae.setChecked(False)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert dialog.status_label.text() == "Settings saved and applied."
    saved = load_settings(context.settings_path)
    assert saved.node.check_called_ae is False
    assert saved.node.require_known_callers is True  # the other check untouched
    assert applied == [saved]


def test_called_ae_check_in_german(qtbot, qapp, context) -> None:
    assert i18n.install_translators("de", qapp)
    try:
        dlg = ServiceDialog(context)
        qtbot.addWidget(dlg)
        assert dlg.local_page.check_called_ae.text() == (
            "Assoziationen nur annehmen, wenn sie an den lokalen AE-Titel gerichtet sind"
        )
    finally:
        i18n.install_translators("en", qapp)
