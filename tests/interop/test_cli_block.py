"""`softphone block` / `unblock` / `blocked` as a user runs them, against real traffic.

bob listens (`softphone listen`, registered at a real Kamailio); his message
database is changed by the block commands, in other processes, while he
listens. alice's `softphone send` then reads the outcome: 603 Decline while
she is blocked (exit code 1, "declined"), 200 once she is unblocked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.interop import harness
from tests.interop.harness import KamailioProcess
from tests.interop.test_cli import Listener, listen_factory, run_cli, send, start_listen

pytestmark = [pytest.mark.interop, harness.requires_kamailio]
__all__ = ["listen_factory"]  # the fixture, used by name


async def block_cli(tmp_path: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    code, out, err = await run_cli(tmp_path, *args, "--db", str(tmp_path / "bob.sqlite3"))
    return code, [json.loads(line) for line in out.splitlines()], err


async def test_blocked_sender_gets_603_until_unblocked(
    kamailio: KamailioProcess, tmp_path: Path, listen_factory: list[Listener]
) -> None:
    assert await block_cli(tmp_path, "block", "Alice@example.test") == (
        0,
        [{"address": "sip:Alice@example.test", "blocked": True}],
        "",
    )
    # The address as the store keys it: scheme added, host lower-cased.
    assert (await block_cli(tmp_path, "block", "alice@EXAMPLE.test"))[1] == [
        {"address": "sip:alice@example.test", "blocked": True}
    ]
    bob = await start_listen(kamailio, tmp_path, "bob", listen_factory)
    await bob.registered()

    code, result, _ = await send(kamailio, tmp_path, "alice", "sip:bob@example.test", "hi")
    assert (code, result) == (1, {"state": "declined", "code": 603, "reason": "Decline"})
    assert (await block_cli(tmp_path, "blocked"))[1] == [
        {"address": "sip:Alice@example.test", "blocked": True},
        {"address": "sip:alice@example.test", "blocked": True},
    ]

    assert (await block_cli(tmp_path, "unblock", "sip:alice@example.test"))[:2] == (
        0,
        [{"address": "sip:alice@example.test", "blocked": False}],
    )
    code, result, _ = await send(kamailio, tmp_path, "alice", "sip:bob@example.test", "again")
    assert (code, result) == (0, {"state": "delivered", "code": 200, "reason": "OK"})
    line = await bob.next_line()
    assert (line["from"], line["body"]) == ("sip:alice@example.test", "again")
    assert (await block_cli(tmp_path, "blocked"))[1] == [
        {"address": "sip:Alice@example.test", "blocked": True}
    ]
    assert await bob.interrupt() == 0


async def test_block_refuses_what_is_not_an_address(tmp_path: Path) -> None:
    code, lines, err = await block_cli(tmp_path, "block", "not an address")
    assert (code, lines) == (2, [])
    assert err.startswith("softphone: 'not an address' is not a SIP address")
    assert "Traceback" not in err
