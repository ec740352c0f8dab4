"""Links in messages: http, https and sip only, clicked with the mouse where they are drawn."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QPalette

from tests.ui.window_fixture import receive, window_fixture  # noqa: F401
from ui.delegates.bubble_links import LinkKind, find_links
from ui.windows.main_window import MainWindow

BOB = "sip:bob@example.test"
CAROL = "sip:carol@example.test"
LEFT = Qt.MouseButton.LeftButton


def _targets(text: str) -> list[tuple[str, LinkKind]]:
    return [(span.target, span.kind) for span in find_links(text)]


def test_only_http_https_and_sip_addresses_are_links() -> None:
    text = (
        "see https://example.com/a?b=1, (http://x.example/p) and sip:carol@example.test."
        " or SIPS:dave@example.test\nhttps://example.org/wiki/A_(b)"
    )
    assert _targets(text) == [
        ("https://example.com/a?b=1", LinkKind.WEB),
        ("http://x.example/p", LinkKind.WEB),
        ("sip:carol@example.test", LinkKind.SIP),
        ("SIPS:dave@example.test", LinkKind.SIP),
        ("https://example.org/wiki/A_(b)", LinkKind.WEB),
    ]


def test_hostile_and_other_schemes_are_not_links() -> None:
    hostile = (
        'javascript:alert(1) <a href="javascript:alert(1)">click</a> file:///etc/passwd'
        " data:text/html,<b>x</b> mailto:a@example.com www.example.com example.com"
        " xhttp://evil.example http:// https:///nohost sip:example.com"
        " sip:alice@example.test?Route=%3Csip:evil%3E vbscript:msgbox ftp://example.com"
    )
    assert _targets(hostile) == []


def test_positions_count_utf16_units_after_an_emoji() -> None:
    [span] = find_links("😀 http://example.com")
    # The emoji is two UTF-16 units, then a space.
    assert (span.start, span.length) == (3, len("http://example.com"))


def _link_point(window: MainWindow, row: int, position: int) -> QPoint:
    """Where the character at *position* of the bubble at *row* is drawn (viewport)."""
    option, index = window.chat._row_option(row)
    bubble = window.chat.delegate.bubble(option, index)
    line = bubble.layout.lineForTextPosition(position)
    left = line.cursorToX(position)[0]
    right = line.cursorToX(position + 1)[0]
    at = QPointF((left + right) / 2, line.y() + line.height() / 2)
    return (at + bubble.text_origin + QPointF(option.rect.topLeft())).toPoint()


def _open(window: MainWindow, body: str) -> int:
    receive(window, BOB, body)
    window.open_conversation(BOB)
    model = window.chat.model
    assert model is not None
    return model.rowCount() - 1


def test_clicking_a_web_link_opens_it_with_the_desktop(window: MainWindow, qtbot) -> None:
    opened: list[QUrl] = []
    window.open_url = opened.append
    body = "look at https://example.com/page?x=1 today"
    row = _open(window, body)
    viewport = window.chat.view.viewport()
    start = body.index("https")

    # Beside the link (the word "today"), and past the end of the text: nothing.
    qtbot.mouseClick(viewport, LEFT, pos=_link_point(window, row, body.index("today") + 1))
    qtbot.mouseClick(viewport, LEFT, pos=_link_point(window, row, start - 2))
    assert opened == []

    qtbot.mouseClick(viewport, LEFT, pos=_link_point(window, row, start + 10))
    assert [url.toString() for url in opened] == ["https://example.com/page?x=1"]


def test_clicking_a_sip_link_opens_that_conversation(window: MainWindow, qtbot) -> None:
    opened: list[QUrl] = []
    window.open_url = opened.append
    body = "ask carol: sip:carol@example.test?body=hello%20carol"
    row = _open(window, body)
    qtbot.mouseClick(
        window.chat.view.viewport(), LEFT, pos=_link_point(window, row, body.index("sip:") + 5)
    )
    assert window.chat.peer == CAROL
    # The link's text is a draft, never sent.
    assert window.chat.composer.toPlainText() == "hello carol"
    assert window.store.messages(CAROL) == []
    assert opened == []


def test_hostile_text_is_not_clickable(window: MainWindow, qtbot) -> None:
    opened: list[QUrl] = []
    window.open_url = opened.append
    body = '<a href="http://evil.example">click me</a> javascript:alert(1) file:///etc/passwd'
    row = _open(window, body)
    viewport = window.chat.view.viewport()
    for word in ("click me", "javascript", "alert", "file:", "passwd"):
        qtbot.mouseClick(viewport, LEFT, pos=_link_point(window, row, body.index(word) + 2))
    assert opened == []
    assert window.chat.peer == BOB
    # Shown as written: the markup is text.
    assert window.chat.shown_lines(row)[0].startswith('<a href="')


def test_a_link_is_underlined_in_the_link_colour_and_the_pointer_is_a_hand(
    window: MainWindow, qtbot
) -> None:
    body = "go http://example.com now"
    row = _open(window, body)
    chat = window.chat
    option, index = chat._row_option(row)
    bubble = chat.delegate.bubble(option, index)
    [fmt] = bubble.layout.formats()
    assert (fmt.start, fmt.length) == (body.index("http"), len("http://example.com"))
    assert fmt.format.fontUnderline()
    link_color = chat.view.palette().color(QPalette.ColorRole.Link)
    assert fmt.format.foreground().color() == link_color

    viewport = chat.view.viewport()
    qtbot.mouseMove(viewport, _link_point(window, row, body.index("example")))
    qtbot.waitUntil(lambda: viewport.cursor().shape() == Qt.CursorShape.PointingHandCursor)
    qtbot.mouseMove(viewport, _link_point(window, row, body.index("now") + 1))
    qtbot.waitUntil(lambda: viewport.cursor().shape() == Qt.CursorShape.ArrowCursor)
