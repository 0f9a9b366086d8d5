"""What the service dialogs need from the application, and nothing more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workstation.config.password import default_password_path
from workstation.config.settings import Settings

ApplySettings = Callable[[Settings], None]


@dataclass(frozen=True)
class ServiceContext:
    """Built by the app when the user opens service mode.

    ``apply_settings`` is called on the GUI thread after the new settings were saved to
    ``settings_path``; the app puts them into effect (restarts the DICOM node, reopens
    the store, ...) and may raise a ``WorkstationError`` the dialog then shows.
    """

    settings: Settings
    settings_path: Path
    apply_settings: ApplySettings
    password_path: Path | None = None  # default: beside settings_path
    echo_timeout_s: float = 10.0

    def password_file(self) -> Path:
        return self.password_path or default_password_path(self.settings_path)
