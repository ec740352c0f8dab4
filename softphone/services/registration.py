"""Keep the account's contact registered (RFC 3261 10).

One REGISTER loop per account: register, refresh before the binding
expires, answer digest challenges, honour 423 Min-Expires, back off with
jitter on failures, follow the address the registrar saw us at
(received/rport, RFC 3581), and unregister (Expires: 0) on shutdown. Every
change of state is reported as a `RegistrationStatus` with a sentence a
person can read in the status bar.

The registrar may be several servers (RFC 3263: SRV priorities, NAPTR
transports): each REGISTER walks them in order, moving on after a
transport error, a timeout or a 503 (RFC 3263 4.3), and the status says
which one answered. A refresh goes to the server that holds the binding;
a flow found dead by the keep-alive (`flow_failed`) re-registers at once,
trying that server last.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from softphone import wakeups
from softphone.account import Account
from softphone.agent import TransactionFailed, UserAgent
from softphone.listeners import Listeners
from softphone.location import LocationError
from softphone.phrase import Phrase, say
from softphone.services.outbound import Outbound
from softphone.sip import Headers, NameAddr, Request, Response, SipUri, new_call_id, new_tag
from softphone.sip.auth import AuthenticationFailed, DigestClient
from softphone.transport.base import Address, Target, TransportKind

log = logging.getLogger(__name__)


class RegistrationState(enum.Enum):
    """Where the account's registration is."""

    #: Not registered and not trying (before start, after stop).
    UNREGISTERED = "unregistered"
    #: A REGISTER is on its way.
    REGISTERING = "registering"
    #: The registrar holds our binding.
    REGISTERED = "registered"
    #: The last attempt failed; `retry_in` says whether we try again.
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class RegistrationStatus:
    """What the status bar shows, and why."""

    state: RegistrationState
    #: A sentence for people: "Registered as alice@example.com".
    text: str
    #: The SIP status code behind it, if a response caused it.
    code: int | None = None
    #: Seconds the registrar granted, when registered.
    expires: int | None = None
    #: Seconds until the next attempt, when failed and retrying.
    retry_in: float | None = None
    #: The server that answered, as host:port.
    server: str | None = None
    #: The server wants a password we do not have or refused ours: only the
    #: user can fix it (the window asks); no retry is scheduled.
    credentials_refused: bool = False
    #: The server's reason phrase for that (with `code`), e.g. "Forbidden".
    reason: str | None = None
    #: *text* as a template and its values, for a window to translate.
    phrase: Phrase | None = None


def _status(state: RegistrationState, phrase: Phrase | str, **fields: Any) -> RegistrationStatus:
    """A status whose text is *phrase* in English (a str is a sentence of no template)."""
    if isinstance(phrase, str):
        return RegistrationStatus(state, phrase, **fields)
    return RegistrationStatus(state, str(phrase), phrase=phrase, **fields)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Back-off after failures: a random wait in [w, 2w), w doubling to a cap."""

    first: float = 5.0
    maximum: float = 300.0

    def wait(self, failures: int, rng: random.Random) -> float:
        """The wait before attempt number *failures* + 1."""
        base = min(self.first * (2 ** max(failures - 1, 0)), self.maximum)
        return min(rng.uniform(base, 2 * base), self.maximum)


def refresh_after(granted: int) -> float:
    """When to refresh a binding granted for *granted* seconds.

    Half-way for short bindings, a minute early for long ones: late enough
    not to load the registrar, early enough to survive one lost REGISTER
    and its retransmissions (64*T1 = 32 s).
    """
    return max(granted * 0.5, granted - 60.0)


def refresh_window(granted: int) -> float:
    """How much earlier than `refresh_after` a refresh may go.

    RFC 3261 10.2.4 asks only that a binding be refreshed before it
    expires; going a little early lets the refresh share a wake-up the app
    makes anyway (a buddy's subscription refresh, a keep-alive). A tenth of
    the lifetime, at most a quarter of the wait: the registrar sees at most
    about a tenth more REGISTERs.
    """
    return min(granted * 0.1, refresh_after(granted) / 4)


#: Finds the registrar: the servers to try, in order (or just one).
LocateRegistrar = Callable[[], Awaitable[Target | Sequence[Target]]]
StatusCallback = Callable[[RegistrationStatus], None]


class Registration:
    """The REGISTER loop of one account.

    Call `start()` once the agent listens, `stop()` on quit.
    """

    def __init__(
        self,
        agent: UserAgent,
        account: Account,
        digest: DigestClient | None,
        locate_registrar: LocateRegistrar,
        *,
        on_change: StatusCallback | None = None,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        expires: int | None = None,
        outbound: Outbound | None = None,
    ) -> None:
        """Prepare the loop; nothing is sent before `start()`.

        *expires* overrides the account's lifetime (tests and the command
        line ask for short ones; the registrar answers 423 if too short).
        *outbound* is the account's way out (one is made from *digest*
        when none is given).
        """
        self._agent = agent
        self._account = account
        self._outbound = outbound or Outbound(agent, digest)
        self._locate = locate_registrar
        self._listeners: Listeners[[RegistrationStatus]] = Listeners("registration status", log)
        if on_change is not None:
            self._listeners.add(on_change)
        self._retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._call_id = new_call_id(account.domain)
        self._from_tag = new_tag()
        self._cseq = 0
        self._contact: SipUri | None = None
        self._contact_kind: TransportKind | None = None
        #: A server whose flow died: tried last until another one answers.
        self._demoted: Target | None = None
        self._stale_contacts: list[SipUri] = []
        self._target: Target | None = None
        self._task: asyncio.Task[None] | None = None
        self._expires = expires if expires is not None else account.expires
        self._registered = asyncio.Event()
        #: How much earlier than the wait `_attempt` returned the next one
        #: may go: a refresh's window, zero for a retry.
        self._early = 0.0
        #: When the next REGISTER goes (loop time), while one is planned.
        self.refresh_at: float | None = None
        #: When the binding the last 2xx granted expires (loop time).
        self.expires_at: float | None = None
        # True while the registrar may hold our binding: set by a 2xx,
        # cleared by the unregister. A quit during a refresh must still
        # remove it.
        self._bound = False
        self.status = RegistrationStatus(RegistrationState.UNREGISTERED, "Not registered")

    # -- public -----------------------------------------------------------------

    def add_listener(self, callback: StatusCallback) -> None:
        """Call *callback* with every new status."""
        self._listeners.add(callback)

    @property
    def contact(self) -> SipUri | None:
        """The contact URI we registered (or are registering)."""
        return self._contact

    @property
    def target(self) -> Target | None:
        """The server that answered the last REGISTER (the one holding our binding)."""
        return self._target

    def flow_failed(self, target: Target, reason: str) -> None:
        """The flow to *target* is dead (RFC 5626 4.4): register again now.

        The dead server is tried last, so the next REGISTER goes to the
        backup rather than waiting for the dead one to time out. Ignored
        when *target* is not the server we are registered with, or before
        `start()`.
        """
        if target != self._target or self._task is None:
            return
        log.warning("lost the registrar at %s (%s); registering again", target.address, reason)
        self._demoted = target
        self._registered.clear()
        self._set(
            _status(
                RegistrationState.REGISTERING,
                say(
                    "Connection to {server} lost ({reason}), trying again…",
                    server=_name(target),
                    reason=reason,
                ),
                server=target.address.sent_by,
            )
        )
        self._task.cancel()
        self._task = asyncio.get_running_loop().create_task(self._run())

    def start(self) -> None:
        """Start registering in the background."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def wait_settled(self, timeout: float) -> RegistrationStatus:
        """Wait for the first outcome: registered or failed.

        Returns the status then, or the current one if *timeout* passes
        first (still registering).
        """
        settled = (RegistrationState.REGISTERED, RegistrationState.FAILED)
        if self.status.state in settled:
            return self.status
        future: asyncio.Future[RegistrationStatus] = asyncio.get_running_loop().create_future()

        def on_change(status: RegistrationStatus) -> None:
            if status.state in settled and not future.done():
                future.set_result(status)

        self._listeners.add(on_change)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return self.status
        finally:
            self._listeners.remove(on_change)

    async def wait_registered(self, timeout: float) -> bool:
        """Wait until registered; False if *timeout* passes first."""
        try:
            await asyncio.wait_for(self._registered.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def stop(self, *, timeout: float = 5.0) -> None:
        """Stop refreshing and remove our binding (Expires: 0, RFC 3261 10.2.2).

        Waits at most *timeout* seconds for the registrar's answer; a
        failure to unregister is logged, never raised (the binding then
        expires by itself).
        """
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._registered.clear()
        if self._bound and self._target is not None and self._contact is not None:
            try:
                response, _ = await asyncio.wait_for(self._send([self._target], expires=0), timeout)
            except (TimeoutError, TransactionFailed, AuthenticationFailed) as exc:
                reason = str(exc) or f"no answer within {timeout:g} s"  # a timeout is mute
                log.warning("unregistering failed: %s", reason)
            else:
                if 200 <= response.status < 300:
                    self._bound = False
                else:
                    log.warning("unregistering refused: %s %s", response.status, response.reason)
        self._set(_status(RegistrationState.UNREGISTERED, say("Not registered")))

    # -- the loop ---------------------------------------------------------------

    async def _run(self) -> None:
        expires = self._expires
        failures = 0
        while True:
            self._early = 0.0
            delay, expires, failures = await self._attempt(expires, failures)
            if delay is None:
                return
            await self._sleep(delay, self._early)

    async def _sleep(self, delay: float, early: float) -> None:
        """Wait *delay* seconds, or down to *early* less to share a wake-up."""
        if delay <= 0:
            await asyncio.sleep(0)
            return
        table = wakeups.for_loop()
        now = table.loop_time()
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        wakeup = table.call_between(now + delay - early, now + delay, _wake, woken)
        self.refresh_at = wakeup.when()
        try:
            await woken
        finally:
            wakeup.cancel()
            self.refresh_at = None

    async def _attempt(self, expires: int, failures: int) -> tuple[float | None, int, int]:
        """One REGISTER round; returns (wait before the next, expires, failures)."""
        who = self._who()
        if self.status.state not in (RegistrationState.REGISTERED, RegistrationState.REGISTERING):
            # A refresh keeps the account REGISTERED: messages keep flowing
            # and the status bar does not flicker every half lifetime.
            self._set(_status(RegistrationState.REGISTERING, say("Registering as {who}…", who=who)))
        try:
            targets = self._order(await self._locate())
            response, target = await self._send(targets, expires=expires)
        except LocationError as exc:
            return self._fail(exc.phrase, None, failures + 1), expires, failures + 1
        except LookupError as exc:
            if type(exc) is not LookupError:
                raise  # KeyError, IndexError: a bug, not a missing transport
            text = say("Cannot reach {server} ({reason})", server=self._domain(), reason=str(exc))
            return self._fail(text, None, failures + 1), expires, failures + 1
        except AuthenticationFailed as exc:
            # RFC 3261 22.2: a second challenge after our credentials means
            # they were refused; asking again would only repeat it.
            if not exc.status:
                said = say("Wrong credentials (the server refused them)")
            elif exc.phrase:
                said = say(
                    "Wrong credentials ({code} {reason})", code=str(exc.status), reason=exc.phrase
                )
            else:
                said = say("Wrong credentials ({code})", code=str(exc.status))
            self._fail(said, exc.status, None, refused=True, reason=exc.phrase)
            return None, expires, failures
        except TransactionFailed as exc:
            domain = self._domain()
            if self._bound:
                # We were registered: say so in words, whatever the cause.
                text = say("Connection to {server} lost", server=domain)
            elif exc.timed_out:
                text = say(
                    "No answer from {server} after {seconds} s",
                    server=domain,
                    seconds=f"{self._agent.timers.timeout:g}",
                )
            else:
                text = say("Cannot reach {server} ({reason})", server=domain, reason=exc.reason)
            return self._fail(text, None, failures + 1), expires, failures + 1
        self._target = target
        server = target.address.sent_by
        status = response.status
        if 200 <= status < 300:
            if self._follow_nat(response, target):
                return 0.0, expires, failures  # register the address the registrar saw
            granted = self._granted(response, expires)
            self._bound = True
            self._demoted = None
            self._set(
                _status(
                    RegistrationState.REGISTERED,
                    _registered(who, target),
                    code=status,
                    expires=granted,
                    server=server,
                )
            )
            self._registered.set()
            self.expires_at = asyncio.get_running_loop().time() + granted
            self._early = refresh_window(granted)
            return refresh_after(granted), expires, 0
        self._registered.clear()
        if status == 423 and response.min_expires and response.min_expires > expires:
            # RFC 3261 10.2.8: retry with at least the registrar's minimum.
            return 0.0, response.min_expires, failures
        if status == 403:
            # Kamailio (and most registrars) answer credentials they refuse
            # with 403 rather than a second 401 (RFC 3261 22.2 allows both).
            self._fail(
                say(
                    "Wrong credentials ({code} {reason})", code=str(status), reason=response.reason
                ),
                status,
                None,
                server=server,
                refused=True,
                reason=response.reason,
            )
            return None, expires, failures
        if status in (401, 407):
            self._fail(
                say("The server asks for a password ({code})", code=str(status)),
                status,
                None,
                server=server,
                refused=True,
                reason=response.reason,
            )
            return None, expires, failures
        if status == 404:
            self._fail(
                say("Unknown user ({code} {reason})", code=str(status), reason=response.reason),
                status,
                None,
                server=server,
            )
            return None, expires, failures
        wait = None
        if response.retry_after is not None:
            wait = float(response.retry_after.seconds)
        delay = self._fail(
            say("Server refused: {code} {reason}", code=str(status), reason=response.reason),
            status,
            failures + 1,
            server=server,
            wait=wait,
        )
        return delay, expires, failures + 1

    def _domain(self) -> str:
        """The account's server as the user typed it (registrar, else domain)."""
        return self._account.registrar or self._account.domain

    def _who(self) -> str:
        user = self._account.uri.user
        return f"{user}@{self._account.domain}" if user else ""

    def _order(self, found: Target | Sequence[Target]) -> list[Target]:
        """The servers to try: the one holding our binding first, a dead one last.

        RFC 3263 4.3 leaves the choice among equivalent servers to the
        client; staying on the server that holds the binding keeps one
        binding, and demoting a dead one avoids its timeout.
        """
        targets = [found] if isinstance(found, Target) else list(found)
        current = self._target
        if current is not None and current in targets and current != self._demoted:
            targets.remove(current)
            targets.insert(0, current)
        if self._demoted is not None and self._demoted in targets and len(targets) > 1:
            targets.remove(self._demoted)
            targets.append(self._demoted)
        return targets

    def _fail(
        self,
        text: Phrase | str,
        code: int | None,
        failures: int | None,
        *,
        server: str | None = None,
        wait: float | None = None,
        refused: bool = False,
        reason: str | None = None,
    ) -> float | None:
        """Report a failure; with *failures*, schedule a retry and say when."""
        self._registered.clear()
        if failures is None:
            self._set(
                _status(
                    RegistrationState.FAILED,
                    text,
                    code=code,
                    server=server,
                    credentials_refused=refused,
                    reason=reason,
                )
            )
            return None
        delay = wait if wait is not None else self._retry.wait(failures, self._rng)
        self._set(
            _status(
                RegistrationState.FAILED,
                say(
                    "{problem}, trying again in {seconds} s",
                    problem=text,
                    seconds=f"{delay:.0f}",
                ),
                code=code,
                retry_in=delay,
                server=server,
            )
        )
        return delay

    # -- one REGISTER -----------------------------------------------------------

    async def _send(self, targets: Sequence[Target], *, expires: int) -> tuple[Response, Target]:
        """One REGISTER through the account's way out (failover, digest)."""

        first = targets[0] if targets else None

        def build(target: Target) -> Request:
            if target != first and self._task is not None:
                # Failover (RFC 3263 4.3): tell the user where we are now.
                self._set(
                    _status(
                        RegistrationState.REGISTERING,
                        say("Trying {server}…", server=_where(target)),
                        server=target.address.sent_by,
                    )
                )
            contact, stale = self._contact_for(target)
            self._cseq += 1
            return self._build(contact, stale, expires)

        sent = await self._outbound.send(build, targets=targets)
        if 200 <= sent.response.status < 300:
            self._stale_contacts.clear()
        return sent.response, sent.target

    def _contact_for(self, target: Target) -> tuple[SipUri, list[SipUri]]:
        """Our Contact on *target*'s transport, and old ones to remove."""
        if self._contact is None or self._contact_kind is not target.kind:
            # A server on another transport (failover, NAPTR) needs a
            # Contact on that transport; the old one goes with Expires 0.
            if self._contact is not None and self._bound:
                self._stale_contacts.append(self._contact)
            self._contact = self._agent.contact_uri(
                self._account.uri.user, target.kind, target.address
            )
            self._contact_kind = target.kind
        return self._contact, list(self._stale_contacts)

    def _build(self, contact: SipUri, stale: list[SipUri], expires: int) -> Request:
        account = self._account
        aor = NameAddr(account.uri, account.display_name or None)
        # RFC 3261 10.2: "The Request-URI names the domain of the location
        # service for which the registration is meant"; the registrar's
        # address only decides where the request is sent.
        uri = SipUri.parse(f"sip:{account.domain}")
        headers = Headers()
        headers.add("From", str(aor.with_tag(self._from_tag)))
        headers.add("To", str(aor))
        headers.add("Call-ID", self._call_id)
        headers.add("CSeq", f"{self._cseq} REGISTER")
        contacts = [f"<{contact}>"] + [f"<{old}>;expires=0" for old in stale]
        headers.add("Contact", ", ".join(contacts))
        headers.add("Expires", str(expires))
        headers.add("Allow", ", ".join(self._agent.allowed_methods))
        if self._account.outbound_proxy:
            headers.add("Route", f"<sip:{self._account.outbound_proxy};lr>")
        return Request(method="REGISTER", uri=uri, headers=headers)

    def _granted(self, response: Response, asked: int) -> int:
        """The lifetime the registrar granted our contact (RFC 3261 10.2.4)."""
        for contact in response.contact:
            address = contact.address
            matches = (
                address is not None
                and isinstance(address.uri, SipUri)
                and _same_binding(address.uri, self._contact)
            )
            if matches and contact.expires is not None:
                return contact.expires
        return response.expires if response.expires is not None else asked

    def _follow_nat(self, response: Response, target: Target) -> bool:
        """Re-register at the address the registrar saw, if it differs.

        RFC 3581 4: `received` and `rport` in our Via tell the public address
        a NAT gave us; a Contact with the private one would be unreachable.
        Switches once per distinct address, dropping the old binding. On TCP
        and TLS the rport is the connection's ephemeral source port, which
        nobody listens on: only `received` is followed there.
        """
        if self._contact is None or not response.via:
            return False
        via = response.via[0]
        received = via.received
        rport = via.rport if isinstance(via.rport, int) and via.rport is not True else None
        if target.kind.reliable:
            rport = None
        if received is None and rport is None:
            return False
        host = received or self._contact.host.strip("[]")
        port = rport or self._contact.port
        if (host, port) == (self._contact.host.strip("[]"), self._contact.port):
            return False
        seen = Address(host, port or 5060)
        log.info("registrar sees us at %s; updating the contact", seen)
        self._stale_contacts.append(self._contact)
        self._contact = replace(
            self._contact, host=f"[{seen.host}]" if seen.is_ipv6 else seen.host, port=seen.port
        )
        return True

    def _set(self, status: RegistrationStatus) -> None:
        if status == self.status:
            return
        self.status = status
        log.info("registration: %s", status.text)
        self._listeners(status)


def _wake(woken: asyncio.Future[None]) -> None:
    if not woken.done():
        woken.set_result(None)


def _registered(who: str, target: Target) -> Phrase:
    """ "Registered as ...", with " (via host:port)" when the server was found by
    name, so the user sees which of the domain's servers answered."""
    if target.server_name is None:
        return say("Registered as {who}", who=who)
    if target.kind is TransportKind.UDP:
        return say("Registered as {who} (via {server})", who=who, server=target.address.sent_by)
    return say(
        "Registered as {who} (via {server}, {transport})",
        who=who,
        server=target.address.sent_by,
        transport=target.kind.value.upper(),
    )


def _name(target: Target) -> str:
    """The server as people know it: its host name, else host:port."""
    return target.server_name or target.address.sent_by


def _where(target: Target) -> str:
    """ "sip2.example.com (192.0.2.7:5060)", or the address for a numeric server."""
    if target.server_name is None or target.server_name == target.address.host:
        return target.address.sent_by
    return f"{target.server_name} ({target.address.sent_by})"


def _same_binding(a: SipUri, b: SipUri | None) -> bool:
    """RFC 3261 10.3 compares contacts as URIs; user, host and port suffice here."""
    if b is None:
        return False
    return (a.user, a.host.lower().strip("[]"), a.port) == (
        b.user,
        b.host.lower().strip("[]"),
        b.port,
    )
