"""Open a `sip:` link in the window: the conversation, and a draft that is never sent.

The text may come from the command line or from a second launch over the
local socket (`ui.single_instance`); it is checked here again either way
(`softphone.link.parse_link`). A refused link gets one sentence in a
dialog and changes nothing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from softphone.link import LinkError, SipLink, parse_link
from ui.core_text import translated
from ui.windows.main_window import MainWindow

__all__ = ["open_link", "raise_window", "refuse"]

log = logging.getLogger(__name__)


def raise_window(window: QWidget) -> None:
    """Bring *window* to the front, from the tray or behind others."""
    window.showNormal()
    window.raise_()
    window.activateWindow()


def refuse(parent: QWidget | None, sentence: str) -> QMessageBox:
    """Say *sentence* in a window-modal dialog without a nested event loop."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, QMessageBox.tr("Softphone"), sentence, parent=parent
    )
    box.setAccessibleName(QCoreApplication.translate("links", "Link refused"))
    # The sentence quotes the link, which a web page wrote: plain text.
    box.setTextFormat(Qt.TextFormat.PlainText)
    # open(), not exec(): a nested Qt loop would re-enter the asyncio loop.
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def open_link(window: MainWindow, text: str) -> SipLink | None:
    """Raise *window* and open the conversation *text* names; None if refused."""
    raise_window(window)
    try:
        link = parse_link(text)
    except LinkError as exc:
        refuse(window, translated(exc.phrase))
        return None
    window.open_sip_link(link)
    log.info(
        "opened the conversation with %s from a link%s",
        link.address,
        " with a draft" if link.body else "",
    )
    return link
