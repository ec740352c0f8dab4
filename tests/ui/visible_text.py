"""Every sentence a person can read in the open windows, and a check for settings jargon."""

from __future__ import annotations

import dataclasses
import re

from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QWidget,
)

from softphone.account import Account

#: Names that belong to the settings file, not to people: every `Account`
#: setting spelled as in account.toml, the file and its table.
SETTINGS_WORDS = sorted(
    {f.name for f in dataclasses.fields(Account) if f.init and "_" in f.name}
    | {"account.toml", "[account]", "password-env", "aor"}
)
_JARGON = re.compile("|".join(rf"(?<![\w-]){re.escape(word)}(?![\w-])" for word in SETTINGS_WORDS))


def visible_strings() -> list[str]:
    """Texts, titles, placeholders and tooltips of every visible widget."""
    out: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        widgets: list[QWidget] = [top, *top.findChildren(QWidget)]
        for widget in widgets:
            if not widget.isVisible():
                continue
            out += [widget.windowTitle(), widget.toolTip(), widget.accessibleName()]
            if isinstance(widget, QLabel | QAbstractButton):
                out.append(widget.text())
            if isinstance(widget, QLineEdit):
                out.append(widget.placeholderText())
            if isinstance(widget, QGroupBox):
                out.append(widget.title())
            if isinstance(widget, QMainWindow):
                out.append(widget.statusBar().currentMessage())
    return [text for text in out if text]


def settings_jargon(strings: list[str]) -> list[str]:
    """The strings among *strings* that name a setting as the settings file does."""
    return [text for text in strings if _JARGON.search(text)]
