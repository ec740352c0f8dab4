"""Messages from anywhere: a registered client takes requests from its server only.

Before, `softphone listen` took a MESSAGE sent straight to its port from any
host with any From, and a forged display name renamed the conversation for
good. Now, registered through a server, only that server's addresses reach
the services (others get 403, nothing stored) unless direct messages are
allowed (`--accept-direct`, on in the demo); and a display name from the
network names a conversation once, never renames it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

from tests.security.client_process import (
    DOMAIN,
    ROOT,
    RawSocket,
    env,
    listening_client,
    message,
)

#: A second loopback address: a host that is not the server.
STRANGER = "127.0.0.2"


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as connection:
        return list(connection.execute(sql).fetchall())


async def test_direct_message_from_another_host_gets_403_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    async with listening_client(tmp_path) as client:
        raw = RawSocket(STRANGER)
        try:
            answer = await raw.exchange(message(1, sender="alice"), client.address)
        finally:
            raw.close()
        assert answer.status == 403
        assert rows(client.db, "SELECT count(*) FROM messages") == [(0,)]
        # Through the server, Alice's message is taken.
        alice_db = tmp_path / "alice.db"
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "softphone", "send", f"sip:bob@{DOMAIN}", "through the server"),
            *("--aor", f"sip:alice@{DOMAIN}", "--password-env", "ALICE_PW"),
            *("--registrar", str(client.registrar_address), "--listen-host", "127.0.0.1"),
            *("--db", str(alice_db)),
            env={**env(tmp_path), "ALICE_PW": "alice-pw", "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        out, _ = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, out
        await client.listen.wait_for(lambda line: line.get("body") == "through the server", 10)
        assert rows(client.db, "SELECT peer, body FROM messages") == [
            (f"sip:alice@{DOMAIN}", "through the server")
        ]


async def test_direct_messages_when_allowed(tmp_path: Path) -> None:
    async with listening_client(tmp_path, "--accept-direct") as client:
        raw = RawSocket(STRANGER)
        try:
            answer = await raw.exchange(message(1, sender="alice"), client.address)
        finally:
            raw.close()
        assert answer.status == 200
        assert rows(client.db, "SELECT count(*) FROM messages") == [(1,)]


async def test_a_display_name_from_the_network_never_renames_a_conversation(
    tmp_path: Path,
) -> None:
    def named(number: int, name: str) -> bytes:
        return message(number, sender="alice").replace(
            b"From: <sip:alice@", f'From: "{name}" <sip:alice@'.encode()
        )

    async with listening_client(tmp_path, "--accept-direct") as client:
        raw = RawSocket()
        try:
            assert (await raw.exchange(named(1, "Alice"), client.address)).status == 200
            forged = named(2, "Alice (verified by example.com)")
            assert (await raw.exchange(forged, client.address)).status == 200
        finally:
            raw.close()
        assert rows(client.db, "SELECT peer, display_name FROM conversations") == [
            (f"sip:alice@{DOMAIN}", "Alice")
        ]
