"""Quitting while a message is on its way: the draft and the message outlive the app.

`softphone registrar` and Bob's `softphone listen` run as the commands a
person starts; Alice is the window (`ui.main.main()`, the app as launched),
registered over UDP on loopback. Then the registrar, or Bob's program, is
stopped (SIGSTOP: alive, silent), so the message typed next stays on the
wire, retransmitted, and the one after it waits behind it. A draft is typed
(its Korean through an input method's commit, as a Hangul keyboard sends
it) and the app is quit within the draft's save delay: with Ctrl+Q, as the
desktop session ending does, or with the tray's Quit after closing the
window. Started again on the same database, the window shows the draft; the
message on the wire failed as "closed before the server answered", to be
resent, and the other is still queued. Nothing is logged as an error on the
way out, and no draft is reported unsaved.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.sip.delivery import DeliveryState, FailureKind
from softphone.store import MessageRecord, Store
from tests.ui.conftest import registered, visible_window, wait_until
from tests.ui.test_window_memory import window
from tests.ui.test_window_registrar_gone import PASSWORDS, command, read_json
from ui import main as ui_main
from ui.roles import Role
from ui.windows.chat_view import DRAFT_SAVE_MS
from ui.windows.main_window import MainWindow

D = DeliveryState
DOMAIN = "example.com"
BOB = f"sip:bob@{DOMAIN}"
DRAFT = "see you: 안녕하세요, 내일 봐요"


@contextmanager
def start_registrar(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`softphone registrar` for alice and bob, and the address it listens on."""
    users = tmp_path / "users.toml"
    users.write_text(
        "[users]\n"
        + "".join(f'"sip:{user}@{DOMAIN}" = "{pw}"\n' for user, pw in PASSWORDS.items()),
        encoding="utf-8",
    )
    with command(
        tmp_path,
        *("registrar", "--users", str(users), "--domain", DOMAIN),
        *("--host", "127.0.0.1", "--port", "0"),
    ) as registrar:
        line = read_json(registrar, lambda line: line.get("event") == "listening")
        yield registrar, str(line["address"])


@contextmanager
def start_bob(tmp_path: Path, server: str) -> Iterator[subprocess.Popen[bytes]]:
    """Bob's `softphone listen`, registered at *server*."""
    with command(
        tmp_path,
        *("listen", "--aor", BOB, "--registrar", server),
        *("--password-env", "PW_BOB", "--listen-host", "127.0.0.1"),
        *("--db", str(tmp_path / "bob.sqlite3")),
    ) as bob:
        read_json(bob, lambda line: line.get("state") == "registered")
        yield bob


def type_draft(qtbot, win: MainWindow) -> None:
    """Type the draft: Latin letters as keys, Hangul as an input method commits it."""
    composer = win.chat.composer
    composer.setFocus()
    latin, _, korean = DRAFT.partition(" ")
    qtbot.keyClicks(composer, latin)
    qtbot.keyClick(composer, Qt.Key.Key_Space)
    event = QInputMethodEvent()
    event.setCommitString(korean)
    QApplication.sendEvent(composer, event)
    assert composer.toPlainText() == DRAFT


def send_typed(qtbot, win: MainWindow, text: str) -> MessageRecord:
    composer = win.chat.composer
    composer.setFocus()
    qtbot.keyClicks(composer, text)
    qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert composer.toPlainText() == ""
    model = win.chat.model
    assert model is not None
    return model.record(model.rowCount() - 1)


def shown_state(win: MainWindow, message_id: int) -> DeliveryState:
    model = win.chat.model
    assert model is not None
    row = model.row_of(message_id)
    assert row is not None
    return model.index(row, 0).data(Role.DELIVERY)


def run_main(
    loop: qasync.QEventLoop,
    args: argparse.Namespace,
    user: Callable[[MainWindow], Awaitable[None]],
) -> int:
    """`ui.main.main(args)` with *user* acting on its window; the exit code."""

    async def acting() -> None:
        await wait_until(lambda: visible_window() is not None, "the window")
        await user(visible_window())

    async def scenario() -> int:
        driver = asyncio.ensure_future(acting())
        try:
            code = await ui_main.main(args)
        finally:
            if not driver.done():
                driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)
        driver.result()
        return code

    return int(loop.run_until_complete(scenario()))


def assert_kept(db: Path, ids: list[int]) -> None:
    """The draft, and the messages in a state that is sent again."""
    store = Store.open(db)
    try:
        assert store.draft(BOB) == DRAFT
        for message_id in ids:
            record = store.message(message_id)  # type: ignore[arg-type]
            assert record.state is D.QUEUED or (
                record.state is D.FAILED and record.resend_at is not None
            ), record
    finally:
        store.close()


def errors_and_lost_drafts(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.levelname} {r.name}: {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or "draft" in r.getMessage()
    ]


@pytest.mark.parametrize(
    ("how", "silent"),
    [
        # The server hangs: unsubscribing and unregistering wait for it.
        ("ctrl+q", "registrar"),
        # The server answers at once (the quit takes milliseconds) and
        # relays the message to Bob, whose program hangs.
        ("session ends", "bob"),
        # README: closing the window leaves the app in the tray; its Quit quits.
        ("tray", "bob"),
    ],
)
def test_quit_with_a_message_on_the_wire_keeps_the_draft_and_the_message(
    how: str,
    silent: str,
    loop: qasync.QEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("PW_ALICE", PASSWORDS["alice"])
    monkeypatch.setattr("softphone.launch.default_config_path", lambda: tmp_path / "none.toml")
    db = tmp_path / "alice.db"
    ids: list[int] = []
    with (
        start_registrar(tmp_path) as (registrar, server),
        start_bob(tmp_path, server) as bob,
    ):
        args = argparse.Namespace(
            command="gui",
            config=None,
            aor=f"sip:alice@{DOMAIN}",
            registrar=server,
            password_env="PW_ALICE",
            db=db,
            listen_host="127.0.0.1",
        )
        hung = registrar if silent == "registrar" else bob

        async def first_run(win: MainWindow) -> None:
            await wait_until(
                lambda: win.registration_label.text() == f"Registered as alice@{DOMAIN}",
                "registered",
            )
            win.add_buddy(BOB, "Bob")
            win.open_conversation(BOB)
            # Alive and silent: what goes now stays on the wire.
            hung.send_signal(signal.SIGSTOP)
            one = send_typed(qtbot, win, "one")
            two = send_typed(qtbot, win, "two")
            ids.extend((int(one.id), int(two.id)))
            await wait_until(lambda: shown_state(win, one.id) is D.SENDING, "one on the wire")
            typed = time.monotonic()
            type_draft(qtbot, win)
            caplog.clear()
            if how == "ctrl+q":
                qtbot.keyClick(win, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
            elif how == "tray":
                assert win.tray is not None
                win.tray.available = True
                win.close()
                assert not win.isVisible()  # still running, in the tray
                win.tray.quit_action.trigger()
            else:
                app = QApplication.instance()
                assert app is not None
                app.aboutToQuit.emit()
            # Quit before the draft's own save: only the quit can keep it.
            assert time.monotonic() - typed < DRAFT_SAVE_MS / 1000

        try:
            assert run_main(loop, args, first_run) == 0
        finally:
            hung.send_signal(signal.SIGCONT)
        # The window goes as Qt ends: nothing may be written to a closed store.
        loop.run_until_complete(asyncio.sleep(DRAFT_SAVE_MS / 1000 + 0.2))
        for widget in QApplication.topLevelWidgets():
            widget.close()
    assert_kept(db, ids)
    assert errors_and_lost_drafts(caplog) == []

    shown: dict[str, object] = {}

    async def second_run(win: MainWindow) -> None:
        model = win.buddy_view.model()
        rows = (model.index(row, 0) for row in range(model.rowCount()))
        shown["marked"] = next(ix.data(Role.DRAFT) for ix in rows if ix.data(Role.ID) == BOB)
        win.open_conversation(BOB)
        shown["draft"] = win.chat.composer.toPlainText()
        shown["records"] = [win.store.message(i) for i in ids]  # type: ignore[arg-type]
        win.quit_action.trigger()

    # The registrar is gone now: the restarted app only finds its store.
    caplog.clear()
    assert run_main(loop, args, second_run) == 0
    assert shown["marked"] == DRAFT  # Bob's row says a draft waits
    assert shown["draft"] == DRAFT
    one, two = shown["records"]  # type: ignore[misc]
    # One's answer never came: failed as "closed before the server
    # answered", to be sent again with the same identity; two never left.
    assert one.state is D.FAILED and one.resend_at is not None, one
    assert one.reason == FailureKind.CLOSED_BEFORE_ANSWER.reason, one
    assert two.state is D.QUEUED, two
    assert errors_and_lost_drafts(caplog) == []


def test_the_core_stopped_under_the_window_keeps_its_draft_and_messages(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot, caplog: pytest.LogCaptureFixture
) -> None:
    """As the tests' harness stops the app: `await app.stop()`, then the window closes."""
    caplog.set_level(logging.INFO)
    db = tmp_path / "alice.db"
    ids: list[int] = []
    with start_registrar(tmp_path) as (registrar, server):
        account = Account(aor=f"sip:alice@{DOMAIN}", registrar=server, expires=300)
        app = Application(
            account, PASSWORDS["alice"], Store.open(db), AppOptions(listen_host="127.0.0.1")
        )
        ui = window(app, qtbot)
        win = ui.window

        async def scenario() -> None:
            await app.start()
            try:
                await registered(app)
                win.add_buddy(BOB, "Bob")
                win.open_conversation(BOB)
                # Gone: the kernel refuses what is sent next, and again.
                registrar.kill()
                registrar.wait()
                one = send_typed(qtbot, win, "one")
                two = send_typed(qtbot, win, "two")
                ids.extend((int(one.id), int(two.id)))
                await wait_until(lambda: shown_state(win, one.id) is D.SENDING, "one sending")
                type_draft(qtbot, win)
                caplog.clear()
            finally:
                await app.stop()

        loop.run_until_complete(scenario())
        loop.run_until_complete(asyncio.sleep(DRAFT_SAVE_MS / 1000 + 0.2))
        win.close()
    assert_kept(db, ids)
    assert errors_and_lost_drafts(caplog) == []
