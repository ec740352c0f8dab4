"""The account's server goes away and comes back: the whole product follows.

Kamailio keeps registrations and subscriptions in memory only (usrloc
db_mode 0, presence subs_db_mode 0), like many real servers: after a
restart it knows none of them. The apps here run with a short keep-alive,
so the loss is noticed by the keep-alive (an OPTIONS unanswered on UDP),
reported in words, and everything is made again when the server is back.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from softphone.account import Account
from softphone.app import Application, AppOptions
from softphone.buddy import BuddyState, BuddyStatus
from softphone.services.registration import RegistrationState, RegistrationStatus, RetryPolicy
from softphone.store import Store
from tests.interop import harness
from tests.interop.conftest import USERS
from tests.interop.harness import KamailioProcess

pytestmark = [pytest.mark.interop, harness.requires_kamailio]

B = BuddyStatus
S = RegistrationState
BOB = "sip:bob@example.test"
#: Keep-alive interval and how long a probe waits (seconds).
INTERVAL, PROBE_WAIT = 2.0, 1.0


def make_app(kam: KamailioProcess, user: str) -> Application:
    account = Account(aor=f"sip:{user}@{kam.domain}", registrar=kam.hostport)
    return Application(
        account,
        USERS[user],
        Store.open(":memory:"),
        AppOptions(
            listen_host="127.0.0.1",
            expires=60,
            keepalive_interval=INTERVAL,
            keepalive_timeout=PROBE_WAIT,
            retry=RetryPolicy(first=1.0, maximum=2.0),
        ),
    )


async def until(predicate: Callable[[], bool], what: str, timeout: float) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"not seen within {timeout} s: {what}") from None


def restart(kam: KamailioProcess, tmp_path: Path, name: str) -> KamailioProcess:
    """Start a new Kamailio on the same port (it remembers nothing)."""
    return harness.start_kamailio(tmp_path / name, USERS, port=kam.port)


def collapse(states: list[BuddyState]) -> list[tuple[BuddyStatus, str]]:
    """(status, first words of the detail), repeats of the same one merged."""
    out: list[tuple[BuddyStatus, str]] = []
    for state in states:
        key = (state.status, state.detail.split(",")[0])
        if not out or out[-1] != key:
            out.append(key)
    return out


async def test_buddy_follows_a_server_restart(tmp_path: Path) -> None:
    kam = harness.start_kamailio(tmp_path / "first", USERS)
    alice, bob = make_app(kam, "alice"), make_app(kam, "bob")
    seen: list[BuddyState] = []
    statuses: list[RegistrationStatus] = []
    alice.presence.on_change(lambda s: seen.append(s) if s.aor == BOB else None)
    alice.on_registration(statuses.append)
    try:
        await bob.start()
        # Bob registered before Alice subscribes: her first NOTIFY says
        # online (the race of the two is the restart's, checked below).
        await until(bob.is_ready, "bob registered", 10)
        await alice.start()
        alice.presence.watch(BOB)
        await until(lambda: alice.presence.state(BOB).status is B.ONLINE, "bob online", 10)

        kam.stop()
        # The keep-alive notices within one interval plus its probe's wait.
        await until(
            lambda: alice.presence.state(BOB).detail.startswith("unknown (server unreachable)"),
            "bob unknown while the server is away",
            INTERVAL + PROBE_WAIT + 2.0,
        )
        assert alice.presence.state(BOB).last_seen is not None
        kam = restart(kam, tmp_path, "second")
        # Both apps register again by themselves; Alice subscribes anew.
        await until(lambda: alice.presence.state(BOB).status is B.ONLINE, "bob online again", 45)
        await bob.stop()
        await until(lambda: alice.presence.state(BOB).status is B.OFFLINE, "bob offline", 10)
    finally:
        await alice.stop()
        if bob._started:
            await bob.stop()
        kam.stop()
    history = collapse(seen)
    # Never a stale "online": after the loss, online again only from the new
    # subscription's NOTIFY (an "offline" may come first when Bob registers
    # after Alice subscribed again).
    lost = history.index((B.UNKNOWN, "unknown (server unreachable)"))
    assert history[:lost] == [(B.UNKNOWN, "subscribing…"), (B.ONLINE, "online on 1 device")]
    assert history[lost + 1] == (B.UNKNOWN, "unknown (reconnecting)")
    rest = history[lost + 2 :]
    assert rest in (
        [(B.ONLINE, "online on 1 device"), (B.OFFLINE, "offline")],
        [(B.OFFLINE, "offline"), (B.ONLINE, "online on 1 device"), (B.OFFLINE, "offline")],
    ), history
    # The status bar said so in words, and recovered by itself.
    texts = [s.text for s in statuses]
    assert any(t.startswith(f"Connection to {kam.hostport} lost") for t in texts), texts
    assert statuses[-1].state in (S.REGISTERED, S.UNREGISTERED)


async def test_listen_reports_a_stopped_server_and_recovers(tmp_path: Path) -> None:
    # `softphone listen` prints every registration status as a JSON line:
    # the loss in words within one keep-alive interval plus the probe's
    # wait, and the recovery when the server is back, with nobody's help.
    from softphone.config import save_account
    from tests.interop.test_cli import ROOT, Listener, cli_env

    kam = harness.start_kamailio(tmp_path / "first", USERS)
    interval = 5  # the shortest keep-alive interval an account may have
    config = tmp_path / "account.toml"
    save_account(
        Account(
            aor=f"sip:alice@{kam.domain}",
            registrar=kam.hostport,
            password_env="PW_ALICE",
            keepalive_interval=interval,
        ),
        config,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "softphone",
        "listen",
        "--config",
        str(config),
        "--listen-host",
        "127.0.0.1",
        "--db",
        str(tmp_path / "alice.sqlite3"),
        env=cli_env(tmp_path),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    alice = Listener(process)

    async def next_registration(timeout: float) -> dict[str, object]:
        while True:
            line = await alice.next_line(timeout)
            if line.get("event") == "registration":
                return line

    try:
        await alice.registered()
        kam.stop()
        lost = await next_registration(interval + 10.0 + 3.0)
        kam = restart(kam, tmp_path, "second")
        back = lost
        while back.get("state") != "registered":
            back = await next_registration(30.0)
        assert await alice.interrupt() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        kam.stop()
    assert (lost["state"], str(lost["text"]).split(" (")[0]) == (
        "registering",
        f"Connection to {kam.hostport} lost",
    )
    registrations = [line for line in alice.lines if line.get("event") == "registration"]
    states = [line["state"] for line in registrations]
    # registering, registered, lost, (failed and registering again ...),
    # registered, then unregistered on quit: never "registered" while lost.
    assert states[:3] == ["registering", "registered", "registering"]
    assert states[-2:] == ["registered", "unregistered"]
    assert "registered" not in states[2:-2]
    for line in registrations:
        assert "timer" not in str(line["text"]).lower()
