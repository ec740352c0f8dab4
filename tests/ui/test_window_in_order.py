"""Messages to one person arrive in the order written, even when the first must be resent.

Alice is the window, driven with key events and mouse clicks; Bob is SIPp
(`uas_message_503_first.xml`): it answers the message "one" with 503
Service Unavailable, the same request sent again with 200 OK, and every
other MESSAGE (later messages, typing notifications) with 200 OK at once.
Alice sends to SIPp directly, without registering: a proxy in between may
turn a 503 into a 500 (RFC 3261 16.7), which is the recipient's answer and
never resent.

"two", written while "one" waits for its automatic resend, must not reach
Bob first: it stays queued (the clock, never sent, never failed) with a
line saying why, and goes right after "one" when "one" is resent, or
after the user's Retry, and across a restart of the app.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.resend_policy import HELD, ResendPolicy
from softphone.services.typing import MIN_GAP
from softphone.sip.cpim import parse_cpim
from softphone.sip.delivery import DeliveryState
from softphone.sip.timers import TimerConfig
from softphone.store import MessageRecord, Store
from tests.interop import harness
from tests.ui.conftest import wait_until
from tests.ui.test_window_memory import running, window
from tests.ui.test_window_sip import Harness

pytestmark = [pytest.mark.interop, harness.requires_sipp]

D = DeliveryState
BOB = "sip:bob@example.test"
SCENARIO = "uas_message_503_first.xml"
#: What the window shows under a message kept back (English).
HELD_LINE = "Waiting for the earlier message to go first"


def alice_app(uas: harness.SippProcess, db: Path, *, backoff: float, port: int = 0) -> Application:
    """Alice sending straight to SIPp, her first automatic resend *backoff* seconds away."""
    account = Account(
        aor="sip:alice@example.test", registrar=f"127.0.0.1:{uas.port}", local_port=port
    )
    return Application(
        account,
        None,
        Store.open(db),
        AppOptions(
            listen_host="127.0.0.1",
            register=False,
            timers=TimerConfig(t1=0.1),
            resend=ResendPolicy(backoff=(backoff,), window=3600.0),
        ),
    )


def order_of_states(ui: Harness) -> list[tuple[int, DeliveryState]]:
    """Every (message, state) the window was told, across messages, in order."""
    seen: list[tuple[int, DeliveryState]] = []
    ui.window.bridge.message_state.connect(
        lambda record: seen.append((int(record.id), record.state))
    )
    return seen


def settled(ui: Harness, record: MessageRecord) -> bool:
    """True once *record* is kept back behind the one before it, or was sent."""
    stored = ui.app.store.message(record.id)
    return stored.reason == HELD or stored.state is not D.QUEUED


def row_of(ui: Harness, record: MessageRecord) -> int:
    model = ui.window.chat.model
    assert model is not None
    row = model.row_of(record.id)
    assert row is not None
    return row


def _branch(via: str | None) -> str:
    found = re.search(r"branch=([^;,\s]+)", via or "")
    return found.group(1) if found else ""


def bob_saw(messages: list[harness.SipMessage]) -> list[str]:
    """What reached SIPp and what it answered, in its order.

    "MESSAGE one", "503 one", "200 one", ...; a typing notification is
    "MESSAGE typing". A retransmission (the same Via branch) is left out;
    a resend is a new transaction, so it shows again.
    """
    texts: dict[str, str] = {}  # branch -> what the request carried
    answered: set[tuple[str, int]] = set()
    seen: list[str] = []
    for message in messages:
        branch = _branch(message.header("Via"))
        if message.direction == "received" and message.is_request("MESSAGE"):
            if branch in texts:
                continue
            body = message.body.encode()
            if (message.header("Content-Type") or "").startswith("message/cpim"):
                cpim = parse_cpim(body)
                body = cpim.body if "iscomposing" not in cpim.content_type else b"<isComposing"
            texts[branch] = "typing" if b"<isComposing" in body else body.decode().strip()
            seen.append(f"MESSAGE {texts[branch]}")
        elif (
            message.direction == "sent"
            and message.status is not None
            and branch in texts
            and (branch, message.status) not in answered  # not again to a retransmission
        ):
            answered.add((branch, message.status))
            seen.append(f"{message.status} {texts[branch]}")
    return seen


def chat_only(seen: list[str]) -> list[str]:
    return [line for line in seen if not line.endswith(" typing")]


def test_a_message_written_while_the_one_before_waits_for_its_resend_arrives_after_it(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        uas = harness.start_sipp_uas(SCENARIO, tmp_path / "sipp", calls=None)
        try:
            ui = window(alice_app(uas, tmp_path / "alice.db", backoff=8.0), qtbot)
            states = order_of_states(ui)
            chat = ui.window.chat
            async with running(ui.app):
                ui.window.open_conversation(BOB)
                one = ui.type_and_enter("one")
                # Typed at once, while "one" is still on its way.
                two = ui.type_and_enter("two")
                await wait_until(lambda: ui.shown_state(one.id) is D.FAILED, "one's 503")
                assert ui.app.store.message(one.id).resend_at is not None
                await wait_until(lambda: settled(ui, two), "two kept back (or sent)")
                held = (
                    ui.shown_state(two.id),
                    chat.status_text(row_of(ui, two)),
                    ui.tooltip(two.id),
                    chat.retry_button(row_of(ui, two)),
                )
                # A typing notification is not a message: it never waits.
                # At most one "typing" per MIN_GAP: this one is the next,
                # counted from when the first went (not from the test's own
                # clock: on a loaded machine the first keystroke lands late).
                last = ui.app.typing._out[BOB].last_active
                loop_now = asyncio.get_running_loop().time()
                await asyncio.sleep(max(0.0, last + MIN_GAP + 0.2 - loop_now))
                assert ui.shown_state(one.id) is D.FAILED, "resent too early for this test"
                three = ui.type_and_enter("three")
                await wait_until(lambda: settled(ui, three), "three kept back (or sent)")
                await wait_until(
                    lambda: all(ui.shown_state(r.id) is D.DELIVERED for r in (one, two, three)),
                    "all delivered",
                    timeout=30,
                )
            ui.window.hide()
        finally:
            result = uas.stop()
        seen = bob_saw(result.messages)
        # Bob read them in the order written, each once.
        assert chat_only(seen) == [
            "MESSAGE one",
            "503 one",
            "MESSAGE one",
            "200 one",
            "MESSAGE two",
            "200 two",
            "MESSAGE three",
            "200 three",
        ], seen
        # Queued, with the reason, never sent nor failed while "one" waited.
        assert held == (
            D.QUEUED,
            HELD_LINE,
            "waiting to be sent: kept back until the earlier message is sent again,"
            " so they arrive in order",
            None,
        )
        for later in (two, three):
            assert ui.history[int(later.id)] == [D.QUEUED, D.QUEUED, D.SENDING, D.DELIVERED]
            # Its first attempt only after "one" was delivered.
            assert states.index((int(later.id), D.SENDING)) > states.index(
                (int(one.id), D.DELIVERED)
            ), states
        # The typing notification went while "one" waited for its resend.
        answered_503 = seen.index("503 one")
        resent = seen.index("MESSAGE one", answered_503)
        assert "MESSAGE typing" in seen[answered_503:resent], seen

    loop.run_until_complete(scenario())


def test_held_messages_wait_across_a_restart_and_follow_a_retry_in_order(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        uas = harness.start_sipp_uas(SCENARIO, tmp_path / "sipp", calls=None)
        db = tmp_path / "alice.db"
        # SIPp answers a call where its first request came from: the
        # restarted app listens where the first one did.
        port = harness.free_port()
        try:
            # The resend an hour away: only the user's Retry sends "one" here.
            first = window(alice_app(uas, db, backoff=3600.0, port=port), qtbot)
            async with running(first.app):
                first.window.open_conversation(BOB)
                one = first.type_and_enter("one")
                two = first.type_and_enter("two")
                await wait_until(lambda: first.shown_state(one.id) is D.FAILED, "one's 503")
                await wait_until(lambda: settled(first, two), "two kept back (or sent)")
            first.window.hide()
            await asyncio.sleep(0.2)  # its sockets close on a later loop turn

            ui = window(alice_app(uas, db, backoff=3600.0, port=port), qtbot)
            chat = ui.window.chat
            async with running(ui.app):
                ui.window.open_conversation(BOB)
                # Started, flushed its queue: "two" still waits behind "one".
                await asyncio.sleep(0.5)
                after_restart = (
                    ui.shown_state(one.id),
                    ui.shown_state(two.id),
                    chat.status_text(row_of(ui, two)),
                )
                button = chat.retry_button(row_of(ui, one))
                assert button is not None
                viewport = chat.view.viewport()
                qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=button.center())
                await wait_until(
                    lambda: all(ui.shown_state(r.id) is D.DELIVERED for r in (one, two)),
                    "both delivered",
                )
            ui.window.hide()
        finally:
            result = uas.stop()
        seen = bob_saw(result.messages)
        assert chat_only(seen) == [
            "MESSAGE one",
            "503 one",
            "MESSAGE one",
            "200 one",
            "MESSAGE two",
            "200 two",
        ], seen
        # After the restart "two" still waited (queued, saying why); the
        # Retry sent "one", then "two" went without being touched again.
        assert after_restart == (D.FAILED, D.QUEUED, HELD_LINE)
        assert ui.history[int(one.id)] == [D.QUEUED, D.SENDING, D.DELIVERED]
        assert ui.history[int(two.id)] == [D.SENDING, D.DELIVERED]

    loop.run_until_complete(scenario())


def test_deleting_the_message_that_waits_sends_the_ones_kept_behind_it(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        uas = harness.start_sipp_uas(SCENARIO, tmp_path / "sipp", calls=None)
        try:
            # The resend an hour away: nothing but the deletion moves "two".
            ui = window(alice_app(uas, tmp_path / "alice.db", backoff=3600.0), qtbot)
            async with running(ui.app):
                ui.window.open_conversation(BOB)
                one = ui.type_and_enter("one")
                two = ui.type_and_enter("two")
                await wait_until(lambda: ui.shown_state(one.id) is D.FAILED, "one's 503")
                await wait_until(lambda: settled(ui, two), "two kept back (or sent)")
                kept_back = ui.shown_state(two.id)
                # What the bubble's context menu action "Delete message" calls.
                ui.window.chat.delete_message(int(one.id))
                await wait_until(lambda: ui.shown_state(two.id) is D.DELIVERED, "two delivered")
            ui.window.hide()
        finally:
            result = uas.stop()
        assert kept_back is D.QUEUED
        assert ui.history[int(two.id)] == [D.QUEUED, D.QUEUED, D.SENDING, D.DELIVERED]
        assert chat_only(bob_saw(result.messages)) == [
            "MESSAGE one",
            "503 one",
            "MESSAGE two",
            "200 two",
        ]

    loop.run_until_complete(scenario())
