"""The keyboard: search never steals keys, focus moves with Tab, Ctrl+K and Ctrl+Tab switch."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.window_fixture import focused, press, type_text, window_fixture  # noqa: F401
from ui.dates import full_time
from ui.roles import Role
from ui.windows.main_window import MainWindow

ALICE = "sip:alice@example.test"
BOB = "sip:bob@example.test"
JOE = "sip:joe@example.test"
CAROL = "sip:carol@example.test"


def _buddies(window: MainWindow) -> None:
    for aor, name in ((BOB, "Bob"), (JOE, "Joe"), (CAROL, "Carol")):
        window.add_buddy(aor, name)


def _no_drafts(window: MainWindow) -> None:
    for peer in (BOB, JOE, CAROL):
        assert window.chat.draft(peer) == "", peer


def test_search_keeps_every_letter_and_enter_opens_the_match(window: MainWindow, qtbot) -> None:
    _buddies(window)
    window.open_conversation(BOB)
    qtbot.mouseClick(window.buddy_filter, Qt.MouseButton.LeftButton)
    assert focused() is window.buddy_filter
    type_text(qtbot, "joe")
    assert window.buddy_filter.text() == "joe"
    assert focused() is window.buddy_filter
    _no_drafts(window)
    # Filtering chose nothing: the open conversation is still Bob's.
    assert window.chat.peer == BOB
    # The one match is highlighted; Enter opens it and moves to its composer.
    assert window.current_buddy() == JOE
    press(qtbot, Qt.Key.Key_Return)
    assert window.chat.peer == JOE
    assert focused() is window.chat.composer
    _no_drafts(window)


def test_arrows_in_the_search_box_choose_without_leaving_it(window: MainWindow, qtbot) -> None:
    _buddies(window)
    qtbot.mouseClick(window.buddy_filter, Qt.MouseButton.LeftButton)
    type_text(qtbot, "o")  # Bob, Joe, Carol all have an "o"
    first = window.current_buddy()
    press(qtbot, Qt.Key.Key_Down)
    second = window.current_buddy()
    assert second != first
    assert focused() is window.buddy_filter
    type_text(qtbot, "b")  # "ob": Bob only
    assert window.buddy_filter.text() == "ob"
    press(qtbot, Qt.Key.Key_Return)
    assert window.chat.peer == BOB
    assert focused() is window.chat.composer
    _no_drafts(window)


def test_arrows_in_the_list_keep_the_focus_in_the_list(window: MainWindow, qtbot) -> None:
    _buddies(window)
    view = window.buddy_view
    first = view.visualRect(view.model().index(0, 0))
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 0))
    assert focused() is view
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Down)
    assert focused() is view
    third = str(view.model().index(2, 0).data(Role.ID))
    assert window.chat.peer == third
    type_text(qtbot, "x")  # a letter in the list never reaches a draft
    _no_drafts(window)
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is window.chat.composer
    # A click chooses too.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=first.center())
    assert window.chat.peer == str(view.model().index(0, 0).data(Role.ID))
    assert focused() is window.chat.composer


def test_keyboard_only_from_start_to_a_sent_message(window: MainWindow, qtbot) -> None:
    _buddies(window)
    # Ctrl+K from wherever the focus is opens the switcher.
    press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    switcher = window.switcher
    assert switcher is not None
    qtbot.waitUntil(switcher.isActiveWindow)
    assert focused() is switcher.search
    type_text(qtbot, "car")
    press(qtbot, Qt.Key.Key_Return)
    assert not switcher.isVisible()
    assert window.chat.peer == CAROL
    qtbot.waitUntil(window.isActiveWindow)
    assert focused() is window.chat.composer
    type_text(qtbot, "hi there")
    # Tab leaves the composer (no tab character typed), Shift+Tab comes back.
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is not window.chat.composer
    assert window.chat.composer.toPlainText() == "hi there"
    press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is window.chat.composer
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.chat.composer.toPlainText() == ""
    model = window.chat.model
    assert model is not None
    assert model.record(model.rowCount() - 1).body == "hi there"


def test_ctrl_tab_goes_to_the_next_conversation(window: MainWindow, qtbot) -> None:
    _buddies(window)
    view = window.buddy_view
    order = [str(view.model().index(row, 0).data(Role.ID)) for row in range(3)]
    window.open_conversation(order[0])
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.chat.peer == order[1]
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.chat.peer == order[2]
    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.chat.peer == order[0]
    press(
        qtbot,
        Qt.Key.Key_Backtab,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.chat.peer == order[2]
    assert focused() is window.chat.composer
    _no_drafts(window)


def test_the_focused_row_is_drawn_differently(window: MainWindow, qtbot) -> None:
    _buddies(window)
    view = window.buddy_view
    view.setCurrentIndex(view.model().index(1, 0))
    rect = view.visualRect(view.model().index(1, 0))
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    with_focus = view.viewport().grab(rect).toImage()
    window.chat.composer.setFocus()
    qtbot.waitUntil(lambda: not view.hasFocus())
    without = view.viewport().grab(rect).toImage()
    assert with_focus != without


@pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support propagateSizeHints"
)
def test_ctrl_i_shows_the_buddys_devices_and_recent_changes(window: MainWindow, qtbot) -> None:
    from softphone.services.presence import BuddyState, BuddyStatus, Device

    _buddies(window)
    window.open_conversation(JOE)
    since = 1_700_000_000.0
    online = BuddyState(
        aor=JOE,
        status=BuddyStatus.ONLINE,
        devices=(
            Device("sip:joe@192.0.2.7:5062;transport=tcp", None, 3600, since),
            Device("sip:joe@198.51.100.2:5060", None, 45, None),
        ),
        last_seen=since,
        detail="online on 2 devices",
    )
    offline = BuddyState(JOE, BuddyStatus.OFFLINE, (), since + 60, "offline, last seen 22:14")
    # As the presence service reports them (RFC 3680 NOTIFYs).
    window.bridge.buddy_changed.emit(online)
    window.bridge.buddy_changed.emit(offline)
    window.bridge.buddy_changed.emit(online)
    press(qtbot, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    details = window.details
    assert details is not None
    qtbot.waitUntil(details.isVisible)
    assert details.address.text() == "joe@example.test"
    table = details.devices
    rows = [
        [table.item(row, column).text() for column in range(3)] for row in range(table.rowCount())
    ]
    assert rows[0][0] == "sip:joe@192.0.2.7:5062;transport=tcp"
    assert "2023" in rows[0][1]
    assert rows[0][2] == "in 60 min"
    assert rows[1][1:] == ["not said", "in 45 s"]
    history = [details.history.item(row).text() for row in range(details.history.count())]
    # Newest first; before them, what the window saw while subscribing.
    assert [line.split("  ", 1)[1] for line in history][:3] == [
        "online on 2 devices",
        "offline, last seen 22:14",
        "online on 2 devices",
    ]
    # Online is "now", not the time of the last NOTIFY; gone, the time he left.
    assert details.last_seen.text() == "now (online)"
    window.bridge.buddy_changed.emit(offline)
    qtbot.waitUntil(lambda: details.last_seen.text() != "now (online)")
    assert details.last_seen.text() == full_time(since + 60)
