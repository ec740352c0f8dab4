"""What every transport offers the user agent, whatever the wire under it."""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class TransportKind(enum.Enum):
    """The transports an account may use (RFC 3261 18)."""

    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"

    #: Reliable transports need no retransmissions (RFC 3261 17.1.2.2). An
    #: attribute of each member, not a property: asked several times for
    #: every message.
    reliable: bool

    def __init__(self, value: str) -> None:
        self.reliable = value != "udp"

    @property
    def via_name(self) -> str:
        """The token used in the Via header's sent-protocol (RFC 3261 20.42)."""
        return self.value.upper()

    @property
    def default_port(self) -> int:
        """5061 for TLS, 5060 otherwise (RFC 3261 19.1.2)."""
        return 5061 if self is TransportKind.TLS else 5060


@dataclass(frozen=True, slots=True)
class Address:
    """A host (an IP address) and a port: where a datagram comes from or goes to."""

    host: str
    port: int

    @property
    def is_ipv6(self) -> bool:
        """True for an IPv6 literal (written without brackets here)."""
        return ":" in self.host

    @property
    def sent_by(self) -> str:
        """`host:port` as a Via sent-by or URI hostport: IPv6 inside brackets."""
        host = f"[{self.host}]" if self.is_ipv6 else self.host
        return f"{host}:{self.port}"

    @classmethod
    def from_sockaddr(cls, sockaddr: tuple[object, ...]) -> Address:
        """Build from the tuple asyncio and socket return (IPv4 or IPv6)."""
        return cls(str(sockaddr[0]), int(sockaddr[1]))  # type: ignore[call-overload]

    def __str__(self) -> str:
        return self.sent_by


@dataclass(frozen=True, slots=True)
class Target:
    """Where a request goes: the next hop's address and transport."""

    address: Address
    kind: TransportKind
    #: The host name a TLS certificate must match (and a name for logs).
    server_name: str | None = None


def is_ip_literal(host: str) -> bool:
    """True when *host* is a numeric IPv4 or IPv6 address (brackets allowed)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


#: Called by a transport for every message-sized chunk of bytes it receives:
#: (data, source address, the transport it came on). True means it woke
#: something that must run before the next message is handed over (a
#: transport reading a burst ends its run there); None or False, read on.
Receiver = Callable[[bytes, Address, "Transport"], bool | None]

#: Called by a stream transport when a connection to an address fails or
#: closes with an error, so transactions waiting on it can fail at once.
ErrorReceiver = Callable[[Address, "Transport", str], None]


class Transport(Protocol):
    """A bound transport. `send` never blocks: it queues and returns."""

    kind: TransportKind
    local: Address

    def send(self, data: bytes, destination: Address, *, server_name: str | None = None) -> None:
        """Queue *data* for *destination*.

        *server_name* is the host name a TLS certificate must match; other
        transports ignore it.
        """

    def close(self) -> None:
        """Stop receiving and release the socket(s)."""


def parse_nameserver(text: str) -> tuple[str, int]:
    """Parse `HOST[:PORT]` (IPv6 as `[addr]:port` or bare) into (ip, port).

    The port defaults to 53.

    Raises:
        ValueError: *text* is not an IP address with an optional port.
    """
    text = text.strip()
    port_text = ""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest and not rest.startswith(":"):
            raise ValueError(f"{text!r} is not HOST[:PORT]")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host = text
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"The DNS server must be an IP address, not {host!r}") from None
    if not port_text:
        return host, 53
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"{port_text!r} is not a port number")
    return host, int(port_text)
