"""Automatic resend through the messaging service and its timer, against a scripted peer.

Short back-off tables come in as a parameter (`ResendPolicy`), never sleeps
of minutes; every test asserts the message's whole state history and what
reached the peer.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from softphone.resend_policy import HELD, ResendPolicy
from softphone.services.resend import Resender
from softphone.sip import Request, Response
from softphone.sip.delivery import DeliveryState
from softphone.store import MessageRecord, Store
from softphone.transport.base import Target, TransportKind
from tests.services.scripted import ScriptedPeer, answer
from tests.services.test_messaging import ALICE, BOB, Side

D = DeliveryState
QUICK = ResendPolicy(backoff=(0.05, 0.1), window=30.0)


@pytest.fixture
async def alice() -> AsyncIterator[Side]:
    side = Side(ALICE)
    side.messaging.resend_policy = QUICK
    await side.start()
    yield side
    side.close()


@pytest.fixture
async def peers() -> AsyncIterator[list[ScriptedPeer]]:
    started: list[ScriptedPeer] = []
    yield started
    for peer in started:
        peer.close()


async def scripted(
    alice: Side, peers: list[ScriptedPeer], script: Callable[[Request], list[Response]]
) -> ScriptedPeer:
    peer = await ScriptedPeer.start(script)
    peers.append(peer)
    alice.target = Target(peer.address, TransportKind.UDP)
    return peer


def resender(side: Side) -> Resender:
    timer = Resender(side.messaging, side.store, is_ready=lambda: side.ready)
    timer.start()
    return timer


async def until(predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"not seen within {timeout} s: {what}") from None


def identities(peer: ScriptedPeer) -> list[tuple[str, int, str | None]]:
    """(Call-ID, CSeq, From tag) of each request the peer got, retransmissions merged."""
    seen: list[tuple[str, int, str | None]] = []
    for request in peer.requests:
        key = (request.call_id, request.cseq.seq, request.from_.tag)
        if not seen or seen[-1] != key:
            seen.append(key)
    return seen


def branches(peer: ScriptedPeer) -> set[str | None]:
    """The transactions the peer saw (a retransmission keeps its branch)."""
    return {request.via[0].branch for request in peer.requests}


def answers(*statuses: tuple[int, tuple[str, str] | None]) -> Callable[[Request], list[Response]]:
    """One scripted answer per new transaction (by branch), the last one repeated."""
    branches: list[str] = []

    def script(request: Request) -> list[Response]:
        branch = request.via[0].branch or ""
        if branch not in branches:
            branches.append(branch)
        status, header = statuses[min(len(branches), len(statuses)) - 1]
        if status == 0:
            return []  # silent: timer F
        return [answer(request, status, *([header] if header else []))]

    return script


async def test_503_with_retry_after_is_resent_once_with_the_same_identity(
    alice: Side, peers: list[ScriptedPeer]
) -> None:
    peer = await scripted(alice, peers, answers((503, ("Retry-After", "1")), (200, None)))
    timer = resender(alice)
    record = alice.messaging.send("sip:bob@example.test", "again")
    await until(lambda: alice.states(record)[-1] is D.DELIVERED, "delivered")
    timer.stop()
    assert alice.states(record) == [
        *(D.QUEUED, D.SENDING, D.FAILED),
        *(D.QUEUED, D.SENDING, D.DELIVERED),
    ]
    failed = alice.history[record.id][2]
    assert failed[:2] == (D.FAILED, 503)
    # One request, sent twice: the recipient sees one message.
    assert len(identities(peer)) == 1
    assert len(branches(peer)) == 2
    final = alice.store.message(record.id)
    assert (final.attempts, final.resend_at, final.gave_up) == (1, None, False)


async def test_retry_after_sets_the_plan(alice: Side, peers: list[ScriptedPeer]) -> None:
    alice.messaging.resend_policy = ResendPolicy(backoff=(0.05,))
    await scripted(alice, peers, answers((503, ("Retry-After", "120"))))
    record = alice.messaging.send("sip:bob@example.test", "later")
    await alice.messaging.drain()
    failed = alice.store.message(record.id)
    assert failed.state is D.FAILED
    # Never sooner than the server asked (RFC 3261 21.5.4), not the 0.05 s back-off.
    assert failed.resend_at is not None and failed.resend_at - failed.updated == pytest.approx(
        120, abs=1
    )


@pytest.mark.parametrize("status", [404, 480, 486, 603])
async def test_the_recipients_answer_is_never_resent(
    alice: Side, peers: list[ScriptedPeer], status: int
) -> None:
    peer = await scripted(alice, peers, answers((status, None)))
    timer = resender(alice)
    record = alice.messaging.send("sip:bob@example.test", "no")
    await alice.messaging.drain()
    # Many times the back-off table's longest pause.
    await asyncio.sleep(0.5)
    timer.stop()
    final = alice.store.message(record.id)
    assert alice.states(record) == [
        D.QUEUED,
        D.SENDING,
        D.DECLINED if status >= 600 else D.FAILED,
    ]
    assert (final.resend_at, final.attempts, final.gave_up) == (None, 0, False)
    # One transaction (its retransmissions, under load, are the same one).
    assert len(branches(peer)) == 1


async def test_no_answer_waits_for_the_connection_then_goes_once(
    alice: Side, peers: list[ScriptedPeer]
) -> None:
    # Silent (timer F) the first time; meanwhile the account lost its
    # server, so due resends are only planned again; when the connection
    # is back it goes at once and is answered.
    peer = await scripted(alice, peers, answers((0, None), (200, None)))
    timer = resender(alice)
    record = alice.messaging.send("sip:bob@example.test", "are you there")
    await until(lambda: alice.states(record)[-1] is D.FAILED, "failed")
    alice.ready = False
    await until(lambda: alice.store.message(record.id).attempts >= 3, "planned again offline")
    assert alice.states(record)[3:] == [D.FAILED, D.FAILED]  # re-planned, never sent
    alice.ready = True
    timer.connection_back()
    await until(lambda: alice.states(record)[-1] is D.DELIVERED, "delivered")
    timer.stop()
    history = alice.states(record)
    assert history[:3] == [D.QUEUED, D.SENDING, D.FAILED]
    assert set(history[3:-3]) == {D.FAILED}
    assert history[-3:] == [D.QUEUED, D.SENDING, D.DELIVERED]
    assert len(identities(peer)) == 1


async def test_gives_up_after_the_window(alice: Side, peers: list[ScriptedPeer]) -> None:
    alice.messaging.resend_policy = ResendPolicy(backoff=(0.05,), window=0.3)
    peer = await scripted(alice, peers, answers((408, None)))
    timer = resender(alice)
    record = alice.messaging.send("sip:bob@example.test", "hello?")
    await until(lambda: alice.store.message(record.id).gave_up, "given up")
    await asyncio.sleep(0.3)
    timer.stop()
    history = alice.states(record)
    final = alice.store.message(record.id)
    assert history[-1] is D.FAILED and final.resend_at is None
    # Every attempt: queued, sending, failed; nothing after the give-up.
    attempts = final.attempts
    assert history == [D.QUEUED] + [D.SENDING, D.FAILED, D.QUEUED] * (attempts - 1) + [
        D.SENDING,
        D.FAILED,
    ]
    assert attempts >= 2
    assert len(branches(peer)) == attempts
    assert len(identities(peer)) == 1


async def test_the_users_retry_starts_the_day_over(alice: Side, peers: list[ScriptedPeer]) -> None:
    alice.messaging.resend_policy = ResendPolicy(backoff=(0.05,), window=0.0)
    await scripted(alice, peers, answers((408, None)))
    record = alice.messaging.send("sip:bob@example.test", "x")
    await alice.messaging.drain()
    assert alice.store.message(record.id).gave_up
    retried = alice.messaging.retry(record.id)
    assert (retried.state, retried.attempts, retried.gave_up, retried.first_attempt) == (
        D.QUEUED,
        0,
        False,
        None,
    )
    await alice.messaging.drain()
    assert alice.store.message(record.id).attempts == 1


async def test_retry_the_moment_the_failure_is_shown_is_sent(
    alice: Side, peers: list[ScriptedPeer]
) -> None:
    # The failure is announced (and Retry offered) before its attempt has
    # wound down: a Retry at that very moment must still go out.
    peer = await scripted(alice, peers, answers((404, None), (200, None)))
    retried: list[MessageRecord] = []

    def retry_at_once(record: MessageRecord) -> None:
        if record.state is D.FAILED and not retried:
            retried.append(alice.messaging.retry(record.id))

    alice.messaging.on_message_state(retry_at_once)
    record = alice.messaging.send("sip:bob@example.test", "now")
    await until(lambda: alice.states(record)[-1] is D.DELIVERED, "delivered after the Retry")
    assert alice.states(record) == [
        *(D.QUEUED, D.SENDING, D.FAILED),
        *(D.QUEUED, D.SENDING, D.DELIVERED),
    ]
    assert len(branches(peer)) == 2
    assert len(identities(peer)) == 1


async def test_the_schedule_survives_a_restart(tmp_path: Path, peers: list[ScriptedPeer]) -> None:
    path = tmp_path / "history.sqlite3"
    first = Side(ALICE, Store.open(path))
    first.messaging.resend_policy = ResendPolicy(backoff=(3600.0,))
    await first.start()
    peer = await scripted(first, peers, answers((503, None), (200, None)))
    record = first.messaging.send("sip:bob@example.test", "tomorrow")
    await first.messaging.drain()
    planned = first.store.message(record.id)
    first.close()
    assert planned.state is D.FAILED and planned.resend_at is not None

    # The next run finds the plan on disk: still an hour away, so nothing
    # goes until the connection is back... but a 503 keeps its time.
    second = Side(ALICE, Store.open(path))
    second.target = first.target
    await second.start()
    kept = second.store.message(record.id)
    assert (kept.resend_at, kept.attempts, kept.first_attempt) == (
        planned.resend_at,
        1,
        planned.first_attempt,
    )
    timer = resender(second)
    timer.connection_back()
    await asyncio.sleep(0.2)
    assert second.store.message(record.id).state is D.FAILED
    timer.stop()
    # Two hours later (a clock handed in): it goes, with the same identity.
    later = Resender(second.messaging, second.store, clock=lambda: time.time() + 7200)
    later.start()
    await until(lambda: second.store.message(record.id).state is D.DELIVERED, "delivered")
    later.stop()
    second.close()
    assert second.states(record) == [D.QUEUED, D.SENDING, D.DELIVERED]
    assert len(identities(peer)) == 1


async def test_left_sending_by_a_crash_goes_again_once_as_the_same_request(
    tmp_path: Path,
) -> None:
    # Before the crash the request reached Bob (he stored it) but his 200
    # did not come back. The next run resends it as soon as it is
    # connected, under the identity it went with: Bob keeps one copy.
    bob = Side(BOB)
    await bob.start()
    path = tmp_path / "history.sqlite3"
    crashed = Store.open(path)
    then = time.time() - 5  # moments ago: within the (short) window of resends
    in_flight = crashed.insert_outgoing("sip:bob@example.test", "was on the wire", now=then)
    crashed.update_state(in_flight.id, D.SENDING, now=then)
    crashed.set_wire_identity(in_flight.id, "c4a5h@example.test", 1, "t4g")
    crashed.close()
    bob.store.insert_incoming(
        "sip:alice@example.test",
        "was on the wire",
        content_type="text/plain;charset=UTF-8",
        call_id="c4a5h@example.test",
        cseq=1,
        from_tag="t4g",
        now=then,
    )
    alice = Side(ALICE, Store.open(path))
    alice.messaging.resend_policy = QUICK
    try:
        alice.target = Target(bob.agent.local_address(TransportKind.UDP), TransportKind.UDP)
        await alice.agent.listen(TransportKind.UDP, "127.0.0.1", 0)
        recovered = alice.messaging.start()
        assert [(r.state, r.resend_at is not None) for r in recovered] == [(D.FAILED, True)]
        timer = resender(alice)
        timer.connection_back()
        await until(lambda: alice.states(in_flight)[-1] is D.DELIVERED, "delivered")
        timer.stop()
        assert alice.states(in_flight) == [D.FAILED, D.QUEUED, D.SENDING, D.DELIVERED]
        assert [m.body for m in bob.store.messages("sip:alice@example.test")] == ["was on the wire"]
        sent = alice.store.message(in_flight.id)
        assert (sent.call_id, sent.cseq, sent.from_tag) == ("c4a5h@example.test", 1, "t4g")
    finally:
        alice.close()
        bob.close()


async def test_a_message_written_while_one_waits_for_its_resend_goes_right_after_it(
    alice: Side, peers: list[ScriptedPeer]
) -> None:
    # "one" failed and was planned again while offline. "two", written while
    # the account is back for a moment, does not overtake it: it stays
    # queued (never sent, never failed), saying why, and when the
    # connection is back it goes right after "one".
    answering = False
    answered: list[str] = []  # bodies in the order the peer answered them

    def script(request: Request) -> list[Response]:
        if not answering:
            return []
        body = request.body.decode()
        if not answered or answered[-1] != body:  # a retransmission is not a message
            answered.append(body)
        return [answer(request, 200)]

    await scripted(alice, peers, script)
    timer = resender(alice)
    alice.messaging.resend_policy = ResendPolicy(backoff=(0.05, 7200.0))
    one = alice.messaging.send("sip:bob@example.test", "one")
    alice.ready = False  # lost while "one" is on the wire
    await until(lambda: alice.store.message(one.id).attempts == 2, "one planned again offline")
    alice.ready = True  # back for a moment: "two" is written
    two = alice.messaging.send("sip:bob@example.test", "two")
    await until(lambda: alice.store.message(two.id).reason == HELD, "two kept back")
    alice.ready = False
    assert alice.store.message(two.id).state is D.QUEUED
    answering = True
    alice.ready = True
    timer.connection_back()
    await until(
        lambda: all(alice.states(r)[-1] is D.DELIVERED for r in (one, two)), "both delivered"
    )
    timer.stop()
    assert answered == ["one", "two"]
    assert alice.states(one) == [
        *(D.QUEUED, D.SENDING, D.FAILED, D.FAILED),
        *(D.QUEUED, D.SENDING, D.DELIVERED),
    ]
    # Kept back (queued, with the reason), then sent once "one" was delivered.
    assert alice.states(two) == [D.QUEUED, D.QUEUED, D.SENDING, D.DELIVERED]


async def test_a_message_kept_back_goes_at_once_when_the_one_before_gets_an_answer(
    alice: Side, peers: list[ScriptedPeer]
) -> None:
    # "one" gets 503 (resent later), then the recipient's own answer, 404:
    # it ends there for good, and "two", kept back meanwhile, goes at once.
    peer = await scripted(alice, peers, answers((503, None), (404, None), (200, None)))
    alice.messaging.resend_policy = ResendPolicy(backoff=(0.3, 3600.0))
    timer = resender(alice)
    one = alice.messaging.send("sip:bob@example.test", "one")
    two = alice.messaging.send("sip:bob@example.test", "two")
    await until(lambda: alice.store.message(two.id).reason == HELD, "two kept back")
    assert alice.store.message(one.id).resend_at is not None
    await until(lambda: alice.states(two)[-1] is D.DELIVERED, "two delivered")
    timer.stop()
    assert alice.states(one) == [
        *(D.QUEUED, D.SENDING, D.FAILED),
        *(D.QUEUED, D.SENDING, D.FAILED),
    ]
    assert alice.history[one.id][-1][:2] == (D.FAILED, 404)
    assert alice.states(two) == [D.QUEUED, D.QUEUED, D.SENDING, D.DELIVERED]
    # The peer got "two" only after both of "one"'s transactions.
    bodies = [request.body.decode() for request in peer.requests]
    assert bodies.index("two") > max(i for i, body in enumerate(bodies) if body == "one")
    assert len(branches(peer)) == 3


async def test_a_servers_503_due_while_offline_goes_when_the_connection_is_back(
    alice: Side, peers: list[ScriptedPeer]
) -> None:
    # A 503 keeps its time over a connection coming back; but when that
    # time came while the account was offline, the resend is due: it goes
    # with the connection, not one back-off step later.
    peer = await scripted(alice, peers, answers((503, None), (200, None)))
    alice.messaging.resend_policy = ResendPolicy(backoff=(0.05, 3600.0))
    timer = resender(alice)
    record = alice.messaging.send("sip:bob@example.test", "due")
    alice.ready = False  # lost while the 503 is on its way
    await until(lambda: alice.store.message(record.id).attempts == 2, "due while offline")
    alice.ready = True
    timer.connection_back()
    await until(lambda: alice.states(record)[-1] is D.DELIVERED, "delivered")
    timer.stop()
    assert alice.states(record) == [
        *(D.QUEUED, D.SENDING, D.FAILED, D.FAILED),
        *(D.QUEUED, D.SENDING, D.DELIVERED),
    ]
    assert len(identities(peer)) == 1


async def test_a_request_on_the_wire_has_its_identity_on_disk(
    tmp_path: Path, peers: list[ScriptedPeer]
) -> None:
    # A crash may come at any moment after the request leaves: what is on
    # disk then must name the Call-ID, From tag and CSeq it went with, or
    # the next run (which resends what was left SENDING) would send a new
    # request the recipient cannot recognise as the same message.
    path = tmp_path / "history.sqlite3"
    alice = Side(ALICE, Store.open(path))
    await alice.start()
    on_disk: list[tuple[str | None, int | None, str | None]] = []

    def committed() -> tuple[str | None, int | None, str | None]:
        # Read by another connection: only what is committed.
        with contextlib.closing(sqlite3.connect(path)) as other:
            row = other.execute(
                "SELECT call_id, cseq, from_tag FROM messages WHERE body = 'kept'"
            ).fetchone()
        return (row[0], row[1], row[2])

    def script(request: Request) -> list[Response]:
        on_disk.append(committed())
        return [answer(request, 200)]

    def on_state(changed: MessageRecord) -> None:
        if changed.state is D.SENDING:  # announced once it is on disk
            on_disk.append(committed())

    alice.messaging.on_message_state(on_state)
    try:
        peer = await scripted(alice, peers, script)
        record = alice.messaging.send("sip:bob@example.test", "kept")
        await until(lambda: alice.states(record)[-1] is D.DELIVERED, "delivered")
    finally:
        alice.close()
    [request] = peer.requests
    # Already when SENDING was on disk, and when the request arrived.
    assert on_disk == [(request.call_id, request.cseq.seq, request.from_.tag)] * 2
