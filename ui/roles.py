"""Item data roles shared by the models and their delegates."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import Qt

_BASE = int(Qt.ItemDataRole.UserRole)


class Role(IntEnum):
    """Roles above `Qt.UserRole`; each model documents which it answers."""

    #: Message id (`MessageId`) or buddy address of record.
    ID = _BASE + 1
    #: The message text.
    TEXT = _BASE + 2
    #: `softphone.store.Direction` of a message.
    DIRECTION = _BASE + 3
    #: `DeliveryState` of a message.
    DELIVERY = _BASE + 4
    #: The tooltip sentence of a message's state ("declined by recipient: 603 Decline").
    STATUS_DETAIL = _BASE + 5
    #: Creation time of a message, seconds since the epoch.
    TIME = _BASE + 6
    #: A buddy's display name (falls back to its address).
    NAME = _BASE + 7
    #: A buddy's `BuddyStatus`.
    BUDDY_STATUS = _BASE + 8
    #: A buddy's second line: "on 2 devices", "last seen 14:02".
    BUDDY_LINE = _BASE + 9
    #: Unread messages in a buddy's conversation.
    UNREAD = _BASE + 10
    #: Sort key: 0 for online buddies, 1 for the others.
    ONLINE_RANK = _BASE + 11
    #: The unsent text kept for a conversation ("" when none).
    DRAFT = _BASE + 12
    #: The last message of a conversation, as the list's second line ("" when none).
    LAST_MESSAGE = _BASE + 13
    #: When the conversation last had a message (seconds since the epoch; None: no conversation).
    LAST_TIME = _BASE + 14
    #: The line under a sent bubble: "Not sent: … Will try again at 10:32", "Sending…" ("": none).
    STATUS_LINE = _BASE + 15
