"""Start the desktop app: a QApplication whose event loop is the asyncio loop.

`run_gui` makes the QApplication and runs `main()` on a qasync loop, so
the SIP stack's sockets and timers and the window share one thread and
nothing blocks it. Sockets are opened in `Application.start()`, inside
the running loop, never in a constructor. Quitting (Ctrl+Q, the window's
close button, the tray's Quit, or the session ending) sets one Event;
`main()` then unregisters (Expires: 0) and closes before the loop ends.

`softphone --demo` (or "Try it on this computer" in the first-run dialog)
starts the embedded server and its demo buddies on the same loop
(`softphone.demo.start_demo`) and logs in as bob; the demo keeps its
history in its own folder (`demo_data_dir()`), apart from a real account's.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import qasync
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.config import default_config_path, default_data_dir, password_for
from softphone.launch import UsageError, open_store, resolve_account, with_defaults
from softphone.store import Store
from ui import desktop
from ui.bridge import CoreBridge
from ui.links import open_link, raise_window
from ui.single_instance import HandOverError, Instance, claim_or_hand_over
from ui.windows.main_window import MainWindow, window_settings

if TYPE_CHECKING:
    from softphone.demo import DemoSession

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_USAGE = 2


@dataclass
class Session:
    """What the window runs on: the core, and the demo server if any."""

    app: Application
    demo: DemoSession | None = None

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
    apply_language(args)
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


def apply_language(args: argparse.Namespace) -> str:
    """Translate the window into `--lang`, or the system's language; returns it."""
    from ui.i18n import install_translator

    app = QApplication.instance()
    assert app is not None
    return install_translator(app, getattr(args, "lang", None))


async def main(args: argparse.Namespace) -> int:
    """Open the account, show the window, run until quit, unregister."""
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    # Only the quit event ends the app: closing the first-run dialog before
    # the window exists must not let Qt end the loop under us.
    qapp.setQuitOnLastWindowClosed(False)
    quit_event = asyncio.Event()
    qapp.aboutToQuit.connect(quit_event.set)
    link: str | None = getattr(args, "link", None)
    # One window per profile: a running one takes the link and this launch ends.
    try:
        instance = await claim_or_hand_over(profile_of(args), link)
    except HandOverError as exc:
        sys.stderr.write(f"softphone: {exc}\n")
        return EXIT_USAGE
    if instance is None:
        return EXIT_OK
    try:
        return await _run(args, instance, quit_event, link)
    finally:
        instance.close()


def profile_of(args: argparse.Namespace) -> str:
    """What makes a launch the same profile: the demo, or the settings file."""
    args = with_defaults(args)
    if args.demo:
        return f"demo:{demo_data_dir().absolute()}"
    return str(Path(args.config or default_config_path()).absolute())


async def _run(
    args: argparse.Namespace, instance: Instance, quit_event: asyncio.Event, link: str | None
) -> int:
    window: MainWindow | None = None
    # Launches that arrive while the first-run dialog is up wait for the window.
    pending: list[str | None] = []

    def later_launch(text: str | None) -> None:
        if window is None:
            pending.append(text)
        elif text is None:
            raise_window(window)
        else:
            open_link(window, text)

    instance.requested.connect(later_launch)
    session = await open_session(args)
    if session is None:
        return EXIT_USAGE
    bridge = CoreBridge(session.app)
    # The demo keeps even the window's preferences in its own folder.
    settings = window_settings(str(demo_data_dir())) if session.demo is not None else None
    window = MainWindow(session.app, bridge, settings=settings, demo=session.demo is not None)
    window.quit_requested.connect(quit_event.set)
    # --hidden (the login start) stays in the tray, when there is one to click.
    hidden = getattr(args, "hidden", False) and window.tray is not None
    if not hidden or not QSystemTrayIcon.isSystemTrayAvailable():
        window.show()
    if link is not None:
        open_link(window, link)
    for text in pending:
        later_launch(text)
    try:
        await session.app.start()
    except OSError as exc:
        QMessageBox.critical(window, "Softphone", f"Cannot open the network port: {exc}")
        await session.close()
        return EXIT_USAGE
    # A session logout or `kill` sends SIGTERM: quit the same way, so the
    # binding is removed (Expires: 0) rather than left to expire.
    watched = _on_quit_signals(quit_event.set)
    try:
        await quit_event.wait()
    finally:
        window.hide()
        await session.close()
        _forget_signals(watched)
    return EXIT_OK


def _on_quit_signals(callback: Callable[[], None]) -> list[signal.Signals]:
    """Call *callback* on SIGTERM and SIGINT; the signals actually watched."""
    loop = asyncio.get_running_loop()
    watched = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, callback)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # not the main thread, or a loop without signal support
        watched.append(sig)
    return watched


def _forget_signals(watched: list[signal.Signals]) -> None:
    loop = asyncio.get_running_loop()
    for sig in watched:
        loop.remove_signal_handler(sig)


async def open_session(args: argparse.Namespace) -> Session | None:
    """The account to run: the demo, the settings (with flags), or a first-run dialog.

    Returns None when the user gave up (closed the first-run dialog).
    """
    args = with_defaults(args)
    if args.demo:
        return await demo_session()
    try:
        account = resolve_account(args)
    except UsageError as exc:
        return await _first_run(args, str(exc))
    store = open_store(args)
    options = AppOptions(listen_host=args.listen_host)
    return Session(Application(account, password_for(account), store, options))


async def add_to_menu() -> None:
    """Install the menu entry and icons (`ui.desktop`), off the UI thread."""
    try:
        await asyncio.to_thread(desktop.install)
    except desktop.DesktopError as exc:
        QMessageBox.warning(None, "Softphone", str(exc))


def demo_data_dir() -> Path:
    """Where the demo keeps bob's history: apart from a real account's."""
    return Path(default_data_dir()) / "demo"


async def demo_session(
    data_dir: Path | None = None, *, joe_interval: tuple[float, float] | None = None
) -> Session | None:
    """Start the demo and bob's core on it; None (after saying why) if it cannot start.

    *data_dir* defaults to `demo_data_dir()`; *joe_interval* (seconds
    between Joe's phone coming and going) to the demo's own.
    """
    try:
        from softphone import demo as demo_module
    except ImportError:
        QMessageBox.critical(None, "Softphone", "The demo server is not part of this build.")
        return None
    data_dir = data_dir or demo_data_dir()
    try:
        if joe_interval is None:
            demo = await demo_module.start_demo(data_dir)
        else:
            demo = await demo_module.start_demo(data_dir, joe_interval=joe_interval)
    except (OSError, TimeoutError) as exc:
        log.exception("the demo did not start")
        QMessageBox.critical(None, "Softphone", f"The demo could not start: {exc}")
        return None
    try:
        store = Store.open(data_dir / "history.sqlite3")
        known = {contact.aor for contact in store.contacts()}
        for aor, name in demo.buddies:
            if aor not in known:
                store.add_contact(aor, name, now=time.time())
    except BaseException:
        await demo.stop()
        raise
    # The demo's buddies are on this computer: direct messages are welcome.
    options = AppOptions(listen_host="127.0.0.1", accept_direct=True)
    app = Application(demo.account, demo.password, store, options)
    return Session(app, demo)


async def _first_run(args: argparse.Namespace, problem: str) -> Session | None:
    try:
        from ui.windows.settings_dialog import AccountDialog
    except ImportError:
        QMessageBox.critical(None, "Softphone", problem)
        return None
    dialog = AccountDialog(first_run=True)
    if dialog.menu_check is not None and desktop.is_installed():
        dialog.menu_check.setChecked(False)
        dialog.menu_check.hide()
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finish(result: int) -> None:
        if not done.done():
            done.set_result(int(result))

    dialog.finished.connect(finish)
    dialog.demo_requested.connect(lambda: finish(dialog.DEMO_RESULT))
    # open(), not exec(): a nested Qt loop would re-enter the asyncio loop.
    dialog.open()
    result = await done
    dialog.hide()
    if result and dialog.menu_check is not None and dialog.menu_check.isChecked():
        await add_to_menu()
    if result == dialog.DEMO_RESULT:
        return await demo_session()
    if not result:
        return None
    account: Account = dialog.account()
    # Without a keyring the password typed in the dialog is kept nowhere:
    # use it for this run (the next start reads password_env or asks again).
    password = dialog.password() or password_for(account)
    try:
        dialog.save_to(args.config or default_config_path())
    except OSError as exc:
        # The account still works for this run; say why it will be asked again.
        QMessageBox.warning(None, "Softphone", f"The settings could not be saved: {exc}")
    store = open_store(args)
    options = AppOptions(listen_host=args.listen_host)
    return Session(Application(account, password, store, options))
