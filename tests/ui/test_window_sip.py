"""The real main window against real SIP: two Applications at a real Kamailio on loopback.

The window's account is alice; bob, carol and joe are peers run by the test
on the same qasync loop. Every test drives the window the way a user does
(typing, Enter, the retry action) and reads what the window shows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from softphone.app import Application
from softphone.buddy import BuddyState
from softphone.sip.delivery import DeliveryState
from softphone.store import MessageRecord, Store
from tests.interop.harness import KamailioProcess
from tests.ui.conftest import make_app, registered, wait_until
from ui.bridge import CoreBridge
from ui.roles import Role
from ui.windows.main_window import MainWindow

pytestmark = pytest.mark.interop

HAS_PRESENCE = (
    hasattr(Application, "presence") or "presence" in Application.__init__.__code__.co_names
)


class Harness:
    """The window, its core, and a recorder of every state the bubbles went through."""

    def __init__(self, app: Application, window: MainWindow, qtbot) -> None:
        self.app = app
        self.window = window
        self.qtbot = qtbot
        self.history: dict[int, list[DeliveryState]] = {}
        window.bridge.message_added.connect(self._record)
        window.bridge.message_state.connect(self._record)

    def _record(self, record: MessageRecord) -> None:
        self.history.setdefault(int(record.id), []).append(record.state)

    def type_and_enter(self, text: str) -> MessageRecord:
        composer = self.window.chat.composer
        composer.setFocus()
        if text.isascii():
            self.qtbot.keyClicks(composer, text)
        else:
            # QTest cannot synthesize keys for Hangul; an input method
            # commits such text as a string, which is what this does.
            composer.insertPlainText(text)
        self.qtbot.keyClick(composer, Qt.Key.Key_Return)
        assert composer.toPlainText() == ""  # stored, so cleared
        model = self.window.chat.model
        assert model is not None
        return model.record(model.rowCount() - 1)

    def shown_state(self, message_id: int) -> DeliveryState:
        model = self.window.chat.model
        assert model is not None
        row = model.row_of(message_id)
        assert row is not None
        return model.index(row, 0).data(Role.DELIVERY)

    def tooltip(self, message_id: int) -> str:
        model = self.window.chat.model
        assert model is not None
        row = model.row_of(message_id)
        assert row is not None
        # The first line is the state; the second says when it was sent.
        return str(model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)).splitlines()[0]


@asynccontextmanager
async def window_for(kam: KamailioProcess, user: str, db: Path, qtbot) -> AsyncIterator[Harness]:
    app = make_app(kam, user, db)
    window = MainWindow(app, CoreBridge(app))
    qtbot.addWidget(window)
    window.show()
    await app.start()
    try:
        yield Harness(app, window, qtbot)
    finally:
        await app.stop()
        window.hide()


@asynccontextmanager
async def peer(kam: KamailioProcess, user: str, db: Path) -> AsyncIterator[Application]:
    app = make_app(kam, user, db)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def test_typed_message_goes_sending_then_delivered_and_603_shows_declined(
    loop: qasync.QEventLoop, kamailio_server: KamailioProcess, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        async with (
            window_for(kamailio_server, "alice", tmp_path / "alice.db", qtbot) as ui,
            peer(kamailio_server, "bob", tmp_path / "bob.db") as bob,
        ):
            await registered(ui.app)
            await registered(bob)
            assert ui.window.registration_label.text() == "Registered as alice@example.test"
            ui.window.add_buddy("bob@example.test", "Bob")
            ui.window.open_conversation("sip:bob@example.test")
            sent = ui.type_and_enter("안녕하세요! 밥")
            # The bubble appears at once, on its way (clock, then one tick).
            assert ui.shown_state(sent.id) in (DeliveryState.QUEUED, DeliveryState.SENDING)
            await wait_until(lambda: ui.shown_state(sent.id).is_final, "a final state")
            assert ui.history[int(sent.id)] == [
                DeliveryState.QUEUED,
                DeliveryState.SENDING,
                DeliveryState.DELIVERED,
            ]
            assert ui.shown_state(sent.id) is DeliveryState.DELIVERED
            assert ui.tooltip(sent.id) == "delivered to the recipient's device: 200 OK"
            assert [m.body for m in bob.store.messages("sip:alice@example.test")] == [
                "안녕하세요! 밥"
            ]

            # Bob refuses alice: his side answers 603 Decline.
            bob.store.set_blocked("sip:alice@example.test", True, now=0.0)
            refused = ui.type_and_enter("are you there?")
            await wait_until(lambda: ui.shown_state(refused.id).is_final, "a final state")
            assert ui.shown_state(refused.id) is DeliveryState.DECLINED
            assert ui.tooltip(refused.id) == "declined by recipient: 603 Decline"

        # Closing and reopening the app shows the same history, same states.
        async with window_for(kamailio_server, "alice", tmp_path / "alice.db", qtbot) as again:
            again.window.open_conversation("sip:bob@example.test")
            model = again.window.chat.model
            assert model is not None
            shown = [
                (model.index(r, 0).data(Role.TEXT), model.index(r, 0).data(Role.DELIVERY))
                for r in range(model.rowCount())
            ]
            assert shown == [
                ("안녕하세요! 밥", DeliveryState.DELIVERED),
                ("are you there?", DeliveryState.DECLINED),
            ]
            assert again.tooltip(refused.id) == "declined by recipient: 603 Decline"
            # The buddy added before the restart is still listed.
            assert again.window.buddies.lookup("sip:bob@example.test").name == "Bob"

    loop.run_until_complete(scenario())


def test_offline_peer_fails_and_retry_after_it_registers_delivers(
    loop: qasync.QEventLoop, kamailio_server: KamailioProcess, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        async with window_for(kamailio_server, "alice", tmp_path / "alice.db", qtbot) as ui:
            await registered(ui.app)
            # carol's device registered, then vanished without unregistering
            # (crash, network gone): the proxy's forward times out (408).
            carol = make_app(kamailio_server, "carol", tmp_path / "carol-old.db")
            await carol.start()
            await registered(carol)
            assert carol.registration is not None
            carol.registration._task.cancel()  # no unregister: a crash
            carol.agent.close()
            carol.store.close()
            ui.window.open_conversation("sip:carol@example.test")
            sent = ui.type_and_enter("ping")
            await wait_until(lambda: ui.shown_state(sent.id).is_final, "a final state")
            assert ui.shown_state(sent.id) is DeliveryState.FAILED
            assert ui.tooltip(sent.id).startswith("failed: 408")

            async with peer(kamailio_server, "carol", tmp_path / "carol.db") as back:
                await registered(back)
                # The retry action of the bubble's context menu / red mark.
                ui.window.chat.retry_requested.emit(int(sent.id))
                await wait_until(lambda: ui.shown_state(sent.id).is_final, "a final state")
                assert ui.shown_state(sent.id) is DeliveryState.DELIVERED
                assert [m.body for m in back.store.messages("sip:alice@example.test")] == ["ping"]
            assert ui.history[int(sent.id)] == [
                DeliveryState.QUEUED,
                DeliveryState.SENDING,
                DeliveryState.FAILED,
                DeliveryState.QUEUED,
                DeliveryState.SENDING,
                DeliveryState.DELIVERED,
            ]

    loop.run_until_complete(scenario())


def test_messages_typed_while_unregistered_are_queued_and_go_out_on_registration(
    loop: qasync.QEventLoop, kamailio_server: KamailioProcess, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        async with peer(kamailio_server, "bob", tmp_path / "bob.db") as bob:
            await registered(bob)
            app = make_app(kamailio_server, "alice", tmp_path / "alice.db")
            window = MainWindow(app, CoreBridge(app))
            qtbot.addWidget(window)
            window.show()
            ui = Harness(app, window, qtbot)
            # Not started yet: not registered, so the message waits (clock).
            window.open_conversation("sip:bob@example.test")
            sent = ui.type_and_enter("written offline")
            assert ui.shown_state(sent.id) is DeliveryState.QUEUED
            await app.start()
            try:
                await wait_until(lambda: ui.shown_state(sent.id).is_final, "a final state")
                assert ui.shown_state(sent.id) is DeliveryState.DELIVERED
            finally:
                await app.stop()

    loop.run_until_complete(scenario())


def test_incoming_message_while_unfocused_raises_the_unread_badge(
    loop: qasync.QEventLoop, kamailio_server: KamailioProcess, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        async with (
            window_for(kamailio_server, "alice", tmp_path / "alice.db", qtbot) as ui,
            peer(kamailio_server, "joe", tmp_path / "joe.db") as joe,
        ):
            await registered(ui.app)
            await registered(joe)
            ui.window.add_buddy("joe@example.test", "Joe")
            # The user is in another application's window.
            other = QWidget()
            qtbot.addWidget(other)
            other.show()
            other.activateWindow()
            await wait_until(lambda: not ui.window.isActiveWindow(), "the window unfocused")
            for text in ("one", "two"):
                joe.messaging.send("sip:alice@example.test", text)
            buddies = ui.window.buddies

            def unread() -> int:
                row = buddies.row_of("sip:joe@example.test")
                return -1 if row is None else buddies.index(row, 0).data(Role.UNREAD)

            await wait_until(lambda: unread() == 2, "two unread")
            # Opening the conversation reads them.
            ui.window.open_conversation("sip:joe@example.test")
            assert unread() == 0
            assert ui.app.store.conversations()[0].unread == 0
            model = ui.window.chat.model
            assert model is not None
            assert [model.index(r, 0).data(Role.TEXT) for r in range(model.rowCount())] == [
                "one",
                "two",
            ]

    loop.run_until_complete(scenario())


def test_buddy_dot_follows_registration_state(
    loop: qasync.QEventLoop, kamailio_server: KamailioProcess, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        async with window_for(kamailio_server, "alice", tmp_path / "alice.db", qtbot) as ui:
            await registered(ui.app)
            assert getattr(ui.app, "presence", None) is not None, "no presence service"
            ui.window.add_buddy("dave@example.test", "Dave")
            buddies = ui.window.buddies

            def status() -> str:
                row = buddies.row_of("sip:dave@example.test")
                assert row is not None
                return str(buddies.index(row, 0).data(Role.BUDDY_STATUS))

            def line() -> str:
                row = buddies.row_of("sip:dave@example.test")
                assert row is not None
                return str(buddies.index(row, 0).data(Role.BUDDY_LINE))

            await wait_until(lambda: status() == "offline", "dave offline")
            async with peer(kamailio_server, "dave", tmp_path / "dave.db") as dave:
                await registered(dave)
                await wait_until(lambda: status() == "online", "dave online")
                assert line() == "online"
                proxy = ui.window.sorted_buddies
                assert proxy.index(0, 0).data(Role.ID) == "sip:dave@example.test"
            await wait_until(lambda: status() == "offline", "dave offline again")
            assert line().startswith("last seen ")

    loop.run_until_complete(scenario())


def test_buddy_list_shows_every_state_after_the_start_up_burst(
    loop: qasync.QEventLoop, kamailio_server: KamailioProcess, tmp_path: Path, qtbot
) -> None:
    # alice's four buddies are in her store; bob and carol are registered,
    # joe and dave are not. The window watches them all at start-up: the
    # core tells their states in calls of several at once, and the list and
    # the kept history end up right for every buddy.
    db = tmp_path / "alice.db"
    buddies = {f"sip:{name}@example.test": name for name in ("bob", "carol", "joe", "dave")}
    store = Store.open(db)
    for aor, name in buddies.items():
        store.add_contact(aor, name.title(), now=1.0)
    store.close()
    expected = {
        aor: "online" if name in ("bob", "carol") else "offline" for aor, name in buddies.items()
    }

    async def scenario() -> None:
        async with (
            peer(kamailio_server, "bob", tmp_path / "bob.db") as bob,
            peer(kamailio_server, "carol", tmp_path / "carol.db") as carol,
        ):
            await registered(bob)
            await registered(carol)
            app = make_app(kamailio_server, "alice", db)
            bridge = CoreBridge(app)
            batches: list[tuple[BuddyState, ...]] = []
            bridge.buddies_changed.connect(batches.append)
            window = MainWindow(app, bridge)
            qtbot.addWidget(window)
            window.show()
            await app.start()
            try:
                model = window.buddies

                def shown() -> dict[str, str]:
                    out = {}
                    for aor in buddies:
                        row = model.row_of(aor)
                        assert row is not None
                        out[aor] = str(model.index(row, 0).data(Role.BUDDY_STATUS))
                    return out

                await wait_until(lambda: shown() == expected, "every buddy's state")
                told = [state for batch in batches for state in batch]
                assert max(len(batch) for batch in batches) > 1
                last = {state.aor: state.status.value for state in told}
                assert last == expected
                assert {
                    aor: [c.status for c in window.store.presence_changes(aor)] for aor in buddies
                } == {aor: [status] for aor, status in expected.items()}
            finally:
                await app.stop()
                window.hide()

    loop.run_until_complete(scenario())
