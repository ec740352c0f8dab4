"""Block and unblock a sender from the window, with the mouse.

The window runs a real Application listening on loopback (direct mode, no
registrar); a raw UDP socket plays the sender and reads the answers off the
wire. Blocking comes from the buddy list's context menu (a right click, then
a click on "Block"); unblocking from the Conversation menu of the menu bar.
A blocked sender gets 603 Decline and nothing is stored or shown.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from softphone.app import Application, AppOptions
from softphone.config import Account
from softphone.sip import Response, parse
from softphone.store import Store
from tests.interop.harness import free_port
from tests.ui.conftest import wait_until
from ui.bridge import CoreBridge
from ui.roles import Role
from ui.windows.main_window import MainWindow

ALICE = "sip:alice@example.test"
_numbers = itertools.count(1)


class Sender:
    """alice as a raw socket: writes MESSAGEs by hand, keeps every answer."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.answers: dict[str, int] = {}

    def send(self, text: str) -> str:
        n = next(_numbers)
        call_id = f"block-{n}@127.0.0.1"
        body = text.encode()
        self.sock.sendto(
            (
                f"MESSAGE sip:bob@example.test SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{self.sock.getsockname()[1]};branch=z9hG4bKb{n}\r\n"
                f'Max-Forwards: 70\r\nFrom: "Alice" <{ALICE}>;tag=a{n}\r\n'
                f"To: <sip:bob@example.test>\r\nCall-ID: {call_id}\r\nCSeq: 1 MESSAGE\r\n"
                f"Content-Type: text/plain;charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body,
            ("127.0.0.1", self.port),
        )
        return call_id

    def answer(self, call_id: str) -> int | None:
        while True:
            try:
                data = self.sock.recv(65535)
            except BlockingIOError:
                break
            response = parse(data)
            if isinstance(response, Response) and response.status >= 200:
                self.answers[response.call_id] = response.status
        return self.answers.get(call_id)


@pytest.fixture
def sender() -> Iterator[Sender]:
    s = Sender(free_port())
    yield s
    s.sock.close()


def click_menu_item(qtbot, menu: QMenu, text: str) -> None:
    """Click the item called *text* of an open menu, with the mouse."""
    [act] = [a for a in menu.actions() if a.text().replace("&", "") == text]
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(act).center())


def test_block_from_context_menu_then_unblock_from_menu_bar(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot, sender: Sender
) -> None:
    account = Account(aor="sip:bob@example.test", local_port=sender.port)
    app = Application(
        account, None, Store.open(tmp_path / "bob.db"), AppOptions("127.0.0.1", register=False)
    )
    window = MainWindow(app, CoreBridge(app))
    qtbot.addWidget(window)
    window.show()

    async def scenario() -> None:
        await app.start()
        try:
            first = sender.send("hello before the block")
            await wait_until(lambda: sender.answer(first) == 200, "200 to the first message")
            row = window.buddies.row_of(ALICE)
            assert row is not None
            ix = window.sorted_buddies.mapFromSource(window.buddies.index(row, 0))
            view = window.buddy_view
            rect = view.visualRect(ix)
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            assert window.chat.peer == ALICE
            assert not window.block_action.isChecked()

            # Right click on alice: the context menu event a right click makes.
            QApplication.sendEvent(
                view.viewport(),
                QContextMenuEvent(
                    QContextMenuEvent.Reason.Mouse,
                    rect.center(),
                    view.viewport().mapToGlobal(rect.center()),
                ),
            )
            menu = window.buddy_menu
            assert menu is not None
            assert [a.text() for a in menu.actions()][-1] == "Block"
            await wait_until(menu.isVisible, "the context menu")
            click_menu_item(qtbot, menu, "Block")
            assert app.store.is_blocked(ALICE)
            assert window.block_action.isChecked()
            assert window.chat.subtitle.text().endswith("blocked")

            second = sender.send("sent while blocked")
            await wait_until(lambda: sender.answer(second) is not None, "an answer")
            assert sender.answer(second) == 603
            bodies = [m.body for m in app.store.messages(ALICE)]
            assert bodies == ["hello before the block"]
            model = window.chat.model
            assert model is not None
            assert [model.index(r, 0).data(Role.TEXT) for r in range(model.rowCount())] == bodies

            # Unblock: Conversation menu of the menu bar, "Block sender" unchecked.
            bar = window.menuBar()
            [conversation] = [
                a for a in bar.actions() if a.text().replace("&", "") == "Conversation"
            ]
            qtbot.mouseClick(
                bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(conversation).center()
            )
            popup = conversation.menu()
            assert isinstance(popup, QMenu)
            await wait_until(popup.isVisible, "the Conversation menu")
            click_menu_item(qtbot, popup, "Block sender")
            assert not app.store.is_blocked(ALICE)
            assert not window.block_action.isChecked()

            third = sender.send("after the unblock")
            await wait_until(lambda: sender.answer(third) is not None, "an answer")
            assert sender.answer(third) == 200
            assert [m.body for m in app.store.messages(ALICE)] == [
                "hello before the block",
                "after the unblock",
            ]
        finally:
            await app.stop()
            window.hide()

    loop.run_until_complete(scenario())


def test_block_action_is_off_without_a_conversation(
    loop: qasync.QEventLoop, tmp_path: Path, qtbot
) -> None:
    app = Application(
        Account(aor="sip:bob@example.test"),
        None,
        Store.open(tmp_path / "bob.db"),
        AppOptions("127.0.0.1", register=False),
    )
    window = MainWindow(app, CoreBridge(app))
    qtbot.addWidget(window)
    assert not window.block_action.isEnabled()
