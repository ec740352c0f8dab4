"""Ctrl+K: jump to any conversation or buddy by typing part of its name.

A small frameless-feeling dialog with a search box over its own filtered
view of the window's list model; Up/Down move, Enter opens, Escape closes.
The keys stay in the search box the whole time.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLineEdit, QListView, QVBoxLayout, QWidget

from ui.delegates.buddy import BuddyDelegate
from ui.models.buddies import BuddySortProxy
from ui.roles import Role


class QuickSwitcher(QDialog):
    """Emits `chosen(aor)` when the user picks a row."""

    chosen = Signal(str)

    def __init__(self, source: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Go to conversation"))
        self.setModal(True)
        self.proxy = BuddySortProxy(self)
        self.proxy.setSourceModel(source)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Type a name or address"))
        self.search.setAccessibleName(self.tr("Go to conversation"))
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.list = QListView()
        self.list.setAccessibleName(self.tr("Matching conversations"))
        self.list.setModel(self.proxy)
        self.list.setItemDelegate(BuddyDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.clicked.connect(self._choose)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(420, 360)

    def start(self) -> None:
        """Show empty, the first row highlighted, the focus in the search box."""
        self.search.clear()
        self._filter("")
        self.open()
        self.search.setFocus()

    def _filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        if self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))

    def _step(self, step: int) -> None:
        count = self.proxy.rowCount()
        if not count:
            return
        row = self.list.currentIndex().row() + step
        self.list.setCurrentIndex(self.proxy.index(max(0, min(count - 1, row)), 0))

    def _choose(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        aor = str(index.data(Role.ID))
        self.accept()
        self.chosen.emit(aor)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down move the highlight, Enter opens it; the box keeps the focus."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._step(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._choose(self.list.currentIndex())
                return True
        return super().eventFilter(watched, event)
