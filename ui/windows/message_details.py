"""One message's details: what it is and everything that happened to it.

The timeline comes from the store (`Store.events`): queued, each request
sent (server, transport), each response (code, reason, time), each state
reached and each receipt (RFC 5438) with its time. Everything is shown as
plain text: none of it is ever rendered as rich text.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from softphone.store import Direction, MessageId, Store
from ui.core_text import event_kind, from_english
from ui.models.conversation import status_tooltip

__all__ = ["MessageDetails", "format_time"]


def format_time(when: float) -> str:
    """Local time with milliseconds, e.g. ``2026-11-30 14:02:03.120``."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when)) + f".{int(when % 1 * 1000):03d}"


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class MessageDetails(QDialog):
    """A non-modal dialog with a message's fields and its timeline.

    Raises:
        softphone.store.NotFound: (on construction) no message has that id.
    """

    def __init__(self, store: Store, message_id: MessageId, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        record = store.message(message_id)
        self.setWindowTitle(self.tr("Message details"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(620, 420)
        form = QFormLayout()
        outgoing = record.direction is Direction.OUT
        form.addRow(
            self.tr("To:") if outgoing else self.tr("From:"),
            _plain(record.peer.removeprefix("sip:")),
        )
        form.addRow(
            self.tr("Text:"),
            _plain(record.body if len(record.body) < 300 else record.body[:300] + "…"),
        )
        form.addRow(self.tr("Type:"), _plain(record.content_type))
        if record.imdn_id:
            form.addRow("Message-ID:", _plain(record.imdn_id))
        form.addRow(
            self.tr("State:"), _plain(status_tooltip(record) if outgoing else self.tr("received"))
        )
        if record.disposition:
            form.addRow(self.tr("Receipts asked:"), _plain(record.disposition.replace(",", ", ")))
        self.timeline = QTreeWidget()
        self.timeline.setAccessibleName(self.tr("Timeline"))
        self.timeline.setHeaderLabels([self.tr("Time"), self.tr("Step"), self.tr("What happened")])
        self.timeline.setRootIsDecorated(False)
        self.timeline.setUniformRowHeights(True)
        events = store.events(message_id)
        if not events:
            self.timeline.addTopLevelItem(
                QTreeWidgetItem(
                    [
                        format_time(record.created),
                        event_kind("stored"),
                        from_english("received and stored"),
                    ]
                )
                if not outgoing
                else QTreeWidgetItem([format_time(record.created), event_kind("queued"), ""])
            )
        for event in events:
            # Stored in English: shown in the window's language.
            detail = from_english(event.detail)
            self.timeline.addTopLevelItem(
                QTreeWidgetItem([format_time(event.at), event_kind(event.kind), detail])
            )
        for column in range(2):
            self.timeline.resizeColumnToContents(column)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(buttons)

    def steps(self) -> list[tuple[str, str]]:
        """(step, what happened) of every timeline row, for tests and accessibility."""
        return [
            (self.timeline.topLevelItem(i).text(1), self.timeline.topLevelItem(i).text(2))
            for i in range(self.timeline.topLevelItemCount())
        ]
