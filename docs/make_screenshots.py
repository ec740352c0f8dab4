"""Render docs/screenshot-trace.png (and, with the options below, a scripted main window).

docs/screenshot-main.png, -dark.png and -korean.png as the README shows them
come from docs/walkthrough.py (real X input); this script stages a richer
story in-process (declined, failed) for checking the drawing.

Starts what `softphone --demo` starts (the embedded server, alice, carol,
joe and the welcome server, `softphone.demo`), opens bob's window on it
and lets the story play for about 20 seconds with real SIP MESSAGEs:
alice's Korean greeting, a message she takes (delivered) and echoes, one
sent while she has blocked bob (603: declined), one sent while her phone is
off (480: failed, with Retry); carol, joe (whose phone comes and goes) and
an unknown user in the buddy list. Nothing needs to be installed besides
the app; the demo's history goes to a temporary folder. Run under a
display, e.g.:

    Xvfb :97 -screen 0 1280x800x24 &
    DISPLAY=:97 python3 docs/make_screenshots.py
    DISPLAY=:97 python3 docs/make_screenshots.py --dark   # docs/screenshot-dark.png
    DISPLAY=:97 python3 docs/make_screenshots.py --ko     # docs/screenshot-korean.png
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if os.environ.get("DISPLAY") and "QT_QPA_PLATFORM" not in os.environ:
    os.environ["QT_QPA_PLATFORM"] = "xcb"

import qasync  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFontMetrics, QPalette, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem, QToolTip  # noqa: E402

from softphone.demo import ALICE, BOB, CAROL, JOE  # noqa: E402
from softphone.services.presence import BuddyStatus  # noqa: E402
from softphone.sip.delivery import DeliveryState  # noqa: E402
from softphone.store import MessageRecord  # noqa: E402
from ui.bridge import CoreBridge  # noqa: E402
from ui.main import Session, demo_session  # noqa: E402
from ui.windows.main_window import MainWindow  # noqa: E402

DARK = "--dark" in sys.argv
KOREAN = "--ko" in sys.argv
OUT_MAIN = (
    ROOT
    / "docs"
    / (
        "screenshot-dark.png"
        if DARK
        else "screenshot-korean.png"
        if KOREAN
        else "screenshot-main.png"
    )
)
OUT_TRACE = ROOT / "docs" / "screenshot-trace.png"
DAVE = "sip:dave@example.com"


async def until(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait for *predicate*, polling the running loop.

    Raises:
        TimeoutError: still false after *timeout* seconds.
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


def show_tooltip(window: MainWindow, message_id: int) -> None:
    """Show the tooltip of *message_id*'s delivery icon, as hovering it does."""
    chat = window.chat
    model = chat.model
    assert model is not None
    row = model.row_of(message_id)
    assert row is not None
    index = model.index(row, 0)
    chat.view.scrollTo(index)
    option = QStyleOptionViewItem()
    chat.view.initViewItemOption(option)
    option.rect = chat.view.visualRect(index)
    icon = chat.delegate.icon_rect(option, index)
    text = str(index.data(Qt.ItemDataRole.ToolTipRole))
    # Left of the icon, so the whole sentence stays inside the window's picture.
    width = QFontMetrics(QToolTip.font()).horizontalAdvance(text) + 24
    where = chat.view.viewport().mapToGlobal(icon.bottomLeft() + QPoint(-width, 6))
    QToolTip.showText(where, text, chat.view.viewport())


async def open_window(session: Session, *, demo: bool = False) -> MainWindow:
    """Bob's window on *session*'s core, shown; the core started and registered."""
    app = session.app
    window = MainWindow(app, CoreBridge(app), demo=demo)
    window.resize(1040, 680)
    window.show()
    await app.start()
    assert app.registration is not None
    assert await app.registration.wait_registered(10)
    return window


@contextlib.asynccontextmanager
async def demo_window(data_dir: Path) -> AsyncIterator[tuple[Session, MainWindow]]:
    """Bob's window on the demo, registered, Alice's greeting in and her conversation open.

    Joe's phone stays as it is for the length of a scene. The window is
    hidden and the demo stopped at the end.
    """
    session = await demo_session(data_dir, joe_interval=(600.0, 900.0))
    assert session is not None and session.demo is not None
    app = session.app
    window = await open_window(session)
    try:
        await until(lambda: bool(app.store.messages(ALICE)), "alice's greeting")
        window.open_conversation(ALICE)
        window.activateWindow()
        yield session, window
    finally:
        window.hide()
        await session.close()


def grab_with_popups(window: MainWindow) -> QPixmap:
    """The screen where *window* is, so a tooltip over it is in the picture."""
    screen = window.screen()
    frame = window.frameGeometry()
    return screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())


async def scene(data_dir: Path) -> None:
    started = time.monotonic()
    # Joe's phone comes and goes every few seconds, so he is seen both ways.
    session = await demo_session(data_dir, joe_interval=(4.0, 7.0))
    assert session is not None and session.demo is not None
    app, demo = session.app, session.demo
    alice = demo.alice
    assert alice is not None and alice.registration is not None
    # Some older history, so the pictures show date separators and a
    # message of several lines.
    day = 24 * 3600
    now = time.time()
    app.store.insert_incoming(
        ALICE,
        "Did you get the tickets?",
        content_type="text/plain",
        call_id="older-1",
        cseq=1,
        from_tag="t",
        now=now - 3 * day,
    )
    tickets = app.store.insert_outgoing(
        ALICE, "Yes!\nTwo seats, row 7\nSee you on Friday", now=now - 3 * day + 120
    )
    app.store.update_state(tickets.id, DeliveryState.SENDING, now=now - 3 * day + 120)
    app.store.update_state(
        tickets.id, DeliveryState.DELIVERED, code=200, reason="OK", now=now - 3 * day + 121
    )
    app.store.insert_incoming(
        ALICE,
        "Great, thanks!",
        content_type="text/plain",
        call_id="older-2",
        cseq=1,
        from_tag="t",
        now=now - day,
    )
    app.store.mark_read(ALICE)
    window = await open_window(session, demo=True)
    try:
        print(f"window up and registered after {time.monotonic() - started:.2f} s")
        window.add_buddy(DAVE, "Dave")  # nobody by that name: "unknown user"

        def settled(record: MessageRecord) -> Callable[[], bool]:
            return lambda: app.store.message(record.id).state.is_final

        def status_of(peer: str) -> BuddyStatus:
            return window.bridge.presence.state(peer).status  # type: ignore[no-any-return,union-attr]

        def last_from(peer: str) -> str:
            history = app.store.messages(peer)
            return history[-1].body if history else ""

        await until(lambda: last_from(ALICE) == "안녕하세요! 밥", "alice's greeting")
        window.open_conversation(ALICE)
        sent = window.send(ALICE, "안녕, 앨리스!\n오늘 점심 같이 먹을래요?")
        assert sent is not None
        await until(settled(sent), "delivered")
        await until(lambda: last_from(ALICE).startswith("Echo:"), "alice's echo")
        await asyncio.sleep(1.0)

        # Alice blocks bob for a moment: her phone answers 603 Decline.
        alice.store.set_blocked(BOB, True, now=time.time())
        sent = window.send(ALICE, "Lunch at 12:30, the usual place?")
        assert sent is not None
        await until(settled(sent), "declined")
        alice.store.set_blocked(BOB, False, now=time.time())

        # Alice's phone is off: the server has nowhere to relay (480), and
        # the bubble offers Retry.
        await alice.registration.stop()
        await until(lambda: status_of(ALICE) is BuddyStatus.OFFLINE, "alice offline")
        failed = window.send(ALICE, "Sending the photos now")
        assert failed is not None
        await until(settled(failed), "failed")
        alice.registration.start()
        assert await alice.registration.wait_registered(10)

        window.open_conversation(CAROL)
        sent = window.send(CAROL, "Hi Carol!")
        assert sent is not None
        await until(settled(sent), "carol's answer")

        # Let the story play on until joe's phone is off for the picture.
        await asyncio.sleep(4.0)
        await until(lambda: status_of(JOE) is BuddyStatus.OFFLINE, "joe offline")
        window.open_conversation(ALICE)
        window.activateWindow()
        window.chat.composer.setPlainText("See you at 12:30 then!")
        await asyncio.sleep(0.5)
        # Point at the failed message: its tooltip says what happened.
        show_tooltip(window, failed.id)
        await asyncio.sleep(0.8)
        grab_with_popups(window).save(str(OUT_MAIN))
        print(f"wrote {OUT_MAIN}")

        if DARK or KOREAN:
            return
        window.open_trace()
        trace = window._trace_window
        assert trace is not None
        trace.resize(1040, 640)
        trace.set_filter("", kind="MESSAGE")
        rows = trace.visible_rows()
        declined = next(
            (i for i, row in enumerate(rows) if row.status == 603 and row.method == "MESSAGE"), 0
        )
        trace.select_row(declined)
        trace.view.scrollTo(trace.proxy.index(declined, 0))
        await asyncio.sleep(0.5)
        trace.grab().save(str(OUT_TRACE))
        print(f"wrote {OUT_TRACE}")
    finally:
        window.hide()
        await session.close()


def dark_palette() -> QPalette:
    """A dark theme's palette, as a desktop in dark mode hands to Qt."""
    palette = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.Base, "#1b1b1d"),
        (QPalette.ColorRole.AlternateBase, "#2a2a2d"),
        (QPalette.ColorRole.Text, "#e8e8e8"),
        (QPalette.ColorRole.WindowText, "#e8e8e8"),
        (QPalette.ColorRole.Button, "#2d2d30"),
        (QPalette.ColorRole.ButtonText, "#e8e8e8"),
        (QPalette.ColorRole.Highlight, "#3d7bd9"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#2d2d30"),
        (QPalette.ColorRole.ToolTipText, "#e8e8e8"),
        (QPalette.ColorRole.PlaceholderText, "#9a9a9a"),
    ):
        palette.setColor(role, QColor(color))
    return palette


def main() -> None:
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    if KOREAN:
        from ui.i18n import install_translator

        install_translator(qapp, "ko")
    if DARK:
        qapp.setStyle("Fusion")
        qapp.setPalette(dark_palette())
    with tempfile.TemporaryDirectory() as tmp:
        qasync.run(scene(Path(tmp)))


if __name__ == "__main__":
    main()
