"""Fuzzing the whole receive path: datagram -> parser -> transactions -> handlers -> store.

Invariant (stated as h11's fuzzer states its own): whatever bytes arrive, no
exception escapes `UserAgent.receive`, every MESSAGE answered 200 is in the
store, and the agent still answers OPTIONS afterwards. The long run is
`tests/reliability/fuzz_atheris.py` (see README.md).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from softphone.sip import parse
from softphone.sip.errors import ParseError
from tests.reliability.mutate import mutate
from tests.reliability.seeds import seeds
from tests.reliability.stack import (
    FuzzStack,
    Identity,
    answered_identity,
    stored_identities,
)

SEEDS = seeds()
SETTINGS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)


class Harness:
    """One stack on its own loop, kept across examples like a running app."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.stack: FuzzStack = self.loop.run_until_complete(self._make())
        self.answered: set[Identity] = set()

    @staticmethod
    async def _make() -> FuzzStack:
        return FuzzStack()

    def feed(self, data: bytes) -> None:
        async def step() -> None:
            self.stack.transport.sent.clear()
            self.stack.feed(data)
            # Let due transaction timers run, as the app's loop would, and
            # commit the stored rows (their 200s go out after the commit).
            await asyncio.sleep(0)
            await self.stack.messaging.drain()
            self._note_answers()

        self.loop.run_until_complete(step())
        assert not self.stack.errors.records, self.stack.errors.describe()

    def _note_answers(self) -> None:
        for data, _ in self.stack.transport.sent:
            identity = answered_identity(data)
            if identity is not None:
                self.answered.add(identity)

    def answers_options(self) -> bool:
        async def probe() -> bool:
            return self.stack.answers_options()

        return self.loop.run_until_complete(probe())

    def close(self) -> None:
        self.stack.close()
        self.loop.close()


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    h = Harness()
    yield h
    h.close()


@SETTINGS
@given(
    seed=st.sampled_from(SEEDS),
    rng_seed=st.integers(0, 2**32 - 1),
    rounds=st.integers(1, 8),
)
def test_mutated_real_messages(harness: Harness, seed: bytes, rng_seed: int, rounds: int) -> None:
    data = mutate(seed, random.Random(rng_seed), rounds)
    harness.feed(data)
    assert harness.answers_options()


@settings(SETTINGS, max_examples=150)
@given(data=st.binary(max_size=2048))
def test_random_bytes(harness: Harness, data: bytes) -> None:
    harness.feed(data)
    assert harness.answers_options()


@settings(SETTINGS, max_examples=100)
@given(
    text=st.text(max_size=200),
    charset=st.sampled_from(["UTF-8", "ISO-8859-1", "x-unknown", '"utf-16"', "utf-32be"]),
    n=st.integers(1, 10**6),
)
def test_valid_messages_with_any_body_are_stored_then_answered(
    harness: Harness, text: str, charset: str, n: int
) -> None:
    body = text.encode("utf-8", errors="surrogatepass")
    head = (
        f"MESSAGE sip:bob@example.test SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKv{n}x{len(body)};rport\r\n"
        f"Max-Forwards: 70\r\nFrom: <sip:fz{n % 7}@example.test>;tag=v{n}\r\n"
        f"To: <sip:bob@example.test>\r\nCall-ID: valid{n}-{len(body)}@fuzz\r\nCSeq: {n} MESSAGE\r\n"
        f"Content-Type: text/plain;charset={charset}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    harness.feed(head + body)
    statuses = [parse(data).status for data, _ in harness.stack.transport.sent]  # type: ignore[union-attr]
    assert statuses == [200]
    assert harness.answers_options()


def test_every_message_answered_200_is_stored(harness: Harness) -> None:
    # Runs after the property tests above (file order): every 200 they
    # provoked, mutated or not, names a row on disk.
    assert harness.answered, "the fuzzers never reached the store"
    assert harness.answered <= stored_identities(harness.stack.store)


def test_the_parser_of_our_own_output_is_total() -> None:
    # The harness parses every response the agent sends; check that the
    # oracle itself refuses garbage only with ParseError.
    with pytest.raises(ParseError):
        parse(b"\x00\xff")


def test_the_oracle_sees_a_caught_exception() -> None:
    # The invariant above relies on CaughtErrors; show it catches a handler bug
    # while the agent still answers (500) and keeps answering OPTIONS.
    loop = asyncio.new_event_loop()
    try:

        async def run() -> tuple[list[int], int, bool]:
            stack = FuzzStack()

            def broken(_incoming: object) -> None:
                raise RuntimeError("a bug in a handler")

            stack.agent.handle("INFO", broken)
            info = SEEDS[3].replace(b"OPTIONS", b"INFO")
            stack.feed(info)
            statuses = [parse(d).status for d, _ in stack.transport.sent]  # type: ignore[union-attr]
            caught = len(stack.errors.records)
            alive = stack.answers_options()
            stack.close()
            return statuses, caught, alive

        assert loop.run_until_complete(run()) == ([500], 1, True)
    finally:
        loop.close()
