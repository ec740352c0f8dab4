"""A buddy's online/offline changes outlive the window: the details pane reads the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from softphone.buddy import BuddyState, BuddyStatus, Device, described
from softphone.phrase import say
from softphone.store import PRESENCE_CHANGES_KEPT, Store
from tests.ui.window_fixture import make_window, press
from ui.roles import Role
from ui.windows.main_window import MainWindow

JOE = "sip:joe@example.test"
SINCE = 1_700_000_000.0

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support propagateSizeHints"
)


def online(devices: int = 1) -> BuddyState:
    phones = tuple(Device(f"sip:joe@192.0.2.{i}", None, 300, SINCE) for i in range(devices))
    words = (
        say("online on {count} device", count="1")
        if devices == 1
        else say("online on {count} devices", count=str(devices))
    )
    return described(JOE, BuddyStatus.ONLINE, phones, SINCE, words)


def offline() -> BuddyState:
    return described(
        JOE, BuddyStatus.OFFLINE, (), SINCE, say("offline, last seen {when}", when="22:14")
    )


def shown_changes(window: MainWindow, qtbot) -> list[str]:
    """The details pane's recent changes (Ctrl+I), newest first, without their times."""
    window.open_conversation(JOE)
    press(qtbot, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    details = window.details
    assert details is not None
    qtbot.waitUntil(details.isVisible)
    lines = [details.history.item(row).text() for row in range(details.history.count())]
    return [line.split("  ", 1)[-1] for line in lines]


def test_changes_are_shown_after_a_restart(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "alice.db"
    first = make_window(qtbot, db)
    first.add_buddy(JOE, "Joe")
    # As the presence service reports them (RFC 3680 NOTIFYs); "subscribing"
    # and the second device are not changes between online and offline.
    for state in (
        described(JOE, BuddyStatus.UNKNOWN, (), None, say("subscribing…")),
        online(),
        online(devices=2),
        offline(),
        online(),
    ):
        first.bridge.buddy_changed.emit(state)
    first.hide()
    first.store.close()

    # A new window on the same store: Joe's state is not known yet.
    second = make_window(qtbot, db)
    assert shown_changes(second, qtbot) == [
        "online on 1 device",
        "offline, last seen 22:14",
        "online on 1 device",
    ]
    # The same state again after the restart is no change.
    second.bridge.buddy_changed.emit(online())
    assert shown_changes(second, qtbot)[:2] == ["online on 1 device", "offline, last seen 22:14"]


def test_only_the_last_changes_are_kept(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "alice.db")
    window.add_buddy(JOE, "Joe")
    for _ in range(PRESENCE_CHANGES_KEPT):  # twice as many changes as kept
        window.bridge.buddy_changed.emit(offline())
        window.bridge.buddy_changed.emit(online())
    changes = window.store.presence_changes(JOE)
    assert len(changes) == PRESENCE_CHANGES_KEPT
    assert [c.status for c in changes[-2:]] == ["offline", "online"]
    assert len(shown_changes(window, qtbot)) == PRESENCE_CHANGES_KEPT


def test_the_store_keeps_changes_of_status_only(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    assert store.add_presence_change(JOE, "online", "online on 1 device", now=1.0)
    assert not store.add_presence_change(JOE, "online", "online on 2 devices", now=2.0)
    assert store.add_presence_change(JOE, "offline", "offline", now=3.0)
    assert store.add_presence_change("sip:bob@example.test", "online", "online", now=4.0)
    for i in range(5):
        store.add_presence_change(
            JOE, "online" if i % 2 else "offline", f"#{i}", now=5.0 + i, keep=3
        )
    assert [(c.at, c.detail) for c in store.presence_changes(JOE)] == [
        (7.0, "#2"),
        (8.0, "#3"),
        (9.0, "#4"),
    ]
    assert len(store.presence_changes("sip:bob@example.test")) == 1


def test_changes_told_together_are_all_kept_and_the_last_is_shown(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "alice.db")
    window.add_buddy(JOE, "Joe")
    window.open_conversation(JOE)
    # One turn of the core's loop read three NOTIFYs about joe.
    window.bridge.buddies_changed.emit((online(), offline(), online(devices=2)))
    row = window.buddies.row_of(JOE)
    assert row is not None
    index = window.buddies.index(row, 0)
    assert index.data(Role.BUDDY_STATUS) == "online"
    assert window.chat.subtitle.text().endswith("on 2 devices")
    assert [c.status for c in window.store.presence_changes(JOE)] == [
        "online",
        "offline",
        "online",
    ]
    assert shown_changes(window, qtbot) == [
        "online on 2 devices",
        "offline, last seen 22:14",
        "online on 1 device",
    ]


def test_the_store_keeps_a_burst_of_changes_in_order(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    bob = "sip:bob@example.test"
    assert store.add_presence_changes(
        [
            (JOE, "online", "online on 1 device", 1.0),
            (bob, "offline", "offline", 1.0),
            (JOE, "online", "online on 2 devices", 1.0),
            (JOE, "offline", "offline", 2.0),
            (JOE, "online", "online on 1 device", 3.0),
        ],
        keep=2,
    ) == [True, True, False, True, True]
    assert [(c.at, c.status) for c in store.presence_changes(JOE)] == [
        (2.0, "offline"),
        (3.0, "online"),
    ]
    assert [c.status for c in store.presence_changes(bob)] == ["offline"]
    # The next burst goes on from what the store holds.
    assert store.add_presence_changes([(JOE, "online", "online", 4.0)]) == [False]
    assert store.add_presence_changes([]) == []
