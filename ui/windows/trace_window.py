"""The SIP trace window: every message sent and received, newest at the bottom.

One table model holds a bounded history (by count and by characters), so a
chatty peer or a flood of datagrams cannot grow memory without bound. The
text shown is redacted again here although `softphone.trace` already did
it: a digest response must never reach the screen or the clipboard, even
from an entry built elsewhere.
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFontDatabase,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from softphone.trace import Direction, TraceEntry, redact
from ui.plain import tooltip_html

__all__ = [
    "DEFAULT_CAPACITY",
    "DEFAULT_MAX_CHARS",
    "KIND_FILTERS",
    "TraceModel",
    "TraceRow",
    "TraceWindow",
]

#: How many messages the window keeps; older ones are dropped first.
DEFAULT_CAPACITY = 5000
#: How many characters of message text it keeps in all (about 40 MB of str
#: at worst), so 5,000 maximum-size datagrams cannot pin gigabytes.
DEFAULT_MAX_CHARS = 20_000_000

ModelIndex = QModelIndex | QPersistentModelIndex

# CSeq names the method a response answers (RFC 3261 8.1.1.5, 20.16).
_CSEQ = re.compile(r"^CSeq[ \t]*:[ \t]*\d+[ \t]+([A-Za-z]+)", re.IGNORECASE | re.MULTILINE)
_STATUS_LINE = re.compile(r"^SIP/2\.0[ \t]+(\d{3})\b")


@dataclass(frozen=True, slots=True)
class TraceRow:
    """One traced message as the table shows it (computed once, on arrival)."""

    time: float
    direction: Direction
    transport: str
    peer: str
    first_line: str
    #: The request's method, or the method a response answers (from CSeq).
    method: str
    #: The response's status code; None for a request.
    status: int | None
    #: The whole message, redacted.
    text: str

    @classmethod
    def from_entry(cls, entry: TraceEntry) -> TraceRow:
        """Build the row for *entry*, redacting its text once more."""
        text = redact(entry.data).decode("utf-8", errors="replace")
        first_line = text.split("\n", 1)[0].rstrip("\r")
        status_match = _STATUS_LINE.match(first_line)
        status = int(status_match.group(1)) if status_match else None
        cseq = _CSEQ.search(text.partition("\r\n\r\n")[0])
        if status is None:
            method = first_line.split(" ", 1)[0].upper()
        else:
            method = cseq.group(1).upper() if cseq else ""
        return cls(
            time=entry.time,
            direction=entry.direction,
            transport=entry.transport.via_name,
            peer=str(entry.remote),
            first_line=first_line,
            method=method,
            status=status,
            text=text,
        )


class TraceModel(QAbstractTableModel):
    """A bounded, append-only table of `TraceRow` (oldest rows dropped first)."""

    TIME, DIRECTION, TRANSPORT, PEER, FIRST_LINE = range(5)
    HEADERS: ClassVar[tuple[str, ...]] = (
        QT_TRANSLATE_NOOP("TraceModel", "Time"),
        "",
        QT_TRANSLATE_NOOP("TraceModel", "Transport"),
        QT_TRANSLATE_NOOP("TraceModel", "Peer"),
        QT_TRANSLATE_NOOP("TraceModel", "Message"),
    )
    #: Role under which `data()` returns the row's `TraceRow`.
    ROW_ROLE = int(Qt.ItemDataRole.UserRole) + 1

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        capacity: int = DEFAULT_CAPACITY,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        """Keep at most *capacity* rows and *max_chars* characters of text.

        Raises:
            ValueError: *capacity* or *max_chars* is below 1.
        """
        super().__init__(parent)
        if capacity < 1 or max_chars < 1:
            raise ValueError("a trace history needs room for at least one message")
        self.capacity = capacity
        self.max_chars = max_chars
        self._rows: deque[TraceRow] = deque()
        self._chars = 0

    # -- changes ------------------------------------------------------------------------

    def append(self, entry: TraceEntry) -> None:
        """Add *entry* at the bottom, dropping the oldest rows beyond the bounds."""
        row = TraceRow.from_entry(entry)
        if len(row.text) > self.max_chars:
            # One message larger than the whole budget: keep its head only.
            row = dataclasses.replace(row, text=row.text[: self.max_chars])
        drop = 0
        chars = self._chars + len(row.text)
        while drop < len(self._rows) and (
            len(self._rows) - drop + 1 > self.capacity or chars > self.max_chars
        ):
            chars -= len(self._rows[drop].text)
            drop += 1
        if drop:
            self.beginRemoveRows(QModelIndex(), 0, drop - 1)
            for _ in range(drop):
                self._chars -= len(self._rows.popleft().text)
            self.endRemoveRows()
        end = len(self._rows)
        self.beginInsertRows(QModelIndex(), end, end)
        self._rows.append(row)
        self._chars += len(row.text)
        self.endInsertRows()

    def clear(self) -> None:
        """Forget every row."""
        self.beginResetModel()
        self._rows.clear()
        self._chars = 0
        self.endResetModel()

    def row_at(self, row: int) -> TraceRow:
        """The `TraceRow` at *row*.

        Raises:
            IndexError: no such row.
        """
        if row < 0:
            raise IndexError(row)
        return self._rows[row]

    @property
    def total_chars(self) -> int:
        """Characters of message text held now."""
        return self._chars

    # -- QAbstractTableModel ----------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Rows held (a table has no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The five columns (a table has no children)."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles; rows have none."""
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            header = self.HEADERS[section]
            return QCoreApplication.translate("TraceModel", header) if header else ""
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display text, tooltips and colours of one cell."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.DIRECTION:
                return "received" if row.direction is Direction.IN else "sent"
            return tooltip_html(str(self._display(row, column)))
        if role == Qt.ItemDataRole.ForegroundRole and _is_failure(row.status):
            # Failures stand out: they are what one opens the trace for.
            return QBrush(QColor("#b71c1c"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.DIRECTION:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == self.ROW_ROLE:
            return row
        return None

    def _display(self, row: TraceRow, column: int) -> str | None:
        if column == self.TIME:
            return datetime.fromtimestamp(row.time).strftime("%H:%M:%S.%f")[:-3]
        if column == self.DIRECTION:
            return "→" if row.direction is Direction.OUT else "←"
        if column == self.TRANSPORT:
            return row.transport
        if column == self.PEER:
            return row.peer
        if column == self.FIRST_LINE:
            return row.first_line
        return None


def _is_failure(status: int | None) -> bool:
    # A 401/407 challenge is routine: the request is sent again with
    # credentials (RFC 3261 22.2), so it is not drawn as a failure.
    return status is not None and status >= 300 and status not in (401, 407)


#: The kind filter's choices: label (English; shown translated) → predicate
#: over (method, status).
KIND_FILTERS: dict[str, Callable[[str, int | None], bool]] = {
    QT_TRANSLATE_NOOP("TraceWindow", "All messages"): lambda method, status: True,
    QT_TRANSLATE_NOOP("TraceWindow", "Requests"): lambda method, status: status is None,
    QT_TRANSLATE_NOOP("TraceWindow", "Responses"): lambda method, status: status is not None,
    QT_TRANSLATE_NOOP("TraceWindow", "Errors (3xx–6xx)"): lambda method, status: (
        status is not None and status >= 300
    ),
    "REGISTER": lambda method, status: method == "REGISTER",
    "MESSAGE": lambda method, status: method == "MESSAGE",
    "SUBSCRIBE / NOTIFY": lambda method, status: method in ("SUBSCRIBE", "NOTIFY"),
    "OPTIONS": lambda method, status: method == "OPTIONS",
}


class _TraceFilter(QSortFilterProxyModel):
    """Rows whose first line or peer (or, if asked, whole text) contain the filter text."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.whole_message = False
        self.kind = next(iter(KIND_FILTERS))

    def set_filter(self, text: str, *, whole_message: bool, kind: str) -> None:
        # Qt 6.9 replaced invalidateFilter() with a begin/end pair.
        begin = getattr(self, "beginFilterChange", None)
        if begin is not None:
            begin()
        self.text = text.strip().casefold()
        self.whole_message = whole_message
        self.kind = kind
        if begin is not None:
            self.endFilterChange()
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, TraceModel)
        row = model.row_at(source_row)
        if not KIND_FILTERS[self.kind](row.method, row.status):
            return False
        if not self.text:
            return True
        if self.text in row.first_line.casefold() or self.text in row.peer.casefold():
            return True
        return self.whole_message and self.text in row.text.casefold()


class TraceWindow(QWidget):
    """A window listing SIP messages; the selected one is shown in full below.

    Entries arrive through `add_entry` (the main window forwards the user
    agent's trace observer to it through its bridge).
    """

    def __init__(
        self,
        agent: object | None = None,
        parent: QWidget | None = None,
        *,
        capacity: int = DEFAULT_CAPACITY,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        """Build the window, empty.

        *agent* is accepted so the main window can pass its user agent, but
        is not observed here: the main window feeds `add_entry`, and a
        second observer would show every message twice.

        Raises:
            ValueError: *capacity* or *max_chars* is below 1.
        """
        super().__init__(parent)
        del agent
        self.setWindowFlag(Qt.WindowType.Window)
        self.setWindowTitle(self.tr("SIP trace"))
        self.setAccessibleName(self.tr("SIP trace"))
        self.resize(960, 640)

        self.model = TraceModel(self, capacity=capacity, max_chars=max_chars)
        self.proxy = _TraceFilter(self)
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(self.tr("Filter by first line or peer…"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(self.tr("Filter"))
        self.whole_check = QCheckBox(self.tr("Search whole message"), self)
        self.whole_check.setAccessibleName(self.tr("Search whole message"))
        self.kind_combo = QComboBox(self)
        for kind in KIND_FILTERS:
            # SIP method names stay as they are; the others are words.
            self.kind_combo.addItem(self.tr(kind), kind)
        self.kind_combo.setAccessibleName(self.tr("Kind of message"))
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName(self.tr("Message count"))

        self.copy_action = QAction(self.tr("&Copy"), self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setToolTip(self.tr("Copy the selected messages"))
        self.copy_action.triggered.connect(self.copy_selected)
        self.clear_action = QAction(self.tr("C&lear"), self)
        self.clear_action.setToolTip(self.tr("Forget every message in this window"))
        self.clear_action.triggered.connect(self.clear)
        for act in (self.copy_action, self.clear_action):
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(act)
        self.copy_button = QToolButton(self)
        self.copy_button.setDefaultAction(self.copy_action)
        self.copy_button.setAccessibleName(self.tr("Copy"))
        self.clear_button = QToolButton(self)
        self.clear_button.setDefaultAction(self.clear_action)
        self.clear_button.setAccessibleName(self.tr("Clear"))

        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setAccessibleName(self.tr("Messages"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        metrics = self.view.fontMetrics()
        widths = {
            TraceModel.TIME: metrics.horizontalAdvance("00:00:00.000") + 16,
            TraceModel.DIRECTION: metrics.horizontalAdvance("→") + 20,
            TraceModel.TRANSPORT: metrics.horizontalAdvance("Transport") + 16,
            TraceModel.PEER: metrics.horizontalAdvance("[ffff:ffff::ffff]:65535") + 8,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.view.setColumnWidth(column, width)

        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setPlaceholderText(self.tr("Select a message to see it in full."))
        self.detail.setAccessibleName(self.tr("Message text"))

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.kind_combo)
        bar.addWidget(self.whole_check)
        bar.addWidget(self.copy_button)
        bar.addWidget(self.clear_button)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.view)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.count_label)

        self.filter_edit.textChanged.connect(self._apply_filter)
        self.whole_check.toggled.connect(self._apply_filter)
        self.kind_combo.currentTextChanged.connect(self._apply_filter)
        self.view.selectionModel().selectionChanged.connect(self._show_selected)
        self.model.rowsInserted.connect(self._update_count)
        self.model.rowsRemoved.connect(self._update_count)
        self.model.modelReset.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self._update_count()

    # -- public API -----------------------------------------------------------------------

    def add_entry(self, entry: TraceEntry) -> None:
        """Append one traced message; the view follows the newest if it was at the bottom."""
        scrollbar = self.view.verticalScrollBar()
        at_bottom = scrollbar.value() >= scrollbar.maximum()
        self.model.append(entry)
        if at_bottom:
            self.view.scrollToBottom()

    def set_filter(
        self, text: str, *, whole_message: bool = False, kind: str | None = None
    ) -> None:
        """Show only messages whose first line or peer contains *text* (any case).

        With *whole_message*, a match anywhere in the message counts too.
        *kind* is one of `KIND_FILTERS`' labels.

        Raises:
            KeyError: *kind* is not a `KIND_FILTERS` label.
        """
        if kind is not None:
            if kind not in KIND_FILTERS:
                raise KeyError(kind)
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self.whole_check.setChecked(whole_message)
        self.filter_edit.setText(text)
        self._apply_filter()

    def visible_rows(self) -> list[TraceRow]:
        """The rows the filter lets through, top to bottom."""
        return [
            self.proxy.data(self.proxy.index(r, 0), TraceModel.ROW_ROLE)
            for r in range(self.proxy.rowCount())
        ]

    def select_row(self, row: int) -> None:
        """Select the *row*-th visible message (its text appears below the table)."""
        self.view.selectRow(row)

    def selected_rows(self) -> list[TraceRow]:
        """The selected messages, top to bottom."""
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [self.proxy.data(self.proxy.index(r, 0), TraceModel.ROW_ROLE) for r in rows]

    def copy_selected(self) -> None:
        """Put the selected messages' full text on the clipboard, separated by a blank line."""
        rows = self.selected_rows()
        if rows:
            QGuiApplication.clipboard().setText("\n\n".join(_copy_text(row) for row in rows))

    def clear(self) -> None:
        """Forget every message shown."""
        self.model.clear()
        self.detail.clear()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc closes the window (the table and text box leave Esc to it)."""
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.close()
            return
        super().keyPressEvent(event)

    # -- slots ------------------------------------------------------------------------------

    def _apply_filter(self) -> None:
        self.proxy.set_filter(
            self.filter_edit.text(),
            whole_message=self.whole_check.isChecked(),
            kind=str(self.kind_combo.currentData()),
        )

    def _show_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.selected_rows()
        self.detail.setPlainText(_copy_text(rows[-1]) if rows else "")

    def _update_count(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        if shown != total and total == 1:
            text = self.tr("{shown} of 1 message shown").format(shown=shown)
        elif shown != total:
            text = self.tr("{shown} of {total} messages shown").format(shown=shown, total=total)
        elif total == 1:
            text = self.tr("1 message")
        else:
            text = self.tr("{total} messages").format(total=total)
        if total >= self.model.capacity:
            text = self.tr("{count} (the oldest are dropped beyond {capacity})").format(
                count=text, capacity=self.model.capacity
            )
        self.count_label.setText(text)


def _copy_text(row: TraceRow) -> str:
    when = datetime.fromtimestamp(row.time).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    arrow = "sent to" if row.direction is Direction.OUT else "received from"
    header = f"{when} {arrow} {row.peer} over {row.transport}"
    # SIP's CRLF line ends become the platform's newlines for the text box.
    return f"{header}\n{row.text.replace(chr(13) + chr(10), chr(10))}"
