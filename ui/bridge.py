"""Core callbacks become Qt signals here, and nowhere else.

The core (`softphone.app.Application`) is Qt-free and calls plain
callables; windows and models only see the signals below. Everything runs
on the one qasync loop, so a callback emits its signal directly: there is
no thread hop and no queueing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from softphone.app import Application
from softphone.services.registration import RegistrationStatus
from softphone.store import MessageRecord
from softphone.trace import TraceEntry


class CoreBridge(QObject):
    """Re-emits one `Application`'s callbacks as Qt signals.

    Signals carry the core's own frozen dataclasses (`MessageRecord`,
    `RegistrationStatus`, `BuddyState`) as Python objects.
    """

    #: A message was stored: typed by the user (QUEUED) or received.
    message_added = Signal(object)
    #: An outgoing message moved to a new delivery state.
    message_state = Signal(object)
    #: The account's registration status changed.
    registration_changed = Signal(object)
    #: A buddy's registration state (RFC 3680) changed; the core's own
    #: changes come as `buddies_changed`, this carries one state at a time.
    buddy_changed = Signal(object)
    #: The buddy states that changed in one turn of the event loop, in order
    #: (a tuple): a burst of NOTIFYs is one update of the window.
    buddies_changed = Signal(object)
    #: A SIP message went on or came off the wire (`softphone.trace.TraceEntry`).
    trace_entry = Signal(object)
    #: Received messages cannot be saved: a sentence for the status bar.
    store_problem = Signal(str)
    #: A peer started (True) or stopped (False) typing to us (RFC 3994).
    typing_changed = Signal(str, bool)
    #: The core is stopping: the store is open for the last writes (a draft).
    stopping = Signal()

    def __init__(self, app: Application, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        app.messaging.on_message_added(self._on_added)
        app.messaging.on_message_state(self._on_state)
        app.messaging.on_store_problem(self.store_problem.emit)
        app.on_registration(self._on_registration)
        app.on_stopping(self.stopping.emit)
        app.agent.add_observer(self._on_trace)
        presence = self.presence
        if presence is not None:
            presence.on_changes(self._on_buddies)
        typing = getattr(app, "typing", None)
        if typing is not None:
            typing.on_change(self._on_typing)

    @property
    def presence(self) -> Any | None:
        """The presence service, when the core has one."""
        return getattr(self.app, "presence", None)

    def _on_added(self, record: MessageRecord) -> None:
        self.message_added.emit(record)

    def _on_state(self, record: MessageRecord) -> None:
        self.message_state.emit(record)

    def _on_registration(self, status: RegistrationStatus) -> None:
        self.registration_changed.emit(status)

    def _on_trace(self, entry: TraceEntry) -> None:
        self.trace_entry.emit(entry)

    def _on_typing(self, peer: str, typing: bool) -> None:
        self.typing_changed.emit(peer, typing)

    def _on_buddies(self, states: tuple[object, ...]) -> None:
        self.buddies_changed.emit(states)
