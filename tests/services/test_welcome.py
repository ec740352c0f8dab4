"""Welcome Notice server against an in-process notifier and device (no Kamailio).

The rule under test: a device is greeted once when it newly registers
(new or newly active contact, or a new Call-ID for it), never on a refresh,
never for the same binding reported again with Kamailio's repeated
``event="registered"``, and never for devices already there at start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from softphone.account import Account
from softphone.agent import IncomingRequest, UserAgent
from softphone.services.presence import Presence
from softphone.services.welcome import WelcomeServer, WelcomeStep, contact_target
from softphone.sip import Request, SipUri
from softphone.transport.base import Address, Target, TransportKind
from tests.services.notifier import Dialog, Notifier, reginfo

JOE = "sip:joe@example.test"
TEXT = "환영합니다, joe!"


@dataclass
class Rig:
    notifier: Notifier
    server: WelcomeServer
    presence: Presence
    agent: UserAgent
    device: UserAgent
    received: list[Request]
    steps: list[WelcomeStep]
    contact: str
    dialog: Dialog | None = None

    async def notify(self, contacts: list[tuple[str, str, str, str]], **kw: object) -> None:
        assert self.dialog is not None
        body = reginfo(JOE, contacts)
        for old, new in kw.items():
            body = body.replace(f'callid="{old}-call"', f'callid="{new}"')
        response = await self.notifier.notify(self.dialog, body=body)
        assert response.status == 200
        await self.server.drain(timeout=3.0)

    def greeted(self) -> list[str]:
        return [s.contact or "" for s in self.steps if s.step == "message-sent"]


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    notifier = await Notifier.start()
    device = UserAgent()
    await device.listen(TransportKind.UDP, "127.0.0.1", 0)
    received: list[Request] = []

    def on_message(incoming: IncomingRequest) -> None:
        received.append(incoming.request)
        incoming.respond(200)

    device.handle("MESSAGE", on_message)
    agent = UserAgent()
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)

    async def locate() -> Target:
        return notifier.target

    account = Account(aor="sip:welcome@example.test")
    presence = Presence(agent, account, None, locate)
    steps: list[WelcomeStep] = []
    server = WelcomeServer(presence, agent, account, TEXT, on_step=steps.append)
    presence.start()
    contact = f"sip:joe@{device.local_address(TransportKind.UDP).sent_by}"
    rig = Rig(notifier, server, presence, agent, device, received, steps, contact)
    server.watch(JOE)
    request = (await notifier.wait_subscribes(1))[0]
    rig.dialog = notifier.dialog_of(request)
    yield rig
    await server.stop()
    await presence.stop(timeout=2.0)
    agent.close()
    device.close()
    notifier.close()


async def test_new_device_is_greeted_once_at_its_contact(rig: Rig) -> None:
    await rig.notify([])  # start: nobody registered
    await rig.notify([("a", "active", "created", rig.contact)])
    assert len(rig.received) == 1
    message = rig.received[0]
    assert str(message.uri) == rig.contact
    assert str(message.to.uri) == JOE
    assert str(message.from_.uri) == "sip:welcome@example.test"
    assert message.body.decode() == TEXT
    assert message.headers.get("Content-Type") == "text/plain;charset=UTF-8"
    # Kamailio repeats the unchanged contact as "registered"; then a refresh.
    await rig.notify([("a", "active", "registered", rig.contact)])
    await rig.notify([("a", "active", "refreshed", rig.contact)])
    assert len(rig.received) == 1
    assert rig.greeted() == [rig.contact]
    kinds = [s.step for s in rig.steps]
    assert kinds[0] == "subscribed"
    assert kinds.count("notify") == 4
    assert kinds.index("contact-active") < kinds.index("message-sent")


async def test_devices_there_at_start_are_not_greeted(rig: Rig) -> None:
    await rig.notify([("a", "active", "registered", rig.contact)])
    await rig.notify([("a", "active", "registered", rig.contact)])
    assert rig.received == []
    # A second device arriving later is.
    await rig.notify(
        [("a", "active", "registered", rig.contact), ("b", "active", "created", rig.contact)]
    )
    assert len(rig.received) == 1


async def test_reregistration_after_unregister_or_reboot_is_greeted(rig: Rig) -> None:
    await rig.notify([])
    await rig.notify([("a", "active", "registered", rig.contact)])
    await rig.notify([("a", "terminated", "unregistered", rig.contact)])
    await rig.notify([("a", "active", "registered", rig.contact)])
    assert len(rig.received) == 2
    # Same contact id, new Call-ID: the phone rebooted (RFC 3261 10.2.4).
    await rig.notify([("a", "active", "registered", rig.contact)], a="after-reboot")
    assert len(rig.received) == 3
    await rig.notify([("a", "active", "refreshed", rig.contact)], a="after-reboot")
    assert len(rig.received) == 3


async def test_new_contact_reported_as_refreshed_is_not_greeted(rig: Rig) -> None:
    await rig.notify([])
    await rig.notify([("a", "active", "refreshed", rig.contact)])
    await rig.notify([("b", "terminated", "expired", rig.contact)])
    assert rig.received == []


async def test_unreachable_device_is_logged_as_failed(rig: Rig) -> None:
    await rig.notify([])
    await rig.notify([("a", "active", "created", "sip:joe@127.0.0.1:5060;transport=sctp")])
    failed = [s for s in rig.steps if s.step == "message-failed"]
    assert len(failed) == 1 and failed[0].code is None
    assert "unsupported transport 'sctp'" in failed[0].reason


def test_contact_target_follows_the_transport_parameter() -> None:
    udp = contact_target(SipUri.parse("sip:joe@192.0.2.1"))
    assert udp == Target(Address("192.0.2.1", 5060), TransportKind.UDP)
    tcp = contact_target(SipUri.parse("sip:joe@192.0.2.1:5070;transport=TCP"))
    assert tcp == Target(Address("192.0.2.1", 5070), TransportKind.TCP)
    tls = contact_target(SipUri.parse("sips:joe@[2001:db8::1]"))
    assert tls == Target(Address("2001:db8::1", 5061), TransportKind.TLS)
    with pytest.raises(ValueError):
        contact_target(SipUri.parse("sip:joe@192.0.2.1;transport=sctp"))


def test_steps_are_json_ready() -> None:
    step = WelcomeStep("message-sent", JOE, contact="sip:joe@192.0.2.1", code=200, time=1.0)
    assert step.as_dict() == {
        "step": "message-sent",
        "aor": JOE,
        "contact": "sip:joe@192.0.2.1",
        "code": 200,
        "time": 1.0,
    }
