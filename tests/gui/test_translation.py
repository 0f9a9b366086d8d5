"""German translation: the translator loads and is used, and the .ts keeps up with the code.

``test_every_source_string_has_a_german_translation`` runs pyside6-lupdate over the
current tree: a string added anywhere in workstation/ui or app.py without a German
translation in translations/workstation_de.ts fails it, with the list of what is
missing (fix: translations/update.sh, translate, run it again).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from workstation.config import Settings
from workstation.config.password import PasswordTooShortError, ServicePassword
from workstation.errors import (
    CorruptDicomError,
    InsufficientSpaceError,
    SettingsError,
    WorkstationError,
)
from workstation.ui import i18n, messages
from workstation.ui.service import ServiceContext
from workstation.ui.service.password_dialog import PasswordDialog, PasswordMode
from workstation.ui.service.service_dialog import ServiceDialog

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
TS = REPO / "translations" / "workstation_de.ts"
LUPDATE = Path(sys.executable).parent / "pyside6-lupdate"
PLACEHOLDER = re.compile(r"%n|%L?\d+|\{[A-Za-z_][A-Za-z0-9_]*(?::[^}]*)?\}")


@pytest.fixture
def german(qapp) -> Iterator[None]:
    assert i18n.install_translators("de", qapp)
    try:
        yield
    finally:
        i18n.install_translators("en", qapp)


def ts_messages(path: Path) -> dict[tuple[str, str], list[str]]:
    """(context, source) -> translations (one, or the plural forms; empty if unfinished)."""
    found: dict[tuple[str, str], list[str]] = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            source = message.findtext("source", "")
            translation = message.find("translation")
            texts: list[str] = []
            if translation is not None and translation.get("type") not in {
                "unfinished", "obsolete", "vanished"
            }:  # fmt: skip
                forms = [f.text or "" for f in translation.iter("numerusform")]
                texts = [t for t in (forms or [translation.text or ""]) if t]
            found[(name, source)] = texts
    return found


# -- the translator ------------------------------------------------------------------------
def test_german_translator_loads_and_dialogs_speak_german(qtbot, german, tmp_path) -> None:
    assert i18n.current_language() == "de"
    dialog = PasswordDialog(ServicePassword(tmp_path / "pw.json"), PasswordMode.VERIFY)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Servicemodus"
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel.text().replace("&", "") == "Abbrechen"  # Qt's own translation too

    context = ServiceContext(Settings(data_dir=tmp_path / "d"), tmp_path / "s.json", print)
    service = ServiceDialog(context)
    qtbot.addWidget(service)
    assert [service.tabs.tabText(i) for i in range(3)] == [
        "Lokaler Knoten", "Entfernte Knoten", "Speicher"
    ]  # fmt: skip
    service.local_page.ae_title.setText("A" * 17)
    assert not service.apply()
    assert service.status_label.text() == (
        "Nicht gespeichert. Lokaler AE-Titel: darf höchstens 16 Zeichen haben "
        f"(eingegeben: {'A' * 17})."
    )


def test_error_codes_come_out_in_german(german) -> None:
    err = SettingsError(field="remote_nodes.1.port", rule_code="less_than_equal", limits={"le": 65535},
                        rule="Input should be less than or equal to 65535", value=70000)  # fmt: skip
    assert messages.error_text(err) == (
        "Entfernter Knoten 2: Port: darf höchstens 65535 sein (eingegeben: 70000)."
    )
    assert messages.error_text(PasswordTooShortError(min_length=8)) == (
        "Das Passwort muss mindestens 8 Zeichen haben."
    )
    assert messages.text_for("echo.rejected", {"result": 1, "source": 1, "reason": 3}) == (
        "Assoziation abgelehnt (dauerhaft) durch die angerufene Anwendung (Service User): "
        "unser rufender AE-Titel ist dort nicht bekannt."
    )
    assert messages.error_text(CorruptDicomError(reason="truncated")) == (
        "Nicht lesbare DICOM-Daten: truncated"
    )
    assert messages.text_for("echo.timeout", {"phase": "dimse", "timeout_s": 2.5}) == (
        "Zeitüberschreitung: keine C-ECHO-Antwort innerhalb von 2,5 s."
    )


def test_back_to_english(qapp, tmp_path) -> None:
    assert i18n.install_translators("de", qapp)
    assert i18n.install_translators("en", qapp)
    assert i18n.current_language() == "en"
    assert messages.text_for("password.wrong", {}) == "The password is not correct."
    assert messages.error_text(InsufficientSpaceError(free_mb=12.3, threshold_mb=500)) == (
        "Only 12 MB free, below the minimum of 500 MB"
    )


# -- compiling -----------------------------------------------------------------------------
def test_qm_compiled_when_missing_or_stale(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "translations"
    folder.mkdir()
    shutil.copy(TS, folder / TS.name)
    monkeypatch.setenv(i18n.TRANSLATIONS_ENV, str(folder))
    qm = i18n.compiled_translation("de")
    assert qm == folder / "workstation_de.qm" and qm.stat().st_size > 0
    os.utime(qm, (1_000_000, 1_000_000))  # older than the .ts: stale
    assert i18n.compiled_translation("de") == qm
    assert qm.stat().st_mtime > 1_000_000  # compiled again
    assert i18n.compiled_translation("fr") is None  # no source, no file


# -- completeness --------------------------------------------------------------------------
def lupdate_sources() -> list[Path]:
    files = sorted((REPO / "workstation" / "ui").rglob("*.py"))
    app = REPO / "workstation" / "app.py"
    return files + ([app] if app.exists() else [])


def test_every_source_string_has_a_german_translation(tmp_path) -> None:
    fresh = tmp_path / "fresh_de.ts"
    result = subprocess.run(
        [str(LUPDATE), "-locations", "none", *map(str, lupdate_sources()), "-ts", str(fresh)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    in_code = ts_messages(fresh)
    assert len(in_code) > 100, "lupdate found suspiciously few strings"
    shipped = ts_messages(TS)
    missing = sorted(key for key in in_code if not shipped.get(key))
    assert not missing, (
        f"{len(missing)} GUI strings have no German translation in {TS.name} "
        "(run translations/update.sh, translate them, run it again):\n"
        + "\n".join(f"  [{ctx}] {src!r}" for ctx, src in missing)
    )


def test_translations_keep_the_placeholders() -> None:
    wrong = []
    for (ctx, source), texts in ts_messages(TS).items():
        wanted = sorted(set(PLACEHOLDER.findall(source)) - {"%n"})
        for text in texts:
            if sorted(set(PLACEHOLDER.findall(text)) - {"%n"}) != wanted:
                wrong.append(f"[{ctx}] {source!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_every_error_code_has_a_message_template() -> None:
    import workstation

    # every Qt-free module, so that each error class is known whatever ran before
    for info in pkgutil.walk_packages(workstation.__path__, "workstation."):
        if not info.name.startswith(("workstation.ui", "workstation.app", "workstation.__main__")):
            importlib.import_module(info.name)

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    codes = {c.code for c in subclasses(WorkstationError)}
    known = set(messages.TEMPLATES) | {"settings.invalid"}
    assert codes - known == set(), "add these codes to TEMPLATES in workstation/ui/messages.py"
