"""The caret stops blinking a while after the last key, in the window `ui.main` runs."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.interop.harness import KamailioProcess
from tests.ui.conftest import USERS, visible_window, wait_until
from ui import caret
from ui import main as ui_main


@pytest.mark.interop
def test_the_caret_rests_when_nobody_types_and_blinks_at_the_next_key(
    loop: qasync.QEventLoop,
    kamailio_server: KamailioProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot,
) -> None:
    monkeypatch.setenv("UI_TEST_PASSWORD", USERS["alice"])
    monkeypatch.setattr(caret, "REST_AFTER_MS", 300)
    monkeypatch.setattr("softphone.launch.default_config_path", lambda: tmp_path / "none.toml")
    args = argparse.Namespace(
        command="gui",
        config=None,
        aor="sip:alice@example.test",
        registrar=kamailio_server.hostport,
        password_env="UI_TEST_PASSWORD",
        db=tmp_path / "history.sqlite3",
        listen_host="127.0.0.1",
    )
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    hints = qapp.styleHints()
    blink = hints.cursorFlashTime()
    assert blink > 0
    flash: list[int] = []
    hints.cursorFlashTimeChanged.connect(flash.append)

    async def user() -> None:
        await wait_until(lambda: visible_window() is not None, "the window")
        win = visible_window()
        assert win is not None
        try:
            # Nobody types: the caret rests (no blink, no repaint every 500 ms).
            await wait_until(lambda: flash == [0], "the caret resting", timeout=5)
            field = QApplication.focusWidget()
            assert field is not None
            qtbot.keyClicks(field, "b")
            assert flash == [0, blink]  # the key brings the blink back at once
            await wait_until(lambda: flash == [0, blink, 0], "the caret resting again", timeout=5)
        finally:
            qtbot.keyClick(win, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    async def scenario() -> int:
        driver = asyncio.ensure_future(user())
        code = await ui_main.main(args)
        await driver
        return code

    try:
        assert loop.run_until_complete(scenario()) == 0
    finally:
        hints.cursorFlashTimeChanged.disconnect(flash.append)
    # Ctrl+Q was a key too; once the window is gone the platform's blink is back.
    assert flash == [0, blink, 0, blink] and hints.cursorFlashTime() == blink
