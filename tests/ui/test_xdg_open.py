"""A sip: link clicked on a desktop reaches the running window.

A desktop-like session: Xvfb with the openbox window manager, the menu
entry installed by `softphone desktop install` into a private XDG home and
made the sip: handler with `xdg-mime default`, the real window of
`softphone` registered with the product's own `softphone registrar`. Then
`xdg-open sip:...` starts a second `softphone` (the entry's `Exec ... %u`),
which hands the link to the running window and ends; the window opens the
conversation. A screenshot of the screen is taken (SCREENSHOT_TO=path keeps
it; docs/screenshot-sip-link.png comes from this test).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = Path(sys.executable).parent / "softphone"
TOOLS = ("Xvfb", "openbox", "xdg-open", "xdg-mime", "xdotool", "update-desktop-database")
LINK = "sip:alice@example.com?body=Hello%20Alice%2C%20from%20a%20link"
TITLE = "bob@example.com"  # the window title names the account

missing = [tool for tool in TOOLS if shutil.which(tool) is None]
if not SCRIPT.is_file():
    missing.append(str(SCRIPT))
pytestmark = pytest.mark.skipif(
    bool(missing) and os.environ.get("CI") != "true",
    reason=f"needs {', '.join(missing)} (Debian xvfb, openbox, xdg-utils, xdotool,"
    " desktop-file-utils)",
)


def wait_for(predicate: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def stop(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def desktop_session(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Xvfb + openbox; the environment of a session on it, in private XDG folders."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x720x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            display = f":{pipe.readline().strip()}"
        home = tmp_path / "home"
        home.mkdir()
        env = {
            key: value
            for key, value in os.environ.items()
            # A generic desktop: xdg-open then asks xdg-mime, not a DE's own tool.
            if key not in ("XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "BROWSER", "KDE_FULL_SESSION")
            and not key.startswith("GNOME_")
        }
        env.update(DISPLAY=display, HOME=str(home), QT_QPA_PLATFORM="xcb")
        wm = subprocess.Popen(["openbox", "--sm-disable"], env=env, stderr=subprocess.DEVNULL)
        try:
            yield env
        finally:
            stop(wm)
    finally:
        stop(xvfb)


def screenshot(env: dict[str, str], path: Path) -> QImage:
    grab = (
        "import sys\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication(sys.argv[:1])\n"
        "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)\n"
    )
    subprocess.run([sys.executable, "-c", grab, str(path)], env=env, check=True, timeout=60)
    return QImage(str(path))


def test_xdg_open_sip_link_opens_the_conversation_in_the_running_window(
    desktop_session: dict[str, str], tmp_path: Path
) -> None:
    env = {**desktop_session, "SOFTPHONE_TEST_PASSWORD": "bob-secret"}
    users = tmp_path / "users.toml"
    users.write_text(
        '[users]\n"sip:bob@example.com" = "bob-secret"\n"sip:alice@example.com" = "alice-secret"\n'
    )
    registrar = subprocess.Popen(
        [str(SCRIPT), "registrar", "--users", str(users), "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    window: subprocess.Popen[str] | None = None
    try:
        assert registrar.stdout is not None
        listening = json.loads(registrar.stdout.readline())
        config = Path(env["XDG_CONFIG_HOME"]) / "softphone" / "account.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(
            "[account]\n"
            'aor = "sip:bob@example.com"\n'
            f'registrar = "{listening["address"]}"\n'
            'password_env = "SOFTPHONE_TEST_PASSWORD"\n'
        )
        # The menu entry, and the sip: scheme given to it, as a person would.
        subprocess.run(
            [str(SCRIPT), "desktop", "install"],
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
        )
        subprocess.run(
            ["xdg-mime", "default", "softphone.desktop", "x-scheme-handler/sip"],
            env=env,
            check=True,
            timeout=30,
        )
        handler = subprocess.run(
            ["xdg-mime", "query", "default", "x-scheme-handler/sip"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert handler.stdout.strip() == "softphone.desktop"

        window = subprocess.Popen(
            [str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", TITLE],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert found.returncode == 0, "the window never appeared"

        opened = subprocess.run(
            ["xdg-open", LINK], env=env, capture_output=True, text=True, timeout=60
        )
        # The launched `softphone sip:...` handed the link over and ended well.
        assert (opened.returncode, opened.stderr) == (0, "")
        assert window.poll() is None  # the first window is still the one running

        # Give the window a moment to draw the conversation, then look.
        time.sleep(1.5)
        shot = tmp_path / "screen.png"
        image = screenshot(env, shot)
        assert (image.width(), image.height()) == (1024, 720)
        keep = os.environ.get("SCREENSHOT_TO")
        if keep:
            shutil.copyfile(shot, keep)

        window.send_signal(signal.SIGTERM)
        _, err = window.communicate(timeout=30)
        assert window.returncode == 0
        # The running window's own account of it (its log, on stderr).
        assert "opened the conversation with sip:alice@example.com from a link" in err
        assert "with a draft" in err
    finally:
        if window is not None:
            stop(window)
        stop(registrar)
        subprocess.run(
            [str(SCRIPT), "desktop", "uninstall"], env=env, capture_output=True, timeout=120
        )
