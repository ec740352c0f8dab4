"""The tray icon: unread badge, notifications, Show and Quit, and no tray at all."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from ui.icons import app_icon
from ui.windows.tray import NOTIFICATION_MAX_CHARS, Notification, Tray, badge_icon


def image(icon: QIcon) -> QImage:
    return icon.pixmap(64, 64).toImage().convertToFormat(QImage.Format.Format_ARGB32)


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def tray(window: QWidget) -> Tray:
    return Tray(window)


def test_offscreen_has_no_tray_and_nothing_breaks(tray: Tray) -> None:
    # The tests run on the offscreen platform, which has no system tray.
    assert QSystemTrayIcon.isSystemTrayAvailable() is False
    assert tray.available is False
    assert not tray.tray_icon.isVisible()
    tray.set_unread(2)
    tray.notify_message("sip:bob@example.com", "Bob", "hi")
    tray.hide()
    assert tray.unread == 2
    assert tray.last_notification == Notification("sip:bob@example.com", "Bob", "hi")


def test_unread_count_in_tooltip_and_badge(tray: Tray) -> None:
    plain = image(app_icon())
    assert tray.tooltip == "Softphone"
    assert image(tray.icon) == plain
    tray.set_unread(1)
    assert tray.tooltip == "Softphone: 1 unread message"
    tray.set_unread(3)
    assert tray.tooltip == "Softphone: 3 unread messages"
    badged = image(tray.icon)
    assert badged != plain
    # The badge sits in the top right corner and is red.
    corner = badged.pixelColor(56, 6)
    assert corner.red() > 150 and corner.green() < 100
    tray.set_unread(0)
    assert tray.tooltip == "Softphone"
    assert image(tray.icon) == plain
    with pytest.raises(ValueError):
        tray.set_unread(-1)


def test_badges_differ_by_count_and_cap_at_99_plus() -> None:
    assert image(badge_icon(3)) != image(badge_icon(7))
    assert image(badge_icon(100)) == image(badge_icon(5000))
    assert image(badge_icon(99)) != image(badge_icon(100))


def test_notification_text_is_one_short_line(tray: Tray) -> None:
    tray.notify_message("sip:carol@example.com", "", "line one\nline two   " + "x" * 500)
    note = tray.last_notification
    assert note is not None
    assert note.title == "sip:carol@example.com"  # no display name: the address
    assert note.body.startswith("line one line two x")
    assert len(note.body) == NOTIFICATION_MAX_CHARS
    assert note.body.endswith("…")


def test_clicking_the_notification_opens_that_conversation(
    qtbot: QtBot, tray: Tray, window: QWidget
) -> None:
    tray.notify_message("sip:bob@example.com", "Bob", "first")
    tray.notify_message("sip:dave@example.com", "Dave", "second")
    with qtbot.waitSignal(tray.activated_peer) as clicked:
        tray.tray_icon.messageClicked.emit()
    assert clicked.args == ["sip:dave@example.com"]
    assert window.isVisible()


def test_clicking_before_any_notification_only_shows_the_window(
    qtbot: QtBot, tray: Tray, window: QWidget
) -> None:
    with qtbot.assertNotEmitted(tray.activated_peer):
        tray.tray_icon.messageClicked.emit()
    assert window.isVisible()


def test_menu_show_and_quit(qtbot: QtBot, tray: Tray, window: QWidget) -> None:
    labels = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert labels == ["&Show Softphone", "&Quit"]
    assert tray.tray_icon.contextMenu() is tray.menu
    with qtbot.waitSignal(tray.show_requested):
        tray.show_action.trigger()
    assert window.isVisible()
    with qtbot.waitSignal(tray.quit_requested):
        tray.quit_action.trigger()


def test_clicking_the_icon_shows_the_window(qtbot: QtBot, tray: Tray, window: QWidget) -> None:
    with qtbot.waitSignal(tray.show_requested):
        tray.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert window.isVisible()
    window.hide()
    with qtbot.assertNotEmitted(tray.show_requested):
        tray.tray_icon.activated.emit(QSystemTrayIcon.ActivationReason.Context)
    assert not window.isVisible()


def test_a_tray_without_a_window(qtbot: QtBot) -> None:
    tray = Tray()
    with qtbot.waitSignal(tray.activated_peer):
        tray.notify_message("sip:bob@example.com", "Bob", "hi")
        tray.tray_icon.messageClicked.emit()
