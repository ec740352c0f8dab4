"""Receiving CPIM, compressed and HTML bodies, and the Message-ID identity.

Through the product's own receive path: a real UDP agent sends raw MESSAGE
requests to the messaging service, which stores and answers them.
"""

from __future__ import annotations

import gzip
import zlib

from softphone.agent import Target
from softphone.transport.base import TransportKind
from tests.services.test_messaging import Side, pair, raw_message
from tests.sip.test_cpim import RFC5438_REQUEST

__all__ = ["pair"]

CAROL = "sip:carol@example.test"
CPIM = "message/cpim"


async def _send(
    alice: Side, bob: Side, *, encoding: str | None = None, **kwargs: object
) -> tuple[int, str]:
    to = bob.agent.local_address(TransportKind.UDP)
    request = raw_message(to, **kwargs)  # type: ignore[arg-type]
    if encoding:
        request.headers.add("Content-Encoding", str(encoding))
    response = await alice.agent.request(request, Target(to, TransportKind.UDP))
    return response.status, response.reason


def _cpim(message_id: str, text: str, *, content_type: str = "text/plain") -> bytes:
    return (
        "From: <sip:carol@example.test>\r\nTo: <sip:bob@example.test>\r\n"
        "NS: imdn <urn:ietf:params:imdn>\r\n"
        f"imdn.Message-ID: {message_id}\r\n"
        "imdn.Disposition-Notification: positive-delivery, display\r\n"
        "DateTime: 2026-11-30T12:00:00Z\r\n\r\n"
        f"Content-Type: {content_type}\r\n\r\n{text}"
    ).encode()


async def test_rfc5438_cpim_example_is_stored_with_its_message_id(
    pair: tuple[Side, Side],
) -> None:
    alice, bob = pair
    assert await _send(alice, bob, body=RFC5438_REQUEST, content_type=CPIM) == (200, "OK")
    [record] = bob.inbox
    assert (record.body, record.content_type, record.imdn_id, record.disposition) == (
        "Hello World",
        "text/plain",
        "34jk324j",
        "negative-delivery,positive-delivery",
    )
    assert bob.store.messages(CAROL) == [record]


async def test_same_message_id_under_a_new_call_id_is_stored_once(
    pair: tuple[Side, Side],
) -> None:
    """A client resending after a lost 200 uses a new Call-ID but the same Message-ID."""
    alice, bob = pair
    body = _cpim("resent-1", "only once")
    assert await _send(alice, bob, call_id="first@c", body=body, content_type=CPIM) == (200, "OK")
    assert await _send(alice, bob, call_id="second@c", body=body, content_type=CPIM) == (
        200,
        "OK",
    )
    # Another Message-ID under the first Call-ID is a new message (never
    # deduplicate on Call-ID alone, liblinphone#198).
    assert await _send(
        alice, bob, call_id="first@c", cseq=2, body=_cpim("other", "second"), content_type=CPIM
    ) == (200, "OK")
    assert [(m.body, m.imdn_id) for m in bob.inbox] == [
        ("only once", "resent-1"),
        ("second", "other"),
    ]
    assert bob.store.count_messages(CAROL) == 2


async def test_html_is_stored_and_shown_as_its_plain_text(pair: tuple[Side, Side]) -> None:
    alice, bob = pair
    html = "<p>Hi <b>Bob</b> &amp; <script>alert(1)</script>friends</p><p>line 2</p>"
    assert await _send(
        alice, bob, body=_cpim("h1", html, content_type="text/html"), content_type=CPIM
    ) == (200, "OK")
    assert [(m.body, m.content_type) for m in bob.inbox] == [
        ("Hi Bob & friends\nline 2", "text/html")
    ]


async def test_deflate_and_gzip_bodies(pair: tuple[Side, Side]) -> None:
    alice, bob = pair
    assert await _send(
        alice,
        bob,
        body=zlib.compress(_cpim("z1", "deflated")),
        encoding="deflate",
        content_type=CPIM,
    ) == (200, "OK")
    assert await _send(
        alice, bob, body=gzip.compress("gzipped 밥".encode()), encoding="gzip", call_id="g@c"
    ) == (200, "OK")
    assert [m.body for m in bob.inbox] == ["deflated", "gzipped 밥"]


async def test_deflate_bomb_is_refused_and_nothing_is_stored(pair: tuple[Side, Side]) -> None:
    alice, bob = pair
    bomb = zlib.compress(b"A" * (20 * 1024 * 1024), 9)
    status = await _send(alice, bob, body=bomb, encoding="deflate")
    assert status == (413, "compressed body expands to more than 64 KiB")
    assert bob.inbox == [] and bob.store.count_messages(CAROL) == 0
    # The stack goes on: the next message arrives.
    assert await _send(alice, bob, call_id="after@c") == (200, "OK")
    assert [m.body for m in bob.inbox] == ["hello"]


async def test_unknown_encoding_and_inner_type_get_415_with_what_we_take(
    pair: tuple[Side, Side],
) -> None:
    alice, bob = pair
    to = bob.agent.local_address(TransportKind.UDP)
    request = raw_message(to, body=b"x")
    request.headers.add("Content-Encoding", "br")
    response = await alice.agent.request(request, Target(to, TransportKind.UDP))
    assert (response.status, response.headers.get("Accept-Encoding")) == (
        415,
        "identity, deflate, gzip",
    )
    status = await _send(
        alice,
        bob,
        call_id="img@c",
        body=_cpim("i1", "GIF89a", content_type="image/gif"),
        content_type=CPIM,
    )
    assert status == (415, "cannot show image/gif messages")
    assert bob.inbox == []


async def test_malformed_cpim_is_400_and_not_stored(pair: tuple[Side, Side]) -> None:
    alice, bob = pair
    assert await _send(alice, bob, body=b"no colon here\r\n\r\nx", content_type=CPIM) == (
        400,
        "malformed CPIM header line",
    )
    assert bob.inbox == []


async def test_cpim_that_a_server_labelled_text_plain_is_read_as_cpim(
    pair: tuple[Side, Side],
) -> None:
    """Kamailio's msilo stores message/cpim as text/plain and delivers it so."""
    alice, bob = pair
    assert await _send(alice, bob, body=_cpim("stored-1", "while you were out")) == (200, "OK")
    # Text that merely starts like a header stays text.
    typed = b"From: the shop\r\nTo: you\r\n\r\nyour order is ready"
    assert await _send(alice, bob, call_id="t@c", body=typed) == (200, "OK")
    assert [(m.body, m.imdn_id) for m in bob.inbox] == [
        ("while you were out", "stored-1"),
        (typed.decode(), None),
    ]
