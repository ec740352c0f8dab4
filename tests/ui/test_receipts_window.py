"""Receipts, typing and message details in the real window, through a real Kamailio.

Two windows (alice and bob), each on its own Application; the user types
with real key events. "displayed" goes only when bob's window is active
with the conversation open and the message in view.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from softphone.sip.delivery import DeliveryState
from tests.interop.harness import KamailioProcess
from tests.ui.conftest import registered, wait_until
from tests.ui.test_window_sip import window_for
from ui.models.buddies import status_line
from ui.roles import Role
from ui.windows.message_details import MessageDetails

pytestmark = pytest.mark.interop

D = DeliveryState
ALICE = "sip:alice@example.test"
BOB = "sip:bob@example.test"


def test_typing_read_receipt_and_details(
    loop: qasync.QEventLoop, kamailio_server: KamailioProcess, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        async with (
            window_for(kamailio_server, "alice", tmp_path / "alice.db", qtbot) as alice,
            window_for(kamailio_server, "bob", tmp_path / "bob.db", qtbot) as bob,
        ):
            await registered(alice.app)
            await registered(bob.app)
            alice.window.add_buddy("bob@example.test", "Bob")
            bob.window.add_buddy("alice@example.test", "Alice")
            alice.window.open_conversation(BOB)
            bob.window.open_conversation(ALICE)
            # Bob is elsewhere: his window is not active.
            other = QWidget()
            qtbot.addWidget(other)
            other.show()
            other.activateWindow()
            await wait_until(lambda: not bob.window.isActiveWindow(), "bob's window inactive")

            # Alice starts typing: Bob sees it under the header and in his list.
            composer = alice.window.chat.composer
            composer.setFocus()
            qtbot.keyClicks(composer, "hello bob")
            label = bob.window.chat.typing_label
            await wait_until(lambda: label.isVisibleTo(bob.window), "typing shown")
            assert label.text() == "Alice is typing…"
            buddy = bob.window.buddies.lookup(ALICE)
            assert buddy is not None and status_line(buddy) == "typing…"
            row = bob.window.buddies.row_of(ALICE)
            assert row is not None
            # The list's second line (the last message's preview) says it too.
            index = bob.window.buddies.index(row, 0)
            assert index.data(Role.LAST_MESSAGE) == "typing…"

            # Enter sends it; typing ends; Bob's device says delivered.
            qtbot.keyClick(composer, Qt.Key.Key_Return)
            model = alice.window.chat.model
            assert model is not None
            sent = model.record(model.rowCount() - 1)
            await wait_until(lambda: not label.isVisibleTo(bob.window), "typing gone")
            await wait_until(lambda: len(bob.app.store.messages(ALICE)) == 1, "bob has it")
            await wait_until(
                lambda: any(e.kind == "receipt" for e in alice.app.store.events(sent.id)),
                "the delivered receipt",
            )
            # In view, but Bob's window is not active: nobody could have read it.
            assert bob.window.chat.visible_incoming() != []
            assert bob.window.report_displayed() == 0
            await bob.app.receipts.drain()
            assert alice.shown_state(sent.id) is D.DELIVERED
            assert alice.history[int(sent.id)] == [D.QUEUED, D.SENDING, D.DELIVERED]

            # Bob comes back to his window: the message is in view, so READ.
            bob.window.activateWindow()
            await wait_until(lambda: bob.window.isActiveWindow(), "bob's window active")
            await wait_until(lambda: alice.shown_state(sent.id) is D.READ, "read")
            assert alice.history[int(sent.id)] == [D.QUEUED, D.SENDING, D.DELIVERED, D.READ]
            tooltip = str(model.index(model.row_of(sent.id), 0).data(Qt.ItemDataRole.ToolTipRole))
            assert tooltip.startswith("read by the recipient at ")

            # The details view, from the keyboard shortcut on the selected bubble.
            alice.window.activateWindow()
            await wait_until(lambda: alice.window.isActiveWindow(), "alice's window active")
            alice.window.chat.view.setCurrentIndex(model.index(model.row_of(sent.id), 0))
            alice.window.chat.view.setFocus()
            qtbot.keyClick(
                alice.window.chat.view,
                Qt.Key.Key_I,
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
            )
            dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, MessageDetails)]
            assert len(dialogs) == 1
            port = kamailio_server.hostport.rsplit(":", 1)[1]
            server = f"127.0.0.1:{port} over UDP"
            steps: list[tuple[str, str]] = []
            for step, what in dialogs[0].steps():
                if step == "response" and what.startswith(("401 ", "407 ")):
                    steps.pop()  # a digest challenge and the request it answered
                    continue
                what = re.sub(r"\(sent [^)]*\)", "(sent …)", what)
                steps.append((step, re.sub(r"\(CSeq \d+\)", "(CSeq n)", what)))
            assert steps == [
                ("queued", "written and stored, waiting to be sent"),
                ("state", "sending"),
                ("sent", f"MESSAGE as message/cpim (CSeq n) to {server}"),
                ("response", f"200 OK from {server}"),
                ("state", "delivered to the recipient's device: 200 OK"),
                ("receipt", "receipt: delivery delivered (sent …); state unchanged"),
                ("receipt", "receipt: display displayed (sent …)"),
                ("state", "read by the recipient"),
            ]
            dialogs[0].close()

    loop.run_until_complete(scenario())


def test_no_read_receipt_when_the_setting_is_off_or_the_conversation_is_closed(
    loop: qasync.QEventLoop, kamailio_server: KamailioProcess, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        async with (
            window_for(kamailio_server, "alice", tmp_path / "alice.db", qtbot) as alice,
            window_for(kamailio_server, "bob", tmp_path / "bob.db", qtbot) as bob,
        ):
            await registered(alice.app)
            await registered(bob.app)
            bob.window.activateWindow()
            await wait_until(lambda: bob.window.isActiveWindow(), "bob's window active")
            # Bob's window is active but shows no conversation with Alice.
            first = alice.app.messaging.send(BOB, "unseen")
            await wait_until(
                lambda: sum(e.kind == "receipt" for e in alice.app.store.events(first.id)) == 1,
                "delivered receipt",
            )
            assert bob.window.report_displayed() == 0
            assert alice.app.store.message(first.id).state is D.DELIVERED
            # Opening it shows the message to Bob: READ.
            bob.window.open_conversation(ALICE)
            await wait_until(lambda: alice.app.store.message(first.id).state is D.READ, "read")
            # With "send read receipts" off, nothing more is said.
            import dataclasses

            bob.app.account = dataclasses.replace(bob.app.account, send_read_receipts=False)
            second = alice.app.messaging.send(BOB, "seen, not told")
            await wait_until(lambda: len(bob.app.store.messages(ALICE)) == 2, "arrived")
            await wait_until(
                lambda: sum(e.kind == "receipt" for e in alice.app.store.events(second.id)) == 1,
                "delivered receipt",
            )
            assert bob.window.report_displayed() == 0
            await bob.app.receipts.drain()
            assert alice.app.store.message(second.id).state is D.DELIVERED

    loop.run_until_complete(scenario())
