"""The window's language: Qt translations (`.qm`) chosen from the system locale.

`resources/translations/softphone_<lang>.ts` are the sources (made with
`pyside6-lupdate`, translated, compiled with `pyside6-lrelease` into the
`.qm` files shipped beside them). `--lang ko|en` overrides the system's
choice; any other system language gets English, the source language.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

__all__ = ["LANGUAGES", "TRANSLATIONS", "install_translator", "pick_language"]

#: Languages the window is translated into (English is the source).
LANGUAGES = ("en", "ko")
#: Where the compiled translations are (ui/resources/translations when installed).
TRANSLATIONS = Path(__file__).resolve().parent / "resources" / "translations"
if not TRANSLATIONS.is_dir():  # a source checkout: resources/ sits beside ui/
    TRANSLATIONS = Path(__file__).resolve().parent.parent / "resources" / "translations"

_installed: list[QTranslator] = []


def pick_language(requested: str | None = None) -> str:
    """*requested* if given, else the system locale's language when translated, else English."""
    if requested:
        return requested
    system = QLocale.system().name().split("_")[0]
    return system if system in LANGUAGES else "en"


def install_translator(app: QCoreApplication, requested: str | None = None) -> str:
    """Load the translation for *requested* (or the system's language); returns the language.

    Earlier translators installed here are removed first, so this can be
    called again to switch.
    """
    language = pick_language(requested)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    QLocale.setDefault(QLocale(language))
    if language == "en":
        return language
    ours = QTranslator(app)
    if ours.load(str(TRANSLATIONS / f"softphone_{language}.qm")):
        app.installTranslator(ours)
        _installed.append(ours)
    # Qt's own words (OK, Cancel, Yes, No) when Qt ships them.
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return language
