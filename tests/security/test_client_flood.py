"""Flood and disk-fill limits, through the running `softphone listen`.

Before, anyone who reached the client's port stored as much as they sent
(272 MB in 20 s): the limiter existed but nothing in the product built it,
and it counted by the From address, which the sender chooses. Now the
product limits by source address and overall (503 with Retry-After), caps
the stored body (413) and says in one sentence when the disk is full.
"""

from __future__ import annotations

import resource
import sqlite3
from pathlib import Path

from softphone.ratelimit import FloodLimits
from softphone.services.messaging import DISK_FULL
from tests.security.client_process import RawSocket, listening_client, message


def stored(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(
            connection.execute("SELECT count(*) FROM messages WHERE direction = 'in'").fetchone()[0]
        )


async def test_300_messages_from_one_address_get_503_after_the_limit(tmp_path: Path) -> None:
    limits = FloodLimits()
    async with listening_client(tmp_path) as client:
        raw = RawSocket()
        try:
            # Different From addresses: the sender chooses those, so they do
            # not buy more room. The source address is what counts.
            for n in range(300):
                await raw.send(message(n, sender=f"user{n}"), client.address)
            answers = await raw.answers(300)
        finally:
            raw.close()
        # In the order the requests were sent: a 200 leaves after the commit
        # of its row, a 503 at once, so they may cross on the wire.
        answers.sort(key=lambda a: int(a.call_id.split("@")[0].rsplit("-", 1)[1]))
        statuses = [a.status for a in answers]
        assert set(statuses) == {200, 503}
        # The burst passes, then the rate: at 20 per second most are refused.
        assert statuses[: int(limits.per_source.burst)] == [200] * int(limits.per_source.burst)
        assert statuses.count(503) > 0
        for answer in answers:
            if answer.status == 503:
                retry_after = answer.headers.get("Retry-After")
                assert retry_after is not None and int(retry_after) >= 1
        # Nothing refused was stored; everything answered 200 was.
        assert stored(client.db) == statuses.count(200)
        # Each stored one is printed once (the lines are read as they come).
        await client.listen.wait_for(
            lambda _line: (
                sum("body" in line for line in client.listen.lines) >= statuses.count(200)
            ),
            10,
        )
        printed = [line for line in client.listen.lines if "body" in line]
        assert len(printed) == statuses.count(200)


async def test_oversized_body_gets_413_with_a_reason_and_is_not_stored(tmp_path: Path) -> None:
    cap = FloodLimits().max_body
    async with listening_client(tmp_path) as client:
        raw = RawSocket()
        try:
            # Over UDP a datagram this big is refused; over TCP RFC 3428 5
            # allows it, so the cap is what stops it from being stored.
            answer = await raw.exchange(message(1, b"x" * (cap + 1)), client.address)
            assert (answer.status, answer.reason) == (413, f"Message body over {cap} bytes")
            answer = await raw.exchange(message(2, b"y" * 100), client.address)
            assert answer.status == 200
        finally:
            raw.close()
        assert stored(client.db) == 1


def _small_files() -> None:
    # The listen process may write files up to 1 MB: its disk is full then.
    # (CPython ignores SIGXFSZ, so a write past it fails with EFBIG.)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))


async def test_full_disk_answers_500_and_says_so_once(tmp_path: Path) -> None:
    async with listening_client(tmp_path, preexec_fn=_small_files) as client:
        raw = RawSocket()
        try:
            statuses = []
            for n in range(90):  # 90 x 15 KB: past the 1 MB the process may write
                answer = await raw.exchange(message(n, b"z" * 15_000), client.address)
                statuses.append(answer.status)
                if answer.status == 500:
                    break
            assert statuses[-1] == 500, statuses
            assert set(statuses[:-1]) <= {200}
            again = await raw.exchange(message(999, b"z" * 15_000), client.address)
            assert again.status == 500
            await client.listen.wait_for(lambda line: line.get("event") == "error", 10)
        finally:
            raw.close()
        errors = [line for line in client.listen.lines if line.get("event") == "error"]
        # One sentence for people, once, however many messages failed.
        assert errors == [{"event": "error", "text": DISK_FULL}]
        rows = stored(client.db)
        assert rows == statuses.count(200)
