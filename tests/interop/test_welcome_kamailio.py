"""The Welcome Notice app server (RFC 3680 §6) against a real Kamailio.

The server logs in as user `welcome`, subscribes to joe's reg event, and
must send the welcome MESSAGE to joe's device exactly once when it
registers, and none when the device refreshes its registration (same
Call-ID, Kamailio's `event="refreshed"`). joe's device is an in-process
UserAgent registering with the product's own `Registration`; for the
black-box `softphone welcome` test it is a SIPp UAS.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from softphone.account import Account
from softphone.agent import IncomingRequest, UserAgent
from softphone.services.outbound import Outbound
from softphone.services.presence import BuddyStatus, Presence
from softphone.services.registration import Registration
from softphone.services.welcome import WelcomeServer, WelcomeStep
from softphone.sip import Headers, NameAddr, Request, SipUri, new_call_id, new_tag
from softphone.sip.auth import DigestClient
from softphone.transport.base import Address, Target, TransportKind
from tests.interop import harness
from tests.interop.conftest import USERS
from tests.interop.harness import KamailioProcess, run_sipp

pytestmark = [pytest.mark.interop, harness.requires_kamailio, harness.requires_sipp]

JOE = "sip:joe@example.test"
TEXT = "Welcome to example.test, joe!"
ROOT = Path(__file__).resolve().parents[2]


async def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 8.0) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


class Server:
    """The welcome server in process, with its steps recorded."""

    def __init__(self, agent: UserAgent, presence: Presence, server: WelcomeServer) -> None:
        self.agent, self.presence, self.server = agent, presence, server
        self.steps: list[WelcomeStep] = []
        server.on_step(self.steps.append)

    def named(self, step: str) -> list[WelcomeStep]:
        return [s for s in self.steps if s.step == step]


@pytest.fixture
async def welcome(kamailio: KamailioProcess) -> AsyncIterator[Server]:
    agent = UserAgent()
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    target = Target(Address(kamailio.host, kamailio.port), TransportKind.UDP)

    async def locate() -> Target:
        return target

    account = Account(aor="sip:welcome@example.test")
    digest = DigestClient("welcome", USERS["welcome"])
    presence = Presence(agent, account, digest, locate)
    server = Server(agent, presence, WelcomeServer(presence, agent, account, TEXT))
    presence.start()
    yield server
    await server.server.stop()
    await presence.stop(timeout=3.0)
    agent.close()


async def test_welcome_once_per_registration_never_on_refresh(
    kamailio: KamailioProcess, welcome: Server
) -> None:
    # joe's device: records every MESSAGE it gets.
    device = UserAgent()
    await device.listen(TransportKind.UDP, "127.0.0.1", 0)
    received: list[Request] = []

    def on_message(incoming: IncomingRequest) -> None:
        received.append(incoming.request)
        incoming.respond(200)

    device.handle("MESSAGE", on_message)
    target = Target(Address(kamailio.host, kamailio.port), TransportKind.UDP)

    async def locate() -> Target:
        return target

    joe = Account(aor=JOE, registrar=kamailio.hostport)
    registration = Registration(device, joe, DigestClient("joe", USERS["joe"]), locate, expires=10)
    events: list[tuple[str, str]] = []
    welcome.presence.on_contact_event(
        lambda aor, change: events.append((change.kind.value, str(change.contact.event)))
    )
    try:
        welcome.server.watch(JOE)
        await wait_until(lambda: welcome.presence.synced(JOE), "the first NOTIFY")
        assert [s.code for s in welcome.named("subscribed")] == [200]
        assert welcome.presence.state(JOE).status is BuddyStatus.OFFLINE

        registration.start()
        assert await registration.wait_registered(5.0)
        await wait_until(lambda: len(received) == 1, "the welcome MESSAGE")
        message = received[0]
        assert message.body.decode() == TEXT
        assert str(message.uri) == str(registration.contact)  # straight to the device
        assert str(message.to.uri) == JOE
        assert str(message.from_.uri) == "sip:welcome@example.test"
        await wait_until(lambda: len(welcome.named("message-sent")) == 1, "the 200")
        sent = welcome.named("message-sent")[0]
        assert (sent.code, sent.contact) == (200, str(registration.contact))

        # The refresh (same Call-ID, after half of the 10 s) gives Kamailio's
        # event="refreshed" NOTIFY, and no second welcome.
        notifies = len(welcome.named("notify"))
        await wait_until(
            lambda: len(welcome.named("notify")) > notifies, "the refresh NOTIFY", timeout=10.0
        )
        await asyncio.sleep(0.5)
        assert len(received) == 1
        assert len(welcome.named("contact-active")) == 1
        # Kamailio reported the refresh as such, for the same contact.
        assert events[0] == ("added", "ContactEvent.CREATED")
        assert ("changed", "ContactEvent.REFRESHED") in events[1:]
    finally:
        await registration.stop(timeout=3.0)
        device.close()
    steps = [s.step for s in welcome.steps]
    assert steps[:2] == ["subscribed", "notify"]
    assert steps.index("contact-active") < steps.index("message-sent")


async def test_kamailio_refuses_a_contact_request_uri_through_the_proxy(
    kamailio: KamailioProcess,
) -> None:
    """Why the welcome MESSAGE goes directly: Kamailio answers 403 when an
    authenticated local user sends a MESSAGE whose Request-URI is a
    registered contact (not Kamailio's domain) through it."""
    agent = UserAgent()
    await agent.listen(TransportKind.UDP, "127.0.0.1", 0)
    port = harness.free_port()
    await asyncio.to_thread(
        run_sipp,
        "uac_register_auth.xml",
        kamailio.workdir / "sipp",
        remote=kamailio.hostport,
        service="joe",
        auth=("joe", USERS["joe"]),
        keys={"contact_port": str(port)},
        wait=10,
    )
    contact = SipUri.parse(f"sip:joe@127.0.0.1:{port};transport=UDP")
    call_id, tag = new_call_id("example.test"), new_tag()
    cseq = 0

    def build(_target: Target) -> Request:
        nonlocal cseq
        cseq += 1
        headers = Headers()
        headers.add("From", str(NameAddr(SipUri.parse("sip:welcome@example.test")).with_tag(tag)))
        headers.add("To", f"<{JOE}>")
        headers.add("Call-ID", call_id)
        headers.add("CSeq", f"{cseq} MESSAGE")
        headers.add("Content-Type", "text/plain")
        return Request("MESSAGE", contact, headers, b"hi")

    try:
        target = Target(Address(kamailio.host, kamailio.port), TransportKind.UDP)
        digest = DigestClient("welcome", USERS["welcome"])
        response = (await Outbound(agent, digest).send(build, targets=target)).response
    finally:
        agent.close()
    assert (response.status, response.reason) == (403, "Relaying Forbidden")


def _lines(stream: object, out: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        out.put(line)


def test_softphone_welcome_prints_each_step(kamailio: KamailioProcess, tmp_path: Path) -> None:
    uas = harness.start_sipp_uas("uas_message.xml", tmp_path / "sipp", timeout=30)
    env = dict(os.environ, WELCOME_PASSWORD=USERS["welcome"], PYTHONPATH=str(ROOT))
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    argv = [sys.executable, "-m", "softphone", "welcome", "--watch", JOE, "--text", TEXT]
    argv += ["--aor", "sip:welcome@example.test", "--password-env", "WELCOME_PASSWORD"]
    argv += ["--registrar", kamailio.hostport, "--listen-host", "127.0.0.1"]
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    steps: list[dict[str, object]] = []

    def until(step: str, timeout: float = 10.0) -> dict[str, object]:
        while True:
            try:
                obj = json.loads(lines.get(timeout=timeout))
            except queue.Empty:
                raise AssertionError(f"no {step!r} step; got {steps}") from None
            steps.append(obj)
            if obj["step"] == step:
                return dict(obj)

    try:
        subscribed = until("subscribed")
        assert (subscribed["aor"], subscribed["code"]) == (JOE, 200)
        until("notify")
        result = run_sipp(
            "uac_register_auth.xml",
            tmp_path / "sipp",
            remote=kamailio.hostport,
            service="joe",
            auth=("joe", USERS["joe"]),
            keys={"contact_port": str(uas.port)},
            wait=10,
        )
        assert result.final_statuses() == [401, 200]
        sent = until("message-sent")
        assert sent["code"] == 200
        assert sent["contact"] == f"sip:joe@127.0.0.1:{uas.port};transport=UDP"
        got = uas.wait_for("MESSAGE", timeout=5)
        assert got[0].body.strip() == TEXT
    finally:
        process.terminate()
        try:
            code = process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait(5)
        uas.stop()
    assert code == 0, process.stderr.read() if process.stderr else ""
    names = [s["step"] for s in steps]
    assert names.index("subscribed") < names.index("contact-active") < names.index("message-sent")
    notify = next(s for s in steps if s["step"] == "notify" and "version" in s)
    assert notify["version"] == 0
