"""Paints one buddy: initials avatar with a state dot, name, state line, unread badge."""

from __future__ import annotations

import zlib

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from softphone.buddy import BuddyStatus
from ui.dates import list_time
from ui.icons import buddy_dot
from ui.roles import Role

ModelIndex = QModelIndex | QPersistentModelIndex

ROW_HEIGHT = 54
#: Put before a conversation's unsent text in the list.
DRAFT_MARKER = QT_TRANSLATE_NOOP("buddies", "Draft:")
DRAFT_COLOR = QColor("#d84315")
AVATAR = 38

_AVATAR_COLORS = [
    QColor(c)
    for c in (
        "#5c6bc0",
        "#26a69a",
        "#ef6c00",
        "#8e24aa",
        "#3949ab",
        "#00897b",
        "#d81b60",
        "#6d4c41",
    )
]


def initials(name: str) -> str:
    """Up to two initials: "Bob Stone" → "BS", "carol@x" → "C"."""
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w]
    if not words:
        return "?"
    if len(words) == 1 or "@" in name:
        return words[0][0].upper()
    return (words[0][0] + words[1][0]).upper()


def avatar_color(aor: str) -> QColor:
    """A stable colour per address, so a buddy keeps its colour across runs."""
    return _AVATAR_COLORS[zlib.crc32(aor.encode()) % len(_AVATAR_COLORS)]


class BuddyDelegate(QStyledItemDelegate):
    """Painter for `BuddyListModel` rows (through the sort proxy)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        """Every row has the same height."""
        return QSize(option.rect.width(), ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        """Draw avatar, dot, name, state line and the unread badge."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        name = str(index.data(Role.NAME) or "")
        aor = str(index.data(Role.ID) or "")
        status = _status(index.data(Role.BUDDY_STATUS))
        # A conversation shows its last message; a buddy without one, its state.
        line = str(index.data(Role.LAST_MESSAGE) or "") or str(index.data(Role.BUDDY_LINE) or "")
        last_time = index.data(Role.LAST_TIME)
        draft = " ".join(str(index.data(Role.DRAFT) or "").split())
        unread = int(index.data(Role.UNREAD) or 0)

        top = rect.top() + (rect.height() - AVATAR) // 2
        avatar = QRectF(rect.left() + 10, top, AVATAR, AVATAR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(avatar_color(aor))
        painter.drawEllipse(avatar)
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(avatar, Qt.AlignmentFlag.AlignCenter, initials(name))

        dot = QRectF(avatar.right() - 11, avatar.bottom() - 11, 12, 12)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(
            palette.color(QPalette.ColorRole.Base)
            if not selected
            else palette.color(QPalette.ColorRole.Highlight)
        )
        painter.drawEllipse(dot.adjusted(-2, -2, 2, 2))
        # The same dot as everywhere else (ui.icons), so list and icons agree.
        buddy_dot(status).paint(painter, dot.toRect())

        badge_width = 0
        if unread:
            small = QFont(option.font)
            small.setBold(True)
            small.setPointSizeF(max(option.font.pointSizeF() * 0.85, 6.0))
            text = str(unread) if unread < 100 else "99+"
            fm = QFontMetrics(small)
            badge_width = max(fm.horizontalAdvance(text) + 12, 20)
            badge = QRectF(rect.right() - 10 - badge_width, rect.top() + 28, badge_width, 20)
            painter.setBrush(QColor("#1e88e5"))
            painter.drawRoundedRect(badge, 10, 10)
            painter.setFont(small)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)

        left = int(avatar.right()) + 10
        width = rect.right() - left - 14 - badge_width
        stamp_width = 0
        if last_time is not None:
            stamp = list_time(float(last_time))
            small_font = QFont(option.font)
            small_font.setPointSizeF(max(option.font.pointSizeF() * 0.8, 6.0))
            painter.setFont(small_font)
            stamp_color = QColor(text_color)
            stamp_color.setAlphaF(0.6)
            painter.setPen(stamp_color)
            sfm0 = QFontMetrics(small_font)
            stamp_width = sfm0.horizontalAdvance(stamp) + 8
            painter.drawText(
                QRect(rect.right() - 10 - stamp_width, rect.top() + 8, stamp_width, sfm0.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                stamp,
            )
        name_font = QFont(option.font)
        name_font.setBold(unread > 0)
        painter.setFont(name_font)
        painter.setPen(text_color)
        fm = QFontMetrics(name_font)
        name_width = rect.right() - left - 14 - stamp_width
        name_rect = QRect(left, rect.top() + 8, name_width, fm.height())
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(name, Qt.TextElideMode.ElideRight, name_width),
        )
        small = QFont(option.font)
        small.setPointSizeF(max(option.font.pointSizeF() * 0.85, 6.0))
        # Unread: the last message in bold too, so it stands out.
        small.setBold(unread > 0)
        painter.setFont(small)
        sub = QColor(text_color)
        sub.setAlphaF(0.65)
        painter.setPen(sub)
        sfm = QFontMetrics(small)
        line_rect = QRect(left, name_rect.bottom() + 3, width, sfm.height())
        if draft:
            # The unsent text, marked so it is not mistaken for a message.
            marker = QCoreApplication.translate("buddies", DRAFT_MARKER) + " "
            painter.setPen(DRAFT_COLOR if not selected else text_color)
            painter.drawText(
                line_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, marker
            )
            line_rect.setLeft(line_rect.left() + sfm.horizontalAdvance(marker))
            width -= sfm.horizontalAdvance(marker)
            painter.setPen(sub)
            line = draft
        painter.drawText(
            line_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            sfm.elidedText(line, Qt.TextElideMode.ElideRight, width),
        )
        if option.state & QStyle.StateFlag.State_HasFocus:
            paint_focus_frame(painter, option)
        painter.restore()


def paint_focus_frame(painter: QPainter, option: QStyleOptionViewItem) -> None:
    """A visible frame round the row that has the keyboard focus."""
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    color = option.palette.color(
        QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
    )
    pen = QPen(color, 2)
    pen.setStyle(Qt.PenStyle.DotLine if selected else Qt.PenStyle.SolidLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(QRectF(option.rect).adjusted(2, 2, -2, -2))


def _status(value: object) -> BuddyStatus:
    """The row's status; anything unreadable is drawn as "unknown", never guessed."""
    if isinstance(value, BuddyStatus):
        return value
    try:
        return BuddyStatus(str(value))
    except ValueError:
        return BuddyStatus.UNKNOWN
