"""A small app driver for the crash tests: `Application` without registration.

    python3 -m tests.reliability.crash_driver send --db D --proxy H:P --count 500
    python3 -m tests.reliability.crash_driver listen --db D --port P

`send` stores N messages to sip:bob@example.test, prints one JSON line per
stored message, sends them through the proxy, and prints the final states.
With `--count 0` it only recovers (what a restart does) and flushes the
outbox. `listen` answers MESSAGEs on the port until killed. Both run the
product's own start-up path, so a SIGKILL tests what a user's crash does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.sip.timers import TimerConfig
from softphone.store import Direction, Store


def _print(obj: object) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


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
    app = Application(account, None, Store.open(args.db), options)
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
    r.add_argument("--t1", type=float, default=0.05)
    args = parser.parse_args()
    asyncio.run(send(args) if args.role == "send" else listen(args))


if __name__ == "__main__":
    main()
