"""Render the screenshots of what happens to a message, from the demo.

Starts what `softphone --demo` starts and opens bob's window on it
(`make_screenshots.demo_window`), once a scene:

Receipts. Bob writes to Alice; her "displayed" receipt turns the bubble
READ (RFC 5438), then she types ("Alice is typing…" under the header and in
the buddy list, RFC 3994) and answers. Then Bob writes to Joe, whose phone
takes plain text only (415, then text/plain). Writes:

- docs/screenshot-typing.png: Alice typing, in the header and the list;
- docs/screenshot-read.png: the READ icon with its tooltip;
- docs/screenshot-details.png: the message details view (Ctrl+Shift+I);
- docs/screenshot-details-plain.png: the details of the message to Joe.

Not sent. Bob writes to an address the server does not know (404: the
recipient's side answered, never resent on its own), then the embedded
server stops and he writes to Alice (a connection error: sent again on its
own, "Will try again at …"). Writes docs/screenshot-resend.png and
docs/screenshot-not-sent.png.

Run under a display, e.g.:

    Xvfb :97 -screen 0 1280x800x24 &
    DISPLAY=:97 python3 docs/make_message_screenshots.py             # both scenes
    DISPLAY=:97 python3 docs/make_message_screenshots.py --receipts  # or one
    DISPLAY=:97 python3 docs/make_message_screenshots.py --not-sent
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))
if os.environ.get("DISPLAY") and "QT_QPA_PLATFORM" not in os.environ:
    os.environ["QT_QPA_PLATFORM"] = "xcb"

import qasync  # noqa: E402
from make_screenshots import demo_window, grab_with_popups, show_tooltip, until  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from softphone.demo import ALICE, DOMAIN, JOE  # noqa: E402
from softphone.sip.delivery import DeliveryState  # noqa: E402
from ui.windows.main_window import MainWindow  # noqa: E402
from ui.windows.message_details import MessageDetails  # noqa: E402

DOCS = ROOT / "docs"


async def save(widget: MainWindow | MessageDetails, name: str) -> None:
    """*widget* as it is drawn, into docs/*name*."""
    await asyncio.sleep(0.5)
    widget.grab().save(str(DOCS / name))
    print(f"wrote {name}")


async def details(window: MainWindow, message_id: int, name: str) -> None:
    """The details view of *message_id* (what Ctrl+Shift+I opens), into docs/*name*."""
    dialog = MessageDetails(window.app.store, message_id, parent=window)
    dialog.resize(760, 440)
    dialog.show()
    await save(dialog, name)
    dialog.close()


async def receipts(data_dir: Path) -> None:
    async with demo_window(data_dir) as (session, window):
        app = session.app
        sent = window.send(ALICE, "안녕, 앨리스! 오늘 점심 같이 먹을래요?")
        assert sent is not None
        await until(lambda: app.store.message(sent.id).state is DeliveryState.READ, "read")
        await until(lambda: window.chat.typing_label.isVisible(), "alice typing")
        await asyncio.sleep(0.3)
        window.grab().save(str(DOCS / "screenshot-typing.png"))
        print("wrote screenshot-typing.png")
        await until(lambda: app.store.messages(ALICE)[-1].body.startswith("Echo:"), "alice's echo")
        window.chat.composer.setPlainText("See you at 12:30 then!")
        await asyncio.sleep(0.5)
        show_tooltip(window, sent.id)
        await asyncio.sleep(0.8)
        grab_with_popups(window).save(str(DOCS / "screenshot-read.png"))
        print("wrote screenshot-read.png")
        await details(window, sent.id, "screenshot-details.png")

        # Joe's phone takes plain text only: 415, then the same text again.
        window.open_conversation(JOE)
        to_joe = window.send(JOE, "Are you coming too?")
        assert to_joe is not None
        await until(lambda: app.store.message(to_joe.id).state.is_final, "joe's answer")
        await details(window, to_joe.id, "screenshot-details-plain.png")


async def not_sent(data_dir: Path) -> None:
    async with demo_window(data_dir) as (session, window):
        app = session.app
        assert session.demo is not None
        nobody = f"sip:dave@{DOMAIN}"
        lost = window.send(nobody, "Dave, are you on this server?")
        assert lost is not None
        await until(lambda: app.store.message(lost.id).state.is_final, "the 404")
        # The server goes away: a message to Alice fails for want of it.
        await session.demo.server.stop()
        window.open_conversation(ALICE)
        later = window.send(ALICE, "Are we still on for lunch?")
        assert later is not None
        await until(
            lambda: app.store.message(later.id).state is DeliveryState.FAILED,
            "the connection error",
            timeout=60,
        )
        await save(window, "screenshot-resend.png")
        window.open_conversation(nobody)
        await save(window, "screenshot-not-sent.png")


SCENES: dict[str, Callable[[Path], Awaitable[None]]] = {
    "--receipts": receipts,
    "--not-sent": not_sent,
}


def main() -> None:
    QApplication.instance() or QApplication(sys.argv[:1])
    chosen = [scene for flag, scene in SCENES.items() if flag in sys.argv] or list(SCENES.values())
    for scene in chosen:
        # Each scene on a demo of its own, in a fresh folder.
        with tempfile.TemporaryDirectory() as tmp:
            qasync.run(scene(Path(tmp)))


if __name__ == "__main__":
    main()
