"""Render docs/screenshot-main.png: the main window in a real conversation.

Starts a Kamailio on loopback (the interop harness), registers alice (the
window) and her peers bob and joe, and exchanges real SIP MESSAGEs so the
conversation shows delivered, failed and declined bubbles and a Korean
reply. Run under a display, e.g.:

    Xvfb :99 -screen 0 1280x800x24 &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb python3 docs/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from softphone.app import Application, AppOptions  # noqa: E402
from softphone.config import Account  # noqa: E402
from softphone.store import Store  # noqa: E402
from tests.interop.harness import start_kamailio  # noqa: E402
from ui.bridge import CoreBridge  # noqa: E402
from ui.windows.main_window import MainWindow  # noqa: E402

USERS = {"alice": "a-secret", "bob": "b-secret", "joe": "j-secret", "carol": "c-secret"}
OUT = ROOT / "docs" / "screenshot-main.png"


def make(kam, user: str, workdir: Path, name: str) -> Application:  # type: ignore[no-untyped-def]
    account = Account(
        aor=f"sip:{user}@{kam.domain}", display_name=name, registrar=kam.hostport, expires=300
    )
    store = Store.open(workdir / f"{user}.sqlite3")
    return Application(account, USERS[user], store, AppOptions(listen_host="127.0.0.1"))


async def settle(app: Application, message_id: int) -> None:
    for _ in range(400):
        if app.store.message(message_id).state.is_final:  # type: ignore[arg-type]
            return
        await asyncio.sleep(0.02)


async def scene(workdir: Path) -> None:
    kam = start_kamailio(workdir, USERS, fr_timer_ms=1500)
    try:
        alice = make(kam, "alice", workdir, "Alice")
        bob = make(kam, "bob", workdir, "Bob Stone")
        joe = make(kam, "joe", workdir, "Joe")
        now = time.time()
        for aor, name in (
            ("sip:bob@example.test", "Bob Stone"),
            ("sip:carol@example.test", "Carol Diaz"),
            ("sip:joe@example.test", "Joe"),
            ("sip:dave@example.test", "Dave"),
        ):
            alice.store.add_contact(aor, name, now=now)
        window = MainWindow(alice, CoreBridge(alice))
        window.resize(1040, 680)
        window.show()
        for app in (alice, bob, joe):
            await app.start()
            assert app.registration is not None
            assert await app.registration.wait_registered(10)
        window.open_conversation("sip:bob@example.test")

        async def say(text: str) -> int:
            record = alice.messaging.send("sip:bob@example.test", text)
            await settle(alice, record.id)
            return record.id

        await say("Hi Bob! Are we still on for lunch?")
        bob.messaging.send("sip:alice@example.test", "안녕하세요! 밥 먹었어요?")
        await asyncio.sleep(0.5)
        await say("Not yet! 12:30 at the usual place?")
        # Bob refuses further messages from alice: 603 Decline.
        bob.store.set_blocked("sip:alice@example.test", True, now=time.time())
        await say("Bob? I'll bring the tickets.")
        bob.store.set_blocked("sip:alice@example.test", False, now=time.time())
        # Carol was never registered: the proxy stores it (202 Accepted).
        carol_msg = alice.messaging.send("sip:carol@example.test", "See you tomorrow")
        await settle(alice, carol_msg.id)
        # Bob's phone drops off the network without unregistering: the
        # proxy's forward times out, 408, and the bubble offers Retry.
        assert bob.registration is not None and bob.registration._task is not None
        bob.registration._task.cancel()
        bob.agent.close()
        bob.store.close()
        await say("Sending the photos now")
        bob = make(kam, "bob", workdir, "Bob Stone")
        await bob.start()
        assert bob.registration is not None
        assert await bob.registration.wait_registered(10)
        bob.messaging.send("sip:alice@example.test", "Sorry, my phone died 😅 photos?")
        joe.messaging.send("sip:alice@example.test", "Call me when you can")
        await asyncio.sleep(0.8)
        presence = getattr(alice, "presence", None)
        if presence is None:
            # Stand-in until the presence service lands: the states this
            # scene knows (bob and joe registered, carol and dave not).
            from types import SimpleNamespace

            def state(aor: str, status: str, devices: int, seen: float | None) -> object:
                return SimpleNamespace(
                    aor=aor, status=status, devices=(None,) * devices, last_seen=seen, detail=""
                )

            window._on_buddy_changed(state("sip:bob@example.test", "online", 2, None))
            window._on_buddy_changed(state("sip:joe@example.test", "online", 1, None))
            window._on_buddy_changed(
                state("sip:carol@example.test", "offline", 0, time.time() - 3600)
            )
            window._on_buddy_changed(state("sip:dave@example.test", "waiting", 0, None))
        else:
            await asyncio.sleep(2.0)
        # The user comes back to the window: the open conversation is read.
        window.activateWindow()
        window.open_conversation("sip:bob@example.test")
        await asyncio.sleep(0.3)
        window.chat.composer.setPlainText("Great, see you at 12:30")
        await asyncio.sleep(0.5)
        window.grab().save(str(OUT))
        print(f"wrote {OUT}")
        for app in (alice, bob, joe):
            await app.stop()
    finally:
        kam.stop()


def main() -> None:
    QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        qasync.run(scene(Path(tmp)))


if __name__ == "__main__":
    main()
