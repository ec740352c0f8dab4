"""Where the next hop is: from `host[:port]` to an address and transport.

RFC 3263 server location (NAPTR, SRV) belongs here; today a numeric host is
used as it is and a name is resolved with the loop's non-blocking
getaddrinfo, on the transport the account chose.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

from softphone.agent import Target
from softphone.transport.base import Address, TransportKind, is_ip_literal


class LocationError(Exception):
    """No server could be found for a host; the message says so in words."""


@dataclass(frozen=True, slots=True)
class HostPort:
    """A host (name or IP literal, without brackets) and an optional port."""

    host: str
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> HostPort:
        """Parse `host`, `host:port`, `[v6]` or `[v6]:port`.

        Raises:
            LocationError: *text* is not a host or host:port.
        """
        text = text.strip()
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port_text = rest[1:] if rest.startswith(":") else ""
            if rest and not rest.startswith(":"):
                raise LocationError(f"{text!r} is not a host or host:port")
        elif text.count(":") == 1:
            host, port_text = text.split(":")
        else:
            host, port_text = text, ""
        if not host:
            raise LocationError(f"{text!r} has no host")
        port: int | None = None
        if port_text:
            if not port_text.isdigit() or not 0 < int(port_text) < 65536:
                raise LocationError(f"{port_text!r} is not a port number")
            port = int(port_text)
        return cls(host, port)


async def locate(hop: HostPort, kind: TransportKind) -> Target:
    """Resolve *hop* to a target on *kind*.

    Raises:
        LocationError: the name does not resolve.
    """
    port = hop.port or kind.default_port
    if is_ip_literal(hop.host):
        return Target(Address(hop.host.strip("[]"), port), kind)
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(
            hop.host,
            port,
            type=socket.SOCK_DGRAM if kind is TransportKind.UDP else socket.SOCK_STREAM,
        )
    except socket.gaierror as exc:
        raise LocationError(f"No SIP server found for {hop.host}: {exc.strerror}") from exc
    # Prefer IPv4 when both exist: the transports bind IPv4 by default.
    infos.sort(key=lambda info: info[0] != socket.AF_INET)
    address = Address.from_sockaddr(infos[0][4])
    return Target(address, kind, server_name=hop.host)
