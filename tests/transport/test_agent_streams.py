"""Connection handling of the agent on TCP, and service bugs kept contained."""

from __future__ import annotations

import asyncio

import pytest

from softphone.agent import IncomingRequest, TransactionFailed, UserAgent
from softphone.sip import Response, parse
from softphone.transport.base import Address, Target, TransportKind
from softphone.transport.stream import StreamTransport
from tests.transport.test_agent import make_request

TCP = TransportKind.TCP


async def test_peer_closing_the_connection_fails_the_transaction_at_once() -> None:
    # A server that reads the request and hangs up without a response: the
    # transaction fails as a transport error, not 32 s later by timer F.
    got: list[bytes] = []

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        got.append(await reader.readuntil(b"\r\n\r\n"))
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    destination = Address.from_sockaddr(server.sockets[0].getsockname())
    alice = UserAgent()
    await alice.listen(TCP)
    try:
        with pytest.raises(TransactionFailed) as failure:
            await asyncio.wait_for(
                alice.request(make_request("OPTIONS", destination), Target(destination, TCP)),
                timeout=5,
            )
    finally:
        alice.close()
        server.close()
    assert not failure.value.timed_out
    assert failure.value.reason == "connection closed by peer"
    assert got and got[0].startswith(b"OPTIONS ")


async def test_late_response_reopens_to_the_via_sent_by_port() -> None:
    # RFC 3261 18.2.2: when the request's connection is gone, the response
    # goes to the source address at the port of the Via sent-by.
    answers: asyncio.Queue[bytes] = asyncio.Queue()

    async def collect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        await answers.put(head)
        writer.close()

    listener = await asyncio.start_server(collect, "127.0.0.1", 0)
    sent_by = listener.sockets[0].getsockname()[1]
    bob = UserAgent()
    await bob.listen(TCP)
    pending: list[IncomingRequest] = []
    bob.handle("MESSAGE", pending.append)  # answers later
    destination = bob.local_address(TCP)
    request = make_request("MESSAGE", destination, body=b"later", content_type="text/plain")
    request.headers.insert_first("Via", f"SIP/2.0/TCP 127.0.0.1:{sent_by};branch=z9hG4bKlate1")
    try:
        _, writer = await asyncio.open_connection(destination.host, destination.port)
        writer.write(bytes(request))
        await writer.drain()
        for _ in range(200):
            if pending:
                break
            await asyncio.sleep(0.01)
        writer.close()
        await writer.wait_closed()
        transport = bob.transport(TCP)
        assert isinstance(transport, StreamTransport)
        for _ in range(200):
            if transport.connection_count == 0:
                break
            await asyncio.sleep(0.01)
        assert transport.connection_count == 0
        pending[0].respond(200)
        answer = await asyncio.wait_for(answers.get(), 5)
    finally:
        bob.close()
        listener.close()
    response = parse(answer)
    assert isinstance(response, Response)
    assert (response.status, response.call_id) == (200, request.call_id)


async def test_a_raising_response_callback_does_not_break_the_agent() -> None:
    alice, bob = UserAgent(), UserAgent()
    await alice.listen(TransportKind.UDP)
    await bob.listen(TransportKind.UDP)
    destination = bob.local_address(TransportKind.UDP)
    target = Target(destination, TransportKind.UDP)
    calls: list[int] = []

    def broken(response: Response) -> None:
        calls.append(response.status)
        raise RuntimeError("a service bug")

    def unexpected(failure: TransactionFailed) -> None:
        raise AssertionError(failure)

    try:
        alice.send_request(
            make_request("OPTIONS", destination), target, on_response=broken, on_failure=unexpected
        )
        for _ in range(200):
            if calls:
                break
            await asyncio.sleep(0.01)
        second = await asyncio.wait_for(
            alice.request(make_request("OPTIONS", destination), target), 5
        )
    finally:
        alice.close()
        bob.close()
    assert calls == [200]
    assert second.status == 200


async def test_closed_agent_fails_pending_and_sends_nothing_more() -> None:
    alice = UserAgent()
    await alice.listen(TCP)
    transport = alice.transport(TCP)
    assert isinstance(transport, StreamTransport)
    failures: list[TransactionFailed] = []
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    destination = Address.from_sockaddr(server.sockets[0].getsockname())
    try:
        alice.send_request(
            make_request("OPTIONS", destination),
            Target(destination, TCP),
            on_response=lambda response: None,
            on_failure=failures.append,
        )
        alice.close()
        transport.send(b"OPTIONS after close", destination)  # dropped, no reconnect
        assert transport.connection_count == 0
    finally:
        server.close()
    assert [f.reason for f in failures] == ["the agent was closed"]
    assert alice.pending_transactions == 0
