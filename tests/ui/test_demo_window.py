"""`softphone --demo`: the real `main()` and window on the embedded server and its buddies.

No Kamailio: the demo brings its own server (`softphone.demo`). The window
logs in as bob; alice echoes and greets in Korean, carol declines with 603,
joe's phone comes and goes (every second or so here), and the welcome
server greets each new registration.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

import softphone.demo
from softphone.demo import ALICE, CAROL, GREETING, JOE, WELCOME_APP, WELCOME_TEXT, DemoSession
from softphone.services.presence import BuddyState, BuddyStatus
from softphone.services.registration import RegistrationState
from softphone.sip.delivery import DeliveryState
from softphone.store import Direction
from tests.ui.conftest import wait_until
from ui import main as ui_main
from ui.delegates.buddy import AVATAR, ROW_HEIGHT
from ui.icons import buddy_color
from ui.roles import Role
from ui.windows.main_window import MainWindow

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parents[2]


def open_sockets() -> set[str]:
    """The sockets this process holds (``socket:[inode]`` per descriptor)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


@pytest.fixture
def demo_sessions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[DemoSession]]:
    """Every demo the window starts, with joe's phone coming and going fast."""
    sessions: list[DemoSession] = []
    real = softphone.demo.start_demo

    async def quick_demo(data_dir: Path, **kwargs: object) -> DemoSession:
        session = await real(data_dir, joe_interval=(0.6, 1.0))
        sessions.append(session)
        return session

    monkeypatch.setattr(softphone.demo, "start_demo", quick_demo)
    monkeypatch.setattr(ui_main, "default_data_dir", lambda: tmp_path / "data")
    yield sessions


def visible_window() -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            return widget
    return None


def buddy_index(win: MainWindow, aor: str) -> QModelIndex:
    row = win.buddies.row_of(aor)
    assert row is not None, f"{aor} is not in the buddy list"
    return win.sorted_buddies.mapFromSource(win.buddies.index(row, 0))


def painted_dot(win: MainWindow, aor: str) -> QColor:
    """The colour at the centre of *aor*'s state dot, as the list's delegate paints it."""
    index = buddy_index(win, aor)
    image = QImage(300, ROW_HEIGHT, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 300, ROW_HEIGHT)
    option.palette = win.buddy_view.palette()
    option.font = win.buddy_view.font()
    win.buddy_view.itemDelegate().paint(painter, option, index)
    painter.end()
    # The dot sits on the avatar's lower right corner (see the delegate).
    top = (ROW_HEIGHT - AVATAR) // 2
    x = 10 + AVATAR - 11 + 6
    y = top + AVATAR - 11 + 6
    return image.pixelColor(x, y)


def same_color(a: QColor, b: QColor) -> bool:
    return all(abs(x - y) <= 8 for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def test_demo_window_plays_the_whole_story_and_quits_cleanly(
    loop: qasync.QEventLoop, demo_sessions: list[DemoSession], qtbot
) -> None:
    args = argparse.Namespace(command=None, demo=True)
    statuses: list[RegistrationState] = []
    joe_seen: list[BuddyStatus] = []
    joe_dots: list[tuple[BuddyStatus, bool]] = []
    sockets_before = open_sockets()

    async def user() -> None:
        await wait_until(lambda: visible_window() is not None, "the window", timeout=30)
        win = visible_window()
        assert win is not None
        win.bridge.registration_changed.connect(lambda s: statuses.append(s.state))

        def on_buddy(state: BuddyState) -> None:
            if state.aor == JOE and (not joe_seen or joe_seen[-1] is not state.status):
                joe_seen.append(state.status)
                # What the list paints for joe right now, against the icon set.
                joe_dots.append(
                    (state.status, same_color(painted_dot(win, JOE), buddy_color(state.status)))
                )

        def on_buddies(states: tuple[BuddyState, ...]) -> None:
            for state in states:
                on_buddy(state)

        win.bridge.buddies_changed.connect(on_buddies)
        await wait_until(
            lambda: win.registration_label.text() == "Registered as bob@example.com",
            "bob registered",
        )
        assert win.windowTitle() == "bob@example.com — Softphone"
        for aor in (ALICE, CAROL, JOE):
            assert win.buddies.row_of(aor) is not None

        # The welcome and alice's greeting arrive in their conversations,
        # each with an unread badge.
        def unread(aor: str) -> int:
            row = win.buddies.row_of(aor)
            return 0 if row is None else int(win.buddies.index(row, 0).data(Role.UNREAD) or 0)

        await wait_until(lambda: unread(WELCOME_APP) >= 1, "the welcome's unread badge")
        await wait_until(lambda: unread(ALICE) >= 1, "alice's unread badge")
        assert [r.body for r in win.store.messages(WELCOME_APP) if r.direction is Direction.IN] == [
            WELCOME_TEXT
        ]

        # Alice: her greeting is in the conversation; a message to her ends
        # delivered and her echo comes back.
        win.open_conversation(ALICE)
        assert unread(ALICE) == 0
        model = win.chat.model
        assert model is not None
        texts = [model.record(r).body for r in range(model.rowCount())]
        assert GREETING in texts
        composer = win.chat.composer
        composer.setFocus()
        qtbot.keyClicks(composer, "hello alice")
        qtbot.keyClick(composer, Qt.Key.Key_Return)
        sent = model.record(model.rowCount() - 1)
        assert (sent.body, sent.direction) == ("hello alice", Direction.OUT)

        def shown(message_id: int, role: int) -> object:
            row = model.row_of(message_id)
            assert row is not None
            return model.index(row, 0).data(role)

        await wait_until(
            lambda: shown(sent.id, Role.DELIVERY) is DeliveryState.DELIVERED, "delivered"
        )
        # A few seconds later Alice reads it (READ), then types her answer.
        await wait_until(lambda: shown(sent.id, Role.DELIVERY) is DeliveryState.READ, "read")
        await wait_until(lambda: win.chat.typing_label.text() == "Alice is typing…", "typing")
        await wait_until(
            lambda: any(
                model.record(r).body == "Echo: hello alice" for r in range(model.rowCount())
            ),
            "alice's echo",
        )
        assert not win.chat.typing_label.isVisibleTo(win)

        # Carol declines: the bubble shows the declined state and its reason.
        win.open_conversation(CAROL)
        carol_model = win.chat.model
        assert carol_model is not None and carol_model is not model
        model = carol_model
        qtbot.keyClicks(composer, "hello carol")
        qtbot.keyClick(composer, Qt.Key.Key_Return)
        refused = model.record(model.rowCount() - 1)
        await wait_until(
            lambda: shown(refused.id, Role.DELIVERY) is DeliveryState.DECLINED, "declined"
        )
        # The tooltip's first line is the state; the second says when.
        assert str(shown(refused.id, Qt.ItemDataRole.ToolTipRole)).splitlines()[0] == (
            "declined by recipient: 603 Decline"
        )

        # Joe's phone comes and goes: his dot follows, in the icon set's colours.
        await wait_until(
            lambda: (
                BuddyStatus.ONLINE in joe_seen
                and BuddyStatus.OFFLINE in joe_seen[joe_seen.index(BuddyStatus.ONLINE) :]
            ),
            "joe online, then offline",
        )
        # Each time his phone came back, the welcome server greeted it.
        session = demo_sessions[0]
        assert session.welcome is not None
        await wait_until(
            lambda: any(aor == JOE and code == 200 for aor, _, code in session.welcome.sent),
            "joe welcomed",
        )
        # The tray's Show brings the minimized window back.
        assert win.tray is not None
        win.showMinimized()
        await wait_until(win.isMinimized, "minimized")
        win.tray.show_requested.emit()
        await wait_until(lambda: not win.isMinimized(), "shown again from the tray")
        qtbot.keyClick(win, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    async def scenario() -> int:
        driver = asyncio.ensure_future(user())
        code = await ui_main.main(args)
        await driver
        # Closed transports release their sockets on the next loop turn.
        await asyncio.sleep(0.1)
        return code

    assert loop.run_until_complete(scenario()) == 0
    assert len(demo_sessions) == 1
    session = demo_sessions[0]
    # The app unregistered (Expires: 0 reached the server) before the demo stopped.
    assert statuses[-1] is RegistrationState.UNREGISTERED
    assert session.server.bindings("sip:bob@example.com") == []
    # The demo's server and buddies are gone: no task left, no socket left.
    leftover = [t for t in asyncio.all_tasks(loop) if not t.done()]
    assert leftover == []
    assert open_sockets() <= sockets_before
    assert joe_dots and all(agrees for _, agrees in joe_dots)
    assert {status for status, _ in joe_dots} >= {BuddyStatus.ONLINE, BuddyStatus.OFFLINE}


def test_first_run_dialog_try_it_starts_the_demo(
    loop: qasync.QEventLoop,
    demo_sessions: list[DemoSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot,
) -> None:
    from ui.windows.settings_dialog import AccountDialog

    # No settings file and no account flags: the first-run dialog (and
    # nothing may reach the real settings folder).
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    args = argparse.Namespace(command="gui", config=None, db=tmp_path / "real.sqlite3")

    def dialog() -> AccountDialog | None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, AccountDialog) and widget.isVisible():
                return widget
        return None

    async def user() -> None:
        await wait_until(lambda: dialog() is not None, "the first-run dialog")
        shown = dialog()
        assert shown is not None and shown.demo_button is not None
        shown.demo_button.click()
        await wait_until(lambda: visible_window() is not None, "the window", timeout=30)
        win = visible_window()
        assert win is not None
        await wait_until(
            lambda: win.registration_label.text() == "Registered as bob@example.com",
            "bob registered",
        )
        win.quit_action.trigger()

    async def scenario() -> int:
        driver = asyncio.ensure_future(user())
        code = await ui_main.main(args)
        await driver
        return code

    assert loop.run_until_complete(scenario()) == 0
    assert len(demo_sessions) == 1
    # The demo's history lives in its own folder; the real database is untouched.
    assert (tmp_path / "data" / "demo" / "history.sqlite3").exists()
    assert not (tmp_path / "real.sqlite3").exists()


DRIVER = """
import os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import logging
qapp = QApplication(sys.argv[:1])
from softphone import cli
from ui.windows.main_window import MainWindow

# The welcome server greets bob's device after his registration: quitting
# by the menu waits for that greeting (or 20 s), as a person would see it.
# Bob's own: Joe's device, watched too, may be greeted first.
greeted = []

class Greeted(logging.Handler):
    def emit(self, record):
        if "welcome server greeted sip:bob@example.com" in record.getMessage():
            greeted.append(record)

logging.getLogger("softphone.demo").addHandler(Greeted())

def quit_when_greeted(window, deadline):
    if greeted or time.monotonic() > deadline:
        window.quit_action.trigger()
    else:
        QTimer.singleShot(10, lambda: quit_when_greeted(window, deadline))

def poll():
    for w in QApplication.topLevelWidgets():
        if (
            isinstance(w, MainWindow)
            and w.isVisible()
            and w.registration_label.text().startswith("Registered as")
        ):
            print("READY", time.monotonic(), flush=True)
            if os.environ.get("DRIVER_QUIT") == "action":
                quit_when_greeted(w, time.monotonic() + 20)
            return
    QTimer.singleShot(10, poll)

QTimer.singleShot(0, poll)
sys.exit(cli.main(sys.argv[1:]))
"""


def driver_env(tmp_path: Path, *, quit_by: str) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHONPATH": str(ROOT),
        "DRIVER_QUIT": quit_by,
    }


@pytest.mark.parametrize("argv", [["--demo"], ["gui", "--demo"]])
def test_softphone_demo_command_reaches_a_registered_window(
    tmp_path: Path, argv: list[str]
) -> None:
    env = driver_env(tmp_path, quit_by="action")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    ready = [line for line in done.stdout.splitlines() if line.startswith("READY ")]
    assert len(ready) == 1, done.stdout + done.stderr[-3000:]
    # For the record (not asserted): process start to a registered window.
    print(f"softphone {' '.join(argv)}: ready after {float(ready[0].split()[1]) - started:.2f} s")
    assert (tmp_path / "data" / "softphone" / "demo" / "history.sqlite3").exists()
    # The welcome server greeted bob's new registration (a log line).
    assert "welcome server greeted sip:bob@example.com" in done.stderr


def test_sigterm_quits_like_ctrl_q(tmp_path: Path) -> None:
    # A session logout sends SIGTERM: bob unregisters and the demo stops
    # before the process ends, with exit status 0.
    log_path = tmp_path / "stderr.txt"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-c", DRIVER, "gui", "--demo", "-v"],
            env=driver_env(tmp_path, quit_by="signal"),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("READY "), log_path.read_text()[-3000:]
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(5)
    err = log_path.read_text()
    assert process.returncode == 0, err[-3000:]
    # Bob's core closed as on Ctrl+Q (only bob watches carol), then the demo:
    # bob, alice, carol and joe each unregistered (Expires: 0).
    assert "SUBSCRIBE (unsubscribe) for sip:carol@example.com: 200 OK" in err
    assert err.count("registration: Not registered") == 4, err[-3000:]
