"""Desktop notifications through the freedesktop notification service.

PySide6-Essentials has no QtDBus, so the `Notify` call goes through the
`gdbus` command (GLib) in a `QProcess`: started and left to run, the
window never waits for it. When `gdbus` is missing or the call fails (no
notification daemon on the session bus), the fallback shows the message,
which is the tray's balloon.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
from collections.abc import Callable

from PySide6.QtCore import QObject, QProcess

__all__ = ["NOTIFY_TIMEOUT_MS", "DesktopNotifier"]

log = logging.getLogger(__name__)

#: How long the notification stays up, as asked of the server (it may differ).
NOTIFY_TIMEOUT_MS = 8000


class DesktopNotifier(QObject):
    """`notify(title, body)` on the session bus, or *fallback(title, body)*."""

    def __init__(
        self,
        fallback: Callable[[str, str], None],
        parent: QObject | None = None,
        *,
        program: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._fallback = fallback
        if program is None and os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            program = shutil.which("gdbus")
        #: The `gdbus` to run; None without one or without a session bus.
        self.program = program
        self._running: set[QProcess] = set()

    @property
    def available(self) -> bool:
        """True when there is a `gdbus` to call the service with."""
        return bool(self.program)

    def notify(self, title: str, body: str) -> None:
        """Ask the notification server to show *title* and *body*; returns at once."""
        if not self.program:
            self._fallback(title, body)
            return
        process = QProcess(self)
        # org.freedesktop.Notifications.Notify (Desktop Notifications
        # Specification): app_name, replaces_id, app_icon, summary, body,
        # actions, hints, expire_timeout.
        process.setProgram(self.program)
        process.setArguments(
            [
                "call",
                "--session",
                "--dest",
                "org.freedesktop.Notifications",
                "--object-path",
                "/org/freedesktop/Notifications",
                "--method",
                "org.freedesktop.Notifications.Notify",
                "Softphone",
                "0",
                "softphone",
                title,
                # Servers with "body-markup" read the body as markup: escaped,
                # a sender's "<b>" or "<img>" shows as written.
                html.escape(body, quote=False),
                "[]",
                "{}",
                str(NOTIFY_TIMEOUT_MS),
            ]
        )
        done = False

        def finished(code: int = 0, _status: object = None) -> None:
            nonlocal done
            if done:
                return
            done = True
            self._running.discard(process)
            process.deleteLater()
            if code != 0:
                log.info("no notification server answered; showing it in the tray")
                self._fallback(title, body)

        process.finished.connect(finished)
        process.errorOccurred.connect(lambda _error: finished(1))
        self._running.add(process)
        process.start()
