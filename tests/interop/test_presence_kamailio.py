"""Presence against a real Kamailio: joe's devices come and go, alice watches.

joe's devices are registered by SIPp (`uac_register_auth.xml`); alice's
`Presence` subscribes through Kamailio with digest (407) and must see joe
offline, online on one and then two devices, on one again after an
unregister, and offline with a last-seen time after the binding expires.
`softphone watch` is tested the same way as a black box (JSON lines).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from softphone.account import Account
from softphone.agent import UserAgent
from softphone.services.presence import BuddyState, BuddyStatus, NotifyReceived, Presence
from softphone.sip.auth import DigestClient
from softphone.transport.base import Address, Target, TransportKind
from tests.interop import harness
from tests.interop.conftest import USERS
from tests.interop.harness import KamailioProcess, SippResult, run_sipp

pytestmark = [pytest.mark.interop, harness.requires_kamailio, harness.requires_sipp]

JOE = "sip:joe@example.test"
ROOT = Path(__file__).resolve().parents[2]


def register_joe(kam: KamailioProcess, workdir: Path, port: int, expires: int) -> SippResult:
    """REGISTER joe with a Contact at 127.0.0.1:*port* (SIPp, digest)."""
    return run_sipp(
        "uac_register_auth.xml",
        workdir,
        remote=kam.hostport,
        service="joe",
        auth=("joe", USERS["joe"]),
        keys={"contact_port": str(port), "expires": str(expires)},
        wait=10,
    )


class Recorder:
    """Collects buddy states and NOTIFYs; waits for a condition on them."""

    def __init__(self, presence: Presence) -> None:
        self.presence = presence
        self.states: list[BuddyState] = []
        self.notifies: list[NotifyReceived] = []
        self._event = asyncio.Event()
        presence.on_change(self._on_state)
        presence.on_notify(self._on_notify)

    def _on_state(self, state: BuddyState) -> None:
        self.states.append(state)
        self._event.set()

    def _on_notify(self, notify: NotifyReceived) -> None:
        self.notifies.append(notify)
        self._event.set()

    async def until(self, predicate: object, what: str, timeout: float = 8.0) -> BuddyState:
        assert callable(predicate)
        try:
            async with asyncio.timeout(timeout):
                while not predicate(self.presence.state(JOE)):
                    self._event.clear()
                    await self._event.wait()
        except TimeoutError:
            raise AssertionError(f"{what}: last state {self.presence.state(JOE)}") from None
        return self.presence.state(JOE)


async def alice_presence(kam: KamailioProcess, **options: int) -> tuple[UserAgent, Presence]:
    """alice's Presence on its own agent, through *kam* with digest (not started)."""
    agent = UserAgent()
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    target = Target(Address(kam.host, kam.port), TransportKind.UDP)

    async def locate() -> Target:
        return target

    account = Account(aor="sip:alice@example.test")
    return agent, Presence(agent, account, DigestClient("alice", USERS["alice"]), locate, **options)


@pytest.fixture
async def alice(kamailio: KamailioProcess) -> AsyncIterator[Recorder]:
    agent, presence = await alice_presence(kamailio)
    recorder = Recorder(presence)
    presence.start()
    yield recorder
    await presence.stop(timeout=3.0)
    agent.close()


async def test_watcher_follows_joes_devices(
    kamailio: KamailioProcess, alice: Recorder, tmp_path: Path
) -> None:
    workdir = tmp_path / "sipp"
    port_a, port_b = harness.free_port(), harness.free_port()
    device_a = f"sip:joe@127.0.0.1:{port_a};transport=UDP"
    device_b = f"sip:joe@127.0.0.1:{port_b};transport=UDP"

    alice.presence.watch(JOE)
    state = await alice.until(lambda s: s.status is BuddyStatus.OFFLINE, "offline first")
    assert (state.devices, state.last_seen) == ((), None)

    result = await asyncio.to_thread(register_joe, kamailio, workdir, port_a, 3600)
    assert result.final_statuses() == [401, 200]
    state = await alice.until(lambda s: s.status is BuddyStatus.ONLINE, "online")
    assert [d.uri for d in state.devices] == [device_a]
    assert state.detail == "online on 1 device"

    # The second device lives 10 s (Kamailio's minimum) and then expires.
    await asyncio.to_thread(register_joe, kamailio, workdir, port_b, 10)
    state = await alice.until(lambda s: len(s.devices) == 2, "two devices")
    assert sorted(d.uri for d in state.devices) == sorted([device_a, device_b])
    assert state.detail == "online on 2 devices"

    await asyncio.to_thread(register_joe, kamailio, workdir, port_a, 0)
    state = await alice.until(lambda s: [d.uri for d in s.devices] == [device_b], "one device")
    assert state.status is BuddyStatus.ONLINE

    state = await alice.until(
        lambda s: s.status is BuddyStatus.OFFLINE, "expired to offline", timeout=15.0
    )
    assert state.last_seen is not None
    assert state.detail.startswith("offline, last seen ")
    statuses = [s.status for s in alice.states]
    assert statuses[0] is BuddyStatus.UNKNOWN
    assert BuddyStatus.ONLINE in statuses and statuses[-1] is BuddyStatus.OFFLINE

    # What Kamailio sent: every NOTIFY answered 200, every document full
    # with version 0 (docs/kamailio.md); the first had no body.
    sequence = [(n.status, n.subscription_state, n.version, n.full) for n in alice.notifies]
    (tmp_path / "notify-sequence.txt").write_text("\n".join(map(str, sequence)))
    assert all(status == 200 for status, *_ in sequence)
    assert sequence[0] == (200, "active", None, None)
    assert {(version, full) for _, _, version, full in sequence[1:]} == {(0, True)}
    assert len(sequence) >= 5


async def test_unknown_user_is_no_such_user(alice: Recorder) -> None:
    alice.presence.watch("sip:nobody@example.test")
    async with asyncio.timeout(8.0):
        while alice.presence.state("sip:nobody@example.test").status is BuddyStatus.UNKNOWN:
            await asyncio.sleep(0.05)
    state = alice.presence.state("sip:nobody@example.test")
    assert (state.status, state.detail) == (BuddyStatus.NO_SUCH_USER, "unknown user (404)")


async def test_refreshes_through_kamailio_share_a_wake_up(kamailio: KamailioProcess) -> None:
    # Four buddies watched 0.1 s apart for 8 s each (Kamailio grants what is
    # asked: presence min_expires 0). Each refresh is due 4 s after its 2xx
    # and may go 1 s early (RFC 6665 4.1.2.2); the aligned timers send them
    # together (two groups at most where the spread straddles the step),
    # each refresh through Kamailio's digest is answered 200, and every
    # buddy stays known.
    agent, presence = await alice_presence(kamailio, expires=8)
    loop = asyncio.get_running_loop()
    refreshed: list[tuple[float, str, int | None]] = []
    presence.on_subscribe(
        lambda o: refreshed.append((loop.time(), o.aor, o.status)) if o.kind == "refresh" else None
    )
    presence.start()
    buddies = [f"sip:{name}@example.test" for name in ("bob", "carol", "joe", "welcome")]
    try:
        for aor in buddies:
            presence.watch(aor)
            await asyncio.sleep(0.1)
        async with asyncio.timeout(15):
            while len(refreshed) < len(buddies):
                await asyncio.sleep(0.1)
        assert sorted(aor for _, aor, _ in refreshed) == buddies
        assert {status for _, _, status in refreshed} == {200}
        times = sorted(when for when, _, _ in refreshed)
        groups = 1 + sum(1 for a, b in itertools.pairwise(times) if b - a > 0.05)
        assert groups <= 2, times
        assert all(presence.state(aor).status is BuddyStatus.OFFLINE for aor in buddies)
    finally:
        await presence.stop(timeout=3.0)
        agent.close()


async def test_a_burst_of_buddies_is_told_once_per_loop_turn(
    kamailio: KamailioProcess, tmp_path: Path
) -> None:
    # joe is registered; bob, carol and welcome are not. alice watches all
    # four at once, as the window does at start-up: every change reaches the
    # `on_changes` listeners in the order `on_change` saw them, the ones of
    # one loop turn in one call, and the last state told is each buddy's.
    result = await asyncio.to_thread(
        register_joe, kamailio, tmp_path / "sipp", harness.free_port(), 3600
    )
    assert result.final_statuses() == [401, 200]
    agent, presence = await alice_presence(kamailio)
    one_by_one: list[BuddyState] = []
    batches: list[tuple[BuddyState, ...]] = []
    presence.on_change(one_by_one.append)
    presence.on_changes(batches.append)
    presence.start()
    others = [f"sip:{name}@example.test" for name in ("bob", "carol", "welcome")]
    buddies = [JOE, *others]
    try:
        for aor in buddies:
            presence.watch(aor)
        async with asyncio.timeout(10):
            while not (
                all(presence.synced(aor) for aor in buddies)
                and presence.state(JOE).status is BuddyStatus.ONLINE
            ):
                await asyncio.sleep(0.05)
        await asyncio.sleep(0)
        assert [state for batch in batches for state in batch] == one_by_one
        assert [(s.aor, s.detail) for s in batches[0]] == [(a, "subscribing…") for a in buddies]
        last = {state.aor: state for batch in batches for state in batch}
        assert [last[aor] for aor in buddies] == [presence.state(aor) for aor in buddies]
        assert [last[aor].status for aor in buddies] == [
            BuddyStatus.ONLINE,
            *[BuddyStatus.OFFLINE] * len(others),
        ]
    finally:
        await presence.stop(timeout=3.0)
        agent.close()


def _lines(stream: object, out: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        out.put(line)


def test_softphone_watch_prints_json_lines(kamailio: KamailioProcess, tmp_path: Path) -> None:
    env = dict(os.environ, ALICE_PASSWORD=USERS["alice"], PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-m", "softphone", "watch", JOE, "--aor", "sip:alice@example.test"]
    argv += ["--password-env", "ALICE_PASSWORD", "--registrar", kamailio.hostport]
    argv += ["--listen-host", "127.0.0.1"]
    # No settings file of the machine's user: the flags are the account.
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()

    def next_state(state: str, timeout: float = 10.0) -> dict[str, object]:
        while True:
            try:
                obj = json.loads(lines.get(timeout=timeout))
            except queue.Empty:
                raise AssertionError(f"no {state!r} line") from None
            if obj["state"] == state:
                return dict(obj)

    try:
        offline = next_state("offline")
        assert offline["aor"] == JOE and offline["devices"] == []
        port = harness.free_port()
        register_joe(kamailio, tmp_path / "sipp", port, 3600)
        online = next_state("online")
        devices = online["devices"]
        assert isinstance(devices, list)
        assert [d["uri"] for d in devices] == [f"sip:joe@127.0.0.1:{port};transport=UDP"]
        assert online["last_seen"] is not None
        register_joe(kamailio, tmp_path / "sipp", port, 0)
        gone = next_state("offline")
        assert gone["last_seen"] is not None
    finally:
        process.terminate()
        try:
            code = process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait(5)
    assert code == 0, process.stderr.read() if process.stderr else ""
