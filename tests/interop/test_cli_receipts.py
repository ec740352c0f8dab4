"""`softphone send --await` and `softphone listen` with receipts and typing, via Kamailio.

The commands run as subprocesses; the other side is either another
command or the product's Application in this process. Includes Kamailio's
msilo: a CPIM message to an offline user is ACCEPTED (202), then DELIVERED
when the recipient comes online and its receipt arrives.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from softphone.account import Account
from tests.interop import harness
from tests.interop.conftest import USERS
from tests.interop.harness import KamailioProcess
from tests.interop.phone import Phone
from tests.interop.test_cli import (
    ROOT,
    Listener,
    account_args,
    cli_env,
    listen_factory,
    run_cli,
    start_listen,
)

__all__ = ["listen_factory"]

pytestmark = [pytest.mark.interop, harness.requires_kamailio]


async def send_await(
    kam: KamailioProcess, tmp_path: Path, to: str, text: str, *extra: str, timeout: float = 60
) -> tuple[int, list[dict[str, object]]]:
    code, out, _err = await run_cli(
        tmp_path,
        "send",
        *account_args(kam, "alice", tmp_path),
        *extra,
        to,
        text,
        timeout=timeout,
    )
    return code, [json.loads(line) for line in out.splitlines()]


def phone(kam: KamailioProcess, user: str) -> Phone:
    account = Account(aor=f"sip:{user}@{kam.domain}", registrar=kam.hostport, expires=300)
    return Phone(account, USERS[user])


async def test_await_delivered_then_read_never_comes_from_listen(
    kamailio: KamailioProcess, tmp_path: Path, listen_factory: list[Listener]
) -> None:
    bob = await start_listen(kamailio, tmp_path, "bob", listen_factory)
    await bob.registered()
    code, lines = await send_await(
        kamailio, tmp_path, "sip:bob@example.test", "hi", "--await", "delivered"
    )
    assert (code, lines) == (0, [{"state": "delivered", "code": 200, "reason": "OK"}])
    chat = await bob.next_line()
    assert "event" not in chat and chat["body"] == "hi"
    # `listen` sends "delivered" when asked but never "displayed": no read.
    code, lines = await send_await(
        kamailio, tmp_path, "sip:bob@example.test", "read me?", "--await", "read", "--timeout", "4"
    )
    assert code == 3
    assert lines == [
        {"state": "delivered", "code": 200, "reason": "OK"},
        {"state": "delivered", "code": 200, "reason": "no read receipt in time"},
    ]
    assert (await bob.next_line())["body"] == "read me?"
    assert await bob.interrupt() == 0
    assert all(line.get("event") in (None, "registration") for line in bob.lines)


async def test_msilo_accepted_then_delivered_when_the_recipient_comes_online(
    kamailio: KamailioProcess, tmp_path: Path, listen_factory: list[Listener]
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "softphone",
        "send",
        *account_args(kamailio, "alice", tmp_path),
        "--await",
        "delivered",
        "--timeout",
        "60",
        "sip:carol@example.test",
        "while you were out",
        env=cli_env(tmp_path),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    alice = Listener(process)
    listen_factory.append(alice)
    # Carol is offline: msilo stores the CPIM message and answers 202.
    assert await alice.next_line(timeout=30) == {
        "state": "accepted",
        "code": 202,
        "reason": "Accepted",
    }
    # She comes online; msilo hands her the message, her listen stores it
    # and says "delivered" back to alice, who is still waiting.
    carol = await start_listen(kamailio, tmp_path, "carol", listen_factory)
    await carol.registered()
    line = await carol.next_line(timeout=20)
    assert (line["from"], line["body"]) == ("sip:alice@example.test", "while you were out")
    assert await alice.next_line(timeout=30) == {"state": "delivered", "code": None, "reason": ""}
    assert await asyncio.wait_for(process.wait(), 30) == 0
    assert await carol.interrupt() == 0


async def test_listen_prints_typing_and_receipts_as_events(
    kamailio: KamailioProcess, tmp_path: Path, listen_factory: list[Listener]
) -> None:
    bob = phone(kamailio, "bob")
    await bob.app.start()
    try:
        await bob.settled()
        # Alice sends with `send` (her database keeps the Message-ID) ...
        code, lines = await send_await(kamailio, tmp_path, "sip:bob@example.test", "one")
        assert (code, lines) == (0, [{"state": "delivered", "code": 200, "reason": "OK"}])
        await bob.wait(lambda: len(bob.inbox) == 1, 10)
        # ... then listens with the same database.
        alice = await start_listen(kamailio, tmp_path, "alice", listen_factory)
        await alice.registered()
        bob.app.typing.typed("sip:alice@example.test")
        # Bob's "delivered" receipt may have found `send` already gone: then
        # msilo kept it and hands it to this listen first.
        line = await alice.next_line()
        if line.get("event") == "receipt":
            assert (line["status"], line["applied"]) == ("delivered", False)
            line = await alice.next_line()
        assert line == {"event": "typing", "from": "sip:bob@example.test", "active": True}
        bob.app.typing.stopped("sip:alice@example.test")
        assert await alice.next_line() == {
            "event": "typing",
            "from": "sip:bob@example.test",
            "active": False,
        }
        # Bob's window would say he read it: alice's listen prints the receipt.
        assert bob.app.receipts.displayed([bob.inbox[0].id]) == 1
        receipt = await alice.next_line()
        assert {k: receipt[k] for k in ("event", "from", "notification", "status", "applied")} == {
            "event": "receipt",
            "from": "sip:bob@example.test",
            "notification": "display-notification",
            "status": "displayed",
            "applied": True,
        }
        assert await alice.interrupt() == 0
    finally:
        await bob.app.stop()
