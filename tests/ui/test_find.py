"""Find in conversation (Ctrl+F) over a 10,000-message history, with real keys.

The window shows the newest page (50 messages); the matches are far older,
up to 200 pages back. Ctrl+F opens the find bar, typed text and Enter jump
to the next older match (loaded from the store however far back),
Shift+Enter to the next newer one, both wrapping around; "Not found" only
when the conversation holds no match at all.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.store import MessageId, Store
from ui.bridge import CoreBridge
from ui.windows.main_window import MainWindow

BOB = "sip:bob@example.test"
TOTAL = 10_000
#: Index in the history (0 = oldest) -> body; every other message is filler.
MATCHES = {
    3: "안녕하세요, Needle in the oldest pages",
    5_000: "a NEEDLE halfway (100 pages back)",
    9_990: "needle near the end",
}


@pytest.fixture
def history() -> tuple[Store, list[MessageId]]:
    store = Store.open(":memory:")
    ids = []
    for n in range(TOTAL):
        body = MATCHES.get(n, f"filler {n}")
        if n % 2:
            record = store.insert_outgoing(BOB, body, now=float(n))
        else:
            record, _ = store.insert_incoming(
                BOB,
                body,
                content_type="text/plain",
                call_id=f"c{n}",
                cseq=1,
                from_tag="t",
                now=float(n),
            )
        ids.append(record.id)
    return store, ids


@pytest.fixture
def window(qtbot, history: tuple[Store, list[MessageId]]) -> MainWindow:
    store, _ = history
    app = Application(
        Account(aor="sip:alice@example.test"), None, store, AppOptions("127.0.0.1", register=False)
    )
    win = MainWindow(app, CoreBridge(app))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.open_conversation(BOB)
    return win


def selected(window: MainWindow) -> MessageId | None:
    model = window.chat.model
    assert model is not None
    ix = window.chat.view.currentIndex()
    return model.message_id(ix.row()) if ix.isValid() else None


def test_ctrl_f_finds_matches_far_back_with_enter_and_shift_enter(
    window: MainWindow, history: tuple[Store, list[MessageId]], qtbot
) -> None:
    _, ids = history
    chat = window.chat
    assert chat.model is not None and chat.model.rowCount() <= 100  # only the newest pages
    window.activateWindow()
    qtbot.keyClick(chat.composer, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert chat.find_bar.isVisible()
    assert chat.find_edit.hasFocus()
    qtbot.keyClicks(chat.find_edit, "nEEdle")

    seen = []
    for _ in range(4):
        qtbot.keyClick(chat.find_edit, Qt.Key.Key_Return)
        seen.append(selected(window))
        assert chat.find_status.text() == ""
    # Newest first, then older, then around to the newest again.
    assert seen == [ids[9_990], ids[5_000], ids[3], ids[9_990]]

    qtbot.keyClick(chat.find_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert selected(window) == ids[3]  # wrapped from the newest to the oldest
    qtbot.keyClick(chat.find_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert selected(window) == ids[5_000]
    model = chat.model
    assert model is not None
    row = model.row_of(ids[5_000])
    assert row is not None
    assert model.record(row).body == MATCHES[5_000]
    # The selected match is on screen.
    assert chat.view.viewport().rect().intersects(chat.view.visualRect(model.index(row, 0)))


def test_korean_text_is_found_and_absent_text_is_not(
    window: MainWindow, history: tuple[Store, list[MessageId]], qtbot
) -> None:
    _, ids = history
    chat = window.chat
    qtbot.keyClick(chat.composer, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    # QTest cannot synthesize Hangul keys; an input method commits the text
    # as a string, as insert() does.
    chat.find_edit.insert("안녕하세요")
    qtbot.keyClick(chat.find_edit, Qt.Key.Key_Return)
    assert selected(window) == ids[3]
    assert chat.find_status.text() == ""

    chat.find_edit.clear()
    qtbot.keyClicks(chat.find_edit, "haystack")
    qtbot.keyClick(chat.find_edit, Qt.Key.Key_Return)
    assert chat.find_status.text() == "Not found"
    assert selected(window) == ids[3]  # the selection stays
    qtbot.keyClick(chat.find_edit, Qt.Key.Key_Escape)
    assert not chat.find_bar.isVisible()


def test_store_search_folds_case_beyond_ascii() -> None:
    store = Store.open(":memory:")
    first = store.insert_outgoing(BOB, "ÉCOLE Straße", now=1.0)
    store.insert_outgoing(BOB, "nothing", now=2.0)
    assert store.find_message(BOB, "école") == first.id
    assert store.find_message(BOB, "STRASSE") == first.id  # casefold: ß -> ss
    assert store.find_message(BOB, "100%") is None
    assert store.find_message(BOB, "école", after_id=first.id) is None


def test_after_a_jump_newer_pages_come_back_and_new_messages_are_kept(
    window: MainWindow, history: tuple[Store, list[MessageId]], qtbot
) -> None:
    store, ids = history
    chat = window.chat
    qtbot.keyClick(chat.composer, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(chat.find_edit, "halfway")
    qtbot.keyClick(chat.find_edit, Qt.Key.Key_Return)
    assert selected(window) == ids[5_000]
    model = chat.model
    assert model is not None and model.has_newer
    # Only the pages around the match are loaded, not the 5,000 rows after it.
    assert model.rowCount() <= 2 * model.page_size
    loaded = model.rowCount()
    chat.view.setFocus()
    qtbot.keyClick(chat.view, Qt.Key.Key_End)  # to the last row: the next page comes in
    assert model.rowCount() > loaded
    assert model.has_newer

    fresh, _ = store.insert_incoming(
        BOB, "fresh", content_type="text/plain", call_id="new", cseq=1, from_tag="t", now=1e6
    )
    chat.show_added(fresh)  # not appended below an older part of the history...
    assert model.row_of(fresh.id) is None
    chat.view.scroll_to_newest()  # ...and there at the end of the conversation
    assert not model.has_newer
    assert model.record(model.rowCount() - 1).body == "fresh"
