"""The buddy list: contacts and other conversation partners, with state and unread counts.

Rows come from the store (contacts, plus peers of conversations that are
not contacts, so a stranger's message still shows up with its badge). The
registration state of each buddy (RFC 3680) comes from the presence
service as `BuddyState` values; this model keeps what it needs to paint.
`BuddySortProxy` puts online buddies first, then sorts by name, and
filters by name or address.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from softphone.store import Direction, Store
from ui.core_text import translated
from ui.plain import one_line, tooltip_html
from ui.roles import Role

ModelIndex = QModelIndex | QPersistentModelIndex

#: BuddyStatus values (softphone.services.presence); kept as text here so
#: the list works before and without the presence service.
ONLINE = "online"
OFFLINE = "offline"
UNKNOWN = "unknown"
WAITING = "waiting"
NOT_ALLOWED = "not-allowed"
NO_SUCH_USER = "no-such-user"

_STATUS_WORDS = {
    ONLINE: QT_TRANSLATE_NOOP("buddies", "online"),
    OFFLINE: QT_TRANSLATE_NOOP("buddies", "offline"),
    UNKNOWN: "",
    WAITING: QT_TRANSLATE_NOOP("buddies", "waiting for authorization"),
    NOT_ALLOWED: QT_TRANSLATE_NOOP("buddies", "not allowed to see this buddy"),
    NO_SUCH_USER: QT_TRANSLATE_NOOP("buddies", "unknown user"),
}


@dataclass(frozen=True, slots=True)
class Buddy:
    """One row of the list."""

    aor: str
    name: str
    is_contact: bool
    status: str = UNKNOWN
    devices: int = 0
    last_seen: float | None = None
    detail: str = ""
    unread: int = 0
    draft: str = ""
    #: The conversation's last message ("" when there is none) and its time.
    last_text: str = ""
    last_time: float | None = None
    last_outgoing: bool = False
    #: The buddy is composing a message to us (RFC 3994); never stored.
    typing: bool = False

    @property
    def label(self) -> str:
        """The name to show: the display name, else the address without `sip:`."""
        return self.name or self.aor.removeprefix("sip:").removeprefix("sips:")


def _detail(state: object) -> str:
    """A state's words in the window's language (a `BuddyState`, or anything like one)."""
    phrase = getattr(state, "phrase", None)
    return translated(phrase) if phrase is not None else str(getattr(state, "detail", ""))


def status_line(buddy: Buddy, *, now: float | None = None) -> str:
    """The second line under a buddy's name: "on 2 devices", "last seen 14:02"."""
    if buddy.typing:
        return QCoreApplication.translate("buddies", "typing…")
    translate = QCoreApplication.translate
    if buddy.status == ONLINE:
        if buddy.devices > 1:
            return translate("buddies", "on {count} devices").format(count=buddy.devices)
        return translate("buddies", "online")
    if buddy.status == OFFLINE and buddy.last_seen is not None:
        return translate("buddies", "last seen {when}").format(
            when=format_last_seen(buddy.last_seen, now=now)
        )
    words = _STATUS_WORDS.get(buddy.status, "")
    return translate("buddies", words) if words else ""


def last_line(buddy: Buddy) -> str:
    """The list's second line: the last message on one line ("You: ..." when sent)."""
    text = " ".join(buddy.last_text.split())
    if not text:
        return ""
    if buddy.last_outgoing:
        return QCoreApplication.translate("buddies", "You: {text}").format(text=text)
    return text


def format_last_seen(when: float, *, now: float | None = None) -> str:
    """ "14:02" for today, "3 Mar 14:02" for another day, in local time."""
    now = time.time() if now is None else now
    local, today = time.localtime(when), time.localtime(now)
    clock = time.strftime("%H:%M", local)
    if local[:3] == today[:3]:
        return clock
    return f"{local.tm_mday} {time.strftime('%b', local)} {clock}"


class BuddyListModel(QAbstractListModel):
    """Buddies with their registration state and unread count (unsorted)."""

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._rows: list[Buddy] = []
        self._row: dict[str, int] = {}
        self.reload()

    # -- Qt model API -----------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Number of buddies (a list model has no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The buddy at *index* for *role* (see `Role`)."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        buddy = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Role.NAME):
            return one_line(buddy.label)
        if role == Role.ID:
            return buddy.aor
        if role == Role.BUDDY_STATUS:
            return buddy.status
        if role == Role.BUDDY_LINE:
            return status_line(buddy)
        if role == Role.UNREAD:
            return buddy.unread
        if role == Role.DRAFT:
            return buddy.draft
        if role == Role.LAST_MESSAGE:
            # RFC 3994: while the buddy types, that replaces the preview.
            if buddy.typing:
                return QCoreApplication.translate("buddies", "typing…")
            return last_line(buddy)
        if role == Role.LAST_TIME:
            return buddy.last_time
        if role == Role.ONLINE_RANK:
            return 0 if buddy.status == ONLINE else 1
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_html(
                "\n".join(part for part in (buddy.aor, buddy.detail or status_line(buddy)) if part)
            )
        if role == Qt.ItemDataRole.AccessibleTextRole:
            parts = [buddy.label, status_line(buddy)]
            if buddy.unread:
                parts.append(f"{buddy.unread} unread")
            if buddy.draft:
                parts.append("draft")
            return one_line(", ".join(part for part in parts if part), 400)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Buddies are selectable, not editable in place."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    # -- changes ------------------------------------------------------------------

    def reload(self) -> None:
        """Read contacts and conversations from the store again."""
        old = {buddy.aor: buddy for buddy in self._rows}
        rows: dict[str, Buddy] = {}
        for contact in self.store.contacts():
            if contact.blocked:
                continue
            rows[contact.aor] = Buddy(contact.aor, contact.display_name, True)
        for conversation in self.store.conversations():
            buddy = rows.get(conversation.peer)
            if buddy is None:
                if self.store.is_blocked(conversation.peer):
                    continue
                buddy = Buddy(conversation.peer, conversation.display_name, False)
            last = self.store.messages(conversation.peer, limit=1)
            rows[conversation.peer] = replace(
                buddy,
                unread=conversation.unread,
                last_text=last[-1].body if last else "",
                last_time=last[-1].created if last else conversation.last_activity,
                last_outgoing=bool(last) and last[-1].direction is Direction.OUT,
            )
        for aor, text in self.store.drafts().items():
            if aor in rows:
                rows[aor] = replace(rows[aor], draft=text)
        for aor, buddy in rows.items():
            previous = old.get(aor)
            if previous is not None:
                rows[aor] = replace(
                    buddy,
                    status=previous.status,
                    devices=previous.devices,
                    last_seen=previous.last_seen,
                    detail=previous.detail,
                    typing=previous.typing,
                )
        self.beginResetModel()
        self._rows = list(rows.values())
        self._row = {buddy.aor: row for row, buddy in enumerate(self._rows)}
        self.endResetModel()

    def lookup(self, aor: str) -> Buddy | None:
        """The row for *aor*, if listed."""
        row = self._row.get(aor)
        return None if row is None else self._rows[row]

    def row_of(self, aor: str) -> int | None:
        """The source row of *aor*, if listed."""
        return self._row.get(aor)

    def upsert(self, aor: str, name: str = "", *, is_contact: bool = True) -> None:
        """Add *aor* or change its name."""
        row = self._row.get(aor)
        if row is None:
            row = len(self._rows)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.append(Buddy(aor, name, is_contact))
            self._row[aor] = row
            self.endInsertRows()
            return
        buddy = self._rows[row]
        self._set(
            row, replace(buddy, name=name or buddy.name, is_contact=is_contact or buddy.is_contact)
        )

    def remove(self, aor: str) -> None:
        """Take *aor* off the list."""
        row = self._row.get(aor)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._row = {buddy.aor: r for r, buddy in enumerate(self._rows)}
        self.endRemoveRows()

    def set_unread(self, aor: str, unread: int) -> None:
        """Show *unread* messages for *aor* (adds a stranger who just wrote)."""
        if aor not in self._row:
            self.upsert(aor, is_contact=False)
        row = self._row[aor]
        self._set(row, replace(self._rows[row], unread=unread), [Role.UNREAD])

    def set_draft(self, aor: str, text: str) -> None:
        """Mark *aor*'s row as having the unsent *text* ("" clears the mark)."""
        row = self._row.get(aor)
        if row is None:
            return
        self._set(row, replace(self._rows[row], draft=text), [Role.DRAFT])

    def set_last_message(self, record: Any) -> None:
        """Show *record* (a `MessageRecord`) as its conversation's last message."""
        if record.peer not in self._row:
            self.upsert(record.peer, is_contact=False)
        row = self._row[record.peer]
        buddy = self._rows[row]
        if buddy.last_time is not None and record.created < buddy.last_time:
            return
        self._set(
            row,
            replace(
                buddy,
                last_text=record.body,
                last_time=record.created,
                last_outgoing=record.direction is Direction.OUT,
            ),
            [Role.LAST_MESSAGE, Role.LAST_TIME],
        )

    def set_typing(self, aor: str, typing: bool) -> None:
        """Show (or stop showing) that *aor* is typing; unknown addresses are ignored."""
        row = self._row.get(aor)
        if row is None or self._rows[row].typing == typing:
            return
        self._set(
            row, replace(self._rows[row], typing=typing), [Role.BUDDY_LINE, Role.LAST_MESSAGE]
        )

    def set_state(self, state: Any) -> None:
        """Apply a presence `BuddyState` (aor, status, devices, last_seen, detail)."""
        self.set_states((state,))

    def set_states(self, states: Iterable[Any]) -> None:
        """Apply presence `BuddyState`s in order (a buddy's last one wins).

        One dataChanged over the rows that changed, so the sorting proxy
        sorts once for a burst of 1,000 buddies instead of once per buddy.
        """
        changed: list[int] = []
        for state in states:
            row = self._row.get(state.aor)
            if row is None:
                continue
            status = getattr(state.status, "value", state.status)
            self._rows[row] = replace(
                self._rows[row],
                status=str(status),
                devices=len(state.devices),
                last_seen=state.last_seen,
                detail=_detail(state),
            )
            changed.append(row)
        if changed:
            top, bottom = self.index(min(changed), 0), self.index(max(changed), 0)
            self.dataChanged.emit(
                top, bottom, [Role.BUDDY_STATUS, Role.BUDDY_LINE, Role.ONLINE_RANK]
            )

    def _set(self, row: int, buddy: Buddy, roles: list[int] | None = None) -> None:
        self._rows[row] = buddy
        ix = self.index(row, 0)
        self.dataChanged.emit(ix, ix, roles or [])


class BuddySortProxy(QSortFilterProxyModel):
    """Conversations first, most recent on top; then buddies without one, online
    first, by name. Filters on name or address.

    `hold()` stops re-sorting (while the pointer is over the list, so no row
    moves under it); `release()` sorts once for everything that changed.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(True)
        self._needle = ""
        self._held = False
        self.sort(0)

    def hold(self) -> None:
        """Keep the rows where they are until `release()`."""
        if not self._held:
            self._held = True
            self.setDynamicSortFilter(False)

    def release(self) -> None:
        """Sort again and go back to sorting on every change."""
        if self._held:
            self._held = False
            self.setDynamicSortFilter(True)
            self.invalidate()
            self.sort(0)

    @property
    def held(self) -> bool:
        """True while re-sorting is held back."""
        return self._held

    def set_filter_text(self, text: str) -> None:
        """Show only buddies whose name or address contains *text* (any case)."""
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            self._needle = text.strip().casefold()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle = text.strip().casefold()
            self.invalidateFilter()

    def lessThan(self, left: ModelIndex, right: ModelIndex) -> bool:
        """Most recent conversation first; then online, then name, then address."""
        model = self.sourceModel()

        def key(ix: ModelIndex) -> tuple[int, float, int, str, str]:
            when = model.data(ix, Role.LAST_TIME)
            return (
                0 if when is not None else 1,
                -float(when) if when is not None else 0.0,
                int(model.data(ix, Role.ONLINE_RANK)),
                str(model.data(ix, Role.NAME)).casefold(),
                str(model.data(ix, Role.ID)),
            )

        return key(left) < key(right)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        """Keep rows whose name or address contains the filter text."""
        needle = self._needle
        if not needle:
            return True
        ix = self.sourceModel().index(source_row, 0, source_parent)
        name = str(ix.data(Role.NAME)).casefold()
        aor = str(ix.data(Role.ID)).casefold()
        return needle in name or needle in aor
