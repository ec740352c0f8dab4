"""Safe defaults: flood limits, 481 outside dialogs, block list, digest, TLS.

The flood limits (per source address, overall, body size) are constructed
by the product itself: `AppOptions.limits` defaults to `FloodLimits()`, so
`softphone listen` and the window run with them (shown through a running
`softphone listen` in tests/security/test_client_flood.py). The block list
is filled only through the store here. TLS verification against a
self-signed server is tested end to end in tests/transport/test_tls.py
(test_verification_fails_by_default_..., test_host_name_is_checked_...);
here only the default context is pinned.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from pathlib import Path

import pytest

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.ratelimit import FloodGuard, FloodLimits, RateLimit, RateLimiter
from softphone.sip import parse
from softphone.sip.auth import DigestClient
from softphone.store import Store
from softphone.transport.base import Address, TransportKind
from softphone.transport.tls import client_context
from tests.reliability.stack import BOB, CaptureTransport, FuzzStack, Peer
from tests.reliability.test_hostile import _message, udp_exchange

# -- the token bucket ----------------------------------------------------------------


def test_bucket_allows_a_burst_then_refuses_with_retry_after() -> None:
    limiter = RateLimiter(RateLimit(rate=2.0, burst=3.0))
    assert [limiter.check("sip:a@x", 10.0) for _ in range(3)] == [None, None, None]
    assert limiter.check("sip:a@x", 10.0) == 1.0
    # Another sender has its own bucket.
    assert limiter.check("sip:b@x", 10.0) is None
    # Half a second at 2/s gives one token back.
    assert limiter.check("sip:a@x", 10.5) is None
    assert limiter.check("sip:a@x", 10.5) == 1.0
    assert limiter.refused == 2


def test_retry_after_grows_for_slow_rates() -> None:
    limiter = RateLimiter(RateLimit(rate=0.1, burst=1.0))
    assert limiter.check("k", 0.0) is None
    assert limiter.check("k", 0.0) == 10.0


def test_clock_going_back_mints_no_tokens() -> None:
    limiter = RateLimiter(RateLimit(rate=1.0, burst=1.0))
    assert limiter.check("k", 100.0) is None
    assert limiter.check("k", 50.0) is not None
    assert limiter.check("k", 100.5) is not None
    assert limiter.check("k", 101.0) is None


def test_senders_are_bounded() -> None:
    limiter = RateLimiter(RateLimit(rate=1.0, burst=1.0, max_senders=100))
    for n in range(10_000):
        limiter.check(f"sip:spoofed{n}@x", 0.0)
    assert len(limiter) == 100


@pytest.mark.parametrize("kwargs", [{"rate": 0}, {"burst": 0.5}, {"max_senders": 0}])
def test_bad_limits_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RateLimit(**kwargs)  # type: ignore[arg-type]


# -- the agent's hook ----------------------------------------------------------------


async def udp_exchange_from(data: bytes, to: Address, local_host: str) -> bytes:
    """Send one datagram from a fresh socket on *local_host*; return the answer."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((local_host, 0))
    sock.setblocking(False)
    try:
        await loop.sock_sendto(sock, data, (to.host, to.port))
        async with asyncio.timeout(5):
            answer, _ = await loop.sock_recvfrom(sock, 65535)
        return answer
    finally:
        sock.close()


def test_the_product_runs_with_flood_limits_by_default(tmp_path: Path) -> None:
    app = Application(Account("sip:bob@example.test"), None, Store.open(tmp_path / "b.db"))
    try:
        assert AppOptions().limits == FloodLimits()
        assert app.agent.flood_guard is not None
        assert app.agent.flood_guard.limits == FloodLimits()
    finally:
        app.store.close()


def test_guard_limits_per_source_then_overall_then_body() -> None:
    guard = FloodGuard(
        FloodLimits(
            per_source=RateLimit(rate=1.0, burst=2.0),
            overall=RateLimit(rate=1.0, burst=3.0),
            max_body=10,
        )
    )
    assert guard.admit("192.0.2.1", 5, 0.0) is None
    assert guard.admit("192.0.2.1", 5, 0.0) is None
    refused = guard.admit("192.0.2.1", 5, 0.0)
    assert refused is not None and (refused.status, refused.retry_after) == (503, 1)
    # A refused request took no overall token: another source still passes once.
    assert guard.admit("192.0.2.2", 5, 0.0) is None
    overall = guard.admit("192.0.2.3", 5, 0.0)
    assert overall is not None and (overall.status, overall.reason) == (503, "Too many requests")
    big = guard.admit("192.0.2.4", 11, 10.0)
    assert big is not None and big.status == 413 and "10 bytes" in big.reason


async def test_agent_answers_503_with_retry_after_per_source_address(tmp_path: Path) -> None:
    from softphone.sip.timers import TimerConfig

    bob = Peer(
        BOB,
        Store.open(tmp_path / "b.db"),
        timers=TimerConfig(t1=0.02),
        limits=FloodLimits(per_source=RateLimit(rate=0.5, burst=5.0)),
    )
    where = await bob.start()
    try:
        answers = []
        for n in range(8):
            data = _message(b"hi %d" % n, "text/plain", 100 + n)
            answers.append(parse(await udp_exchange(data, where)))
        assert [a.status for a in answers] == [200] * 5 + [503] * 3  # type: ignore[union-attr]
        assert {a.headers.get("Retry-After") for a in answers[5:]} == {"2"}
        # Refused ones are not stored: the 503 cost no disk write.
        assert bob.store.count_messages("sip:odd@example.test") == 5
        # Another From from the same address is the same source: refused too.
        other = _message(b"x", "text/plain", 200).replace(b"sip:odd@", b"sip:other@")
        assert parse(await udp_exchange(other, where)).status == 503  # type: ignore[union-attr]
        # Another source address has its own bucket (a new request: the same
        # bytes again would be a retransmission, answered with the same 503).
        fresh = _message(b"x", "text/plain", 201).replace(b"sip:odd@", b"sip:other@")
        answer = parse(await udp_exchange_from(fresh, where, "127.0.0.2"))
        assert answer.status == 200  # type: ignore[union-attr]
        assert bob.store.count_messages("sip:other@example.test") == 1
    finally:
        bob.close()


async def test_body_over_the_cap_gets_413_with_a_reason_and_is_not_stored(tmp_path: Path) -> None:
    from softphone.sip.timers import TimerConfig

    bob = Peer(
        BOB, Store.open(tmp_path / "b.db"), timers=TimerConfig(t1=0.02), limits=FloodLimits()
    )
    where = await bob.start()
    try:
        cap = FloodLimits().max_body
        answer = parse(await udp_exchange(_message(b"x" * (cap + 1), "text/plain", 500), where))
        assert answer.status == 413  # type: ignore[union-attr]
        assert answer.reason == f"Message body over {cap} bytes"  # type: ignore[union-attr]
        assert bob.store.count_messages("sip:odd@example.test") == 0
        answer = parse(await udp_exchange(_message(b"x" * cap, "text/plain", 501), where))
        assert answer.status == 200  # type: ignore[union-attr]
    finally:
        bob.close()


# -- 481 for a dialog we never made ------------------------------------------------------


async def test_message_with_unknown_to_tag_gets_481_and_is_not_stored() -> None:
    stack = FuzzStack()
    try:
        data = _message(b"hi", "text/plain", 300).replace(
            b"To: <sip:bob@example.test>", b"To: <sip:bob@example.test>;tag=never-issued"
        )
        stack.feed(data)
        assert [parse(d).status for d, _ in stack.transport.sent] == [481]  # type: ignore[union-attr]
        assert stack.store.conversations() == []
        # Without the tag the same request is taken.
        stack.transport.sent.clear()
        stack.feed(_message(b"hi", "text/plain", 301))
        await stack.messaging.drain()  # the 200 goes out once the row is committed
        assert [parse(d).status for d, _ in stack.transport.sent] == [200]  # type: ignore[union-attr]
    finally:
        stack.close()


async def test_notify_for_unknown_subscription_still_gets_481_from_presence() -> None:
    stack = FuzzStack()
    try:
        notify = (
            b"NOTIFY sip:bob@example.test SIP/2.0\r\n"
            b"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKn481;rport\r\nMax-Forwards: 70\r\n"
            b"From: <sip:joe@example.test>;tag=n1\r\nTo: <sip:bob@example.test>;tag=zzz\r\n"
            b"Call-ID: nosub@x\r\nCSeq: 1 NOTIFY\r\nEvent: reg\r\n"
            b"Subscription-State: active;expires=60\r\nContent-Length: 0\r\n\r\n"
        )
        stack.feed(notify)
        assert [parse(d).status for d, _ in stack.transport.sent] == [481]  # type: ignore[union-attr]
        # The presence handler, not the agent's MESSAGE rule, answered it: a
        # handler registered for NOTIFY is dialog-aware by default.
        assert stack.agent.uas.routes["NOTIFY"].in_dialog
        assert not stack.agent.uas.routes["MESSAGE"].in_dialog
    finally:
        stack.close()


# -- block list ------------------------------------------------------------------------------


async def test_blocked_sender_gets_603_and_nothing_is_stored(tmp_path: Path) -> None:
    from softphone.sip.timers import TimerConfig

    bob = Peer(BOB, Store.open(tmp_path / "b.db"), timers=TimerConfig(t1=0.02))
    where = await bob.start()
    try:
        bob.store.set_blocked("sip:odd@example.test", True, now=1.0)
        answer = parse(await udp_exchange(_message(b"spam", "text/plain", 400), where))
        assert answer.status == 603  # type: ignore[union-attr]
        assert bob.store.count_messages("sip:odd@example.test") == 0
        assert bob.inbox == []
        bob.store.set_blocked("sip:odd@example.test", False, now=2.0)
        answer = parse(await udp_exchange(_message(b"hello", "text/plain", 401), where))
        assert answer.status == 200  # type: ignore[union-attr]
        assert [m.body for m in bob.store.messages("sip:odd@example.test")] == ["hello"]
    finally:
        bob.close()


# -- digest and TLS defaults --------------------------------------------------------------


@pytest.mark.parametrize("order", ["md5-first", "sha256-first"])
def test_sha256_is_chosen_when_both_are_offered(order: str) -> None:
    md5 = 'Digest realm="example.test", nonce="n1", algorithm=MD5, qop="auth"'
    sha = 'Digest realm="example.test", nonce="n1", algorithm=SHA-256, qop="auth"'
    offered = [md5, sha] if order == "md5-first" else [sha, md5]
    client = DigestClient("alice", "secret", random_bytes=lambda n: b"\x01" * n)
    headers = client.answer_challenges(
        401, offered, method="MESSAGE", uri="sip:bob@example.test", body=b""
    )
    assert [name for name, _ in headers] == ["Authorization"]
    value = headers[0][1]
    assert "algorithm=SHA-256" in value
    assert "secret" not in value
    # A SHA-256 response is 64 hex digits, an MD5 one 32.
    response = value.split('response="', 1)[1].split('"', 1)[0]
    assert len(response) == 64


def test_tls_client_context_verifies_by_default() -> None:
    context = client_context()
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


def test_capture_transport_is_a_transport() -> None:
    capture = CaptureTransport()
    capture.send(b"x", Address("127.0.0.1", 1))
    assert capture.kind is TransportKind.UDP and capture.sent == [(b"x", Address("127.0.0.1", 1))]
