"""A small app driver for the crash tests: `Application` without registration.

    python3 -m tests.reliability.crash_driver send --db D --proxy H:P --count 500
    python3 -m tests.reliability.crash_driver listen --db D --port P
    python3 -m tests.reliability.crash_driver listen --db D --port P --hold-commit

`send` stores N messages to sip:bob@example.test, prints one JSON line per
stored message, sends them through the proxy, and prints the final states.
With `--count 0` it only recovers (what a restart does) and flushes the
outbox. `listen` answers MESSAGEs on the port until killed. Both run the
product's own start-up path, so a SIGKILL tests what a user's crash does.

`--hold-commit` is a test hook, not a product option: the store of the
listening app stops for good between writing a received message and
committing it (`CommitHeldStore`), and says so on stdout, so a test can
SIGKILL the process at exactly that point.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.sip.timers import TimerConfig
from softphone.store import Direction, Store, Write


def _print(obj: object) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class CommitHeldStore(Store):
    """Test hook: a store that never commits a received message.

    When a transaction holds the write of a received message (through
    `incoming_write`, which both `insert_incoming` and the group commit use),
    it prints ``{"holding": call_id}`` after the writes and before the
    COMMIT, and blocks the thread that commits until the process is
    killed. Whatever the application put on the wire for that message before
    this point is all it will ever send.
    """

    _holding: str | None = None

    def incoming_write(self, peer: str, body: str, **kwargs: Any) -> Write:
        write = super().incoming_write(peer, body, **kwargs)
        call_id = str(kwargs.get("call_id"))

        def held(db: sqlite3.Connection) -> Any:
            self._holding = call_id
            return write(db)

        return held

    def _commit(self, db: sqlite3.Connection) -> None:
        if self._holding is not None:
            _print({"holding": self._holding})
            threading.Event().wait()  # blocks until SIGKILL
        super()._commit(db)


async def send(args: argparse.Namespace) -> None:
    account = Account(aor="sip:alice@example.test", outbound_proxy=args.proxy)
    app = Application(
        account,
        None,
        Store.open(args.db),
        AppOptions(listen_host="127.0.0.1", register=False, timers=TimerConfig(t1=args.t1)),
    )
    await app.start()  # recovers SENDING rows and flushes QUEUED ones
    for n in range(args.count):
        record = app.messaging.send("sip:bob@example.test", f"burst {n:04d}")
        _print({"stored": record.id})
    _print({"event": "sending"})
    await app.messaging.drain()
    final = [
        {"id": m.id, "state": m.state.value, "code": m.code, "reason": m.reason}
        for m in app.store.messages("sip:bob@example.test", limit=100_000)
        if m.direction is Direction.OUT
    ]
    _print({"final": final})
    await app.stop()


async def listen(args: argparse.Namespace) -> None:
    account = Account(aor="sip:bob@example.test", local_port=args.port)
    # The flood here is the test's own load, not an attack: without the
    # flood limits every message is taken, so each outcome is the crash's.
    # (The limits are tested through `softphone listen` in tests/security.)
    options = AppOptions(
        listen_host="127.0.0.1", register=False, timers=TimerConfig(t1=args.t1), limits=None
    )
    store = (CommitHeldStore if args.hold_commit else Store).open(args.db)
    app = Application(account, None, store, options)
    await app.start()
    _print({"event": "ready", "port": args.port})
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="role", required=True)
    s = sub.add_parser("send")
    s.add_argument("--db", type=Path, required=True)
    s.add_argument("--proxy", required=True)
    s.add_argument("--count", type=int, default=500)
    s.add_argument("--t1", type=float, default=0.05)
    r = sub.add_parser("listen")
    r.add_argument("--db", type=Path, required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--hold-commit", action="store_true")
    r.add_argument("--t1", type=float, default=0.05)
    args = parser.parse_args()
    asyncio.run(send(args) if args.role == "send" else listen(args))


if __name__ == "__main__":
    main()
