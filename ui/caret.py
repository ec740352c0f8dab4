"""The text caret stops blinking a while after the last key or click.

A blinking caret repaints its field twice a second for as long as a text
field has the focus in the active window, so an app left idle in front
wakes about 240 times a minute for it alone (`bench/idle_window.py`). As
GTK's `gtk-cursor-blink-timeout` does (10 s by default), the caret rests,
shown steadily, `REST_AFTER_MS` after the last input, and blinks again at
the next key press, click or focus change.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QGuiApplication

__all__ = ["REST_AFTER_MS", "CaretRest"]

#: Milliseconds without input after which the caret stops blinking.
REST_AFTER_MS = 10_000

#: The events on the focused widget that mean someone is typing there.
_INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.InputMethod})


class CaretRest(QObject):
    """Rests the application's caret after *rest_after_ms* without input.

    Only the focused widget is watched (the caret is its), so the rest of
    the window's events never pass through Python; a change of focus or of
    the active window counts as input. `close()` gives the caret its blink
    back and stops watching.
    """

    def __init__(self, app: QGuiApplication, rest_after_ms: int | None = None) -> None:
        super().__init__()
        self._app = app
        self._hints = app.styleHints()
        #: The platform's blink period, given back at the next input.
        self.flash_time = self._hints.cursorFlashTime()
        self.resting = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REST_AFTER_MS if rest_after_ms is None else rest_after_ms)
        self._timer.timeout.connect(self._rest)
        self._watched: QObject | None = None
        app.focusObjectChanged.connect(self._on_focus)
        app.applicationStateChanged.connect(self._on_state)
        self._on_focus(app.focusObject())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note input; every event goes on unchanged."""
        if event.type() in _INPUT:
            self.wake()
        return False

    def wake(self) -> None:
        """Blink again, and rest after the next quiet spell."""
        if self.resting:
            self.resting = False
            self._hints.setCursorFlashTime(self.flash_time)
        self._timer.start()

    def close(self) -> None:
        """Stop watching; the caret blinks as the platform wants."""
        self._timer.stop()
        self._app.focusObjectChanged.disconnect(self._on_focus)
        self._app.applicationStateChanged.disconnect(self._on_state)
        self._watch(None)
        if self.resting:
            self.resting = False
            self._hints.setCursorFlashTime(self.flash_time)

    def _on_state(self, _state: object) -> None:
        self.wake()

    def _on_focus(self, focused: QObject | None) -> None:
        self._watch(focused)
        self.wake()

    def _watch(self, focused: QObject | None) -> None:
        if self._watched is not None:
            with contextlib.suppress(RuntimeError):  # deleted with its window
                self._watched.removeEventFilter(self)
        self._watched = focused
        if focused is not None:
            focused.installEventFilter(self)

    def _rest(self) -> None:
        if self.flash_time > 0 and not self.resting:
            self.resting = True
            self._hints.setCursorFlashTime(0)
