"""The SIP trace window: filters, full text, no credentials, bounded history."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from softphone.sip.auth import credentials, make_challenge
from softphone.sip.message import Request, Response
from softphone.trace import Direction, TraceEntry, redact
from softphone.transport.base import Address, TransportKind
from tests.helpers import make_request
from ui.windows.trace_window import TraceModel, TraceWindow

LOCAL = Address("127.0.0.1", 5062)
REGISTRAR = Address("192.0.2.10", 5060)
BOB = Address("198.51.100.7", 5070)
_clock = itertools.count(1_700_000_000)


def entry(
    message: Request | Response,
    direction: Direction = Direction.OUT,
    remote: Address = REGISTRAR,
    *,
    redacted: bool = True,
    transport: TransportKind = TransportKind.UDP,
) -> TraceEntry:
    data = bytes(message)
    return TraceEntry(
        time=float(next(_clock)),
        direction=direction,
        transport=transport,
        local=LOCAL,
        remote=remote,
        data=redact(data) if redacted else data,
    )


def message_to_bob(body: bytes = b"hello bob", call_id: str = "c1@host") -> Request:
    return make_request("MESSAGE", uri="sip:bob@example.com", body=body, call_id=call_id)


def digest_register() -> tuple[Request, str]:
    """A REGISTER carrying real digest credentials, and the response value in them."""
    challenge = make_challenge(realm="example.com", nonce="a1b2c3d4e5")
    creds = credentials(
        challenge,
        method="REGISTER",
        uri="sip:example.com",
        username="alice",
        password="alice-secret",
        cnonce="0a4f113b",
    )
    assert creds.response is not None and len(creds.response) == 32
    request = make_request(
        "REGISTER",
        uri="sip:example.com",
        body=b"",
        extra=[("Authorization", str(creds)), ("Contact", "<sip:alice@127.0.0.1:5062>")],
    )
    return request, creds.response


def sample_entries() -> list[TraceEntry]:
    register = make_request("REGISTER", uri="sip:example.com", body=b"", call_id="r1@host")
    message = message_to_bob(b"lunch at noon?", call_id="m1@host")
    return [
        entry(register),
        entry(Response.for_request(register, 200, to_tag="reg1"), Direction.IN),
        entry(message, remote=BOB, transport=TransportKind.TCP),
        entry(Response.for_request(message, 404), Direction.IN, remote=BOB),
    ]


@pytest.fixture
def window(qtbot: QtBot) -> TraceWindow:
    win = TraceWindow()
    qtbot.addWidget(win)
    for item in sample_entries():
        win.add_entry(item)
    return win


def cells(win: TraceWindow, row: int) -> list[str]:
    proxy = win.proxy
    return [proxy.data(proxy.index(row, col)) for col in range(proxy.columnCount())]


def test_columns_show_time_direction_transport_peer_and_first_line(window: TraceWindow) -> None:
    first, reply, message, not_found = (cells(window, r) for r in range(4))
    assert first[1:] == ["→", "UDP", "192.0.2.10:5060", "REGISTER sip:example.com SIP/2.0"]
    assert reply[1:] == ["←", "UDP", "192.0.2.10:5060", "SIP/2.0 200 OK"]
    assert message[1:4] == ["→", "TCP", "198.51.100.7:5070"]
    assert not_found[4] == "SIP/2.0 404 Not Found"
    assert len(first[0]) == len("12:34:56.789") and first[0][2] == ":"
    headers = [window.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(5)]
    assert headers == ["Time", "", "Transport", "Peer", "Message"]


def test_filter_by_first_line_peer_and_whole_text(window: TraceWindow) -> None:
    window.set_filter("register")
    assert [r.first_line for r in window.visible_rows()] == ["REGISTER sip:example.com SIP/2.0"]
    window.set_filter("198.51.100.7")
    assert [r.method for r in window.visible_rows()] == ["MESSAGE", "MESSAGE"]
    # Body text matches only when the whole message is searched.
    window.set_filter("lunch")
    assert window.visible_rows() == []
    window.set_filter("lunch", whole_message=True)
    assert [r.first_line for r in window.visible_rows()] == ["MESSAGE sip:bob@example.com SIP/2.0"]
    window.set_filter("")
    assert len(window.visible_rows()) == 4
    assert window.count_label.text() == "4 messages"
    window.set_filter("404")
    assert window.count_label.text() == "1 of 4 messages shown"


def test_kind_filter_classifies_responses_by_their_cseq(window: TraceWindow) -> None:
    window.set_filter("", kind="MESSAGE")
    assert [r.first_line for r in window.visible_rows()] == [
        "MESSAGE sip:bob@example.com SIP/2.0",
        "SIP/2.0 404 Not Found",
    ]
    window.set_filter("", kind="Errors (3xx–6xx)")
    assert [r.status for r in window.visible_rows()] == [404]
    window.set_filter("", kind="Requests")
    assert [r.status for r in window.visible_rows()] == [None, None]
    with pytest.raises(KeyError):
        window.set_filter("", kind="INVITE")


def test_typing_in_the_filter_box_filters(qtbot: QtBot, window: TraceWindow) -> None:
    qtbot.keyClicks(window.filter_edit, "200 ok")
    assert [r.status for r in window.visible_rows()] == [200]


def test_selecting_a_row_shows_the_whole_message(window: TraceWindow) -> None:
    assert window.detail.isReadOnly()
    assert window.detail.font().fixedPitch() or window.detail.font().styleHint() != 0
    window.select_row(2)
    text = window.detail.toPlainText()
    assert "MESSAGE sip:bob@example.com SIP/2.0" in text
    assert "Call-ID: m1@host" in text
    assert text.endswith("lunch at noon?")
    assert "sent to 198.51.100.7:5070 over TCP" in text


@pytest.mark.parametrize("redacted", [True, False], ids=["redacted", "raw"])
def test_a_digest_response_is_never_shown_or_copied(
    qtbot: QtBot, window: TraceWindow, redacted: bool
) -> None:
    request, response = digest_register()
    assert response.encode() in bytes(request)  # the raw message does carry it
    window.add_entry(entry(request, redacted=redacted))
    model = window.model
    row = model.rowCount() - 1
    for column in range(model.columnCount()):
        index = model.index(row, column)
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            assert response not in str(model.data(index, role))
    assert response not in model.row_at(row).text
    window.set_filter(response, whole_message=True)
    assert window.visible_rows() == []
    window.set_filter("")
    window.select_row(row)
    shown = window.detail.toPlainText()
    assert "Authorization: <redacted>" in shown
    assert response not in shown
    window.copy_selected()
    copied = QGuiApplication.clipboard().text()
    assert "REGISTER sip:example.com" in copied
    assert response not in copied


def test_history_is_capped_oldest_first(qtbot: QtBot) -> None:
    win = TraceWindow(capacity=10)
    qtbot.addWidget(win)
    for n in range(25):
        win.add_entry(entry(message_to_bob(call_id=f"n{n}@host")))
    assert win.model.rowCount() == 10
    call_ids = [r.text.split("Call-ID: ", 1)[1].split("\r\n", 1)[0] for r in win.visible_rows()]
    assert call_ids == [f"n{n}@host" for n in range(15, 25)]
    assert "oldest are dropped" in win.count_label.text()


def test_history_is_capped_by_characters_too() -> None:
    model = TraceModel(capacity=1000, max_chars=2000)
    big = entry(message_to_bob(body=b"x" * 700))
    size = len(row_text(big))
    for _ in range(10):
        model.append(big)
    assert model.total_chars <= 2000
    assert model.rowCount() == 2000 // size
    huge = entry(message_to_bob(body=b"y" * 5000))
    model.append(huge)
    assert model.rowCount() == 1
    assert model.total_chars == 2000


def row_text(item: TraceEntry) -> str:
    return redact(item.data).decode()


def test_default_history_bound_is_five_thousand() -> None:
    assert TraceModel().capacity == 5000
    with pytest.raises(ValueError):
        TraceModel(capacity=0)


def test_copy_takes_every_selected_message(qtbot: QtBot, window: TraceWindow) -> None:
    window.view.selectAll()
    window.copy_action.trigger()
    copied = QGuiApplication.clipboard().text()
    assert copied.count("SIP/2.0") >= 4
    assert copied.index("REGISTER sip:example.com") < copied.index("SIP/2.0 404 Not Found")


def test_clear_empties_table_and_text(window: TraceWindow) -> None:
    window.select_row(0)
    assert window.detail.toPlainText()
    window.clear_action.trigger()
    assert window.model.rowCount() == 0
    assert window.detail.toPlainText() == ""
    assert window.count_label.text() == "0 messages"


def test_escape_closes(qtbot: QtBot, window: TraceWindow) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = TraceModel(capacity=3)
    for item in sample_entries():
        model.append(item)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 3
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(model.index(0, 0), TraceModel.ROW_ROLE) is model.row_at(0)
    assert model.data(QModelIndex()) is None


def test_the_window_accepts_the_agent_argument_without_observing_it(qtbot: QtBot) -> None:
    class Agent:
        def __init__(self) -> None:
            self.observers: list[object] = []

        def add_observer(self, observer: object) -> None:
            self.observers.append(observer)

    agent = Agent()
    win = TraceWindow(agent)
    qtbot.addWidget(win)
    # The main window feeds add_entry; a second observer would double every line.
    assert agent.observers == []
    assert win.isWindow()


def test_failures_stand_out_but_challenges_do_not(qtbot: QtBot) -> None:
    win = TraceWindow()
    qtbot.addWidget(win)
    request = message_to_bob()
    for status in (200, 401, 404, 503):
        win.add_entry(entry(Response.for_request(request, status), Direction.IN))
    colours = [
        win.model.data(win.model.index(row, 4), Qt.ItemDataRole.ForegroundRole) for row in range(4)
    ]
    assert colours[0] is None and colours[1] is None
    assert colours[2] is not None and colours[3] is not None
