"""A buddy's details: devices from the reg event, last seen, recent changes.

What the registrar told us (RFC 3680): each registered device's address,
since when it is registered and how long its binding has left, and a
short history of the buddy going online and offline (kept in the store, so
it outlives a restart).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from softphone.buddy import BuddyStatus
from ui.core_text import translated
from ui.dates import full_time

__all__ = ["BuddyDetails"]


def _expires_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds >= 120:
        return QDialog.tr("in {minutes} min").format(minutes=seconds // 60)
    return QDialog.tr("in {seconds} s").format(seconds=seconds)


class BuddyDetails(QDialog):
    """Shows one buddy; `show_state(name, state, history)` fills it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Buddy details"))
        self.name = QLabel("")
        self.name.setStyleSheet("font-weight: bold; font-size: 13pt;")
        self.address = QLabel("")
        self.status = QLabel("")
        self.last_seen = QLabel("")
        form = QFormLayout()
        form.addRow(self.tr("Address"), self.address)
        form.addRow(self.tr("State"), self.status)
        form.addRow(self.tr("Last seen"), self.last_seen)
        self.devices = QTableWidget(0, 3)
        self.devices.setAccessibleName(self.tr("Registered devices"))
        self.devices.setHorizontalHeaderLabels(
            [self.tr("Device address"), self.tr("Registered since"), self.tr("Expires")]
        )
        self.devices.horizontalHeader().setStretchLastSection(True)
        self.devices.verticalHeader().hide()
        self.devices.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history = QListWidget()
        self.history.setAccessibleName(self.tr("Online and offline changes"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Devices (from the registrar)")))
        layout.addWidget(self.devices)
        layout.addWidget(QLabel(self.tr("Recent changes")))
        layout.addWidget(self.history)
        self.resize(560, 460)

    def show_state(
        self, name: str, aor: str, state: object | None, history: Sequence[tuple[float, str]]
    ) -> None:
        """Fill in *aor*'s details from its presence *state* (a `BuddyState`, or None)."""
        self.name.setText(name)
        self.address.setText(aor.removeprefix("sip:"))
        phrase = getattr(state, "phrase", None)
        detail = translated(phrase) if phrase is not None else str(getattr(state, "detail", ""))
        self.status.setText(detail or self.tr("not known yet"))
        last_seen = getattr(state, "last_seen", None)
        if getattr(state, "status", None) is BuddyStatus.ONLINE:
            # Online is seen now: the time of the last NOTIFY would read as
            # "gone since then" (the devices below say since when).
            self.last_seen.setText(self.tr("now (online)"))
        elif last_seen:
            self.last_seen.setText(full_time(last_seen))
        else:
            self.last_seen.setText(self.tr("never, so far"))
        devices = list(getattr(state, "devices", ()) or ())
        self.devices.setRowCount(len(devices))
        for row, device in enumerate(devices):
            since = device.registered_since
            cells = (
                device.uri,
                full_time(since) if since else self.tr("not said"),
                _expires_text(device.expires),
            )
            for column, text in enumerate(cells):
                self.devices.setItem(row, column, QTableWidgetItem(text))
        self.devices.resizeColumnsToContents()
        self.history.clear()
        today = time.localtime()[:3]
        for when, words in reversed(history):
            local = time.localtime(when)
            # Today's by the second; older ones with their date.
            stamp = time.strftime("%H:%M:%S" if local[:3] == today else "%Y-%m-%d %H:%M", local)
            self.history.addItem(f"{stamp}  {words}")
        if not history:
            self.history.addItem(self.tr("No change seen yet"))
