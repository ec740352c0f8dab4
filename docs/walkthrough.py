"""Walk through the demo as a person would and take the screenshots in docs/.

A desktop of its own: Xvfb, the openbox window manager and a tray (trayer),
a private home folder. The real `softphone --demo` runs in it three times,
and every key and click comes from `xdotool` (real X events):

1. light, English: Ctrl+K to Alice's conversation, a two-line message in
   Korean and English (Shift+Enter between the lines) sent with Enter;
   Ctrl+I for Alice's details; Shift+Tab to the messages, End, Ctrl+Shift+I
   for the last message's details; Ctrl+Q.
2. dark: the desktop's colour scheme is a dark one (KDE's ``kdeglobals``,
   which Qt reads as the system palette); the same conversation.
3. Korean: ``--lang ko``; the same conversation, then Ctrl+I.

Each run has a profile of its own (settings, history), so each screenshot
shows the one greeting Alice sends at a start. Before each run the demo's
history gets two older messages from Alice (yesterday and five days ago),
so the date separators show; before the dark and Korean runs, also the
two-line message the first run sent. Screenshots:
``screenshot-main.png`` (date separators and the two-line message),
``screenshot-buddy-details.png``, ``screenshot-dark.png`` and
``screenshot-korean.png``. Needs Debian's xvfb, openbox, trayer and xdotool:

    python3 docs/walkthrough.py            # writes docs/screenshot-*.png
    python3 docs/walkthrough.py --out DIR  # elsewhere

`walk()` returns what happened (the windows seen, what the demo's store
holds), for `tests/ui/test_walkthrough.py` to check.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The installed command (the virtual environment's, beside this Python).
SCRIPT = Path(sys.executable).parent / "softphone"
TOOLS = ("Xvfb", "openbox", "trayer", "xdotool")
SCREEN = (1280, 800)
#: The main window's title names the demo's account.
TITLE = "bob@example.com"
ALICE = "sip:alice@example.com"
#: Typed in the composer: Korean, a line break (Shift+Enter), English.
FIRST_LINE = "안녕하세요, Alice! 오늘 저녁에 시간 있어요?"
SECOND_LINE = "Second line: dinner at 7, see https://example.com/menu"
MESSAGE = f"{FIRST_LINE}\n{SECOND_LINE}"
DAY = 86_400.0

#: A dark desktop colour scheme, as KDE keeps it (Qt's KDE theme reads it).
DARK_SCHEME = """\
[General]
ColorScheme=BreezeDark

[Colors:Window]
BackgroundNormal=32,35,38
ForegroundNormal=220,220,220

[Colors:View]
BackgroundNormal=27,30,32
ForegroundNormal=220,220,220
ForegroundLink=61,174,233

[Colors:Button]
BackgroundNormal=49,54,59
ForegroundNormal=220,220,220

[Colors:Selection]
BackgroundNormal=61,174,233
ForegroundNormal=255,255,255

[Colors:Tooltip]
BackgroundNormal=49,54,59
ForegroundNormal=220,220,220
"""


class WalkError(RuntimeError):
    """A step of the walkthrough did not happen."""


@dataclass
class Walk:
    """What the walkthrough saw."""

    #: Screenshot name -> path.
    shots: dict[str, Path] = field(default_factory=dict)
    #: Titles of the windows that appeared, in order.
    windows: list[str] = field(default_factory=list)
    #: Exit codes of the three runs.
    exits: list[int] = field(default_factory=list)
    #: The sent message as the demo's store holds it: (body, state), or None.
    sent: tuple[str, str] | None = None
    #: The stored online/offline changes of Alice: (status, detail).
    alice_changes: list[tuple[str, str]] = field(default_factory=list)
    #: Alice's greetings in each run's history (one a start).
    greetings: list[int] = field(default_factory=list)


def missing_tools() -> list[str]:
    """The tools this needs that are not installed."""
    absent = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not SCRIPT.is_file():
        absent.append(str(SCRIPT))
    return absent


def wait_for(predicate: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    """Poll *predicate* until true.

    Raises:
        WalkError: still false after *timeout* seconds.
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise WalkError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def desktop(home: Path) -> Iterator[dict[str, str]]:
    """Xvfb, openbox and trayer; the environment of a session there, home in *home*."""
    read, write = os.pipe()
    width, height = SCREEN
    xvfb = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write),
            "-screen",
            "0",
            f"{width}x{height}x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    started: list[subprocess.Popen[bytes]] = []
    try:
        with os.fdopen(read) as pipe:
            display = f":{pipe.readline().strip()}"
        env = {
            key: value
            for key, value in os.environ.items()
            if key
            not in (
                "XDG_CURRENT_DESKTOP",
                "DESKTOP_SESSION",
                "KDE_FULL_SESSION",
                "QT_QPA_PLATFORMTHEME",
            )
            and not key.startswith(("GNOME_", "KDE_"))
        }
        env.update(DISPLAY=display, HOME=str(home), QT_QPA_PLATFORM="xcb", LANG="C.UTF-8")
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME"):
            folder = home / name.lower()
            folder.mkdir(mode=0o700, exist_ok=True)
            env[name] = str(folder)
        started.append(
            subprocess.Popen(["openbox", "--sm-disable"], env=env, stderr=subprocess.DEVNULL)
        )
        # A tray for the window's icon, on the top edge.
        started.append(
            subprocess.Popen(
                [
                    "trayer",
                    "--edge",
                    "top",
                    "--align",
                    "right",
                    "--widthtype",
                    "request",
                    "--height",
                    "24",
                    "--SetDockType",
                    "true",
                    "--SetPartialStrut",
                    "true",
                    "--transparent",
                    "false",
                    "--tint",
                    "0x303030",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        time.sleep(1.0)  # the window manager takes over the screen
        yield env
    finally:
        for process in reversed(started):
            _stop(process)
        _stop(xvfb)


class Screen:
    """xdotool and screenshots on one session's display."""

    def __init__(self, env: dict[str, str], walk: Walk) -> None:
        self.env = env
        self.walk = walk

    def xdo(self, *args: str, timeout: float = 60.0) -> str:
        done = subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise WalkError(f"xdotool {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout.strip()

    def window(self, name: str, timeout: float = 60.0) -> str:
        """Wait for a visible window whose title contains *name*; activate it."""
        found = self.xdo("search", "--sync", "--onlyvisible", "--name", name, timeout=timeout)
        window = found.splitlines()[-1]
        self.xdo("windowactivate", "--sync", window)
        self.walk.windows.append(self.xdo("getwindowname", window))
        return window

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.xdo("key", "--clearmodifiers", key)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self.xdo("type", "--delay", "40", text)

    def shot(self, name: str, out: Path) -> Path:
        """The whole screen into *out*/*name*."""
        path = out / name
        grab = (
            "import sys\n"
            "from PySide6.QtGui import QGuiApplication\n"
            "app = QGuiApplication(sys.argv[:1])\n"
            "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)\n"
        )
        subprocess.run(
            [sys.executable, "-c", grab, str(path)], env=self.env, check=True, timeout=60
        )
        self.walk.shots[name] = path
        return path


def _demo_db(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "softphone" / "demo" / "history.sqlite3"


def _query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    """Read the demo's store while the window runs (read-only, never in its way)."""
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as db_:
        try:
            return list(db_.execute(sql, args))
        except sqlite3.OperationalError:  # not created yet
            return []


def fresh_profile(env: dict[str, str], name: str) -> dict[str, str]:
    """*env* with settings, data and cache folders of a run's own, under the home folder."""
    profile = dict(env)
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        folder = Path(env["HOME"]) / name / variable.lower()
        folder.mkdir(mode=0o700, parents=True)
        profile[variable] = str(folder)
    return profile


def seed_history(env: dict[str, str], *, sent: bool = False) -> None:
    """Two older messages from Alice, so the conversation has date separators.

    With *sent*, also the two-line message as the first run sent it (delivered).
    """
    sys.path.insert(0, str(ROOT))
    from softphone.sip.delivery import DeliveryState
    from softphone.store import Store

    db = _demo_db(env)
    db.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(db)
    try:
        now = time.time()
        for age, body in (
            (5 * DAY, "지난주에 보낸 사진 봤어요?"),
            (DAY, "Yesterday's plan still on?"),
        ):
            store.insert_incoming(
                peer=ALICE,
                body=body,
                content_type="text/plain",
                call_id=f"walkthrough-{age}",
                cseq=1,
                from_tag="walkthrough",
                now=now - age,
            )
        store.mark_read(ALICE)
        if sent:
            record = store.insert_outgoing(ALICE, MESSAGE, now=now - 60)
            store.update_state(record.id, DeliveryState.SENDING, now=now - 60)
            store.update_state(
                record.id, DeliveryState.DELIVERED, code=200, reason="OK", now=now - 59
            )
    finally:
        store.close()


def _greetings(db: Path) -> int:
    # The demo's Alice greets bob once he is registered.
    rows = _query(
        db,
        "SELECT count(*) FROM messages WHERE peer = ? AND direction = 'in'"
        " AND call_id NOT LIKE 'walkthrough-%'",
        ALICE,
    )
    return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]


def _greeted(db: Path) -> bool:
    return _greetings(db) > 0


@contextlib.contextmanager
def softphone(screen: Screen, out: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """The real command, run until the block ends (then asked to quit, if still running).

    A step that does not come leaves the screen in *out*/walkthrough-failure.png.
    """
    env = screen.env
    # Its log goes beside the home folder's other files, for a failure's report.
    log = open(Path(env["HOME"]) / "softphone.log", "a", encoding="utf-8")  # noqa: SIM115
    process = subprocess.Popen(
        [str(SCRIPT), "--demo", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    log.close()
    try:
        yield process
    except WalkError:
        screen.shot("walkthrough-failure.png", out)
        raise
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _open_alice(screen: Screen) -> None:
    """Ctrl+K, "alice", Enter: her conversation, with the focus in the composer."""
    screen.keys("ctrl+k")
    time.sleep(0.5)
    screen.type("alice")
    screen.keys("Return")
    time.sleep(0.8)


def _type_message(screen: Screen, db: Path, attempts: int = 3) -> None:
    """Type the two lines (Shift+Enter between) into the composer, unsent.

    The window keeps a draft a moment after the last key, so the store shows
    whether every letter and the line break arrived. xdotool types a Hangul
    syllable by remapping a spare key first, and the first syllables after
    the remapping are sometimes lost; the composer is then emptied (Ctrl+A,
    Delete) and the text typed again.

    Raises:
        WalkError: the draft never held the whole text.
    """
    for attempt in range(attempts):
        screen.type(FIRST_LINE)
        screen.keys("shift+Return")
        screen.type(SECOND_LINE)
        try:
            wait_for(
                lambda: _query(db, "SELECT body FROM drafts WHERE peer = ?", ALICE) == [(MESSAGE,)],
                "the two lines in Alice's draft",
                timeout=10,
            )
            return
        except WalkError:
            if attempt == attempts - 1:
                raise
            screen.keys("ctrl+a", "Delete")


def _quit(screen: Screen, process: subprocess.Popen[str]) -> None:
    screen.keys("ctrl+q")
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired as exc:
        raise WalkError("Ctrl+Q did not end the window") from exc
    screen.walk.exits.append(process.returncode)


def walk(out: Path) -> Walk:
    """Run the three sessions; screenshots into *out*.

    Raises:
        WalkError: a window or a step did not come (the screen is then in
            *out*/walkthrough-failure.png).
    """
    out.mkdir(parents=True, exist_ok=True)
    result = Walk()
    with tempfile.TemporaryDirectory(prefix="softphone-walk-") as tmp, desktop(Path(tmp)) as env:
        screen = Screen(env, result)
        try:
            profiles = _sessions(screen, env, out)
        except WalkError:
            shutil.copyfile(Path(tmp) / "softphone.log", out / "walkthrough-failure.log")
            raise
        result.greetings = [_greetings(_demo_db(profile)) for profile in profiles]
        db = _demo_db(profiles[0])
        rows = _query(
            db, "SELECT body, state FROM messages WHERE direction = 'out' AND body = ?", MESSAGE
        )
        result.sent = (str(rows[0][0]), str(rows[0][1])) if rows else None
        result.alice_changes = [
            (str(status), str(detail))
            for status, detail in _query(
                db, "SELECT status, detail FROM presence_changes WHERE aor = ? ORDER BY id", ALICE
            )
        ]
    return result


def _sessions(screen: Screen, desktop_env: dict[str, str], out: Path) -> list[dict[str, str]]:
    """The three runs of the window, each driven with xdotool; their profiles."""
    # 1. Light, English.
    env = screen.env = fresh_profile(desktop_env, "light")
    first = env
    db = _demo_db(env)
    seed_history(env)
    with softphone(screen, out) as process:
        screen.window(TITLE)
        wait_for(lambda: _greeted(db), "Alice's greeting", timeout=90)
        _open_alice(screen)
        _type_message(screen, db)
        screen.keys("Return")
        wait_for(
            lambda: _query(
                db,
                "SELECT state FROM messages WHERE direction = 'out' AND body = ?"
                " AND state IN ('delivered', 'read')",
                MESSAGE,
            ),
            "the two-line message delivered",
        )
        time.sleep(1.0)
        screen.shot("screenshot-main.png", out)
        screen.keys("ctrl+i")
        screen.window("Buddy details")
        time.sleep(0.5)
        screen.shot("screenshot-buddy-details.png", out)
        screen.keys("Escape")
        screen.window(TITLE)
        # The message list, its last message, that message's details.
        screen.keys("shift+Tab", "End", "ctrl+shift+i")
        screen.window("Message details")
        screen.keys("Escape")
        screen.window(TITLE)
        _quit(screen, process)

    # 2. Dark: the desktop's colour scheme.
    dark = fresh_profile(desktop_env, "dark")
    seed_history(dark, sent=True)
    (Path(dark["XDG_CONFIG_HOME"]) / "kdeglobals").write_text(DARK_SCHEME)
    screen.env = {**dark, "XDG_CURRENT_DESKTOP": "KDE", "KDE_SESSION_VERSION": "5"}
    with softphone(screen, out) as process:
        screen.window(TITLE)
        wait_for(lambda: _greeted(_demo_db(dark)), "Alice's greeting", timeout=90)
        _open_alice(screen)
        time.sleep(1.0)
        screen.shot("screenshot-dark.png", out)
        _quit(screen, process)

    # 3. Korean.
    korean = screen.env = fresh_profile(desktop_env, "korean")
    seed_history(korean, sent=True)
    with softphone(screen, out, "--lang", "ko") as process:
        screen.window(TITLE)
        wait_for(lambda: _greeted(_demo_db(korean)), "Alice's greeting", timeout=90)
        _open_alice(screen)
        time.sleep(1.0)
        screen.shot("screenshot-korean.png", out)
        screen.keys("ctrl+i")
        screen.window("친구 정보")
        screen.keys("Escape")
        screen.window(TITLE)
        _quit(screen, process)
    screen.env = desktop_env
    return [first, dark, korean]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the screenshots go")
    args = parser.parse_args(argv)
    absent = missing_tools()
    if absent:
        sys.stderr.write(f"walkthrough: needs {', '.join(absent)}\n")
        return 2
    result = walk(args.out)
    print(
        json.dumps(
            {
                "shots": {name: str(path) for name, path in result.shots.items()},
                "windows": result.windows,
                "exits": result.exits,
                "sent": result.sent,
                "alice_changes": result.alice_changes,
                "greetings": result.greetings,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
