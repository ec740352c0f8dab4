"""The embedded local SIP server: registrar, reg-event notifier and proxy.

One `UserAgent` serves three jobs for the users it is configured with:

* registrar (RFC 3261 10.3): digest-authenticated REGISTER (401), bindings
  with lifetimes, 423 below the minimum, `*` with Expires 0;
* notifier of the reg event package (RFC 3680, RFC 6665): SUBSCRIBE gets
  200 and a NOTIFY with the full state (version 0), then a partial document
  on every change of a binding;
* a MESSAGE relay (RFC 3428): a request for a user goes to each of its
  registered contacts as a new client transaction and the final answer
  comes back in the original server transaction (the simple stateful design
  of a B2BUA). 404 for unknown users, 480 when no contact is bound.

MESSAGE and SUBSCRIBE from the configured users are authenticated like a
provider does (407). It binds loopback unless told otherwise.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass

from softphone.agent import IncomingRequest, TransactionFailed, UserAgent
from softphone.listeners import Listeners
from softphone.location import HostPort, LocationError, locate
from softphone.server.bindings import (
    DEFAULT_MAX_BINDINGS,
    Binding,
    BindingChange,
    LocationService,
    RegisterRefused,
)
from softphone.server.digest import DEFAULT_ALGORITHMS, AuthOutcome, DigestAuthenticator
from softphone.server.loops import OwnAddresses
from softphone.server.notifier import RegSubscription
from softphone.server.silent import SilentTargets
from softphone.server.state import BindingState
from softphone.server.throttle import AuthThrottle
from softphone.sip import Headers, ParseError, Request, Response, SipUri
from softphone.sip.aor import aor_key
from softphone.sip.reginfo import REGINFO_CONTENT_TYPE
from softphone.sip.timers import TimerConfig
from softphone.transport.base import Address, Target, TransportKind

__all__ = ["BindingListener", "LocalServer", "aor_of"]

log = logging.getLogger(__name__)
#: One line per failed login, in the format docs/security.md gives (fail2ban).
auth_log = logging.getLogger("softphone.server.auth")

#: RFC 3680 §4.1: "The default expiration ... is 3761 seconds."
DEFAULT_SUBSCRIPTION_EXPIRES = 3761

#: Reg-event subscriptions one user may hold, and one AoR may be watched
#: by, unless configured: a person's buddies on a few devices, and the
#: devices and application servers watching one person.
DEFAULT_MAX_SUBSCRIPTIONS_PER_WATCHER = 100
DEFAULT_MAX_SUBSCRIPTIONS_PER_AOR = 50

#: NOTIFY documents built per turn of the event loop after a change.
NOTIFY_BATCH = 16

#: Headers of a MESSAGE copied into the relayed request besides the body.
_RELAYED_HEADERS = (
    "From",
    "To",
    "Call-ID",
    "CSeq",
    "Content-Type",
    "Content-Encoding",
    "Date",
    "Subject",
    "Priority",
    "In-Reply-To",
)
#: Headers of the contact's final response copied back to the sender.
_RETURNED_HEADERS = ("Retry-After", "Date", "Content-Type", "Warning")

#: Called with the AoR and its changes after every REGISTER or expiry.
BindingListener = Callable[[str, list[BindingChange]], None]


def aor_of(uri: object) -> str | None:
    """The address of record `sip:user@host` of a URI; None if not SIP.

    A URI without a user part (an application server such as
    `sip:app.example.com`) is its own AoR.
    """
    return aor_key(uri) if isinstance(uri, SipUri) else None


def _normal_aor(text: str) -> str:
    """*text* as `aor_of` writes it; ValueError when it is not a SIP URI."""
    try:
        normal = aor_of(SipUri.parse(text))
    except ParseError:
        normal = None
    if normal is None:
        raise ValueError(f"watchers: {text!r} is not a SIP address of record")
    return normal


def _is_exactly(uri: object, aor: str) -> bool:
    """True when *uri* is the same URI as *aor* by RFC 3261 19.1.4.

    User parts compare case-sensitively after unescaping, hosts without
    case; a port, a password, headers or the user, ttl, method and maddr
    parameters present in only one of them make them differ. Other URI
    parameters are ignored. `sip:alice@example.com.` (trailing dot), an
    IDN or another port are not Alice.
    """
    if not isinstance(uri, SipUri) or uri.scheme != "sip":
        return False
    if uri.password is not None or uri.port is not None or uri.headers:
        return False
    if any(uri.param(name) is not None for name in ("user", "ttl", "method", "maddr")):
        return False
    return aor_of(uri) == aor


def _username(aor: str) -> str:
    # The digest user name of an AoR: its user part, or the host for a
    # user-less AoR such as sip:app.example.com.
    rest = aor.split(":", 1)[1]
    return rest.split("@", 1)[0] if "@" in rest else rest


@dataclass(eq=False)
class _Dialog:
    """The NOTIFYs of one subscription go out one at a time, in order."""

    sub: RegSubscription
    queue: collections.deque[Request]
    busy: bool = False


class LocalServer:
    """Registrar, reg-event notifier and MESSAGE relay for a few users.

    Args:
        users: address of record → password, e.g.
            `{"sip:bob@example.com": "..."}`. The digest user name is the
            AoR's user part and the realm its domain; for an AoR without a
            user part (an application server) the user name is its host and
            the realm our *domain*.
        domain: the realm and the domain the registrar is responsible for.
        min_expires: shorter registrations get 423 Interval Too Brief.
        max_expires: longer registrations and subscriptions are cut to this.
        max_bindings: contacts one AoR may register at once (more: 403);
            also the most targets one MESSAGE is relayed to.
        digest_algorithms: offered in each challenge, most preferred first
            (RFC 7616 3.7); `("MD5",)` for clients that read only the first
            challenge and know nothing but MD5 (SIPp 3.6).
        watchers: watched AoR → the AoRs allowed to subscribe to its
            registrations besides itself (RFC 3680 section 5: the default
            policy lets a user watch only its own address).
        max_subscriptions_per_watcher: reg-event subscriptions one user may
            hold at once (more: 403).
        max_subscriptions_per_aor: subscriptions one AoR may be watched by.
        auth_throttle: counts failed logins per source and per user and says
            when to answer 503 instead (default limits: `AuthThrottle()`).
        nonce_lifetime: seconds a digest nonce stays valid.
        timers: transaction timers (shorter ones make tests quicker).
        state: where the bindings are kept across restarts (`start`
            restores the ones not expired); None keeps them in memory only.
            The server closes it on `stop`.

    Raises:
        ValueError: (on construction) a key of *users*, or an address in
            *watchers*, is not a SIP AoR.
    """

    def __init__(
        self,
        users: Mapping[str, str],
        *,
        domain: str = "example.com",
        min_expires: int = 60,
        max_expires: int = 3600,
        nonce_lifetime: float = 300.0,
        timers: TimerConfig | None = None,
        max_bindings: int = DEFAULT_MAX_BINDINGS,
        digest_algorithms: Sequence[str] = DEFAULT_ALGORITHMS,
        watchers: Mapping[str, Iterable[str]] | None = None,
        max_subscriptions_per_watcher: int = DEFAULT_MAX_SUBSCRIPTIONS_PER_WATCHER,
        max_subscriptions_per_aor: int = DEFAULT_MAX_SUBSCRIPTIONS_PER_AOR,
        auth_throttle: AuthThrottle | None = None,
        state: BindingState | None = None,
    ) -> None:
        self.domain = domain.lower()
        #: AoR → (digest user name, realm); the realm is the AoR's domain.
        self._users: dict[str, tuple[str, str]] = {}
        passwords: dict[tuple[str, str], str] = {}
        for aor, password in users.items():
            try:
                normal = aor_of(SipUri.parse(aor))
            except ParseError as exc:
                raise ValueError(f"{aor!r} is not a SIP address of record") from exc
            assert normal is not None
            account = (_username(normal), self._realm_of(normal))
            if account in passwords:
                raise ValueError(f"{aor!r} is listed twice")
            self._users[normal] = account
            passwords[account] = password
        self._accounts = {account: aor for aor, account in self._users.items()}
        #: The domains served: each user's, and ours.
        self._realms = frozenset({self.domain, *(realm for _, realm in self._users.values())})
        self._watchers: dict[str, frozenset[str]] = {}
        for watched, allowed in (watchers or {}).items():
            self._watchers[_normal_aor(watched)] = frozenset(_normal_aor(w) for w in allowed)
        self._throttle = auth_throttle if auth_throttle is not None else AuthThrottle()
        self._max_per_watcher = max_subscriptions_per_watcher
        self._max_per_aor = max_subscriptions_per_aor
        self._auth = DigestAuthenticator(
            passwords, nonce_lifetime=nonce_lifetime, algorithms=digest_algorithms
        )
        self.location = LocationService(
            min_expires=min_expires, max_expires=max_expires, max_bindings=max_bindings
        )
        self._max_expires = max_expires
        self.agent = UserAgent(timers=timers, user_agent="softphone-registrar")
        #: Relay targets that did not answer lately are left out for a while.
        self.silent = SilentTargets()
        self._dialogs: dict[tuple[str, str, str], _Dialog] = {}
        self._reg_ids: dict[str, str] = {}
        self._listeners: Listeners[[str, list[BindingChange]]] = Listeners("binding", log)
        self._tasks: set[asyncio.Task[None]] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._address: Address | None = None
        self._own: OwnAddresses | None = None
        #: (Call-ID, From tag, CSeq) of each MESSAGE being relayed.
        self._relaying: set[tuple[str, str, int]] = set()
        #: Binding changes waiting for their NOTIFYs: (dialogs, changes,
        #: remaining bindings, time of the change).
        self._publications: collections.deque[
            tuple[list[_Dialog], list[BindingChange], int, float]
        ] = collections.deque()
        self._publisher: asyncio.Task[None] | None = None
        self._state = state
        #: AoRs whose bindings changed since the state file was last written.
        self._unsaved: set[str] = set()
        self._save_handle: asyncio.Handle | None = None

    # -- lifecycle ----------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Address:
        """Listen on UDP and TCP at *host*:*port* (0: a free port for both).

        Loopback by default: the server is for this computer only.

        Raises:
            OSError: the port cannot be bound.
            StateError: the state file cannot be read.
        """
        self._restore()
        self.agent.handle("REGISTER", self._on_register)
        self.agent.handle("SUBSCRIBE", self._on_subscribe)
        self.agent.handle("MESSAGE", self._on_message)
        for attempt in range(20):
            udp = await self.agent.listen(TransportKind.UDP, host, port)
            try:
                # TCP on the same port carries messages over 1300 bytes
                # (RFC 3428 5) from clients that switch transport to this hop.
                await self.agent.listen(TransportKind.TCP, host, udp.local.port)
            except OSError:
                udp.close()
                if port != 0 or attempt == 19:
                    raise
                continue
            self._address = udp.local
            break
        assert self._address is not None
        self._own = OwnAddresses(self._address, self.domain)
        log.info("local SIP server for %s on %s", self.domain, self._address)
        return self._address

    @property
    def address(self) -> Address:
        """Where the server listens (UDP and TCP).

        Raises:
            RuntimeError: not started.
        """
        if self._address is None:
            raise RuntimeError("the server is not started")
        return self._address

    async def stop(self) -> None:
        """Stop timers and relays, and close the sockets."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.agent.close()
        self._dialogs.clear()
        if self._save_handle is not None:
            self._save_handle.cancel()
        if self._state is not None:
            self._save_state()
            self._state.close()
            self._state = None

    # -- observation ---------------------------------------------------------------

    def add_listener(self, listener: BindingListener) -> None:
        """Call *listener* with an AoR and its changes after each change."""
        self._listeners.add(listener)

    def bindings(self, aor: str) -> list[Binding]:
        """The current bindings of *aor*."""
        return self.location.bindings(aor)

    @property
    def binding_count(self) -> int:
        """Bindings held for all users (after `start`: those restored)."""
        return self.location.binding_count

    def may_watch(self, watcher: str, aor: str) -> bool:
        """True when *watcher* may subscribe to *aor*'s registrations."""
        if aor not in self._users:
            return False
        return watcher == aor or watcher in self._watchers.get(aor, frozenset())

    @property
    def pending_notifies(self) -> int:
        """NOTIFYs queued or in flight, and publications not yet turned into them."""
        queued = sum(len(d.queue) + d.busy for d in self._dialogs.values())
        return queued + len(self._publications)

    @property
    def subscription_count(self) -> int:
        """Reg-event subscriptions alive."""
        return len(self._dialogs)

    def subscriptions(self) -> list[tuple[str, str]]:
        """(watcher, watched AoR) of every reg-event subscription alive."""
        return [(d.sub.watcher, d.sub.aor) for d in self._dialogs.values()]

    @property
    def _own_address(self) -> OwnAddresses:
        if self._own is None:
            raise RuntimeError("the server is not started")
        return self._own

    @property
    def contact(self) -> SipUri:
        """Our own Contact URI (in 200 to SUBSCRIBE and in NOTIFY)."""
        return SipUri.parse(f"sip:{self.address.sent_by}")

    # -- REGISTER ------------------------------------------------------------------

    def _on_register(self, incoming: IncomingRequest) -> None:
        request = incoming.request
        now = self._now()
        aor = aor_of(request.to.uri)
        if aor is None or (aor not in self._users and self._realm_of(aor) not in self._realms):
            # RFC 3261 10.3 step 1: not a domain this registrar serves.
            incoming.respond(404, "Not Found")
            return
        # Known and unknown users of our domains are challenged alike, and
        # a wrong password is answered like an unknown user: the answers do
        # not tell who exists.
        user = self._authenticate(incoming, claimed=aor, proxy=False, now=now)
        if user is None:
            return
        if user != aor:
            # RFC 3261 10.3 step 3: the user may not change this AoR's bindings.
            incoming.respond(403, "Forbidden")
            return
        try:
            contacts = request.contact
            expires = request.expires
            for contact in contacts:
                uri = contact.address.uri if contact.address is not None else None
                if isinstance(uri, SipUri) and self._own_address.uri_is_own(uri):
                    # RFC 5393: a binding to ourselves turns each MESSAGE
                    # into a forking loop.
                    raise RegisterRefused(403, "Contact points at this server")
            changes = self.location.register(
                aor,
                contacts,
                expires=expires,
                call_id=request.call_id,
                cseq=request.cseq.seq,
                now=now,
            )
        except ParseError as exc:
            incoming.respond(exc.status, exc.reason)
            return
        except RegisterRefused as exc:
            incoming.respond(exc.status, exc.reason, headers=exc.headers)
            return
        # RFC 3261 10.3 step 8: the 200 lists every current binding with
        # its remaining lifetime.
        headers = [
            ("Contact", f"<{b.uri}>;expires={b.remaining(now)}")
            for b in self.location.bindings(aor)
        ]
        incoming.respond(200, headers=headers)
        if changes:
            self._publish(aor, changes, now)
            self._changed(aor)
        self._rearm()

    # -- SUBSCRIBE / NOTIFY --------------------------------------------------------

    def _on_subscribe(self, incoming: IncomingRequest) -> None:
        request = incoming.request
        now = self._now()
        try:
            event = request.event
            expires = request.expires
            contacts = request.contact
        except ParseError as exc:
            incoming.respond(exc.status, exc.reason)
            return
        if event is None or event.package.lower() != "reg":
            # RFC 6665 §4.2.1: an unknown package gets 489 and Allow-Events.
            incoming.respond(489, "Bad Event", headers=[("Allow-Events", "reg")])
            return
        accept = [a.split(";")[0].strip().lower() for a in request.headers.values("Accept")]
        if accept and REGINFO_CONTENT_TYPE not in accept and "application/*" not in accept:
            incoming.respond(406, "Not Acceptable", headers=[("Accept", REGINFO_CONTENT_TYPE)])
            return
        watcher = self._sender(incoming, now)
        if watcher is None:
            return
        granted = min(
            expires if expires is not None else DEFAULT_SUBSCRIPTION_EXPIRES, self._max_expires
        )
        if request.to.tag is not None:
            self._refresh_subscription(incoming, watcher, granted, now)
            return
        aor = aor_of(request.uri)
        if aor is None or not self.may_watch(watcher, aor):
            # RFC 3680 section 5: only authorized watchers; an address that
            # does not exist is refused alike, so nothing can be enumerated.
            incoming.respond(403, "Forbidden")
            return
        if granted > 0:
            mine = sum(1 for d in self._dialogs.values() if d.sub.watcher == watcher)
            if mine >= self._max_per_watcher:
                incoming.respond(403, f"Too many subscriptions (limit {self._max_per_watcher})")
                return
            theirs = sum(1 for d in self._dialogs.values() if d.sub.aor == aor)
            if theirs >= self._max_per_aor:
                incoming.respond(
                    403, f"Too many watchers of this address (limit {self._max_per_aor})"
                )
                return
        target = contacts[0].address if contacts else None
        if target is None or not isinstance(target.uri, SipUri):
            incoming.respond(400, "Missing Contact")
            return
        response = incoming.respond(
            200, headers=[("Expires", str(granted)), ("Contact", f"<{self.contact}>")]
        )
        sub = RegSubscription(
            aor=aor,
            reg_id=self._reg_id(aor),
            call_id=request.call_id,
            local=response.to,
            remote=request.from_,
            remote_target=target.uri,
            event_id=event.id,
            expires_at=now + granted,
            watcher=watcher,
        )
        body = sub.full_document(self.location.bindings(aor), now)
        if granted == 0:
            # A fetch (RFC 6665 §4.4.3): one NOTIFY with the state, then over.
            dialog = _Dialog(sub, collections.deque())
            self._enqueue(
                dialog, sub.notify(body, contact=self.contact, now=now, terminated_reason="timeout")
            )
            return
        dialog = _Dialog(sub, collections.deque())
        self._dialogs[sub.key] = dialog
        self._enqueue(dialog, sub.notify(body, contact=self.contact, now=now))
        self._rearm()

    def _refresh_subscription(
        self, incoming: IncomingRequest, watcher: str, granted: int, now: float
    ) -> None:
        request = incoming.request
        key = (request.call_id, request.to.tag or "", request.from_.tag or "")
        dialog = self._dialogs.get(key)
        if dialog is None or dialog.sub.watcher != watcher:
            incoming.respond(481, "Subscription does not exist")
            return
        sub = dialog.sub
        contacts = request.contact
        if (
            contacts
            and contacts[0].address is not None
            and isinstance(contacts[0].address.uri, SipUri)
        ):
            sub.remote_target = contacts[0].address.uri  # a target refresh (RFC 6665 §4.3)
        sub.expires_at = now + granted
        incoming.respond(200, headers=[("Expires", str(granted)), ("Contact", f"<{self.contact}>")])
        body = sub.full_document(self.location.bindings(sub.aor), now)
        if granted == 0:
            # RFC 6665 §4.2.1.4: unsubscribing ends with a terminated NOTIFY.
            del self._dialogs[key]
            self._enqueue(
                dialog, sub.notify(body, contact=self.contact, now=now, terminated_reason="timeout")
            )
        else:
            # RFC 6665 §4.2.1.2: a refresh is answered with a NOTIFY of the state.
            self._enqueue(dialog, sub.notify(body, contact=self.contact, now=now))
        self._rearm()

    def _publish(self, aor: str, changes: list[BindingChange], now: float) -> None:
        # The watchers are fixed now (a subscription made later gets the
        # new state in its first, full document); their documents are
        # built by the publisher task, a batch per turn of the event loop,
        # so the REGISTER that caused them is answered first and requests
        # arriving meanwhile are not held up.
        dialogs = [d for d in self._dialogs.values() if d.sub.aor == aor]
        if dialogs:
            remaining = len(self.location.bindings(aor))
            self._publications.append((dialogs, changes, remaining, now))
            if self._publisher is None or self._publisher.done():
                self._publisher = asyncio.get_running_loop().create_task(self._run_publisher())
                self._tasks.add(self._publisher)
                self._publisher.add_done_callback(self._tasks.discard)
        self._listeners(aor, changes)

    async def _run_publisher(self) -> None:
        while self._publications:
            dialogs, changes, remaining, now = self._publications[0]
            for start in range(0, len(dialogs), NOTIFY_BATCH):
                await asyncio.sleep(0)  # let the loop answer other requests
                for dialog in dialogs[start : start + NOTIFY_BATCH]:
                    sub = dialog.sub
                    if self._dialogs.get(sub.key) is not dialog:
                        continue  # ended since the change
                    body = sub.partial_document(changes, remaining, now)
                    self._enqueue(dialog, sub.notify(body, contact=self.contact, now=now))
            self._publications.popleft()

    def _enqueue(self, dialog: _Dialog, request: Request) -> None:
        dialog.queue.append(request)
        if not dialog.busy:
            self._send_next(dialog)

    def _send_next(self, dialog: _Dialog) -> None:
        # One NOTIFY in flight per dialog, so documents arrive in version
        # order whatever the network reorders.
        if not dialog.queue:
            dialog.busy = False
            return
        dialog.busy = True
        request = dialog.queue.popleft()
        self._spawn(self._notify(dialog, request))

    async def _notify(self, dialog: _Dialog, request: Request) -> None:
        sub = dialog.sub
        try:
            target = await _target_for(sub.remote_target)
            response = await self.agent.request(request, target)
        except (TransactionFailed, LocationError, LookupError) as exc:
            # RFC 6665 §4.2.2: a NOTIFY that times out removes the subscription.
            log.info("NOTIFY to %s failed (%s); dropping the subscription", sub.remote, exc)
            self._drop(dialog)
            return
        if response.status >= 300:
            # RFC 6665 §4.2.2: 481 (and any other failure) ends it.
            log.info("NOTIFY answered %s; dropping the subscription", response.status)
            self._drop(dialog)
            return
        self._send_next(dialog)

    def _drop(self, dialog: _Dialog) -> None:
        dialog.queue.clear()
        dialog.busy = False
        if self._dialogs.get(dialog.sub.key) is dialog:
            del self._dialogs[dialog.sub.key]

    def _reg_id(self, aor: str) -> str:
        return self._reg_ids.setdefault(aor, f"r{len(self._reg_ids) + 1}")

    # -- MESSAGE relay --------------------------------------------------------------

    def _on_message(self, incoming: IncomingRequest) -> None:
        request = incoming.request
        now = self._now()
        if request.max_forwards is not None and request.max_forwards <= 0:
            incoming.respond(483, "Too Many Hops")  # RFC 3261 16.3 step 3
            return
        own = self._own_address
        if any(own.is_own(via.host, via.port or 5060) for via in request.via):
            # RFC 3261 16.3 step 4: our own Via means the request has been
            # here before (the relay puts it there).
            incoming.respond(482, "Loop Detected")
            return
        relay_key = (request.call_id, request.from_.tag or "", request.cseq.seq)
        if relay_key in self._relaying:
            # RFC 3261 8.2.2.2: the same From tag, Call-ID and CSeq as a
            # request still being relayed, on another branch: it came back.
            incoming.respond(482, "Loop Detected")
            return
        if self._sender(incoming, now) is None:
            return
        aor = aor_of(request.uri)
        if aor is None or aor not in self._users:
            incoming.respond(404, "Not Found")
            return
        bindings = self.location.bindings(aor)
        if not bindings:
            incoming.respond(480, "Temporarily Unavailable")
            return
        self._relaying.add(relay_key)
        self._spawn(self._relay(incoming, bindings[: self.location.max_bindings], relay_key))

    async def _relay(
        self,
        incoming: IncomingRequest,
        bindings: list[Binding],
        relay_key: tuple[str, str, int],
    ) -> None:
        try:
            await self._relay_to(incoming, bindings)
        finally:
            self._relaying.discard(relay_key)

    async def _relay_to(self, incoming: IncomingRequest, bindings: list[Binding]) -> None:
        request = incoming.request
        hops = request.max_forwards
        # One copy per transport address, however many contacts name it.
        addresses: set[tuple[TransportKind, Address]] = set()
        pending = {
            asyncio.ensure_future(self._relay_one(request, binding, hops, addresses))
            for binding in bindings
        }
        best: tuple[int, str, list[tuple[str, str]], bytes] | None = None
        try:
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    answer = task.result()
                    if answer is _NO_COPY:
                        continue
                    if 200 <= answer[0] < 300:
                        best = answer
                        # The others' transactions go on to their end anyway
                        # (RFC 3261 17.1.2); let them finish so a target that
                        # never answers is known as such (silent.py).
                        if pending:
                            self._spawn(_settle(pending))
                        pending = set()
                        break
                    if best is None or _better(answer[0], best[0]):
                        best = answer
        finally:
            for task in pending:
                task.cancel()
        status, reason, headers, body = best or (480, "Temporarily Unavailable", [], b"")
        if not incoming.responded:
            incoming.respond(status, reason, headers=headers, body=body)

    async def _relay_one(
        self,
        request: Request,
        binding: Binding,
        hops: int | None,
        addresses: set[tuple[TransportKind, Address]],
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        headers = Headers()
        for name in _RELAYED_HEADERS:
            for value in request.headers.get_all(name):
                headers.add(name, value)
        # RFC 3261 16.6 step 3: one hop less.
        headers.add("Max-Forwards", str((hops if hops is not None else 70) - 1))
        uri = SipUri.parse(binding.uri)
        relayed = Request(method="MESSAGE", uri=uri, headers=headers, body=request.body)
        try:
            target = await _target_for(uri)
            if self._own_address.is_own(target.address.host, target.address.port):
                # Never relay to ourselves (RFC 5393): whatever name the
                # contact used, it resolved to this server.
                return 482, "Loop Detected", [], b""
        except (LocationError, LookupError):
            return 480, "Temporarily Unavailable", [], b""
        address = (target.kind, target.address)
        if address in addresses:
            return _NO_COPY  # the copy on its way there answers for it
        addresses.add(address)
        if self.silent.left_out(address, self._now()):
            # It did not answer lately: no eleven retransmissions to it again
            # (softphone/server/silent.py).
            return 480, "Temporarily Unavailable", [], b""
        self.silent.sending(address, self._now())
        outcome = "abandoned"
        try:
            response = await self.agent.request(relayed, target)
            outcome = "answered"
        except TransactionFailed as exc:
            # RFC 3261 16.7 step 6 / 16.8: a timeout counts as a 408; a
            # contact we cannot reach is temporarily unavailable.
            if exc.timed_out:
                outcome = "timed out"
                return 408, "Request Timeout", [], b""
            return 480, "Temporarily Unavailable", [], b""
        except LookupError:
            return 480, "Temporarily Unavailable", [], b""
        finally:
            if outcome == "answered":
                self.silent.answered(address)
            elif outcome == "timed out":
                self.silent.timed_out(address, self._now())
            else:
                self.silent.abandoned(address)
        return response.status, response.reason, _returned_headers(response), response.body

    # -- authentication ---------------------------------------------------------------

    def _sender(self, incoming: IncomingRequest, now: float) -> str | None:
        """The authenticated AoR sending *incoming*, or None after answering it.

        Every MESSAGE and SUBSCRIBE is challenged with 407 like a provider's
        proxy does (RFC 3261 22.3), whoever it claims to come from, so an
        anonymous sender learns nothing about our users. The From must then
        be exactly the address the credentials prove (RFC 3261 19.1.4), so
        no one speaks as another user or a look-alike of one.
        """
        request = incoming.request
        user = self._authenticate(incoming, claimed=aor_of(request.from_.uri), proxy=True, now=now)
        if user is None:
            return None
        if not _is_exactly(request.from_.uri, user):
            incoming.respond(403, "From is not the authenticated user")
            return None
        return user

    def _authenticate(
        self, incoming: IncomingRequest, *, claimed: str | None, proxy: bool, now: float
    ) -> str | None:
        """The AoR the request's credentials prove, or None after challenging.

        *claimed* is the AoR the request names (To of a REGISTER, From
        otherwise); it picks the realm of the challenge. *proxy* selects
        407/Proxy-Authenticate (RFC 3261 22.3) over 401/WWW-Authenticate.
        """
        request = incoming.request
        if proxy:
            header, status, challenge_header = ("Proxy-Authorization", 407, "Proxy-Authenticate")
        else:
            header, status, challenge_header = ("Authorization", 401, "WWW-Authenticate")
        source = incoming.source
        wait = self._throttle.retry_after(source.host, claimed, now)
        if wait is not None:
            # Too many failures from this address or against this user:
            # RFC 3261 21.5.4, come back after Retry-After seconds.
            incoming.respond(503, "Too many failed logins", headers=[("Retry-After", str(wait))])
            return None
        result = self._auth.check(request, header, now, realms=self._realms)
        if result.outcome is AuthOutcome.OK:
            assert result.username is not None and result.realm is not None
            return self._accounts[(result.username, result.realm)]
        if result.outcome is AuthOutcome.FAILED:
            # The peer's text is JSON-quoted: one ASCII line, fields it
            # cannot forge (the address comes first).
            auth_log.warning(
                "auth failure from %s port %d user=%s realm=%s method=%s reason=%s",
                source.host,
                source.port,
                json.dumps(result.username or ""),
                json.dumps(result.realm or ""),
                request.method,
                result.reason,
            )
            for kind, value in self._throttle.failed(source.host, claimed, now):
                limit = self._throttle.failures_per_source
                what = value
                if kind == "user":
                    limit, what = self._throttle.failures_per_user, f"user {json.dumps(value)}"
                auth_log.warning(
                    "auth blocked %s for %d s after %d failures", what, self._throttle.block, limit
                )
        realm = self.domain
        if claimed is not None and self._realm_of(claimed) in self._realms:
            realm = self._realm_of(claimed)
        challenges = self._auth.challenges(realm, now, stale=result.outcome is AuthOutcome.STALE)
        incoming.respond(status, headers=[(challenge_header, str(c)) for c in challenges])
        return None

    def _realm_of(self, aor: str) -> str:
        # The realm of an AoR is its domain; an application server's AoR
        # (no user part) belongs to the realm of the domain we serve.
        rest = aor.split(":", 1)[1]
        return rest.split("@", 1)[1] if "@" in rest else self.domain

    # -- the state file -------------------------------------------------------------

    def _restore(self) -> None:
        """Put back the bindings of our users that the state file holds and are alive."""
        if self._state is None:
            return
        # The file holds wall-clock times, the server works in loop time.
        offset = time.time() - self._now()
        saved = self._state.load(time.time())
        mine = [
            dataclasses.replace(
                b, expires_at=b.expires_at - offset, registered_at=b.registered_at - offset
            )
            for b in saved
            if b.aor in self._users
        ]
        kept = self.location.restore(mine)
        if kept:
            log.info("restored %d bindings from %s", kept, self._state.path)
            self._rearm()
        # The file is written back as memory holds it: without the bindings
        # of users no longer in the users file or past --max-bindings.
        self._unsaved.update(b.aor for b in saved)
        if self._unsaved:
            self._save_handle = asyncio.get_running_loop().call_soon(self._save_state)

    def _changed(self, aor: str) -> None:
        # One write per turn of the event loop, after the answers of that
        # turn went out: a burst of REGISTERs is one commit.
        if self._state is None:
            return
        self._unsaved.add(aor)
        if self._save_handle is None:
            self._save_handle = asyncio.get_running_loop().call_soon(self._save_state)

    def _save_state(self) -> None:
        self._save_handle = None
        if self._state is None or not self._unsaved:
            return
        offset = time.time() - self._now()
        changed = {
            aor: [
                dataclasses.replace(
                    b, expires_at=b.expires_at + offset, registered_at=b.registered_at + offset
                )
                for b in self.location.bindings(aor)
            ]
            for aor in self._unsaved
        }
        try:
            self._state.save(changed)
        except sqlite3.Error as exc:
            # The bindings in memory are right; the relay goes on. They are
            # written again with the next change of the same AoRs.
            log.warning("cannot write the registrar state file %s: %s", self._state.path, exc)
            return
        self._unsaved.clear()

    # -- expiry ---------------------------------------------------------------------

    def _rearm(self) -> None:
        deadlines = [d.sub.expires_at for d in self._dialogs.values()]
        location = self.location.deadline
        if location is not None:
            deadlines.append(location)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if deadlines:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_at(min(deadlines), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        now = self._now()
        expired = self.location.expire(now)
        by_aor: dict[str, list[BindingChange]] = {}
        for change in expired:
            by_aor.setdefault(change.binding.aor, []).append(change)
        for aor, changes in by_aor.items():
            self._publish(aor, changes, now)
            self._changed(aor)
        for key, dialog in list(self._dialogs.items()):
            sub = dialog.sub
            if sub.expires_at <= now:
                # RFC 6665 §4.2.2: an expired subscription ends with a
                # terminated NOTIFY, reason timeout.
                del self._dialogs[key]
                body = sub.full_document(self.location.bindings(sub.aor), now)
                self._enqueue(
                    dialog,
                    sub.notify(body, contact=self.contact, now=now, terminated_reason="timeout"),
                )
        self._rearm()

    def _spawn(self, coroutine: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _now(self) -> float:
        return asyncio.get_running_loop().time()


async def _settle(tasks: set[asyncio.Future[_Answer]]) -> None:
    """Wait for *tasks*, whose answers no longer matter."""
    try:
        await asyncio.gather(*tasks, return_exceptions=True)
    except asyncio.CancelledError:
        for task in tasks:
            task.cancel()
        raise


_Answer = tuple[int, str, list[tuple[str, str]], bytes]

#: What a relay to a transport address already being sent to returns: no answer.
_NO_COPY: tuple[int, str, list[tuple[str, str]], bytes] = (0, "", [], b"")


def _better(status: int, than: int) -> bool:
    """RFC 3261 16.7 step 6, simplified: a 6xx wins, then the lowest class."""
    if (status >= 600) != (than >= 600):
        return status >= 600
    return status < than


def _returned_headers(response: Response) -> list[tuple[str, str]]:
    out = []
    for name in _RETURNED_HEADERS:
        for value in response.headers.get_all(name):
            out.append((name, value))
    return out


async def _target_for(uri: SipUri) -> Target:
    """Where a request to a contact URI goes: its host, port and transport."""
    transport = (uri.param("transport") or "udp").lower()
    kind = {"tcp": TransportKind.TCP, "tls": TransportKind.TLS}.get(transport, TransportKind.UDP)
    if uri.scheme == "sips":
        kind = TransportKind.TLS
    return await locate(HostPort.parse(uri.host_port), kind)
