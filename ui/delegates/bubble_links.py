"""Links in message bubbles: found in plain text, drawn underlined, hit by the mouse.

Only three kinds of text are links: ``http://`` and ``https://`` addresses
with a host, and ``sip:``/``sips:`` addresses that `softphone.link.parse_link`
would open (a user part, no other header than ``?body=``). Nothing else is:
no ``javascript:``, ``file:``, ``data:`` or ``mailto:``, no bare domains and
no ``www.`` without a scheme (a guess that turns ordinary words such as
"www.txt" into something to click). The message stays plain text: markup
such as ``<a href=...>`` is shown as written and never makes a link, only a
literal address does.

A span's positions count UTF-16 code units, as `QTextLayout` does, so a
link after an emoji is still hit where it is drawn.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QTextCharFormat, QTextLayout
from PySide6.QtWidgets import QAbstractItemView, QStyleOptionViewItem

from softphone.link import LinkError, parse_link

__all__ = ["BubbleLinks", "LinkKind", "LinkSpan", "find_links", "link_formats", "span_at"]


class LinkKind(enum.Enum):
    """What a click on a link does."""

    #: An http or https address: the desktop's browser opens it.
    WEB = "web"
    #: A sip or sips address: its conversation opens in the window.
    SIP = "sip"


@dataclass(frozen=True, slots=True)
class LinkSpan:
    """One link in a text: where it is (UTF-16 units) and what it opens."""

    start: int
    length: int
    target: str
    kind: LinkKind

    def __contains__(self, position: object) -> bool:
        return isinstance(position, int) and self.start <= position < self.start + self.length


# A candidate starts where a word starts (not inside "xhttp://" or "a+sip:")
# and runs to white space or a character that cannot be in an address
# unescaped (RFC 3986 2.2 leaves out <, >, ", `, {, }, |, \, ^; the quote
# marks end it too, as a link in prose is quoted with them).
_CANDIDATE = re.compile(r"(?<![\w+.\-])(?:https?://|sips?:)[^\s<>\"'`{}|\\^]+", re.IGNORECASE)
# Prose punctuation after an address belongs to the sentence.
_TRAILING = ".,;:!?"
_CLOSERS = {")": "(", "]": "["}


def _trim(candidate: str) -> str:
    """*candidate* without the punctuation a sentence put after it."""
    while candidate:
        last = candidate[-1]
        if last in _TRAILING:
            candidate = candidate[:-1]
        elif last in _CLOSERS and candidate.count(last) > candidate.count(_CLOSERS[last]):
            candidate = candidate[:-1]  # "(see http://x.example)": the bracket is the text's
        else:
            break
    return candidate


def _kind_of(target: str) -> LinkKind | None:
    """The kind of link *target* is, or None when it is not one to open."""
    if target[:4].lower() == "http":
        try:
            host = urlsplit(target).hostname
        except ValueError:  # a malformed port or bracket
            return None
        return LinkKind.WEB if host else None
    try:
        parse_link(target)
    except LinkError:
        return None
    return LinkKind.SIP


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def find_links(text: str) -> list[LinkSpan]:
    """The links in *text*, in order; positions in UTF-16 units."""
    spans = []
    for match in _CANDIDATE.finditer(text):
        target = _trim(match.group())
        kind = _kind_of(target)
        if kind is None:
            continue
        start = _utf16_length(text[: match.start()])
        spans.append(LinkSpan(start, _utf16_length(target), target, kind))
    return spans


def link_formats(spans: list[LinkSpan], color: QColor) -> list[QTextLayout.FormatRange]:
    """Underlined, in *color* (the palette's link colour): the formats for *spans*."""
    ranges = []
    for span in spans:
        fmt = QTextCharFormat()
        fmt.setFontUnderline(True)
        fmt.setForeground(color)
        rng = QTextLayout.FormatRange()
        rng.start, rng.length, rng.format = span.start, span.length, fmt
        ranges.append(rng)
    return ranges


def span_at(layout: QTextLayout, spans: tuple[LinkSpan, ...], point: QPointF) -> LinkSpan | None:
    """The link drawn at *point* (relative to the layout's origin), if any."""
    if not spans:
        return None
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        if not line.y() <= point.y() < line.y() + line.height():
            continue
        x = point.x() - line.x()
        if not 0 <= x < line.naturalTextWidth():
            return None  # beside the text: not on a link
        position = line.xToCursor(x, line.CursorPosition.CursorOnCharacter)
        return next((span for span in spans if position in span), None)
    return None


class BubbleLinks(QObject):
    """Watches a message list's viewport: a hand over a link, a click opens it.

    The view's delegate must offer ``link_at(option, index, point)``, the
    link under *point* (viewport coordinates) in the row of *index*.
    A press and release on the same link emits `activated`; the click is
    not passed on to the view.
    """

    #: A link was clicked: what it opens.
    activated = Signal(object)

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        self._pressed: LinkSpan | None = None
        view.viewport().installEventFilter(self)

    def link_at(self, pos: QPoint) -> LinkSpan | None:
        """The link under *pos*, in the viewport's coordinates."""
        view = self._view
        index: QModelIndex = view.indexAt(pos)
        delegate = view.itemDelegateForIndex(index) if index.isValid() else None
        finder = getattr(delegate, "link_at", None)
        if finder is None:
            return None
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        option.rect = view.visualRect(index)
        found = finder(option, index, QPointF(pos))
        return found if isinstance(found, LinkSpan) else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not isinstance(event, QMouseEvent):
            if kind == QEvent.Type.Leave:
                self._view.viewport().unsetCursor()
            return False
        pos = event.position().toPoint()
        if kind == QEvent.Type.MouseMove:
            viewport = self._view.viewport()
            if self.link_at(pos) is not None:
                viewport.setCursor(Qt.CursorShape.PointingHandCursor)
            else:
                viewport.unsetCursor()
            return False
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        if kind == QEvent.Type.MouseButtonPress:
            self._pressed = self.link_at(pos)
            return self._pressed is not None
        if kind == QEvent.Type.MouseButtonRelease and self._pressed is not None:
            pressed, self._pressed = self._pressed, None
            if self.link_at(pos) == pressed:
                self.activated.emit(pressed)
            return True
        return False
