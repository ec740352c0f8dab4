"""The demo: the whole product on one computer with nothing to configure.

`start_demo()` starts the embedded server (`softphone.server.LocalServer`)
on a free loopback port with random passwords kept in memory only, and
three buddies and an application server that live in this process, each
built from the product's own services:

* **alice** (an `Application`) reads every message Bob sends a few seconds
  after it arrives (her "displayed" receipt turns it READ, RFC 5438), then
  types (Bob sees "Alice is typing…", RFC 3994) and echoes it ("Echo:
  ..."); watching Bob's registration with her presence service, she greets
  him with "안녕하세요! 밥" once he is online;
* **carol** declines every message with 603 Decline;
* **joe**'s phone comes and goes: it registers, then unregisters, every
  45-75 s, so his online dot changes. It is a plain-text-only client (as
  baresip is): CPIM gets 415, so Bob's message goes again as text/plain;
* the Welcome Notice application server of RFC 3680 §6, `sip:app.example.com`
  (`softphone.services.welcome.WelcomeServer` on its own `Presence` and
  user agent), watches bob's and joe's registrations and sends "Welcome to
  the example.com service!" to each device that registers, once per new
  registration, never on a refresh: Joe turns his phone on, gets the welcome.

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

from softphone.account import Account
from softphone.agent import IncomingRequest, UserAgent
from softphone.app import Application, AppOptions
from softphone.server import LocalServer
from softphone.services.presence import BuddyState, BuddyStatus, Presence
from softphone.services.registration import Registration
from softphone.services.welcome import WelcomeServer, WelcomeStep
from softphone.sip import SipUri
from softphone.sip.auth import DigestClient
from softphone.sip.timers import TimerConfig
from softphone.store import Direction, MessageRecord, Store
from softphone.transport.base import Address, Target, TransportKind

__all__ = [
    "DOMAIN",
    "GREETING",
    "WELCOME_APP",
    "WELCOME_TEXT",
    "DemoSession",
    "start_demo",
]

log = logging.getLogger(__name__)

DOMAIN = "example.com"
BOB = f"sip:bob@{DOMAIN}"
ALICE = f"sip:alice@{DOMAIN}"
CAROL = f"sip:carol@{DOMAIN}"
JOE = f"sip:joe@{DOMAIN}"
#: The Welcome Notice application server of RFC 3680 (an AoR with no user).
WELCOME_APP = f"sip:app.{DOMAIN}"
GREETING = "안녕하세요! 밥"
WELCOME_TEXT = f"Welcome to the {DOMAIN} service!"
#: Who may watch whose registrations (RFC 3680 section 5) besides the user
#: itself: Bob's window watches his buddies, Alice watches Bob to greet
#: him, and the welcome server watches Bob and Joe.
DEMO_WATCHERS = {
    BOB: [ALICE, WELCOME_APP],
    JOE: [BOB, WELCOME_APP],
    ALICE: [BOB],
    CAROL: [BOB],
}
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
    #: The Welcome Notice server; what it sent is in `welcome.sent` as
    #: (AoR, contact, status code or None).
    welcome: WelcomeServer | None = None
    #: Every step the welcome server logged, in order.
    welcome_steps: list[WelcomeStep] = field(default_factory=list)
    #: Alice's core (tests and docs/make_screenshots.py reach her store).
    alice: Application | None = None
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
    read_delay: float = 3.0,
    typing_delay: float = 2.5,
) -> DemoSession:
    """Start the embedded server, the demo buddies and the welcome server.

    *data_dir* is created if missing; the buddies keep their history in
    memory, so nothing else is written. *joe_interval* is the range of
    seconds between Joe's phone coming and going (shorter in tests);
    *read_delay* is how long Alice takes to read a message, *typing_delay*
    how long she then types her answer.
    Returns once every buddy is registered and the welcome server watches.

    Raises:
        OSError: the loopback port cannot be bound.
        TimeoutError: a buddy did not register, or the welcome server's
            watch did not start, within *ready_timeout*.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    passwords = {aor: secrets.token_urlsafe(12) for aor in (BOB, ALICE, CAROL, JOE, WELCOME_APP)}
    server = LocalServer(passwords, domain=DOMAIN, timers=timers, watchers=DEMO_WATCHERS)
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
        await _start_buddies(
            session,
            passwords,
            host,
            joe_interval,
            timers,
            ready_timeout,
            (read_delay, typing_delay),
        )
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
    delays: tuple[float, float],
) -> None:
    address = session.registrar_address

    def account(aor: str, name: str) -> Account:
        return Account(aor=aor, display_name=name, registrar=address.sent_by, expires=DEMO_EXPIRES)

    # Alice: a full Application, so her echo and greeting are real outgoing
    # messages with delivery states, and she sees Bob arrive through her own
    # reg-event subscription, as the window sees its buddies.
    alice = Application(
        account(ALICE, "Alice"),
        passwords[ALICE],
        Store.open(":memory:"),
        AppOptions(listen_host=host, timers=timers, accept_direct=True),
    )
    greeted = False
    replies: set[asyncio.Task[None]] = set()

    async def read_and_answer(record: MessageRecord) -> None:
        read_delay, typing_delay = delays
        # She reads it (a "displayed" receipt: Bob's bubble turns READ) ...
        await asyncio.sleep(read_delay)
        alice.receipts.displayed([record.id])
        # ... types for a while (Bob sees "Alice is typing…") and answers.
        alice.typing.typed(BOB)
        await asyncio.sleep(typing_delay)
        alice.messaging.send(BOB, f"Echo: {record.body}")

    def on_alice_message(record: MessageRecord) -> None:
        if record.direction is Direction.IN and record.peer == BOB:
            task = asyncio.get_running_loop().create_task(read_and_answer(record))
            replies.add(task)
            task.add_done_callback(replies.discard)

    def stop_replies() -> None:
        for task in list(replies):
            task.cancel()

    def on_buddy(state: BuddyState) -> None:
        nonlocal greeted
        if state.aor == BOB and state.status is BuddyStatus.ONLINE and not greeted:
            greeted = True
            alice.messaging.send(BOB, GREETING)

    alice.messaging.on_message_added(on_alice_message)
    alice.presence.on_change(on_buddy)
    alice.presence.watch(BOB)
    await alice.start()
    session._stoppers.append(alice.stop)
    session._stoppers.append(stop_replies)
    session.alice = alice

    # Carol: a registered device that declines everything.
    carol = _Device(account(CAROL, "Carol"), passwords[CAROL], address, timers)
    await carol.start(host, answer=603)
    session._stoppers.append(carol.stop)

    # The welcome server watches before Joe and Bob can register: devices
    # already registered when it starts are not greeted (nobody saw them land).
    app_server = _WelcomeApp(passwords[WELCOME_APP], address, timers, session.welcome_steps)
    session._stoppers.append(app_server.stop)
    await app_server.start(host, [BOB, JOE], timeout=ready_timeout)
    session.welcome = app_server.welcome

    joe = _Device(account(JOE, "Joe"), passwords[JOE], address, timers)
    await joe.start(host, answer=200, plain_text_only=True)
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

        async def locate_server() -> Target:
            return Target(server, TransportKind.UDP)

        self.registration = Registration(
            self.agent, account, DigestClient(account.username, password), locate_server
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self, host: str, *, answer: int, plain_text_only: bool = False) -> None:
        def on_message(incoming: IncomingRequest) -> None:
            content_type = incoming.request.content_type
            if plain_text_only and (content_type is None or content_type.mime != "text/plain"):
                # RFC 3261 21.4.13, as plain-text-only clients answer CPIM.
                incoming.respond(415, headers=[("Accept", "text/plain")])
                return
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
                log.info("demo: %s turns the phone off", self.account.aor)
                await self.registration.stop()
                await asyncio.sleep(rng.uniform(*interval))
                log.info("demo: %s turns the phone on", self.account.aor)
                self.registration.start()

        self._task = asyncio.get_running_loop().create_task(cycle())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.registration.stop()
        self.agent.close()


@dataclass(frozen=True)
class _ServiceIdentity:
    """Who the welcome server is (a `softphone.account.SipIdentity`).

    RFC 3680's application server is ``sip:app.example.com``, an AoR without
    a user part, which `Account` refuses (an account is a person's AoR).
    """

    aor: str
    display_name: str
    username: str
    outbound_proxy: str | None = None

    @property
    def uri(self) -> SipUri:
        return SipUri.parse(self.aor)

    @property
    def domain(self) -> str:
        return self.uri.host


class _WelcomeApp:
    """The application server: its own user agent, reg-event watches and `WelcomeServer`."""

    def __init__(
        self,
        password: str,
        server: Address,
        timers: TimerConfig | None,
        steps: list[WelcomeStep],
    ) -> None:
        uri = SipUri.parse(WELCOME_APP)
        # The digest user of a user-less AoR is its host (as the server keys it).
        identity = _ServiceIdentity(WELCOME_APP, DOMAIN, uri.user or uri.host)
        self.agent = UserAgent(timers=timers)

        async def locate_server() -> Target:
            return Target(server, TransportKind.UDP)

        self.presence = Presence(
            self.agent, identity, DigestClient(identity.username, password), locate_server
        )
        self.welcome = WelcomeServer(
            self.presence, self.agent, identity, WELCOME_TEXT, on_step=self._on_step
        )
        self._steps = steps
        self._synced = asyncio.Event()
        self._aors: list[str] = []
        self.presence.on_change(self._on_change)

    async def start(self, host: str, aors: list[str], *, timeout: float) -> None:
        """Listen, watch *aors* and wait until each one's state is known.

        Raises:
            TimeoutError: a watch did not get its first NOTIFY within *timeout*.
        """
        await self.agent.listen(TransportKind.UDP, host, 0)
        self._aors = list(aors)
        for aor in aors:
            self.welcome.watch(aor)
        self.presence.start()
        try:
            await asyncio.wait_for(self._synced.wait(), timeout)
        except TimeoutError:
            raise TimeoutError("the welcome server's reg-event watch did not start") from None

    async def stop(self) -> None:
        """Cancel pending welcomes, unsubscribe and close."""
        await self.welcome.stop()
        await self.presence.stop()
        self.agent.close()

    def _on_change(self, _state: BuddyState) -> None:
        if all(self.presence.synced(aor) for aor in self._aors):
            self._synced.set()

    def _on_step(self, step: WelcomeStep) -> None:
        self._steps.append(step)
        if step.step == "message-sent":
            log.info("demo: welcome server greeted %s's device %s", step.aor, step.contact)
