"""The applications-menu entry: `softphone desktop install|uninstall` into a temporary XDG home."""

from __future__ import annotations

import argparse
import asyncio
import configparser
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialogButtonBox,
    QStyle,
    QStyleOptionButton,
)

from softphone.account import Account
from tests.ui.conftest import wait_until
from ui import desktop
from ui import main as ui_main
from ui.windows.main_window import MainWindow
from ui.windows.settings_dialog import AccountDialog

ROOT = Path(__file__).resolve().parent.parent.parent
#: The `softphone` command of this environment, as `pip install -e .` made it.
SCRIPT = Path(sys.executable).parent / "softphone"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
LEFT = Qt.MouseButton.LeftButton

needs_script = pytest.mark.skipif(
    not SCRIPT.is_file(), reason=f"no softphone command at {SCRIPT} (pip install -e . first)"
)


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def clean_env(tmp_path: Path) -> dict[str, str]:
    # No display and no Qt platform: the command must draw the PNGs offscreen.
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "data"))
    return env


def run(env: dict[str, str], *args: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [str(SCRIPT), "desktop", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


@needs_script
def quit_on_failure(task: asyncio.Future[None]) -> None:
    """A failed check quits the window, so the test ends and reports it."""

    def done(finished: asyncio.Future[None]) -> None:
        if finished.cancelled() or finished.exception() is not None:
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, MainWindow):
                    widget.quit_requested.emit()

    task.add_done_callback(done)


def test_install_then_uninstall_leaves_nothing(tmp_path: Path, qapp: QApplication) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = clean_env(tmp_path)

    installed = run(env, "install")

    icons = data / "icons" / "hicolor"
    expected = {
        data / "applications" / "softphone.desktop",
        icons / "scalable" / "apps" / "softphone.svg",
        *(icons / f"{n}x{n}" / "apps" / "softphone.png" for n in SIZES),
    }
    assert {Path(p) for p in installed["installed"]} == expected
    assert all(path.is_file() for path in expected)
    entry = read_entry(data / "applications" / "softphone.desktop")
    assert entry["Exec"] == f"{SCRIPT} %u"
    assert entry["TryExec"] == str(SCRIPT)
    assert entry["Icon"] == "softphone"
    assert entry["MimeType"] == "x-scheme-handler/sip;x-scheme-handler/sips;"
    assert entry["Name"] == "Softphone"
    for n in SIZES:
        image = QImage(str(icons / f"{n}x{n}" / "apps" / "softphone.png"))
        assert (image.width(), image.height()) == (n, n)
        # Drawn, not blank: the middle pixel is opaque, a corner transparent.
        assert image.pixelColor(n // 2, n // 2).alpha() == 255
        assert image.pixelColor(0, 0).alpha() == 0
    validator = shutil.which("desktop-file-validate")
    if validator is None and os.environ.get("CI") == "true":
        pytest.fail("desktop-file-validate (Debian desktop-file-utils) is missing under CI")
    if validator is not None:
        checked = subprocess.run(
            [validator, str(data / "applications" / "softphone.desktop")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    if shutil.which("update-desktop-database"):
        # The sip: scheme is indexed for the desktop to find.
        cache = (data / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
        assert "x-scheme-handler/sip=softphone.desktop;" in cache

    removed = run(env, "uninstall")

    assert expected <= {Path(p) for p in removed["removed"]}
    assert sorted(data.rglob("*")) == []


def test_uninstall_removes_only_what_install_wrote(tmp_path: Path, qapp: QApplication) -> None:
    paths = desktop.DesktopPaths(tmp_path)
    (tmp_path / "applications").mkdir()
    other = tmp_path / "applications" / "other.desktop"
    other.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n")
    desktop.install(paths, command=["/opt/soft phone/bin/softphone"], refresh=False)
    entry = read_entry(paths.entry)
    # A path with a space is quoted (Desktop Entry spec, "The Exec key").
    assert entry["Exec"] == '"/opt/soft phone/bin/softphone" %u'
    edited = paths.icon_files()[1]
    edited.write_bytes(b"the user's own icon")

    desktop.uninstall(paths, refresh=False)

    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["applications/other.desktop", "icons/hicolor/16x16/apps/softphone.png"]
    assert not desktop.is_installed(paths)


def test_exec_value_escapes_what_the_spec_reserves() -> None:
    assert desktop.exec_value(["/usr/bin/softphone"], "%u") == "/usr/bin/softphone %u"
    assert desktop.exec_value(["/a/100%/x"]) == "/a/100%%/x"
    # "$" and '"' are escaped inside the quotes, then every backslash doubled
    # for the key file's own string escapes.
    assert desktop.exec_value(['/a b/$x"']) == '"/a b/\\\\$x\\\\""'
    with pytest.raises(desktop.DesktopError):
        desktop.exec_value(["/bin/x\nExec=evil"])


def test_first_run_offers_the_menu_entry(
    loop: qasync.QEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot,
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(ui_main, "default_data_dir", lambda: tmp_path / "data" / "softphone")
    args = argparse.Namespace(command="gui", config=None, db=tmp_path / "history.sqlite3")
    entry = tmp_path / "data" / "applications" / "softphone.desktop"

    def dialog() -> AccountDialog | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, AccountDialog) and widget.isVisible():
                return widget
        return None

    async def user() -> None:
        await wait_until(lambda: dialog() is not None, "the first-run dialog")
        shown = dialog()
        assert shown is not None and shown.menu_check is not None
        assert shown.menu_check.isVisible() and shown.menu_check.isChecked()
        assert shown.menu_check.text().replace("&", "") == "Add Softphone to the applications menu"
        assert shown.demo_button is not None
        qtbot.mouseClick(shown.demo_button, Qt.MouseButton.LeftButton)

    async def scenario() -> ui_main.Session | None:
        # As ui.main.main() does: only the quit event ends the app.
        QApplication.instance().setQuitOnLastWindowClosed(False)  # type: ignore[union-attr]
        driver = asyncio.ensure_future(user())
        session = await ui_main.open_session(args)
        await driver
        return session

    session = loop.run_until_complete(scenario())
    assert session is not None
    try:
        assert entry.is_file()
        assert read_entry(entry)["MimeType"] == "x-scheme-handler/sip;x-scheme-handler/sips;"
    finally:
        loop.run_until_complete(session.close())
        session.app.store.close()


def indicator(box: QCheckBox) -> QPoint:
    """Where a person clicks a check box: its square (the row is wider than its text)."""
    option = QStyleOptionButton()
    box.initStyleOption(option)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    return rect.center()


def test_start_at_login_is_a_setting_of_the_account_dialog(qtbot) -> None:
    autostart = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "softphone.desktop"

    def dialog() -> AccountDialog:
        shown = AccountDialog(Account(aor="sip:alice@example.com", password_env="NO_SUCH_VAR"))
        qtbot.addWidget(shown)
        shown.open()
        return shown

    first = dialog()
    box = first.autostart_check
    assert box.text().replace("&", "") == "Start Softphone when I log in"
    assert not box.isChecked()
    qtbot.mouseClick(box, LEFT, pos=indicator(box))
    assert box.isChecked()
    assert not autostart.exists()  # only Save applies it
    qtbot.mouseClick(first.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)

    entry = read_entry(autostart)
    assert entry["Exec"] == desktop.exec_value(desktop.launcher_command()) + " --hidden"
    assert entry["X-GNOME-Autostart-enabled"] == "true"
    assert "MimeType" not in entry
    validator = shutil.which("desktop-file-validate")
    if validator is not None:
        checked = subprocess.run([validator, str(autostart)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout

    second = dialog()
    assert second.autostart_check.isChecked()
    qtbot.mouseClick(second.autostart_check, LEFT, pos=indicator(second.autostart_check))
    qtbot.mouseClick(second.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)
    assert not autostart.exists()


def test_hidden_start_stays_in_the_tray_until_launched_again(
    loop: qasync.QEventLoop, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.single_instance import _send, instance_name

    data = Path(os.environ["XDG_DATA_HOME"]) / "softphone"
    monkeypatch.setattr(ui_main, "default_data_dir", lambda: data)
    # The offscreen platform has no tray; a desktop with one is what --hidden is for.
    monkeypatch.setattr(ui_main.QSystemTrayIcon, "isSystemTrayAvailable", lambda: True)
    args = argparse.Namespace(command=None, demo=True, hidden=True)

    # Windows of earlier tests may linger, hidden: only this test's counts.
    earlier = list(QApplication.topLevelWidgets())  # held, so no id is reused

    def windows() -> list[MainWindow]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and not any(w is e for e in earlier)
        ]

    async def user() -> None:
        await wait_until(lambda: windows() != [], "the window made", timeout=30)
        win = windows()[0]
        try:
            await wait_until(
                lambda: win.registration_label.text() == "Registered as bob@example.com",
                "bob registered",
                timeout=30,
            )
        except AssertionError:
            raise AssertionError(
                f"bob not registered: the status bar says {win.registration_label.text()!r}"
            ) from None
        assert not win.isVisible()
        # Launching it again (from the menu) brings the window up.
        assert await _send(instance_name(ui_main.profile_of(args)), None) is True
        await wait_until(win.isVisible, "shown")
        win.quit_action.trigger()

    async def scenario() -> int:
        driver = asyncio.ensure_future(user())
        quit_on_failure(driver)
        code = await ui_main.main(args)
        await driver
        return code

    assert loop.run_until_complete(scenario()) == 0
