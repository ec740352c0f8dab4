"""The conversation pane: Enter sends, Shift+Enter breaks lines, drafts survive, byte counter."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from softphone.store import Store
from ui.windows.chat_view import ChatView

BOB = "sip:bob@example.test"
CAROL = "sip:carol@example.test"


@pytest.fixture
def view(qtbot) -> ChatView:
    store = Store.open(":memory:")
    chat = ChatView(store)
    qtbot.addWidget(chat)
    chat.set_peer(BOB, "Bob")
    return chat


def test_enter_sends_and_shift_enter_makes_a_new_line(view: ChatView, qtbot) -> None:
    qtbot.keyClicks(view.composer, "first")
    qtbot.keyClick(view.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(view.composer, "second")
    assert view.composer.toPlainText() == "first\nsecond"
    with qtbot.waitSignal(view.send_requested) as blocker:
        qtbot.keyClick(view.composer, Qt.Key.Key_Return)
    assert blocker.args == [BOB, "first\nsecond"]
    # The text stays until the window confirms it was stored.
    assert view.composer.toPlainText() == "first\nsecond"


def test_blank_text_is_not_sent(view: ChatView, qtbot) -> None:
    qtbot.keyClicks(view.composer, "   ")
    with qtbot.assertNotEmitted(view.send_requested):
        qtbot.keyClick(view.composer, Qt.Key.Key_Return)


def test_draft_survives_switching_conversations(view: ChatView) -> None:
    view.composer.setPlainText("half a thought for bob")
    view.set_peer(CAROL, "Carol")
    assert view.composer.toPlainText() == ""
    view.composer.setPlainText("for carol")
    assert view.draft(BOB) == "half a thought for bob"
    view.set_peer(BOB, "Bob")
    assert view.composer.toPlainText() == "half a thought for bob"
    assert view.draft(CAROL) == "for carol"


def test_byte_counter_appears_near_the_limit(view: ChatView) -> None:
    view.composer.setPlainText("a" * 100)
    assert view.counter.text() == ""
    # Korean syllables are 3 bytes each in UTF-8: the counter counts bytes.
    view.composer.setPlainText("밥" * 400)
    assert view.counter.text() == "1200 / 1300 bytes"
    view.composer.setPlainText("밥" * 450)
    assert view.counter.text() == "1350 / 1300 bytes"
    assert "TCP" in view.counter.toolTip()


def test_no_conversation_disables_the_composer(view: ChatView) -> None:
    view.set_peer(None)
    assert not view.composer.isEnabled()
    assert not view.send_button.isEnabled()


def test_controls_have_accessible_names(view: ChatView) -> None:
    for widget in (view.composer, view.send_button, view.view, view.find_edit, view.counter):
        assert widget.accessibleName()
