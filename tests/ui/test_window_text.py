"""What a bubble shows: the line breaks typed, long words wrapped inside the bubble."""

from __future__ import annotations

from PySide6.QtCore import Qt

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
