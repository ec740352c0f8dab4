"""One conversation's history as a list model, loaded from the store in pages.

The model holds only the pages loaded so far (oldest first, newest at the
bottom), so opening a conversation of 100,000 messages reads one indexed
page. A message id maps to its row in O(1); a state change repaints one
row and only the roles that changed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from softphone.resend_policy import HELD, WINDOW
from softphone.sip.delivery import DeliveryState
from softphone.store import Direction, MessageId, MessageRecord, Store
from ui.core_text import delivery_text, local_reason
from ui.dates import day_label, full_time, same_day
from ui.plain import body_text, one_line, tooltip_html
from ui.roles import Role

ModelIndex = QModelIndex | QPersistentModelIndex

#: Messages read per page.
PAGE_SIZE = 50
#: Messages from one side closer together than this are drawn as a group.
GROUP_SECONDS = 300


@dataclass(frozen=True, slots=True)
class RowMarks:
    """What is drawn above a message besides its bubble."""

    #: The date separator ("Today", "Monday 23 November"), when the day changes here.
    day: str | None = None
    #: The "New messages" line: the first message the user has not read.
    new_messages: bool = False
    #: Follows a message from the same side shortly before: drawn close to it.
    grouped: bool = False


def tooltip(record: MessageRecord) -> str:
    """A bubble's tooltip: when, and for a sent message what became of it."""
    when = full_time(record.created)
    if record.direction is Direction.IN:
        return QCoreApplication.translate("conversation", "Received {when}").format(when=when)
    # The state first: it is what a sender looks for.
    return QCoreApplication.translate("conversation", "{state}\nSent {when}").format(
        when=when, state=status_tooltip(record)
    )


def status_tooltip(record: MessageRecord) -> str:
    """The state sentence, with the time a receipt said so ("read by the recipient at 14:02").

    READ comes only from a receipt, and so does DELIVERED without a response
    code (a 202 upgraded by a delivery receipt); the store's update time of
    such a message is when the receipt came.
    """
    by_receipt = record.state is DeliveryState.READ or (
        record.state is DeliveryState.DELIVERED and record.code is None and not record.reason
    )
    detail = delivery_text(record.state, record.code, record.reason, local=record.local_failure)
    if record.direction is not Direction.OUT or not by_receipt:
        return detail
    return QCoreApplication.translate("conversation", "{state} at {time}").format(
        state=detail, time=time.strftime("%H:%M", time.localtime(record.updated))
    )


def failure_text(record: MessageRecord) -> str:
    """Why a message did not go: the local sentence (in the window's language), or
    the code and reason it got."""
    if record.local_failure:
        return local_reason(record.reason)
    if record.code is None:
        return record.reason
    return f"{record.code} {record.reason}".rstrip()


def status_line(record: MessageRecord, *, retrying: bool = False, connected: bool = True) -> str:
    """The line a sent bubble shows under its text ("" for none).

    A failed message says why and what happens next ("Not sent: no answer
    from the server after 32 s. Will try again at 10:32", "... Gave up
    after 24 hours"); a declined one the recipient's answer; a message on
    its way again after a failure (the user's Retry, *retrying*, or an
    automatic resend) says "Sending…", or, while it waits because the
    account is not *connected*, "Waiting for the connection". A message
    kept back behind an earlier one that waits for its resend says so.
    """
    if record.direction is not Direction.OUT:
        return ""
    translate = QCoreApplication.translate
    state = record.state
    if state is DeliveryState.FAILED:
        # The reason phrase comes from the network: one plain line.
        reason = one_line(failure_text(record), 200)
        if record.resend_at is not None:
            return translate("conversation", "Not sent: {reason}. Will try again at {time}").format(
                reason=reason, time=time.strftime("%H:%M", time.localtime(record.resend_at))
            )
        if record.gave_up:
            return translate(
                "conversation", "Not sent: {reason}. Gave up after {hours} hours"
            ).format(reason=reason, hours=f"{WINDOW / 3600:g}")
        return translate("conversation", "Not sent: {reason}").format(reason=reason)
    if state is DeliveryState.DECLINED:
        reason = one_line(failure_text(record), 200)
        return translate("conversation", "Declined: {reason}").format(reason=reason)
    held = state is DeliveryState.QUEUED and record.reason == HELD
    if held and connected:
        # Never sent: it follows an earlier message that waits for its resend.
        return translate("conversation", "Waiting for the earlier message to go first")
    if held or (
        state in (DeliveryState.QUEUED, DeliveryState.SENDING) and (retrying or record.attempts > 0)
    ):
        if state is DeliveryState.QUEUED and not connected:
            # Not on its way: it goes when the account is registered again.
            return translate("conversation", "Waiting for the connection")
        return translate("conversation", "Sending…")
    return ""


class ConversationModel(QAbstractListModel):
    """The messages exchanged with one peer.

    `canFetchMore` / `fetchMore` page older history in while `auto_fetch`
    is true. A chat view, which keeps its newest row visible, sets it false
    and calls `load_older()` when scrolled to the top, since Qt's views
    fetch whenever the *last* row is visible.
    """

    def __init__(
        self, store: Store, peer: str, *, page_size: int = PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.peer = peer
        self.page_size = page_size
        self.auto_fetch = True
        self._rows: list[MessageRecord] = []
        # id -> sequence number; row = sequence - _first_seq. Prepending a
        # page lowers _first_seq instead of renumbering every row.
        self._seq: dict[int, int] = {}
        self._first_seq = 0
        #: The first unread message, where the "New messages" line goes.
        self.first_unread: int | None = None
        #: Messages the user asked to send again, until they have an answer.
        self._retrying: set[int] = set()
        #: Whether messages can go out now (the account is registered).
        self.connected = True
        # One message more than a page is read: the one just above the
        # first row decides that row's date separator and grouping, so they
        # do not change (and the rows do not move) when older pages load.
        first = store.messages(peer, limit=page_size + 1)
        self._has_more = len(first) > page_size
        self._previous: MessageRecord | None = first.pop(0) if self._has_more else None
        self._has_newer = False
        self._rows = first
        for offset, record in enumerate(first):
            self._seq[record.id] = offset

    # -- Qt model API -----------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Rows loaded so far (a list model has no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The message at *index* for *role* (see `Role`)."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole or role == Role.TEXT:
            return body_text(record.body)
        if role == Role.ID:
            return int(record.id)
        if role == Role.DIRECTION:
            return record.direction
        if role == Role.DELIVERY:
            return record.state
        if role == Role.STATUS_DETAIL:
            return one_line(status_tooltip(record), 400)
        if role == Qt.ItemDataRole.ToolTipRole:
            # The reason phrase comes from the peer: shown literally.
            return tooltip_html(tooltip(record))
        if role == Role.TIME:
            return record.created
        if role == Role.STATUS_LINE:
            return self.status_line(index.row())
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return one_line(f"{record.body} ({status_tooltip(record)})", 1000)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Messages can be selected (to copy or retry) but not edited."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def canFetchMore(self, parent: ModelIndex) -> bool:
        """True while older history is left and automatic fetching is on."""
        return not parent.isValid() and self.auto_fetch and self._has_more

    def fetchMore(self, parent: ModelIndex) -> None:
        """Load one older page (see `load_older`) while `canFetchMore` holds.

        Checked here too: Qt's model tester calls this without asking, even
        while rows are being removed.
        """
        if self.canFetchMore(parent):
            self.load_older()

    # -- paging and updates -------------------------------------------------------

    @property
    def has_more(self) -> bool:
        """True while the store holds messages older than the first row."""
        return self._has_more

    def load_older(self) -> int:
        """Put the next older page above the first row; returns the rows added."""
        if not self._has_more:
            return 0
        before = self._rows[0].id if self._rows else None
        page = self.store.messages(self.peer, before_id=before, limit=self.page_size + 1)
        self._has_more = len(page) > self.page_size
        self._previous = page.pop(0) if self._has_more else None
        # A page may overlap rows appended meanwhile only if ids went
        # backwards, which SQLite AUTOINCREMENT rules out; still, never
        # show one message twice.
        page = [record for record in page if record.id not in self._seq]
        if not page:
            self._has_more = False
            return 0
        self.beginInsertRows(QModelIndex(), 0, len(page) - 1)
        self._first_seq -= len(page)
        for offset, record in enumerate(page):
            self._seq[record.id] = self._first_seq + offset
        self._rows[:0] = page
        self.endInsertRows()
        return len(page)

    @property
    def has_newer(self) -> bool:
        """True while the rows end before the newest message (after `jump_to`)."""
        return self._has_newer

    def jump_to(self, message_id: MessageId) -> None:
        """Show the history around *message_id*: a page each side of it.

        A find far back in a long history lands here instead of loading
        every message in between, which a list view would have to lay out.
        Newer pages come back with `load_newer`; `show_newest` returns to
        the end of the conversation. Already loaded: nothing changes.
        """
        if message_id in self._seq:
            return
        half = max(1, self.page_size // 2)
        # One more than half: the message above the first row (`_previous`).
        older = self.store.messages(self.peer, before_id=MessageId(message_id + 1), limit=half + 1)
        newer = self.store.messages_after(self.peer, after_id=message_id, limit=half)
        self._reset(older + newer, has_more=len(older) > half, has_newer=len(newer) == half)

    def load_newer(self) -> int:
        """Put the next newer page below the last row; returns the rows added."""
        if not self._has_newer or not self._rows:
            return 0
        page = self.store.messages_after(
            self.peer, after_id=self._rows[-1].id, limit=self.page_size
        )
        page = [record for record in page if record.id not in self._seq]
        self._has_newer = len(page) == self.page_size
        if not page:
            return 0
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row + len(page) - 1)
        for offset, record in enumerate(page):
            self._seq[record.id] = self._first_seq + row + offset
        self._rows.extend(page)
        self.endInsertRows()
        return len(page)

    def show_newest(self) -> None:
        """Back to the newest page (after `jump_to`); nothing to do otherwise."""
        if self._has_newer:
            first = self.store.messages(self.peer, limit=self.page_size + 1)
            self._reset(first, has_more=len(first) > self.page_size, has_newer=False)

    def _reset(self, rows: list[MessageRecord], *, has_more: bool, has_newer: bool) -> None:
        # With has_more, rows[0] is the message above the first row shown.
        self.beginResetModel()
        self._previous = rows.pop(0) if has_more else None
        self._rows = rows
        self._first_seq = 0
        self._seq = {record.id: offset for offset, record in enumerate(rows)}
        self._has_more = has_more
        self._has_newer = has_newer
        self.endResetModel()

    def trim_older(self, keep: int) -> int:
        """Unload all but the newest *keep* rows; returns the rows removed.

        A view that follows new messages calls this so that the rows it
        lays out again on every append stay bounded; the removed messages
        come back through `load_older` like any older page.

        Raises:
            ValueError: *keep* is negative.
        """
        if keep < 0:
            raise ValueError(f"keep must not be negative, not {keep}")
        removed = len(self._rows) - keep
        if removed <= 0:
            return 0
        self.beginRemoveRows(QModelIndex(), 0, removed - 1)
        self._previous = self._rows[removed - 1]
        for record in self._rows[:removed]:
            del self._seq[record.id]
        del self._rows[:removed]
        self._first_seq += removed
        self._has_more = True
        self.endRemoveRows()
        return removed

    def marks(self, row: int, *, now: float | None = None) -> RowMarks:
        """The separator, "New messages" line and grouping of *row*.

        Raises:
            IndexError: no such row.
        """
        record = self.record(row)
        previous = self._rows[row - 1] if row > 0 else self._previous
        new_messages = record.id == self.first_unread
        day = None
        if previous is None or not same_day(previous.created, record.created):
            day = day_label(record.created, now=now)
        grouped = (
            previous is not None
            and day is None
            and not new_messages
            and previous.direction is record.direction
            and 0 <= record.created - previous.created < GROUP_SECONDS
        )
        return RowMarks(day=day, new_messages=new_messages, grouped=grouped)

    def row_of(self, message_id: int) -> int | None:
        """The row showing *message_id*, or None when it is not loaded."""
        seq = self._seq.get(message_id)
        return None if seq is None else seq - self._first_seq

    def record(self, row: int) -> MessageRecord:
        """The stored message at *row*.

        Raises:
            IndexError: no such row.
        """
        if not 0 <= row < len(self._rows):
            raise IndexError(row)
        return self._rows[row]

    def add(self, record: MessageRecord) -> None:
        """Append a new message of this conversation (ignored if already shown).

        While the rows end before the newest message (`has_newer`), the new
        one is not appended: it is on disk, and `load_newer` brings it.
        """
        if record.peer != self.peer or record.id in self._seq or self._has_newer:
            return
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._seq[record.id] = self._first_seq + row
        self._rows.append(record)
        self.endInsertRows()

    def remove(self, message_id: int) -> None:
        """Take a deleted message off the list (ignored when not loaded)."""
        row = self.row_of(message_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._seq = {record.id: offset for offset, record in enumerate(self._rows)}
        self._first_seq = 0
        self.endRemoveRows()

    def update(self, record: MessageRecord) -> None:
        """Show a message's new delivery state; repaint only that row."""
        if record.state.is_final:
            self._retrying.discard(record.id)
        row = self.row_of(record.id)
        if row is None:
            return
        self._rows[row] = record
        ix = self.index(row, 0)
        self.dataChanged.emit(ix, ix, [Role.DELIVERY, Role.STATUS_DETAIL, Role.STATUS_LINE])

    def set_connected(self, connected: bool) -> list[int]:
        """Messages can go out now, or not; the rows whose line may say otherwise."""
        if connected == self.connected:
            return []
        self.connected = connected
        rows = [
            row
            for row, record in enumerate(self._rows)
            if record.direction is Direction.OUT and record.state is DeliveryState.QUEUED
        ]
        for row in rows:
            ix = self.index(row, 0)
            self.dataChanged.emit(ix, ix, [Role.STATUS_LINE])
        return rows

    def mark_retrying(self, message_id: int) -> None:
        """The user asked to send *message_id* again: "Sending…" until it is answered."""
        self._retrying.add(message_id)

    def status_line(self, row: int) -> str:
        """The line under the bubble at *row* (see `status_line`).

        Raises:
            IndexError: no such row.
        """
        record = self.record(row)
        if record.direction is not Direction.OUT or record.state in (
            DeliveryState.DELIVERED,
            DeliveryState.READ,
            DeliveryState.ACCEPTED,
        ):
            return ""  # the common case, asked for every row on each layout
        return status_line(record, retrying=record.id in self._retrying, connected=self.connected)

    def message_id(self, row: int) -> MessageId:
        """The id of the message at *row*.

        Raises:
            IndexError: no such row.
        """
        return self.record(row).id
