"""The conversation pane: a header, the message list, a find bar and the composer.

One `QListView` over a `ConversationModel`, painted by
`MessageBubbleDelegate`: never a widget per message. The composer sends on
Enter and keeps a draft per conversation, so nothing typed is lost when the
user switches to another buddy and back.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from softphone.services.messaging import UDP_BODY_LIMIT
from softphone.sip.delivery import DeliveryState
from softphone.store import Direction, MessageId, NotFound, Store
from ui.delegates.bubble_links import BubbleLinks
from ui.delegates.message_bubble import (
    RETRYABLE,
    MessageBubbleDelegate,
    layout_key,
    layout_lines,
)
from ui.models.conversation import ConversationModel
from ui.plain import MAX_LINE, one_line
from ui.roles import Role

log = logging.getLogger(__name__)

#: How long after the last key the draft is written to the store.
DRAFT_SAVE_MS = 600
#: Rows kept loaded while the list follows new messages. Every append lays
#: out each loaded row again (QListView has no cheaper path for rows of
#: different heights), so older rows are unloaded past this, a page at a
#: time, and paged back in when the user scrolls up.
FOLLOW_ROWS = 100
#: The message list's scroll bar: a thin handle on the list's own background.
SCROLL_BAR_STYLE = """
QScrollBar:vertical { background: palette(base); width: 10px; margin: 0; }
QScrollBar::handle:vertical {
    background: #c4c4c4; border-radius: 3px; min-height: 32px; margin: 2px;
}
QScrollBar::handle:vertical:hover, QScrollBar::handle:vertical:pressed { background: #9e9e9e; }
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; border: none; }
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical { background: none; }
"""


class FindEdit(QLineEdit):
    """The find field: Enter finds the next (older) match, Shift+Enter the previous."""

    next_requested = Signal()
    previous_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.previous_requested.emit()
            else:
                self.next_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class Composer(QPlainTextEdit):
    """Enter sends; Shift+Enter starts a new line."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Turn a plain Enter into `submitted`."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class HistoryView(QListView):
    """The message list; loads an older page when scrolled to the top."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setMouseTracking(True)
        self.setUniformItemSizes(False)
        bar = self.verticalScrollBar()
        # Flat: each append moves the handle, and the default style's
        # gradient groove took longer to repaint than all the bubbles.
        bar.setStyleSheet(SCROLL_BAR_STYLE)
        bar.valueChanged.connect(self._on_scrolled)
        self._stick_to_bottom = True
        # One queued follow per burst of appends, however many rows came.
        self._follow_queued = False

    def conversation(self) -> ConversationModel | None:
        """The model shown, if any."""
        model = self.model()
        return model if isinstance(model, ConversationModel) else None

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick_to_bottom = value >= bar.maximum() - 4
        model = self.conversation()
        if value == bar.minimum() and model is not None and model.has_more and bar.maximum() > 0:
            self.load_older_keeping_position()
        elif value == bar.maximum() and model is not None and model.has_newer:
            # Showing an older part of the history (a find): page newer in.
            model.load_newer()

    def load_older_keeping_position(self) -> int:
        """Load one older page; the rows on screen stay where they are."""
        model = self.conversation()
        if model is None:
            return 0
        bar = self.verticalScrollBar()
        from_bottom = bar.maximum() - bar.value()
        added = model.load_older()
        if added:
            self.doItemsLayout()
            bar.setValue(bar.maximum() - from_bottom)
        return added

    def scroll_to_newest(self) -> None:
        """Show the last message.

        `scrollToBottom` runs the layout a model change scheduled, if one is
        pending, before it reads the scroll range; laying out again here
        would size every loaded row twice.
        """
        self._follow_queued = False
        model = self.conversation()
        if model is not None:
            model.show_newest()
        if model is not None and model.rowCount() > FOLLOW_ROWS + model.page_size:
            # Removed before the layout runs, so that layout is the only one.
            model.trim_older(FOLLOW_ROWS)
        self.scrollToBottom()

    def rowsInserted(
        self, parent: QModelIndex | QPersistentModelIndex, start: int, end: int
    ) -> None:
        """Follow new messages when the user is at the bottom already."""
        super().rowsInserted(parent, start, end)
        model = self.conversation()
        if (
            model is not None
            and end == model.rowCount() - 1
            and not model.has_newer
            and self._stick_to_bottom
            and not self._follow_queued
        ):
            # Queued, so a burst of appends is laid out once, before the
            # next paint.
            self._follow_queued = True
            QTimer.singleShot(0, self.scroll_to_newest)

    def changeEvent(self, event: QEvent) -> None:
        """A new font makes every cached bubble size and layout stale."""
        if event.type() == QEvent.Type.FontChange:
            delegate = self.itemDelegate()
            if isinstance(delegate, MessageBubbleDelegate):
                delegate.forget_layouts()
        super().changeEvent(event)


class ChatView(QWidget):
    """Shows one conversation and sends what the user types.

    Emits `send_requested(peer, text)` and `retry_requested(message_id)`;
    the main window calls the core and feeds results back through the
    bridge.
    """

    send_requested = Signal(str, str)
    retry_requested = Signal(int)
    #: A message of this conversation was deleted (the peer's address).
    message_deleted = Signal(str)
    #: The kept draft of a conversation changed: (peer, text; "" for none).
    draft_changed = Signal(str, str)
    #: The user edited the draft for a peer: (peer, draft is not empty).
    draft_edited = Signal(str, bool)
    #: What is on screen may have changed (scroll, new rows, another peer):
    #: the window checks which received messages a person could now read.
    viewed = Signal()
    #: The user asked for a message's details (context menu or Ctrl+Shift+I;
    #: Ctrl+I is the buddy's details).
    details_requested = Signal(int)
    #: A link in a message was clicked (a `ui.delegates.bubble_links.LinkSpan`).
    link_activated = Signal(object)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.peer: str | None = None
        # Whether messages can go out now (the window says, from the registration).
        self._connected = True
        self.model: ConversationModel | None = None
        #: Whether a message over the UDP limit can go over TCP (set by the window).
        self.tcp_available: Callable[[], bool] = lambda: True
        # Typing writes the draft to the store a moment after the last key,
        # so a crash or quit loses at most that moment.
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_SAVE_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        # (peer, text) the store holds as the open conversation's draft: a
        # window closed after its core stopped (and closed the store) has
        # nothing left to write.
        self._kept: tuple[str, str] | None = None

        # Names and addresses come from the network: plain text, never rich.
        self.title = QLabel("")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setObjectName("chatTitle")
        self.title.setStyleSheet("font-weight: bold; font-size: 13pt;")
        self.subtitle = QLabel("")
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle.setStyleSheet("color: #6b6b6b;")
        header = QVBoxLayout()
        header.setSpacing(0)
        header.addWidget(self.title)
        header.addWidget(self.subtitle)
        # RFC 3994: "Alice is typing…", shown while her indication lasts.
        self.typing_label = QLabel("")
        self.typing_label.setAccessibleName(self.tr("Typing"))
        self.typing_label.setStyleSheet("color: #1565c0; font-style: italic;")
        self.typing_label.setTextFormat(Qt.TextFormat.PlainText)
        self.typing_label.hide()
        header.addWidget(self.typing_label)

        self.find_bar = QWidget()
        self.find_edit = FindEdit()
        self.find_edit.setPlaceholderText(self.tr("Find in this conversation"))
        self.find_edit.setAccessibleName(self.tr("Find in conversation"))
        self.find_edit.next_requested.connect(self.find_next)
        self.find_edit.previous_requested.connect(self.find_previous)
        self.find_status = QLabel("")
        close_find = QToolButton()
        close_find.setText("✕")
        close_find.setAccessibleName(self.tr("Close find bar"))
        close_find.clicked.connect(self.close_find)
        row = QHBoxLayout(self.find_bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.find_edit)
        row.addWidget(self.find_status)
        row.addWidget(close_find)
        self.find_bar.hide()

        self.view = HistoryView()
        self.view.setAccessibleName(self.tr("Messages"))
        self.delegate = MessageBubbleDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.delegate.retry_requested.connect(self.retry)
        self.links = BubbleLinks(self.view)
        self.links.activated.connect(self.link_activated)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        # One check of what is in view per burst of scrolling or appends.
        self._view_timer = QTimer(self)
        self._view_timer.setSingleShot(True)
        self._view_timer.setInterval(150)
        self._view_timer.timeout.connect(self.viewed)
        self.view.verticalScrollBar().valueChanged.connect(lambda _v: self._view_timer.start())
        self.details_action = QAction(self.tr("Message details"), self)
        self.details_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.details_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.details_action.triggered.connect(self._details_of_current)
        self.addAction(self.details_action)
        # The Retry button's key: the selected bubble, when it did not go.
        self.retry_action = QAction(self.tr("Retry"), self)
        self.retry_action.setShortcut(QKeySequence("Ctrl+R"))
        self.retry_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.retry_action.triggered.connect(self._retry_current)
        self.addAction(self.retry_action)

        self.composer = Composer()
        self.composer.setAccessibleName(self.tr("Message text"))
        self.composer.setPlaceholderText(
            self.tr("Write a message (Enter sends, Shift+Enter: new line)")
        )
        self.composer.setFixedHeight(64)
        # Tab and Shift+Tab move the focus on; a tab character is rarely meant.
        self.composer.setTabChangesFocus(True)
        self.composer.submitted.connect(self.submit)
        self.composer.textChanged.connect(self._update_counter)
        self.composer.textChanged.connect(self._draft_timer.start)
        self.composer.textChanged.connect(self._on_draft_edited)
        self._loading_draft = False
        self.counter = QLabel("")
        self.counter.setAccessibleName(self.tr("Message size"))
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setAccessibleName(self.tr("Send message"))
        self.send_button.clicked.connect(self.submit)
        side = QVBoxLayout()
        side.addWidget(self.send_button)
        side.addWidget(self.counter)
        side.addStretch(1)
        composer_row = QHBoxLayout()
        composer_row.addWidget(self.composer, 1)
        composer_row.addLayout(side)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.view, 1)
        layout.addLayout(composer_row)
        self.set_peer(None)

    # -- conversation -------------------------------------------------------------

    def set_peer(self, peer: str | None, title: str = "") -> None:
        """Show the conversation with *peer*; the current draft is kept in the store."""
        self.save_draft()
        self.peer = peer
        old = self.model
        if peer is None:
            self.model = None
            self.view.setModel(None)
            self.title.setText(self.tr("No conversation"))
            self.subtitle.setText(
                self.tr("Pick a conversation, or press Ctrl+K to go to one, Ctrl+N to start one")
            )
        else:
            self.model = ConversationModel(self.store, peer, parent=self)
            self.model.auto_fetch = False
            self.model.connected = self._connected
            self.model.first_unread = self._first_unread(self.model)
            self.view.setModel(self.model)
            self.title.setText(one_line(title or peer))
            self.subtitle.setText(one_line(peer) if title and title != peer else "")
            self.view.scroll_to_newest()
            QTimer.singleShot(0, self.view.scroll_to_newest)
        if old is not None:
            old.deleteLater()
        enabled = peer is not None
        self.composer.setEnabled(enabled)
        self.send_button.setEnabled(enabled)
        self.set_typing(None)
        self.composer.blockSignals(True)
        draft = self.store.draft(peer) if peer else ""
        self._kept = (peer, draft) if peer else None
        self.composer.setPlainText(draft)
        self.composer.blockSignals(False)
        self._view_timer.start()
        self.composer.moveCursor(self.composer.textCursor().MoveOperation.End)
        self._update_counter()

    def _first_unread(self, model: ConversationModel) -> int | None:
        """The oldest unread message shown, where "New messages" goes (None: all read)."""
        unread = next((c.unread for c in self.store.conversations() if c.peer == model.peer), 0)
        first = None
        for row in range(model.rowCount() - 1, -1, -1):
            if unread <= 0:
                break
            record = model.record(row)
            if record.direction is Direction.IN:
                first = int(record.id)
                unread -= 1
        return first

    def shown_marks(self, row: int) -> tuple[str | None, bool]:
        """The date separator drawn above *row* (or None) and whether "New messages" is.

        Raises:
            IndexError: no such row.
        """
        option, index = self._row_option(row)
        bubble = self.delegate.bubble(option, index)
        return bubble.day, bubble.new_rect is not None

    def set_typing(self, name: str | None) -> None:
        """Show "*name* is typing…" under the header, or hide it (None)."""
        if name is None:
            self.typing_label.hide()
            self.typing_label.setText("")
            return
        self.typing_label.setText(
            self.tr("{name} is typing…").format(name=one_line(name, MAX_LINE))
        )
        self.typing_label.show()

    def _on_draft_edited(self) -> None:
        if self._loading_draft or self.peer is None:
            return
        self.draft_edited.emit(self.peer, bool(self.composer.toPlainText().strip()))

    def visible_incoming(self) -> list[int]:
        """Ids of received messages whose bubble is on screen now, at least in part."""
        model = self.model
        if model is None or not self.view.isVisible():
            return []
        viewport = self.view.viewport().rect()
        top = self.view.indexAt(viewport.topLeft())
        first = top.row() if top.isValid() else 0
        ids: list[int] = []
        for row in range(first, model.rowCount()):
            rect = self.view.visualRect(model.index(row, 0))
            if rect.top() > viewport.bottom():
                break
            if rect.intersects(viewport) and model.record(row).direction is Direction.IN:
                ids.append(int(model.record(row).id))
        return ids

    def _details_of_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.details_requested.emit(int(index.data(Role.ID)))

    def set_subtitle(self, text: str) -> None:
        """The line under the title (the buddy's address and state)."""
        self.subtitle.setText(one_line(text, 2 * MAX_LINE))

    def draft(self, peer: str) -> str:
        """What is typed for *peer* (shown now or kept in the store)."""
        if peer == self.peer:
            return self.composer.toPlainText()
        return self.store.draft(peer)

    def save_draft(self) -> None:
        """Write the open conversation's composer text to the store now."""
        self._draft_timer.stop()
        peer = self.peer
        if peer is None:
            return
        text = self.composer.toPlainText()
        if self._kept == (peer, text):
            return
        try:
            kept = self.store.draft(peer)
            if text == kept or (not text.strip() and not kept):
                self._kept = (peer, text)
                return
            self.store.set_draft(peer, text, now=time.time())
        except Exception:  # the disk, or a store already closed: the text stays on screen
            log.warning("cannot keep the draft for %s", peer, exc_info=True)
            return
        self._kept = (peer, text)
        self.draft_changed.emit(peer, text if text.strip() else "")

    def _row_option(self, row: int) -> tuple[QStyleOptionViewItem, QModelIndex]:
        model = self.model
        if model is None:
            raise IndexError(row)
        index = model.index(row, 0)
        if not index.isValid():
            raise IndexError(row)
        option = QStyleOptionViewItem()
        self.view.initViewItemOption(option)
        option.rect = self.view.visualRect(index)
        return option, index

    def shown_lines(self, row: int) -> list[str]:
        """The lines the bubble at *row* shows, as wrapped on screen now.

        Raises:
            IndexError: no such row.
        """
        option, index = self._row_option(row)
        return layout_lines(self.delegate.bubble(option, index).layout)

    def bubble_rect(self, row: int) -> QRectF:
        """The bubble at *row*, in viewport coordinates.

        Raises:
            IndexError: no such row.
        """
        option, index = self._row_option(row)
        return self.delegate.bubble(option, index).rect.translated(option.rect.topLeft())

    # -- sending --------------------------------------------------------------------

    def submit(self) -> None:
        """Ask to send the composer's text (blank text is ignored)."""
        text = self.composer.toPlainText()
        if self.peer is None or not text.strip():
            return
        self.send_requested.emit(self.peer, text)

    def clear_composer(self) -> None:
        """Empty the composer after the text was stored for sending."""
        self._loading_draft = True
        self.composer.clear()
        self._loading_draft = False

    def _update_counter(self) -> None:
        size = len(self.composer.toPlainText().encode("utf-8"))
        if size <= UDP_BODY_LIMIT:
            # Nothing to say: any message this size goes as it is.
            self.counter.setText("")
            self.counter.setToolTip("")
            return
        if self.tcp_available():
            # RFC 3428 5: over the UDP limit the message goes over TCP.
            self.counter.setStyleSheet("")
            self.counter.setText(self.tr("Long: sent over TCP"))
            self.counter.setToolTip(
                self.tr("{size} bytes: more than {limit}, so it is sent over TCP").format(
                    size=size, limit=UDP_BODY_LIMIT
                )
            )
        else:
            self.counter.setStyleSheet("color: palette(link-visited); font-weight: bold;")
            self.counter.setText(self.tr("Too long for this account"))
            self.counter.setToolTip(
                self.tr("{size} bytes: this account can send at most {limit}; shorten it").format(
                    size=size, limit=UDP_BODY_LIMIT
                )
            )

    # -- model updates --------------------------------------------------------------

    def show_added(self, record: object) -> None:
        """Append a new message if it belongs to the open conversation."""
        if self.model is None:
            return
        if self.model.has_newer and getattr(record, "direction", None) is Direction.OUT:
            # Sent while reading an older part of the history: show the end.
            self.view.scroll_to_newest()
        self.model.add(record)  # type: ignore[arg-type]
        self._view_timer.start()

    def show_state(self, record: object) -> None:
        """Repaint a message whose delivery state changed.

        When its status line or Retry button comes or goes the bubble's
        height changes, and the view is told to lay that row out again.
        """
        model = self.model
        if model is None:
            return
        row = model.row_of(getattr(record, "id", -1))
        before = None if row is None else layout_key(model.index(row, 0), 0)[3:]
        model.update(record)  # type: ignore[arg-type]
        if row is not None and layout_key(model.index(row, 0), 0)[3:] != before:
            self.delegate.sizeHintChanged.emit(model.index(row, 0))

    def set_connected(self, connected: bool) -> None:
        """Whether messages can go out now: a message sent again says "Sending…" or waits."""
        self._connected = connected
        model = self.model
        if model is None:
            return
        for row in model.set_connected(connected):
            self.delegate.sizeHintChanged.emit(model.index(row, 0))

    # -- retry ------------------------------------------------------------------------

    def retry(self, message_id: int) -> None:
        """Ask to send a failed message again now; its bubble says "Sending…" at once."""
        model = self.model
        if model is not None:
            model.mark_retrying(message_id)
        self.retry_requested.emit(message_id)

    def _retry_current(self) -> None:
        index = self.view.currentIndex()
        if (
            index.isValid()
            and index.data(Role.DIRECTION) is Direction.OUT
            and index.data(Role.DELIVERY) in RETRYABLE
        ):
            self.retry(int(index.data(Role.ID)))

    def status_text(self, row: int) -> str:
        """The status line the bubble at *row* shows ("" for none).

        Raises:
            IndexError: no such row.
        """
        option, index = self._row_option(row)
        status = self.delegate.bubble(option, index).status
        return "" if status is None else status.text().replace("\u2028", "\n")

    def retry_button(self, row: int) -> QRect | None:
        """The Retry button of the bubble at *row*, in viewport coordinates (None: none).

        Raises:
            IndexError: no such row.
        """
        option, index = self._row_option(row)
        return self.delegate.button_rect(option, index)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        menu = QMenu(self)
        copy = QAction(self.tr("Copy text"), menu)
        copy.triggered.connect(lambda: _copy(str(index.data(Role.TEXT))))
        menu.addAction(copy)
        if index.data(Role.DIRECTION) is Direction.OUT and index.data(Role.DELIVERY) in RETRYABLE:
            retry = QAction(self.tr("Retry"), menu)
            retry.setShortcut(self.retry_action.shortcut())
            message_id = int(index.data(Role.ID))
            retry.triggered.connect(lambda: self.retry(message_id))
            menu.addAction(retry)
        delete = QAction(self.tr("Delete message"), menu)
        delete_id = int(index.data(Role.ID))
        delete.triggered.connect(lambda: self.delete_message(delete_id))
        menu.addAction(delete)
        details = QAction(str(index.data(Role.STATUS_DETAIL)), menu)
        details.setEnabled(False)
        menu.addAction(details)
        timeline = QAction(self.tr("Message details…"), menu)
        timeline.setShortcut(self.details_action.shortcut())
        message = int(index.data(Role.ID))
        timeline.triggered.connect(lambda: self.details_requested.emit(message))
        menu.addAction(timeline)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def delete_message(self, message_id: int) -> None:
        """Delete one message from this computer (the peer keeps theirs)."""
        with contextlib.suppress(NotFound):
            self.store.delete_message(MessageId(message_id))
        if self.model is not None:
            self.model.remove(message_id)
        self.delegate.forget_layouts()
        self.message_deleted.emit(self.peer or "")

    # -- find -------------------------------------------------------------------------

    def open_find(self) -> None:
        """Show the find bar and focus it (Ctrl+F)."""
        self.find_bar.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def close_find(self) -> None:
        """Hide the find bar; focus returns to the composer."""
        self.find_bar.hide()
        self.find_status.setText("")
        self.composer.setFocus()

    def find_next(self) -> bool:
        """Select the next older message containing the find text (Enter).

        The whole conversation in the store is searched, ignoring case; past
        the oldest match it wraps to the newest. Returns True if found.
        """
        return self._find(older=True)

    def find_previous(self) -> bool:
        """Select the next newer match (Shift+Enter); past the newest, wrap to the oldest."""
        return self._find(older=False)

    def _find(self, *, older: bool) -> bool:
        text = self.find_edit.text()
        model = self.model
        if model is None or not text:
            return False
        current = self.view.currentIndex()
        anchor = model.message_id(current.row()) if current.isValid() else None
        peer = model.peer
        if older:
            found = self.store.find_message(peer, text, before_id=anchor)
            if found is None and anchor is not None:
                found = self.store.find_message(peer, text)  # wrap to the newest
        else:
            found = None
            if anchor is not None:
                found = self.store.find_message(peer, text, after_id=anchor)
            if found is None:
                found = self.store.find_message(peer, text, after_id=MessageId(0))
        if found is None:
            self.find_status.setText(self.tr("Not found"))
            return False
        model.jump_to(found)
        row = model.row_of(found)
        assert row is not None
        ix = model.index(row, 0)
        self.view.setCurrentIndex(ix)
        self.view.scrollTo(ix, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.find_status.setText("")
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc closes the find bar."""
        if event.matches(QKeySequence.StandardKey.Cancel) and self.find_bar.isVisible():
            self.close_find()
            return
        super().keyPressEvent(event)


def _copy(text: str) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText(text)


__all__ = ["ChatView", "Composer", "DeliveryState", "HistoryView"]
