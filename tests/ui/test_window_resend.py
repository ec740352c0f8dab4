"""The window when the server goes away: the status bar, the failed bubble, Retry.

Alice's window, Bob and `LocalServer` share one in-memory network
(`softphone.transport.memory`). The link to Alice is cut one way (nothing
reaches her), as a dead Wi-Fi does: her keep-alive probe gets no answer, a
message she sends reaches Bob but his 200 never comes back. Every test
drives the window with real mouse and key events and asserts whole
histories: the status bar's sentences, each message's states, Bob's inbox.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.resend_policy import ResendPolicy
from softphone.services.registration import RetryPolicy
from softphone.sip.delivery import DeliveryState
from softphone.store import MessageRecord, ResendSchedule, Store
from softphone.transport.base import Address, TransportKind
from softphone.transport.memory import MemoryNetwork, MemoryTransport
from tests.ui.conftest import registered, wait_until
from tests.ui.test_window_memory import DOMAIN, PASSWORDS, TIMERS, World, running, window
from tests.ui.test_window_sip import Harness

D = DeliveryState
BOB = f"sip:bob@{DOMAIN}"
#: Short enough that a test waits seconds, never minutes (the product's is
#: 30 s growing to an hour, for a day).
QUICK_RESEND = ResendPolicy(backoff=(30.0,), window=3600.0)


class CutNetwork(MemoryNetwork):
    """The in-memory network with a link that can be cut towards some addresses."""

    def __init__(self) -> None:
        super().__init__()
        self.unreachable: set[Address] = set()

    def deliver(self, sender: MemoryTransport, data: bytes, destination: Address) -> None:
        if destination in self.unreachable:
            self.log.append((sender.kind, sender.local, destination, b""))
            return  # lost on the way, as UDP over a dead link
        super().deliver(sender, data, destination)


class CutWorld(World):
    def __init__(self) -> None:
        super().__init__()
        self.network = CutNetwork()
        self.server.agent.network = self.network

    def alice(self, db: Path) -> Application:
        account = Account(aor=f"sip:alice@{DOMAIN}", registrar=self.registrar, expires=300)
        app = Application(
            account,
            PASSWORDS[account.aor],
            Store.open(db),
            AppOptions(
                listen_host="127.0.0.1",
                timers=TIMERS,
                # The loss is noticed by the keep-alive (an OPTIONS on UDP).
                keepalive_interval=0.5,
                keepalive_timeout=0.3,
                retry=RetryPolicy(first=0.3, maximum=0.6),
                resend=QUICK_RESEND,
            ),
        )
        app.agent.network = self.network
        return app

    def cut(self, app: Application) -> None:
        self.network.unreachable.add(app.agent.local_address(TransportKind.UDP))

    def heal(self) -> None:
        self.network.unreachable.clear()


@asynccontextmanager
async def cut_world() -> AsyncIterator[CutWorld]:
    """The in-memory network with a link to cut, and the server on it (stopped after)."""
    w = CutWorld()
    await w.start()
    try:
        yield w
    finally:
        await w.server.stop()


@pytest.fixture
def korean(qapp) -> Iterator[None]:
    """The window in Korean for the test, in English after."""
    from ui.i18n import install_translator

    install_translator(qapp, "ko")
    try:
        yield
    finally:
        install_translator(qapp, "en")


def status_bar_history(ui: Harness) -> list[str]:
    """Every sentence the status bar showed, as the window drew it."""
    shown: list[str] = []
    # Connected after the window's own slot: reads what it just showed.
    ui.window.bridge.registration_changed.connect(
        lambda _status: shown.append(ui.window.registration_label.text())
    )
    return shown


def collapse(texts: list[str]) -> list[str]:
    """The kinds of sentence, in order, repeats merged (numbers of seconds dropped)."""
    kinds: list[str] = []
    for text in texts:
        kind = re.sub(r"\d+(\.\d+)? s\b", "N s", re.sub(r" \([^)]*\)", "", text))
        if not kinds or kinds[-1] != kind:
            kinds.append(kind)
    return kinds


def row_of(ui: Harness, record: MessageRecord) -> int:
    model = ui.window.chat.model
    assert model is not None
    row = model.row_of(record.id)
    assert row is not None
    return row


def test_server_lost_and_back_status_bar_and_failed_message_resent_once(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        w = CutWorld()
        await w.start()
        try:
            ui = window(w.alice(tmp_path / "alice.db"), qtbot)
            shown = status_bar_history(ui)
            async with running(w.app("bob", tmp_path / "bob.db")) as bob, running(ui.app):
                await registered(bob)
                await registered(ui.app)
                ui.window.add_buddy(f"bob@{DOMAIN}", "Bob")
                ui.window.open_conversation(BOB)
                w.cut(ui.app)
                # Sent before the loss is noticed: it reaches Bob, his 200 is lost.
                one = ui.type_and_enter("one")
                await wait_until(
                    lambda: ui.window.registration_label.text().startswith("Connection to"),
                    "the loss in the status bar",
                )
                # Typed while the server is lost: it waits.
                two = ui.type_and_enter("two")
                await wait_until(lambda: ui.shown_state(one.id) is D.FAILED, "one failed")
                chat = ui.window.chat
                failed_line = chat.status_text(row_of(ui, one))
                button = chat.retry_button(row_of(ui, one))
                assert ui.shown_state(two.id) is D.QUEUED
                w.heal()
                await wait_until(
                    lambda: (
                        ui.shown_state(one.id) is D.DELIVERED
                        and ui.shown_state(two.id) is D.DELIVERED
                    ),
                    "both delivered",
                )
                inbox = [m.body for m in bob.store.messages(f"sip:alice@{DOMAIN}")]
                steps = [e.detail for e in ui.app.store.events(one.id) if e.kind == "state"]
                after = chat.status_text(row_of(ui, one)), chat.retry_button(row_of(ui, one))
            ui.window.hide()
        finally:
            await w.server.stop()
        # The status bar said so in words, and recovered on its own.
        kinds = collapse(shown)
        me = f"alice@{DOMAIN}"
        assert kinds[:3] == [
            f"Registering as {me}…",
            f"Registered as {me}",
            f"Connection to {w.registrar} lost, trying again…",
        ], shown
        # Never "registered" while lost (a failed attempt may be said in
        # between); registered again on its own, then quit.
        assert kinds[-2:] == [f"Registered as {me}", "Not registered"], shown
        assert not any(k.startswith("Registered") for k in kinds[3:-2]), shown
        assert not any("timer" in text.lower() for text in shown)
        # The failed bubble said why and when it goes again, with a Retry button.
        assert re.fullmatch(
            r"Not sent: no answer from the server after 3\.2 s\. Will try again at \d\d:\d\d",
            failed_line,
        ), failed_line
        assert button is not None and button.isValid()
        assert after == ("", None)
        # Sent again on its own when the connection was back; Bob has each once.
        assert ui.history[int(one.id)] == [
            *(D.QUEUED, D.SENDING, D.FAILED),
            *(D.QUEUED, D.SENDING, D.DELIVERED),
        ]
        assert ui.history[int(two.id)] == [D.QUEUED, D.SENDING, D.DELIVERED]
        assert inbox == ["one", "two"]
        # The details view's timeline has the plan with the failure.
        assert steps[0] == "sending"
        assert re.fullmatch(
            r"failed: no answer from the server after 3\.2 s; will try again at \d\d:\d\d:\d\d",
            steps[1],
        ), steps
        assert steps[2:4] == ["waiting to be sent", "sending"], steps
        assert steps[-1] == "delivered to the recipient's device: 200 OK", steps

    loop.run_until_complete(scenario())


def test_retry_button_sends_now_and_says_so_at_once(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> None:
        w = CutWorld()
        await w.start()
        try:
            ui = window(w.alice(tmp_path / "alice.db"), qtbot)
            async with running(ui.app):
                await registered(ui.app)
                nobody = f"sip:nobody@{DOMAIN}"
                ui.window.open_conversation(nobody)
                sent = ui.type_and_enter("anyone?")
                # 404 is the recipient's side answering: never sent again on its own.
                await wait_until(lambda: ui.shown_state(sent.id) is D.FAILED, "failed")
                chat = ui.window.chat
                row = row_of(ui, sent)
                failed_line = chat.status_text(row)
                button = chat.retry_button(row)
                assert button is not None
                viewport = chat.view.viewport()
                assert viewport.rect().contains(button)
                assert chat.view.isVisible()

                qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=button.center())
                # At once, before the loop runs again: pending, "Sending…", no button.
                at_once = (
                    ui.shown_state(sent.id),
                    chat.status_text(row),
                    chat.retry_button(row),
                )
                await wait_until(lambda: len(ui.history[int(sent.id)]) == 6, "second answer")

                # From the keyboard: the bubble selected, Ctrl+R.
                chat.view.setFocus()
                qtbot.mouseClick(
                    viewport,
                    Qt.MouseButton.LeftButton,
                    pos=chat.bubble_rect(row).center().toPoint(),
                )
                assert chat.view.currentIndex().row() == row
                qtbot.keyClick(chat.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
                by_key = ui.shown_state(sent.id)
                await wait_until(lambda: len(ui.history[int(sent.id)]) == 9, "third answer")
            ui.window.hide()
        finally:
            await w.server.stop()
        assert failed_line == "Not sent: 404 Not Found"
        assert at_once == (D.QUEUED, "Sending…", None)
        assert by_key is D.QUEUED
        assert ui.history[int(sent.id)] == [
            *(D.QUEUED, D.SENDING, D.FAILED),
            *(D.QUEUED, D.SENDING, D.FAILED),
            *(D.QUEUED, D.SENDING, D.FAILED),
        ]

    loop.run_until_complete(scenario())


def test_retry_while_offline_says_it_waits_for_the_connection_then_sending(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    async def scenario() -> list[str]:
        async with cut_world() as w:
            ui = window(w.alice(tmp_path / "alice.db"), qtbot)
            async with running(ui.app):
                await registered(ui.app)
                ui.window.open_conversation(f"sip:nobody@{DOMAIN}")
                sent = ui.type_and_enter("anyone?")
                # 404: the recipient's side answered; it waits for a Retry.
                await wait_until(lambda: ui.shown_state(sent.id) is D.FAILED, "failed")
                chat = ui.window.chat
                model = chat.model
                assert model is not None
                lines = [chat.status_text(row_of(ui, sent))]

                def line_changed() -> None:
                    line = chat.status_text(row_of(ui, sent))
                    if line != lines[-1]:
                        lines.append(line)

                model.dataChanged.connect(line_changed)
                w.cut(ui.app)
                await wait_until(
                    lambda: ui.window.registration_label.text().startswith("Connection to"),
                    "the loss in the status bar",
                )
                button = chat.retry_button(row_of(ui, sent))
                assert button is not None
                viewport = chat.view.viewport()
                qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=button.center())
                # At once: waiting, not "Sending…", and no button to press again.
                at_once = (
                    ui.shown_state(sent.id),
                    chat.status_text(row_of(ui, sent)),
                    chat.retry_button(row_of(ui, sent)),
                )
                assert at_once == (D.QUEUED, "Waiting for the connection", None)
                await asyncio.sleep(1.0)  # keep-alive and registration attempts go on
                assert ui.shown_state(sent.id) is D.QUEUED
                w.heal()
                await wait_until(lambda: len(ui.history[int(sent.id)]) == 6, "sent again")
            ui.window.hide()
        assert ui.history[int(sent.id)] == [
            *(D.QUEUED, D.SENDING, D.FAILED),
            *(D.QUEUED, D.SENDING, D.FAILED),
        ]
        return lines

    lines = loop.run_until_complete(scenario())
    # Every line the bubble showed, in order: "Sending…" only once it went out.
    assert lines == [
        "Not sent: 404 Not Found",
        "Waiting for the connection",
        "Sending…",
        "Not sent: 404 Not Found",
    ]


#: Names kept as written in every language.
_KEPT_WORDS = {"SIP", "DNS", "IPv4", "IPv6", "UDP", "TCP", "TLS", "MESSAGE", "CSeq", "CPIM"}


def english_words(text: str, *kept: str) -> list[str]:
    """English words left in a Korean sentence, once *kept* values and addresses are out."""
    for value in kept:
        text = text.replace(value, " ")
    # Host names and addresses: example.com, 127.0.0.1:5060, alice@example.com.
    text = re.sub(r"[\w.+-]*\w\.[\w.:@+-]+", " ", text, flags=re.ASCII)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", text) if w not in _KEPT_WORDS]


def test_connection_lost_and_its_reason_are_said_in_korean(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot, korean: None
) -> None:
    async def scenario() -> tuple[list[str], str]:
        async with cut_world() as w:
            ui = window(w.alice(tmp_path / "alice.db"), qtbot)
            shown = status_bar_history(ui)
            async with running(ui.app):
                await registered(ui.app)
                w.cut(ui.app)
                # The keep-alive finds the flow dead and says why.
                await wait_until(lambda: "연결이 끊겼습니다 (" in "".join(shown), "the loss")
                # And the registration's own attempts while the link is down.
                await wait_until(lambda: "초 뒤 다시 시도" in shown[-1], "a retry planned")
            ui.window.hide()
        return shown, w.registrar

    shown, registrar = loop.run_until_complete(scenario())
    lost = next(t for t in shown if "연결이 끊겼습니다 (" in t)
    assert lost == (
        f"{registrar} 연결이 끊겼습니다 (0.3초 안에 서버 응답이 없음). 다시 시도하는 중…"
    ), shown
    me = f"alice@{DOMAIN}"
    assert [t for t in shown if english_words(t, me, registrar)] == [], shown


def test_the_resend_plan_in_the_details_timeline_is_korean(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot, korean: None
) -> None:
    async def scenario() -> list[tuple[str, str]]:
        async with cut_world() as w:
            ui = window(w.alice(tmp_path / "alice.db"), qtbot)
            async with running(w.app("bob", tmp_path / "bob.db")) as bob, running(ui.app):
                await registered(bob)
                await registered(ui.app)
                ui.window.open_conversation(BOB)
                w.cut(ui.app)
                # Sent before the loss is noticed: no answer, a resend planned.
                sent = ui.type_and_enter("하나")
                await wait_until(lambda: ui.shown_state(sent.id) is D.FAILED, "failed")
                ui.window.show_details(int(sent.id))
                details = ui.window._message_details
                assert details is not None
                steps = details.steps()
                details.close()
            ui.window.hide()
        return steps

    steps = loop.run_until_complete(scenario())
    planned = [what for step, what in steps if "다시 보냅니다" in what]
    assert len(planned) == 1, steps
    assert re.fullmatch(
        r"실패: 서버에서 3\.2초 동안 응답이 없음\. \d\d:\d\d:\d\d에 다시 보냅니다", planned[0]
    ), steps
    # Every step in Korean; the server's address and the MIME type as they are.
    assert [
        (step, what)
        for step, what in steps
        if english_words(f"{step} {what}", "message/cpim", "text/plain")
    ] == [], steps


def test_no_server_found_is_said_in_korean(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot, korean: None
) -> None:
    """RFC 3263 finds no server this account can use: the sentence and its reason, in Korean."""

    async def scenario() -> str:
        async with cut_world() as w:
            account = Account(aor=f"sip:alice@{DOMAIN}", registrar=w.registrar, expires=300)
            # An IPv6 socket and an IPv4 server: nothing to send to.
            app = Application(
                account,
                PASSWORDS[account.aor],
                Store.open(tmp_path / "alice.db"),
                AppOptions(listen_host="::1", timers=TIMERS, keepalive_interval=0),
            )
            app.agent.network = w.network
            ui = window(app, qtbot)
            async with running(ui.app):
                await wait_until(
                    lambda: "SIP 서버를 찾지 못했습니다" in ui.window.registration_label.text(),
                    "no server",
                )
                text = ui.window.registration_label.text()
            ui.window.hide()
        return text

    text = loop.run_until_complete(scenario())
    assert re.fullmatch(
        r"127\.0\.0\.1:5060의 SIP 서버를 찾지 못했습니다: IPv6 주소가 없음, \d+초 뒤 다시 시도",
        text,
    ), text


def test_status_lines_in_korean(qapp, tmp_path: Path) -> None:
    from ui.i18n import install_translator
    from ui.models.conversation import status_line

    store = Store.open(tmp_path / "alice.db")
    record = store.insert_outgoing(BOB, "안녕", now=1000.0)
    store.update_state(record.id, D.SENDING, now=1001.0)
    planned = store.update_state(
        record.id,
        D.FAILED,
        code=503,
        reason="Service Unavailable",
        now=1002.0,
        resend=ResendSchedule(attempts=1, resend_at=1032.0),
    )
    gave_up = store.reschedule(record.id, ResendSchedule(attempts=9, gave_up=True))
    waiting = store.update_state(record.id, D.QUEUED, now=1003.0)
    other = store.insert_outgoing(BOB, "거기 있어?", now=1004.0)
    store.update_state(other.id, D.SENDING, now=1005.0)
    # A local failure: the program's own sentence, stored in English.
    refused = store.update_state(
        other.id,
        D.FAILED,
        reason="could not reach the server (connection refused)",
        local_failure=True,
        now=1006.0,
        resend=ResendSchedule(attempts=1, resend_at=1032.0),
    )
    store.close()

    def lines() -> list[str]:
        return [
            status_line(planned),
            status_line(gave_up),
            status_line(waiting, retrying=True, connected=False),
            status_line(waiting, retrying=True),
            status_line(refused),
        ]

    install_translator(qapp, "ko")
    try:
        korean = lines()
    finally:
        install_translator(qapp, "en")
    english = lines()
    at = time.strftime("%H:%M", time.localtime(1032.0))
    assert korean == [
        f"보내지 못함: 503 Service Unavailable. {at}에 다시 보냅니다",
        "보내지 못함: 503 Service Unavailable. 24시간 동안 시도한 뒤 포기했습니다",
        "연결을 기다리는 중",
        "보내는 중…",
        f"보내지 못함: 서버에 연결할 수 없음 (연결이 거부됨). {at}에 다시 보냅니다",
    ]
    assert english == [
        f"Not sent: 503 Service Unavailable. Will try again at {at}",
        "Not sent: 503 Service Unavailable. Gave up after 24 hours",
        "Waiting for the connection",
        "Sending…",
        f"Not sent: could not reach the server (connection refused). Will try again at {at}",
    ]
