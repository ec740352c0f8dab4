"""The demo: the whole product on one computer with nothing to configure.

`start_demo()` starts the embedded server (`softphone.server.LocalServer`)
on a free loopback port with random passwords kept in memory only, and
three buddies and an application server that live in this process:

* **alice** echoes every message Bob sends ("Echo: ...") and greets him with
  "안녕하세요! 밥" once he is registered (answered 200: delivered, not read);
* **carol** declines every message with 603 Decline;
* **joe**'s phone comes and goes: it registers, then unregisters, every
  45-75 s, so his online dot changes;
* the RFC 3680 Welcome Notice server `sip:app.example.com` watches bob's and
  joe's registrations (reg event) and sends "Welcome to the example.com
  service!" to each device that registers, once per new registration.

The UI logs in as bob with `DemoSession.account` and `DemoSession.password`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from softphone.agent import IncomingRequest, Target, TransactionFailed, UserAgent
from softphone.app import Application, AppOptions
from softphone.config import Account
from softphone.location import HostPort, LocationError, locate
from softphone.server import BindingChange, BindingEvent, LocalServer
from softphone.services.messaging import CONTENT_TYPE
from softphone.services.registration import Registration
from softphone.sip import Headers, NameAddr, Request, SipUri, new_call_id, new_tag
from softphone.sip.auth import AuthenticationFailed, DigestClient
from softphone.sip.reginfo import ApplyResult, ApplyStatus, ChangeKind, ContactState, ReginfoView
from softphone.sip.subscription import NotifyBody, Subscription, SubState
from softphone.sip.timers import TimerConfig
from softphone.store import Direction, MessageRecord, Store
from softphone.transport.base import Address, TransportKind

__all__ = [
    "DOMAIN",
    "GREETING",
    "WELCOME_APP",
    "WELCOME_TEXT",
    "DemoSession",
    "RegWatcher",
    "start_demo",
]

log = logging.getLogger(__name__)

DOMAIN = "example.com"
BOB = f"sip:bob@{DOMAIN}"
ALICE = f"sip:alice@{DOMAIN}"
CAROL = f"sip:carol@{DOMAIN}"
JOE = f"sip:joe@{DOMAIN}"
#: The Welcome Notice application server of RFC 3680 §2 (an AoR with no user).
WELCOME_APP = f"sip:app.{DOMAIN}"
GREETING = "안녕하세요! 밥"
WELCOME_TEXT = f"Welcome to the {DOMAIN} service!"
#: Registration lifetime of the demo accounts (the smallest Account allows).
DEMO_EXPIRES = 60


@dataclass(eq=False)
class DemoSession:
    """A running demo; the UI logs in with `account` and `password`."""

    #: Bob's account, pointing at the embedded server (password_env None).
    account: Account
    #: Bob's password (random, in memory only).
    password: str
    #: (AoR, display name) of Alice, Carol and Joe.
    buddies: list[tuple[str, str]]
    #: Where the embedded server listens (UDP and TCP).
    registrar_address: Address
    #: The embedded server itself (tests and the trace window look at it).
    server: LocalServer
    #: The Welcome Notice server (what it sent is in `welcome.sent`).
    welcome: WelcomeNotice | None = None
    _stoppers: list[Callable[[], object]] = field(default_factory=list, repr=False)

    async def stop(self) -> None:
        """Stop the buddies (they unregister), the welcome server and the server."""
        for stopper in reversed(self._stoppers):
            result = stopper()
            if asyncio.iscoroutine(result):
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(result, 5.0)
        self._stoppers.clear()
        await self.server.stop()


async def start_demo(
    data_dir: Path,
    *,
    host: str = "127.0.0.1",
    joe_interval: tuple[float, float] = (45.0, 75.0),
    timers: TimerConfig | None = None,
    ready_timeout: float = 10.0,
) -> DemoSession:
    """Start the embedded server, the demo buddies and the welcome server.

    *data_dir* is created if missing; the buddies keep their history in
    memory, so nothing else is written. *joe_interval* is the range of
    seconds between Joe's phone coming and going (shorter in tests).
    Returns once every buddy is registered and the welcome server watches.

    Raises:
        OSError: the loopback port cannot be bound.
        TimeoutError: a buddy did not register within *ready_timeout*.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    passwords = {aor: secrets.token_urlsafe(12) for aor in (BOB, ALICE, CAROL, JOE, WELCOME_APP)}
    server = LocalServer(passwords, domain=DOMAIN, timers=timers)
    address = await server.start(host, 0)
    session = DemoSession(
        account=Account(
            aor=BOB,
            display_name="Bob",
            registrar=address.sent_by,
            expires=DEMO_EXPIRES,
            password_env=None,
        ),
        password=passwords[BOB],
        buddies=[(ALICE, "Alice"), (CAROL, "Carol"), (JOE, "Joe")],
        registrar_address=address,
        server=server,
    )
    try:
        await _start_buddies(session, passwords, host, joe_interval, timers, ready_timeout)
    except BaseException:
        await session.stop()
        raise
    return session


async def _start_buddies(
    session: DemoSession,
    passwords: dict[str, str],
    host: str,
    joe_interval: tuple[float, float],
    timers: TimerConfig | None,
    ready_timeout: float,
) -> None:
    server = session.server
    address = session.registrar_address

    def account(aor: str, name: str) -> Account:
        return Account(aor=aor, display_name=name, registrar=address.sent_by, expires=DEMO_EXPIRES)

    # Alice: a full Application, so her echo and greeting are real outgoing
    # messages with delivery states.
    alice = Application(
        account(ALICE, "Alice"),
        passwords[ALICE],
        Store.open(":memory:"),
        AppOptions(listen_host=host, timers=timers),
    )
    greeted = False

    def on_alice_message(record: MessageRecord) -> None:
        if record.direction is Direction.IN and record.peer == BOB:
            alice.messaging.send(BOB, f"Echo: {record.body}")

    def on_binding(aor: str, changes: list[BindingChange]) -> None:
        nonlocal greeted
        if aor == BOB and not greeted and any(c.event is BindingEvent.REGISTERED for c in changes):
            greeted = True
            alice.messaging.send(BOB, GREETING)

    alice.messaging.on_message_added(on_alice_message)
    server.add_listener(on_binding)
    await alice.start()
    session._stoppers.append(alice.stop)

    # Carol: a registered device that declines everything.
    carol = _Device(account(CAROL, "Carol"), passwords[CAROL], address, timers)
    await carol.start(host, answer=603)
    session._stoppers.append(carol.stop)

    # The welcome server watches before Joe and Bob can register, so their
    # registrations are seen as they happen (RFC 3680 §2's scenario).
    welcome = WelcomeNotice(passwords[WELCOME_APP], address, timers=timers)
    await welcome.start(host, [BOB, JOE], timeout=ready_timeout)
    session._stoppers.append(welcome.stop)
    session.welcome = welcome

    joe = _Device(account(JOE, "Joe"), passwords[JOE], address, timers)
    await joe.start(host, answer=200)
    session._stoppers.append(joe.stop)

    for name, registration in (
        ("alice", alice.registration),
        ("carol", carol.registration),
        ("joe", joe.registration),
    ):
        assert registration is not None
        if not await registration.wait_registered(ready_timeout):
            raise TimeoutError(f"demo buddy {name} did not register: {registration.status.text}")
    joe.come_and_go(joe_interval)


class _Device:
    """A registered phone with no screen: answers every MESSAGE with one code."""

    def __init__(
        self, account: Account, password: str, server: Address, timers: TimerConfig | None
    ) -> None:
        self.account = account
        self.agent = UserAgent(timers=timers)
        self._server = server

        async def locate_server() -> Target:
            return Target(server, TransportKind.UDP)

        self.registration = Registration(
            self.agent, account, DigestClient(account.username, password), locate_server
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self, host: str, *, answer: int) -> None:
        def on_message(incoming: IncomingRequest) -> None:
            incoming.respond(answer)

        self.agent.handle("MESSAGE", on_message)
        await self.agent.listen(TransportKind.UDP, host, 0)
        self.registration.start()

    def come_and_go(self, interval: tuple[float, float]) -> None:
        """Unregister and register again, waiting a random time in *interval*."""

        async def cycle() -> None:
            rng = random.Random()
            while True:
                await asyncio.sleep(rng.uniform(*interval))
                await self.registration.stop()
                await asyncio.sleep(rng.uniform(*interval))
                self.registration.start()

        self._task = asyncio.get_running_loop().create_task(cycle())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.registration.stop()
        self.agent.close()


class RegWatcher:
    """A reg-event subscription (RFC 3680) kept alive, with its view.

    Drives the sans-I/O `Subscription` over a `UserAgent`: answers digest
    challenges, refreshes, asks for full state after a version gap, and
    calls *on_change* with every applied document's result. The agent's
    NOTIFY requests must be routed to `on_notify` (see `WelcomeNotice`).
    """

    def __init__(
        self,
        agent: UserAgent,
        *,
        watcher: str,
        target: str,
        server: Target,
        digest: DigestClient | None,
        on_change: Callable[[RegWatcher, ApplyResult], None],
        expires: int = 3600,
    ) -> None:
        self.target = target
        self.view = ReginfoView()
        #: The version of every document received, in order (for tests and logs).
        self.versions: list[int] = []
        self._agent = agent
        self._server = server
        self._digest = digest
        self._on_change = on_change
        contact = agent.contact_uri(None, server.kind, server.address)
        self.subscription = Subscription(
            watcher=NameAddr(SipUri.parse(watcher)),
            target=NameAddr(SipUri.parse(target)),
            contact=contact,
            call_id_host=SipUri.parse(watcher).host,
            expires=expires,
        )
        self._dialog = ""
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.active = asyncio.Event()

    def start(self) -> None:
        """Subscribe and keep the subscription up in the background."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Unsubscribe (best effort) and stop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.subscription.state in (SubState.ACTIVE, SubState.PENDING):
            with contextlib.suppress(TransactionFailed, AuthenticationFailed, TimeoutError):
                request = self.subscription.unsubscribe_request(self._now())
                await asyncio.wait_for(self._send(request), 2.0)

    def on_notify(self, incoming: IncomingRequest) -> bool:
        """Handle *incoming* if it is one of our NOTIFYs; False if it is not."""
        request = incoming.request
        if not self.subscription.matches(request):
            return False
        now = self._now()
        if self.subscription.call_id != self._dialog:
            # A new dialog numbers its documents from 0 again (RFC 3680 §5.2).
            self._dialog = self.subscription.call_id
            self.view.reset()
        status, reason = self.subscription.on_notify(request, now)
        incoming.respond(status, reason)
        for event in self.subscription.events():
            if isinstance(event, NotifyBody) and event.document is not None:
                self.versions.append(event.document.version)
                result = self.view.apply(event.document)
                if result.status is ApplyStatus.NEED_FULL_STATE:
                    self._spawn_refresh()
                elif result.status is ApplyStatus.APPLIED:
                    self._on_change(self, result)
        if self.subscription.state is SubState.ACTIVE:
            self.active.set()
        self._wake.set()
        return True

    def _spawn_refresh(self) -> None:
        request = self.subscription.refresh_request(self._now())
        asyncio.get_running_loop().create_task(self._send(request))

    async def _run(self) -> None:
        await self._send(self.subscription.initial_request(self._now()))
        while True:
            now = self._now()
            deadline = self.subscription.deadline
            if deadline is not None and deadline <= now:
                request = self.subscription.handle_timer(now)
                if request is not None:
                    await self._send(request)
                continue
            self._wake.clear()
            wait = 3600.0 if deadline is None else deadline - now
            # asyncio.wait, not wait_for: Python 3.11's wait_for can swallow
            # a cancellation that races with the event being set.
            waiter = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({waiter}, timeout=wait)
            finally:
                waiter.cancel()

    async def _send(self, request: Request) -> None:
        try:
            response = await self._agent.request(request, self._server)
            if response.status in (401, 407) and self._digest is not None:
                credentials = self._digest.answer(request, response)
                retry = self.subscription.retry_request(self._now())
                for name, value in credentials:
                    retry.headers.add(name, value)
                response = await self._agent.request(retry, self._server)
        except TransactionFailed:
            self.subscription.on_transaction_failed(self._now())
        except AuthenticationFailed as exc:
            log.warning("watching %s: %s", self.target, exc)
        else:
            self.subscription.on_response(response, self._now())
        self._wake.set()

    def _now(self) -> float:
        return asyncio.get_running_loop().time()


class WelcomeNotice:
    """The RFC 3680 §2 Welcome Notice application server, `sip:app.example.com`.

    Watches AoRs at the registrar and sends WELCOME_TEXT straight to each
    device that registers (to its contact, as the RFC's example does), once
    per new registration, never on a refresh. Devices already registered
    when the watch starts are not greeted: nobody saw them land.
    """

    def __init__(
        self,
        password: str,
        server: Address,
        *,
        aor: str = WELCOME_APP,
        text: str = WELCOME_TEXT,
        timers: TimerConfig | None = None,
    ) -> None:
        self.aor = aor
        self.text = text
        self.agent = UserAgent(timers=timers)
        self._server = Target(server, TransportKind.UDP)
        self._digest = DigestClient(SipUri.parse(aor).user or SipUri.parse(aor).host, password)
        self.watchers: list[RegWatcher] = []
        #: (AoR, contact URI) of every welcome sent, in order.
        self.sent: list[tuple[str, str]] = []
        self._greeted: set[tuple[str, str]] = set()
        self._first: set[RegWatcher] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, host: str, aors: list[str], *, timeout: float = 10.0) -> None:
        """Listen, subscribe to each AoR and wait until every watch is active.

        Raises:
            TimeoutError: a subscription did not become active in *timeout*.
        """
        self.agent.handle("NOTIFY", self._on_notify)
        await self.agent.listen(TransportKind.UDP, host, 0)
        for aor in aors:
            watcher = RegWatcher(
                self.agent,
                watcher=self.aor,
                target=aor,
                server=self._server,
                digest=self._digest,
                on_change=self._on_change,
            )
            self.watchers.append(watcher)
            watcher.start()
        for watcher in self.watchers:
            await asyncio.wait_for(watcher.active.wait(), timeout)

    async def stop(self) -> None:
        """Unsubscribe and close."""
        for watcher in self.watchers:
            await watcher.stop()
        for task in list(self._tasks):
            task.cancel()
        self.agent.close()

    def _on_notify(self, incoming: IncomingRequest) -> None:
        for watcher in self.watchers:
            if watcher.on_notify(incoming):
                return
        incoming.respond(481, "Subscription does not exist")

    def _on_change(self, watcher: RegWatcher, result: ApplyResult) -> None:
        first = watcher not in self._first
        self._first.add(watcher)
        for change in result.contact_changes:
            contact = change.contact
            key = (contact.id, contact.uri)
            if change.kind is not ChangeKind.ADDED or contact.state is not ContactState.ACTIVE:
                continue  # refreshed, expired, unregistered: no welcome
            if first or key in self._greeted:
                self._greeted.add(key)
                continue
            self._greeted.add(key)
            task = asyncio.get_running_loop().create_task(self._welcome(change.aor, contact.uri))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _welcome(self, aor: str, contact: str) -> None:
        uri = SipUri.parse(contact)
        headers = Headers()
        headers.add("From", str(NameAddr(SipUri.parse(self.aor)).with_tag(new_tag())))
        headers.add("To", str(NameAddr(SipUri.parse(aor))))
        headers.add("Call-ID", new_call_id(SipUri.parse(self.aor).host))
        headers.add("CSeq", "1 MESSAGE")
        headers.add("Content-Type", CONTENT_TYPE)
        request = Request(
            method="MESSAGE", uri=uri, headers=headers, body=self.text.encode("utf-8")
        )
        try:
            target = await locate(HostPort.parse(uri.host_port), TransportKind.UDP)
            response = await self.agent.request(request, target)
        except (TransactionFailed, LocationError) as exc:
            log.info("welcome to %s failed: %s", contact, exc)
            return
        self.sent.append((aor, contact))
        log.info("welcome to %s (%s): %s %s", aor, contact, response.status, response.reason)
