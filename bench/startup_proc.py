"""Start the app the way `softphone --demo` does, note when it is up, and quit.

    python3 -m bench.startup_proc DATA_DIR

The app has no start-up timing hook, so this driver follows `ui.main`'s
path step by step: `QApplication` as `run_gui` makes it, the qasync loop,
`demo_session()` (embedded server and demo buddies; history kept in
DATA_DIR instead of the user's demo folder), `MainWindow`, `show()`, then
`Application.start()`. It prints one JSON line of `time.monotonic()`
stamps (the clock the parent reads before starting this process; both are
CLOCK_MONOTONIC on Linux): imports done, demo up, the window's first paint
finished, registration up; then it unregisters, stops the demo and exits.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()

import asyncio  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import qasync  # noqa: E402
from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from softphone.services.registration import RegistrationState, RegistrationStatus  # noqa: E402
from ui.bridge import CoreBridge  # noqa: E402
from ui.main import demo_session  # noqa: E402
from ui.windows.main_window import MainWindow  # noqa: E402

IMPORTED = time.monotonic()
#: Longest the app may take to show its window and register.
READY_TIMEOUT = 30.0


class FirstPaint(QObject):
    """Sets `painted` after the first paint event of the watched widget."""

    def __init__(self) -> None:
        super().__init__()
        self.painted = asyncio.Event()
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note the first paint; the event goes on to the widget unchanged."""
        if event.type() == QEvent.Type.Paint and not self.seen:
            self.seen = True
            # Delivered after this filter returns: stamp once the loop is back.
            asyncio.get_running_loop().call_soon(self.painted.set)
        return False


async def run(data_dir: Path) -> dict[str, float]:
    """Start, wait for the window and the registration, stop; the stamps."""
    stamps = {"started": STARTED, "imported": IMPORTED}
    session = await demo_session(data_dir)
    if session is None:
        raise RuntimeError("the demo did not start")
    stamps["demo_up"] = time.monotonic()
    registered = asyncio.Event()

    def on_registration(status: RegistrationStatus) -> None:
        if status.state is RegistrationState.REGISTERED and not registered.is_set():
            stamps["registered"] = time.monotonic()
            registered.set()

    session.app.on_registration(on_registration)
    bridge = CoreBridge(session.app)
    window = MainWindow(session.app, bridge)
    first = FirstPaint()
    window.installEventFilter(first)
    try:
        window.show()
        await session.app.start()
        async with asyncio.timeout(READY_TIMEOUT):
            await first.painted.wait()
            stamps["shown"] = time.monotonic()
            await registered.wait()
        stamps["ready"] = max(stamps["shown"], stamps["registered"])
    finally:
        window.hide()
        await session.close()
    return stamps


def main() -> None:
    """Entry point of `python3 -m bench.startup_proc`."""
    qapp = QApplication(sys.argv[:1])
    qapp.setApplicationName("softphone")
    qapp.setApplicationDisplayName("Softphone")
    qapp.setQuitOnLastWindowClosed(False)
    from ui.icons import app_icon

    qapp.setWindowIcon(app_icon())
    stamps = qasync.run(run(Path(sys.argv[1])))
    print(json.dumps(stamps), flush=True)


if __name__ == "__main__":
    main()
