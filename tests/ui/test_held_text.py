"""A message kept back behind an earlier one says why, in the window's language."""

from __future__ import annotations

from pathlib import Path

from softphone.resend_policy import HELD
from softphone.sip.delivery import DeliveryState
from softphone.store import Store

D = DeliveryState
BOB = "sip:bob@example.test"


def test_a_held_message_says_why_in_english_and_korean(qapp, tmp_path: Path) -> None:
    from ui.core_text import from_english
    from ui.i18n import install_translator
    from ui.models.conversation import status_line, status_tooltip

    store = Store.open(tmp_path / "alice.db")
    written = store.insert_outgoing(BOB, "둘", now=1000.0)
    held = store.update_state(written.id, D.QUEUED, reason=HELD, now=1001.0)
    # The timeline keeps the step in English (`MessageRecord.detail`).
    step = held.detail
    store.close()

    def texts() -> list[str]:
        return [
            status_line(held),
            status_line(held, connected=False),
            status_tooltip(held),
            from_english(step),
        ]

    install_translator(qapp, "ko")
    try:
        korean = texts()
    finally:
        install_translator(qapp, "en")
    english = texts()
    assert step == f"waiting to be sent: {HELD}"
    assert english == [
        "Waiting for the earlier message to go first",
        # Offline, it waits for the connection first of all.
        "Waiting for the connection",
        f"waiting to be sent: {HELD}",
        f"waiting to be sent: {HELD}",
    ]
    reason = "앞의 메시지가 다시 보내질 때까지 기다림 (쓴 순서대로 도착하도록)"
    assert korean == [
        "앞의 메시지가 먼저 가기를 기다리는 중",
        "연결을 기다리는 중",
        f"보내기를 기다리는 중: {reason}",
        f"보내기를 기다리는 중: {reason}",
    ]
