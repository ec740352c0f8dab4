"""Render the password dialogs: docs/screenshot-password-ask.png and -refused.png.

Starts the embedded server with alice, writes a settings file for her in a
temporary home and starts the app as a user would (`ui.main.main`), on a
computer without a keyring: the start asks for the password ("No password
store was found..."); a wrong one is typed, the server refuses it, and the
account dialog opens at the password field with the server's answer; the
right one is typed and the window registers. Run under a display, e.g.:

    Xvfb :97 -screen 0 1280x800x24 &
    DISPLAY=:97 python3 docs/make_account_screenshots.py
    DISPLAY=:97 python3 docs/make_account_screenshots.py --ko   # the -ko.png pair
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if os.environ.get("DISPLAY") and "QT_QPA_PLATFORM" not in os.environ:
    os.environ["QT_QPA_PLATFORM"] = "xcb"
HOME = Path(tempfile.mkdtemp(prefix="softphone-shots-"))
for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
    (HOME / name).mkdir(mode=0o700)
    os.environ[name] = str(HOME / name)

import keyring  # noqa: E402
import keyring.backends.fail  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from softphone.account import Account  # noqa: E402
from softphone.config import default_config_path, save_account  # noqa: E402
from softphone.server import LocalServer  # noqa: E402
from ui import main as ui_main  # noqa: E402
from ui.i18n import install_translator  # noqa: E402
from ui.windows.main_window import MainWindow  # noqa: E402
from ui.windows.password_dialog import PasswordDialog  # noqa: E402
from ui.windows.settings_dialog import AccountDialog  # noqa: E402

KOREAN = "--ko" in sys.argv
SUFFIX = "-ko" if KOREAN else ""
OUT_ASK = ROOT / "docs" / f"screenshot-password-ask{SUFFIX}.png"
OUT_REFUSED = ROOT / "docs" / f"screenshot-password-refused{SUFFIX}.png"
ALICE = "sip:alice@example.com"


async def until(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait for *predicate*, polling the running loop.

    Raises:
        TimeoutError: still false after *timeout* seconds.
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def shown(kind: type[QWidget]) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            return widget
    return None


async def user() -> None:
    await until(lambda: shown(PasswordDialog) is not None, "the password dialog")
    ask = shown(PasswordDialog)
    assert isinstance(ask, PasswordDialog)
    await asyncio.sleep(0.5)
    ask.grab().save(str(OUT_ASK))
    QTest.keyClicks(ask.password_edit, "not the password")
    QTest.keyClick(ask.password_edit, Qt.Key.Key_Return)
    await until(lambda: shown(AccountDialog) is not None, "the account dialog")
    dialog = shown(AccountDialog)
    assert isinstance(dialog, AccountDialog)
    await asyncio.sleep(0.5)
    dialog.grab().save(str(OUT_REFUSED))
    QTest.keyClicks(dialog.password_edit, "alice-pw")
    QTest.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    window = shown(MainWindow)
    assert isinstance(window, MainWindow)
    await until(lambda: window.registration_label.text().startswith("Registered"), "registered")
    window.quit_action.trigger()


async def scene() -> int:
    server = LocalServer({ALICE: "alice-pw"}, domain="example.com")
    address = await server.start("127.0.0.1", 0)
    try:
        save_account(Account(ALICE, registrar=address.sent_by), default_config_path())
        args = argparse.Namespace(command="gui", config=None, listen_host="127.0.0.1")
        driver = asyncio.ensure_future(user())
        code = await ui_main.main(args)
        await driver
        return code
    finally:
        await server.stop()


def main() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    app = QApplication(sys.argv[:1])
    app.setApplicationDisplayName("Softphone")
    install_translator(app, "ko" if KOREAN else "en")
    sys.exit(qasync.run(scene()))


if __name__ == "__main__":
    main()
