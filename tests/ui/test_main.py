"""`ui.main.main()`: the app starts on the qasync loop and Ctrl+Q unregisters before it ends."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from softphone.services.registration import RegistrationState
from tests.interop.harness import KamailioProcess
from tests.ui.conftest import USERS, wait_until
from ui import main as ui_main
from ui.windows.main_window import MainWindow

pytestmark = pytest.mark.interop


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
        monkeypatch.setattr("softphone.cli.default_config_path", lambda: tmp_path / "none.toml")
        driver = asyncio.ensure_future(user())
        code = await ui_main.main(args)
        await driver
        return code

    assert loop.run_until_complete(scenario()) == 0
    # Unregistered (Expires: 0) before main() returned.
    assert statuses[-1] is RegistrationState.UNREGISTERED
