"""CPIM to a plain-text-only client: 415/488, then the same message as text/plain."""

from __future__ import annotations

import time

import pytest

from softphone.services.formats import PLAIN_RECHECK
from softphone.sip import Request, Response
from softphone.sip.delivery import DeliveryState
from tests.services.apps import BOB, two_peers
from tests.services.scripted import ScriptedPeer, answer

D = DeliveryState


def plain_only(refusal: int) -> ScriptedPeer:
    def script(request: Request) -> list[Response]:
        # As baresip 1.0 does: text/plain only, anything else refused.
        if (request.headers.get("Content-Type") or "").startswith("text/plain"):
            return [answer(request, 200)]
        return [answer(request, refusal, ("Accept", "text/plain"))]

    return ScriptedPeer(script)


@pytest.mark.parametrize("refusal", [415, 488])
async def test_refused_cpim_goes_again_at_once_as_plain_text(refusal: int) -> None:
    async with two_peers() as (alice, _bob):
        peer = await ScriptedPeer.start(plain_only(refusal).script)
        try:
            alice.route_to(f"{peer.address.host}:{peer.address.port}")
            first = alice.app.messaging.send(BOB, "첫 번째")
            await alice.until(lambda: alice.history[first.id][-1].is_final)
            # One bubble, one history row, one final state.
            assert alice.history[first.id] == [D.QUEUED, D.SENDING, D.DELIVERED]
            assert [m.body for m in alice.app.store.messages(BOB)] == ["첫 번째"]
            types = [r.headers.get("Content-Type") for r in peer.requests]
            assert types == ["message/cpim", "text/plain;charset=UTF-8"]
            assert peer.requests[1].body == "첫 번째".encode()
            # Remembered: the next message goes plain directly.
            second = alice.app.messaging.send(BOB, "second")
            await alice.until(lambda: alice.history[second.id][-1].is_final)
            assert [r.headers.get("Content-Type") for r in peer.requests[2:]] == [
                "text/plain;charset=UTF-8"
            ]
            assert alice.app.store.plain_only_since(BOB) is not None
            # Some days later CPIM is tried again (the peer may have been updated).
            alice.app.store.set_plain_only(BOB, time.time() - PLAIN_RECHECK - 1)
            third = alice.app.messaging.send(BOB, "third")
            await alice.until(lambda: alice.history[third.id][-1].is_final)
            assert [r.headers.get("Content-Type") for r in peer.requests[3:]] == [
                "message/cpim",
                "text/plain;charset=UTF-8",
            ]
            assert alice.history[third.id] == [D.QUEUED, D.SENDING, D.DELIVERED]
        finally:
            peer.close()


async def test_a_peer_that_takes_cpim_again_is_forgotten_as_plain_only() -> None:
    async with two_peers() as (alice, bob):
        alice.app.store.set_plain_only(BOB, time.time() - PLAIN_RECHECK - 1)
        record = alice.app.messaging.send(BOB, "x")
        await alice.until(lambda: alice.history[record.id][-1].is_final)
        assert [m.imdn_id for m in bob.inbox] == [alice.app.store.message(record.id).imdn_id]
        assert alice.app.store.plain_only_since(BOB) is None


async def test_display_request_follows_the_setting() -> None:
    async with two_peers() as (alice, bob):
        import dataclasses

        alice.app.account = dataclasses.replace(alice.app.account, request_read_receipts=False)
        record = alice.app.messaging.send(BOB, "x")
        await alice.until(lambda: alice.history[record.id][-1].is_final)
        assert [m.disposition for m in bob.inbox] == ["positive-delivery"]
