"""RFC 3994 typing indications between two real Applications."""

from __future__ import annotations

import asyncio

import pytest

from softphone.services import typing as typing_module
from softphone.sip import Request, Response
from softphone.sip.iscomposing import ComposingState, build_iscomposing, parse_iscomposing
from tests.services.apps import ALICE, BOB, send_raw, two_peers
from tests.services.scripted import ScriptedPeer, answer


async def _until(check: object, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():  # type: ignore[operator]
            await asyncio.sleep(0.01)


async def test_active_then_idle_on_send_and_never_stored() -> None:
    async with two_peers() as (alice, bob):
        seen: list[tuple[str, bool]] = []
        bob.app.typing.on_change(lambda peer, typing: seen.append((peer, typing)))
        for _ in range(50):  # fifty key presses: one indication
            alice.app.typing.typed(BOB)
        await _until(lambda: seen == [(ALICE, True)])
        assert bob.app.typing.is_typing(ALICE)
        assert alice.app.typing.sent == 1
        # Sending the message says idle; the message itself also ends it.
        alice.app.messaging.send(BOB, "done typing")
        await _until(lambda: len(bob.inbox) == 1 and seen[-1] == (ALICE, False))
        await alice.app.typing.drain()
        assert seen == [(ALICE, True), (ALICE, False)]
        assert alice.app.typing.sent == 2
        # Nothing but the chat message was stored on either side.
        assert [m.body for m in bob.app.store.messages(ALICE)] == ["done typing"]
        assert [m.body for m in alice.app.store.messages(BOB)] == ["done typing"]


async def test_idle_after_a_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typing_module, "IDLE_AFTER", 0.2)
    async with two_peers() as (alice, bob):
        seen: list[bool] = []
        bob.app.typing.on_change(lambda peer, typing: seen.append(typing))
        alice.app.typing.typed(BOB)
        await _until(lambda: seen == [True, False])
        assert alice.app.typing.sent == 2


async def test_shown_until_the_refresh_interval_runs_out() -> None:
    async with two_peers() as (alice, bob):
        seen: list[bool] = []
        alice.app.typing.on_change(lambda peer, typing: seen.append(typing))
        body = build_iscomposing(ComposingState.ACTIVE, refresh=1)
        assert (await send_raw(bob, alice, body, "application/im-iscomposing+xml")).status == 200
        assert seen == [True]
        await _until(lambda: seen == [True, False])
        assert alice.app.store.messages(BOB) == []


async def test_a_peer_answering_415_gets_no_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typing_module, "MIN_GAP", 0.0)
    monkeypatch.setattr(typing_module, "REFRESH", 0.0)

    def script(request: Request) -> list[Response]:
        return [answer(request, 415, ("Accept", "text/plain"))]

    async with two_peers() as (alice, _bob):
        peer = await ScriptedPeer.start(script)
        try:
            alice.route_to(f"{peer.address.host}:{peer.address.port}")
            alice.app.typing.typed(BOB)
            await peer.wait_for(1)
            await alice.app.typing.drain()
            for _ in range(5):
                alice.app.typing.typed(BOB)
                alice.app.typing.stopped(BOB)
            await alice.app.typing.drain()
            assert len(peer.requests) == 1
            assert parse_iscomposing(peer.requests[0].body).state is ComposingState.ACTIVE
        finally:
            peer.close()
