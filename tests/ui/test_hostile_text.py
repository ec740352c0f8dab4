"""Hostile names and bodies from the network are shown literally, bounded, never as rich text.

The window runs a real Application on loopback (direct mode); a raw UDP
socket sends MESSAGEs whose From display names and bodies are HTML, a
20000x20000 image, an RTL override, control characters and 10,000
characters. Every place a peer's text appears is then read: the buddy list
(name, tooltip), the chat header, the bubbles, the notification, the trace
window's tooltip.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.sip import Response, parse
from softphone.store import Store
from tests.interop.harness import free_port
from tests.ui.conftest import wait_until
from ui.bridge import CoreBridge
from ui.plain import MAX_LINE, one_line
from ui.roles import Role
from ui.windows.main_window import MainWindow

FORGED = '<b style="color:green">Alice (verified by example.com)</b>'
IMAGE = '<img src="file:///dev/zero" width=20000 height=20000>'
RTL = "invoice\u202egnp.exe"
LONG = "W" * 10_000
_numbers = itertools.count(1)


async def send_message(port: int, user: str, display_name: str, body: str) -> None:
    """Send one MESSAGE from a raw socket and wait (on the loop) for its 200."""
    n = next(_numbers)
    call_id = f"hostile-{n}@127.0.0.1"
    name = display_name.replace("\\", "\\\\").replace('"', '\\"')
    data = body.encode()
    answers: list[int] = []

    def answered() -> bool:
        try:
            answer = parse(sock.recv(65535))
        except BlockingIOError:
            return False
        if isinstance(answer, Response) and answer.status >= 200:
            answers.append(answer.status)
        return bool(answers)

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        sock.sendto(
            (
                f"MESSAGE sip:bob@example.test SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{sock.getsockname()[1]};branch=z9hG4bKh{n}\r\n"
                f'Max-Forwards: 70\r\nFrom: "{name}" <sip:{user}@example.test>;tag=h{n}\r\n'
                f"To: <sip:bob@example.test>\r\nCall-ID: {call_id}\r\nCSeq: 1 MESSAGE\r\n"
                f"Content-Type: text/plain;charset=utf-8\r\nContent-Length: {len(data)}\r\n\r\n"
            ).encode()
            + data,
            ("127.0.0.1", port),
        )
        await wait_until(answered, "the answer")
    assert answers == [200]


CASES = {
    "forged": (FORGED, f"{FORGED} says hi"),
    "image": (IMAGE, IMAGE),
    "rtl": (RTL, f"open {RTL} now"),
    "control": ("Bell", "ring\x07\x1b[31m red\x00 end"),
    "long": (LONG, LONG),
}


@pytest.fixture
def window(loop: qasync.QEventLoop, tmp_path: Path, qtbot) -> Iterator[MainWindow]:
    port = free_port()
    app = Application(
        Account(aor="sip:bob@example.test", local_port=port),
        None,
        Store.open(tmp_path / "bob.db"),
        AppOptions("127.0.0.1", register=False),
    )
    win = MainWindow(app, CoreBridge(app))
    qtbot.addWidget(win)
    win.show()
    win.port = port  # type: ignore[attr-defined]
    loop.run_until_complete(app.start())
    yield win
    loop.run_until_complete(app.stop())


def label_is_plain_and_small(label: QLabel) -> None:
    assert label.textFormat() == Qt.TextFormat.PlainText
    # Rendered as rich text, the image alone would ask for 20000 px.
    assert label.sizeHint().height() < 200
    assert label.sizeHint().width() < 3000


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_sender_is_shown_literally_everywhere(
    loop: qasync.QEventLoop, window: MainWindow, qtbot, case: str
) -> None:
    name, body = CASES[case]
    peer = f"sip:{case}@example.test"

    async def scenario() -> None:
        window.open_trace()  # the trace window records from now on
        await send_message(window.port, case, name, body)  # type: ignore[attr-defined]
        await wait_until(lambda: window.buddies.row_of(peer) is not None, "the buddy row")

    loop.run_until_complete(scenario())
    row = window.buddies.row_of(peer)
    assert row is not None
    ix = window.buddies.index(row, 0)
    shown_name = ix.data(Role.NAME)
    # The buddy is named by its address (a name is the user's, never taken
    # from a message); were the display name shown, it would be literal,
    # bounded and without the override.
    assert shown_name in (peer.removeprefix("sip:"), one_line(name))
    assert len(shown_name) <= MAX_LINE
    assert "\u202e" not in shown_name and "\x07" not in shown_name
    assert (
        one_line(name)
        == {
            "forged": FORGED,
            "image": IMAGE,
            "rtl": "invoice\ufffdgnp.exe",
            "control": "Bell",
            "long": "W" * (MAX_LINE - 1) + "…",
        }[case]
    )
    tooltip = str(ix.data(Qt.ItemDataRole.ToolTipRole))
    assert "<b" not in tooltip and "<img" not in tooltip

    # The notification (the window is not focused under the test).
    tray = window.tray
    if tray is not None and tray.last_notification is not None:
        note = tray.last_notification
        assert note.title == shown_name
        assert len(note.body) <= 200 and "\u202e" not in note.body and "\x1b" not in note.body

    window.open_conversation(peer)
    label_is_plain_and_small(window.chat.title)
    label_is_plain_and_small(window.chat.subtitle)
    assert window.chat.title.text() == shown_name
    model = window.chat.model
    assert model is not None
    [shown_body] = [model.index(r, 0).data(Role.TEXT) for r in range(model.rowCount())]
    assert "\u202e" not in shown_body and "\x00" not in shown_body and "\x1b" not in shown_body
    if case in ("forged", "image", "long"):
        assert shown_body == body  # the markup as characters, the whole text
    if case in ("forged", "image", "rtl", "control"):
        # The bubble is laid out as plain text: the image is not an image.
        hint = window.chat.view.sizeHintForIndex(model.index(0, 0))
        assert 0 < hint.height() < 400, hint

    trace = window._trace_window
    assert trace is not None
    tips = [
        str(trace.model.index(r, c).data(Qt.ItemDataRole.ToolTipRole))
        for r in range(trace.model.rowCount())
        for c in range(trace.model.columnCount())
    ]
    assert tips and all("<img" not in tip and "<b " not in tip for tip in tips)
