"""The window's flows against the embedded server, without a socket.

The window (alice), a peer (bob) and `LocalServer` share one in-memory
network (`softphone.transport.memory`), so a flow runs in milliseconds with
no port, Kamailio or timing of the kernel in it: typed, sending, delivered;
typed while not registered, queued, sent once registered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import qasync

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.server import LocalServer
from softphone.sip.delivery import DeliveryState
from softphone.sip.timers import TimerConfig
from softphone.store import Store
from softphone.transport.memory import MemoryNetwork
from tests.ui.conftest import registered, wait_until
from tests.ui.test_window_sip import Harness
from ui.bridge import CoreBridge
from ui.windows.main_window import MainWindow

DOMAIN = "example.com"
PASSWORDS = {f"sip:alice@{DOMAIN}": "alice-pw", f"sip:bob@{DOMAIN}": "bob-pw"}
TIMERS = TimerConfig(t1=0.05)


class World:
    """The in-memory network and the embedded server on it."""

    def __init__(self) -> None:
        self.network = MemoryNetwork()
        self.server = LocalServer(PASSWORDS, domain=DOMAIN, timers=TIMERS)
        self.server.agent.network = self.network
        self.registrar = ""

    async def start(self) -> None:
        address = await self.server.start("127.0.0.1", 5060)
        self.registrar = address.sent_by

    def app(self, user: str, db: Path) -> Application:
        account = Account(aor=f"sip:{user}@{DOMAIN}", registrar=self.registrar, expires=300)
        app = Application(
            account,
            PASSWORDS[account.aor],
            Store.open(db),
            AppOptions(listen_host="127.0.0.1", timers=TIMERS, keepalive_interval=0),
        )
        app.agent.network = self.network
        return app


@asynccontextmanager
async def world() -> AsyncIterator[World]:
    w = World()
    await w.start()
    try:
        yield w
    finally:
        await w.server.stop()


@asynccontextmanager
async def running(app: Application) -> AsyncIterator[Application]:
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def window(app: Application, qtbot) -> Harness:
    main = MainWindow(app, CoreBridge(app))
    qtbot.addWidget(main)
    main.show()
    return Harness(app, main, qtbot)


def test_typed_message_goes_sending_then_delivered(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        async with world() as w:
            ui = window(w.app("alice", tmp_path / "alice.db"), qtbot)
            async with running(ui.app), running(w.app("bob", tmp_path / "bob.db")) as bob:
                await registered(ui.app)
                await registered(bob)
                ui.window.add_buddy(f"bob@{DOMAIN}", "Bob")
                ui.window.open_conversation(f"sip:bob@{DOMAIN}")
                sent = ui.type_and_enter("hello bob")
                await wait_until(lambda: ui.shown_state(sent.id).is_final, "a final state")
                assert ui.history[int(sent.id)] == [
                    DeliveryState.QUEUED,
                    DeliveryState.SENDING,
                    DeliveryState.DELIVERED,
                ]
                assert [m.body for m in bob.store.messages(f"sip:alice@{DOMAIN}")] == ["hello bob"]
            ui.window.hide()
        # Nothing went over a socket: every datagram is in the network's log.
        assert any(b"hello bob" in data for *_, data in w.network.log)

    loop.run_until_complete(scenario())


def test_message_typed_before_registration_is_queued_then_sent(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        async with world() as w, running(w.app("bob", tmp_path / "bob.db")) as bob:
            await registered(bob)
            ui = window(w.app("alice", tmp_path / "alice.db"), qtbot)
            ui.window.add_buddy(f"bob@{DOMAIN}", "Bob")
            ui.window.open_conversation(f"sip:bob@{DOMAIN}")
            # Not started: not registered, so the bubble waits with its clock.
            early = ui.type_and_enter("written offline")
            assert ui.shown_state(early.id) is DeliveryState.QUEUED
            async with running(ui.app):
                await registered(ui.app)
                await wait_until(lambda: ui.shown_state(early.id).is_final, "a final state")
                assert ui.history[int(early.id)] == [
                    DeliveryState.QUEUED,
                    DeliveryState.SENDING,
                    DeliveryState.DELIVERED,
                ]
                assert [m.body for m in bob.store.messages(f"sip:alice@{DOMAIN}")] == [
                    "written offline"
                ]
            ui.window.hide()

    loop.run_until_complete(scenario())
