"""Presence service against an in-process notifier (no Kamailio).

Covers the subscriber side of RFC 6665 as the service drives it (SUBSCRIBE
headers, 200/202, a NOTIFY before the 2xx, pending/active/terminated with
every reason, refresh, 481, unsubscribe, digest) and the buddy-state model
built from RFC 3680 documents, including Kamailio's habits (version 0 in
every full document, an empty first NOTIFY, contacts that just disappear).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest

from softphone import wakeups
from softphone.account import Account
from softphone.agent import UserAgent
from softphone.buddy import format_time
from softphone.services.presence import BuddyState, BuddyStatus, Presence, normalize_aor
from softphone.sip import Request
from softphone.sip.auth import DigestClient, make_challenge, parse_credentials, verify
from softphone.sip.reginfo import ChangeKind, ContactChange
from softphone.sip.subscription import TIMER_N
from softphone.transport.base import Target, TransportKind
from tests.services.notifier import Dialog, Notifier, Policy, accept, reginfo, stray_dialog

JOE = "sip:joe@example.test"
PHONE = "sip:joe@192.0.2.10:5060"
LAPTOP = "sip:joe@192.0.2.11:5062;transport=tcp"


class Clock:
    """Epoch seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class Watcher:
    """A Presence service on its own UserAgent, recording what it reports."""

    def __init__(self, presence: Presence, agent: UserAgent) -> None:
        self.presence = presence
        self.agent = agent
        self.changes: list[BuddyState] = []
        self.contacts: list[tuple[str, ContactChange]] = []
        self._changed = asyncio.Event()
        presence.on_change(self._on_change)
        presence.on_contact_event(lambda aor, change: self.contacts.append((aor, change)))

    def _on_change(self, state: BuddyState) -> None:
        self.changes.append(state)
        self._changed.set()

    def statuses(self, aor: str = JOE) -> list[BuddyStatus]:
        """The status history of *aor*, consecutive repeats folded."""
        out: list[BuddyStatus] = []
        for state in self.changes:
            if state.aor == aor and (not out or out[-1] is not state.status):
                out.append(state.status)
        return out

    async def wait_status(
        self, status: BuddyStatus, aor: str = JOE, *, timeout: float = 5.0
    ) -> BuddyState:
        """Wait until *aor* has *status*; return that state."""
        async with asyncio.timeout(timeout):
            while self.presence.state(aor).status is not status:
                self._changed.clear()
                await self._changed.wait()
        return self.presence.state(aor)


async def make_watcher(
    notifier: Notifier, *, digest: DigestClient | None = None, clock: Clock | None = None
) -> Watcher:
    agent = UserAgent()
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    target = notifier.target

    async def locate() -> Target:
        return target

    account = Account(aor="sip:alice@example.test")
    presence = Presence(agent, account, digest, locate, clock=clock or Clock(), expires=600)
    presence.start()
    return Watcher(presence, agent)


@pytest.fixture
async def notifier() -> AsyncIterator[Notifier]:
    peer = await Notifier.start()
    yield peer
    peer.close()


@pytest.fixture
async def watcher(notifier: Notifier) -> AsyncIterator[Watcher]:
    w = await make_watcher(notifier)
    yield w
    await w.presence.stop(timeout=2.0)
    w.agent.close()


async def subscribed(watcher: Watcher, notifier: Notifier, count: int = 1) -> Dialog:
    """Watch joe and return the dialog of the *count*-th SUBSCRIBE."""
    watcher.presence.watch(JOE)
    request = (await notifier.wait_subscribes(count))[count - 1]
    return notifier.dialog_of(request)


# -- SUBSCRIBE and the first NOTIFY ---------------------------------------------


async def test_subscribe_carries_reg_event_headers(watcher: Watcher, notifier: Notifier) -> None:
    dialog = await subscribed(watcher, notifier)
    request = notifier.subscribes[0]
    assert request.method == "SUBSCRIBE"
    assert str(request.uri) == JOE
    assert request.headers.get("Event") == "reg"
    assert request.headers.get("Accept") == "application/reginfo+xml"
    assert request.expires == 600
    assert str(request.to.uri) == JOE and request.to.tag is None
    assert str(request.from_.uri) == "sip:alice@example.test" and request.from_.tag
    assert watcher.presence.state(JOE).status is BuddyStatus.UNKNOWN

    response = await notifier.notify(
        dialog, body=reginfo(JOE, [("c1", "active", "created", PHONE)])
    )
    assert response.status == 200
    state = await watcher.wait_status(BuddyStatus.ONLINE)
    assert [d.uri for d in state.devices] == [PHONE]
    assert state.detail == "online on 1 device"
    assert watcher.statuses() == [BuddyStatus.UNKNOWN, BuddyStatus.ONLINE]


async def test_202_then_active_notify(notifier: Notifier) -> None:
    notifier.policy = accept(status=202)
    watcher = await make_watcher(notifier)
    try:
        dialog = await subscribed(watcher, notifier)
        await notifier.notify(dialog, body=reginfo(JOE))
        state = await watcher.wait_status(BuddyStatus.OFFLINE)
        assert state.devices == () and state.last_seen is None
        assert state.detail == "offline"
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()


async def test_notify_before_the_2xx_creates_the_dialog(
    watcher: Watcher, notifier: Notifier
) -> None:
    notifier.answer_at_once = False
    dialog = await subscribed(watcher, notifier)
    response = await notifier.notify(
        dialog, body=reginfo(JOE, [("c1", "active", "created", PHONE)])
    )
    assert response.status == 200
    await watcher.wait_status(BuddyStatus.ONLINE)
    notifier.answer_held()  # the 200 comes late, with the same To tag
    await asyncio.sleep(0.2)
    assert watcher.presence.state(JOE).status is BuddyStatus.ONLINE


async def test_a_notify_read_right_behind_the_2xx_is_taken_after_it(
    watcher: Watcher, notifier: Notifier
) -> None:
    # The 200 and the first NOTIFY reach the watcher in one burst, read in
    # one run: the answer is taken in first, then the NOTIFY, as they came.
    notifier.answer_at_once = False
    told: list[str] = []
    watcher.presence.on_subscribe(lambda outcome: told.append(f"{outcome.kind} {outcome.status}"))
    watcher.presence.on_notify(lambda notify: told.append(f"notify {notify.status}"))
    watcher.presence.watch(JOE)
    [request] = await notifier.wait_subscribes(1)
    notifier.answer_held()  # the 200 goes out at the end of this turn ...
    dialog = notifier.dialogs[request.call_id]
    # ... and the NOTIFY right behind it, before the watcher reads either.
    notifying = asyncio.ensure_future(
        notifier.notify(dialog, body=reginfo(JOE, [("c1", "active", "created", PHONE)]))
    )
    assert (await notifying).status == 200
    await watcher.wait_status(BuddyStatus.ONLINE)
    assert told == ["initial 200", "notify 200"]
    assert watcher.statuses() == [BuddyStatus.UNKNOWN, BuddyStatus.ONLINE]


async def test_pending_shows_waiting_then_active(watcher: Watcher, notifier: Notifier) -> None:
    dialog = await subscribed(watcher, notifier)
    await notifier.notify(dialog, "pending;expires=600")
    state = await watcher.wait_status(BuddyStatus.WAITING)
    assert state.detail == "waiting for authorization"
    await notifier.notify(
        dialog, "active;expires=600", reginfo(JOE, [("c1", "active", "registered", PHONE)])
    )
    await watcher.wait_status(BuddyStatus.ONLINE)
    assert watcher.statuses() == [BuddyStatus.UNKNOWN, BuddyStatus.WAITING, BuddyStatus.ONLINE]


async def test_notify_for_no_subscription_gets_481(watcher: Watcher, notifier: Notifier) -> None:
    dialog = await subscribed(watcher, notifier)
    response = await notifier.notify(stray_dialog(dialog), body=reginfo(JOE))
    assert response.status == 481
    assert watcher.presence.state(JOE).status is BuddyStatus.UNKNOWN


async def test_bad_body_type_is_refused_and_changes_nothing(
    watcher: Watcher, notifier: Notifier
) -> None:
    dialog = await subscribed(watcher, notifier)
    response = await notifier.notify(dialog, body="hello", content_type="text/plain")
    assert response.status == 415
    response = await notifier.notify(dialog, body="<reginfo")
    assert response.status == 400
    assert watcher.presence.state(JOE).status is BuddyStatus.UNKNOWN


# -- termination reasons (RFC 6665 §4.1.3) ---------------------------------------


@pytest.mark.parametrize("reason", ["deactivated", "timeout"])
async def test_deactivated_and_timeout_resubscribe_at_once(
    watcher: Watcher, notifier: Notifier, reason: str
) -> None:
    dialog = await subscribed(watcher, notifier)
    await notifier.notify(dialog, body=reginfo(JOE, [("c1", "active", "created", PHONE)]))
    await watcher.wait_status(BuddyStatus.ONLINE)
    response = await notifier.notify(dialog, f"terminated;reason={reason}")
    assert response.status == 200
    second = (await notifier.wait_subscribes(2, timeout=2.0))[1]
    # A new subscription is a new dialog: new Call-ID, no To tag.
    assert second.call_id != dialog.call_id and second.to.tag is None
    # Meanwhile the last known state stays: no flicker to unknown.
    assert watcher.statuses() == [BuddyStatus.UNKNOWN, BuddyStatus.ONLINE]
    new = notifier.dialog_of(second)
    await notifier.notify(new, body=reginfo(JOE))
    await watcher.wait_status(BuddyStatus.OFFLINE)


@pytest.mark.parametrize("reason", ["probation", "giveup"])
async def test_probation_and_giveup_wait_for_retry_after(
    watcher: Watcher, notifier: Notifier, reason: str
) -> None:
    dialog = await subscribed(watcher, notifier)
    await notifier.notify(dialog, f"terminated;reason={reason};retry-after=1")
    state = await watcher.wait_status(BuddyStatus.UNKNOWN)
    assert state.detail == f"unknown: subscription ended ({reason}), retrying in 1 s"
    await asyncio.sleep(0.3)
    assert len(notifier.subscribes) == 1  # not before retry-after
    second = (await notifier.wait_subscribes(2, timeout=3.0))[1]
    assert second.call_id != dialog.call_id


@pytest.mark.parametrize(
    ("reason", "status", "detail"),
    [
        ("rejected", BuddyStatus.NOT_ALLOWED, "not allowed (rejected)"),
        ("noresource", BuddyStatus.NO_SUCH_USER, "unknown user (noresource)"),
        ("invariant", BuddyStatus.UNKNOWN, "unknown: subscription ended (invariant)"),
    ],
)
async def test_stop_reasons_never_resubscribe(
    watcher: Watcher, notifier: Notifier, reason: str, status: BuddyStatus, detail: str
) -> None:
    dialog = await subscribed(watcher, notifier)
    await notifier.notify(dialog, body=reginfo(JOE, [("c1", "active", "created", PHONE)]))
    await watcher.wait_status(BuddyStatus.ONLINE)
    await notifier.notify(dialog, f"terminated;reason={reason}")
    state = await watcher.wait_status(status)
    assert state.detail == detail
    assert state.devices == ()
    await asyncio.sleep(0.5)
    assert len(notifier.subscribes) == 1


@pytest.mark.parametrize(
    ("code", "status", "detail"),
    [
        (404, BuddyStatus.NO_SUCH_USER, "unknown user (404)"),
        (403, BuddyStatus.NOT_ALLOWED, "not allowed (403 Forbidden)"),
        (603, BuddyStatus.NOT_ALLOWED, "not allowed (603 Decline)"),
    ],
)
async def test_refused_subscribe_says_why(
    notifier: Notifier, code: int, status: BuddyStatus, detail: str
) -> None:
    notifier.policy = lambda request: (code, [])
    watcher = await make_watcher(notifier)
    try:
        watcher.presence.watch(JOE)
        state = await watcher.wait_status(status)
        assert state.detail == detail
        await asyncio.sleep(0.3)
        assert len(notifier.subscribes) == 1
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()


# -- refresh, unsubscribe, digest -----------------------------------------------


async def test_refresh_before_expiry_in_the_dialog(notifier: Notifier) -> None:
    notifier.policy = accept(expires=2)
    watcher = await make_watcher(notifier)
    try:
        dialog = await subscribed(watcher, notifier)
        await notifier.notify(dialog, "active;expires=2", reginfo(JOE))
        await watcher.wait_status(BuddyStatus.OFFLINE)
        first, refresh = await notifier.wait_subscribes(2, timeout=3.0)
        assert refresh.call_id == first.call_id
        assert refresh.to.tag == dialog.local_tag
        assert refresh.cseq.seq > first.cseq.seq
        assert str(refresh.uri) == f"sip:notifier@{notifier.address.sent_by}"  # remote target
        # The refresh asks for the duration we want again (RFC 6665 §4.1.2.2).
        assert refresh.expires == 600
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()


async def test_refreshes_of_buddies_watched_one_by_one_share_a_wake_up(
    notifier: Notifier,
) -> None:
    # Eight buddies watched 0.1 s apart, each granted 8 s: each refresh is
    # due 4 s after its 2xx and may go up to 1 s early (RFC 6665 4.1.2.2
    # allows any time before expiry). The refresh timers are aligned, so the
    # refreshes go out together (at most two groups where the spread
    # straddles the alignment step), not one wake-up per buddy.
    from softphone.services.presence import SubscribeOutcome

    notifier.policy = accept(expires=8)
    buddies = [f"sip:b{n}@example.test" for n in range(8)]
    watcher = await make_watcher(notifier)
    loop = asyncio.get_running_loop()
    refreshed: list[tuple[float, str]] = []

    def on_subscribe(outcome: SubscribeOutcome) -> None:
        if outcome.kind == "refresh":
            refreshed.append((loop.time(), outcome.aor))

    watcher.presence.on_subscribe(on_subscribe)
    try:
        for count, aor in enumerate(buddies, start=1):
            watcher.presence.watch(aor)
            [*_, request] = await notifier.wait_subscribes(count)
            await notifier.notify(notifier.dialog_of(request), "active;expires=8", reginfo(aor))
            await asyncio.sleep(0.1)
        async with asyncio.timeout(10):
            while len(refreshed) < len(buddies):
                await asyncio.sleep(0.1)
        assert sorted(aor for _, aor in refreshed) == buddies
        times = sorted(when for when, _ in refreshed)
        groups = 1 + sum(1 for a, b in itertools.pairwise(times) if b - a > 0.05)
        assert groups <= 2, times
        # Every one is still refreshed in the dialog before it expires.
        assert all(r.expires == 600 for r in notifier.subscribes[len(buddies) :])
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()


async def test_stop_unsubscribes_with_expires_0(watcher: Watcher, notifier: Notifier) -> None:
    dialog = await subscribed(watcher, notifier)
    await notifier.notify(dialog, body=reginfo(JOE))
    await watcher.wait_status(BuddyStatus.OFFLINE)
    await watcher.presence.stop(timeout=2.0)
    last = notifier.subscribes[-1]
    assert len(notifier.subscribes) == 2
    assert last.expires == 0 and last.call_id == dialog.call_id and last.to.tag == dialog.local_tag
    # The final NOTIFY after the unsubscribe is still answered 200 (§4.1.2.3).
    response = await notifier.notify(dialog, "terminated;reason=timeout")
    assert response.status == 200


async def test_unwatch_unsubscribes_and_forgets(watcher: Watcher, notifier: Notifier) -> None:
    dialog = await subscribed(watcher, notifier)
    await notifier.notify(dialog, body=reginfo(JOE))
    await watcher.wait_status(BuddyStatus.OFFLINE)
    watcher.presence.unwatch(JOE)
    last = (await notifier.wait_subscribes(2))[-1]
    assert last.expires == 0
    assert watcher.presence.state(JOE).detail == "not watched"
    assert watcher.presence.states() == []


async def test_watch_is_idempotent(watcher: Watcher, notifier: Notifier) -> None:
    watcher.presence.watch(JOE)
    watcher.presence.watch("joe@EXAMPLE.test")
    await notifier.wait_subscribes(1)
    await asyncio.sleep(0.2)
    assert len(notifier.subscribes) == 1
    assert [s.aor for s in watcher.presence.states()] == [JOE]


def _challenging(inner: Policy) -> Policy:
    def policy(request: Request) -> tuple[int, list[tuple[str, str]]]:
        if "Proxy-Authorization" not in request.headers:
            challenge = make_challenge(realm="example.test", nonce="n1")
            return 407, [("Proxy-Authenticate", str(challenge))]
        return inner(request)

    return policy


async def test_digest_challenge_is_answered(notifier: Notifier) -> None:
    notifier.policy = _challenging(accept())
    watcher = await make_watcher(notifier, digest=DigestClient("alice", "secret"))
    try:
        watcher.presence.watch(JOE)
        first, second = await notifier.wait_subscribes(2)
        assert "Proxy-Authorization" not in first.headers
        credentials = second.headers.get("Proxy-Authorization") or ""
        assert 'username="alice"' in credentials and 'realm="example.test"' in credentials
        assert second.call_id == first.call_id and second.cseq.seq == first.cseq.seq + 1
        dialog = notifier.dialog_of(second)
        await notifier.notify(dialog, body=reginfo(JOE))
        await watcher.wait_status(BuddyStatus.OFFLINE)
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()


async def test_buddies_after_the_first_challenge_carry_fresh_credentials_that_verify(
    notifier: Notifier,
) -> None:
    # The first SUBSCRIBE is challenged; the others carry credentials for
    # the same nonce pre-emptively (RFC 3261 22.3), each with the next nonce
    # count and a client nonce of its own (RFC 7616 3.4), each one right.
    buddies = [f"sip:b{n}@example.test" for n in range(6)]
    notifier.policy = _challenging(accept())
    watcher = await make_watcher(notifier, digest=DigestClient("alice", "secret"))
    try:
        for aor in buddies:
            watcher.presence.watch(aor)
        first, *answered = await notifier.wait_subscribes(len(buddies) + 1)
        assert "Proxy-Authorization" not in first.headers
        sent = [
            (request, parse_credentials(request.headers.get("Proxy-Authorization") or ""))
            for request in answered
        ]
        assert sorted(str(r.uri) for r, _ in sent) == buddies
        assert sorted(c.nc or 0 for _, c in sent) == list(range(1, len(buddies) + 1))
        assert len({c.cnonce for _, c in sent}) == len(buddies)
        for request, creds in sent:
            assert (creds.realm, creds.nonce, creds.uri) == ("example.test", "n1", str(request.uri))
            assert verify(creds, method="SUBSCRIBE", password="secret", username="alice")
            assert not verify(creds, method="SUBSCRIBE", password="secreT", username="alice")
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()


async def test_challenge_without_password_is_not_allowed(notifier: Notifier) -> None:
    notifier.policy = _challenging(accept())
    watcher = await make_watcher(notifier)
    try:
        watcher.presence.watch(JOE)
        state = await watcher.wait_status(BuddyStatus.NOT_ALLOWED)
        assert state.detail == "not allowed (407 Proxy Authentication Required)"
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()


# -- the state model with Kamailio's documents ----------------------------------


async def test_devices_come_and_go_like_kamailio_sends_them(notifier: Notifier) -> None:
    clock = Clock()
    watcher = await make_watcher(notifier, clock=clock)
    try:
        dialog = await subscribed(watcher, notifier)
        # 1. Nothing registered: Kamailio sends an active NOTIFY with no body.
        assert (await notifier.notify(dialog)).status == 200
        state = await watcher.wait_status(BuddyStatus.OFFLINE)
        assert (state.devices, state.last_seen) == ((), None)
        # 2. The phone registers; every document is full with version 0.
        clock.now += 60
        await notifier.notify(dialog, body=reginfo(JOE, [("a", "active", "created", PHONE)]))
        state = await watcher.wait_status(BuddyStatus.ONLINE)
        assert [(d.uri, d.registered_since) for d in state.devices] == [(PHONE, clock.now)]
        # 3. A second device; the first repeats event="registered".
        clock.now += 60
        both = [("a", "active", "registered", PHONE), ("b", "active", "created", LAPTOP)]
        await notifier.notify(dialog, body=reginfo(JOE, both))
        await asyncio.sleep(0.1)
        state = watcher.presence.state(JOE)
        assert [d.uri for d in state.devices] == [PHONE, LAPTOP]
        assert state.detail == "online on 2 devices"
        assert state.devices[0].registered_since == clock.now - 60
        # 4. The phone unregisters.
        clock.now += 60
        one = [("a", "terminated", "unregistered", PHONE), ("b", "active", "registered", LAPTOP)]
        await notifier.notify(dialog, body=reginfo(JOE, one))
        await asyncio.sleep(0.1)
        assert [d.uri for d in watcher.presence.state(JOE).devices] == [LAPTOP]
        # 5. The laptop's binding expires: it simply disappears.
        clock.now += 60
        await notifier.notify(dialog, body=reginfo(JOE, [], reg_state="active"))
        state = await watcher.wait_status(BuddyStatus.OFFLINE)
        assert state.last_seen == clock.now
        assert state.detail.startswith("offline, last seen ")
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()
    kinds = [(change.kind, change.contact.uri) for _, change in watcher.contacts]
    assert kinds == [
        (ChangeKind.ADDED, PHONE),
        (ChangeKind.CHANGED, PHONE),  # event created -> registered
        (ChangeKind.ADDED, LAPTOP),
        (ChangeKind.REMOVED, PHONE),
        (ChangeKind.CHANGED, LAPTOP),
        (ChangeKind.REMOVED, LAPTOP),
    ]
    statuses = watcher.statuses()
    assert statuses == [
        BuddyStatus.UNKNOWN,
        BuddyStatus.OFFLINE,
        BuddyStatus.ONLINE,
        BuddyStatus.OFFLINE,
    ]


async def test_version_gap_asks_for_full_state_once(watcher: Watcher, notifier: Notifier) -> None:
    dialog = await subscribed(watcher, notifier)
    await notifier.notify(dialog, body=reginfo(JOE, [("a", "active", "created", PHONE)], version=0))
    await watcher.wait_status(BuddyStatus.ONLINE)
    gap = reginfo(JOE, [("b", "active", "created", LAPTOP)], version=5, doc_state="partial")
    assert (await notifier.notify(dialog, body=gap)).status == 200
    refresh = (await notifier.wait_subscribes(2))[1]
    assert refresh.call_id == dialog.call_id and refresh.expires == 600
    # Another gap while the full state is on its way: no second refresh.
    gap2 = reginfo(JOE, [("c", "active", "created", LAPTOP)], version=9, doc_state="partial")
    await notifier.notify(dialog, body=gap2)
    await asyncio.sleep(0.3)
    assert len(notifier.subscribes) == 2
    assert [d.uri for d in watcher.presence.state(JOE).devices] == [PHONE]
    # The full state replaces everything, even with a lower version.
    full = [("a", "active", "registered", PHONE), ("b", "active", "registered", LAPTOP)]
    await notifier.notify(dialog, body=reginfo(JOE, full, version=0))
    await asyncio.sleep(0.1)
    assert [d.uri for d in watcher.presence.state(JOE).devices] == [PHONE, LAPTOP]


async def test_first_snapshot_is_marked_by_synced(watcher: Watcher, notifier: Notifier) -> None:
    seen: list[tuple[ChangeKind, bool]] = []
    watcher.presence.on_contact_event(
        lambda aor, change: seen.append((change.kind, watcher.presence.synced(aor)))
    )
    dialog = await subscribed(watcher, notifier)
    assert not watcher.presence.synced(JOE)
    await notifier.notify(dialog, body=reginfo(JOE, [("a", "active", "registered", PHONE)]))
    await watcher.wait_status(BuddyStatus.ONLINE)
    both = [("a", "active", "registered", PHONE), ("b", "active", "created", LAPTOP)]
    await notifier.notify(dialog, body=reginfo(JOE, both))
    await asyncio.sleep(0.1)
    assert seen == [(ChangeKind.ADDED, False), (ChangeKind.ADDED, True)]


def test_normalize_aor() -> None:
    assert normalize_aor("joe@Example.TEST") == JOE
    assert normalize_aor("sip:joe@example.test:5060;transport=udp") == JOE
    with pytest.raises(ValueError):
        normalize_aor("not a uri@@")


def test_state_of_an_unwatched_buddy_is_unknown() -> None:
    agent = UserAgent()

    async def locate() -> Target:
        raise AssertionError("never called")

    presence = Presence(agent, Account(aor="sip:alice@example.test"), None, locate)
    state = presence.state("sip:nobody@example.test")
    assert (state.status, state.detail, state.devices) == (BuddyStatus.UNKNOWN, "not watched", ())


# -- many buddies ---------------------------------------------------------------


async def test_initial_subscribes_go_first_alone_then_pipelined_and_bounded(
    notifier: Notifier,
) -> None:
    # The first SUBSCRIBE goes alone (its challenge is then answered
    # pre-emptively by the rest), then at most INITIAL_CONCURRENCY are on
    # their way at once: never one after another, never all at once.
    from softphone.services.presence import INITIAL_CONCURRENCY

    notifier.answer_at_once = False
    buddies = [f"sip:b{n:03d}@example.test" for n in range(150)]
    watcher = await make_watcher(notifier)
    try:
        for aor in buddies:
            watcher.presence.watch(aor)
        waves = []
        while len(notifier.subscribes) < len(buddies):
            before = len(notifier.subscribes)
            left = len(buddies) - before
            expected = 1 if before == 0 else min(INITIAL_CONCURRENCY, left)
            await notifier.wait_subscribes(before + expected, timeout=20)
            # Held unanswered, nothing more may go out.
            await asyncio.sleep(0.2)
            waves.append(len(notifier.subscribes) - before)
            notifier.answer_held()
        assert waves == [
            1,
            INITIAL_CONCURRENCY,
            INITIAL_CONCURRENCY,
            150 - 1 - 2 * INITIAL_CONCURRENCY,
        ]
        assert sorted(str(r.to.uri) for r in notifier.subscribes) == buddies
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()


async def test_unsubscribes_at_stop_are_pipelined_and_bounded(notifier: Notifier) -> None:
    # Stopping with 150 subscriptions sends their Expires: 0 SUBSCRIBEs at
    # most INITIAL_CONCURRENCY at a time, and every one of them goes out.
    from softphone.services.presence import INITIAL_CONCURRENCY

    buddies = [f"sip:b{n:03d}@example.test" for n in range(150)]
    watcher = await make_watcher(notifier)
    try:
        for aor in buddies:
            watcher.presence.watch(aor)
        await notifier.wait_subscribes(len(buddies), timeout=20)
        notifier.answer_at_once = False
        stopping = asyncio.ensure_future(watcher.presence.stop(timeout=30.0))
        waves = []
        total = 2 * len(buddies)
        while len(notifier.subscribes) < total:
            before = len(notifier.subscribes)
            expected = min(INITIAL_CONCURRENCY, total - before)
            await notifier.wait_subscribes(before + expected, timeout=20)
            await asyncio.sleep(0.2)
            waves.append(len(notifier.subscribes) - before)
            notifier.answer_held()
        await stopping
        unsubscribes = notifier.subscribes[len(buddies) :]
        assert waves == [INITIAL_CONCURRENCY, INITIAL_CONCURRENCY, 150 - 2 * INITIAL_CONCURRENCY]
        assert all(r.expires == 0 for r in unsubscribes)
        assert sorted(str(r.to.uri) for r in unsubscribes) == buddies
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()


async def test_a_notify_body_is_parsed_once(
    watcher: Watcher, notifier: Notifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    import softphone.services.presence as presence_module
    import softphone.sip.reginfo as reginfo_module
    import softphone.sip.subscription as subscription_module

    parsed: list[bytes] = []
    real = reginfo_module.parse_reginfo

    def counting(body: bytes) -> reginfo_module.ReginfoDocument:
        parsed.append(body)
        return real(body)

    for module in (subscription_module, presence_module):
        monkeypatch.setattr(module, "parse_reginfo", counting, raising=False)
    reports: list[object] = []
    watcher.presence.on_notify(reports.append)  # a listener reads the document too
    dialog = await subscribed(watcher, notifier)
    body = reginfo(JOE)
    await notifier.notify(dialog, body=body)
    await watcher.wait_status(BuddyStatus.OFFLINE)
    assert parsed == [body.encode()]
    assert [getattr(r, "version", None) for r in reports] == [0]


# -- changes told once per loop turn ------------------------------------------------


async def test_buddies_watched_in_one_turn_are_told_in_one_call(
    watcher: Watcher, notifier: Notifier
) -> None:
    batches: list[tuple[BuddyState, ...]] = []
    watcher.presence.on_changes(batches.append)
    buddies = [JOE, "sip:bob@example.test", "sip:carol@example.test"]
    for aor in buddies:
        watcher.presence.watch(aor)
    assert batches == []  # told once the turn is over
    await asyncio.sleep(0)
    assert [[(s.aor, s.detail) for s in batch] for batch in batches] == [
        [(aor, "subscribing…") for aor in buddies]
    ]
    # Every change told one at a time is in the calls, in the same order.
    await notifier.wait_subscribes(3)
    for request in notifier.subscribes:
        aor = str(request.to.uri)
        body = reginfo(aor, [("a", "active", "created", PHONE)] if aor == JOE else [])
        await notifier.notify(notifier.dialog_of(request), body=body)
    await watcher.wait_status(BuddyStatus.OFFLINE, "sip:carol@example.test")
    await asyncio.sleep(0)
    assert [s for batch in batches for s in batch] == watcher.changes
    assert [watcher.presence.state(aor).status for aor in buddies] == [
        BuddyStatus.ONLINE,
        BuddyStatus.OFFLINE,
        BuddyStatus.OFFLINE,
    ]


async def test_notifies_read_together_keep_every_change_and_the_newest_version(
    watcher: Watcher, notifier: Notifier
) -> None:
    batches: list[tuple[BuddyState, ...]] = []
    watcher.presence.on_changes(batches.append)
    dialog = await subscribed(watcher, notifier)
    await notifier.notify(dialog, body=reginfo(JOE, []))
    await watcher.wait_status(BuddyStatus.OFFLINE)
    # Sent at once, so the watcher reads them in the same turn or close:
    # online on the phone (version 1), the laptop too (2), then a document
    # that is not newer (2 again, the laptop gone) and must change nothing
    # (RFC 3680 5.2), wherever it falls among the changes told together.
    phone = reginfo(JOE, [("a", "active", "created", PHONE)], version=1, doc_state="partial")
    laptop = reginfo(JOE, [("b", "active", "created", LAPTOP)], version=2, doc_state="partial")
    stale = reginfo(
        JOE, [("b", "terminated", "unregistered", LAPTOP)], version=2, doc_state="partial"
    )
    answers = await asyncio.gather(
        notifier.notify(dialog, body=phone),
        notifier.notify(dialog, body=laptop),
        notifier.notify(dialog, body=stale),
    )
    assert [a.status for a in answers] == [200, 200, 200]
    await asyncio.sleep(0)
    told = [s for batch in batches for s in batch]
    assert told == watcher.changes
    assert [(s.status, len(s.devices)) for s in told if s.aor == JOE][-3:] == [
        (BuddyStatus.OFFLINE, 0),
        (BuddyStatus.ONLINE, 1),
        (BuddyStatus.ONLINE, 2),
    ]
    assert [d.uri for d in watcher.presence.state(JOE).devices] == [PHONE, LAPTOP]


async def test_buddies_subscribed_in_the_same_second_share_their_timer_n_wake_up(
    notifier: Notifier,
) -> None:
    # Answered but with no NOTIFY yet, each subscription runs Timer N (RFC
    # 6665 4.1.2.4, 64*T1). Those answered in the same second share one
    # wake-up, at most a second after their own deadline.
    buddies = [f"sip:n{n:02d}@example.test" for n in range(30)]
    watcher = await make_watcher(notifier)
    table = wakeups.for_loop()
    loop = asyncio.get_running_loop()
    try:
        sent_from = loop.time()
        for aor in buddies:
            watcher.presence.watch(aor)
        await notifier.wait_subscribes(len(buddies), timeout=10)
        for _ in range(200):
            if (
                len(table.times()) >= 1
                and sum(len(table.callbacks(t)) for t in table.times()) == 30
            ):
                break
            await asyncio.sleep(0.01)
        answered_by = loop.time()
        times = table.times()
        assert sum(len(table.callbacks(t)) for t in times) == len(buddies)
        assert 1 <= len(times) <= 1 + int(answered_by - sent_from) + 1
        assert all(t == int(t) for t in times)
        assert sent_from + TIMER_N <= min(times) and max(times) < answered_by + TIMER_N + 1
        # Still waiting for their first NOTIFY: nothing shown changed.
        assert {s.detail for s in watcher.presence.states()} == {"subscribing…"}
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()


async def test_a_burst_of_notifies_keeps_every_state_device_and_event(notifier: Notifier) -> None:
    # Three buddies, their NOTIFYs sent in bursts the watcher reads together:
    # joe goes from one device to two, loses both (offline) and comes back
    # in one burst; bob is offline (Kamailio's empty NOTIFY), comes online,
    # then goes offline again; carol loses one of her two devices. Every
    # state in between is told, with its devices, their "since" and the
    # time last seen, once to `on_change` and once in the per-turn calls.
    bob, carol = "sip:bob@example.test", "sip:carol@example.test"
    desk, tablet, pad = (
        "sip:bob@192.0.2.20:5060",
        "sip:carol@192.0.2.30:5060",
        "sip:carol@192.0.2.31:5060",
    )
    clock = Clock()
    watcher = await make_watcher(notifier, clock=clock)
    batches: list[tuple[BuddyState, ...]] = []
    watcher.presence.on_changes(batches.append)

    def registered_for(seconds: int, body: str) -> str:
        return body.replace('expires="3600"', f'expires="3600" duration-registered="{seconds}"')

    def partial(version: int, contact: tuple[str, str, str, str], reg_state: str) -> str:
        return reginfo(JOE, [contact], version=version, doc_state="partial", reg_state=reg_state)

    try:
        for aor in (JOE, bob, carol):
            watcher.presence.watch(aor)
        requests = await notifier.wait_subscribes(3)
        dialogs = {str(r.to.uri): notifier.dialog_of(r) for r in requests}

        async def burst(*notifies: tuple[str, str]) -> None:
            answers = await asyncio.gather(
                *(notifier.notify(dialogs[aor], body=body) for aor, body in notifies)
            )
            assert [a.status for a in answers] == [200] * len(notifies)
            await asyncio.sleep(0)  # the per-turn call is made

        t0 = clock.now
        await burst(
            (JOE, registered_for(120, reginfo(JOE, [("a", "active", "created", PHONE)]))),
            (bob, ""),
            (
                carol,
                reginfo(
                    carol,
                    [("c1", "active", "registered", tablet), ("c2", "active", "registered", pad)],
                ),
            ),
        )
        clock.now = t1 = t0 + 60
        await burst(
            (JOE, partial(1, ("b", "active", "created", LAPTOP), "active")),
            (JOE, partial(2, ("a", "terminated", "unregistered", PHONE), "active")),
            (JOE, partial(3, ("b", "terminated", "expired", LAPTOP), "terminated")),
            (JOE, partial(4, ("a", "active", "created", PHONE), "active")),
            (bob, registered_for(5, reginfo(bob, [("d", "active", "created", desk)]))),
            (carol, reginfo(carol, [("c2", "active", "registered", pad)])),
        )
        clock.now = t2 = t1 + 60
        await burst((bob, ""))
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()

    def history(aor: str) -> list[tuple[object, ...]]:
        return [
            (
                s.status,
                s.detail,
                [(d.uri, d.registered_since) for d in s.devices],
                s.last_seen,
            )
            for s in watcher.changes
            if s.aor == aor
        ]

    subscribing = (BuddyStatus.UNKNOWN, "subscribing…", [], None)
    assert history(JOE) == [
        subscribing,
        (BuddyStatus.ONLINE, "online on 1 device", [(PHONE, t0 - 120)], t0),
        (
            BuddyStatus.ONLINE,
            "online on 2 devices",
            [(PHONE, t0 - 120), (LAPTOP, t1)],
            t1,
        ),
        (BuddyStatus.ONLINE, "online on 1 device", [(LAPTOP, t1)], t1),
        (BuddyStatus.OFFLINE, f"offline, last seen {format_time(t1, t1)}", [], t1),
        (BuddyStatus.ONLINE, "online on 1 device", [(PHONE, t1)], t1),
    ]
    assert history(bob) == [
        subscribing,
        (BuddyStatus.OFFLINE, "offline", [], None),
        (BuddyStatus.ONLINE, "online on 1 device", [(desk, t1 - 5)], t1),
        (BuddyStatus.OFFLINE, f"offline, last seen {format_time(t2, t2)}", [], t2),
    ]
    assert history(carol) == [
        subscribing,
        (BuddyStatus.ONLINE, "online on 2 devices", [(tablet, None), (pad, None)], t0),
        (BuddyStatus.ONLINE, "online on 1 device", [(pad, None)], t1),
    ]
    # The window's per-turn calls carry the same changes, in the same order.
    assert [s for batch in batches for s in batch] == watcher.changes
    assert len(batches) < len(watcher.changes)

    def events(aor: str) -> list[tuple[ChangeKind, str, str]]:
        return [
            (change.kind, change.contact.uri, str(getattr(change.event, "value", change.event)))
            for who, change in watcher.contacts
            if who == aor
        ]

    assert events(JOE) == [
        (ChangeKind.ADDED, PHONE, "created"),
        (ChangeKind.ADDED, LAPTOP, "created"),
        (ChangeKind.REMOVED, PHONE, "unregistered"),
        (ChangeKind.REMOVED, LAPTOP, "expired"),
        (ChangeKind.ADDED, PHONE, "created"),
    ]
    assert events(bob) == [
        (ChangeKind.ADDED, desk, "created"),
        (ChangeKind.REMOVED, desk, "created"),
    ]
    assert events(carol) == [
        (ChangeKind.ADDED, tablet, "registered"),
        (ChangeKind.ADDED, pad, "registered"),
        (ChangeKind.REMOVED, tablet, "registered"),
    ]
