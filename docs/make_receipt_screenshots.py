"""Render the receipt screenshots from the demo: READ, typing, message details.

Starts what `softphone --demo` starts and opens bob's window on it. Bob
writes to Alice; her "displayed" receipt turns the bubble READ (RFC 5438),
then she types ("Alice is typing…" under the header and in the buddy
list, RFC 3994) and answers. Then Bob writes to Joe, whose phone takes
plain text only (415, then text/plain). Writes:

- docs/screenshot-typing.png: Alice typing, in the header and the list;
- docs/screenshot-read.png: the READ icon with its tooltip;
- docs/screenshot-details.png: the message details view (Ctrl+Shift+I).

Run under a display, e.g.:

    Xvfb :97 -screen 0 1280x800x24 &
    DISPLAY=:97 python3 docs/make_receipt_screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))
if os.environ.get("DISPLAY") and "QT_QPA_PLATFORM" not in os.environ:
    os.environ["QT_QPA_PLATFORM"] = "xcb"

import qasync  # noqa: E402
from make_screenshots import grab_with_popups, show_tooltip, until  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from softphone.demo import ALICE, JOE  # noqa: E402
from softphone.sip.delivery import DeliveryState  # noqa: E402
from ui.bridge import CoreBridge  # noqa: E402
from ui.main import demo_session  # noqa: E402
from ui.windows.main_window import MainWindow  # noqa: E402
from ui.windows.message_details import MessageDetails  # noqa: E402

DOCS = ROOT / "docs"


async def scene(data_dir: Path) -> None:
    session = await demo_session(data_dir, joe_interval=(600.0, 900.0))
    assert session is not None and session.demo is not None
    app = session.app
    window = MainWindow(app, CoreBridge(app))
    window.resize(1040, 680)
    window.show()
    try:
        await app.start()
        assert app.registration is not None
        assert await app.registration.wait_registered(10)
        await until(lambda: bool(app.store.messages(ALICE)), "alice's greeting")
        window.open_conversation(ALICE)
        window.activateWindow()
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

        dialog = MessageDetails(app.store, sent.id, parent=window)
        dialog.resize(760, 440)
        dialog.show()
        await asyncio.sleep(0.5)
        dialog.grab().save(str(DOCS / "screenshot-details.png"))
        print("wrote screenshot-details.png")
        dialog.close()

        # Joe's phone takes plain text only: 415, then the same text again.
        window.open_conversation(JOE)
        to_joe = window.send(JOE, "Are you coming too?")
        assert to_joe is not None
        await until(lambda: app.store.message(to_joe.id).state.is_final, "joe's answer")
        dialog = MessageDetails(app.store, to_joe.id, parent=window)
        dialog.resize(760, 440)
        dialog.show()
        await asyncio.sleep(0.5)
        dialog.grab().save(str(DOCS / "screenshot-details-plain.png"))
        print("wrote screenshot-details-plain.png")
        dialog.close()
    finally:
        window.hide()
        await session.close()


def main() -> None:
    QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        qasync.run(scene(Path(tmp)))


if __name__ == "__main__":
    main()
