"""One window per profile: later launches hand their sip: link to the running window.

The first instance is the product's own `ui.main.main()` on the demo (in
process, so the test can look at its window); later launches are the real
`softphone` command in a subprocess with the same profile environment.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QDir
from PySide6.QtWidgets import QApplication, QMessageBox

from softphone.store import Direction
from tests.ui.conftest import wait_until
from ui import main as ui_main
from ui.single_instance import instance_name
from ui.windows.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent.parent
DAVE = "sip:dave@example.com"


def launch_env() -> dict[str, str]:
    """The environment of this test (its private XDG folders), offscreen."""
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}


def softphone(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "softphone", *args],
        env=launch_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def window() -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            return widget
    return None


def refusals() -> list[str]:
    return [
        w.text()
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.isVisible()
    ]


def quit_on_failure(task: asyncio.Future[None]) -> None:
    """A failed check quits the window, so the test ends and reports it."""

    def done(finished: asyncio.Future[None]) -> None:
        if finished.cancelled() or finished.exception() is not None:
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, MainWindow):
                    widget.quit_requested.emit()

    task.add_done_callback(done)


def test_a_second_launch_hands_its_link_to_the_window(
    loop: qasync.QEventLoop, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = Path(os.environ["XDG_DATA_HOME"]) / "softphone"
    monkeypatch.setattr(ui_main, "default_data_dir", lambda: data)
    args = argparse.Namespace(command=None, demo=True)
    launches: list[subprocess.CompletedProcess[str]] = []

    async def user() -> None:
        await wait_until(lambda: window() is not None, "the demo window", timeout=30)
        win = window()
        assert win is not None
        await wait_until(
            lambda: win.registration_label.text() == "Registered as bob@example.com",
            "bob registered",
            timeout=30,
        )
        win.showMinimized()
        # A link from a browser: the same profile (the demo's), a draft with it.
        done = await asyncio.to_thread(softphone, "--demo", f"{DAVE}?body=Hello%20Dave%21")
        launches.append(done)
        await wait_until(lambda: win.chat.peer == DAVE, "dave's conversation")
        assert win.chat.composer.toPlainText() == "Hello Dave!"
        assert not win.isMinimized()
        # The draft is only a draft: nothing was sent.
        assert [m for m in win.store.messages(DAVE) if m.direction is Direction.OUT] == []

        # A launch with nothing to open only brings the window forward.
        win.showMinimized()
        launches.append(await asyncio.to_thread(softphone, "--demo"))
        await wait_until(lambda: not win.isMinimized(), "raised")
        assert win.chat.peer == DAVE

        # A hostile link reaching the window (not through the command's own
        # check) gets a dialog and opens nothing.
        from ui.single_instance import _send

        name = instance_name(ui_main.profile_of(args))
        assert await _send(name, "sip:carol@example.com?Subject=evil") is True
        await wait_until(lambda: refusals() != [], "the refusal dialog")
        assert refusals() == [
            "The link asks to set the 'Subject' header; only a message text (?body=)"
            " may come with a link."
        ]
        assert win.chat.peer == DAVE
        win.quit_action.trigger()

    async def scenario() -> int:
        driver = asyncio.ensure_future(user())
        quit_on_failure(driver)
        code = await ui_main.main(args)
        await driver
        return code

    assert loop.run_until_complete(scenario()) == 0
    assert [(d.returncode, d.stdout, d.stderr) for d in launches] == [(0, "", ""), (0, "", "")]


def lock_owner(path: Path) -> str:
    """The process id a QLockFile names ("" while it is being replaced)."""
    try:
        return path.read_text().split("\n", 1)[0]
    except FileNotFoundError:
        return ""


def test_a_killed_instance_does_not_block_the_next(tmp_path: Path) -> None:
    profile = f"demo:{(Path(os.environ['XDG_DATA_HOME']) / 'softphone' / 'demo').absolute()}"
    socket_file = Path(QDir.tempPath()) / instance_name(profile)
    lock_file = Path(os.environ["XDG_RUNTIME_DIR"]) / f"{instance_name(profile)}.lock"

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "softphone", "--demo"],
            env=launch_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_listening(proc: subprocess.Popen[str]) -> None:
        deadline = time.monotonic() + 60
        while not socket_file.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the first instance never listened"
            time.sleep(0.05)

    first = start()
    try:
        wait_listening(first)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    # What a crash leaves: the socket file and the lock of a dead process.
    assert socket_file.exists() and lock_file.exists()

    second = start()
    try:
        # It takes the profile over, rather than handing over to the dead one...
        deadline = time.monotonic() + 60
        while lock_owner(lock_file) != str(second.pid):
            assert second.poll() is None, second.communicate()
            assert time.monotonic() < deadline, "the lock was never taken over"
            time.sleep(0.05)
        while True:
            assert second.poll() is None, second.communicate()
            probe = softphone("--demo", f"{DAVE}?body=hi")
            if probe.returncode == 0:
                break  # ...and a third launch now hands over to it.
            assert time.monotonic() < deadline, probe.stderr
            time.sleep(0.2)
        assert (probe.stdout, probe.stderr) == ("", "")
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
    finally:
        if second.poll() is None:
            second.kill()


def test_a_link_refused_without_a_terminal_is_said_in_the_window(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A browser hands over bad links: the starting window, then the running one, says why."""
    from PySide6.QtCore import Qt, QTimer

    from softphone import cli

    data = Path(os.environ["XDG_DATA_HOME"]) / "softphone"
    monkeypatch.setattr(ui_main, "default_data_dir", lambda: data)
    # As from a browser: stderr is no terminal (the subprocess's is a pipe too).
    monkeypatch.setattr(cli, "has_terminal", lambda: False)
    seen: list[list[str]] = []

    def boxes(win: MainWindow) -> list[QMessageBox]:
        """The dialogs shown over *win* (earlier tests' windows may still have theirs)."""
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible() and w.parent() is win
        ]

    launches: list[subprocess.CompletedProcess[str]] = []

    async def user() -> None:
        await wait_until(lambda: window() is not None, "the demo window", timeout=30)
        win = window()
        assert win is not None

        def said(window: MainWindow) -> list[str]:
            return [box.text() for box in boxes(window)]

        # No window was running: the one starting now says it.
        await wait_until(lambda: said(win) != [], "the first refusal", timeout=30)
        seen.append(said(win))
        for box in boxes(win):
            # The sentence quotes the link: shown as written, never as markup.
            assert box.textFormat() == Qt.TextFormat.PlainText
            box.close()
        await wait_until(lambda: said(win) == [], "the dialog closed")
        # A window is running: a second launch hands its refusal over and ends.
        done = await asyncio.to_thread(softphone, "--demo", "mailto:dave@example.com")
        launches.append(done)
        await wait_until(lambda: said(win) != [], "the handed-over refusal")
        seen.append(said(win))
        assert win.chat.peer is None  # nothing opened
        win.quit_action.trigger()

    def start_user() -> None:
        driver = asyncio.ensure_future(user())
        quit_on_failure(driver)
        driver.add_done_callback(lambda d: None if d.cancelled() else d.exception())

    QTimer.singleShot(0, start_user)
    # The product's entry point, as `softphone --demo 'sip:…'` runs from a browser.
    assert cli.main(["--demo", "sip:carol@example.com?%3Cb%3EX%3C/b%3E=1"]) == 0
    assert seen == [
        [
            "The link asks to set the '<b>X</b>' header; only a message text (?body=)"
            " may come with a link."
        ],
        ["Softphone opens only sip: and sips: links, not mailto: links."],
    ]
    [done] = launches
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "softphone: Softphone opens only sip: and sips: links, not mailto: links.\n"
    )
