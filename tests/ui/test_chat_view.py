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


def test_the_size_says_nothing_until_it_matters_then_what_happens(view: ChatView) -> None:
    view.composer.setPlainText("a" * 100)
    assert view.counter.text() == ""
    # Korean syllables are 3 bytes each in UTF-8: the counter counts bytes.
    view.composer.setPlainText("밥" * 430)
    assert view.counter.text() == ""
    view.composer.setPlainText("밥" * 450)
    assert view.counter.text() == "Long: sent over TCP"
    assert "1350 bytes" in view.counter.toolTip()
    view.tcp_available = lambda: False
    view.composer.setPlainText("밥" * 451)
    assert view.counter.text() == "Too long for this account"
    assert "at most 1300" in view.counter.toolTip()


def test_no_conversation_disables_the_composer(view: ChatView) -> None:
    view.set_peer(None)
    assert not view.composer.isEnabled()
    assert not view.send_button.isEnabled()


def test_controls_have_accessible_names(view: ChatView) -> None:
    for widget in (view.composer, view.send_button, view.view, view.find_edit, view.counter):
        assert widget.accessibleName()


# -- the message list -------------------------------------------------------------------------


def _history(store: Store, count: int) -> None:
    for i in range(count):
        # Lengths vary, so rows have different heights.
        store.insert_outgoing(BOB, f"message {i} " + "word " * (i % 7 * 9), now=1000.0 + i)


@pytest.fixture
def shown(qtbot) -> ChatView:
    store = Store.open(":memory:")
    _history(store, 120)
    chat = ChatView(store)
    qtbot.addWidget(chat)
    chat.resize(480, 640)
    chat.set_peer(BOB, "Bob")
    chat.show()
    qtbot.waitExposed(chat)
    qtbot.waitUntil(lambda: _newest_visible(chat))
    return chat


def _at_bottom(chat: ChatView) -> bool:
    bar = chat.view.verticalScrollBar()
    return bar.maximum() > 0 and bar.value() == bar.maximum()


def _newest_visible(chat: ChatView) -> bool:
    model = chat.model
    assert model is not None
    last = model.index(model.rowCount() - 1, 0)
    rect = chat.view.visualRect(last)
    return _at_bottom(chat) and chat.view.viewport().rect().contains(rect)


def _append(chat: ChatView, text: str) -> int:
    record = chat.store.insert_outgoing(BOB, text, now=5000.0)
    chat.show_added(record)
    return int(record.id)


def test_append_at_the_bottom_shows_the_newest_message(shown: ChatView, qtbot) -> None:
    model = shown.model
    assert model is not None
    message_id = _append(shown, "just sent " * 30)
    assert model.message_id(model.rowCount() - 1) == message_id
    qtbot.waitUntil(lambda: _newest_visible(shown))


def test_append_while_scrolled_up_keeps_the_position(shown: ChatView, qtbot) -> None:
    bar = shown.view.verticalScrollBar()
    bar.setValue(bar.maximum() - 2 * bar.pageStep())
    value = bar.value()
    maximum = bar.maximum()
    _append(shown, "arrived while reading older messages")
    qtbot.waitUntil(lambda: bar.maximum() > maximum)
    qtbot.wait(20)
    assert bar.value() == value
    assert not _newest_visible(shown)


def test_a_burst_of_appends_is_laid_out_and_followed_once(shown: ChatView, qtbot) -> None:
    view = shown.view
    follows: list[int] = []
    real = view.scroll_to_newest

    def counting() -> None:
        follows.append(1)
        real()

    view.scroll_to_newest = counting  # type: ignore[method-assign]
    for i in range(5):
        _append(shown, f"burst {i}")
    qtbot.waitUntil(lambda: _newest_visible(shown))
    qtbot.wait(20)
    assert follows == [1]


def test_following_new_messages_keeps_loaded_rows_bounded(shown: ChatView, qtbot) -> None:
    from ui.windows.chat_view import FOLLOW_ROWS

    model = shown.model
    assert model is not None
    limit = FOLLOW_ROWS + model.page_size
    for i in range(limit + 10):
        _append(shown, f"live {i}")
        qtbot.waitUntil(lambda: _newest_visible(shown))
        assert model.rowCount() <= limit
    assert model.rowCount() < limit
    assert model.has_more
    assert model.record(model.rowCount() - 1).body == f"live {limit + 9}"
    # The unloaded rows come back when the user scrolls up to them.
    before = model.rowCount()
    shown.view.verticalScrollBar().setValue(0)
    qtbot.waitUntil(lambda: model.rowCount() > before)


def test_scrolling_to_the_top_loads_older_and_keeps_the_position(shown: ChatView, qtbot) -> None:
    model = shown.model
    assert model is not None
    assert model.rowCount() == 50
    first_id = model.message_id(0)
    shown.view.verticalScrollBar().setValue(0)
    qtbot.waitUntil(lambda: model.rowCount() == 100)
    row = model.row_of(first_id)
    assert row == 50
    # The row that was at the top is still at the top of the viewport.
    assert shown.view.visualRect(model.index(row, 0)).top() == 0


def test_a_bigger_font_makes_bigger_bubbles(shown: ChatView, qtbot) -> None:
    model = shown.model
    assert model is not None
    last = model.index(model.rowCount() - 1, 0)
    before = shown.view.visualRect(last).height()
    font = shown.view.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    shown.view.setFont(font)
    qtbot.waitUntil(lambda: shown.view.visualRect(last).height() > before)
