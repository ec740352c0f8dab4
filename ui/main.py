"""Start the desktop app: a QApplication whose event loop is the asyncio loop.

`run_gui` makes the QApplication and runs `main()` on a qasync loop, so
the SIP stack's sockets and timers and the window share one thread and
nothing blocks it. Sockets are opened in `Application.start()`, inside
the running loop, never in a constructor. Quitting (Ctrl+Q, the window's
close button, the tray's Quit, or the session ending) sets one Event;
`main()` then unregisters (Expires: 0) and closes before the loop ends.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication, QMessageBox

from softphone.app import Application, AppOptions
from softphone.config import Account, default_data_dir, password_for
from softphone.store import Store
from ui.bridge import CoreBridge
from ui.windows.main_window import MainWindow

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_USAGE = 2


@dataclass
class Session:
    """What the window runs on: the core, and the demo server if any."""

    app: Application
    demo: Any | None = None

    async def close(self) -> None:
        """Unregister and close the core, then stop the demo server."""
        try:
            await self.app.stop()
        finally:
            if self.demo is not None:
                await self.demo.stop()


def run_gui(args: argparse.Namespace) -> int:
    """Run the desktop app until the user quits; returns the exit code."""
    existing = QApplication.instance()
    qapp = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    qapp.setApplicationName("softphone")
    qapp.setApplicationDisplayName("Softphone")
    # The window's closeEvent asks main() to finish; Qt must not end the loop
    # on its own before we have unregistered.
    qapp.setQuitOnLastWindowClosed(False)
    try:
        from ui.icons import app_icon

        qapp.setWindowIcon(app_icon())
    except ImportError:
        pass
    try:
        return int(qasync.run(main(args)))
    except RuntimeError as exc:
        # The Qt loop was ended from outside (session logout): main() has
        # still been run to completion by asyncio.run's clean-up.
        if "Event loop stopped before Future completed" in str(exc):
            return EXIT_OK
        raise


async def main(args: argparse.Namespace) -> int:
    """Open the account, show the window, run until quit, unregister."""
    qapp = QApplication.instance()
    assert qapp is not None
    quit_event = asyncio.Event()
    qapp.aboutToQuit.connect(quit_event.set)
    session = await open_session(args)
    if session is None:
        return EXIT_USAGE
    bridge = CoreBridge(session.app)
    window = MainWindow(session.app, bridge)
    window.quit_requested.connect(quit_event.set)
    window.show()
    try:
        await session.app.start()
    except OSError as exc:
        QMessageBox.critical(window, "Softphone", f"Cannot open the network port: {exc}")
        await session.close()
        return EXIT_USAGE
    try:
        await quit_event.wait()
    finally:
        window.hide()
        await session.close()
    return EXIT_OK


async def open_session(args: argparse.Namespace) -> Session | None:
    """The account to run: the demo, the settings (with flags), or a first-run dialog.

    Returns None when the user gave up (closed the first-run dialog).
    """
    from softphone.cli import UsageError, open_store, resolve_account

    args = _with_defaults(args)
    if args.demo:
        return await _demo_session()
    try:
        account = resolve_account(args)
    except UsageError as exc:
        return await _first_run(args, str(exc))
    store = open_store(args)
    options = AppOptions(listen_host=args.listen_host)
    return Session(Application(account, password_for(account), store, options))


def _with_defaults(args: argparse.Namespace) -> argparse.Namespace:
    # `softphone --demo` has no subcommand, so the account flags are absent.
    values = {
        "config": None,
        "aor": None,
        "display_name": None,
        "username": None,
        "password_env": None,
        "registrar": None,
        "proxy": None,
        "transport": None,
        "local_port": None,
        "listen_host": "0.0.0.0",
        "db": None,
        "expires": None,
        "demo": False,
    }
    values.update(vars(args))
    return argparse.Namespace(**values)


async def _demo_session() -> Session | None:
    try:
        from softphone.demo import start_demo
    except ImportError:
        QMessageBox.critical(None, "Softphone", "The demo server is not part of this build.")
        return None
    data_dir = Path(default_data_dir()) / "demo"
    demo = await start_demo(data_dir)
    store = Store.open(data_dir / "history.sqlite3")
    known = {contact.aor for contact in store.contacts()}
    for aor, name in demo.buddies:
        if aor not in known:
            store.add_contact(aor, name, now=time.time())
    app = Application(demo.account, demo.password, store, AppOptions(listen_host="127.0.0.1"))
    return Session(app, demo)


async def _first_run(args: argparse.Namespace, problem: str) -> Session | None:
    try:
        from ui.windows.settings_dialog import AccountDialog
    except ImportError:
        QMessageBox.critical(None, "Softphone", problem)
        return None
    dialog = AccountDialog()
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    dialog.finished.connect(lambda result: done.done() or done.set_result(int(result)))
    demo_signal = getattr(dialog, "demo_requested", None)
    if demo_signal is not None:
        demo_signal.connect(lambda: done.done() or done.set_result(-1))
    # open(), not exec(): a nested Qt loop would re-enter the asyncio loop.
    dialog.open()
    result = await done
    dialog.hide()
    if result == -1 or result == getattr(dialog, "DEMO_RESULT", object()):
        return await _demo_session()
    if not result:
        return None
    account: Account = dialog.account()
    if hasattr(dialog, "save_to"):
        from softphone.config import default_config_path

        dialog.save_to(args.config or default_config_path())
    from softphone.cli import open_store

    store = open_store(args)
    return Session(Application(account, password_for(account), store, AppOptions()))
