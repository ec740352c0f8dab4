"""Qt fixtures for the UI tests: a qasync loop that fails on unhandled errors, real SIP peers."""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import keyring
import keyring.backends.fail
import pytest
import qasync
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.config import save_account
from softphone.server import LocalServer
from softphone.store import Store
from tests.interop.harness import KamailioProcess, start_kamailio

USERS = {
    "alice": "alice-secret",
    "bob": "bob-secret",
    "carol": "carol-secret",
    "joe": "joe-secret",
    "dave": "dave-secret",
}


@pytest.fixture(autouse=True)
def private_xdg_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings, data, menu entries and instance locks in a folder of the test's own.

    A UI test never reaches the real home folder, whatever path it takes
    (the first-run dialog installs the menu entry, for one).
    """
    home = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"):
        (home / name).mkdir(mode=0o700)
        monkeypatch.setenv(name, str(home / name))


def delete_windows() -> None:
    """Hide and delete every top-level widget now, then collect what referred to them."""
    for widget in QApplication.topLevelWidgets():
        widget.hide()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop on the test's QApplication; any unhandled loop error fails the test."""
    event_loop = qasync.QEventLoop(qapp)
    errors: list[dict[str, Any]] = []

    def handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        errors.append(context)

    event_loop.set_exception_handler(handler)
    asyncio.set_event_loop(event_loop)
    try:
        yield event_loop
    finally:
        # Let callbacks scheduled by the test's last steps run, so their
        # errors are seen here rather than lost.
        event_loop.run_until_complete(asyncio.sleep(0.01))
        # The test's windows go with its loop: one left alive keeps timers
        # and socket notifiers that would fire into a closed loop and
        # closed stores during a later test (a crash inside Qt).
        delete_windows()
        event_loop.run_until_complete(asyncio.sleep(0))
        event_loop.close()
        asyncio.set_event_loop(None)
    if errors:
        details = "; ".join(f"{ctx.get('message')}: {ctx.get('exception')!r}" for ctx in errors)
        pytest.fail(f"unhandled error(s) on the event loop: {details}")


@pytest.fixture(scope="module")
def kamailio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KamailioProcess]:
    """One Kamailio (registrar, proxy, reg-event notifier) for a test module."""
    # A short fr_timer: a proxied MESSAGE to a vanished device fails with 408 fast.
    kam = start_kamailio(tmp_path_factory.mktemp("kamailio"), USERS, fr_timer_ms=1500)
    try:
        yield kam
    finally:
        kam.stop()


def make_app(kam: KamailioProcess, user: str, db: Path | str) -> Application:
    """An Application for *user* registering at *kam*, with its store at *db*."""
    account = Account(aor=f"sip:{user}@{kam.domain}", registrar=kam.hostport, expires=300)
    return Application(account, USERS[user], Store.open(db), AppOptions(listen_host="127.0.0.1"))


async def wait_until(predicate: Callable[[], bool], what: str, *, timeout: float = 15.0) -> None:
    """Poll *predicate* on the running loop until true.

    Raises:
        AssertionError: still false after *timeout* seconds.
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def registered(app: Application) -> None:
    """Wait until *app* is registered."""
    assert app.registration is not None
    assert await app.registration.wait_registered(15.0), app.registration.status.text


Runner = Callable[[Awaitable[Any]], Any]

Shown = TypeVar("Shown", bound=QWidget)


def visible(kind: type[Shown]) -> Shown | None:
    """The top-level widget of *kind* on screen now (a window, a dialog), if any."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            return widget
    return None


def visible_window() -> Any:
    """The main window on screen now, if any."""
    from ui.windows.main_window import MainWindow

    return visible(MainWindow)


async def password_asked() -> tuple[Any, Any]:
    """The main window once it has opened its account dialog for the password; and the dialog."""
    await wait_until(lambda: visible_window() is not None, "the window")
    window = visible_window()
    await wait_until(
        lambda: window.account_dialog is not None and window.account_dialog.isVisible(),
        "the account dialog",
    )
    return window, window.account_dialog


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No keyring on this computer (keyring's "fail" backend) for the test."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def end_app_if_failed(driver: asyncio.Future[None]) -> None:
    """When the test's user fails, close whatever is open so `main()` returns."""

    async def close_all() -> None:
        for _ in range(500):
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, QDialog) and widget.isVisible():
                    widget.reject()
            window = visible_window()
            if window is not None:
                window.quit_action.trigger()
                return
            await asyncio.sleep(0.02)

    closing: list[asyncio.Future[None]] = []

    def done(task: asyncio.Future[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            closing.append(asyncio.ensure_future(close_all()))

    driver.add_done_callback(done)


def run_app(
    loop: qasync.QEventLoop,
    server_users: dict[str, str],
    account: Account,
    user: Callable[[LocalServer], Awaitable[None]],
    *,
    watchers: dict[str, list[str]] | None = None,
    db: Path | None = None,
) -> int:
    """Start the embedded server, then the app (`ui.main.main()`) on a settings file for
    *account* (its registrar that server); run *user* beside it. Returns the exit code.
    """
    from ui import main as ui_main

    async def scenario() -> int:
        server = LocalServer(server_users, domain=account.domain, watchers=watchers)
        address = await server.start("127.0.0.1", 0)
        try:
            settings = {
                "aor": account.aor,
                "expires": account.expires,
                "password_env": account.password_env,
                "registrar": address.sent_by,
            }
            save_account(Account(**settings), ui_main.default_config_path())  # type: ignore[arg-type]
            args = argparse.Namespace(command="gui", config=None, listen_host="127.0.0.1", db=db)
            driver = asyncio.ensure_future(user(server))
            end_app_if_failed(driver)
            code = await ui_main.main(args)
            await driver
            return code
        finally:
            await server.stop()

    return int(loop.run_until_complete(scenario()))


#: Test files of this directory that belong to this suite (the dialog, trace
#: window, tray and icon tests have their own settings).
_STRICT_FILES = {
    "test_models.py",
    "test_chat_view.py",
    "test_window_sip.py",
    "test_main.py",
    "test_window_text.py",
    "test_window_keyboard.py",
    "test_window_living.py",
    "test_window_resend.py",
    "test_window_resend_kamailio.py",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fail these tests on any Qt warning (pytest-qt's qt_log_level_fail, per test).

    Set per test rather than in the shared pyproject: the offscreen platform's
    one harmless warning is ignored by name.
    """
    for item in items:
        if item.path.name in _STRICT_FILES and item.path.parent.name == "ui":
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(
                pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
            )
