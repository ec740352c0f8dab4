"""Living in the window: drafts across restarts, dates, the conversation list, closing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QEvent, QLocale, Qt, QTimer
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QToolTip

from tests.ui.window_fixture import focused, make_window, press, receive, type_text
from ui.roles import Role
from ui.windows.main_window import MainWindow

BOB = "sip:bob@example.test"
JOE = "sip:joe@example.test"


def _row(window: MainWindow, aor: str):  # type: ignore[no-untyped-def]
    model = window.buddy_view.model()
    for row in range(model.rowCount()):
        ix = model.index(row, 0)
        if ix.data(Role.ID) == aor:
            return ix
    raise AssertionError(f"{aor} is not listed")


def test_drafts_survive_quitting_and_are_marked_in_the_list(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "alice.db"
    window = make_window(qtbot, db)
    window.add_buddy(BOB, "Bob")
    window.add_buddy(JOE, "Joe")
    window.open_conversation(BOB)
    type_text(qtbot, "for bob, not yet")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    type_text(qtbot, "second line")
    # Switching away keeps Bob's text and marks his row.
    qtbot.mouseClick(
        window.buddy_view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=window.buddy_view.visualRect(_row(window, JOE)).center(),
    )
    assert window.chat.peer == JOE
    assert _row(window, BOB).data(Role.DRAFT) == "for bob, not yet\nsecond line"
    assert _row(window, JOE).data(Role.DRAFT) == ""
    assert focused() is window.chat.composer
    type_text(qtbot, "joe's draft, open at quit")
    press(qtbot, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    window.close()
    window.app.store.close()

    again = make_window(qtbot, db)
    assert _row(again, BOB).data(Role.DRAFT) == "for bob, not yet\nsecond line"
    assert _row(again, JOE).data(Role.DRAFT) == "joe's draft, open at quit"
    again.open_conversation(BOB)
    assert again.chat.composer.toPlainText() == "for bob, not yet\nsecond line"
    # Sending empties the draft and its mark.
    press(qtbot, Qt.Key.Key_Return)
    assert again.chat.composer.toPlainText() == ""
    qtbot.waitUntil(lambda: _row(again, BOB).data(Role.DRAFT) == "")
    assert again.app.store.draft(BOB) == ""


def _click_row(qtbot, window: MainWindow, aor: str) -> None:
    view = window.buddy_view
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(_row(window, aor)).center()
    )


def _tooltip_at(qtbot, view, row: int) -> str:  # type: ignore[no-untyped-def]
    """Hover over the bubble at *row* and read the tooltip Qt shows."""
    rect = view.visualRect(view.model().index(row, 0))
    pos = rect.center()
    qtbot.mouseMove(view.viewport(), pos)
    QApplication.sendEvent(
        view.viewport(), QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    )
    qtbot.waitUntil(QToolTip.isVisible)
    text = QToolTip.text()
    QToolTip.hideText()
    return text


# The offscreen platform cannot raise the tooltip window; it still shows it.
@pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support propagateSizeHints"
)
def test_dates_new_messages_and_groups(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "alice.db")
    window.add_buddy(BOB, "Bob")
    window.add_buddy(JOE, "Joe")
    now = time.time()
    today = time.mktime((*time.localtime(now)[:3], 12, 0, 0, 0, 0, -1))
    day = 24 * 3600
    old = today - 5 * day
    store = window.store
    store.insert_outgoing(BOB, "long ago", now=old)
    receive(window, BOB, "answer", when=old + 60)
    receive(window, BOB, "and more", when=old + 90)  # same side, 30 s later: grouped
    receive(window, BOB, "yesterday's", when=today - day)
    store.mark_read(BOB)
    receive(window, BOB, "unread one", when=today)
    receive(window, BOB, "unread two", when=today + 1)
    _click_row(qtbot, window, BOB)
    chat = window.chat
    assert chat.peer == BOB
    shown = [chat.shown_marks(row) for row in range(6)]
    expected_old = QLocale().toString(QDate(*time.localtime(old)[:3]), "dddd d MMMM")
    if time.localtime(old).tm_year != time.localtime(now).tm_year:
        expected_old += f" {time.localtime(old).tm_year}"
    assert shown == [
        (expected_old, False),
        (None, False),
        (None, False),
        ("Yesterday", False),
        ("Today", True),
        (None, False),
    ]
    # Grouped bubbles sit closer than bubbles of different sides.
    gap_grouped = chat.bubble_rect(2).top() - chat.bubble_rect(1).bottom()
    gap_other = chat.bubble_rect(1).top() - chat.bubble_rect(0).bottom()
    assert gap_grouped < gap_other
    # Tooltips give the full date; a received message is not "delivered".
    received = _tooltip_at(qtbot, chat.view, 1)
    assert received.startswith("Received ")
    assert str(time.localtime(old).tm_year) in received
    assert "delivered" not in received
    sent = _tooltip_at(qtbot, chat.view, 0)
    assert sent.splitlines()[0] == "waiting to be sent"
    assert sent.splitlines()[1].startswith("Sent ")
    # Read now: coming back shows no "New messages" line.
    _click_row(qtbot, window, JOE)
    _click_row(qtbot, window, BOB)
    assert [chat.shown_marks(row)[1] for row in range(6)] == [False] * 6


def _order(window: MainWindow) -> list[str]:
    model = window.buddy_view.model()
    return [str(model.index(row, 0).data(Role.ID)) for row in range(model.rowCount())]


CAROL = "sip:carol@example.test"


def test_the_list_is_conversations_most_recent_first_and_holds_still_under_the_pointer(
    qtbot, tmp_path: Path
) -> None:
    window = make_window(qtbot, tmp_path / "alice.db")
    for aor, name in ((BOB, "Bob"), (JOE, "Joe"), (CAROL, "Carol")):
        window.add_buddy(aor, name)
    now = time.time()
    receive(window, JOE, "old news", when=now - 3600)
    window.open_conversation(BOB)
    type_text(qtbot, "newest")
    press(qtbot, Qt.Key.Key_Return)
    # Bob (just now), Joe (an hour ago), then Carol with no conversation.
    assert _order(window) == [BOB, JOE, CAROL]
    assert _row(window, BOB).data(Role.LAST_MESSAGE) == "You: newest"
    assert _row(window, JOE).data(Role.LAST_MESSAGE) == "old news"
    assert _row(window, JOE).data(Role.UNREAD) == 1
    assert _row(window, CAROL).data(Role.LAST_MESSAGE) == ""
    # With the pointer over the list, a new message from Joe moves nothing...
    view = window.buddy_view
    qtbot.mouseMove(view.viewport(), view.visualRect(_row(window, BOB)).center())
    receive(window, JOE, "breaking news")
    assert _order(window) == [BOB, JOE, CAROL]
    assert _row(window, JOE).data(Role.LAST_MESSAGE) == "breaking news"
    assert _row(window, JOE).data(Role.UNREAD) == 2
    # ...until it leaves; then Joe goes to the top.
    qtbot.mouseMove(window.chat.view.viewport(), window.chat.view.viewport().rect().center())
    qtbot.waitUntil(lambda: _order(window) == [JOE, BOB, CAROL])


def _stub_gdbus(tmp_path: Path, code: int) -> tuple[str, Path]:
    """A `gdbus` that writes its arguments to a file and exits with *code*."""
    log = tmp_path / f"gdbus-{code}.log"
    script = tmp_path / f"gdbus-{code}"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {log}\nexit {code}\n')
    script.chmod(0o755)
    return str(script), log


@pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support propagateSizeHints"
)
def test_closing_hides_to_the_tray_says_so_once_and_notifications_go_on(
    qtbot, tmp_path: Path
) -> None:
    window = make_window(qtbot, tmp_path / "alice.db")
    assert window.tray is not None
    # The offscreen platform has no tray; this stands for a desktop that has one.
    window.tray.available = True
    program, log = _stub_gdbus(tmp_path, 0)
    window.tray.notifier.program = program
    window.add_buddy(BOB, "Bob")
    with qtbot.assertNotEmitted(window.quit_requested):
        window.close()
    assert not window.isVisible()
    assert window.tray.last_balloon is not None
    assert "still running" in window.tray.last_balloon[0]
    # Said once: the next close hides without a word.
    window.tray.last_balloon = None
    window.show_from_tray()
    with qtbot.assertNotEmitted(window.quit_requested):
        window.close()
    assert window.tray.last_balloon is None
    # Hidden, still online: a message becomes a desktop notification.
    receive(window, BOB, "are you there?")
    qtbot.waitUntil(log.exists)
    qtbot.waitUntil(lambda: "are you there?" in log.read_text())
    args = log.read_text().splitlines()
    assert "org.freedesktop.Notifications.Notify" in args
    assert args[args.index("org.freedesktop.Notifications.Notify") + 4] == "Bob"
    # A notification server that fails: the tray's balloon says it instead.
    failing, _ = _stub_gdbus(tmp_path, 1)
    window.tray.notifier.program = failing
    receive(window, BOB, "hello?")
    qtbot.waitUntil(lambda: window.tray.last_balloon == ("Bob", "hello?"))
    # The tray's Quit quits.
    with qtbot.waitSignal(window.quit_requested):
        window.tray.quit_action.trigger()


def test_the_quit_on_close_setting_is_kept(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot, tmp_path / "alice.db")
    assert window.tray is not None
    window.tray.available = True
    window.quit_on_close_action.trigger()
    with qtbot.waitSignal(window.quit_requested):
        window.close()
    window.app.store.close()
    again = make_window(qtbot, tmp_path / "alice.db")
    assert again.quit_on_close_action.isChecked()


def test_the_demo_never_writes_the_real_account(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    from softphone.config import default_config_path

    real = Path(default_config_path())
    assert str(real).startswith(str(home))
    window = make_window(qtbot, tmp_path / "demo" / "history.db")
    window.demo = True
    stored: list[object] = []
    monkeypatch.setattr("keyring.set_password", lambda *args: stored.append(args))
    # The menu's Account... (as a click would trigger it).
    window.account_action.trigger()
    notice = window.findChild(QMessageBox, "demoAccountNotice")
    assert notice is not None
    qtbot.waitUntil(notice.isVisible)
    assert "demo" in notice.text()
    qtbot.keyClick(notice, Qt.Key.Key_Return)
    assert not real.exists()
    assert stored == []
    assert not (home / ".config").exists()


def _answer_next_question(qtbot, button: QMessageBox.StandardButton) -> list[str]:
    """Click *button* on the next question box as soon as it shows; returns its text."""
    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.button(button) is None:
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, click)
    return seen


# Menus and question boxes on the offscreen platform: cannot raise or grab.
@pytest.mark.qt_log_ignore(
    "This plugin does not support raise",
    "This plugin does not support grabbing",
    "This plugin does not support propagateSizeHints",
)
def test_deleting_a_message_and_a_strangers_conversation_stays_deleted(
    qtbot, tmp_path: Path
) -> None:
    db = tmp_path / "alice.db"
    window = make_window(qtbot, db)
    stranger = "sip:stranger@example.test"
    window.add_buddy(BOB, "Bob")
    receive(window, stranger, "buy now")
    receive(window, BOB, "keep this")
    receive(window, BOB, "delete this")
    window.open_conversation(BOB)
    chat = window.chat
    # The last bubble's context menu: Delete message.
    view = chat.view
    pos = chat.bubble_rect(1).center().toPoint()
    QTimer.singleShot(0, lambda: _choose_menu_item(qtbot, "Delete message"))
    view.customContextMenuRequested.emit(pos)
    qtbot.waitUntil(lambda: chat.model is not None and chat.model.rowCount() == 1)
    # The stranger's row offers deleting the conversation, in those words.
    seen = _answer_next_question(qtbot, QMessageBox.StandardButton.Yes)
    rect = window.buddy_view.visualRect(_row(window, stranger))
    QTimer.singleShot(0, lambda: _choose_menu_item(qtbot, "Delete conversation…"))
    window.buddy_view.customContextMenuRequested.emit(rect.center())
    qtbot.waitUntil(lambda: stranger not in _order(window))
    assert "Delete the conversation with stranger@example.test" in seen[0]
    assert "buddies" not in seen[0]
    window.close()
    window.app.store.close()
    again = make_window(qtbot, db)
    assert stranger not in _order(again)
    again.open_conversation(BOB)
    assert again.chat.model is not None
    assert [again.chat.model.record(r).body for r in range(again.chat.model.rowCount())] == [
        "keep this"
    ]


def _choose_menu_item(qtbot, text: str) -> None:
    """Click the item *text* of the context menu that is open now."""
    menu = QApplication.activePopupWidget()
    if not isinstance(menu, QMenu):
        QTimer.singleShot(20, lambda: _choose_menu_item(qtbot, text))
        return
    for action in menu.actions():
        if action.text() == text:
            qtbot.mouseClick(
                menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center()
            )
            return
    raise AssertionError(f"no {text!r} in {[a.text() for a in menu.actions()]}")
