"""Idle cost of the desktop window: the app with its window, registered with buddies.

    python3 -m bench.idle_window [BUDDIES] [SECONDS]

The window as `ui.main` runs it (a `QApplication`, the qasync loop, the
`MainWindow` shown and its caret rest, offscreen unless a display is set), on the Kamailio of
the idle bench (`bench.idle`) with BUDDIES contacts (100), each watched by
the window as it does for its contacts. Once registered, every buddy
known and the start's transactions ended, it idles for SECONDS (60).
Counted over that span: CPU seconds of the process, the Qt event
dispatcher's wake-ups (its `awake` signal: each return from its wait, for
a timer, a socket or a posted event), the Qt timer events delivered to
any object (qasync's asyncio timers and the widgets' own: a caret's blink,
an animation), by receiving class, and the asyncio callbacks run by name.
Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QAbstractEventDispatcher, QEvent, QObject
from PySide6.QtWidgets import QApplication

from bench.idle import _cpu, _name
from bench.presence import PASSWORD, WATCHER, _kamailio, buddy_names
from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.store import Store
from tests.interop import harness
from ui.bridge import CoreBridge
from ui.caret import CaretRest
from ui.windows.main_window import MainWindow


class TimerEvents(QObject):
    """Counts the timer events Qt delivers, by the receiver's class."""

    def __init__(self) -> None:
        super().__init__()
        self.counting = False
        self.by_receiver: collections.Counter[str] = collections.Counter()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Count; the event goes on unchanged."""
        if self.counting and event.type() == QEvent.Type.Timer:
            self.by_receiver[type(watched).__name__] += 1
        return False


async def measure(kam: harness.KamailioProcess, names: list[str], seconds: float) -> dict[str, Any]:
    account = Account(aor=f"sip:{WATCHER}@{harness.DOMAIN}", registrar=kam.hostport)
    with tempfile.TemporaryDirectory(prefix="bench-idle-window-") as tmp:
        store = Store.open(Path(tmp) / "alice.sqlite3")
        for name in names:
            store.add_contact(f"sip:{name}@{harness.DOMAIN}", now=time.time())
        app = Application(account, PASSWORD, store, AppOptions(listen_host="127.0.0.1"))
        bridge = CoreBridge(app)
        window = MainWindow(app, bridge)
        window.show()
        qapp = QApplication.instance()
        assert isinstance(qapp, QApplication)
        rest = CaretRest(qapp)
        await app.start()
        try:
            aors = [f"sip:{name}@{harness.DOMAIN}" for name in names]
            async with asyncio.timeout(60):
                while not (app.is_ready() and all(app.presence.synced(a) for a in aors)):
                    await asyncio.sleep(0.1)
            async with asyncio.timeout(50):
                while app.agent.pending_transactions:
                    await asyncio.sleep(0.5)
            dispatcher = QAbstractEventDispatcher.instance()
            awake = [0]
            dispatcher.awake.connect(lambda: awake.__setitem__(0, awake[0] + 1))
            timers = TimerEvents()
            qapp.installEventFilter(timers)
            callbacks: collections.Counter[str] = collections.Counter()
            original = asyncio.Handle._run

            def counting(handle: asyncio.Handle) -> None:
                callbacks[_name(handle)] += 1
                original(handle)

            asyncio.Handle._run = counting  # type: ignore[method-assign]
            timers.counting = True
            loop = asyncio.get_running_loop()
            cpu = _cpu()
            start = loop.time()
            try:
                await asyncio.sleep(seconds)
            finally:
                asyncio.Handle._run = original  # type: ignore[method-assign]
                timers.counting = False
            span = loop.time() - start
            return {
                "span": span,
                "cpu": _cpu() - cpu,
                "awake": awake[0],
                "qt_timer_events": dict(timers.by_receiver.most_common()),
                "asyncio_callbacks": dict(callbacks.most_common()),
                "focus": type(qapp.focusWidget()).__name__ if qapp.focusWidget() else None,
                "active": qapp.activeWindow() is window,
                "registered": app.is_ready(),
                "caret_resting": rest.resting,
            }
        finally:
            rest.close()
            window.hide()
            await app.stop()
            store.close()


def main() -> None:
    """Entry point of `python3 -m bench.idle_window`."""
    buddies = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    qapp = QApplication(sys.argv[:1])
    qapp.setQuitOnLastWindowClosed(False)
    names = buddy_names(buddies)
    with tempfile.TemporaryDirectory(prefix="bench-idle-window-") as tmp:
        kam = _kamailio(Path(tmp), names)
        try:
            result = qasync.run(measure(kam, names, seconds))
        finally:
            kam.stop()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
