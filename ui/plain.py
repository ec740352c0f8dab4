"""Text from the network, made safe to show: plain, bounded, no direction tricks.

A peer chooses its display name, its address's user part, the reason phrase
of its responses and every message body. None of it is ever rich text, and
none of it may rearrange what is around it: bidirectional override and
isolate controls (U+202A-U+202E, U+2066-U+2069) would let "gnp.exe"
show as "exe.png", and control characters have no glyph. Both become
U+FFFD, visibly. Names and headers are one line, and bounded: a 10,000
character display name is cut with an ellipsis.
"""

from __future__ import annotations

import html

__all__ = ["MAX_LINE", "MAX_TOOLTIP", "body_text", "one_line", "tooltip_html"]

#: Characters of a one-line field (a name, a header) shown before the ellipsis.
MAX_LINE = 120
#: Characters of a tooltip shown before the ellipsis.
MAX_TOOLTIP = 1000

_REPLACEMENT = "\ufffd"
_DIRECTION_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 controls but tab and newline, DEL, C1 controls; and the direction controls.
_BODY_TABLE = {
    code: _REPLACEMENT
    for code in [*range(0x00, 0x20), *range(0x7F, 0xA0), *map(ord, _DIRECTION_CONTROLS)]
    if code not in (0x09, 0x0A)
}
# One line: line and paragraph breaks, tabs and CR become spaces.
_LINE_TABLE = {
    **_BODY_TABLE,
    0x09: " ",
    0x0A: " ",
    0x0D: " ",
    0x0B: " ",
    0x0C: " ",
    0x85: " ",
    0x2028: " ",
    0x2029: " ",
}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """*text* as one plain line of at most *limit* characters."""
    return _cut(text.translate(_LINE_TABLE), limit)


def body_text(text: str) -> str:
    """A message body as shown: line breaks kept, controls and overrides replaced."""
    return text.translate(_BODY_TABLE)


def tooltip_html(text: str, limit: int = MAX_TOOLTIP) -> str:
    """*text* as a tooltip that shows it literally.

    Qt guesses whether a tooltip is rich text (``Qt::mightBeRichText``); a
    name like ``<b>Alice</b>`` would be rendered. Text holding a ``<`` is
    escaped inside a paragraph of our own, so the guess is always right and
    the text shows as written; other text, which Qt shows as plain, is
    returned as it is (controls replaced, bounded).
    """
    shown = _cut(body_text(text), limit)
    if "<" not in shown:
        return shown
    escaped = html.escape(shown, quote=False)
    return f"<p style='white-space:pre-wrap'>{escaped}</p>"
