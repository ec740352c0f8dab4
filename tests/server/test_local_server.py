"""The embedded server against the product's own client, over loopback UDP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from types import SimpleNamespace

import pytest

from softphone.account import Account
from softphone.agent import IncomingRequest, UserAgent
from softphone.app import Application, AppOptions
from softphone.demo import WELCOME_APP, WELCOME_TEXT
from softphone.server import LocalServer
from softphone.services.outbound import Outbound
from softphone.services.presence import NotifyReceived, Presence
from softphone.services.registration import RegistrationState
from softphone.services.welcome import WelcomeServer
from softphone.sip import Headers, Request, Response, SipUri, new_call_id, new_tag
from softphone.sip.auth import AuthenticationFailed, DigestClient
from softphone.sip.delivery import DeliveryState
from softphone.sip.reginfo import ContactChange, ContactEvent
from softphone.store import Store
from softphone.transport.base import Target, TransportKind

pytestmark = pytest.mark.timeout(30)

PASSWORDS = {
    "sip:alice@example.com": "alice-pw",
    "sip:bob@example.com": "bob-pw",
    "sip:joe@example.com": "joe-pw",
}


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    srv = LocalServer(
        PASSWORDS,
        domain="example.com",
        min_expires=1,
        watchers={"sip:joe@example.com": ["sip:alice@example.com"]},
    )
    await srv.start("127.0.0.1", 0)
    try:
        yield srv
    finally:
        await srv.stop()


AppFactory = Callable[..., Awaitable[Application]]


@pytest.fixture
async def make_app(server: LocalServer) -> AsyncIterator[AppFactory]:
    apps: list[Application] = []

    async def factory(user: str, password: str | None = None) -> Application:
        account = Account(
            aor=f"sip:{user}@example.com", registrar=server.address.sent_by, expires=60
        )
        pw = password if password is not None else PASSWORDS[account.aor]
        app = Application(account, pw, Store.open(":memory:"), AppOptions(listen_host="127.0.0.1"))
        apps.append(app)
        await app.start()
        return app

    yield factory
    for app in apps:
        await app.stop()


@pytest.fixture
async def raw(server: LocalServer) -> AsyncIterator[RawClient]:
    client = RawClient(server)
    await client.agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    yield client
    client.agent.close()


class RawClient:
    """Hand-made requests, for what the product's services never send."""

    def __init__(self, server: LocalServer) -> None:
        self.agent = UserAgent()
        self.target = Target(server.address, TransportKind.UDP)
        self.call_id = new_call_id("test")
        self.cseq = 0

    def contact(self, user: str) -> str:
        return f"<{self.agent.contact_uri(user, TransportKind.UDP)}>"

    async def send(
        self,
        method: str,
        uri: str,
        user: str,
        extra: Sequence[tuple[str, str]] = (),
        *,
        to: str | None = None,
        password: str | None = None,
        body: bytes = b"",
    ) -> Response:
        aor = f"sip:{user}@example.com"
        digest = DigestClient(user, password) if password is not None else None
        tag = new_tag()

        def build(_target: Target) -> Request:
            self.cseq += 1
            headers = Headers()
            headers.add("From", f"<{aor}>;tag={tag}")
            headers.add("To", f"<{to or aor}>")
            headers.add("Call-ID", self.call_id)
            headers.add("CSeq", f"{self.cseq} {method}")
            for name, value in extra:
                headers.add(name, value)
            return Request(method=method, uri=SipUri.parse(uri), headers=headers, body=body)

        return (await Outbound(self.agent, digest).send(build, targets=self.target)).response


async def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


async def test_register_needs_digest_and_lists_contacts(
    server: LocalServer, raw: RawClient
) -> None:
    contact = ("Contact", raw.contact("bob"))
    challenged = await raw.send("REGISTER", "sip:example.com", "bob", [contact, ("Expires", "60")])
    assert challenged.status == 401
    assert [(c.algorithm, c.realm) for c in challenged.www_authenticate] == [
        ("SHA-256", "example.com"),
        ("MD5", "example.com"),
    ]
    assert server.bindings("sip:bob@example.com") == []

    ok = await raw.send(
        "REGISTER", "sip:example.com", "bob", [contact, ("Expires", "60")], password="bob-pw"
    )
    assert ok.status == 200
    listed = [c.address.uri for c in ok.contact if c.address is not None]
    assert [str(u) for u in listed] == [b.uri for b in server.bindings("sip:bob@example.com")]
    assert [c.expires for c in ok.contact] == [60]


async def test_register_refusals(server: LocalServer, raw: RawClient) -> None:
    srv_min = LocalServer(PASSWORDS, min_expires=60)
    await srv_min.start()
    try:
        brief = RawClient(srv_min)
        brief.agent = raw.agent
        too_short = await brief.send(
            "REGISTER",
            "sip:example.com",
            "bob",
            [("Contact", raw.contact("bob")), ("Expires", "10")],
            password="bob-pw",
        )
        assert (too_short.status, too_short.min_expires) == (423, 60)
    finally:
        await srv_min.stop()
    # An unknown user is challenged like a real one (nothing to enumerate);
    # a domain the server does not serve is not found.
    unknown = await raw.send("REGISTER", "sip:example.com", "mallory", [("Expires", "60")])
    assert unknown.status == 401
    elsewhere = await raw.send(
        "REGISTER", "sip:example.com", "bob", [("Expires", "60")], to="sip:bob@other.example"
    )
    assert elsewhere.status == 404
    # Someone else's AoR with bob's own credentials: 403 (RFC 3261 10.3 step 3).
    forged = await raw.send(
        "REGISTER",
        "sip:example.com",
        "bob",
        [("Contact", raw.contact("joe")), ("Expires", "60")],
        to="sip:joe@example.com",
        password="bob-pw",
    )
    assert forged.status == 403


async def test_wrong_password_is_challenged_again(make_app: AppFactory, raw: RawClient) -> None:
    # Documented choice: a wrong password gets 401 with a fresh nonce (not
    # 403), and the client's digest gives up after the second challenge.
    statuses: list[str] = []
    raw.agent.add_observer(lambda entry: statuses.append(entry.data.split(b"\r\n", 1)[0].decode()))
    with pytest.raises(AuthenticationFailed):
        await raw.send(
            "REGISTER",
            "sip:example.com",
            "bob",
            [("Contact", raw.contact("bob")), ("Expires", "60")],
            password="not-the-password",
        )
    answers = [line for line in statuses if line.startswith("SIP/2.0")]
    assert answers == ["SIP/2.0 401 Unauthorized", "SIP/2.0 401 Unauthorized"]
    app = await make_app("bob", "not-the-password")
    assert app.registration is not None
    await wait_for(lambda: app.registration.status.state is RegistrationState.FAILED)
    assert not await app.registration.wait_registered(0.2)


async def test_star_with_expires_zero_removes_every_binding(
    server: LocalServer, raw: RawClient
) -> None:
    for port in (7001, 7002):
        ok = await raw.send(
            "REGISTER",
            "sip:example.com",
            "joe",
            [("Contact", f"<sip:joe@127.0.0.1:{port}>"), ("Expires", "60")],
            password="joe-pw",
        )
        assert ok.status == 200
    assert len(server.bindings("sip:joe@example.com")) == 2
    cleared = await raw.send(
        "REGISTER",
        "sip:example.com",
        "joe",
        [("Contact", "*"), ("Expires", "0")],
        password="joe-pw",
    )
    assert cleared.status == 200
    assert cleared.contact == []
    assert server.bindings("sip:joe@example.com") == []


async def test_message_relay_answers_200_480_404(
    server: LocalServer, make_app: AppFactory, raw: RawClient
) -> None:
    bob = await make_app("bob")
    alice = await make_app("alice")
    assert bob.registration is not None and alice.registration is not None
    assert await bob.registration.wait_registered(5)
    assert await alice.registration.wait_registered(5)
    received: list[str] = []
    bob.messaging.on_message_added(lambda record: received.append(record.body))

    records = [
        alice.messaging.send("sip:bob@example.com", "안녕하세요! 밥"),
        alice.messaging.send("sip:joe@example.com", "are you there?"),
        alice.messaging.send("sip:nobody@example.com", "hello?"),
    ]
    await wait_for(lambda: all(alice.store.message(r.id).state.is_final for r in records))
    final = [(alice.store.message(r.id).state, alice.store.message(r.id).code) for r in records]
    assert final == [
        (DeliveryState.DELIVERED, 200),
        (DeliveryState.FAILED, 480),
        (DeliveryState.FAILED, 404),
    ]
    assert received == ["안녕하세요! 밥"]
    # A MESSAGE from a configured user without credentials is challenged.
    plain = [("Content-Type", "text/plain")]
    challenged = await raw.send("MESSAGE", "sip:bob@example.com", "alice", plain, body=b"x")
    assert challenged.status == 407
    assert challenged.proxy_authenticate[0].realm == "example.com"


async def test_reg_event_versions_follow_every_change(server: LocalServer, raw: RawClient) -> None:
    watcher_agent = UserAgent()
    await watcher_agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    versions: list[int | None] = []
    events: list[list[str]] = []

    def on_notify(notify: NotifyReceived) -> None:
        versions.append(notify.version)
        events.append([])

    def on_contact(_aor: str, change: ContactChange) -> None:
        event = change.contact.event
        events[-1].append(event.value if isinstance(event, ContactEvent) else str(event))

    async def locate_server() -> Target:
        return Target(server.address, TransportKind.UDP)

    account = Account(aor="sip:alice@example.com", registrar=server.address.sent_by)
    presence = Presence(watcher_agent, account, DigestClient("alice", "alice-pw"), locate_server)
    presence.on_contact_event(on_contact)
    presence.on_notify(on_notify)
    presence.watch("sip:joe@example.com")
    presence.start()
    try:
        await wait_for(lambda: presence.synced("sip:joe@example.com"))
        assert server.subscription_count == 1
        contact = [("Contact", "<sip:joe@127.0.0.1:7003>")]
        # Registered for 1 s: it expires by itself.
        ok = await raw.send(
            "REGISTER", "sip:example.com", "joe", [*contact, ("Expires", "1")], password="joe-pw"
        )
        assert ok.status == 200
        await wait_for(lambda: len(versions) >= 3)
        ok = await raw.send(
            "REGISTER", "sip:example.com", "joe", [*contact, ("Expires", "60")], password="joe-pw"
        )
        assert ok.status == 200
        ok = await raw.send(
            "REGISTER", "sip:example.com", "joe", [*contact, ("Expires", "60")], password="joe-pw"
        )
        gone = await raw.send(
            "REGISTER", "sip:example.com", "joe", [*contact, ("Expires", "0")], password="joe-pw"
        )
        assert gone.status == 200
        await wait_for(lambda: len(versions) >= 6)
    finally:
        await presence.stop()
    await wait_for(lambda: server.subscription_count == 0)
    watcher_agent.close()
    # The final NOTIFY after the unsubscribe is answered from the retired
    # subscription, so the watch reports versions 0 to 5.
    assert versions == [0, 1, 2, 3, 4, 5]
    assert events == [
        [],
        ["registered"],
        ["expired"],
        ["registered"],
        ["refreshed"],
        ["unregistered"],
    ]


async def test_subscribe_for_another_package_gets_489(raw: RawClient) -> None:
    response = await raw.send(
        "SUBSCRIBE",
        "sip:joe@example.com",
        "alice",
        [("Event", "presence"), ("Contact", raw.contact("alice")), ("Expires", "60")],
        to="sip:joe@example.com",
        password="alice-pw",
    )
    assert response.status == 489
    assert response.headers.get("Allow-Events") == "reg"


async def test_welcome_once_per_new_registration_never_on_refresh(
    server: LocalServer, raw: RawClient
) -> None:
    # The welcome server's account is a user-less AoR, as in RFC 3680 §2.
    app_server = LocalServer(
        {**PASSWORDS, "sip:app.example.com": "app-pw"},
        domain="example.com",
        min_expires=1,
        watchers={"sip:joe@example.com": ["sip:app.example.com"]},
    )
    address = await app_server.start()
    device = UserAgent()
    got: list[bytes] = []

    def on_message(incoming: IncomingRequest) -> None:
        got.append(incoming.request.body)
        incoming.respond(200)

    device.handle("MESSAGE", on_message)
    await device.listen(TransportKind.UDP, "127.0.0.1", 0)
    # The product's welcome server, on its own agent and presence service,
    # logged in as the user-less AoR (its digest user name is the host).
    app_agent = UserAgent()
    await app_agent.listen(TransportKind.UDP, "127.0.0.1", 0)

    async def locate_server() -> Target:
        return Target(address, TransportKind.UDP)

    identity = SimpleNamespace(
        aor=WELCOME_APP,
        uri=SipUri.parse(WELCOME_APP),
        display_name="",
        domain="example.com",
        outbound_proxy=None,
    )
    presence = Presence(
        app_agent, identity, DigestClient("app.example.com", "app-pw"), locate_server
    )  # type: ignore[arg-type]
    welcome = WelcomeServer(presence, app_agent, identity, WELCOME_TEXT)  # type: ignore[arg-type]
    joe = RawClient(app_server)
    joe.agent = raw.agent
    contact = [("Contact", f"<{device.contact_uri('joe', TransportKind.UDP)}>")]
    try:
        welcome.watch("sip:joe@example.com")
        presence.start()
        await wait_for(lambda: presence.synced("sip:joe@example.com"))
        for expires in ("60", "60", "0", "60"):  # new, refresh, gone, new again
            ok = await joe.send(
                "REGISTER",
                "sip:example.com",
                "joe",
                [*contact, ("Expires", expires)],
                password="joe-pw",
            )
            assert ok.status == 200
            await asyncio.sleep(0.1)
        await wait_for(lambda: len(welcome.sent) >= 2)
        await asyncio.sleep(0.2)  # room for a wrong third welcome to show up
    finally:
        await welcome.stop()
        await presence.stop()
        app_agent.close()
        device.close()
        await app_server.stop()
    assert got == [WELCOME_TEXT.encode(), WELCOME_TEXT.encode()]
    assert [(aor, code) for aor, _, code in welcome.sent] == [("sip:joe@example.com", 200)] * 2
