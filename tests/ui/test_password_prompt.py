"""No keyring, or an empty password variable: the app asks at start, in plain words.

`ui.main.main()` starts on a settings file that gives no password; the
small password dialog appears, says why in one sentence, takes the
password from the keyboard, and the window registers with it. The password
is kept in memory only: no file under the test's home holds it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from softphone.account import Account
from softphone.server import LocalServer
from tests.ui.conftest import password_asked, run_app, visible, visible_window, wait_until
from tests.ui.visible_text import settings_jargon, visible_strings
from ui.windows.password_dialog import PasswordDialog

ALICE = "sip:alice@example.com"
PASSWORD = "alice-pw"
VARIABLE = "SOFTPHONE_TEST_PROMPT_PASSWORD"


def password_dialog() -> PasswordDialog | None:
    return visible(PasswordDialog)


def start_and_answer(loop: qasync.QEventLoop, qtbot, account: Account) -> list[str]:
    """Start the app on *account*; answer the password dialog by keyboard; its sentences."""
    seen: list[str] = []

    async def user(_server: LocalServer) -> None:
        await wait_until(lambda: password_dialog() is not None, "the password dialog")
        dialog = password_dialog()
        assert dialog is not None
        seen.append(dialog.reason_label.text())
        seen.extend(visible_strings())
        await wait_until(dialog.password_edit.hasFocus, "focus in the password field")
        focused = QApplication.focusWidget()
        assert focused is dialog.password_edit
        qtbot.keyClicks(focused, PASSWORD)
        qtbot.keyClick(focused, Qt.Key.Key_Return)
        await wait_until(lambda: visible_window() is not None, "the window")
        window = visible_window()
        assert window is not None
        await wait_until(
            lambda: window.registration_label.text() == "Registered as alice@example.com",
            "registered with the typed password",
        )
        seen.extend(visible_strings())
        window.quit_action.trigger()

    assert run_app(loop, {ALICE: PASSWORD}, account, user) == 0
    return seen


def files_holding(text: str, *folders: Path) -> list[Path]:
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and text.encode() in path.read_bytes():
                found.append(path)
    return found


def _homes() -> list[Path]:
    return [Path(os.environ[name]) for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")]


def test_without_a_keyring_the_password_is_asked_at_start_and_kept_in_memory(
    loop: qasync.QEventLoop, no_keyring: None, qtbot
) -> None:
    seen = start_and_answer(loop, qtbot, Account(ALICE))
    assert seen[0] == (
        "No password store was found on this computer, so Softphone will ask for"
        " your password each time it starts."
    )
    assert settings_jargon(seen) == []
    assert files_holding(PASSWORD, *_homes()) == []


@pytest.mark.parametrize(
    ("value", "words"),
    [(None, "but that variable is not set."), ("", "but that variable is empty.")],
)
def test_an_unset_or_empty_password_variable_is_said_in_words_and_asked(
    loop: qasync.QEventLoop,
    no_keyring: None,
    monkeypatch: pytest.MonkeyPatch,
    qtbot,
    value: str | None,
    words: str,
) -> None:
    if value is None:
        monkeypatch.delenv(VARIABLE, raising=False)
    else:
        monkeypatch.setenv(VARIABLE, value)
    seen = start_and_answer(loop, qtbot, Account(ALICE, password_env=VARIABLE))
    assert seen[0] == (
        "Softphone was set to read the password for alice@example.com from the"
        f" environment variable {VARIABLE}, {words}"
    )
    assert settings_jargon(seen) == []


def test_the_jargon_check_finds_setting_names() -> None:
    assert settings_jargon(["set password_env to X", "edit account.toml", "fine words"]) == [
        "set password_env to X",
        "edit account.toml",
    ]


def test_declining_the_password_starts_without_one_and_the_server_asks_once(
    loop: qasync.QEventLoop, no_keyring: None, qtbot
) -> None:
    async def user(_server: LocalServer) -> None:
        await wait_until(lambda: password_dialog() is not None, "the password dialog")
        dialog = password_dialog()
        assert dialog is not None
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Escape)
        window, account_dialog = await password_asked()
        assert account_dialog.password_problem.text() == (
            "The server asks for the password for alice@example.com (401 Unauthorized)"
        )
        assert settings_jargon(visible_strings()) == []
        await wait_until(account_dialog.password_edit.hasFocus, "focus in the password field")
        qtbot.keyClicks(account_dialog.password_edit, PASSWORD)
        qtbot.keyClick(account_dialog.password_edit, Qt.Key.Key_Return)
        await wait_until(
            lambda: window.registration_label.text() == "Registered as alice@example.com",
            "registered",
        )
        window.quit_action.trigger()

    assert run_app(loop, {ALICE: PASSWORD}, Account(ALICE), user) == 0
