"""The system tray icon: unread count, new-message notifications, Show and Quit.

Where the desktop has no system tray (a bare window manager, the offscreen
platform of the tests) the tray keeps its state and shows nothing, so the
rest of the app never has to ask whether a tray exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from ui.icons import app_icon
from ui.notify import DesktopNotifier
from ui.plain import one_line

__all__ = ["NOTIFICATION_MAX_CHARS", "Notification", "Tray", "badge_icon"]

#: Longer message text is cut in a notification: the conversation has it all.
NOTIFICATION_MAX_CHARS = 200
#: How long a notification stays up, in milliseconds (the desktop may differ).
NOTIFICATION_MS = 8000

_BADGE_SIZE = 64


@dataclass(frozen=True, slots=True)
class Notification:
    """The last desktop notification asked for."""

    #: The peer's AoR: clicking the notification opens this conversation.
    peer: str
    title: str
    body: str


def badge_icon(count: int) -> QIcon:
    """The app icon with a red badge holding *count* (``99+`` above 99); plain at 0.

    Raises:
        ValueError: *count* is negative.
    """
    if count < 0:
        raise ValueError(f"an unread count cannot be negative: {count}")
    base = app_icon()
    if count == 0:
        return base
    pixmap = base.pixmap(_BADGE_SIZE, _BADGE_SIZE)
    if pixmap.isNull():
        pixmap = QPixmap(_BADGE_SIZE, _BADGE_SIZE)
        pixmap.fill(Qt.GlobalColor.transparent)
    text = "99+" if count > 99 else str(count)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        size = _BADGE_SIZE * (0.5 if len(text) < 3 else 0.62)
        rect = QRectF(_BADGE_SIZE - size, 0, size, _BADGE_SIZE * 0.5)
        painter.setPen(QColor("#ffffff"))
        painter.setBrush(QColor("#d32f2f"))
        radius = rect.height() / 2
        painter.drawRoundedRect(rect, radius, radius)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(rect.height() * 0.62))
        painter.setFont(font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    finally:
        painter.end()
    return QIcon(pixmap)


class Tray(QObject):
    """The app's tray icon and its menu (Show, Quit)."""

    #: The user clicked a message notification: open this peer's conversation.
    activated_peer = Signal(str)
    #: The user chose Quit in the tray menu.
    quit_requested = Signal()
    #: The user clicked the tray icon or chose Show.
    show_requested = Signal()

    def __init__(self, window: QWidget | None = None) -> None:
        """Create the tray icon for *window* (shown again on Show or a click).

        Nothing is shown where `QSystemTrayIcon.isSystemTrayAvailable()` is
        false; the methods still keep state.
        """
        super().__init__(window)
        self._window = window
        self._unread = 0
        self._last: Notification | None = None
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        #: The last balloon asked for (title, body), shown or not.
        self.last_balloon: tuple[str, str] | None = None
        #: Desktop notifications; the tray's balloon when there is no server.
        self.notifier = DesktopNotifier(self.show_balloon, self)

        self.menu = QMenu(window)
        self.show_action = self.menu.addAction(self.tr("&Show Softphone"))
        self.show_action.triggered.connect(self._show_window)
        self.menu.addSeparator()
        self.quit_action = self.menu.addAction(self.tr("&Quit"))
        self.quit_action.triggered.connect(self.quit_requested.emit)

        self.tray_icon = QSystemTrayIcon(app_icon(), self)
        self.tray_icon.setContextMenu(self.menu)
        self.tray_icon.activated.connect(self._on_activated)
        self.tray_icon.messageClicked.connect(self._on_message_clicked)
        self._refresh()
        if self.available:
            self.tray_icon.show()

    # -- public API -------------------------------------------------------------------

    @property
    def unread(self) -> int:
        """The unread count shown now."""
        return self._unread

    @property
    def tooltip(self) -> str:
        """The tray icon's tooltip, e.g. ``Softphone: 3 unread messages``."""
        return self.tray_icon.toolTip()

    @property
    def icon(self) -> QIcon:
        """The tray icon as drawn now (with the unread badge)."""
        return self.tray_icon.icon()

    @property
    def last_notification(self) -> Notification | None:
        """The last notification asked for, shown or not."""
        return self._last

    def set_unread(self, count: int) -> None:
        """Show *count* unread messages in the tooltip and as a badge on the icon.

        Raises:
            ValueError: *count* is negative.
        """
        if count < 0:
            raise ValueError(f"an unread count cannot be negative: {count}")
        if count != self._unread:
            self._unread = count
            self._refresh()

    def notify_message(self, peer: str, display_name: str, text: str) -> None:
        """Show a desktop notification for a message from *peer*.

        The caller decides when (the main window is not focused); clicking it
        emits `activated_peer` with *peer*. Long text is shortened.
        """
        body = one_line(" ".join(text.split()), NOTIFICATION_MAX_CHARS)
        title = one_line(display_name or peer)
        self._last = Notification(peer=peer, title=title, body=body)
        self.notifier.notify(title, body)

    def show_balloon(self, title: str, body: str) -> None:
        """Show *title* and *body* from the tray icon (where there is a tray)."""
        self.last_balloon = (title, body)
        if self.available and self.tray_icon.supportsMessages():
            self.tray_icon.showMessage(title, body, app_icon(), NOTIFICATION_MS)

    def hide(self) -> None:
        """Take the icon off the tray (before quitting)."""
        self.tray_icon.hide()

    # -- slots ---------------------------------------------------------------------------

    def _refresh(self) -> None:
        if self._unread == 0:
            tip = "Softphone"
        elif self._unread == 1:
            tip = self.tr("Softphone: 1 unread message")
        else:
            tip = self.tr("Softphone: {count} unread messages").format(count=self._unread)
        self.tray_icon.setToolTip(tip)
        self.tray_icon.setIcon(badge_icon(self._unread))

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self._show_window()

    def _on_message_clicked(self) -> None:
        self._show_window()
        if self._last is not None:
            self.activated_peer.emit(self._last.peer)

    def _show_window(self) -> None:
        self.show_requested.emit()
        window = self._window
        if window is not None:
            window.showNormal()
            window.raise_()
            window.activateWindow()
