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

from softphone.app import Application, AppOptions
from softphone.config import Account
from softphone.store import MessageRecord, Store
from ui.bridge import CoreBridge
from ui.windows.main_window import MainWindow

ME = "sip:alice@example.test"


def make_window(qtbot, db: Path | str, *, account: Account | None = None) -> MainWindow:
    """A shown main window for alice with its store at *db* (core not started)."""
    account = account or Account(aor=ME, registrar="127.0.0.1:9", expires=300)
    app = Application(account, "secret", Store.open(db), AppOptions(listen_host="127.0.0.1"))
    window = MainWindow(app, CoreBridge(app))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
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
