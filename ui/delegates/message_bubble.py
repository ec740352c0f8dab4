"""Paints one message as a bubble: wrapped text, time, delivery icon.

No widget per message: the view asks this delegate to paint the visible
rows only. Laying text out is the expensive part, so it happens once per
(message, width): `sizeHint` keeps the bubble's size per (message id,
width), and its geometry, text layout and time text in a small cache that
`paint` draws from. Over a `ConversationModel` both read the row's stored
record directly rather than asking `index.data` once per role, since the
view asks for every loaded row's size on each layout.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
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
    QPalette,
    QPen,
    QStaticText,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
)

from softphone.sip.delivery import DeliveryState
from softphone.store import Direction
from ui.delegates.bubble_links import LinkSpan, find_links, link_formats, span_at
from ui.icons import delivery_icon
from ui.models.conversation import ConversationModel, RowMarks
from ui.plain import body_text
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

#: How much of the highlight colour a sent bubble takes over the base, and
#: how much of the text colour a received one does: drawn from the palette,
#: so light and dark themes both read well.
OUT_TINT = 0.22
IN_TINT = 0.07
SELECTED_TINT = 0.12


def blend(base: QColor, other: QColor, amount: float) -> QColor:
    """*base* moved *amount* (0..1) of the way towards *other*."""
    return QColor.fromRgbF(
        base.redF() + (other.redF() - base.redF()) * amount,
        base.greenF() + (other.greenF() - base.greenF()) * amount,
        base.blueF() + (other.blueF() - base.blueF()) * amount,
    )


def bubble_colors(
    palette: QPalette, *, outgoing: bool, selected: bool
) -> tuple[QColor, QColor, QColor]:
    """Fill, text and time colours of a bubble, from *palette*."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    tint = OUT_TINT if outgoing else IN_TINT
    if selected:
        tint += SELECTED_TINT
    target = palette.color(QPalette.ColorRole.Highlight) if outgoing else text
    fill = blend(base, target, tint)
    stamp = blend(fill, text, 0.6)
    return fill, text, stamp


NO_MARKS = RowMarks()
#: Height of a date separator or the "New messages" line.
MARK_HEIGHT = 26
#: Top margin of a bubble that follows one from the same side.
GROUPED_MARGIN_Y = 0

#: States a click on the icon or the Retry button retries.
RETRYABLE = (DeliveryState.FAILED, DeliveryState.DECLINED)
#: Padding inside the Retry button, each side of its label.
BUTTON_PADDING_X = 10
BUTTON_PADDING_Y = 4

#: Sizes kept before the size cache starts over (resizing makes new widths).
SIZE_CACHE = 20_000
#: Laid-out bubbles kept for painting: a few screens' worth, since each
#: holds a text layout with its glyphs.
LAYOUT_CACHE = 128


@dataclass(slots=True)
class ShownMessage:
    """What a bubble shows of one row."""

    id: int
    text: str
    outgoing: bool
    created: float
    state: DeliveryState | None
    marks: RowMarks = NO_MARKS
    #: The line under the text ("Not sent: …", "Sending…"; "" for none).
    status: str = ""
    #: Whether the bubble carries a Retry button.
    retry: bool = False


@dataclass(frozen=True, slots=True)
class Bubble:
    """A laid-out bubble, relative to the top-left corner of its row."""

    size: QSize
    rect: QRectF
    text_origin: QPointF
    icon: QRect
    #: The time, laid out once: drawing static text skips shaping it again.
    stamp: QStaticText
    stamp_origin: QPointF
    outgoing: bool
    layout: QTextLayout
    #: The date separator's text and where it goes (None: no separator).
    day: str | None = None
    day_rect: QRect | None = None
    #: Where the "New messages" line goes (None: not here).
    new_rect: QRect | None = None
    #: The status line, laid out, and where it goes (None: no line).
    status: QTextLayout | None = None
    status_origin: QPointF | None = None
    #: The Retry button (None: no button).
    button: QRect | None = None
    #: The links in the text (`ui.delegates.bubble_links`), drawn underlined.
    links: tuple[LinkSpan, ...] = ()


#: QTextLayout breaks lines only at U+2028 LINE SEPARATOR; a newline would
#: be drawn as nothing and join the lines around it.
LINE_SEPARATOR = "\u2028"


def shown_text(text: str) -> str:
    """*text* as the layout holds it: each line break one U+2028."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", LINE_SEPARATOR)


def _text_layout(
    text: str, font: QFont, width: int, formats: list[QTextLayout.FormatRange] | None = None
) -> tuple[QTextLayout, float, float]:
    """Lay *text* (already `shown_text`) out in *width*; the layout, its height and widest line."""
    layout = QTextLayout(text, font)
    if formats:
        layout.setFormats(formats)
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
    # Drawn many times from the cache: keep the shaped glyphs.
    layout.setCacheEnabled(True)
    return layout, y, widest


def layout_lines(layout: QTextLayout) -> list[str]:
    """The text of each line of *layout*, as drawn (line separators left out)."""
    units = layout.text().encode("utf-16-le")
    lines = []
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        start, length = line.textStart(), line.textLength()
        text = units[2 * start : 2 * (start + length)].decode("utf-16-le")
        lines.append(text.replace(LINE_SEPARATOR, ""))
    return lines


def format_time(when: float) -> str:
    """The bubble's time: "14:02" (local)."""
    return time.strftime("%H:%M", time.localtime(when))


def retry_label() -> str:
    """The Retry button's text."""
    return QCoreApplication.translate("conversation", "Retry")


def message_at(index: ModelIndex) -> ShownMessage:
    """The message shown at *index*.

    Read from the stored record when the model is a `ConversationModel`,
    else from the index's roles (a proxy model, say).
    """
    model = index.model()
    if isinstance(model, ConversationModel):
        row = index.row()
        record = model.record(row)
        outgoing = record.direction is Direction.OUT
        return ShownMessage(
            int(record.id),
            body_text(record.body),
            outgoing,
            record.created,
            record.state,
            model.marks(row),
            model.status_line(row),
            outgoing and record.state in RETRYABLE,
        )
    state = index.data(Role.DELIVERY)
    outgoing = index.data(Role.DIRECTION) is Direction.OUT
    return ShownMessage(
        int(index.data(Role.ID) or 0),
        str(index.data(Role.TEXT) or ""),
        outgoing,
        float(index.data(Role.TIME) or 0.0),
        state if isinstance(state, DeliveryState) else None,
        status=str(index.data(Role.STATUS_LINE) or ""),
        retry=outgoing and state in RETRYABLE,
    )


#: What decides a bubble's layout besides its text: (id, width, marks,
#: status line, Retry button).
LayoutKey = tuple[int, int, RowMarks, str, bool]


def layout_key(index: ModelIndex, width: int) -> LayoutKey:
    """The cache key of *index*'s bubble at *width*; cheap for a `ConversationModel`."""
    model = index.model()
    if isinstance(model, ConversationModel):
        row = index.row()
        record = model.record(row)
        retry = record.direction is Direction.OUT and record.state in RETRYABLE
        return (int(record.id), width, model.marks(row), model.status_line(row), retry)
    state = index.data(Role.DELIVERY)
    retry = index.data(Role.DIRECTION) is Direction.OUT and state in RETRYABLE
    status = str(index.data(Role.STATUS_LINE) or "")
    return (int(index.data(Role.ID) or 0), width, NO_MARKS, status, retry)


def lay_out(
    message: ShownMessage, font: QFont, width: int, link_color: QColor | None = None
) -> Bubble:
    """Lay one bubble out for a row *width* pixels wide; links drawn in *link_color*."""
    small = QFont(font)
    small.setPointSizeF(max(font.pointSizeF() * 0.8, 6.0))
    small_metrics = QFontMetrics(small)
    stamp = format_time(message.created)
    outgoing = message.outgoing
    meta_width = small_metrics.horizontalAdvance(stamp) + (ICON + 4 if outgoing else 0)
    max_text = max(int(width * MAX_BUBBLE_FRACTION) - 2 * PADDING, 40)
    text = shown_text(message.text)
    links = tuple(find_links(text))
    formats = link_formats(list(links), link_color or QColor(Qt.GlobalColor.blue))
    layout, height, widest = _text_layout(text, font, max_text, formats)
    meta_height = max(small_metrics.height(), ICON if outgoing else 0)
    status: QTextLayout | None = None
    status_height = 0.0
    if message.status:
        status, status_height, status_widest = _text_layout(message.status, small, max_text)
        widest = max(widest, status_widest)
        status_height += META_GAP
    button_size: QSize | None = None
    if message.retry:
        metrics = QFontMetrics(font)
        button_size = QSize(
            metrics.horizontalAdvance(retry_label()) + 2 * BUTTON_PADDING_X,
            metrics.height() + 2 * BUTTON_PADDING_Y,
        )
        meta_width += button_size.width() + 8
        meta_height = max(meta_height, button_size.height())
    bubble_w = max(widest, meta_width) + 2 * PADDING
    bubble_h = height + META_GAP + status_height + meta_height + 2 * PADDING
    marks = message.marks
    top = 0
    day_rect = new_rect = None
    if marks.day is not None:
        day_rect = QRect(0, top, width, MARK_HEIGHT)
        top += MARK_HEIGHT
    if marks.new_messages:
        new_rect = QRect(0, top, width, MARK_HEIGHT)
        top += MARK_HEIGHT
    top += GROUPED_MARGIN_Y if marks.grouped else MARGIN_Y
    # A row's rect runs from 0 to width - 1, as QRect.right() counts.
    x = width - 1 - MARGIN_X - bubble_w if outgoing else MARGIN_X
    rect = QRectF(x, top, bubble_w, bubble_h)
    icon_top = int(rect.bottom() - PADDING - ICON)
    button = None
    if button_size is not None:
        # The button at the start of the time line, the icon centred on it.
        meta_top = int(rect.bottom() - PADDING - meta_height)
        button = QRect(
            int(rect.left() + PADDING),
            meta_top + (meta_height - button_size.height()) // 2,
            button_size.width(),
            button_size.height(),
        )
        icon_top = meta_top + (meta_height - ICON) // 2
    icon = QRect(int(rect.right() - PADDING - ICON), icon_top, ICON, ICON)
    # The time ends left of the icon (or at the padding) and is centred on
    # the icon's line.
    right = icon.left() - 4 if outgoing else int(rect.right() - PADDING)
    stamp_text = QStaticText(stamp)
    stamp_text.setTextFormat(Qt.TextFormat.PlainText)
    stamp_origin = QPointF(
        right - small_metrics.horizontalAdvance(stamp),
        icon.top() - 2 + (ICON + 4 - small_metrics.height()) // 2,
    )
    status_origin = None
    if status is not None:
        status_origin = QPointF(rect.left() + PADDING, rect.top() + PADDING + height + META_GAP)
    return Bubble(
        size=QSize(width, int(rect.bottom()) + MARGIN_Y + 1),
        rect=rect,
        text_origin=QPointF(rect.left() + PADDING, rect.top() + PADDING),
        icon=icon,
        stamp=stamp_text,
        stamp_origin=stamp_origin,
        outgoing=outgoing,
        layout=layout,
        day=marks.day,
        day_rect=day_rect,
        new_rect=new_rect,
        status=status,
        status_origin=status_origin,
        button=button,
        links=links,
    )


class MessageBubbleDelegate(QStyledItemDelegate):
    """Bubble painter for `ConversationModel` rows."""

    #: The user clicked the red mark of a failed or declined message.
    retry_requested = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Both keyed by (message id, row width). The geometry does not
        # depend on the delivery state, so a state change repaints from
        # here with the new icon.
        # The key also holds the row's marks (date separator, "New
        # messages", grouping): they change when an older page or a new
        # message arrives next to the row.
        # The status line and the Retry button are in the key too: a
        # failure adds them, a retry takes them away.
        self._sizes: dict[LayoutKey, QSize] = {}
        self._bubbles: OrderedDict[LayoutKey, Bubble] = OrderedDict()
        self._font: QFont | None = None
        self._small = QFont()
        self._link_color: QColor | None = None

    def forget_layouts(self) -> None:
        """Drop every cached size and layout (the font changed)."""
        self._sizes.clear()
        self._bubbles.clear()
        self._font = None
        self._link_color = None

    # -- geometry -----------------------------------------------------------------

    def _bubble(
        self, option: QStyleOptionViewItem, index: ModelIndex
    ) -> tuple[Bubble, DeliveryState | None]:
        """The laid-out bubble of *index* for *option*'s width, and its state."""
        font = option.font
        link_color = option.palette.color(QPalette.ColorRole.Link)
        if font != self._font or link_color != self._link_color:
            # A new font, or a new palette (dark theme): links change colour.
            self.forget_layouts()
            self._font = QFont(font)
            self._link_color = QColor(link_color)
            self._small = QFont(font)
            self._small.setPointSizeF(max(font.pointSizeF() * 0.8, 6.0))
        model = index.model()
        key = layout_key(index, option.rect.width())
        if isinstance(model, ConversationModel):
            state: DeliveryState | None = model.record(index.row()).state
        else:
            value = index.data(Role.DELIVERY)
            state = value if isinstance(value, DeliveryState) else None
        bubble = self._bubbles.get(key)
        if bubble is None:
            bubble = lay_out(message_at(index), font, key[1], link_color)
            self._bubbles[key] = bubble
            if len(self._bubbles) > LAYOUT_CACHE:
                self._bubbles.popitem(last=False)
        else:
            self._bubbles.move_to_end(key)
        return bubble, state

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        """Height of the bubble plus margins; cached per (message id, width).

        The view asks again for every loaded row on each layout (every
        append), so a cache hit reads the row's record and nothing else.
        The delivery state is not part of the key: it changes the icon,
        which `paint` reads afresh, never the bubble's size.
        """
        key = layout_key(index, option.rect.width())
        size = self._sizes.get(key)
        if size is None:
            if len(self._sizes) > SIZE_CACHE:
                self._sizes.clear()
            size = self._bubble(option, index)[0].size
            self._sizes[key] = size
        return size

    def bubble(self, option: QStyleOptionViewItem, index: ModelIndex) -> Bubble:
        """The laid-out bubble of *index* for *option*'s width (from the cache)."""
        return self._bubble(option, index)[0]

    def link_at(
        self, option: QStyleOptionViewItem, index: ModelIndex, point: QPointF
    ) -> LinkSpan | None:
        """The link drawn at *point* (the view's coordinates) in the row of *index*."""
        bubble = self._bubble(option, index)[0]
        origin = bubble.text_origin + QPointF(option.rect.topLeft())
        return span_at(bubble.layout, bubble.links, point - origin)

    def icon_rect(self, option: QStyleOptionViewItem, index: ModelIndex) -> QRect:
        """Where the delivery icon of *index* is painted (for hit tests)."""
        icon = self._bubble(option, index)[0].icon
        return icon.translated(option.rect.topLeft())

    def button_rect(self, option: QStyleOptionViewItem, index: ModelIndex) -> QRect | None:
        """Where the Retry button of *index* is painted (None: it has none)."""
        button = self._bubble(option, index)[0].button
        return None if button is None else button.translated(option.rect.topLeft())

    # -- painting -----------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        """Draw the bubble, its text, the time and (outgoing) the delivery icon."""
        bubble, state = self._bubble(option, index)
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if bubble.day_rect is not None and bubble.day is not None:
            self._paint_mark(painter, option, bubble.day_rect, bubble.day, accent=False)
        if bubble.new_rect is not None:
            self._paint_mark(
                painter,
                option,
                bubble.new_rect,
                QCoreApplication.translate("conversation", "New messages"),
                accent=True,
            )
        color, text_color, stamp_color = bubble_colors(
            option.palette, outgoing=bubble.outgoing, selected=selected
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(bubble.rect, RADIUS, RADIUS)
        painter.setPen(text_color)
        bubble.layout.draw(painter, bubble.text_origin)
        if bubble.status is not None and bubble.status_origin is not None:
            painter.setPen(status_color(option.palette, state))
            bubble.status.draw(painter, bubble.status_origin)
        painter.setFont(self._small)
        painter.setPen(stamp_color)
        painter.drawStaticText(bubble.stamp_origin, bubble.stamp)
        if bubble.button is not None:
            self._paint_button(painter, option, bubble.button)
        # The state is read on every paint, so dataChanged for the row is
        # enough to show a new icon.
        if bubble.outgoing and state is not None:
            paint_state_icon(painter, bubble.icon, state)
        if option.state & QStyle.StateFlag.State_HasFocus:
            # The keyboard's place in the list: a frame round the bubble.
            pen = QPen(option.palette.color(QPalette.ColorRole.Highlight), 2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(bubble.rect.adjusted(-1, -1, 1, 1), RADIUS, RADIUS)
        painter.restore()

    def _paint_button(self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect) -> None:
        """The Retry button, drawn by the style as a real push button is."""
        button = QStyleOptionButton()
        button.rect = rect
        button.text = retry_label()
        button.palette = option.palette
        button.fontMetrics = QFontMetrics(option.font)
        button.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Raised
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        painter.setFont(option.font)
        style.drawControl(QStyle.ControlElement.CE_PushButton, button, painter, widget)

    def _paint_mark(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        rect: QRect,
        text: str,
        *,
        accent: bool,
    ) -> None:
        """A centred label with a rule either side: a date, or "New messages"."""
        palette = option.palette
        color = (
            palette.color(QPalette.ColorRole.Highlight)
            if accent
            else palette.color(QPalette.ColorRole.PlaceholderText)
        )
        painter.setFont(self._small)
        metrics = QFontMetrics(self._small)
        label_w = metrics.horizontalAdvance(text) + 16
        mid = rect.center().y()
        left = rect.left() + MARGIN_X
        right = rect.right() - MARGIN_X
        label = QRect(rect.center().x() - label_w // 2, rect.top(), label_w, rect.height())
        painter.setPen(QPen(color, 1))
        painter.drawLine(left, mid, label.left(), mid)
        painter.drawLine(label.right(), mid, right, mid)
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, text)

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: ModelIndex,
    ) -> bool:
        """A click on the Retry button or the red mark of a failed message asks for a retry."""
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and index.data(Role.DIRECTION) is Direction.OUT
            and index.data(Role.DELIVERY) in RETRYABLE
        ):
            point = event.position().toPoint()
            button = self.button_rect(option, index)
            on_icon = self.icon_rect(option, index).adjusted(-4, -4, 4, 4).contains(point)
            if on_icon or (button is not None and button.contains(point)):
                self.retry_requested.emit(int(index.data(Role.ID)))
                return True
        return super().editorEvent(event, model, option, index)


def status_color(palette: QPalette, state: DeliveryState | None) -> QColor:
    """The status line's colour: red for a message that did not go, else muted."""
    if state in RETRYABLE:
        dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
        return QColor(239, 154, 154) if dark else QColor(183, 28, 28)
    return palette.color(QPalette.ColorRole.PlaceholderText)


def paint_state_icon(painter: QPainter, rect: QRect, state: DeliveryState) -> None:
    """Paint the icon of *state* into *rect*: the one SVG per state of `ui.icons`.

    Raises:
        KeyError: *state* is not a `DeliveryState` member.
    """
    delivery_icon(state).paint(painter, rect)
