"""What a bubble shows: the line breaks typed, long words wrapped inside the bubble."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from tests.ui.window_fixture import receive, window_fixture  # noqa: F401 (fixture)
from ui.windows.main_window import MainWindow

BOB = "sip:bob@example.test"


def test_sent_and_received_line_breaks_stay_on_screen(window: MainWindow, qtbot) -> None:
    window.add_buddy(BOB, "Bob")
    window.open_conversation(BOB)
    composer = window.chat.composer
    qtbot.keyClicks(composer, "Line one")
    qtbot.keyClick(composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(composer, "Line two")
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert composer.toPlainText() == ""
    receive(window, BOB, "First\nSecond\n\nFourth")
    chat = window.chat
    assert chat.shown_lines(0) == ["Line one", "Line two"]
    assert chat.shown_lines(1) == ["First", "Second", "", "Fourth"]
    # The stored text (and Copy) keep the plain newline.
    assert chat.model is not None
    assert chat.model.record(0).body == "Line one\nLine two"


def test_a_long_word_wraps_inside_the_bubble(window: MainWindow, qtbot) -> None:
    window.add_buddy(BOB, "Bob")
    window.open_conversation(BOB)
    word = "https://example.test/" + "x" * 400
    qtbot.keyClicks(window.chat.composer, word)
    qtbot.keyClick(window.chat.composer, Qt.Key.Key_Return)
    lines = window.chat.shown_lines(0)
    assert len(lines) > 1
    assert "".join(lines) == word
    rect = window.chat.bubble_rect(0)
    assert rect.right() <= window.chat.view.viewport().width()


def _dark() -> QPalette:
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.Base, "#1b1b1d"),
        (QPalette.ColorRole.AlternateBase, "#2a2a2d"),
        (QPalette.ColorRole.Text, "#e8e8e8"),
        (QPalette.ColorRole.WindowText, "#e8e8e8"),
        (QPalette.ColorRole.Button, "#2d2d30"),
        (QPalette.ColorRole.ButtonText, "#e8e8e8"),
        (QPalette.ColorRole.Highlight, "#3d7bd9"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
    ):
        palette.setColor(role, QColor(color))
    return palette


def _bubble_fill(window: MainWindow, row: int) -> QColor:
    chat = window.chat
    rect = chat.bubble_rect(row).toRect()
    image = chat.view.viewport().grab().toImage()
    # Just inside the bubble's rounded corner, left of the text.
    return image.pixelColor(rect.left() + 4, rect.center().y())


def test_bubbles_follow_a_dark_and_a_light_palette(window: MainWindow, qtbot) -> None:
    window.add_buddy(BOB, "Bob")
    window.open_conversation(BOB)
    qtbot.keyClicks(window.chat.composer, "in the dark")
    qtbot.keyClick(window.chat.composer, Qt.Key.Key_Return)
    receive(window, BOB, "me too")
    window.setPalette(_dark())
    sent, received = _bubble_fill(window, 0), _bubble_fill(window, 1)
    assert sent.lightness() < 110 and received.lightness() < 110
    # Sent bubbles lean to the highlight colour (blue), received ones do not.
    assert sent.blue() > sent.red() + 10
    window.setPalette(QApplication.style().standardPalette())
    assert _bubble_fill(window, 0).lightness() > 180
    assert _bubble_fill(window, 1).lightness() > 180
