"""The main window: buddy list on the left, the conversation on the right.

It talks to the core only through `Application`'s public objects (send,
retry, store, presence) and the `CoreBridge` signals; it never builds a
SIP message.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPoint,
    QSettings,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from softphone.account import Account
from softphone.app import Application
from softphone.blocking import normalize_address
from softphone.buddy import BuddyState, BuddyStatus
from softphone.config import default_config_path
from softphone.link import LinkError, SipLink, parse_link
from softphone.services.messaging import MessageRefused
from softphone.services.registration import RegistrationState, RegistrationStatus
from softphone.store import Direction, MessageId, MessageRecord, NotFound
from softphone.trace import TraceEntry
from softphone.transport.base import TransportKind
from ui.bridge import CoreBridge
from ui.core_text import from_english, translated
from ui.delegates.bubble_links import LinkKind, LinkSpan
from ui.delegates.buddy import BuddyDelegate
from ui.models.buddies import BuddyListModel, BuddySortProxy, status_line
from ui.plain import one_line
from ui.roles import Role
from ui.windows.buddy_details import BuddyDetails
from ui.windows.chat_view import ChatView
from ui.windows.quick_switcher import QuickSwitcher
from ui.windows.trace_window import TraceWindow
from ui.windows.tray import Tray

log = logging.getLogger(__name__)


def registration_text(status: RegistrationStatus) -> str:
    """The status-bar sentence for a registration status, in the window's language."""
    if status.phrase is not None:
        return translated(status.phrase)
    text = status.text
    if (
        status.state is RegistrationState.FAILED
        and status.retry_in is not None
        and "trying again" not in text
    ):
        text = QCoreApplication.translate(
            "MainWindow", "{text}, trying again in {seconds} s"
        ).format(text=text, seconds=f"{status.retry_in:.0f}")
    return text


#: What a new registration depends on: a change to any of these re-registers.
_CONNECTION_FIELDS = (
    "aor",
    "display_name",
    "username",
    "registrar",
    "outbound_proxy",
    "transport",
    "local_port",
    "expires",
    "password_env",
    "dns_server",
    "keepalive_interval",
    "accept_direct",
)


def _needs_new_core(old: Account, new: Account) -> bool:
    return any(getattr(old, name) != getattr(new, name) for name in _CONNECTION_FIELDS)


#: Preference keys in `window_settings()`.
QUIT_ON_CLOSE_KEY = "window/quit_on_close"
TOLD_HIDDEN_KEY = "window/told_hidden_to_tray"


def window_settings(directory: str | None = None) -> QSettings:
    """The window's preferences: an INI file in *directory* (default: the user's config)."""
    if directory is None:
        return QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, "softphone", "window"
        )
    return QSettings(f"{directory}/window.ini", QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    """Buddies, conversation, composer and the registration state in words.

    Emits `quit_requested` for Ctrl+Q, the Quit menu item and closing the
    window; `ui.main` then unregisters and ends the event loop.
    """

    quit_requested = Signal()
    #: The account dialog was saved with changes that need a new registration:
    #: (Account, the typed password or None for unchanged).
    account_changed = Signal(object, object)

    def __init__(
        self,
        app: Application,
        bridge: CoreBridge,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        demo: bool = False,
    ) -> None:
        super().__init__(parent)
        #: The demo's made-up account: nothing here may touch the real
        #: settings file or keyring.
        self.demo = demo
        #: The window's own preferences (close to tray or quit, said once).
        self.settings = settings if settings is not None else window_settings()
        self.app = app
        self.bridge = bridge
        self.store = app.store
        #: Where Account... saves the settings.
        self.config_path: Path = default_config_path()
        #: The account dialog while it is open.
        self.account_dialog: Any = None
        # The password is asked once per account, not on every failure.
        self._password_asked = False
        self._trace_window: TraceWindow | None = None
        self._trace_backlog: list[TraceEntry] = []
        self.tray: Tray | None = None
        self.switcher: QuickSwitcher | None = None
        self.details: BuddyDetails | None = None
        self._details_aor: str | None = None
        self._last_state: dict[str, BuddyState] = {}
        # Ending in the application's display name, so the platform does not
        # append it a second time (QPlatformWindow::formatWindowTitle).
        self.setWindowTitle(f"{app.account.aor.removeprefix('sip:')} — Softphone")
        self.buddy_menu: QMenu | None = None  # the last context menu, for tests
        self.resize(980, 640)

        # Buddies
        self.buddies = BuddyListModel(self.store, self)
        self.sorted_buddies = BuddySortProxy(self)
        self.sorted_buddies.setSourceModel(self.buddies)
        self.buddy_filter = QLineEdit()
        self.buddy_filter.setPlaceholderText(self.tr("Search conversations and buddies"))
        self.buddy_filter.setAccessibleName(self.tr("Search conversations and buddies"))
        self.buddy_filter.setClearButtonEnabled(True)
        self.buddy_filter.textChanged.connect(self._filter_buddies)
        # Arrows and Enter in the search box choose from the list below
        # without taking the focus out of the box.
        self.buddy_filter.installEventFilter(self)
        self._filtering = False
        add = QToolButton()
        add.setText("+")
        add.setToolTip(self.tr("Add a buddy"))
        add.setAccessibleName(self.tr("Add buddy"))
        add.clicked.connect(self.add_buddy)
        self.buddy_view = QListView()
        self.buddy_view.setAccessibleName(self.tr("Buddies"))
        self.buddy_view.setModel(self.sorted_buddies)
        self.buddy_view.setItemDelegate(BuddyDelegate(self.buddy_view))
        self.buddy_view.setUniformItemSizes(True)
        self.buddy_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.buddy_view.customContextMenuRequested.connect(self._buddy_menu)
        self.buddy_view.selectionModel().currentChanged.connect(self._on_buddy_selected)
        # Enter or a click chooses; moving through the list only shows.
        self.buddy_view.activated.connect(self._on_buddy_chosen)
        self.buddy_view.clicked.connect(self._on_buddy_chosen)
        # No row moves under the pointer: sorting waits until it leaves.
        self.buddy_view.viewport().installEventFilter(self)
        top = QHBoxLayout()
        top.addWidget(self.buddy_filter, 1)
        top.addWidget(add)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addLayout(top)
        left_layout.addWidget(self.buddy_view, 1)

        # Conversation
        self.chat = ChatView(self.store)
        self.chat.send_requested.connect(self.send)
        self.chat.retry_requested.connect(self.retry)
        self.chat.message_deleted.connect(self._on_message_deleted)
        self.chat.draft_changed.connect(self.buddies.set_draft)
        self.chat.tcp_available = self._tcp_available
        # Before ui.main ends the loop: the open conversation's draft is kept.
        self.quit_requested.connect(self.chat.save_draft)
        self.chat.draft_edited.connect(self._on_draft_edited)
        self.chat.viewed.connect(self.report_displayed)
        self.chat.details_requested.connect(self.show_details)
        #: Opens a web link from a message: the desktop's browser (tests put their own).
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.chat.link_activated.connect(self.follow_link)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.chat)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 680])
        self.setCentralWidget(splitter)

        self.registration_label = QLabel(self.tr("Not registered"))
        # Reason phrases come from the server: plain text.
        self.registration_label.setTextFormat(Qt.TextFormat.PlainText)
        self.registration_label.setAccessibleName(self.tr("Registration state"))
        self.statusBar().addWidget(self.registration_label, 1)

        self._build_menus()
        self._connect_bridge(bridge)
        self._watch_contacts()
        self._make_tray()
        self._show_first_status()

    def _connect_bridge(self, bridge: CoreBridge) -> None:
        bridge.message_added.connect(self._on_message_added)
        bridge.message_state.connect(self.chat.show_state)
        bridge.registration_changed.connect(self.show_registration)
        bridge.buddy_changed.connect(self._on_buddy_changed)
        bridge.buddies_changed.connect(self._on_buddies_changed)
        bridge.trace_entry.connect(self._on_trace_entry)
        # Plain text in the status bar until the next message is shown there.
        bridge.store_problem.connect(self.statusBar().showMessage)
        bridge.typing_changed.connect(self._on_typing)
        # However the core is stopped (Quit, the session ending, a test),
        # the open conversation's draft is written before its store closes.
        bridge.stopping.connect(self.chat.save_draft)

    def _show_first_status(self, *, switching: bool = False) -> None:
        self.chat.set_connected(self.app.is_ready())
        if self.app.registration is not None:
            status = self.app.registration.status
            if switching and status.state is RegistrationState.UNREGISTERED:
                # A new account not started yet: the line goes straight from
                # the old account's state to "Registering as ...", never
                # "Not registered" in between.
                return
            self.show_registration(status)
        else:
            self.registration_label.setText(
                self.tr("Direct mode (not registering) as {me}").format(me=self._me())
            )

    def use_app(self, app: Application, bridge: CoreBridge) -> None:
        """Show another core (the account changed): its history, buddies and state.

        The open conversation's draft goes to the old store first; the old
        core's signals no longer reach the window (it is being stopped).
        """
        self.chat.save_draft()
        self.chat.set_peer(None)
        self.bridge.blockSignals(True)
        self.app = app
        self.bridge = bridge
        self.store = app.store
        self.chat.store = app.store
        self.buddies.store = app.store
        self.buddies.reload()
        self._last_state.clear()
        self._password_asked = False
        self._sync_block_action()
        self.setWindowTitle(f"{self._me()} — Softphone")
        self._connect_bridge(bridge)
        self._watch_contacts()
        self._update_tray_unread()
        self._show_first_status(switching=True)

    # -- set-up -------------------------------------------------------------------

    def _build_menus(self) -> None:
        def action(
            text: str,
            slot: Any,
            shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        ) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.new_action = action(
            self.tr("&New conversation…"), self.new_conversation, QKeySequence.StandardKey.New
        )
        self.account_action = action(self.tr("&Account…"), self.open_account_dialog)
        self.trace_action = action(self.tr("SIP &trace"), self.open_trace)
        self.quit_action = action(
            self.tr("&Quit"), self.quit_requested.emit, QKeySequence("Ctrl+Q")
        )
        self.quit_on_close_action = QAction(self.tr("Quit when the window is &closed"), self)
        self.quit_on_close_action.setCheckable(True)
        self.quit_on_close_action.setChecked(
            bool(self.settings.value(QUIT_ON_CLOSE_KEY, False, type=bool))
        )
        self.quit_on_close_action.toggled.connect(self._set_quit_on_close)
        self.find_action = action(
            self.tr("&Find in conversation"), self.chat.open_find, QKeySequence.StandardKey.Find
        )
        self.block_action = action(self.tr("&Block sender"), self._on_block_toggled)
        self.block_action.setCheckable(True)
        self.block_action.setEnabled(False)
        self.add_action = action(self.tr("&Add buddy…"), self.add_buddy)
        self.rename_action = action(self.tr("&Rename buddy…"), self.rename_buddy)
        self.remove_action = action(self.tr("Re&move buddy"), self.remove_buddy)
        menu = self.menuBar().addMenu(self.tr("&Softphone"))
        for act in (self.new_action, self.account_action, self.trace_action):
            menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.quit_on_close_action)
        menu.addAction(self.quit_action)
        menu = self.menuBar().addMenu(self.tr("&Buddies"))
        for act in (self.add_action, self.rename_action, self.remove_action):
            menu.addAction(act)
        self.switch_action = action(self.tr("&Go to conversation…"), self.open_switcher, "Ctrl+K")
        self.next_action = action(self.tr("&Next conversation"), lambda: self.step_conversation(1))
        self.next_action.setShortcuts([QKeySequence("Ctrl+Tab"), QKeySequence("Ctrl+PgDown")])
        self.previous_action = action(
            self.tr("&Previous conversation"), lambda: self.step_conversation(-1)
        )
        self.previous_action.setShortcuts(
            [
                QKeySequence("Ctrl+Shift+Tab"),
                QKeySequence("Ctrl+Shift+Backtab"),
                QKeySequence("Ctrl+PgUp"),
            ]
        )
        self.details_action = action(
            self.tr("Buddy &details…"), lambda: self.open_details(), "Ctrl+I"
        )
        menu = self.menuBar().addMenu(self.tr("&Conversation"))
        for act in (
            self.switch_action,
            self.next_action,
            self.previous_action,
            self.details_action,
        ):
            menu.addAction(act)
        menu.addAction(self.find_action)
        menu.addAction(self.block_action)

    def _make_tray(self) -> None:
        try:
            self.tray = Tray(self)
        except Exception:  # a missing tray must never stop the app
            log.exception("cannot create the tray icon")
            self.tray = None
            return
        self.tray.activated_peer.connect(self.open_conversation_from_notification)
        self.tray.show_requested.connect(self.show_from_tray)
        self.tray.quit_requested.connect(self.quit_requested.emit)
        self._update_tray_unread()

    def _watch_contacts(self) -> None:
        presence = self.bridge.presence
        if presence is None:
            return
        for contact in self.store.contacts():
            if not contact.blocked:
                presence.watch(contact.aor)
        for state in presence.states():
            self.buddies.set_state(state)

    def _me(self) -> str:
        return self.app.account.aor.removeprefix("sip:")

    # -- registration ---------------------------------------------------------------

    def show_registration(self, status: RegistrationStatus) -> None:
        """Put the registration state in words in the status bar.

        When the server wants a password we lack or refused ours, the
        account dialog opens at the password field, once per account.
        """
        self.registration_label.setText(registration_text(status))
        self.chat.set_connected(self.app.is_ready())
        self.registration_label.setToolTip(
            self.tr("Server {server}").format(server=status.server)
            if status.server
            else self.tr("No server has answered yet")
        )
        if (
            status.state is RegistrationState.FAILED
            and status.credentials_refused
            and not self._password_asked
            and not self.demo
        ):
            self._password_asked = True
            self.ask_for_password(self.password_problem(status))

    def password_problem(self, status: RegistrationStatus) -> str:
        """The server's refusal in words: "The server did not accept the password for ..."."""
        answer = f"{status.code} {status.reason or ''}".strip() if status.code else ""
        me = self._me()
        if not getattr(self.app, "has_password", True):
            text = self.tr("The server asks for the password for {address}")
        else:
            text = self.tr("The server did not accept the password for {address}")
        text = text.format(address=me)
        return f"{text} ({answer})" if answer else text

    # -- conversations --------------------------------------------------------------

    def open_conversation(self, peer: str) -> None:
        """Show the conversation with *peer*, selecting it in the buddy list."""
        if self.buddies.row_of(peer) is None:
            self.buddies.upsert(peer, is_contact=False)
        row = self.buddies.row_of(peer)
        assert row is not None
        proxy_ix = self.sorted_buddies.mapFromSource(self.buddies.index(row, 0))
        if proxy_ix.isValid():
            self.buddy_view.setCurrentIndex(proxy_ix)
        if self.chat.peer != peer:
            self._show_peer(peer)
        self.chat.composer.setFocus()

    def open_sip_link(self, link: SipLink) -> None:
        """Open the conversation *link* names; its ``?body=`` text joins the draft, unsent."""
        self.open_conversation(link.address)
        if link.body:
            composer = self.chat.composer
            draft = composer.toPlainText()
            # Whatever was typed stays: the link's text goes after it.
            composer.setPlainText(f"{draft}\n{link.body}" if draft.strip() else link.body)
            composer.moveCursor(composer.textCursor().MoveOperation.End)
        self.chat.composer.setFocus()

    def follow_link(self, span: LinkSpan) -> None:
        """A link in a message was clicked: the browser for the web, a conversation for SIP."""
        if span.kind is LinkKind.WEB:
            # StrictMode: the text was checked as an http(s) address with a host.
            url = QUrl(span.target, QUrl.ParsingMode.StrictMode)
            if url.isValid() and url.scheme().lower() in ("http", "https"):
                self.open_url(url)
            return
        try:
            link = parse_link(span.target)
        except LinkError as exc:  # checked when found; a message's text never changes
            self.statusBar().showMessage(translated(exc.phrase), 8000)
            return
        self.open_sip_link(link)

    def _tcp_available(self) -> bool:
        """Whether a message too big for UDP can go (RFC 3428 5: over TCP)."""
        bound = self.app.agent.transports
        # Before start nothing is bound yet; the account will have TCP then.
        return not bound or TransportKind.TCP in bound

    def show_from_tray(self) -> None:
        """The tray's Show (or a click on its icon): bring the window back.

        The conversation on screen is read once the user sees it again.
        """
        self.showNormal()
        self.raise_()
        self.activateWindow()
        peer = self.chat.peer
        if peer is not None and self._unread(peer):
            self._mark_read(peer)

    def open_conversation_from_notification(self, peer: str) -> None:
        """A click on a notification: raise the window and open *peer*."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.open_conversation(peer)

    def _on_buddy_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # The list's current row moves when a filter hides rows: that is not
        # the user choosing, so the open conversation stays.
        if self._filtering or not current.isValid():
            return
        peer = str(current.data(Role.ID))
        if peer != self.chat.peer:
            self._show_peer(peer)

    def _on_buddy_chosen(self, index: QModelIndex) -> None:
        """Enter or a click on a row: open it and write there."""
        if not index.isValid():
            return
        peer = str(index.data(Role.ID))
        if peer != self.chat.peer:
            self._show_peer(peer)
        self.chat.composer.setFocus()

    def _filter_buddies(self, text: str) -> None:
        self._filtering = True
        try:
            self.sorted_buddies.set_filter_text(text)
            # The first match is highlighted: what Enter in the box opens.
            if text.strip() and self.sorted_buddies.rowCount() > 0:
                self.buddy_view.setCurrentIndex(self.sorted_buddies.index(0, 0))
        finally:
            self._filtering = False

    def _step_buddy(self, step: int) -> None:
        """Move the list's highlight by *step* rows (from the search box)."""
        count = self.sorted_buddies.rowCount()
        if count == 0:
            return
        current = self.buddy_view.currentIndex()
        row = current.row() + step if current.isValid() else (0 if step > 0 else count - 1)
        row = max(0, min(count - 1, row))
        self._filtering = True
        try:
            self.buddy_view.setCurrentIndex(self.sorted_buddies.index(row, 0))
        finally:
            self._filtering = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up, Down, Enter and Escape in the search box act on the list.

        While the pointer is over the list its order is held.
        """
        if watched is self.buddy_view.viewport():
            if event.type() in (QEvent.Type.Enter, QEvent.Type.MouseMove):
                self.sorted_buddies.hold()
            elif event.type() == QEvent.Type.Leave:
                self.sorted_buddies.release()
            return False
        if watched is self.buddy_filter and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._step_buddy(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                current = self.buddy_view.currentIndex()
                if not current.isValid() and self.sorted_buddies.rowCount():
                    current = self.sorted_buddies.index(0, 0)
                self._on_buddy_chosen(current)
                return True
            if key == Qt.Key.Key_Escape and self.buddy_filter.text():
                self.buddy_filter.clear()
                return True
        return super().eventFilter(watched, event)

    def _show_peer(self, peer: str) -> None:
        """Show *peer*'s conversation; the keyboard focus stays where it is."""
        buddy = self.buddies.lookup(peer)
        title = buddy.label if buddy else peer
        self.chat.set_peer(peer, title)
        self._sync_block_action()
        typing = getattr(self.app, "typing", None)
        if typing is not None and typing.is_typing(peer):
            self.chat.set_typing(title)
        self._update_subtitle(peer)
        self._mark_read(peer)

    def _update_subtitle(self, peer: str) -> None:
        buddy = self.buddies.lookup(peer)
        if buddy is None:
            return
        line = self.tr("blocked") if self.store.is_blocked(peer) else status_line(buddy)
        address = peer.removeprefix("sip:")
        self.chat.set_subtitle(f"{address} · {line}" if line else address)

    def _mark_read(self, peer: str) -> None:
        self.store.mark_read(peer)
        if self.buddies.row_of(peer) is not None:
            self.buddies.set_unread(peer, 0)
        self._update_tray_unread()

    def open_switcher(self) -> None:
        """Ctrl+K: type part of a name, Enter opens that conversation."""
        if self.switcher is None:
            self.switcher = QuickSwitcher(self.buddies, self)
            self.switcher.chosen.connect(self._switch_to)
        self.switcher.start()

    def _switch_to(self, peer: str) -> None:
        self.activateWindow()
        self.open_conversation(peer)

    def step_conversation(self, step: int) -> None:
        """Ctrl+Tab / Ctrl+Shift+Tab: the next or previous conversation in the list."""
        count = self.sorted_buddies.rowCount()
        if count == 0:
            return
        current = self.buddy_view.currentIndex()
        row = (current.row() + step) % count if current.isValid() else 0
        self._on_buddy_chosen(self.sorted_buddies.index(row, 0))
        self.buddy_view.setCurrentIndex(self.sorted_buddies.index(row, 0))

    def new_conversation(self) -> None:
        """Ask for an address and open its conversation (Ctrl+N)."""
        title = self.tr("New conversation")
        text, ok = QInputDialog.getText(self, title, self.tr("Address (e.g. bob@example.com):"))
        if not ok:
            return
        try:
            peer = normalize_address(text)
        except ValueError as exc:
            QMessageBox.warning(self, title, from_english(str(exc)))
            return
        self.open_conversation(peer)

    # -- sending ----------------------------------------------------------------------

    def send(self, peer: str, text: str) -> MessageRecord | None:
        """Store and send *text* to *peer*; the composer is cleared only once stored."""
        try:
            record = self.app.messaging.send(peer, text)
        except MessageRefused as exc:
            # Said in English by the core ("... is not a SIP address: ...").
            self.statusBar().showMessage(from_english(str(exc)), 8000)
            return None
        except Exception as exc:  # the disk: keep the text in the composer
            log.exception("cannot store the message")
            self.statusBar().showMessage(
                self.tr("The message could not be saved: {error}").format(error=exc), 8000
            )
            return None
        if self.chat.peer == peer:
            self.chat.clear_composer()
        return record

    def retry(self, message_id: int) -> None:
        """Send a failed or declined message again."""
        try:
            self.app.messaging.retry(MessageId(message_id))
        except Exception as exc:
            self.statusBar().showMessage(self.tr("Cannot retry: {error}").format(error=exc), 8000)

    def _on_message_deleted(self, peer: str) -> None:
        # Messages kept back behind a deleted one no longer wait for it.
        if peer:
            self.app.messaging.release(peer)

    # -- core events ------------------------------------------------------------------

    def _on_message_added(self, record: MessageRecord) -> None:
        self.chat.show_added(record)
        self.buddies.set_last_message(record)
        if record.direction is not Direction.IN:
            if self.buddies.row_of(record.peer) is None:
                self.buddies.upsert(record.peer, is_contact=False)
            return
        if self.buddies.row_of(record.peer) is None:
            self.buddies.reload()
        focused = self.isActiveWindow() and not self.isMinimized()
        if focused and self.chat.peer == record.peer:
            self._mark_read(record.peer)
            return
        self.buddies.set_unread(record.peer, self._unread(record.peer))
        self._update_tray_unread()
        if not focused:
            buddy = self.buddies.lookup(record.peer)
            name = buddy.label if buddy else record.peer
            if self.tray is not None:
                self.tray.notify_message(record.peer, name, record.body)
            QApplication.alert(self)

    def _unread(self, peer: str) -> int:
        for conversation in self.store.conversations():
            if conversation.peer == peer:
                return conversation.unread
        return 0

    def _update_tray_unread(self) -> None:
        if self.tray is not None:
            self.tray.set_unread(sum(c.unread for c in self.store.conversations()))

    def _on_buddy_changed(self, state: BuddyState) -> None:
        self._on_buddies_changed((state,))

    def _on_buddies_changed(self, states: tuple[BuddyState, ...]) -> None:
        """Show the states one turn of the core's loop changed; keep their history.

        The list is updated once for all of them (a buddy's last state
        wins) and every change between online and offline is kept, in
        order, in one transaction.
        """
        latest = {state.aor: state for state in states}
        self.buddies.set_states(latest.values())
        self._last_state.update(latest)
        # Kept in the store (the last PRESENCE_CHANGES_KEPT per buddy), so
        # the details pane shows them after a restart too.
        now = time.time()
        history = [
            (state.aor, state.status.value, state.detail, now)
            for state in states
            if state.status in (BuddyStatus.ONLINE, BuddyStatus.OFFLINE)
        ]
        if history:
            try:
                self.store.add_presence_changes(history)
            except Exception:  # the disk: the pane then misses these changes, nothing else
                log.warning("cannot keep %d presence change(s)", len(history), exc_info=True)
        if self.details is not None and self.details.isVisible() and self._details_aor in latest:
            self.open_details(self._details_aor)
        if self.chat.peer in latest:
            self._update_subtitle(self.chat.peer)

    # -- receipts and typing (RFC 5438, RFC 3994) ------------------------------------------

    def report_displayed(self) -> int:
        """Send "displayed" for received messages a person could be reading now.

        Only when the window is active and not minimised, for the open
        conversation's messages that are on screen; the receipts service
        sends each at most once and only when the sender asked and the
        setting allows. Returns how many receipts went out.
        """
        receipts = getattr(self.app, "receipts", None)
        if receipts is None or self.chat.peer is None:
            return 0
        if not self.isActiveWindow() or self.isMinimized() or not self.isVisible():
            return 0
        ids = self.chat.visible_incoming()
        return int(receipts.displayed([MessageId(i) for i in ids])) if ids else 0

    def _on_draft_edited(self, peer: str, has_text: bool) -> None:
        typing = getattr(self.app, "typing", None)
        if typing is None:
            return
        if has_text:
            typing.typed(peer)
        else:
            typing.stopped(peer)

    def _on_typing(self, peer: str, typing: bool) -> None:
        self.buddies.set_typing(peer, typing)
        if peer == self.chat.peer:
            buddy = self.buddies.lookup(peer)
            self.chat.set_typing((buddy.label if buddy else peer) if typing else None)

    def show_details(self, message_id: int) -> None:
        """Open the timeline of one message (context menu or Ctrl+Shift+I)."""
        from ui.windows.message_details import MessageDetails

        try:
            dialog = MessageDetails(self.store, MessageId(message_id), parent=self)
        except NotFound:
            return
        self._message_details = dialog
        dialog.show()

    def _on_trace_entry(self, entry: TraceEntry) -> None:
        window = self._trace_window
        if window is None:
            # Keep a bounded backlog so the trace window shows what happened
            # before it was opened.
            self._trace_backlog.append(entry)
            del self._trace_backlog[:-2000]
            return
        window.add_entry(entry)

    def changeEvent(self, event: QEvent) -> None:
        """Coming back to the window marks the open conversation read."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            peer = self.chat.peer
            if peer is not None and self._unread(peer):
                self._mark_read(peer)
            self.report_displayed()

    # -- buddies ------------------------------------------------------------------------

    def current_buddy(self) -> str | None:
        """The address of the selected buddy, if any."""
        ix = self.buddy_view.currentIndex()
        return str(ix.data(Role.ID)) if ix.isValid() else None

    def add_buddy(self, aor: str | None = None, name: str | None = None) -> str | None:
        """Add a buddy (asking for address and name when not given) and watch its state."""
        if not aor:
            text, ok = QInputDialog.getText(
                self, self.tr("Add buddy"), self.tr("Address (e.g. bob@example.com):")
            )
            if not ok:
                return None
            aor = text
        try:
            peer = normalize_address(aor)
        except ValueError as exc:
            QMessageBox.warning(self, self.tr("Add buddy"), from_english(str(exc)))
            return None
        if name is None:
            name, ok = QInputDialog.getText(self, self.tr("Add buddy"), self.tr("Name (optional):"))
            if not ok:
                name = ""
        self.store.add_contact(peer, name.strip(), now=time.time())
        self.buddies.upsert(peer, name.strip())
        presence = self.bridge.presence
        if presence is not None:
            presence.watch(peer)
            self.buddies.set_state(presence.state(peer))
        return peer

    def rename_buddy(self, aor: str | None = None, name: str | None = None) -> None:
        """Give the selected (or given) buddy a new name."""
        aor = aor or self.current_buddy()
        if aor is None:
            return
        if name is None:
            buddy = self.buddies.lookup(aor)
            name, ok = QInputDialog.getText(
                self,
                self.tr("Rename buddy"),
                self.tr("Name:"),
                text=buddy.name if buddy else "",
            )
            if not ok:
                return
        try:
            self.store.rename_contact(aor, name.strip())
        except NotFound:
            self.store.add_contact(aor, name.strip(), now=time.time())
        self.buddies.upsert(aor, name.strip())
        if self.chat.peer == aor:
            self.chat.title.setText(one_line(name.strip() or aor))

    def remove_buddy(self, aor: str | None = None, *, confirm: bool = True) -> None:
        """Remove the selected (or given) buddy; its history stays in the store."""
        aor = aor or self.current_buddy()
        if aor is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self,
                self.tr("Remove buddy"),
                self.tr("Remove {name} from your buddies?").format(name=aor.removeprefix("sip:")),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        with contextlib.suppress(NotFound):
            self.store.remove_contact(aor)
        presence = self.bridge.presence
        if presence is not None:
            presence.unwatch(aor)
        self.buddies.remove(aor)
        if self.chat.peer == aor:
            self.chat.set_peer(None)
            self._sync_block_action()

    def set_blocked(self, aor: str, blocked: bool) -> None:
        """Block *aor* (its messages get 603 Decline and are not stored) or unblock it.

        The conversation stays listed until the next start, so the same menu
        can unblock it; a blocked buddy is no longer watched.
        """
        self.store.set_blocked(aor, blocked, now=time.time())
        presence = self.bridge.presence
        if presence is not None:
            if blocked:
                presence.unwatch(aor)
            elif any(c.aor == aor and c.display_name for c in self.store.contacts()):
                presence.watch(aor)
        self._sync_block_action()
        if self.chat.peer == aor:
            self._update_subtitle(aor)

    def _on_block_toggled(self, checked: bool) -> None:
        if self.chat.peer is not None:
            self.set_blocked(self.chat.peer, checked)

    def _sync_block_action(self) -> None:
        peer = self.chat.peer
        self.block_action.setEnabled(peer is not None)
        self.block_action.setChecked(peer is not None and self.store.is_blocked(peer))

    def delete_conversation(self, aor: str, *, confirm: bool = True) -> None:
        """Delete the conversation with *aor* from this computer; it stays deleted.

        A buddy stays in the list without it; a stranger's row goes.
        """
        name = aor.removeprefix("sip:")
        if confirm:
            answer = QMessageBox.question(
                self,
                self.tr("Delete conversation"),
                self.tr(
                    "Delete the conversation with {name}? Its messages are deleted from"
                    " this computer only; {name} is not told."
                ).format(name=name),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.store.delete_conversation(aor)
        if self.chat.peer == aor:
            self.chat.set_peer(None)
            self._sync_block_action()
        buddy = self.buddies.lookup(aor)
        if buddy is not None and not buddy.is_contact:
            self.buddies.remove(aor)
        else:
            self.buddies.reload()
        self._update_tray_unread()

    def open_details(self, aor: str | None = None) -> None:
        """Show the buddy's devices, last seen and recent changes (Ctrl+I)."""
        aor = aor or self.chat.peer or self.current_buddy()
        if aor is None:
            return
        if self.details is None:
            self.details = BuddyDetails(self)
        buddy = self.buddies.lookup(aor)
        presence = self.bridge.presence
        state: object | None = self._last_state.get(aor)
        if state is None and presence is not None:
            state = presence.state(aor)
        self._details_aor = aor
        # Kept in English: shown in the window's language.
        history = [
            (change.at, from_english(change.detail)) for change in self.store.presence_changes(aor)
        ]
        self.details.show_state(buddy.label if buddy else aor, aor, state, history)
        self.details.show()
        self.details.raise_()

    def _buddy_menu(self, pos: QPoint) -> None:
        ix = self.buddy_view.indexAt(pos)
        menu = QMenu(self)
        menu.addAction(self.add_action)
        if ix.isValid():
            aor = str(ix.data(Role.ID))
            buddy = self.buddies.lookup(aor)
            details = menu.addAction(self.tr("Details…"))
            details.triggered.connect(lambda: self.open_details(aor))
            rename = menu.addAction(self.tr("Rename…"))
            rename.triggered.connect(lambda: self.rename_buddy(aor))
            if buddy is not None and buddy.is_contact:
                remove = menu.addAction(self.tr("Remove from buddies"))
                remove.triggered.connect(lambda: self.remove_buddy(aor))
            if buddy is not None and buddy.last_time is not None:
                delete = menu.addAction(self.tr("Delete conversation…"))
                delete.triggered.connect(lambda: self.delete_conversation(aor))
            blocked = self.store.is_blocked(aor)
            block = menu.addAction(self.tr("Unblock") if blocked else self.tr("Block"))
            block.triggered.connect(lambda: self.set_blocked(aor, not blocked))
        self.buddy_menu = menu
        menu.popup(self.buddy_view.viewport().mapToGlobal(pos))

    # -- other windows ------------------------------------------------------------------

    def open_trace(self) -> None:
        """Show the SIP trace window."""
        if self._trace_window is None:
            # The bridge forwards the agent's trace entries here; the window
            # itself observes nothing (a second observer would double them).
            window = TraceWindow()
            for entry in self._trace_backlog:
                window.add_entry(entry)
            self._trace_backlog.clear()
            self._trace_window = window
        self._trace_window.show()
        self._trace_window.raise_()

    def open_account_dialog(self) -> None:
        """Show the account settings; saved changes apply at once.

        A changed server, user, password, transport or port re-registers
        (`account_changed`, which `ui.main` turns into a new core); the
        read-receipt choices apply without it. In the demo there is nothing
        to set: its account is made up, and saving it would overwrite the
        user's real one.
        """
        if self.demo:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                self.tr("Account"),
                self.tr(
                    "This is the demo: its account is made up and is not saved."
                    " To use your own account, quit and start Softphone without the demo."
                ),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setObjectName("demoAccountNotice")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return
        self._account_dialog()

    def ask_for_password(self, problem: str) -> None:
        """Open the account dialog at the password field, *problem* said above it."""
        dialog = self._account_dialog()
        if dialog is not None:
            dialog.show_password_problem(problem)

    def _account_dialog(self) -> Any:
        try:
            from ui.windows.settings_dialog import AccountDialog
        except ImportError:
            self.statusBar().showMessage(self.tr("The account dialog is not available"), 5000)
            return None
        shown = self.account_dialog
        if shown is not None and shown.isVisible():
            shown.raise_()
            shown.activateWindow()
            return shown
        if shown is not None:
            shown.deleteLater()
        dialog = AccountDialog(self.app.account, parent=self)
        dialog.accepted.connect(lambda: self._account_saved(dialog))
        self.account_dialog = dialog
        # open(), not exec(): a nested Qt loop would re-enter the asyncio loop.
        dialog.open()
        return dialog

    def _account_saved(self, dialog: Any) -> None:
        account = dialog.account()
        password = dialog.password() or None
        try:
            dialog.save_to(self.config_path)
        except OSError as exc:
            self.statusBar().showMessage(
                self.tr("The settings could not be saved: {error}").format(error=exc), 8000
            )
        if password is None and not _needs_new_core(self.app.account, account):
            # Read receipts are read from the account when used: no re-register.
            self.app.account = account
            self.statusBar().showMessage(self.tr("Saved"), 5000)
            return
        self.account_changed.emit(account, password)

    # -- closing -------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window hides it to the tray where there is one (the
        messenger stays online); else, or when the user chose so, it quits
        (unregistering first)."""
        if (
            self.tray is not None
            and self.tray.available
            and not self.quit_on_close_action.isChecked()
        ):
            event.ignore()
            self.chat.save_draft()
            self.hide()
            if not self.settings.value(TOLD_HIDDEN_KEY, False, type=bool):
                # Said once: where it went, and how to quit.
                self.settings.setValue(TOLD_HIDDEN_KEY, True)
                self.tray.show_balloon(
                    self.tr("Softphone is still running"),
                    self.tr(
                        "You stay online and get new messages here."
                        " Use Quit in this icon's menu to go offline."
                    ),
                )
            return
        self._drop_windows()
        event.accept()
        self.quit_requested.emit()

    def _set_quit_on_close(self, checked: bool) -> None:
        self.settings.setValue(QUIT_ON_CLOSE_KEY, checked)

    def _drop_windows(self) -> None:
        if self._trace_window is not None:
            self._trace_window.close()
