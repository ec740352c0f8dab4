"""Group commit: a burst of MESSAGEs shares transactions, and no 200 is early.

A burst of datagrams lands in the receiver's socket at once; the store's
commit hook and the agent's trace tap record, in order, every commit (with
the rows on disk at that moment) and every 200 that goes on the wire. Each
200 must come after a commit that holds its row, and the burst must have
been written in fewer transactions than messages. Outgoing messages'
states go through the same groups.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
from pathlib import Path

import pytest

from softphone.agent import Target
from softphone.sip.delivery import DeliveryState
from softphone.sip.timers import TimerConfig
from softphone.store import MessageRecord, Store
from softphone.trace import Direction, TraceEntry
from softphone.transport.base import TransportKind
from tests.reliability.stack import (
    ALICE,
    BOB,
    Peer,
    answered_identity,
    options_probe,
    stored_identities,
    wait_until,
)

N = 200
CAROL = "sip:carol@example.test"


def burst_message(number: int, port: int) -> bytes:
    body = f"message {number}".encode()
    return (
        f"MESSAGE sip:bob@example.test SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKburst{number};rport\r\n"
        f"Max-Forwards: 70\r\n"
        f"From: <sip:carol@example.test>;tag=c{number}\r\n"
        f"To: <sip:bob@example.test>\r\n"
        f"Call-ID: burst-{number}@127.0.0.1\r\n"
        f"CSeq: 1 MESSAGE\r\n"
        f"Content-Type: text/plain;charset=UTF-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def test_burst_is_committed_in_groups_and_each_200_follows_its_commit(
    tmp_path: Path,
) -> None:
    bob = Peer(BOB, Store.open(tmp_path / "bob.db"), timers=TimerConfig())
    where = await bob.start()
    # ("commit", rows on disk) and ("200", identity), in the order they happened.
    events: list[tuple[str, object]] = []

    def committed(writes: int) -> None:
        events.append(("commit", bob.store.count_messages(CAROL)))

    def tap(entry: TraceEntry) -> None:
        if entry.direction is Direction.OUT:
            identity = answered_identity(entry.data)
            if identity is not None:
                events.append(("200", identity))

    bob.store.on_commit(committed)
    bob.agent.add_observer(tap)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sender.bind(("127.0.0.1", 0))
        port = sender.getsockname()[1]
        # The whole burst is in bob's socket before his loop reads any of it.
        for number in range(N):
            sender.sendto(burst_message(number, port), (where.host, where.port))
        assert await wait_until(lambda: len(bob.inbox) == N, timeout=60)
    finally:
        sender.close()
    try:
        # Rows are written in arrival order: the k-th row (by id) is on disk
        # once a commit has seen more than k rows.
        rows = bob.store.messages(CAROL, limit=10 * N)
        position = {(m.peer, m.call_id, m.cseq, m.from_tag): k for k, m in enumerate(rows)}
        answered = [identity for kind, identity in events if kind == "200"]
        commits = [count for kind, count in events if kind == "commit"]
        # N 200s, N rows, one per message.
        assert len(answered) == N == len(set(answered)) == len(rows)
        assert set(answered) == stored_identities(bob.store)
        # Every 200 went out after a commit that holds its message's row.
        on_disk = 0
        for kind, value in events:
            if kind == "commit":
                assert isinstance(value, int)
                on_disk = value
            else:
                assert position[value] < on_disk, f"200 for {value} before its row was committed"
        # And the burst shared transactions.
        assert len(commits) < N
    finally:
        bob.close()


async def test_outgoing_states_are_committed_in_groups_before_they_are_shown(
    tmp_path: Path,
) -> None:
    alice = Peer(ALICE, Store.open(tmp_path / "alice.db"), timers=TimerConfig(t1=0.05))
    bob = Peer(BOB, Store.open(tmp_path / "bob.db"), timers=TimerConfig(t1=0.05))
    await alice.start()
    alice.target = Target(await bob.start(), TransportKind.UDP)
    shown: list[tuple[int, DeliveryState, DeliveryState]] = []

    def on_state(record: MessageRecord) -> None:
        # What the window would show, beside what is on disk at that moment.
        shown.append((record.id, record.state, alice.store.message(record.id).state))

    alice.messaging.on_message_state(on_state)
    commits: list[int] = []
    alice.store.on_commit(commits.append)
    try:
        # Twenty peers: messages to different peers are on their way together.
        records = [alice.messaging.send(f"bob{n}@example.test", f"hi {n}") for n in range(20)]
        await alice.messaging.drain()
        for record in records:
            states = [state for rid, state, _ in shown if rid == record.id]
            assert states == [DeliveryState.SENDING, DeliveryState.DELIVERED]
        # Each state was on disk when it was announced.
        assert all(state is on_disk for _, state, on_disk in shown)
        # 20 inserts on their own, then the 60 network-driven writes
        # (SENDING, wire identity, DELIVERED) in fewer commits than writes.
        assert commits[:20] == [1] * 20
        assert sum(commits[20:]) == 60
        assert len(commits[20:]) < 60
    finally:
        alice.close()
        bob.close()


def statuses_by_call_id(sock: socket.socket) -> list[tuple[str, int]]:
    """(Call-ID, status) of every response already queued on *sock*, in order."""
    from softphone.sip import Response, parse

    out = []
    sock.setblocking(False)
    while True:
        try:
            data = sock.recv(65535)
        except BlockingIOError:
            return out
        message = parse(data)
        assert isinstance(message, Response)
        out.append((message.call_id, message.status))


async def test_the_loop_answers_while_a_group_waits_for_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The commit (the sync of the log) runs on a thread of its own: while it
    # waits, other requests are answered, and the MESSAGE only after it.
    bob = Peer(BOB, Store.open(tmp_path / "bob.db"), timers=TimerConfig())
    where = await bob.start()
    release = threading.Event()
    waiting = threading.Event()
    commit = Store._commit

    def slow_disk(store: Store, db: sqlite3.Connection) -> None:
        if db is not store._db:  # a group's commit, not the store's own writes
            waiting.set()
            release.wait(10)
        commit(store, db)

    monkeypatch.setattr(Store, "_commit", slow_disk)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    answers: list[tuple[str, int]] = []
    try:
        sender.bind(("127.0.0.1", 0))
        port = sender.getsockname()[1]
        sender.sendto(burst_message(0, port), (where.host, where.port))
        assert await wait_until(waiting.is_set, timeout=10)
        sender.sendto(
            options_probe(1).replace(b"192.0.2.9:5060", f"127.0.0.1:{port}".encode()),
            (where.host, where.port),
        )

        def probe_answered() -> bool:
            answers.extend(statuses_by_call_id(sender))
            return any(call_id.startswith("probe-") for call_id, _ in answers)

        assert await wait_until(probe_answered, timeout=5)
        assert bob.inbox == [] and not any(c.startswith("burst-") for c, _ in answers)
        release.set()

        def message_answered() -> bool:
            answers.extend(statuses_by_call_id(sender))
            return ("burst-0@127.0.0.1", 200) in answers

        assert await wait_until(message_answered, timeout=10)
        assert answers[0][0].startswith("probe-")
        assert [m.body for m in bob.inbox] == ["message 0"]
    finally:
        release.set()
        sender.close()
        bob.close()


async def test_a_commit_that_fails_on_its_thread_answers_500_and_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = Peer(BOB, Store.open(tmp_path / "bob.db"), timers=TimerConfig())
    where = await bob.start()
    commit = Store._commit
    threads: list[str] = []

    def full_disk(store: Store, db: sqlite3.Connection) -> None:
        if db is not store._db:
            threads.append(threading.current_thread().name)
            raise sqlite3.OperationalError("database or disk is full")
        commit(store, db)

    monkeypatch.setattr(Store, "_commit", full_disk)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    answers: list[tuple[str, int]] = []
    try:
        sender.bind(("127.0.0.1", 0))
        port = sender.getsockname()[1]
        sender.sendto(burst_message(0, port), (where.host, where.port))

        def answered(call_id: str) -> bool:
            answers.extend(statuses_by_call_id(sender))
            return any(c == call_id for c, _ in answers)

        assert await wait_until(lambda: answered("burst-0@127.0.0.1"), timeout=10)
        assert answers == [("burst-0@127.0.0.1", 500)]
        assert threads and threading.current_thread().name not in threads
        assert bob.store.count_messages(CAROL) == 0 and bob.inbox == []
        # The disk has room again: the next message is stored and answered.
        monkeypatch.setattr(Store, "_commit", commit)
        sender.sendto(burst_message(1, port), (where.host, where.port))
        assert await wait_until(lambda: answered("burst-1@127.0.0.1"), timeout=10)
        assert answers[-1] == ("burst-1@127.0.0.1", 200)
        assert [m.body for m in bob.store.messages(CAROL)] == ["message 1"]
    finally:
        sender.close()
        bob.close()
