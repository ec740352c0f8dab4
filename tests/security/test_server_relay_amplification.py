"""Finding 1: one request must not make the server send a flood.

A user could bind thousands of contacts aimed at a victim's port, and each
MESSAGE to that user was relayed to every one of them. The registrar now
keeps at most `max_bindings` contacts per address of record (10 unless
configured), refuses more with 403, and so never relays one request to
more targets than that.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from softphone.server import LocalServer
from softphone.trace import Direction, TraceEntry
from tests.security.server_peers import Device, RawClient

pytestmark = pytest.mark.timeout(60)

PASSWORDS = {"sip:alice@example.com": "alice-pw", "sip:bob@example.com": "bob-pw"}
BOB = "<sip:bob@example.com>"
ALICE = "<sip:alice@example.com>"


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = LocalServer(PASSWORDS, domain="example.com", min_expires=1)
    await srv.start("127.0.0.1", 0)
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.fixture
async def raw(server: LocalServer) -> AsyncIterator[RawClient]:
    client = await RawClient(server).start()
    yield client
    client.close()


def contacts(port: int, first: int, count: int, *, pad: int = 0) -> list[tuple[str, str]]:
    tail = f";x={'p' * pad}" if pad else ""
    return [("Contact", f"<sip:d{i}@127.0.0.1:{port}{tail}>") for i in range(first, first + count)]


async def register(raw: RawClient, extra: list[tuple[str, str]]) -> tuple[int, str, int]:
    response = await raw.send(
        "REGISTER", "sip:example.com", BOB, [*extra, ("Expires", "300")], password="bob-pw"
    )
    return response.status, response.reason, len(response.contact)


async def test_bindings_per_address_of_record_are_capped(
    server: LocalServer, raw: RawClient
) -> None:
    # Ten long contacts (about 500 characters each, near the 512 limit) fit,
    # and the 200 lists them all.
    answers = [await register(raw, contacts(7000, 0, 10, pad=480))]
    # An eleventh device, alone or among refreshes, is one too many.
    answers.append(await register(raw, contacts(7000, 10, 1)))
    answers.append(await register(raw, contacts(7000, 5, 6)))
    # Refreshing the ten that exist is fine.
    answers.append(await register(raw, contacts(7000, 0, 10, pad=480)))
    assert answers == [
        (200, "OK", 10),
        (403, "Too many registered devices (limit 10)", 0),
        (403, "Too many registered devices (limit 10)", 0),
        (200, "OK", 10),
    ]
    assert len(server.bindings("sip:bob@example.com")) == 10


async def test_a_register_with_a_thousand_contacts_gets_its_answer(
    server: LocalServer, raw: RawClient
) -> None:
    # 1,500 contacts make a 50 KB request; before the cap the 200 listing
    # them was larger than a datagram and never arrived.
    many = contacts(7000, 0, 1500)
    # Ten to a line: the parser takes at most 256 header lines.
    lines = [
        ("Contact", ", ".join(value for _, value in many[i : i + 10]))
        for i in range(0, len(many), 10)
    ]
    answer = await asyncio.wait_for(register(raw, lines), 10)
    assert answer == (403, "Too many registered devices (limit 10)", 0)
    assert server.bindings("sip:bob@example.com") == []


async def test_one_message_is_relayed_to_at_most_the_cap(
    server: LocalServer, raw: RawClient
) -> None:
    victim = await Device(200).start()
    sent: list[bytes] = []

    def on_trace(entry: TraceEntry) -> None:
        if entry.direction is Direction.OUT:
            sent.append(entry.data)

    try:
        # Fifty contacts aimed at one victim port, ten per REGISTER.
        statuses = [
            (await register(raw, contacts(victim.port, i, 10)))[0] for i in range(0, 50, 10)
        ]
        assert statuses == [200, 403, 403, 403, 403]
        server.agent.add_observer(on_trace)
        for sender, password in ((ALICE, "alice-pw"), ("<sip:mallory@evil.test>", None)):
            before_victim, before_sent = len(victim.requests), len(sent)
            response = await raw.send(
                "MESSAGE",
                "sip:bob@example.com",
                sender,
                [("Content-Type", "text/plain")],
                to=BOB,
                password=password,
                body=b"x" * 400,
            )
            assert response.status in (200, 407)
            await asyncio.sleep(0.3)  # room for relays that a bug would still send
            relayed = len(victim.requests) - before_victim
            out = len(sent) - before_sent
            assert relayed <= 10, f"{sender}: {relayed} relayed requests"
            # Each relayed request, plus the answer(s) to the sender.
            assert out <= 10 + 2, f"{sender}: {out} datagrams out"
    finally:
        server.agent.remove_observer(on_trace)
        victim.close()
