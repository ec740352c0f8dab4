"""Peers for the server's security tests: hand-made requests and silent devices."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from softphone.agent import IncomingRequest, UserAgent
from softphone.server import LocalServer
from softphone.services.outbound import Outbound
from softphone.sip import Headers, Request, Response, SipUri, new_call_id, new_tag
from softphone.sip.auth import DigestClient
from softphone.trace import Direction as TraceDirection
from softphone.trace import TraceEntry
from softphone.transport.base import Target, TransportKind


async def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


class RawClient:
    """Requests built by hand, for what the product's services never send."""

    def __init__(self, server: LocalServer, kind: TransportKind = TransportKind.UDP) -> None:
        self.agent = UserAgent()
        self.kind = kind
        self.target = Target(server.address, kind)
        self.call_id = new_call_id("test")
        self.cseq = 0

    async def start(self) -> RawClient:
        await self.agent.listen(self.kind, "127.0.0.1", 0)
        return self

    def close(self) -> None:
        self.agent.close()

    def contact(self, user: str) -> str:
        return f"<{self.agent.contact_uri(user, self.kind)}>"

    async def send(
        self,
        method: str,
        uri: str,
        from_: str,
        extra: Sequence[tuple[str, str]] = (),
        *,
        to: str | None = None,
        username: str | None = None,
        password: str | None = None,
        body: bytes = b"",
        call_id: str | None = None,
        from_tag: str | None = None,
        cseq: int | None = None,
    ) -> Response:
        """Send one request; with *password*, answer 401/407 as *username*.

        *from_* is the whole From value without tag, e.g. `<sip:bob@example.com>`.
        """
        digest = None
        if password is not None:
            user = username or SipUri.parse(from_.strip("<>").split(">")[0]).user or ""
            digest = DigestClient(user, password)
        tag = from_tag or new_tag()

        def build(_target: Target) -> Request:
            self.cseq += 1
            headers = Headers()
            headers.add("From", f"{from_};tag={tag}")
            headers.add("To", to or from_)
            headers.add("Call-ID", call_id or self.call_id)
            headers.add("CSeq", f"{cseq if cseq is not None else self.cseq} {method}")
            for name, value in extra:
                headers.add(name, value)
            return Request(method=method, uri=SipUri.parse(uri), headers=headers, body=body)

        return (await Outbound(self.agent, digest).send(build, targets=self.target)).response


class Device:
    """A registered phone with no screen: answers each MESSAGE with one code.

    Every MESSAGE it receives (retransmissions included) is in `received`.
    """

    def __init__(self, answer: int = 200, *, delay: float = 0.0) -> None:
        self.agent = UserAgent()
        self.answer = answer
        self.delay = delay
        self.requests: list[Request] = []
        self.datagrams = 0
        self.agent.handle("MESSAGE", self._on_message)
        self.agent.add_observer(self._count)

    async def start(self) -> Device:
        await self.agent.listen(TransportKind.UDP, "127.0.0.1", 0)
        return self

    @property
    def port(self) -> int:
        transport = self.agent.transport(TransportKind.UDP)
        assert transport is not None
        return transport.local.port

    def close(self) -> None:
        self.agent.close()

    def _count(self, entry: TraceEntry) -> None:
        if entry.direction is TraceDirection.IN:
            self.datagrams += 1

    def _on_message(self, incoming: IncomingRequest) -> None:
        self.requests.append(incoming.request)
        if self.delay:
            asyncio.get_running_loop().call_later(self.delay, incoming.respond, self.answer)
        else:
            incoming.respond(self.answer)
