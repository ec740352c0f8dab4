"""Finding 18 (part): over 64 KB on TCP gets 413, not a reset.

Before, a registration-event document or any SIP message over 64 KB sent
over TCP to `softphone listen` or `softphone registrar` made the stream
close at once with the peer's bytes unread, so the sender saw a TCP reset
and never learned why. Now the framer answers 413 from the header lines it
could read (RFC 3261 21.4.11; the response goes back on the connection,
18.2.2), reads and drops the rest, then ends the stream. Both products are
started as the user starts them and spoken to over a real TCP socket.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from softphone.sip import Response, parse
from softphone.transport.base import Address
from tests.security.client_process import DOMAIN, listening_client

pytestmark = pytest.mark.timeout(120)


def reginfo_document(size: int) -> bytes:
    """A real reg-event document (RFC 3680) for Bob's devices, over *size* bytes."""
    contacts = []
    number = 0
    while sum(len(c) for c in contacts) < size:
        contacts.append(
            f'<contact id="c{number}" state="active" event="registered">'
            f"<uri>sip:bob@192.0.2.{number % 250}:{5060 + number}</uri></contact>"
        )
        number += 1
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">'
        f'<registration aor="sip:bob@{DOMAIN}" id="r1" state="active">'
        + "".join(contacts)
        + "</registration></reginfo>"
    ).encode()


def request(method: str, uri: str, body: bytes, content_type: str, extra: str = "") -> bytes:
    return (
        f"{method} {uri} SIP/2.0\r\n"
        f"Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKbig{method}\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:mallory@{DOMAIN}>;tag=big1\r\n"
        f"To: <sip:bob@{DOMAIN}>;tag=big2\r\n"
        f"Call-ID: oversized-{method}@127.0.0.1\r\n"
        f"CSeq: 7 {method}\r\n"
        f"{extra}"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def send_over_tcp(to: Address, data: bytes) -> bytes:
    """Send *data* in 8 KB pieces, as a sender would, and read until the other end closes."""
    reader, writer = await asyncio.open_connection(to.host, to.port)
    try:
        for start in range(0, len(data), 8192):
            writer.write(data[start : start + 8192])
            await writer.drain()
        async with asyncio.timeout(30):
            return await reader.read()  # a reset raises ConnectionResetError here
    finally:
        writer.close()


def answered(data: bytes, method: str) -> Response:
    assert data, "the stream ended without an answer"
    response = parse(data)
    assert isinstance(response, Response)
    assert (response.status, response.reason) == (413, "Message too large")
    # The answer is to this request: its Call-ID and CSeq copied (8.2.6.2).
    assert response.call_id == f"oversized-{method}@127.0.0.1"
    assert (response.cseq.seq, response.cseq.method) == (7, method)
    return response


async def test_listen_answers_an_oversized_reginfo_notify_with_413(tmp_path: Path) -> None:
    body = reginfo_document(70_000)
    assert len(body) > 65_536
    async with listening_client(tmp_path) as client:
        data = await send_over_tcp(
            client.address,
            request(
                "NOTIFY",
                f"sip:bob@{client.address.sent_by}",
                body,
                "application/reginfo+xml",
                "Event: reg\r\nSubscription-State: active;expires=600\r\n",
            ),
        )
        answered(data, "NOTIFY")
        # Bob is still registered and answering: nothing else was disturbed.
        assert client.listen.process.returncode is None


async def test_registrar_answers_an_oversized_message_with_413(tmp_path: Path) -> None:
    async with listening_client(tmp_path) as client:
        data = await send_over_tcp(
            client.registrar_address,
            request("MESSAGE", f"sip:bob@{DOMAIN}", b"x" * 70_000, "text/plain"),
        )
        answered(data, "MESSAGE")
        assert client.registrar.process.returncode is None


async def test_the_rest_of_a_refused_message_is_read_and_dropped_not_reset(
    tmp_path: Path,
) -> None:
    """The answer comes after the header; the sender may still be sending the body.

    Closing a socket with unread data resets the connection, and a reset
    can destroy the answer before the sender reads it. So the rest is read
    and dropped: the sender's further writes succeed and it sees a clean
    end of stream after the 413.
    """
    body = b"x" * 70_000
    data = request("MESSAGE", f"sip:bob@{DOMAIN}", body, "text/plain")
    head = data[: data.index(b"\r\n\r\n") + 4]
    async with listening_client(tmp_path) as client:
        reader, writer = await asyncio.open_connection(client.address.host, client.address.port)
        try:
            writer.write(head)
            await writer.drain()
            async with asyncio.timeout(30):
                answer = await reader.readuntil(b"\r\n\r\n")
            answered(answer, "MESSAGE")
            # The body the sender had queued keeps going out without error.
            for start in range(0, 40_000, 8192):
                writer.write(body[start : start + 8192])
                await writer.drain()
                await asyncio.sleep(0.05)
            async with asyncio.timeout(30):
                assert await reader.read() == b""  # the end of the stream, no reset
        finally:
            writer.close()
