"""Paints one message as a bubble: wrapped text, time, delivery icon.

No widget per message: the view asks this delegate to paint the visible
rows only, and `sizeHint` is cached per (message id, width, state), so a
long conversation scrolls without laying text out again.
"""

from __future__ import annotations

import time

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from softphone.sip.delivery import DeliveryState
from softphone.store import Direction
from ui.icons import delivery_icon
from ui.roles import Role

ModelIndex = QModelIndex | QPersistentModelIndex

#: Widest a bubble gets, as a fraction of the view.
MAX_BUBBLE_FRACTION = 0.72
PADDING = 9
MARGIN_X = 12
MARGIN_Y = 3
RADIUS = 12.0
ICON = 16
#: Space between the text and the time line.
META_GAP = 2

OUT_COLOR = QColor("#d7ecff")
IN_COLOR = QColor("#f0f0f0")

#: States a click on the icon retries.
RETRYABLE = (DeliveryState.FAILED, DeliveryState.DECLINED)


def _text_layout(text: str, font: QFont, width: int) -> tuple[QTextLayout, float, float]:
    """Lay *text* out in *width*; returns the layout, its height and widest line."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    # Long words (URLs) break anywhere rather than overflow the bubble.
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    y = 0.0
    widest = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, y))
        y += line.height()
        widest = max(widest, line.naturalTextWidth())
    layout.endLayout()
    return layout, y, widest


def format_time(when: float) -> str:
    """The bubble's time: "14:02" (local)."""
    return time.strftime("%H:%M", time.localtime(when))


class MessageBubbleDelegate(QStyledItemDelegate):
    """Bubble painter for `ConversationModel` rows."""

    #: The user clicked the red mark of a failed or declined message.
    retry_requested = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sizes: dict[tuple[int, int, DeliveryState], QSize] = {}

    # -- geometry -----------------------------------------------------------------

    def _geometry(
        self, option: QStyleOptionViewItem, index: ModelIndex
    ) -> tuple[QRectF, QRectF, QRect, str, QTextLayout]:
        """Bubble rect, text rect, icon rect, time text and text layout for a row."""
        text = str(index.data(Role.TEXT) or "")
        outgoing = index.data(Role.DIRECTION) is Direction.OUT
        font = option.font
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() * 0.8, 6.0))
        stamp = format_time(float(index.data(Role.TIME) or 0.0))
        meta_width = QFontMetrics(small).horizontalAdvance(stamp) + (ICON + 4 if outgoing else 0)
        rect = option.rect
        max_text = max(int(rect.width() * MAX_BUBBLE_FRACTION) - 2 * PADDING, 40)
        layout, height, widest = _text_layout(text, font, max_text)
        meta_height = max(QFontMetrics(small).height(), ICON if outgoing else 0)
        width = max(widest, meta_width) + 2 * PADDING
        bubble_h = height + META_GAP + meta_height + 2 * PADDING
        x = rect.right() - MARGIN_X - width if outgoing else rect.left() + MARGIN_X
        bubble = QRectF(x, rect.top() + MARGIN_Y, width, bubble_h)
        text_rect = QRectF(bubble.left() + PADDING, bubble.top() + PADDING, max_text, height)
        icon = QRect(
            int(bubble.right() - PADDING - ICON),
            int(bubble.bottom() - PADDING - ICON),
            ICON,
            ICON,
        )
        return bubble, text_rect, icon, stamp, layout

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        """Height of the bubble plus margins; cached per (id, width, state)."""
        key = (int(index.data(Role.ID) or 0), option.rect.width(), index.data(Role.DELIVERY))
        size = self._sizes.get(key)
        if size is None:
            if len(self._sizes) > 20000:  # bound the cache (resizing makes new widths)
                self._sizes.clear()
            bubble, *_ = self._geometry(option, index)
            size = QSize(option.rect.width(), int(bubble.height()) + 2 * MARGIN_Y + 1)
            self._sizes[key] = size
        return size

    def icon_rect(self, option: QStyleOptionViewItem, index: ModelIndex) -> QRect:
        """Where the delivery icon of *index* is painted (for hit tests)."""
        return self._geometry(option, index)[2]

    # -- painting -----------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        """Draw the bubble, its text, the time and (outgoing) the delivery icon."""
        bubble, text_rect, icon, stamp, layout = self._geometry(option, index)
        outgoing = index.data(Role.DIRECTION) is Direction.OUT
        state = index.data(Role.DELIVERY)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = OUT_COLOR if outgoing else IN_COLOR
        if option.state & QStyle.StateFlag.State_Selected:
            color = color.darker(112)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(bubble, RADIUS, RADIUS)
        # Bubbles have fixed light colours, so the text colour is fixed too.
        painter.setPen(QColor("#1b1b1b"))
        layout.draw(painter, text_rect.topLeft())
        small = QFont(option.font)
        small.setPointSizeF(max(option.font.pointSizeF() * 0.8, 6.0))
        painter.setFont(small)
        painter.setPen(QColor("#6b6b6b"))
        right = icon.left() - 4 if outgoing else int(bubble.right() - PADDING)
        stamp_rect = QRect(int(bubble.left()), icon.top() - 2, right - int(bubble.left()), ICON + 4)
        painter.drawText(
            stamp_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, stamp
        )
        if outgoing and isinstance(state, DeliveryState):
            paint_state_icon(painter, icon, state)
        painter.restore()

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: ModelIndex,
    ) -> bool:
        """A click on the red mark of a failed message asks for a retry."""
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and index.data(Role.DIRECTION) is Direction.OUT
            and index.data(Role.DELIVERY) in RETRYABLE
            and self.icon_rect(option, index)
            .adjusted(-4, -4, 4, 4)
            .contains(event.position().toPoint())
        ):
            self.retry_requested.emit(int(index.data(Role.ID)))
            return True
        return super().editorEvent(event, model, option, index)


def paint_state_icon(painter: QPainter, rect: QRect, state: DeliveryState) -> None:
    """Paint the icon of *state* into *rect*: the one SVG per state of `ui.icons`.

    Raises:
        KeyError: *state* is not a `DeliveryState` member.
    """
    delivery_icon(state).paint(painter, rect)
