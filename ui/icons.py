"""Every icon the windows draw, each from one table keyed by the state it shows.

A delivery state is drawn from one SVG per `DeliveryState` member and a
buddy's status as a coloured dot per `BuddyStatus` member. The tables are
exhaustive over the enums (a test iterates every member), so a new state
cannot reach the screen without a picture; a wrong picture for a state is
what users of other clients saw ("pending" drawn as a check mark).
"""

from __future__ import annotations

from enum import Enum
from functools import cache
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from softphone.buddy import BuddyStatus
from softphone.sip.delivery import DeliveryState

__all__ = [
    "BUDDY_COLORS",
    "DELIVERY_ICON_FILES",
    "ICON_DIR",
    "app_icon",
    "buddy_color",
    "buddy_dot",
    "delivery_icon",
    "delivery_icon_path",
]


def _icon_dir() -> Path:
    """``resources/icons``: at the top of a checkout, inside ``ui`` when installed.

    pyproject maps the top-level ``resources/`` folder to ``ui/resources`` in
    a built package; an editable install keeps using the checkout's folder.
    """
    here = Path(__file__).parent
    installed = here / "resources" / "icons"
    return installed if installed.is_dir() else here.parent / "resources" / "icons"


#: Where the SVG files live.
ICON_DIR = _icon_dir()

#: One file per delivery state (DESIGN.md's table): queued = clock, sending =
#: one grey tick, delivered = two ticks, accepted = tick + clock, failed =
#: red mark, declined = no-entry sign, read = two white ticks on a blue disc.
DELIVERY_ICON_FILES: dict[DeliveryState, str] = {
    DeliveryState.QUEUED: "delivery-queued.svg",
    DeliveryState.SENDING: "delivery-sending.svg",
    DeliveryState.DELIVERED: "delivery-delivered.svg",
    DeliveryState.ACCEPTED: "delivery-accepted.svg",
    DeliveryState.FAILED: "delivery-failed.svg",
    DeliveryState.DECLINED: "delivery-declined.svg",
    DeliveryState.READ: "delivery-read.svg",
}

#: The dot colour for each buddy status.
BUDDY_COLORS: dict[BuddyStatus, str] = {
    BuddyStatus.ONLINE: "#2e7d32",
    BuddyStatus.OFFLINE: "#9e9e9e",
    BuddyStatus.UNKNOWN: "#cfcfcf",
    BuddyStatus.WAITING: "#f9a825",
    BuddyStatus.NOT_ALLOWED: "#c62828",
    BuddyStatus.NO_SUCH_USER: "#e57373",
}

# Drawn as an outline only: "unknown" must not look like a known state.
_OUTLINED = frozenset({BuddyStatus.UNKNOWN})


def delivery_icon_path(state: DeliveryState) -> Path:
    """The SVG file drawn for *state*.

    Raises:
        KeyError: *state* is not a `DeliveryState` member.
    """
    return ICON_DIR / DELIVERY_ICON_FILES[state]


@cache
def delivery_icon(state: DeliveryState) -> QIcon:
    """The icon a message bubble shows for *state* (loaded once, then shared).

    Raises:
        KeyError: *state* is not a `DeliveryState` member.
    """
    return QIcon(str(delivery_icon_path(state)))


def _buddy_status(status: BuddyStatus | Enum | str) -> BuddyStatus:
    # Models may hold the enum or its stored text value; both name the same state.
    value = status.value if isinstance(status, Enum) else status
    return BuddyStatus(value)


def buddy_color(status: BuddyStatus | Enum | str) -> QColor:
    """The colour of *status*'s dot: green online, grey offline, amber waiting, red refused.

    *status* is a `BuddyStatus`, any enum with the same values, or the
    value itself (``"online"``, ``"no-such-user"``, ...).

    Raises:
        ValueError: *status* names no `BuddyStatus`.
    """
    return QColor(BUDDY_COLORS[_buddy_status(status)])


def buddy_dot(status: BuddyStatus | Enum | str) -> QIcon:
    """A round dot in *status*'s colour; "unknown" is an outline, not a filled dot.

    Raises:
        ValueError: *status* names no `BuddyStatus`.
    """
    return _dot(_buddy_status(status))


@cache
def _dot(status: BuddyStatus) -> QIcon:
    icon = QIcon()
    for size in (12, 16, 24, 32):
        icon.addPixmap(_dot_pixmap(status, size))
    return icon


def _dot_pixmap(status: BuddyStatus, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    color = QColor(BUDDY_COLORS[status])
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = max(1.0, size / 8)
        rect = QRectF(width, width, size - 2 * width, size - 2 * width)
        if status in _OUTLINED:
            painter.setPen(QPen(color.darker(130), width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        else:
            # A darker rim keeps light dots visible on a light background.
            painter.setPen(QPen(color.darker(140), width / 2))
            painter.setBrush(color)
        painter.drawEllipse(rect)
    finally:
        painter.end()
    return pixmap


@cache
def app_icon() -> QIcon:
    """The application's icon (``resources/icons/softphone.svg``)."""
    return QIcon(str(ICON_DIR / "softphone.svg"))
