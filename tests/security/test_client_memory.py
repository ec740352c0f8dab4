"""A flood of 64 KB requests at the client holds response bytes only.

Before, every request up to 64 KB was kept for timer J (32 s) even when it
was refused, so a 25 s flood grew the client past 300 MB. Now a finished
server transaction keeps its key and its response's bytes, a refusal keeps
nothing, the total is capped, and everything is given back after timer J.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import softphone.agent
from softphone.account import Account
from softphone.agent import COMPLETED_BYTES, COMPLETED_COUNT
from softphone.app import Application, AppOptions
from softphone.sip import Request, parse
from softphone.sip.timers import TimerConfig
from softphone.store import Store
from softphone.transport.base import Address, TransportKind

#: The body that makes each request about 64 KB (the UDP maximum it takes).
BODY = b"x" * 63_000


def request(method: str, number: int, *, body: bytes = BODY, event: str = "") -> bytes:
    head = (
        f"{method} sip:bob@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKflood{method}{number};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:mallory@example.test>;tag=f{number}\r\n"
        f"To: <sip:bob@example.test>{';tag=nosuchdialog' if event else ''}\r\n"
        f"Call-ID: flood-{method}-{number}\r\n"
        f"CSeq: 1 {method}\r\n"
        f"{event}"
        f"Content-Type: application/octet-stream\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def notify(number: int) -> bytes:
    """A NOTIFY for a subscription Bob never made: presence answers 481."""
    return request(
        "NOTIFY", number, event="Event: reg\r\nSubscription-State: active;expires=60\r\n"
    )


@pytest.fixture
async def bob(tmp_path: Path) -> AsyncIterator[Application]:
    # T1 of 50 ms makes timer J 3.2 s, so "after the flood" comes quickly.
    app = Application(
        Account("sip:bob@example.test"),
        None,
        Store.open(tmp_path / "bob.db"),
        AppOptions(listen_host="127.0.0.1", register=False, timers=TimerConfig(t1=0.05)),
    )
    await app.start()
    yield app
    await app.stop()


def traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


async def test_flood_of_64k_requests_keeps_response_bytes_only(bob: Application) -> None:
    transport = bob.agent.transport(TransportKind.UDP)
    assert transport is not None
    # Answers go to a socket nobody reads: the kernel drops what overflows.
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    source = Address("127.0.0.1", sink.getsockname()[1])
    tracemalloc.start()
    try:
        idle = traced()
        # 1,500 requests of 64 KB (96 MB): 500 answered by a service (481),
        # 500 refused by the UAS (405), 500 OPTIONS answered by the agent.
        for n in range(500):
            bob.agent.receive(notify(n), source, transport)
            bob.agent.receive(request("PUBLISH", n), source, transport)
            bob.agent.receive(request("OPTIONS", n), source, transport)
        flood = traced() - idle
        held = bob.agent.completed
        # Memory: what the flood left is what answering retransmissions needs.
        assert flood < 4 * 1024 * 1024, f"{flood / 1e6:.1f} MB held after 96 MB of requests"
        # Only the 481s need a transaction; refusals and OPTIONS keep nothing.
        assert len(held) == 500
        assert bob.agent.pending_transactions == 500
        per_transaction = held.bytes_held / len(held)
        assert per_transaction < 1024, per_transaction
        assert held.bytes_held <= COMPLETED_BYTES and len(held) <= COMPLETED_COUNT
        # A retransmission is answered from the stored bytes, nothing parsed.
        parsed: list[bytes] = []
        real_parse = softphone.agent.parse

        def counting_parse(data: bytes) -> object:
            parsed.append(data)
            return real_parse(data)

        sent: list[bytes] = []
        real_send = transport.send
        transport.send = lambda data, destination, **kw: (  # type: ignore[method-assign]
            sent.append(data),
            real_send(data, destination, **kw),
        )
        softphone.agent.parse = counting_parse  # type: ignore[assignment]
        try:
            bob.agent.receive(notify(499), source, transport)
        finally:
            softphone.agent.parse = real_parse
            del transport.send
        assert parsed == []
        answer = parse(sent[0])
        assert not isinstance(answer, Request)
        assert (answer.status, answer.call_id) == (481, "flood-NOTIFY-499")
        # After timer J everything is given back. An end timer seconds away is
        # rounded up to the next whole second (the agent frees the transactions
        # of one second in one wake-up), so J ends at most a second later.
        await asyncio.sleep(TimerConfig(t1=0.05).timeout + 1.0 + 0.5)
        assert (len(held), held.bytes_held, bob.agent.pending_transactions) == (0, 0, 0)
        assert traced() - idle < 512 * 1024
    finally:
        tracemalloc.stop()
        sink.close()


async def test_caps_hold_under_a_flood_longer_than_they_allow(bob: Application) -> None:
    transport = bob.agent.transport(TransportKind.UDP)
    assert transport is not None
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    source = Address("127.0.0.1", sink.getsockname()[1])
    held = bob.agent.completed
    held.max_count = 100
    try:
        for n in range(300):
            bob.agent.receive(notify(n), source, transport)
            assert len(held) <= 100
        assert held.evicted == 200
        # The newest are the ones kept.
        sent: list[bytes] = []
        transport.send = lambda data, destination, **kw: sent.append(data)  # type: ignore[method-assign]
        bob.agent.receive(notify(299), source, transport)
        assert held.evicted == 200 and len(sent) == 1
    finally:
        transport.__dict__.pop("send", None)
        sink.close()
