"""Kamailio stops while Alice writes: both messages arrive once each when it is back.

Alice is the window; Bob is `softphone listen` (a separate process, the
recipient's count is what it prints and stores). Kamailio keeps
registrations in memory, so the restarted one knows nobody until each
registers again. Bob is back first here: Alice's resend finds him
registered, so the server relays each message straight to his device.

Had Alice come back first, the server would store both messages for him
(msilo, 202 each, in the order sent) and hand them over when he registers:
m_dump sends them to the server itself, where its two worker processes
pick them off the socket and relay them concurrently, so they can reach
Bob in either order, however carefully Alice sent them one after the
other. That order is the server's, not ours; this test pins the one whose
order is Alice's to keep.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest
import qasync

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.config import save_account
from softphone.resend_policy import ResendPolicy
from softphone.services.registration import RetryPolicy
from softphone.sip.cpim import parse_cpim
from softphone.sip.delivery import DeliveryState
from softphone.sip.timers import TimerConfig
from softphone.store import Store
from tests.interop import harness
from tests.interop.conftest import USERS
from tests.interop.test_cli import ROOT, Listener, cli_env
from tests.interop.test_messaging_kamailio import register_sipp
from tests.ui.conftest import registered, wait_until
from tests.ui.test_window_memory import running, window

pytestmark = [pytest.mark.interop, harness.requires_kamailio]

D = DeliveryState
BOB = "sip:bob@example.test"


def alice_app(kam: harness.KamailioProcess, db: Path) -> Application:
    account = Account(aor=f"sip:alice@{kam.domain}", registrar=kam.hostport, expires=300)
    return Application(
        account,
        USERS["alice"],
        Store.open(db),
        AppOptions(
            listen_host="127.0.0.1",
            timers=TimerConfig(t1=0.1),
            keepalive_interval=1.0,
            keepalive_timeout=0.5,
            retry=RetryPolicy(first=0.5, maximum=1.0),
            # The first planned resend an hour away: here only the
            # connection coming back can send it again.
            resend=ResendPolicy(backoff=(3600.0,)),
        ),
    )


async def start_bob(kam: harness.KamailioProcess, tmp_path: Path) -> Listener:
    config = tmp_path / "bob.toml"
    save_account(
        Account(
            aor=BOB,
            registrar=kam.hostport,
            password_env="PW_BOB",
            keepalive_interval=5,  # the shortest an account may have
        ),
        config,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "softphone",
        "listen",
        "--config",
        str(config),
        "--listen-host",
        "127.0.0.1",
        "--db",
        str(tmp_path / "bob.sqlite3"),
        env=cli_env(tmp_path),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return Listener(process)


async def next_registration(bob: Listener, timeout: float) -> dict[str, object]:
    while True:
        line = await bob.next_line(timeout)
        if line.get("event") == "registration":
            return line


def test_messages_written_while_the_server_is_stopped_arrive_once_each(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        kam = harness.start_kamailio(tmp_path / "first", USERS)
        bob = await start_bob(kam, tmp_path)
        try:
            await bob.registered()
            ui = window(alice_app(kam, tmp_path / "alice.db"), qtbot)
            async with running(ui.app):
                await registered(ui.app)
                ui.window.open_conversation(BOB)
                kam.stop()
                # Sent before the loss is noticed: it fails (nobody at the port).
                one = ui.type_and_enter("one")
                await wait_until(
                    lambda: ui.window.registration_label.text().startswith("Connection to"),
                    "Alice's status bar says the server is lost",
                )
                await wait_until(lambda: ui.shown_state(one.id) is D.FAILED, "one failed")
                # Written while the server is lost: it waits.
                two = ui.type_and_enter("two")
                # Bob notices too (or he would never register again).
                lost = await next_registration(bob, 5 + 10 + 5)
                assert lost["state"] == "registering", lost
                kam = harness.start_kamailio(tmp_path / "second", USERS, port=kam.port)
                # Held here (this loop runs Alice's window and core, so she
                # sends nothing) until the restarted server has Bob's binding.
                kam.wait_for_binding("bob")
                await wait_until(
                    lambda: (
                        ui.shown_state(one.id) is D.DELIVERED
                        and ui.shown_state(two.id) is D.DELIVERED
                    ),
                    "both delivered",
                    timeout=90,
                )
                events = {
                    name: [e.detail for e in ui.app.store.events(r.id) if e.kind == "state"]
                    for name, r in (("one", one), ("two", two))
                }
            ui.window.hide()
            assert await bob.interrupt() == 0
        finally:
            if bob.process.returncode is None:
                bob.process.kill()
                await bob.process.wait()
            kam.stop()
        received = [line["body"] for line in bob.lines if "body" in line]
        stored = [
            row[0]
            for row in sqlite3.connect(tmp_path / "bob.sqlite3").execute(
                "SELECT body FROM messages WHERE direction = 'in' ORDER BY id"
            )
        ]
        # Exactly once each at the recipient, in the order written.
        assert received == ["one", "two"]
        assert stored == ["one", "two"]
        # Alice's history: one failed for want of a server and went again
        # when it was back; two waited. Both straight to Bob's device (200).
        assert ui.history[int(one.id)] == [
            D.QUEUED,
            D.SENDING,
            D.FAILED,
            D.QUEUED,
            D.SENDING,
            D.DELIVERED,
        ]
        assert ui.history[int(two.id)] == [D.QUEUED, D.SENDING, D.DELIVERED]
        # The store tells the same story (its timeline's state steps).
        first, failed, *rest = events["one"]
        assert (first, rest[:2]) == ("sending", ["waiting to be sent", "sending"]), events
        assert failed.startswith(
            ("failed: no answer from the server", "failed: could not reach the server")
        ), events
        assert rest[-1].startswith("delivered"), events
        assert events["two"][0] == "sending" and events["two"][-1].startswith("delivered"), events

    loop.run_until_complete(scenario())


def test_messages_queued_while_the_server_is_lost_go_one_after_another(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    # Bob is SIPp holding each MESSAGE a moment before its 200: a sender
    # that sent the next before the answer to the one before would have it
    # in SIPp's log ahead of that answer.
    async def scenario() -> None:
        uas = harness.start_sipp_uas("uas_message_held.xml", tmp_path / "sipp", calls=None)
        kam: harness.KamailioProcess | None = None
        try:
            kam = harness.start_kamailio(tmp_path / "first", USERS)
            ui = window(alice_app(kam, tmp_path / "alice.db"), qtbot)
            async with running(ui.app):
                await registered(ui.app)
                ui.window.open_conversation(BOB)
                kam.stop()
                await wait_until(
                    lambda: ui.window.registration_label.text().startswith("Connection to"),
                    "Alice's status bar says the server is lost",
                )
                written = [ui.type_and_enter(text) for text in ("one", "two", "three")]
                # Back, and Bob bound to SIPp, before this loop (Alice) runs again.
                kam = harness.start_kamailio(tmp_path / "second", USERS, port=kam.port)
                register_sipp(kam, tmp_path, "bob", uas.port)
                await wait_until(
                    lambda: all(ui.shown_state(r.id) is D.DELIVERED for r in written),
                    "all delivered",
                    timeout=60,
                )
            ui.window.hide()
        finally:
            if kam is not None:
                kam.stop()
            result = uas.stop()
        for record in written:
            assert ui.history[int(record.id)] == [D.QUEUED, D.SENDING, D.DELIVERED]
        # What reached Bob and what he answered, in his order (typing
        # indications left out: their own MESSAGEs, not chat).
        # A retransmission (the proxy's, under load) is the same request:
        # the same Call-ID and CSeq.
        texts: dict[tuple[str, str], str] = {}
        seen: list[str] = []
        for message in result.messages:
            key = (message.header("Call-ID") or "", message.header("CSeq") or "")
            if message.is_request("MESSAGE") and message.header("Content-Type") == "message/cpim":
                if key not in texts:
                    texts[key] = parse_cpim(message.body.encode()).body.decode().strip()
                    seen.append(f"MESSAGE {texts[key]}")
            elif message.status == 200 and key in texts and f"200 {texts[key]}" not in seen:
                seen.append(f"200 {texts[key]}")
        # In the order written, each once, the next only after the answer
        # to the one before.
        assert seen == [
            "MESSAGE one",
            "200 one",
            "MESSAGE two",
            "200 two",
            "MESSAGE three",
            "200 three",
        ]

    loop.run_until_complete(scenario())
