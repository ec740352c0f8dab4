"""An idle registered app wakes as rarely as it can, against a real Kamailio.

Kamailio grants registrations and reg-event subscriptions at most 10 s
here (its `max_expires`), so refreshes come every few seconds: the
registration's after 5 s at the latest, up to 1 s early (RFC 3261 10.2.4
asks only that it come before expiry), a buddy's subscription after 5 s,
up to 1.25 s early (RFC 6665 4.1.2.2). The app as the CLI and the window
start it (`Application`, UDP, watching a buddy) must then refresh both on
shared wake-ups, and never let the binding lapse.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from softphone import wakeups
from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.services.registration import RegistrationState
from softphone.store import Store
from softphone.trace import Direction, TraceEntry
from tests.interop import harness
from tests.interop.conftest import USERS

pytestmark = [pytest.mark.interop, harness.requires_kamailio]


async def test_registration_refresh_shares_the_buddy_refresh_wake_up(tmp_path: Path) -> None:
    kam = await asyncio.to_thread(harness.start_kamailio, tmp_path, USERS, max_expires=10)
    account = Account(aor=f"sip:alice@{kam.domain}", registrar=kam.hostport)
    # No keep-alive: its ticks would be shared too and blur which timer is whose.
    app = Application(
        account,
        USERS["alice"],
        Store.open(":memory:"),
        AppOptions(listen_host="127.0.0.1", keepalive_interval=0),
    )
    loop = asyncio.get_running_loop()
    table = wakeups.for_loop()
    states: list[RegistrationState] = []
    app.on_registration(lambda status: states.append(status.state))
    # Each REGISTER sent while registered, with when the binding it refreshes
    # expires; and when each SUBSCRIBE went.
    refreshes: list[tuple[float, float]] = []
    subscribes: list[float] = []

    def observe(entry: TraceEntry) -> None:
        registration = app.registration
        if entry.direction is not Direction.OUT or registration is None:
            return
        if entry.first_line.startswith("REGISTER ") and registration.expires_at is not None:
            refreshes.append((loop.time(), registration.expires_at))
        elif entry.first_line.startswith("SUBSCRIBE "):
            subscribes.append(loop.time())

    app.agent.add_observer(observe)
    shared: list[float] = []
    try:
        await app.start()
        registration = app.registration
        assert registration is not None
        assert await registration.wait_registered(10)
        app.presence.watch(f"sip:bob@{kam.domain}")
        async with asyncio.timeout(30):
            while not shared:
                when = registration.refresh_at
                # The registration's refresh sleeps until *when*; the presence
                # service's timer for bob fires then too.
                owners = {getattr(cb, "__self__", None) for cb in table.callbacks(when or -1.0)}
                if app.presence in owners:
                    shared.append(when or -1.0)
                await asyncio.sleep(0.05)
        # The shared wake-up came: both refreshes went, the binding held.
        async with asyncio.timeout(10):
            while not (
                any(sent >= shared[0] for sent, _ in refreshes)
                and any(sent >= shared[0] for sent in subscribes)
            ):
                await asyncio.sleep(0.05)
        assert refreshes
        assert all(sent < expires for sent, expires in refreshes)
        assert states == [RegistrationState.REGISTERING, RegistrationState.REGISTERED]
    finally:
        await app.stop()
        app.store.close()
        await asyncio.to_thread(kam.stop)
