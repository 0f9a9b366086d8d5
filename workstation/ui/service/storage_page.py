"""Service dialog page "Storage": duplicate policy, free-space threshold, GUI language."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workstation.config.settings import DuplicatePolicy, Language, Settings

# Language names are written in their own language: a user who cannot read the current
# one still finds theirs.
LANGUAGE_NAMES = {Language.EN: "English", Language.DE: "Deutsch"}


class StoragePage(QWidget):
    """Edits duplicate_policy, min_free_space_mb and language."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duplicate_policy = QComboBox()
        self.duplicate_policy.addItem(
            self.tr("Keep the stored copy, discard the new one"), DuplicatePolicy.KEEP.value
        )
        self.duplicate_policy.addItem(
            self.tr("Replace the stored copy with the new one"), DuplicatePolicy.REPLACE.value
        )
        self.min_free_space_mb = QSpinBox()
        self.min_free_space_mb.setRange(0, 10_000_000)
        self.min_free_space_mb.setSingleStep(100)
        self.min_free_space_mb.setSuffix(" MB")
        free_note = QLabel(
            self.tr("Below this free space on the data folder's disk, incoming images are "
                    "refused (status A700) instead of filling the disk.")
        )  # fmt: skip
        free_note.setWordWrap(True)
        self.language = QComboBox()
        for lang, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, lang.value)
        language_note = QLabel(self.tr("The new language is used from the next start."))
        language_note.setWordWrap(True)

        storage = QGroupBox(self.tr("Local store"))
        form = QFormLayout(storage)
        form.addRow(self.tr("Duplicate instances (same SOP Instance UID):"), self.duplicate_policy)
        form.addRow(self.tr("Minimum free space:"), self.min_free_space_mb)
        form.addRow(free_note)
        ui = QGroupBox(self.tr("User interface"))
        form = QFormLayout(ui)
        form.addRow(self.tr("Language:"), self.language)
        form.addRow(language_note)

        layout = QVBoxLayout(self)
        layout.addWidget(storage)
        layout.addWidget(ui)
        layout.addStretch(1)
        self.load(settings)

    def load(self, settings: Settings) -> None:
        self.duplicate_policy.setCurrentIndex(
            self.duplicate_policy.findData(settings.storage.duplicate_policy.value)
        )
        self.min_free_space_mb.setValue(settings.storage.min_free_space_mb)
        self.language.setCurrentIndex(self.language.findData(settings.viewer.language.value))

    def values(self) -> dict[str, Any]:
        return {
            "duplicate_policy": self.duplicate_policy.currentData(),
            "min_free_space_mb": self.min_free_space_mb.value(),
            "language": self.language.currentData(),
        }

    def widget_for(self, field: str) -> QWidget | None:
        widget = getattr(self, field, None)
        return widget if field in self.values() and isinstance(widget, QWidget) else None
