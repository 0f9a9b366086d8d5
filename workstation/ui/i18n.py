"""The GUI language: Qt translators for our strings and Qt's own (standard buttons).

Sources live in ``translations/workstation_<lang>.ts`` (made by ``translations/update.sh``
with ``pyside6-lupdate``). The compiled ``.qm`` is not kept in git: it is built from the
``.ts`` at start-up when it is missing or older than the ``.ts`` (``lrelease`` from the
PySide6 wheel), next to the ``.ts`` or, when that folder is read-only, in the user's
cache folder. ``installer/install.sh`` compiles it once as well, so an installed copy
need not write anything. English is the source language and needs no file.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

import platformdirs
import PySide6
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from workstation.config.settings import APP_NAME, Language

log = logging.getLogger(__name__)

TRANSLATIONS_ENV = "WORKSTATION_TRANSLATIONS"
LRELEASE_TIMEOUT_S = 120

# The translators installed now, so that a language switch removes them again.
_installed: list[QTranslator] = []
# The number format in use before the first switch (restored for English).
_original_locale: list[QLocale] = []


def translations_dir() -> Path:
    """``$WORKSTATION_TRANSLATIONS`` or the ``translations`` folder of the source tree."""
    env = os.environ.get(TRANSLATIONS_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "translations"


def ts_path(language: str) -> Path:
    return translations_dir() / f"{APP_NAME}_{language}.ts"


def lrelease_path() -> Path:
    """The ``lrelease`` binary shipped inside the PySide6 wheel."""
    return Path(PySide6.__file__).parent / "lrelease"


def _stale(qm: Path, ts: Path) -> bool:
    return not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime


def compile_ts(ts: Path, qm: Path) -> None:
    """Run lrelease ``ts`` -> ``qm`` (raises CalledProcessError / OSError on failure)."""
    qm.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(lrelease_path()), "-silent", str(ts), "-qm", str(qm)],
        check=True,
        capture_output=True,
        timeout=LRELEASE_TIMEOUT_S,
    )


def compiled_translation(language: str) -> Path | None:
    """A current ``.qm`` for ``language``, compiled now if needed; None when unavailable."""
    ts = ts_path(language)
    if not ts.exists():
        log.warning("no translation source %s", ts)
        return None
    beside = ts.with_suffix(".qm")
    cached = Path(platformdirs.user_cache_dir(APP_NAME)) / "translations" / beside.name
    target = beside if os.access(ts.parent, os.W_OK) else cached
    for qm in (beside, cached):
        if qm.exists() and not _stale(qm, ts):
            return qm
    try:
        compile_ts(ts, target)
        return target
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot compile %s: %s", ts, exc)
    # an older compiled file is better than English for a German user
    return next((qm for qm in (beside, cached) if qm.exists()), None)


def install_translators(language: str | Language, app: QCoreApplication | None = None) -> bool:
    """Make ``language`` the GUI language and number format (removing an earlier one);
    True when loaded. Windows created afterwards come up in that language; open ones
    keep their texts.
    """
    app = app or QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_translators needs a QApplication")
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    language = str(language)
    if not _original_locale:
        _original_locale.append(QLocale())
    if language == Language.EN:
        QLocale.setDefault(_original_locale[0])
        return True
    qm = compiled_translation(language)
    ours = QTranslator(app)
    if qm is None or not ours.load(str(qm)):
        log.warning("translation %r not loaded: the GUI stays in English", language)
        return False
    qt_own = QTranslator(app)  # "OK", "Cancel", ... of Qt's standard dialogs
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_own.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qt_own)
        _installed.append(qt_own)
    app.installTranslator(ours)
    _installed.append(ours)
    QLocale.setDefault(QLocale(language))  # spin boxes: "15,0 s" in German
    log.info("GUI language %s from %s", language, qm)
    return True


def current_language() -> str:
    """The language installed by :func:`install_translators` ("en" when none)."""
    for tr in _installed:
        name = Path(tr.filePath()).stem
        if name.startswith(f"{APP_NAME}_"):
            return name.removeprefix(f"{APP_NAME}_")
    return str(Language.EN)
