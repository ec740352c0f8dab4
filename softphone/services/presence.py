"""Buddies' registration state from reg-event subscriptions (RFC 3680, RFC 6665).

One :class:`~softphone.sip.subscription.Subscription` per watched buddy,
driven on the asyncio loop: its SUBSCRIBEs go to the account's server with
digest answers, the NOTIFYs of its dialog come back through the agent's
``NOTIFY`` handler, and its deadline is one ``TimerHandle`` per buddy,
aligned so that refreshes due about the same time share a wake-up. Each
reginfo document is applied to a :class:`~softphone.sip.reginfo.ReginfoView`
and the buddy's :class:`BuddyState` (online on N devices, offline since,
waiting for authorization, not allowed, unknown user) is recomputed; a change
is reported to ``on_change`` listeners, per-contact changes to
``on_contact_event`` listeners (the Welcome Notice server uses them).

Real notifiers bend RFC 3680, and this service copes (docs/kamailio.md):
a full document replaces the state even when its version does not increase
(NOTIFY order is already enforced by CSeq); a NOTIFY without a body on an
active subscription means nothing is registered; what changed is derived by
comparing contact sets, never from ``event`` alone.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from softphone import wakeups
from softphone.account import SipIdentity
from softphone.agent import IncomingRequest, TransactionFailed, UserAgent
from softphone.buddy import (
    BuddyState,
    BuddyStatus,
    Device,
    described,
    format_time,
    reconnecting,
    unreachable,
)
from softphone.listeners import Listeners
from softphone.location import LocationError
from softphone.phrase import Phrase, say
from softphone.services.outbound import Outbound
from softphone.sip import NameAddr, Request, SipUri
from softphone.sip.aor import aor_key, parse_aor
from softphone.sip.auth import AuthenticationFailed, DigestClient
from softphone.sip.errors import ParseError
from softphone.sip.reginfo import (
    ApplyResult,
    ApplyStatus,
    ChangeKind,
    ContactChange,
    DocState,
    ReginfoDocument,
    ReginfoView,
)
from softphone.sip.subscription import (
    DEFAULT_EXPIRES,
    DEFAULT_RETRY_DELAY,
    TIMER_N,
    NotifyBody,
    Subscription,
    SubState,
    Terminated,
    Termination,
    TerminationAction,
    TerminationReason,
)
from softphone.transport.base import Target
from softphone.wakeups import Wakeup

log = logging.getLogger(__name__)

_T = TypeVar("_T")

__all__ = [
    "BuddyState",
    "BuddyStatus",
    "Device",
    "NotifyReceived",
    "Presence",
    "SubscribeOutcome",
    "normalize_aor",
]

#: How long an ended subscription still answers its NOTIFYs with 200: the
#: final NOTIFY after our ``Expires: 0`` and its retransmissions (64*T1).
_RETIRED_GRACE = TIMER_N
#: Initial SUBSCRIBEs on their way at once. Watching 1,000 buddies sends
#: them pipelined, this many outstanding, rather than one after another or
#: all at once (which fills the server's transaction memory and our socket).
#: The unsubscribes of `Presence.stop` go the same way.
INITIAL_CONCURRENCY = 64
#: A buddy's timer this many seconds away or more may be rounded up to a
#: whole second of the loop's clock (see `Presence._arm`).
_ROUND_FROM = 2.0
#: Final responses to an initial SUBSCRIBE that mean "this user does not exist".
_NO_SUCH_USER = frozenset({404, 410, 484, 604})
#: Final responses that mean "you may not watch this user".
_NOT_ALLOWED = frozenset({401, 403, 407, 603})


@dataclass(frozen=True)
class SubscribeOutcome:
    """A SUBSCRIBE of ours got its final answer (or none); for logs and tools."""

    aor: str
    #: "initial", "refresh" or "unsubscribe".
    kind: str
    #: The final status code; None when the transaction failed locally.
    status: int | None
    reason: str


@dataclass(frozen=True)
class NotifyReceived:
    """A NOTIFY of one of our subscriptions was answered; for logs and tools."""

    aor: str
    #: The status we answered with (200, 400, 415, 481, 500).
    status: int
    #: The Subscription-State value: active, pending, terminated.
    subscription_state: str | None
    #: Its reason parameter, if any.
    reason: str | None
    #: The reginfo version and whether it was a full document; None without body.
    version: int | None
    full: bool | None


ChangeCallback = Callable[[BuddyState], None]
#: Takes the states that changed in one turn of the event loop, in order.
ChangesCallback = Callable[[tuple[BuddyState, ...]], None]
ContactCallback = Callable[[str, ContactChange], None]
#: The account's servers, in the order to try them (or just one).
LocateServer = Callable[[], Awaitable[Target | Sequence[Target]]]


def normalize_aor(aor: str) -> str:
    """``joe@example.com`` and ``sip:joe@example.com`` name the same buddy.

    Raises:
        ValueError: *aor* is not a SIP URI.
    """
    try:
        return aor_key(parse_aor(aor))
    except ParseError as exc:
        raise ValueError(f"{aor!r} is not a SIP address: {exc.reason}") from None


def _only_about(doc: ReginfoDocument, aor: str) -> ReginfoDocument:
    """*doc* without the registrations of other addresses (RFC 3680 5).

    Each <registration> names its AoR; only the watched one's contacts are
    this buddy's devices, whatever else a notifier puts in the document.
    """

    def same(other: str) -> bool:
        if other == aor:  # the usual case: the notifier wrote our key as it is
            return True
        try:
            return normalize_aor(other) == aor
        except ValueError:
            return False

    mine = tuple(r for r in doc.registrations if same(r.aor))
    if len(mine) == len(doc.registrations):
        return doc
    return dataclasses.replace(doc, registrations=mine)


def _answer(incoming: IncomingRequest, status: int, reason: str) -> None:
    """Answer a NOTIFY; the usual 200 is built from the request's own lines.

    Nearly every NOTIFY is answered 200 OK with nothing but the headers
    RFC 3261 8.2.6.2 copies: no typed response is built for it.
    """
    if status == 200:
        incoming.answer(200)
    else:
        incoming.respond(status, reason)


@dataclass(eq=False)
class _Watch:
    aor: str
    sub: Subscription | None = None
    view: ReginfoView = field(default_factory=ReginfoView)
    #: True once a NOTIFY told us the buddy's registration state.
    synced: bool = False
    #: A local outcome that ended the watch (auth failure, no server).
    failure: tuple[BuddyStatus, Phrase] | None = None
    last_seen: float | None = None
    online: bool = False
    #: (registration id, contact id) -> epoch seconds first seen registered.
    since: dict[tuple[str, str], float] = field(default_factory=dict)
    timer: asyncio.TimerHandle | Wakeup | None = None
    #: The server that took the subscription: its refreshes go there.
    target: Target | None = None
    #: Where the initial SUBSCRIBE may go, in order (RFC 3263 4.3 failover).
    servers: tuple[Target, ...] = ()
    #: A refresh for full state is on its way (RFC 3680 §5.2); never ask twice.
    full_state_asked: bool = False
    #: Subscribing again after the server was lost: no NOTIFY of the new
    #: dialog yet, so nothing known is current.
    resyncing: bool = False
    state: BuddyState | None = None


class Presence:
    """Reg-event subscriptions for the account's buddies, and their states."""

    def __init__(
        self,
        agent: UserAgent,
        account: SipIdentity,
        digest: DigestClient | None,
        locate_server: LocateServer,
        *,
        clock: Callable[[], float] = time.time,
        expires: int = DEFAULT_EXPIRES,
        outbound: Outbound | None = None,
    ) -> None:
        """Prepare the service; nothing is sent before :meth:`start`.

        *clock* gives epoch seconds for ``last_seen`` and ``registered_since``;
        subscription timers run on the event loop's monotonic clock.
        *expires* is the subscription duration asked for (RFC 3680 §4.1
        suggests 3761 s). *outbound* is the account's way out (one is made
        from *digest* when none is given).
        """
        self._agent = agent
        self._account = account
        self._outbound = outbound or Outbound(agent, digest)
        self._locate = locate_server
        self._clock = clock
        self._expires = expires
        self._watches: dict[str, _Watch] = {}
        #: Call-ID -> watch, so a NOTIFY finds its subscription without a scan
        #: over every buddy (a scan per NOTIFY is quadratic with 1,000 buddies).
        #: A hint only: a miss or a stale entry falls back to the scan.
        self._by_call_id: dict[str, _Watch] = {}
        # Ended subscriptions still owed a 200 for their final NOTIFY, by
        # Call-ID (only a NOTIFY with its Call-ID can match one), and in the
        # order their grace ends. Unsubscribing 1,000 buddies must not make
        # each final NOTIFY scan every other one.
        self._retired: dict[str, list[Subscription]] = {}
        self._retired_order: collections.deque[tuple[float, str, Subscription]] = (
            collections.deque()
        )
        self._changed: Listeners[[BuddyState]] = Listeners("presence change", log)
        self._changed_together: Listeners[[tuple[BuddyState, ...]]] = Listeners(
            "presence changes", log
        )
        #: States changed in this turn of the loop, for `on_changes` listeners.
        self._turn: list[BuddyState] = []
        self._turn_handle: asyncio.Handle | None = None
        self._contact_events: Listeners[[str, ContactChange]] = Listeners("contact event", log)
        self._subscribe_events: Listeners[[SubscribeOutcome]] = Listeners("subscribe", log)
        self._notify_events: Listeners[[NotifyReceived]] = Listeners("notify", log)
        self._tasks: set[asyncio.Task[None]] = set()
        self._started = False
        self._stopped = False
        #: The account's server cannot be reached: no buddy state is current.
        self._unreachable = False
        # Initial SUBSCRIBEs: the first goes alone (its challenge lets the
        # others carry credentials pre-emptively), then a bounded pipeline:
        # the watches waiting for theirs, the workers sending them, and
        # whether a first one was answered since `start`.
        self._queued: collections.deque[_Watch] = collections.deque()
        self._workers: set[asyncio.Task[None]] = set()
        self._first_done = False
        self._refresh_slots: asyncio.Semaphore | None = None
        #: SUBSCRIBEs of ours whose answer is not yet taken in (see
        #: `_on_notify_request`).
        self._answers_due = 0
        #: What `_identity` made last, with what it was made of.
        self._identities: tuple[tuple[object, ...], NameAddr, SipUri] | None = None

    # -- wiring -----------------------------------------------------------------

    def on_change(self, callback: ChangeCallback) -> None:
        """Call *callback* with a buddy's new :class:`BuddyState` on every change."""
        self._changed.add(callback)

    def on_changes(self, callback: ChangesCallback) -> None:
        """Call *callback* once per turn of the event loop with the states that changed.

        The states come in the order they changed, every change included
        (a buddy that changed twice is there twice, its last state last), so
        a listener that stores a history misses nothing and one that shows
        the current state can keep the last one per buddy. A burst of
        NOTIFYs read in one turn (1,000 buddies subscribed at start-up)
        then costs a window one update and a store one transaction, not
        one per buddy.
        """
        self._changed_together.add(callback)

    def on_contact_event(self, callback: ContactCallback) -> None:
        """Call *callback* with (aor, change) for every contact that changed.

        For one NOTIFY every contact callback runs before the buddy's state
        and :meth:`synced` reflect the document, so a listener can tell the
        first snapshot (``synced(aor)`` still False) from later changes.
        """
        self._contact_events.add(callback)

    def on_subscribe(self, callback: Callable[[SubscribeOutcome], None]) -> None:
        """Call *callback* when a SUBSCRIBE of ours ends (for logs and tools)."""
        self._subscribe_events.add(callback)

    def on_notify(self, callback: Callable[[NotifyReceived], None]) -> None:
        """Call *callback* for every NOTIFY of ours that was answered."""
        self._notify_events.add(callback)

    def start(self) -> None:
        """Take NOTIFY requests from the agent and subscribe to every watched buddy.

        Call once the agent listens, from the running loop.
        """
        self._agent.handle("NOTIFY", self._on_notify_request)
        self._started = True
        self._stopped = False
        self._first_done = False
        for watch in self._watches.values():
            if watch.sub is None:
                self._queue(watch)

    async def stop(self, *, timeout: float = 5.0) -> None:
        """Unsubscribe from every buddy (``Expires: 0``, RFC 6665 §4.1.2.3).

        Waits at most *timeout* seconds for the answers; failures are logged,
        never raised (the subscriptions then expire on their own).
        """
        self._stopped = True
        now = self._now()
        sends: list[asyncio.Task[None]] = []
        # As many on their way at once as when subscribing: 1,000 at once
        # fill the server's transaction memory and cost retransmissions.
        slots = asyncio.Semaphore(INITIAL_CONCURRENCY)

        async def unsubscribe(watch: _Watch, sub: Subscription, request: Request) -> None:
            async with slots:
                await self._transact(watch, sub, request, "unsubscribe")

        for watch in self._watches.values():
            self._cancel_timer(watch)
            sub = watch.sub
            if sub is not None and sub.state not in (SubState.INIT, SubState.TERMINATED):
                request = sub.unsubscribe_request(now)
                self._retire(sub, now)
                # The final NOTIFY is answered from the retired list and
                # changes no buddy state during shutdown.
                watch.sub = None
                sends.append(
                    asyncio.get_running_loop().create_task(unsubscribe(watch, sub, request))
                )
        if sends:
            _, pending = await asyncio.wait(sends, timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                log.warning("%d unsubscribe(s) unanswered after %.0f s", len(pending), timeout)
        self._queued.clear()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._started = False
        # The last changes are told now: after stop() the loop may be gone.
        self._announce()

    # -- the account's server ---------------------------------------------------

    def server_lost(self) -> None:
        """The account's server cannot be reached: no buddy's state is current.

        Every buddy shows "unknown (server unreachable)" with the time it
        was last seen until `server_back()`; a state the server no longer
        vouches for is never shown as current.
        """
        if self._unreachable:
            return
        self._unreachable = True
        now = self._clock()
        for watch in list(self._watches.values()):
            if watch.online:
                watch.last_seen = now
            self._update(watch)

    def server_back(self) -> None:
        """The account is registered again: subscribe to every buddy anew.

        The server that answers now (restarted, as Kamailio keeps
        subscriptions only in memory, or another one after failover) may
        know none of our dialogs: each buddy gets a new subscription (new
        dialog, full state first, RFC 6665 4.1.2, RFC 3680 5.2).
        """
        self._unreachable = False
        for watch in list(self._watches.values()):
            self._resubscribe(watch)

    def _resubscribe(self, watch: _Watch) -> None:
        self._cancel_timer(watch)
        old, watch.sub = watch.sub, None
        if old is not None:
            self._retire(old, self._now())
        watch.target = None
        watch.failure = None
        watch.synced = False
        watch.online = False
        watch.view = ReginfoView()
        watch.since.clear()
        watch.full_state_asked = False
        watch.resyncing = True
        self._update(watch)
        if self._started and not self._stopped and self._watches.get(watch.aor) is watch:
            self._queue(watch)

    # -- buddies ----------------------------------------------------------------

    def watch(self, aor: str) -> None:
        """Subscribe to *aor*'s registration state; watching twice is one watch.

        Raises:
            ValueError: *aor* is not a SIP address.
        """
        key = normalize_aor(aor)
        if key in self._watches:
            return
        watch = _Watch(key)
        self._watches[key] = watch
        self._update(watch)
        if self._started and not self._stopped:
            self._queue(watch)

    def unwatch(self, aor: str) -> None:
        """Stop watching *aor* (unsubscribing in the background); unknown AoRs are ignored."""
        try:
            key = normalize_aor(aor)
        except ValueError:
            return
        watch = self._watches.pop(key, None)
        if watch is None:
            return
        self._cancel_timer(watch)
        sub = watch.sub
        watch.sub = None
        if sub is not None and sub.state not in (SubState.INIT, SubState.TERMINATED):
            now = self._now()
            request = sub.unsubscribe_request(now)
            self._retire(sub, now)
            self._spawn(self._transact(watch, sub, request, "unsubscribe"))

    def state(self, aor: str) -> BuddyState:
        """The current state of *aor*; UNKNOWN ("not watched") for others."""
        watch = self._watches.get(aor)
        key = aor
        if watch is None:
            try:
                key = normalize_aor(aor)
            except ValueError:
                key = aor
            watch = self._watches.get(key)
        if watch is None or watch.state is None:
            return described(key, BuddyStatus.UNKNOWN, (), None, say("not watched"))
        return watch.state

    def states(self) -> list[BuddyState]:
        """The state of every watched buddy, in the order they were watched."""
        return [self.state(aor) for aor in self._watches]

    def synced(self, aor: str) -> bool:
        """True once a NOTIFY has told us *aor*'s registration state."""
        # A watched buddy's own key is found without reading the address.
        watch = self._watches.get(aor)
        if watch is None:
            try:
                watch = self._watches.get(normalize_aor(aor))
            except ValueError:
                return False
        return watch is not None and watch.synced

    # -- subscribing ------------------------------------------------------------

    def _queue(self, watch: _Watch) -> None:
        """Send the first SUBSCRIBE of *watch* in turn with the others.

        The first goes alone; the others wait until it has its answer, so
        that a server's digest challenge is answered once and then sent
        pre-emptively (the way out remembers it), instead of costing every
        buddy a second round trip. Then at most `INITIAL_CONCURRENCY` are
        on their way at once, each worker taking the next watch when its
        SUBSCRIBE is answered: 1,000 buddies watched at start-up cost no
        task, future or semaphore wait each.
        """
        self._queued.append(watch)
        self._add_workers()

    def _add_workers(self) -> None:
        limit = INITIAL_CONCURRENCY if self._first_done else 1
        wanted = min(limit, len(self._workers) + len(self._queued))
        while len(self._workers) < wanted:
            worker = self._spawn(self._work())
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)

    async def _work(self) -> None:
        queued = self._queued
        while queued and not self._stopped:
            watch = queued.popleft()
            sent = False
            try:
                sent = await self._begin(watch)
            except Exception:
                # One buddy's failure must not stop the others' turns.
                log.exception("subscribing to %s failed", watch.aor)
                sent = True
            finally:
                if sent and not self._first_done:
                    self._first_done = True
                    self._add_workers()

    async def _begin(self, watch: _Watch) -> bool:
        """Find the server, then send the first SUBSCRIBE of *watch*.

        Returns whether a SUBSCRIBE went (and got its answer or none).
        """
        try:
            found = await self._locate()
            servers = [found] if isinstance(found, Target) else list(found)
            if not servers:
                raise LocationError(say("No server to subscribe at"), host="")
        except LocationError as exc:
            watch.failure = (BuddyStatus.UNKNOWN, say("unknown: {why}", why=str(exc)))
            self._update(watch)
            # Try again later: the network may come back.
            loop = asyncio.get_running_loop()
            watch.timer = loop.call_later(DEFAULT_RETRY_DELAY, self._restart, watch)
            return False
        if self._watches.get(watch.aor) is not watch or self._stopped:
            return False
        await self._subscribe_first_time(watch, servers)
        return True

    async def _subscribe_first_time(self, watch: _Watch, servers: Sequence[Target]) -> None:
        failed = watch.failure is not None
        watch.failure = None
        target = servers[0]
        # The Contact names one transport: fail over among servers on it.
        watch.servers = tuple(t for t in servers if t.kind is target.kind)
        watch.target = None
        account = self._account
        watcher, contact = self._identity(target)
        sub = Subscription(
            watcher=watcher,
            target=NameAddr(SipUri.parse(watch.aor)),
            contact=contact,
            call_id_host=account.domain,
            expires=self._expires,
        )
        watch.sub = sub
        self._remember_dialog(watch, sub)
        request = sub.initial_request(self._now())
        if account.outbound_proxy:
            request.headers.insert_first("Route", f"<sip:{account.outbound_proxy};lr>")
        log.info("subscribing to %s", watch.aor)
        if failed:
            # What failed before is over: "subscribing…" again.
            self._update(watch)
        # Timer N (RFC 6665 4.1.2.4) is armed when the answer is taken in
        # (or a NOTIFY that comes before it): until then the transaction's
        # own timeout stands for it, and 1,000 SUBSCRIBEs on their way arm
        # no timer each. Only an error leaves it to be armed here.
        try:
            await self._transact(watch, sub, request, "initial")
        except BaseException:
            if watch.sub is sub:
                self._arm(watch)
            raise

    def _identity(self, target: Target) -> tuple[NameAddr, SipUri]:
        """Our From (the account) and Contact toward *target*, shared by every buddy.

        Made again only when what they are made of changed (the account's
        address or name, the server, the transport bound for it).
        """
        account = self._account
        uri, name = account.uri, account.display_name or None
        key = (uri, name, target.kind, target.address, self._agent.transport(target.kind))
        made = self._identities
        if made is None or made[0] != key:
            contact = self._agent.contact_uri(uri.user, target.kind, target.address)
            made = self._identities = (key, NameAddr(uri, name), contact)
        return made[1], made[2]

    def _restart(self, watch: _Watch) -> None:
        watch.timer = None
        if self._watches.get(watch.aor) is watch and not self._stopped:
            self._queue(watch)

    async def _transact(
        self, watch: _Watch, sub: Subscription, request: Request, kind: str
    ) -> None:
        """Send one SUBSCRIBE of *sub* through the way out, and feed the answer."""
        first = True

        def build(_target: Target) -> Request:
            nonlocal first
            if first:
                first = False
                attempt = request
            else:
                # RFC 3261 22.2: the retry is a new request with the next CSeq.
                attempt = sub.retry_request(self._now())
                for name in ("Route",):
                    for value in request.headers.get_all(name):
                        if value not in attempt.headers.get_all(name):
                            attempt.headers.add(name, value)
            return attempt

        try:
            # An established subscription's requests go to the server that
            # holds it; a new one may fail over (RFC 3263 4.3).
            targets = (watch.target,) if watch.target is not None else watch.servers
            if not targets:
                found = await self._locate()
                targets = (found,) if isinstance(found, Target) else tuple(found)
            # A burst of answers and NOTIFYs (1,000 buddies subscribed at
            # once) is read in runs, not one loop turn each; the NOTIFYs
            # read behind an answer wait for it (`_on_notify_request`).
            self._answers_due += 1
            try:
                sent = await self._outbound.send(build, targets=targets, in_order=False)
            finally:
                self._answers_due -= 1
            response = sent.response
            if watch.sub is sub and 200 <= response.status < 300:
                watch.target = sent.target
        except (TransactionFailed, LocationError) as exc:
            log.info("SUBSCRIBE for %s failed: %s", watch.aor, exc)
            self._subscribe_events(SubscribeOutcome(watch.aor, kind, None, str(exc)))
            if kind == "refresh" and watch.sub is sub and not self._stopped:
                # No answer to a refresh: the server may have lost the
                # dialog; a new subscription tells the truth (full state).
                self._resubscribe(watch)
                return
            sub.on_transaction_failed(self._now())
        except (AuthenticationFailed, ParseError) as exc:
            log.warning("SUBSCRIBE for %s: authentication failed: %s", watch.aor, exc)
            self._subscribe_events(SubscribeOutcome(watch.aor, kind, None, str(exc)))
            if kind != "unsubscribe":
                self._give_up(
                    watch, sub, BuddyStatus.UNKNOWN, "unknown: the server refused our credentials"
                )
            return
        else:
            log.info(
                "SUBSCRIBE (%s) for %s: %s %s", kind, watch.aor, response.status, response.reason
            )
            if self._subscribe_events:
                self._subscribe_events(
                    SubscribeOutcome(watch.aor, kind, response.status, response.reason),
                )
            if kind == "refresh" and response.status == 481 and watch.sub is sub:
                # RFC 6665 4.1.2.2: the notifier no longer knows the
                # subscription (a restart): make a new one.
                self._resubscribe(watch)
                return
            if response.status in (401, 407):
                # No password to answer with: nothing will change by waiting.
                if kind != "unsubscribe":
                    self._give_up(
                        watch,
                        sub,
                        BuddyStatus.NOT_ALLOWED,
                        say("not allowed ({why})", why=f"{response.status} {response.reason}"),
                    )
                return
            sub.on_response(response, self._now())
        if watch.sub is sub:
            self._after(watch)

    def _give_up(
        self, watch: _Watch, sub: Subscription, status: BuddyStatus, detail: Phrase
    ) -> None:
        """End *watch* for a local reason that waiting will not fix."""
        if watch.sub is not sub:
            return
        watch.sub = None
        self._cancel_timer(watch)
        watch.failure = (status, detail)
        self._update(watch)

    def _retire(self, sub: Subscription, now: float) -> None:
        order = self._retired_order
        while order and order[0][0] <= now:
            _, call_id, old = order.popleft()
            same = self._retired.get(call_id, [])
            if old in same:
                same.remove(old)
            if not same:
                self._retired.pop(call_id, None)
        order.append((now + _RETIRED_GRACE, sub.call_id, sub))
        self._retired.setdefault(sub.call_id, []).append(sub)

    # -- timers -----------------------------------------------------------------

    def _after(self, watch: _Watch) -> None:
        """Take in what the subscription did, recompute the state, re-arm the timer."""
        self._drain(watch)
        self._update(watch)
        self._arm(watch)

    def _arm(self, watch: _Watch) -> None:
        sub = watch.sub
        if sub is None or self._stopped or self._watches.get(watch.aor) is not watch:
            self._cancel_timer(watch)
            return
        deadline = sub.deadline
        earliest = sub.due_from
        when = None
        timer = watch.timer
        table = wakeups.for_loop()
        if deadline is not None:
            # A time another timer (a buddy's, the registration's) wakes at,
            # when one is in the window; else one later timers may share.
            moving = timer if isinstance(timer, Wakeup) else None
            start = deadline if earliest is None else earliest
            latest = deadline
            if start == deadline and deadline - table.loop_time() >= _ROUND_FROM:
                # A timer with no slack that is seconds away (Timer N,
                # RFC 6665 4.1.2.4; a resubscription's delay; the end of a
                # subscription whose refresh is unanswered) may fire up to a
                # second late: the buddies subscribed in the same second
                # then share its wake-up.
                latest = math.ceil(deadline)
            when = table.choose(start, latest, moving=moving)
        if timer is not None:
            if timer.when() == when:
                # Most NOTIFYs and answers leave the deadline where it was:
                # a cancelled handle per NOTIFY would only fill the loop's heap.
                return
            timer.cancel()
            watch.timer = None
        if when is None:
            return
        watch.timer = table.call_at(when, self._on_timer, watch)

    def _cancel_timer(self, watch: _Watch) -> None:
        if watch.timer is not None:
            watch.timer.cancel()
            watch.timer = None

    def _on_timer(self, watch: _Watch) -> None:
        watch.timer = None
        sub = watch.sub
        if sub is None or self._stopped:
            return
        was = sub.state
        now = self._now()
        # An aligned timer may fire before the deadline, within the refresh's
        # window (RFC 6665 4.1.2.2: a refresh may go any time before expiry).
        request = sub.handle_timer(now) or sub.refresh_early(now)
        if request is not None:
            if was is SubState.TERMINATED:
                log.info("subscribing to %s again", watch.aor)
                if self._account.outbound_proxy:
                    request.headers.insert_first(
                        "Route", f"<sip:{self._account.outbound_proxy};lr>"
                    )
                self._spawn(self._transact(watch, sub, request, "initial"))
            else:
                self._spawn(self._refresh(watch, sub, request))
        self._after(watch)

    async def _refresh(self, watch: _Watch, sub: Subscription, request: Request) -> None:
        # The refreshes that share a wake-up go pipelined, like the initial
        # SUBSCRIBEs: a bounded number on their way at once.
        if self._refresh_slots is None:
            self._refresh_slots = asyncio.Semaphore(INITIAL_CONCURRENCY)
        async with self._refresh_slots:
            await self._transact(watch, sub, request, "refresh")

    # -- NOTIFY -----------------------------------------------------------------

    def _remember_dialog(self, watch: _Watch, sub: Subscription) -> None:
        self._by_call_id[sub.call_id] = watch
        if len(self._by_call_id) > 2 * len(self._watches) + 16:
            # Resubscriptions leave old Call-IDs behind: keep the live ones.
            self._by_call_id = {
                w.sub.call_id: w for w in self._watches.values() if w.sub is not None
            }

    def _notify_candidates(self, request: Request) -> tuple[list[_Watch], bool]:
        """The watches a NOTIFY may belong to, and whether the one given matches.

        The watch its Call-ID points at, already matched (the usual case,
        so the NOTIFY is not matched twice), else every watch, to be
        matched; none for the Call-ID of an ended subscription (the retired
        ones answer it): a NOTIFY matches only the subscription with its
        Call-ID.
        """
        try:
            call_id = request.call_id
        except ParseError:
            return list(self._watches.values()), False
        hinted = self._by_call_id.get(call_id)
        if hinted is not None and hinted.sub is not None and hinted.sub.matches(request):
            return [hinted], True
        if call_id in self._retired:
            return [], False
        return list(self._watches.values()), False

    def _on_notify_request(self, incoming: IncomingRequest) -> None:
        if self._answers_due:
            # Our SUBSCRIBEs are sent with in_order=False, so the agent reads
            # on after their answers: one may be read but not yet taken in.
            # Its coroutine runs first (its wake-up was scheduled when the
            # answer came), then this NOTIFY, in the order they came.
            asyncio.get_running_loop().call_soon(self._notify_later, incoming)
            return
        self._handle_notify(incoming)

    def _notify_later(self, incoming: IncomingRequest) -> None:
        # What the agent does around a handler it calls itself.
        try:
            self._handle_notify(incoming)
        except ParseError as exc:
            if not incoming.responded:
                incoming.respond(exc.status, exc.reason)
        except Exception:
            log.exception("handling a NOTIFY failed")
            if not incoming.responded:
                incoming.respond(500, "Server Internal Error")

    def _handle_notify(self, incoming: IncomingRequest) -> None:
        request = incoming.request
        now = self._now()
        candidates, matched = self._notify_candidates(request)
        for watch in candidates:
            sub = watch.sub
            if sub is not None and (matched or sub.matches(request)):
                if not matched:
                    self._remember_dialog(watch, sub)
                status, reason = sub.on_notify(request, now, matched=True)
                _answer(incoming, status, reason)
                self._report_notify(watch.aor, request, status, sub)
                if status == 200:
                    self._on_accepted_notify(watch, sub, request)
                return
        try:
            retired = self._retired.get(request.call_id, ())
        except ParseError:
            retired = ()
        for sub in retired:
            if sub.matches(request):
                status, reason = sub.on_notify(request, now)
                _answer(incoming, status, reason)
                return
        # RFC 6665 §4.1.3: a NOTIFY matching no subscription gets 481.
        incoming.respond(481, "Subscription does not exist")

    def _report_notify(self, aor: str, request: Request, status: int, sub: Subscription) -> None:
        if not self._notify_events:
            return
        try:
            substate = request.subscription_state
        except ParseError:
            substate = None
        version = full = None
        # The document the subscription parsed: a body is parsed once.
        doc = sub.last_document if status == 200 and request.body else None
        if doc is not None:
            version, full = doc.version, doc.state is DocState.FULL
        self._notify_events(
            NotifyReceived(
                aor,
                status,
                substate.state if substate else None,
                substate.reason if substate else None,
                version,
                full,
            ),
        )

    def _on_accepted_notify(self, watch: _Watch, sub: Subscription, request: Request) -> None:
        if not request.body and sub.state is SubState.ACTIVE:
            # Kamailio 5.6 sends an active NOTIFY without a body while nothing
            # is registered (RFC 3680 §5.2 wants a full "init" document): take
            # it as "no registration".
            version = watch.view.version if watch.view.version is not None else 0
            self._apply(watch, ReginfoDocument(version, DocState.FULL, ()))
        self._after(watch)

    def _drain(self, watch: _Watch) -> None:
        sub = watch.sub
        if sub is None:
            return
        for event in sub.events():
            if isinstance(event, NotifyBody) and event.document is not None:
                self._apply(watch, event.document)
            elif isinstance(event, Terminated):
                self._on_terminated(watch, event.termination)

    def _apply(self, watch: _Watch, doc: ReginfoDocument) -> None:
        doc = _only_about(doc, watch.aor)
        result = watch.view.apply(doc, full_always_replaces=True)
        if result.status is ApplyStatus.NEED_FULL_STATE:
            self._ask_full_state(watch)
            return
        if result.status is not ApplyStatus.APPLIED:
            return
        if doc.state is DocState.FULL:
            watch.full_state_asked = False
        online = bool(watch.view.active_bindings())
        if online or watch.online:
            # Online now, or this document is the moment the last device left.
            watch.last_seen = self._clock()
        watch.online = online
        self._note_devices(watch, result)
        for change in result.contact_changes:
            self._contact_events(watch.aor, change)
        watch.synced = True
        watch.resyncing = False

    def _ask_full_state(self, watch: _Watch) -> None:
        # RFC 3680 §5.2: after a version gap "the subscriber ... SHOULD
        # generate a refresh request to trigger a full state notification".
        # One at a time: a notifier that keeps sending gaps must not make us
        # loop.
        sub = watch.sub
        if watch.full_state_asked or sub is None:
            return
        if sub.state not in (SubState.ACTIVE, SubState.PENDING):
            return
        watch.full_state_asked = True
        log.info("reginfo version gap for %s: asking for full state", watch.aor)
        self._spawn(self._transact(watch, sub, sub.refresh_request(self._now()), "refresh"))

    def _note_devices(self, watch: _Watch, result: ApplyResult) -> None:
        now = self._clock()
        for change in result.contact_changes:
            key = (change.registration_id, change.contact.id)
            if change.kind is ChangeKind.REMOVED:
                watch.since.pop(key, None)
            elif key not in watch.since:
                registered = change.contact.duration_registered
                if registered is not None:
                    watch.since[key] = now - registered
                elif watch.synced:
                    # Seen arriving: it registered about now.
                    watch.since[key] = now

    def _on_terminated(self, watch: _Watch, termination: Termination) -> None:
        when = (
            f" in {termination.delay:.0f} s"
            if termination.action is not TerminationAction.STOP and termination.delay
            else ""
        )
        log.info(
            "subscription to %s terminated (%s%s); next: %s%s",
            watch.aor,
            termination.reason.value,
            f" {termination.status}" if termination.status else "",
            termination.action.value,
            when,
        )

    # -- state ------------------------------------------------------------------

    def _update(self, watch: _Watch) -> None:
        state = self._compute(watch)
        if state != watch.state:
            watch.state = state
            if self._watches.get(watch.aor) is watch:
                self._changed(state)
                if self._changed_together:
                    self._gather(state)

    def _gather(self, state: BuddyState) -> None:
        """Keep *state* for this turn's `on_changes` call, made once the turn is over."""
        self._turn.append(state)
        if self._turn_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # No loop turn to wait for (watching before the loop runs).
            self._announce()
            return
        # call_soon runs after everything this turn has read and handled:
        # the NOTIFYs of one burst land in one call.
        self._turn_handle = loop.call_soon(self._announce)

    def _announce(self) -> None:
        if self._turn_handle is not None:
            self._turn_handle.cancel()
            self._turn_handle = None
        if not self._turn:
            return
        states, self._turn = tuple(self._turn), []
        self._changed_together(states)

    def _compute(self, watch: _Watch) -> BuddyState:
        aor = watch.aor
        if self._unreachable:
            return unreachable(aor, watch.last_seen, self._clock())
        if watch.resyncing and not watch.synced:
            return reconnecting(aor, watch.last_seen, self._clock())
        if watch.failure is not None:
            status, detail = watch.failure
            return described(aor, status, (), watch.last_seen, detail)
        sub = watch.sub
        if sub is None or sub.state in (SubState.INIT, SubState.NOTIFY_WAIT):
            if watch.synced:
                return self._from_view(watch)
            return described(aor, BuddyStatus.UNKNOWN, (), watch.last_seen, say("subscribing…"))
        if sub.state is SubState.PENDING:
            # RFC 6665 §4.1.3: received but not yet authorized.
            return described(
                aor, BuddyStatus.WAITING, (), watch.last_seen, say("waiting for authorization")
            )
        if sub.state is SubState.ACTIVE:
            if watch.synced:
                return self._from_view(watch)
            return described(aor, BuddyStatus.UNKNOWN, (), watch.last_seen, say("subscribed"))
        termination = sub.termination
        assert termination is not None
        return self._from_termination(watch, termination)

    def _from_termination(self, watch: _Watch, termination: Termination) -> BuddyState:
        aor, reason, code = watch.aor, termination.reason, termination.status
        if reason is TerminationReason.REJECTED or code in _NOT_ALLOWED:
            what = f"{code} {termination.detail}".strip() if code else "rejected"
            return described(
                aor,
                BuddyStatus.NOT_ALLOWED,
                (),
                watch.last_seen,
                say("not allowed ({why})", why=what),
            )
        if reason is TerminationReason.NORESOURCE or code in _NO_SUCH_USER:
            what = str(code) if code else "noresource"
            return described(
                aor,
                BuddyStatus.NO_SUCH_USER,
                (),
                watch.last_seen,
                say("unknown user ({why})", why=what),
            )
        if termination.action is TerminationAction.RESUBSCRIBE_NOW and watch.synced:
            # deactivated/timeout: a new subscription follows at once, and
            # the last known state stays true until it says otherwise.
            return self._from_view(watch)
        why = reason.value if code is None else f"{code} {termination.detail}".strip()
        if termination.action is TerminationAction.STOP:
            detail = say("unknown: subscription ended ({why})", why=why)
        else:
            detail = say(
                "unknown: subscription ended ({why}), retrying in {seconds} s",
                why=why,
                seconds=f"{termination.delay or 0:.0f}",
            )
        return described(aor, BuddyStatus.UNKNOWN, (), watch.last_seen, detail)

    def _from_view(self, watch: _Watch) -> BuddyState:
        # The bindings the view worked out once for this document (`_apply`
        # asked first, to tell online from offline).
        since = watch.since
        devices = [
            Device(
                uri=contact.uri,
                display_name=contact.display_name,
                expires=contact.expires,
                registered_since=since.get((reg_id, contact.id)),
            )
            for reg_id, contact in watch.view.active_bindings()
        ]
        if devices:
            count = len(devices)
            detail = (
                say("online on {count} device", count="1")
                if count == 1
                else say("online on {count} devices", count=str(count))
            )
            return described(watch.aor, BuddyStatus.ONLINE, tuple(devices), watch.last_seen, detail)
        detail = say("offline")
        if watch.last_seen is not None:
            when = format_time(watch.last_seen, self._clock())
            detail = say("offline, last seen {when}", when=when)
        return described(watch.aor, BuddyStatus.OFFLINE, (), watch.last_seen, detail)

    # -- helpers ----------------------------------------------------------------

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    def _spawn(self, coroutine: Awaitable[None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("presence task failed", exc_info=task.exception())
