"""StreamFramer: Content-Length framing, keep-alives, size limits."""

from __future__ import annotations

import pytest

from softphone.sip import ParseError, StreamFramer, parse

MSG = (
    b"MESSAGE sip:bob@example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/TCP h.example;branch=z9hG4bK1\r\n"
    b"From: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n"
    b"Call-ID: x@y\r\nCSeq: 1 MESSAGE\r\nl: 5\r\n\r\nhello"
)


def test_whole_messages_and_keepalives() -> None:
    framer = StreamFramer()
    assert framer.feed(b"\r\n\r\n" + MSG + b"\r\n" + MSG + b"\r\n\r\n") == [MSG, MSG]
    assert framer.pings == 2
    assert framer.buffered == 0
    assert parse(MSG).body == b"hello"


def test_byte_by_byte() -> None:
    framer = StreamFramer()
    out: list[bytes] = []
    stream = MSG + b"\r\n\r\n" + MSG
    for i in range(len(stream)):
        out.extend(framer.feed(stream[i : i + 1]))
    assert out == [MSG, MSG]
    assert framer.pings == 1


def test_oversized_header_and_body() -> None:
    with pytest.raises(ParseError) as info:
        StreamFramer(max_size=100).feed(b"OPTIONS sip:a SIP/2.0\r\nX: " + b"a" * 200)
    assert (info.value.status, info.value.reason) == (413, "Header section too large")
    framer = StreamFramer(max_size=1000)
    with pytest.raises(ParseError) as info:
        framer.feed(b"OPTIONS sip:a SIP/2.0\r\nContent-Length: 100000\r\n\r\nabc")
    assert (info.value.status, info.value.reason) == (413, "Message too large")
    assert framer.buffered < 1000


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (b"OPTIONS sip:a SIP/2.0\r\nX: y\r\n\r\n", "Missing Content-Length on a stream"),
        (
            b"OPTIONS sip:a SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\n",
            "Multiple Content-Length headers",
        ),
        (b"OPTIONS sip:a SIP/2.0\r\nl: -1\r\n\r\n", "Content-Length is not a number"),
    ],
)
def test_bad_content_length(head: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        StreamFramer().feed(head)
    assert (info.value.status, info.value.reason) == (400, reason)
