"""The application core: one account, its user agent, services and store.

No Qt here: the desktop window and the command line both drive this object,
and tests drive it without a QApplication.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from softphone.account import Account
from softphone.agent import UserAgent
from softphone.keepalive import PONG_TIMEOUT, KeepAlive, options_probe
from softphone.listeners import Listeners
from softphone.location import HostPort, LocationError, locate_all
from softphone.phrase import say
from softphone.ratelimit import FloodLimits
from softphone.resend_policy import ResendPolicy
from softphone.resolver import Resolver
from softphone.services.courier import Courier
from softphone.services.formats import OutgoingFormats
from softphone.services.messaging import Messaging
from softphone.services.outbound import Outbound
from softphone.services.presence import Presence
from softphone.services.receipts import Receipts
from softphone.services.registration import (
    Registration,
    RegistrationState,
    RegistrationStatus,
    RetryPolicy,
)
from softphone.services.resend import Resender
from softphone.services.timeline import Timeline
from softphone.services.typing import Typing
from softphone.sip.auth import DigestClient
from softphone.sip.timers import TimerConfig
from softphone.store import Store
from softphone.transport.base import Address, Target, TransportKind

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AppOptions:
    """How to run the core; the defaults suit the desktop app."""

    #: Address to bind; the wildcard lets peers on other hosts reach us.
    listen_host: str = "0.0.0.0"
    #: Register the contact (the desktop app does; `send` only with a registrar).
    register: bool = True
    timers: TimerConfig | None = None
    retry: RetryPolicy | None = None
    #: Registration lifetime overriding the account's (None: the account's).
    expires: int | None = None
    #: DNS server (`IP[:PORT]`) overriding the account's (None: the account's).
    dns_server: str | None = None
    #: Keep-alive interval in seconds overriding the account's (None: the
    #: account's; 0: off).
    keepalive_interval: float | None = None
    #: How long a stream keep-alive waits for its pong (RFC 5626 4.4.1).
    keepalive_timeout: float = PONG_TIMEOUT
    #: Flood and disk-fill limits on incoming messages (per source address,
    #: overall, body size); None turns them off.
    limits: FloodLimits | None = field(default_factory=FloodLimits)
    #: Take requests sent straight to our port from anywhere. Off: while
    #: registering, only the account's servers (every address the
    #: registration may use, failover targets too) reach the services; the
    #: rest get 403. The local demo turns it on; so does the account's own
    #: setting (`Account.accept_direct`).
    accept_direct: bool = False
    #: Back-off and window of the automatic resend (None: 30 s growing to
    #: 1 h, for 24 h; see `softphone.resend_policy`).
    resend: ResendPolicy | None = None


class Application:
    """Everything one account needs, wired together.

    `await start()` binds sockets and starts registering; `await stop()`
    unregisters and closes.
    """

    def __init__(
        self,
        account: Account,
        password: str | None,
        store: Store,
        options: AppOptions | None = None,
    ) -> None:
        self.options = options or AppOptions()
        self.account = account
        self.store = store
        #: Whether a password was given (the window says "asks for" rather
        #: than "did not accept" when the server wants one and there is none).
        self.has_password = bool(password)
        self.agent = UserAgent(timers=self.options.timers, limits=self.options.limits)
        #: One RFC 3263 resolver, so every service shares its cache. AAAA
        #: answers only when we listen on IPv6: an IPv4 socket cannot use them.
        self.resolver = Resolver(
            nameserver=self.options.dns_server or account.dns_server,
            ipv6=_is_ipv6(self.options.listen_host),
        )
        digest = DigestClient(account.username, password) if password is not None else None
        #: The one way out for every request of the account: server order,
        #: failover and digest (pre-emptive after the first challenge).
        self.outbound = Outbound(self.agent, digest, self.locate_servers)
        self.registration: Registration | None = None
        self.keepalive: KeepAlive | None = None
        if self.options.register:
            self.registration = Registration(
                self.agent,
                account,
                digest,
                self.locate_servers,
                retry=self.options.retry,
                expires=self.options.expires,
                outbound=self.outbound,
            )
            self.registration.add_listener(self._on_registration)
            interval = self.options.keepalive_interval
            if interval is None:
                interval = account.keepalive_interval
            if interval > 0:
                self.keepalive = KeepAlive(
                    self.agent,
                    interval=interval,
                    pong_timeout=self.options.keepalive_timeout,
                    on_dead=self.registration.flow_failed,
                    probe=options_probe(self.agent, account.uri),
                )
        self.messaging = Messaging(
            self.agent,
            account,
            store,
            digest,
            lambda _peer: self.locate_servers(),
            is_ready=self.is_ready,
            outbound=self.outbound,
            formats=OutgoingFormats(
                store, account, request_display=lambda: self.account.request_read_receipts
            ),
            resend=self.options.resend,
        )
        #: Messages that failed for a reason that is not the recipient's
        #: answer go again on their own (and at once when the server is back).
        self.resender = Resender(self.messaging, store, is_ready=self.is_ready)
        #: Receipts and typing indications: MESSAGEs that are not stored.
        self.courier = Courier(lambda: self.account, self.outbound)
        #: RFC 5438 receipts: received ones move our messages forward; ours
        #: say "delivered" when asked, "displayed" when the window says so.
        self.receipts = Receipts(
            self.messaging, store, courier=self.courier, account=lambda: self.account
        )
        #: RFC 3994 "is typing" indications, sent and shown; never stored.
        self.typing = Typing(self.messaging, self.courier)
        #: Each outgoing message's story (requests, responses, receipts).
        self.timeline = Timeline(self.agent, self.messaging, self.receipts, store)
        #: Buddies' registration state (reg-event subscriptions, RFC 3680).
        self.presence = Presence(
            self.agent, account, digest, self.locate_servers, outbound=self.outbound
        )
        #: The IP address of every server the account's requests may go to.
        self.server_hosts: set[str] = set()
        if self.options.register and not (self.options.accept_direct or account.accept_direct):
            self.agent.admit_source = self._from_server
        self._started = False
        #: Registered at least once, and whether the server is lost now:
        #: presence follows the registration's flow.
        self._was_registered = False
        self._server_lost = False
        #: Registered now (a refresh is not a connection coming back).
        self._registered = False
        #: Told when `stop()` begins, while the store is still open.
        self._stopping: Listeners[[]] = Listeners("stopping", log)

    # -- lifecycle --------------------------------------------------------------

    async def start(self) -> None:
        """Bind transports, recover the outbox, start registering.

        Raises:
            OSError: a socket cannot be bound (port in use).
        """
        kind = self.account.transport
        port = self.account.local_port
        await self.agent.listen(kind, self.options.listen_host, port)
        if kind is TransportKind.UDP:
            # TCP beside UDP carries messages over 1300 bytes (RFC 3428 5)
            # and lets stream-only peers reach us; on the UDP port when it is
            # free, so one host:port in our Contact serves both.
            udp_port = self.agent.local_address(TransportKind.UDP).port
            try:
                await self.agent.listen(TransportKind.TCP, self.options.listen_host, udp_port)
            except OSError:
                await self.agent.listen(TransportKind.TCP, self.options.listen_host, port)
        self.messaging.start()
        self.resender.start()
        self.presence.start()
        if self.registration is not None:
            self.registration.start()
        else:
            self.resender.connection_back()
            self.messaging.flush()
        self._started = True

    async def stop(self, *, close_store: bool = True) -> None:
        """Unsubscribe and unregister (Expires: 0), then close sockets and the store.

        In this order: the `on_stopping` callbacks keep what they hold (the
        window's draft) while the store is open; sending stops before the
        transports close, so a message cut off stays queued or sending and
        goes again at the next start; the store closes last.

        *close_store* False leaves the store open for the core that takes
        over the same account (a changed password or server).
        """
        self._stopping()
        self.resender.stop()
        if self.keepalive is not None:
            self.keepalive.stop()
        # Unsubscribing and unregistering go at once: a server that hangs
        # makes each wait for its timeout, and a person waits for the quit.
        farewells = [self.presence.stop()]
        if self.registration is not None:
            farewells.append(self.registration.stop())
        await asyncio.gather(*farewells)
        await self.messaging.stop()
        self.agent.close()
        # Receipts and typing indications still on their way fail as the
        # agent closes; whatever they store is committed before the close.
        await self.receipts.drain()
        await self.typing.drain()
        await self.messaging.drain()
        if close_store:
            self.store.close()
        self._started = False

    # -- state ------------------------------------------------------------------

    def is_ready(self) -> bool:
        """True when messages may go out: registered, or not registering."""
        if self.registration is None:
            return True
        return self.registration.status.state is RegistrationState.REGISTERED

    def _from_server(self, source: Address) -> bool:
        return _normal_host(source.host) in self.server_hosts

    def on_stopping(self, callback: Callable[[], None]) -> None:
        """Call *callback* when `stop()` begins: the store is still open for its writes."""
        self._stopping.add(callback)

    def on_registration(self, callback: Callable[[RegistrationStatus], None]) -> None:
        """Call *callback* with every registration status."""
        if self.registration is not None:
            self.registration.add_listener(callback)

    def _on_registration(self, status: RegistrationStatus) -> None:
        if status.state is RegistrationState.REGISTERED:
            if self._server_lost:
                # Back (the same server restarted, or another one): it may
                # know none of our subscriptions.
                self._server_lost = False
                self.presence.server_back()
            self._was_registered = True
        elif (
            self._was_registered
            and not self._server_lost
            and status.state
            in (
                RegistrationState.REGISTERING,
                RegistrationState.FAILED,
            )
        ):
            # The flow died, a refresh went unanswered or failed over.
            self._server_lost = True
            self.presence.server_lost()
        if status.state is RegistrationState.REGISTERED:
            if not self._registered:
                # Connected (again): what failed for want of a connection
                # goes first, then what was queued meanwhile.
                self._registered = True
                self.resender.connection_back()
            self.messaging.flush()
        else:
            self._registered = False
        if self.keepalive is None or self.registration is None:
            return
        target = self.registration.target
        if status.state is RegistrationState.REGISTERED and target is not None:
            # Watch the flow to whichever server holds the binding now.
            self.keepalive.watch(target)
        elif status.state is not RegistrationState.REGISTERED:
            self.keepalive.stop()

    async def locate_servers(self) -> list[Target]:
        """The account's servers in the order to try them (RFC 3263).

        The outbound proxy, else the registrar, else the domain ("find the
        server automatically"). The server holding our registration comes
        first, so messages follow a failover instead of waiting for a dead
        server to time out. Servers of an IP family we do not listen on are
        left out.

        Raises:
            softphone.location.LocationError: no server can be found; the
                message is a sentence for the user.
        """
        hop = self.account.outbound_proxy or self.account.registrar or self.account.domain
        found = await locate_all(HostPort.parse(hop), self.account.transport, self.resolver)
        self.server_hosts.update(_normal_host(t.address.host) for t in found)
        ipv6 = _is_ipv6(self.options.listen_host)
        targets = [t for t in found if t.address.is_ipv6 == ipv6]
        if not targets:
            family = "IPv6" if ipv6 else "IPv4"
            raise LocationError(
                say(
                    "No SIP server found for {name}: {why}",
                    name=hop,
                    why=say("it has no {family} address", family=family),
                ),
                host=hop,
            )
        current = self.registration.target if self.registration is not None else None
        if current is not None and current in targets:
            targets.remove(current)
            targets.insert(0, current)
        return targets

    async def locate_server(self) -> Target:
        """The first of `locate_servers()` (for subscriptions).

        Raises:
            softphone.location.LocationError: it cannot be found.
        """
        return (await self.locate_servers())[0]


# Asked for every request's source: the few server addresses repeat.
@functools.lru_cache(maxsize=256)
def _normal_host(host: str) -> str:
    """*host* as one spelling of its IP address (IPv6 compressed, no brackets)."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return host.lower()


def _is_ipv6(host: str) -> bool:
    """True when *host* (a listen address) is an IPv6 one."""
    try:
        return ipaddress.ip_address(host.strip("[]")).version == 6
    except ValueError:
        return False
