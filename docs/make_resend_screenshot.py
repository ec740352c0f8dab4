"""Render the failed-message screenshot from the demo: status lines and Retry buttons.

Starts what `softphone --demo` starts and opens bob's window on it. Bob
writes to an address the server does not know (404: the recipient's side
answered, never resent on its own), then the embedded server stops and he
writes to Alice (a connection error: sent again on its own, "Will try
again at …"). Writes docs/screenshot-resend.png.

Run under a display, e.g.:

    Xvfb :97 -screen 0 1280x800x24 &
    DISPLAY=:97 python3 docs/make_resend_screenshot.py
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
from make_screenshots import until  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from softphone.demo import ALICE, DOMAIN  # noqa: E402
from softphone.sip.delivery import DeliveryState  # noqa: E402
from ui.bridge import CoreBridge  # noqa: E402
from ui.main import demo_session  # noqa: E402
from ui.windows.main_window import MainWindow  # noqa: E402

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
        await asyncio.sleep(0.5)
        window.grab().save(str(DOCS / "screenshot-resend.png"))
        print("wrote screenshot-resend.png")
        window.open_conversation(nobody)
        await asyncio.sleep(0.5)
        window.grab().save(str(DOCS / "screenshot-not-sent.png"))
        print("wrote screenshot-not-sent.png")
    finally:
        window.hide()
        await session.close()


def main() -> None:
    QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        qasync.run(scene(Path(tmp)))


if __name__ == "__main__":
    main()
