"""A main window on a core that is never started: no sockets, nothing sent.

Sent messages are stored and stay queued, received ones are stored the way
the messaging service stores them, so these tests drive the window with
real keys and clicks and read what it shows without any SIP peer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from softphone.app import Application, AppOptions
from softphone.config import Account
from softphone.store import MessageRecord, Store
from ui.bridge import CoreBridge
from ui.windows.main_window import MainWindow, window_settings

ME = "sip:alice@example.test"


def make_window(qtbot, db: Path | str, *, account: Account | None = None) -> MainWindow:
    """A shown main window for alice with its store at *db* (core not started).

    Its preferences live beside *db*, never in the user's config.
    """
    account = account or Account(aor=ME, registrar="127.0.0.1:9", expires=300)
    app = Application(account, "secret", Store.open(db), AppOptions(listen_host="127.0.0.1"))
    settings = window_settings(str(Path(db).parent))
    window = MainWindow(app, CoreBridge(app), settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def receive(
    window: MainWindow, peer: str, body: str, *, when: float | None = None
) -> MessageRecord:
    """Store *body* as received from *peer* and tell the window, as messaging does."""
    store = window.store
    record, _new = store.insert_incoming(
        peer=peer,
        body=body,
        content_type="text/plain",
        call_id=f"c{time.monotonic_ns()}",
        cseq=1,
        from_tag="t",
        now=time.time() if when is None else when,
    )
    window.bridge.message_added.emit(record)
    return record


@pytest.fixture(name="window")
def window_fixture(qtbot, tmp_path: Path) -> Iterator[MainWindow]:
    """Alice's window over a fresh store."""
    yield make_window(qtbot, tmp_path / "alice.db")


def focused() -> QWidget:
    """The widget that has the keyboard focus now.

    Raises:
        AssertionError: no widget has it.
    """
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard focus"
    return widget


def type_text(qtbot, text: str) -> None:
    """Type *text* one key at a time into whatever has the focus at each key."""
    for char in text:
        qtbot.keyClicks(focused(), char)


def press(
    qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """Press *key* where the focus is, as a keyboard would."""
    qtbot.keyClick(focused(), key, modifier)
