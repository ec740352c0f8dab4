"""The list models, the sort proxy and the delegates, without a network."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from softphone.sip.delivery import DeliveryState
from softphone.store import MessageRecord, Store
from ui.delegates import message_bubble
from ui.delegates.buddy import initials
from ui.delegates.message_bubble import MessageBubbleDelegate
from ui.models import buddies
from ui.models.buddies import Buddy, BuddyListModel, BuddySortProxy, status_line
from ui.models.conversation import ConversationModel
from ui.roles import Role

PEER = "sip:bob@example.test"


@pytest.fixture
def store() -> Store:
    return Store.open(":memory:")


def fill(store: Store, count: int, peer: str = PEER) -> list[MessageRecord]:
    return [store.insert_outgoing(peer, f"message {i}", now=1000.0 + i) for i in range(count)]


class FakeState:
    """A presence BuddyState with the attributes the model reads."""

    def __init__(
        self, aor: str, status: str, devices: int = 0, last_seen: float | None = None
    ) -> None:
        self.aor = aor
        self.status = status
        self.devices = tuple(object() for _ in range(devices))
        self.last_seen = last_seen
        self.detail = f"{status} detail"


# -- conversation model ----------------------------------------------------------------


def test_conversation_model_passes_modeltester(qtmodeltester, store: Store) -> None:
    fill(store, 120)
    model = ConversationModel(store, PEER, page_size=50)
    qtmodeltester.check(model)
    model.load_older()
    qtmodeltester.check(model)


def test_first_page_is_the_newest_oldest_first(store: Store) -> None:
    records = fill(store, 120)
    model = ConversationModel(store, PEER, page_size=50)
    assert model.rowCount() == 50
    assert [model.record(r).id for r in range(50)] == [r.id for r in records[70:]]
    assert model.has_more


def test_load_older_prepends_and_keeps_the_id_index(store: Store, qtbot) -> None:
    records = fill(store, 120)
    model = ConversationModel(store, PEER, page_size=50)
    newest = records[-1].id
    assert model.row_of(newest) == 49
    with qtbot.waitSignal(model.rowsInserted) as blocker:
        assert model.load_older() == 50
    assert blocker.args[1:] == [0, 49]
    assert model.row_of(newest) == 99
    assert model.row_of(records[20].id) == 0
    assert model.load_older() == 20
    assert not model.has_more
    assert model.load_older() == 0
    assert [model.record(r).id for r in range(120)] == [r.id for r in records]
    assert all(model.row_of(r.id) == i for i, r in enumerate(records))


def test_state_change_repaints_one_row_and_only_state_roles(store: Store, qtbot) -> None:
    records = fill(store, 3)
    model = ConversationModel(store, PEER)
    changed = store.update_state(
        records[1].id, DeliveryState.DECLINED, code=603, reason="Decline", now=2000.0
    )
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.update(changed)
    top, bottom, roles = blocker.args
    assert (top.row(), bottom.row()) == (1, 1)
    assert set(roles) == {Role.DELIVERY, Role.STATUS_DETAIL, Role.STATUS_LINE}
    assert model.index(1, 0).data(Role.DELIVERY) is DeliveryState.DECLINED
    assert model.index(1, 0).data(Role.STATUS_DETAIL) == "declined by recipient: 603 Decline"
    assert model.index(1, 0).data(Role.STATUS_LINE) == "Declined: 603 Decline"


def test_add_appends_only_this_peers_new_messages(store: Store) -> None:
    fill(store, 2)
    model = ConversationModel(store, PEER)
    other = store.insert_outgoing("sip:carol@example.test", "hi", now=3000.0)
    model.add(other)
    assert model.rowCount() == 2
    mine = store.insert_outgoing(PEER, "hi bob", now=3001.0)
    model.add(mine)
    model.add(mine)  # a repeated callback never shows a message twice
    assert model.rowCount() == 3
    assert model.index(2, 0).data(Role.TEXT) == "hi bob"


def test_trim_older_unloads_the_oldest_rows_and_pages_them_back(
    qtmodeltester, store: Store, qtbot
) -> None:
    records = fill(store, 120)
    model = ConversationModel(store, PEER, page_size=50)
    # As in the chat view; the tester stays connected and checks every
    # insertion and removal below.
    model.auto_fetch = False
    qtmodeltester.check(model)
    model.load_older()
    model.load_older()
    assert model.rowCount() == 120
    assert not model.has_more
    with qtbot.waitSignal(model.rowsRemoved) as blocker:
        assert model.trim_older(30) == 90
    assert blocker.args[1:] == [0, 89]
    assert [model.record(r).id for r in range(30)] == [r.id for r in records[90:]]
    assert model.row_of(records[89].id) is None
    assert model.row_of(records[-1].id) == 29
    assert model.has_more
    assert model.trim_older(30) == 0
    assert model.trim_older(100) == 0
    with pytest.raises(ValueError):
        model.trim_older(-1)
    # The unloaded rows come back as older pages, in order, with their rows indexed.
    assert model.load_older() == 50
    assert model.load_older() == 40
    assert not model.has_more
    assert [model.record(r).id for r in range(120)] == [r.id for r in records]
    assert all(model.row_of(r.id) == i for i, r in enumerate(records))
    newest = store.insert_outgoing(PEER, "after the trim", now=5000.0)
    model.add(newest)
    assert model.row_of(newest.id) == 120


def test_auto_fetch_off_hides_can_fetch_more(store: Store) -> None:
    fill(store, 60)
    model = ConversationModel(store, PEER, page_size=50)
    assert model.canFetchMore(QModelIndex())
    model.auto_fetch = False
    assert not model.canFetchMore(QModelIndex())
    assert model.has_more


def test_a_100000_message_conversation_opens_with_one_page(tmp_path: Path) -> None:
    path = tmp_path / "big.sqlite3"
    Store.open(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO conversations (peer, last_activity) VALUES (?, 0)", (PEER,))
    db.executemany(
        "INSERT INTO messages (peer, direction, body, content_type, created, updated, state)"
        " VALUES (?, 'out', ?, 'text/plain', ?, ?, 'delivered')",
        ((PEER, f"message {i}", float(i), float(i)) for i in range(100_000)),
    )
    db.commit()
    db.close()
    store = Store.open(path)
    model = ConversationModel(store, PEER)
    assert model.rowCount() == 50
    assert model.index(49, 0).data(Role.TEXT) == "message 99999"
    assert model.load_older() == 50
    assert model.index(0, 0).data(Role.TEXT) == "message 99900"
    store.close()


# -- buddy list ---------------------------------------------------------------------------


def test_buddy_models_pass_modeltester(qtmodeltester, store: Store) -> None:
    store.add_contact("sip:bob@example.test", "Bob", now=1.0)
    store.add_contact("sip:carol@example.test", "Carol", now=1.0)
    model = BuddyListModel(store)
    qtmodeltester.check(model)
    proxy = BuddySortProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)


def names(proxy: BuddySortProxy) -> list[str]:
    return [proxy.index(r, 0).data(Role.NAME) for r in range(proxy.rowCount())]


def test_online_first_then_by_name_and_filter(store: Store) -> None:
    for aor, name in (
        ("sip:zed@example.test", "Zed"),
        ("sip:bob@example.test", "bob"),
        ("sip:carol@example.test", "Carol"),
    ):
        store.add_contact(aor, name, now=1.0)
    model = BuddyListModel(store)
    proxy = BuddySortProxy()
    proxy.setSourceModel(model)
    assert names(proxy) == ["bob", "Carol", "Zed"]
    model.set_state(FakeState("sip:zed@example.test", "online", devices=2))
    assert names(proxy) == ["Zed", "bob", "Carol"]
    zed = proxy.index(0, 0)
    assert zed.data(Role.BUDDY_LINE) == "on 2 devices"
    model.set_state(FakeState("sip:zed@example.test", "offline", last_seen=time.time()))
    assert names(proxy) == ["bob", "Carol", "Zed"]
    assert proxy.index(2, 0).data(Role.BUDDY_LINE).startswith("last seen ")
    proxy.set_filter_text("CAR")
    assert names(proxy) == ["Carol"]
    proxy.set_filter_text("zed@")
    assert names(proxy) == ["Zed"]
    proxy.set_filter_text("")
    assert len(names(proxy)) == 3


def test_unread_counts_come_from_the_store_and_strangers_are_listed(store: Store) -> None:
    store.add_contact("sip:bob@example.test", "Bob", now=1.0)
    for seq in (1, 2):
        store.insert_incoming(
            "sip:stranger@example.test",
            "hi",
            content_type="text/plain",
            call_id="c",
            cseq=seq,
            from_tag="t",
            now=5.0,
            display_name="Stranger",
        )
    model = BuddyListModel(store)
    row = model.row_of("sip:stranger@example.test")
    assert row is not None
    assert model.index(row, 0).data(Role.UNREAD) == 2
    assert model.index(row, 0).data(Role.NAME) == "Stranger"
    store.set_blocked("sip:stranger@example.test", True, now=6.0)
    model.reload()
    assert model.row_of("sip:stranger@example.test") is None


def test_reload_keeps_presence_state(store: Store) -> None:
    store.add_contact("sip:bob@example.test", "Bob", now=1.0)
    model = BuddyListModel(store)
    model.set_state(FakeState("sip:bob@example.test", "online", devices=1))
    model.reload()
    assert model.lookup("sip:bob@example.test").status == buddies.ONLINE


@pytest.mark.parametrize(
    ("status", "line"),
    [
        ("online", "online"),
        ("waiting", "waiting for authorization"),
        ("not-allowed", "not allowed to see this buddy"),
        ("no-such-user", "unknown user"),
        ("offline", "offline"),
        ("unknown", ""),
    ],
)
def test_status_lines(status: str, line: str) -> None:
    assert status_line(Buddy("sip:b@x", "B", True, status=status, devices=1)) == line


def test_last_seen_today_is_a_clock_time() -> None:
    now = time.mktime((2024, 5, 6, 15, 0, 0, 0, 0, -1))
    seen = time.mktime((2024, 5, 6, 14, 2, 0, 0, 0, -1))
    earlier = time.mktime((2024, 5, 3, 14, 2, 0, 0, 0, -1))
    buddy = Buddy("sip:b@x", "B", True, status="offline", last_seen=seen)
    assert status_line(buddy, now=now) == "last seen 14:02"
    assert buddies.format_last_seen(earlier, now=now) == "3 May 14:02"


def test_initials() -> None:
    assert initials("Bob Stone") == "BS"
    assert initials("carol@example.test") == "C"
    assert initials("") == "?"
    assert initials("밥") == "밥"


# -- bubble delegate ---------------------------------------------------------------------------


def test_bubble_size_grows_with_text_and_is_cached(store: Store, qtbot) -> None:
    short = store.insert_outgoing(PEER, "hi", now=1.0)
    long = store.insert_outgoing(PEER, "word " * 200, now=2.0)
    unbroken = store.insert_outgoing(PEER, "x" * 2000, now=3.0)
    model = ConversationModel(store, PEER)
    delegate = MessageBubbleDelegate()
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 400, 0)
    sizes = [delegate.sizeHint(option, model.index(r, 0)) for r in range(3)]
    assert sizes[0].height() < sizes[1].height()
    # A word longer than a line wraps anywhere instead of overflowing.
    assert sizes[2].height() > sizes[0].height() * 3
    assert all(size.width() == 400 for size in sizes)
    assert any(key[:2] == (int(short.id), 400) for key in delegate._sizes)
    assert any(key[:2] == (int(long.id), 400) for key in delegate._sizes)
    assert any(key[:2] == (int(unbroken.id), 400) for key in delegate._sizes)
    option.rect = QRect(0, 0, 200, 0)
    narrow = delegate.sizeHint(option, model.index(1, 0))
    assert narrow.height() > sizes[1].height()
    assert narrow == QSize(200, narrow.height())


def test_cached_sizes_and_paints_lay_nothing_out_and_read_no_roles(
    store: Store, qtbot, monkeypatch
) -> None:
    for i in range(5):
        store.insert_outgoing(PEER, f"message {i} " * (i + 1), now=1.0 + i)
    model = ConversationModel(store, PEER)
    delegate = MessageBubbleDelegate()
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 400, 0)
    first = [delegate.sizeHint(option, model.index(r, 0)) for r in range(5)]
    laid_out: list[int] = []
    real_lay_out = message_bubble.lay_out

    def counting_lay_out(message, font, width, *rest):
        laid_out.append(message.id)
        return real_lay_out(message, font, width, *rest)

    roles: list[int] = []
    real_data = ConversationModel.data

    def counting_data(self, index, role=0):
        roles.append(role)
        return real_data(self, index, role)

    monkeypatch.setattr(message_bubble, "lay_out", counting_lay_out)
    monkeypatch.setattr(ConversationModel, "data", counting_data)
    again = [delegate.sizeHint(option, model.index(r, 0)) for r in range(5)]
    assert again == first
    image = QImage(400, 600, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    try:
        top = 0
        for r, size in enumerate(first):
            option.rect = QRect(0, top, 400, size.height())
            delegate.paint(painter, option, model.index(r, 0))
            top += size.height()
    finally:
        painter.end()
    # Painting uses the layouts sizeHint made; neither asks the model per role.
    assert laid_out == []
    assert roles == []


def test_state_change_keeps_the_size_and_paints_the_new_icon(
    store: Store, qtbot, monkeypatch
) -> None:
    record = store.insert_outgoing(PEER, "hello", now=1.0)
    model = ConversationModel(store, PEER)
    delegate = MessageBubbleDelegate()
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 400, 0)
    before = delegate.sizeHint(option, model.index(0, 0))
    option.rect = QRect(0, 0, 400, before.height())
    painted: list[tuple[DeliveryState, QRect]] = []
    monkeypatch.setattr(
        message_bubble, "paint_state_icon", lambda _p, rect, state: painted.append((state, rect))
    )
    image = QImage(400, before.height(), QImage.Format.Format_ARGB32_Premultiplied)

    def paint() -> None:
        painter = QPainter(image)
        try:
            delegate.paint(painter, option, model.index(0, 0))
        finally:
            painter.end()

    paint()
    model.update(store.update_state(record.id, DeliveryState.SENDING, now=2.0))
    paint()
    # Only the icon changes on the way: the same size.
    assert delegate.sizeHint(option, model.index(0, 0)) == before
    model.update(store.update_state(record.id, DeliveryState.FAILED, reason="x", now=3.0))
    # A failure adds its status line and the Retry button below the text.
    failed = delegate.sizeHint(option, model.index(0, 0))
    assert failed.height() > before.height()
    option.rect = QRect(0, 0, 400, failed.height())
    image = QImage(400, failed.height(), QImage.Format.Format_ARGB32_Premultiplied)
    paint()
    assert [state for state, _ in painted] == [
        DeliveryState.QUEUED,
        DeliveryState.SENDING,
        DeliveryState.FAILED,
    ]
    # The icon is drawn where a click asks for a retry.
    assert painted[2][1] == delegate.icon_rect(option, model.index(0, 0))
    tip = str(model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)).splitlines()
    assert tip[0] == model.record(0).detail
    assert tip[1].startswith("Sent ")


def test_bubbles_sit_right_when_sent_and_left_when_received(store: Store, qtbot) -> None:
    store.insert_outgoing(PEER, "sent", now=1.0)
    store.insert_incoming(
        PEER, "received", content_type="text/plain", call_id="c1", cseq=1, from_tag="t", now=2.0
    )
    model = ConversationModel(store, PEER)
    delegate = MessageBubbleDelegate()
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 100, 400, 60)
    sent = message_bubble.message_at(model.index(0, 0))
    received = message_bubble.message_at(model.index(1, 0))
    assert sent.outgoing
    assert not received.outgoing
    out_bubble = message_bubble.lay_out(sent, option.font, 400)
    in_bubble = message_bubble.lay_out(received, option.font, 400)
    assert out_bubble.rect.right() == 400 - 1 - message_bubble.MARGIN_X
    assert in_bubble.rect.left() == message_bubble.MARGIN_X
    # Row coordinates: the hit-test rect moves with the row.
    assert delegate.icon_rect(option, model.index(0, 0)) == out_bubble.icon.translated(0, 100)


def test_click_on_the_red_mark_asks_for_retry(store: Store, qtbot) -> None:
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent

    record = store.insert_outgoing(PEER, "hello", now=1.0)
    store.update_state(record.id, DeliveryState.SENDING, now=2.0)
    store.update_state(record.id, DeliveryState.FAILED, code=480, reason="Unavailable", now=3.0)
    model = ConversationModel(store, PEER)
    delegate = MessageBubbleDelegate()
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 400, 60)
    index = model.index(0, 0)
    center = QPointF(delegate.icon_rect(option, index).center())

    def click(at: QPointF) -> QMouseEvent:
        return QMouseEvent(
            QEvent.Type.MouseButtonRelease,
            at,
            at,
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )

    with qtbot.waitSignal(delegate.retry_requested) as blocker:
        assert delegate.editorEvent(click(center), model, option, index)
    assert blocker.args == [int(record.id)]
    with qtbot.assertNotEmitted(delegate.retry_requested):
        delegate.editorEvent(click(QPointF(5, 5)), model, option, index)
