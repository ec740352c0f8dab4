"""Living in the window: drafts across restarts, dates, the conversation list, closing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from tests.ui.window_fixture import focused, make_window, press, type_text
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
