"""The one way out: failover order and digest answers, with a scripted agent."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from softphone.agent import TransactionFailed
from softphone.location import LocationError
from softphone.services.outbound import Outbound
from softphone.sip import Headers, NameAddr, Request, Response, SipUri
from softphone.sip.auth import (
    AuthenticationFailed,
    DigestClient,
    make_challenge,
    parse_credentials,
    verify,
)
from softphone.transport.base import Address, Target, TransportKind

A = Target(Address("127.0.0.1", 1001), TransportKind.UDP)
B = Target(Address("127.0.0.1", 1002), TransportKind.UDP)
C = Target(Address("127.0.0.1", 1003), TransportKind.TCP)

Answer = Callable[[Request, Target], Response | Exception]


class ScriptedAgent:
    """Stands in for the agent: each request gets what *answer* says."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.sent: list[tuple[Request, Target]] = []

    async def request(self, request: Request, target: Target, **_: object) -> Response:
        self.sent.append((request, target))
        outcome = self.answer(request, target)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def response(status: int, request: Request | None = None, **headers: str) -> Response:
    h = Headers()
    for name, value in headers.items():
        h.add(name.replace("_", "-"), value)
    return Response(status, "x", h)


def message(cseq: int = 1, method: str = "MESSAGE") -> Request:
    headers = Headers()
    headers.add("From", str(NameAddr(SipUri.parse("sip:alice@example.test")).with_tag("t")))
    headers.add("To", "<sip:bob@example.test>")
    headers.add("Call-ID", f"c{cseq}")
    headers.add("CSeq", f"{cseq} {method}")
    return Request(method, SipUri.parse("sip:bob@example.test"), headers, b"hi")


def builder(method: str = "MESSAGE") -> Callable[[Target], Request]:
    cseq = 0

    def build(_target: Target) -> Request:
        nonlocal cseq
        cseq += 1
        return message(cseq, method)

    return build


def by_target(outcomes: dict[Target, Response | Exception]) -> Answer:
    return lambda _request, target: outcomes[target]


# -- failover (RFC 3263 4.3) ----------------------------------------------------------


async def test_failover_moves_on_after_timeout_transport_error_and_503() -> None:
    agent = ScriptedAgent(
        by_target(
            {
                A: TransactionFailed("no answer", timed_out=True),
                B: response(503),
                C: response(200),
            }
        )
    )
    sent = await Outbound(agent, None).send(builder(), targets=[A, B, C])  # type: ignore[arg-type]
    assert (sent.response.status, sent.target) == (200, C)
    assert [t for _, t in agent.sent] == [A, B, C]
    assert sent.statuses == (503, 200)


async def test_failover_stops_at_a_final_answer_that_is_not_503() -> None:
    agent = ScriptedAgent(by_target({A: response(404), B: response(200)}))
    sent = await Outbound(agent, None).send(builder(), targets=[A, B])  # type: ignore[arg-type]
    assert (sent.response.status, sent.target) == (404, A)
    assert [t for _, t in agent.sent] == [A]


async def test_failover_raises_the_last_error() -> None:
    last = TransactionFailed("connection refused", timed_out=False)
    agent = ScriptedAgent(by_target({A: response(503), B: last}))
    with pytest.raises(TransactionFailed) as info:
        await Outbound(agent, None).send(builder(), targets=[A, B])  # type: ignore[arg-type]
    assert info.value is last
    assert [t for _, t in agent.sent] == [A, B]


async def test_failover_returns_the_last_503() -> None:
    agent = ScriptedAgent(
        by_target({A: TransactionFailed("refused", timed_out=False), B: response(503)})
    )
    sent = await Outbound(agent, None).send(builder(), targets=[A, B])  # type: ignore[arg-type]
    assert (sent.response.status, sent.target) == (503, B)


async def test_failover_moves_on_when_no_transport_of_that_kind_is_bound() -> None:
    agent = ScriptedAgent(
        by_target({C: LookupError("no tcp transport is listening"), A: response(200)})
    )
    sent = await Outbound(agent, None).send(builder(), targets=[C, A])  # type: ignore[arg-type]
    assert (sent.response.status, sent.target) == (200, A)


async def test_failover_does_not_swallow_bugs() -> None:
    agent = ScriptedAgent(by_target({A: KeyError("bug"), B: response(200)}))
    with pytest.raises(KeyError):
        await Outbound(agent, None).send(builder(), targets=[A, B])  # type: ignore[arg-type]
    assert [t for _, t in agent.sent] == [A]


async def test_no_server_is_a_location_error() -> None:
    agent = ScriptedAgent(by_target({}))
    with pytest.raises(LocationError):
        await Outbound(agent, None).send(builder(), targets=[])  # type: ignore[arg-type]
    with pytest.raises(LocationError):
        await Outbound(agent, None).send(builder())  # type: ignore[arg-type]


async def test_located_servers_are_used_when_none_are_given() -> None:
    agent = ScriptedAgent(by_target({A: TransactionFailed("x", timed_out=True), B: response(200)}))

    async def locate() -> list[Target]:
        return [A, B]

    sent = await Outbound(agent, None, locate).send(builder())  # type: ignore[arg-type]
    assert sent.target == B


# -- digest: challenged, then pre-emptive (RFC 3261 22.2, 22.3; RFC 7616 3.4) ---------


class Realm:
    """A proxy that challenges with 407 and keeps one nonce until told to change it."""

    def __init__(self, password: str = "secret", status: int = 407) -> None:
        self.password = password
        self.status = status
        self.nonce = "n1"
        self.expired: set[str] = set()
        self.seen_nc: list[str | None] = []

    def header(self) -> tuple[str, str]:
        if self.status == 407:
            return "Proxy-Authenticate", "Proxy-Authorization"
        return "WWW-Authenticate", "Authorization"

    def challenge(self, *, stale: bool = False) -> Response:
        name, _ = self.header()
        value = str(make_challenge(realm="example.test", nonce=self.nonce, stale=stale))
        return response(self.status, **{name.replace("-", "_"): value})

    def __call__(self, request: Request, _target: Target) -> Response:
        _, credentials = self.header()
        value = request.headers.get(credentials)
        if value is None:
            self.seen_nc.append(None)
            return self.challenge()
        creds = parse_credentials(value)
        self.seen_nc.append(creds.param("nc"))
        if creds.nonce in self.expired:
            return self.challenge(stale=True)
        if creds.nonce != self.nonce:
            return self.challenge()
        if not verify(creds, method=request.method, password=self.password, body=request.body):
            return self.challenge()
        return response(200)


async def test_second_request_is_answered_pre_emptively_with_the_next_nonce_count() -> None:
    realm = Realm()
    outbound = Outbound(ScriptedAgent(realm), DigestClient("alice", "secret"))  # type: ignore[arg-type]
    build = builder()
    first = await outbound.send(build, targets=A)
    second = await outbound.send(build, targets=A)
    third = await outbound.send(build, targets=A)
    assert [first.statuses, second.statuses, third.statuses] == [(407, 200), (200,), (200,)]
    assert realm.seen_nc == [None, "00000001", "00000002", "00000003"]


async def test_pre_emptive_credentials_are_per_method_and_header() -> None:
    proxy, registrar = Realm(status=407), Realm(status=401)

    def answer(request: Request, target: Target) -> Response:
        return (registrar if request.method == "REGISTER" else proxy)(request, target)

    outbound = Outbound(ScriptedAgent(answer), DigestClient("alice", "secret"))  # type: ignore[arg-type]
    statuses = [
        (await outbound.send(builder(method), targets=A)).statuses
        for method in ("REGISTER", "MESSAGE", "REGISTER", "MESSAGE")
    ]
    assert statuses == [(401, 200), (407, 200), (200,), (200,)]


async def test_stale_nonce_falls_back_to_the_challenge() -> None:
    realm = Realm()
    outbound = Outbound(ScriptedAgent(realm), DigestClient("alice", "secret"))  # type: ignore[arg-type]
    build = builder()
    await outbound.send(build, targets=A)
    realm.expired.add(realm.nonce)
    realm.nonce = "n2"
    sent = await outbound.send(build, targets=A)
    after = await outbound.send(build, targets=A)
    assert [sent.statuses, after.statuses] == [(407, 200), (200,)]
    assert realm.seen_nc == [None, "00000001", "00000002", "00000001", "00000002"]


async def test_a_new_challenge_to_a_guess_is_answered_not_taken_as_a_wrong_password() -> None:
    realm = Realm()
    outbound = Outbound(ScriptedAgent(realm), DigestClient("alice", "secret"))  # type: ignore[arg-type]
    build = builder()
    await outbound.send(build, targets=A)
    realm.nonce = "after-restart"  # the server forgot our nonce, without stale=true
    sent = await outbound.send(build, targets=A)
    assert sent.statuses == (407, 200)


async def test_wrong_password_after_a_challenge_is_refused() -> None:
    realm = Realm(password="other")
    outbound = Outbound(ScriptedAgent(realm), DigestClient("alice", "secret"))  # type: ignore[arg-type]
    with pytest.raises(AuthenticationFailed):
        await outbound.send(builder(), targets=A)
    assert realm.seen_nc == [None, "00000001"]


async def test_without_password_the_challenge_is_returned() -> None:
    outbound = Outbound(ScriptedAgent(Realm()), None)  # type: ignore[arg-type]
    sent = await outbound.send(builder(), targets=A)
    assert (sent.response.status, sent.statuses) == (407, (407,))
