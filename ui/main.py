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
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import qasync
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon

from softphone import collector
from softphone.account import Account, SettingsError
from softphone.app import Application, AppOptions
from softphone.config import (
    account_folder_name,
    default_config_path,
    default_data_dir,
    password_for,
    store_password,
)
from softphone.launch import (
    NO_ACCOUNT,
    PasswordLookup,
    PasswordSource,
    UsageError,
    lookup_password,
    open_store,
    resolve_account,
    with_defaults,
)
from softphone.phrase import Phrase
from softphone.store import Store
from ui import desktop
from ui.bridge import CoreBridge
from ui.caret import CaretRest
from ui.core_text import from_english, translated
from ui.links import open_link, raise_window, refuse
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
    #: The flags the app started with (where histories are, what to bind).
    args: argparse.Namespace | None = None
    #: The password in use; without a keyring, the only copy (memory only).
    password: str | None = None
    _changing: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def started_aor(self) -> str | None:
        """The address the session started with (whose history --db names)."""
        return self._started_aor

    def __post_init__(self) -> None:
        self._started_aor: str | None = self.app.account.aor

    async def close(self) -> None:
        """Unregister and close the core, then stop the demo server."""
        async with self._changing:
            try:
                await self.app.stop()
            finally:
                if self.demo is not None:
                    await self.demo.stop()

    async def change_account(
        self, window: MainWindow, account: Account, password: str | None
    ) -> None:
        """Run *account* instead of the current one, without a restart.

        The old account is unregistered (within the registration's own
        time limit: an unreachable server is dropped), the new one
        registers, and every buddy of its history is subscribed again.
        *password* None keeps the current password for the same address,
        or finds the new address's own.
        """
        async with self._changing:
            args = with_defaults(self.args or argparse.Namespace())
            old = self.app
            if password is None:
                if account.aor == old.account.aor and self.password is not None:
                    password = self.password
                else:
                    password = lookup_password(account).password
            same = account_folder_name(account.aor) == account_folder_name(old.account.aor)
            if same:
                store = old.store
            else:
                if self.started_aor is not None and account_folder_name(
                    account.aor
                ) != account_folder_name(self.started_aor):
                    # --db names the history of the account it started with;
                    # any other account keeps its own.
                    args = argparse.Namespace(**{**vars(args), "db": None})
                try:
                    store = open_store(args, account)
                except UsageError as exc:
                    window.statusBar().showMessage(translated(exc.phrase), 10000)
                    return
            app = Application(account, password, store, _options(args))
            window.use_app(app, CoreBridge(app))
            self.app, self.password = app, password
            port = account.local_port
            if same or (port != 0 and port == old.account.local_port):
                # One store (or one port) for both: the old core lets go first.
                await old.stop(close_store=not same)
                starting = app.start()
            else:
                # Apart in everything: the new account need not wait for an
                # unreachable server to be given up on.
                stopping = asyncio.ensure_future(old.stop())
                starting = _start_after(app.start(), stopping)
            try:
                await starting
            except OSError as exc:
                if app.registration is not None:
                    window.show_registration(app.registration.status)
                window.statusBar().showMessage(
                    QCoreApplication.translate(
                        "MainWindow", "Cannot open the network port: {error}"
                    ).format(error=exc),
                    10000,
                )


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
    # The sentence of a link the command refused, for the window to say.
    refused: str | None = getattr(args, "refused", None)
    # One window per profile: a running one takes the link and this launch ends.
    try:
        instance = await claim_or_hand_over(profile_of(args), link, refused)
    except HandOverError as exc:
        sys.stderr.write(f"softphone: {exc}\n")
        return EXIT_USAGE
    if instance is None:
        return EXIT_OK if refused is None else EXIT_USAGE
    try:
        return await _run(args, instance, quit_event, link, refused)
    finally:
        instance.close()


def profile_of(args: argparse.Namespace) -> str:
    """What makes a launch the same profile: the demo, or the settings file."""
    args = with_defaults(args)
    if args.demo:
        return f"demo:{demo_data_dir().absolute()}"
    return str(Path(args.config or default_config_path()).absolute())


async def _run(
    args: argparse.Namespace,
    instance: Instance,
    quit_event: asyncio.Event,
    link: str | None,
    refused: str | None = None,
) -> int:
    window: MainWindow | None = None
    # Launches that arrive while the first-run dialog is up wait for the window.
    pending: list[str | None] = []
    # Said by the command in English: shown in the window's language.
    refusals: list[str] = [] if refused is None else [from_english(refused)]

    def later_launch(text: str | None) -> None:
        if window is None:
            pending.append(text)
        elif text is None:
            raise_window(window)
        else:
            open_link(window, text)

    def later_refusal(sentence: str) -> None:
        if window is None:
            refusals.append(from_english(sentence))
        else:
            raise_window(window)
            refuse(window, from_english(sentence))

    instance.requested.connect(later_launch)
    instance.refused.connect(later_refusal)
    session = await open_session(args)
    if session is None:
        return EXIT_USAGE
    bridge = CoreBridge(session.app)
    # The demo keeps even the window's preferences in its own folder.
    settings = window_settings(str(demo_data_dir())) if session.demo is not None else None
    window = MainWindow(session.app, bridge, settings=settings, demo=session.demo is not None)
    window.quit_requested.connect(quit_event.set)
    window.config_path = Path(getattr(args, "config", None) or default_config_path())
    changes: set[asyncio.Task[None]] = set()

    def change_account(account: Account, password: str | None) -> None:
        assert window is not None
        task = asyncio.ensure_future(session.change_account(window, account, password))
        changes.add(task)
        task.add_done_callback(changes.discard)

    window.account_changed.connect(change_account)
    # --hidden (the login start) stays in the tray, when there is one to click.
    hidden = getattr(args, "hidden", False) and window.tray is not None
    if not hidden or not QSystemTrayIcon.isSystemTrayAvailable():
        window.show()
    if link is not None:
        open_link(window, link)
    for text in pending:
        later_launch(text)
    for sentence in refusals:
        refuse(window, sentence)
    try:
        await session.app.start()
    except OSError as exc:
        QMessageBox.critical(
            window,
            "Softphone",
            QCoreApplication.translate("main", "Cannot open the network port: {error}").format(
                error=exc
            ),
        )
        window.hide()
        await session.close()
        return EXIT_USAGE
    # Long-running from here on, as `softphone listen`: 1,000 buddies'
    # answers and NOTIFYs need not pay for collections that find nothing.
    collector.settle()
    # A session logout or `kill` sends SIGTERM: quit the same way, so the
    # binding is removed (Expires: 0) rather than left to expire.
    watched = _on_quit_signals(quit_event.set)
    # An app left in front must not repaint a blinking caret all day.
    qapp = QApplication.instance()
    rest = CaretRest(qapp) if isinstance(qapp, QApplication) else None
    try:
        await quit_event.wait()
    finally:
        if rest is not None:
            rest.close()
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
        return await _first_run(args, exc.phrase)
    lookup = lookup_password(account)
    password = lookup.password
    if password is None:
        password = await ask_password(account, lookup)
    store = open_store(args, account)
    app = Application(account, password, store, _options(args))
    return Session(app, args=args, password=password)


async def _start_after(start: Coroutine[Any, Any, None], stopping: asyncio.Future[None]) -> None:
    """Run *start*, then wait for *stopping* (the old core's unregister) to end too."""
    try:
        await start
    finally:
        try:
            await stopping
        except Exception:
            log.exception("the previous account did not stop cleanly")


def _options(args: argparse.Namespace) -> AppOptions:
    return AppOptions(listen_host=args.listen_host)


async def ask_password(account: Account, lookup: PasswordLookup) -> str | None:
    """Ask for the password in a small dialog, saying why; None when the user declines.

    Where a keyring exists the password goes there; without one it is
    kept in memory only, for this run.
    """
    from ui.windows.password_dialog import PasswordDialog, password_sentence

    address = account.aor.removeprefix("sip:")
    dialog = PasswordDialog(address, password_sentence(lookup, address))
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def finish(result: int) -> None:
        if not done.done():
            done.set_result(int(result))

    dialog.finished.connect(finish)
    # open(), not exec(): a nested Qt loop would re-enter the asyncio loop.
    dialog.open()
    dialog.activateWindow()
    dialog.password_edit.setFocus()
    accepted = await done
    dialog.hide()
    dialog.deleteLater()
    if not accepted:
        # Started without one: if the server asks, the window asks again.
        return None
    password = dialog.password()
    if lookup.source is PasswordSource.NOT_STORED:
        try:
            store_password(account, password)
        except SettingsError as exc:
            log.warning("the password was not kept: %s", exc)
    return password


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
        QMessageBox.critical(
            None,
            "Softphone",
            QCoreApplication.translate("main", "The demo server is not part of this build."),
        )
        return None
    data_dir = data_dir or demo_data_dir()
    try:
        if joe_interval is None:
            demo = await demo_module.start_demo(data_dir)
        else:
            demo = await demo_module.start_demo(data_dir, joe_interval=joe_interval)
    except (OSError, TimeoutError) as exc:
        log.exception("the demo did not start")
        QMessageBox.critical(
            None,
            "Softphone",
            QCoreApplication.translate("main", "The demo could not start: {error}").format(
                error=exc
            ),
        )
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


async def _first_run(args: argparse.Namespace, problem: Phrase | str) -> Session | None:
    try:
        from ui.windows.settings_dialog import AccountDialog
    except ImportError:
        QMessageBox.critical(None, "Softphone", translated(problem))
        return None
    dialog = AccountDialog(first_run=True)
    if problem != NO_ACCOUNT:
        # A settings file that is there but unusable: say why it is asked again.
        dialog.show_problem(translated(problem))
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
        QMessageBox.warning(
            None,
            "Softphone",
            QCoreApplication.translate("main", "The settings could not be saved: {error}").format(
                error=exc
            ),
        )
    store = open_store(args, account)
    app = Application(account, password, store, _options(args))
    return Session(app, args=args, password=password)
