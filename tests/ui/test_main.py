"""`ui.main.main()`: the app starts on the qasync loop and Ctrl+Q unregisters before it ends."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from softphone.app import Application
from softphone.services.registration import RegistrationState
from tests.interop.harness import KamailioProcess
from tests.ui.conftest import USERS, wait_until
from ui import main as ui_main
from ui.windows.main_window import MainWindow
from ui.windows.settings_dialog import AccountDialog


@pytest.mark.interop
def test_ctrl_q_unregisters_then_main_returns(
    loop: qasync.QEventLoop,
    kamailio_server: KamailioProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot,
) -> None:
    monkeypatch.setenv("UI_TEST_PASSWORD", USERS["alice"])
    args = argparse.Namespace(
        command="gui",
        config=tmp_path / "absent.toml",
        aor="sip:alice@example.test",
        registrar=kamailio_server.hostport,
        password_env="UI_TEST_PASSWORD",
        db=tmp_path / "history.sqlite3",
        listen_host="127.0.0.1",
    )
    statuses: list[RegistrationState] = []

    def window() -> MainWindow | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                return widget
        return None

    async def user() -> None:
        await wait_until(lambda: window() is not None, "the window")
        win = window()
        assert win is not None
        win.bridge.registration_changed.connect(lambda s: statuses.append(s.state))
        await wait_until(
            lambda: win.registration_label.text() == "Registered as alice@example.test",
            "registered",
        )
        qtbot.keyClick(win, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    async def scenario() -> int:
        # The config path does not exist, so resolve_account uses the flags.
        args.config = None
        monkeypatch.setattr("softphone.launch.default_config_path", lambda: tmp_path / "none.toml")
        driver = asyncio.ensure_future(user())
        code = await ui_main.main(args)
        await driver
        return code

    assert loop.run_until_complete(scenario()) == 0
    # Unregistered (Expires: 0) before main() returned.
    assert statuses[-1] is RegistrationState.UNREGISTERED


def test_first_run_without_keyring_uses_the_typed_password(
    loop: qasync.QEventLoop,
    no_keyring: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot,
) -> None:
    # No settings file: the first-run dialog. No keyring: the password typed
    # there is kept nowhere, so this run must use it as typed.
    monkeypatch.delenv("FIRST_RUN_UNSET", raising=False)
    # Nothing may reach the real settings or data folders.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    config = tmp_path / "config" / "softphone" / "account.toml"
    args = argparse.Namespace(command="gui", config=None, db=tmp_path / "history.sqlite3")
    passwords: list[str | None] = []

    class Recording(Application):
        def __init__(self, account, password, store, options=None) -> None:  # type: ignore[no-untyped-def]
            passwords.append(password)
            super().__init__(account, password, store, options)

    monkeypatch.setattr(ui_main, "Application", Recording)

    def dialog() -> AccountDialog | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, AccountDialog) and widget.isVisible():
                return widget
        return None

    async def user() -> None:
        await wait_until(lambda: dialog() is not None, "the first-run dialog")
        shown = dialog()
        assert shown is not None
        assert shown.demo_button is not None  # first run: "Try it on this computer"
        shown.aor_edit.setText("sip:bob@example.org")
        shown.password_edit.setText("typed secret")
        shown.password_env_edit.setText("FIRST_RUN_UNSET")
        shown.accept()

    async def scenario() -> ui_main.Session | None:
        driver = asyncio.ensure_future(user())
        session = await ui_main.open_session(args)
        await driver
        return session

    session = loop.run_until_complete(scenario())
    assert session is not None
    try:
        assert session.demo is None
        assert session.app.account.aor == "sip:bob@example.org"
        assert passwords == ["typed secret"]
        # The settings were saved, the password was not.
        assert config.exists()
        assert "typed secret" not in config.read_text(encoding="utf-8")
    finally:
        session.app.store.close()
