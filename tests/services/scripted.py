"""A scripted SIP peer on a real UDP socket, for service tests.

The peer parses each request with `softphone.sip.parse` and answers with
whatever the test's script returns, so a test controls every byte the
service sees: challenges, 423 with Min-Expires, 503 with Retry-After, a
Via with a made-up received/rport, or a second final response for one
transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from softphone.sip import Request, Response, new_tag, parse
from softphone.sip.auth import make_challenge, parse_credentials, verify
from softphone.transport.base import Address

#: What a script returns for one request: responses to send back, in order.
Script = Callable[[Request], list[Response]]


@dataclass
class ScriptedPeer(asyncio.DatagramProtocol):
    """Answers every request by calling *script*; records what it got."""

    script: Script
    requests: list[Request] = field(default_factory=list)
    transport: asyncio.DatagramTransport | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    async def start(cls, script: Script) -> ScriptedPeer:
        """Bind a free port on 127.0.0.1."""
        loop = asyncio.get_running_loop()
        peer = cls(script)
        await loop.create_datagram_endpoint(lambda: peer, local_addr=("127.0.0.1", 0))
        return peer

    @property
    def address(self) -> Address:
        """Where the peer listens."""
        assert self.transport is not None
        host, port = self.transport.get_extra_info("sockname")[:2]
        return Address(host, port)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not data.strip(b"\r\n"):
            return  # a keep-alive or the agent's reachability probe: ignored, as servers do
        message = parse(data)
        if not isinstance(message, Request):
            return
        self.requests.append(message)
        self.arrived.set()
        assert self.transport is not None
        for response in self.script(message):
            self.transport.sendto(bytes(response), addr)

    def close(self) -> None:
        """Close the socket."""
        if self.transport is not None:
            self.transport.close()

    async def wait_for(self, count: int, *, timeout: float = 5.0) -> list[Request]:
        """Wait until *count* requests arrived; return them all.

        Raises:
            TimeoutError: fewer arrived in time.
        """
        async with asyncio.timeout(timeout):
            while len(self.requests) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return list(self.requests)


def answer(request: Request, status: int, *headers: tuple[str, str]) -> Response:
    """A response to *request* with a To tag and extra *headers*."""
    response = Response.for_request(request, status, to_tag=new_tag())
    for name, value in headers:
        response.headers.add(name, value)
    return response


class DigestGate:
    """Server side of digest: challenge once, then check the credentials.

    *status* is 401 (a registrar, RFC 3261 22.2) or 407 (a proxy, 22.3).
    """

    def __init__(self, password: str, *, status: int = 401, realm: str = "example.test") -> None:
        self.password = password
        self.status = status
        self.realm = realm
        self.nonce = "f84f1cec41e6cbe5aea9c8e88d359"
        self.challenged = 0

    def check(self, request: Request) -> Response | None:
        """None when *request* carries good credentials, else the challenge (or 403)."""
        header = "Authorization" if self.status == 401 else "Proxy-Authorization"
        value = request.headers.get(header)
        if value is not None:
            ok = verify(
                parse_credentials(value),
                method=request.method,
                password=self.password,
                realm=self.realm,
                nonce=self.nonce,
                body=request.body,
            )
            return None if ok else answer(request, 403)
        self.challenged += 1
        challenge = make_challenge(realm=self.realm, nonce=self.nonce)
        name = "WWW-Authenticate" if self.status == 401 else "Proxy-Authenticate"
        return answer(request, self.status, (name, str(challenge)))
