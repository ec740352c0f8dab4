"""1,000 MESSAGEs through a relay that drops, duplicates and reorders datagrams.

Every message appears exactly once in the receiver's history, and every
sender state is true: DELIVERED only for a message the receiver stored, and
otherwise FAILED by timer F (a local failure, never an invented 408).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from softphone.sip.delivery import DeliveryState, FailureKind, failure_reason
from softphone.sip.timers import TimerConfig
from softphone.store import Store
from softphone.transport.base import Address, Target, TransportKind
from tests.reliability.relay import Impairment, LossyRelay
from tests.reliability.stack import ALICE, BOB, Peer, wait_until

D = DeliveryState
#: 30% of datagrams disturbed in each direction: a third dropped, a third
#: duplicated, a third held back so that later ones overtake them.
THIRTY_PERCENT = Impairment(drop=0.10, duplicate=0.10, reorder=0.10, max_delay=0.15)


@dataclass
class LossRun:
    alice: Peer
    bob: Peer
    relay: LossyRelay


async def _start(tmp_path: Path, timers: TimerConfig, impairment: Impairment, seed: int) -> LossRun:
    alice = Peer(ALICE, Store.open(tmp_path / "alice.db"), timers=timers)
    bob = Peer(BOB, Store.open(tmp_path / "bob.db"), timers=timers)
    await alice.start()
    bob_address = await bob.start()
    relay = await LossyRelay.start((bob_address.host, bob_address.port), impairment, seed=seed)
    alice.target = Target(Address(*relay.front), TransportKind.UDP)
    return LossRun(alice, bob, relay)


@pytest.fixture
async def fast_run(tmp_path: Path) -> AsyncIterator[LossRun]:
    run = await _start(tmp_path, TimerConfig(t1=0.05, t2=0.4, t4=0.5), THIRTY_PERCENT, 8)
    yield run
    run.relay.close()
    run.alice.close()
    run.bob.close()


async def _send_and_check(run: LossRun, count: int, timeout: float) -> dict[str, int]:
    alice, bob = run.alice, run.bob
    records = [alice.messaging.send("sip:bob@example.test", f"m{n:05d}") for n in range(count)]
    ids = [r.id for r in records]
    # Every message reaches a final state; then late duplicates may still land.
    assert await wait_until(
        lambda: all(alice.states[i][-1].state.is_final for i in ids), timeout, step=0.1
    )
    await alice.messaging.drain()

    received = [m.body for m in bob.store.messages("sip:alice@example.test", limit=10 * count)]
    # Exactly once: no duplicate rows, whatever the relay duplicated.
    assert len(received) == len(set(received))
    received_set = set(received)
    assert received_set <= {f"m{n:05d}" for n in range(count)}

    outcome = {"delivered": 0, "failed": 0}
    for record in records:
        history = [r.state for r in alice.states[record.id]]
        final = alice.store.message(record.id)
        # One final state per message, reached through SENDING.
        assert history[:2] == [D.QUEUED, D.SENDING]
        assert history[-1] is final.state
        assert sum(state.is_final for state in history) == 1
        if final.state is D.DELIVERED:
            assert (final.code, final.reason) == (200, "OK")
            assert record.body in received_set, "DELIVERED but the receiver never stored it"
            outcome["delivered"] += 1
        else:
            # Only timer F may fail a message here; it is local, not a 408.
            assert final.state is D.FAILED
            assert final.local_failure and final.code is None
            assert final.reason == failure_reason(
                FailureKind.TIMEOUT, timeout=alice.agent.timers.timeout
            )
            outcome["failed"] += 1
    # The receiver's inbox callback fired once per stored message.
    assert sorted(m.body for m in bob.inbox) == sorted(received)
    return outcome


async def test_thousand_messages_through_thirty_percent_impairment(fast_run: LossRun) -> None:
    outcome = await _send_and_check(fast_run, 1000, timeout=150.0)
    counters = fast_run.relay.counters
    # The relay really disturbed traffic both ways.
    for direction in ("up", "down"):
        assert counters.dropped[direction] > 0
        assert counters.duplicated[direction] > 0
        assert counters.reordered[direction] > 0
    assert outcome["delivered"] + outcome["failed"] == 1000
    print(f"\nloss run: {outcome}, relay {counters}")


@pytest.mark.slow
async def test_thousand_messages_with_default_timers(tmp_path: Path) -> None:
    run = await _start(tmp_path, TimerConfig(), THIRTY_PERCENT, 11)
    try:
        outcome = await _send_and_check(run, 1000, timeout=3600.0)
        assert outcome["delivered"] + outcome["failed"] == 1000
        print(f"\nloss run (default timers): {outcome}, relay {run.relay.counters}")
    finally:
        run.relay.close()
        run.alice.close()
        run.bob.close()


async def test_total_loss_fails_by_timer_f_and_never_delivers(tmp_path: Path) -> None:
    run = await _start(tmp_path, TimerConfig(t1=0.01, t2=0.04, t4=0.05), Impairment(drop=1.0), 1)
    try:
        outcome = await _send_and_check(run, 3, timeout=20.0)
        assert outcome == {"delivered": 0, "failed": 3}
        assert run.bob.store.count_messages("sip:alice@example.test") == 0
    finally:
        run.relay.close()
        run.alice.close()
        run.bob.close()


async def test_lost_answers_fail_by_timer_f_though_stored(tmp_path: Path) -> None:
    # Every answer lost: the receiver stored the message once (retransmissions
    # absorbed), and the sender truthfully says failed, not delivered.
    answers_lost = Impairment(drop=1.0, directions=("down",))
    run = await _start(tmp_path, TimerConfig(t1=0.01, t2=0.04, t4=0.05), answers_lost, 2)
    try:
        outcome = await _send_and_check(run, 2, timeout=20.0)
        assert outcome == {"delivered": 0, "failed": 2}
        stored = run.bob.store.messages("sip:alice@example.test")
        assert [m.body for m in stored] == ["m00000", "m00001"]
    finally:
        run.relay.close()
        run.alice.close()
        run.bob.close()
