"""TCP exhaustion: connections per source address, and idle or half-sent ones.

Before, one host could hold all 1,024 connections for ever (no limit per
source, no timeout), locking every other TCP peer out. Now a source address
may hold `MAX_PER_SOURCE` accepted connections, and an accepted connection
that sends nothing, or only half a message, is closed after a while.
Everything here is real sockets on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.account import Account
from softphone.agent import UserAgent
from softphone.app import Application, AppOptions
from softphone.store import Store
from softphone.transport.base import Address, TransportKind
from softphone.transport.stream import MAX_PER_SOURCE


def options(number: int) -> bytes:
    return (
        f"OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKtcp{number}\r\n"
        f"Max-Forwards: 70\r\nFrom: <sip:probe@example.test>;tag=t{number}\r\n"
        f"To: <sip:bob@example.test>\r\nCall-ID: tcp-{number}\r\nCSeq: 1 OPTIONS\r\n"
        f"Content-Length: 0\r\n\r\n"
    ).encode()


class Conn:
    """One client TCP connection from a chosen local address."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, to: Address, local_host: str = "127.0.0.1") -> Conn:
        reader, writer = await asyncio.open_connection(to.host, to.port, local_addr=(local_host, 0))
        return cls(reader, writer)

    async def ask(self, number: int) -> bytes:
        """Send an OPTIONS and return the answer's status line, or b"" when closed."""
        self.writer.write(options(number))
        with contextlib.suppress(ConnectionError):
            await self.writer.drain()
        try:
            async with asyncio.timeout(10):
                return await self.reader.readline()
        except ConnectionError:
            return b""

    async def closed_by_peer(self, timeout: float) -> bool:
        """True when the other side closes within *timeout* seconds."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    data = await self.reader.read(4096)
                    if not data:
                        return True
        except ConnectionError:
            return True
        except TimeoutError:
            return False

    def close(self) -> None:
        self.writer.close()


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Application]:
    application = Application(
        Account("sip:bob@example.test"),
        None,
        Store.open(tmp_path / "bob.db"),
        AppOptions(listen_host="127.0.0.1", register=False),
    )
    await application.start()
    yield application
    await application.stop()


async def test_one_source_cannot_take_every_connection(app: Application) -> None:
    where = app.agent.local_address(TransportKind.TCP)
    held: list[Conn] = []
    try:
        for n in range(MAX_PER_SOURCE):
            conn = await Conn.open(where)
            held.append(conn)
            assert (await conn.ask(n)).startswith(b"SIP/2.0 200 ")
        # One more from the same address is closed at once.
        extra = await Conn.open(where)
        held.append(extra)
        assert await extra.ask(100) == b""
        # Another address still gets in.
        other = await Conn.open(where, local_host="127.0.0.2")
        held.append(other)
        assert (await other.ask(101)).startswith(b"SIP/2.0 200 ")
        # A slot given back can be taken again.
        held[0].close()
        await asyncio.sleep(0.2)
        again = await Conn.open(where)
        held.append(again)
        assert (await again.ask(102)).startswith(b"SIP/2.0 200 ")
    finally:
        for conn in held:
            conn.close()


@pytest.fixture
async def quick() -> AsyncIterator[Address]:
    """An agent whose TCP timeouts are short enough to watch."""
    agent = UserAgent()
    transport = await agent.listen(
        TransportKind.TCP, "127.0.0.1", 0, idle_timeout=0.5, partial_timeout=0.5
    )
    yield transport.local
    agent.close()


async def test_a_connection_that_sends_nothing_is_closed(quick: Address) -> None:
    conn = await Conn.open(quick)
    try:
        assert await conn.closed_by_peer(10)
    finally:
        conn.close()


async def test_half_a_message_trickled_byte_by_byte_is_closed(quick: Address) -> None:
    conn = await Conn.open(quick)
    data = options(1)
    try:
        conn.writer.write(data[:40])

        async def trickle() -> None:
            # One byte every 0.1 s: the connection is never idle, the
            # message is never whole.
            for byte in data[40:-10]:
                conn.writer.write(bytes([byte]))
                await asyncio.sleep(0.1)

        task = asyncio.get_running_loop().create_task(trickle())
        try:
            assert await conn.closed_by_peer(10)
        finally:
            task.cancel()
    finally:
        conn.close()


async def test_keep_alives_keep_a_connection_open(quick: Address) -> None:
    conn = await Conn.open(quick)
    try:
        # RFC 5626 4.4.1 pings every 0.2 s for 2 s (four idle timeouts).
        for _ in range(10):
            conn.writer.write(b"\r\n\r\n")
            await conn.writer.drain()
            assert await conn.reader.readexactly(2) == b"\r\n"  # the pong
            await asyncio.sleep(0.2)
        assert (await conn.ask(7)).startswith(b"SIP/2.0 200 ")
    finally:
        conn.close()


async def test_connections_we_open_are_not_timed_out(quick: Address) -> None:
    # A server's flow to us is one we opened: quiet for longer than the
    # timeouts, it is still there (the keep-alive watches it instead).
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    agent = UserAgent()
    transport = await agent.listen(
        TransportKind.TCP, "127.0.0.1", 0, idle_timeout=0.2, partial_timeout=0.2
    )
    try:
        transport.send(b"\r\n\r\n", Address("127.0.0.1", port))
        await asyncio.sleep(1.0)
        assert transport.has_connection(Address("127.0.0.1", port))  # type: ignore[attr-defined]
    finally:
        agent.close()
        server.close()


def test_loopback_alias_is_usable() -> None:
    # The tests above use 127.0.0.2 as a second source address.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.2", 0))
