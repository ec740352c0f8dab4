"""Where the next hop is: from `host[:port]` to the servers to try, in order.

Names go through RFC 3263 server location (`softphone.resolver`: NAPTR,
SRV, then A/AAAA); a numeric host is used as it is. Every failure is a
`LocationError` whose message is a sentence for the user.
"""

from __future__ import annotations

from dataclasses import dataclass

from softphone.phrase import say
from softphone.resolver import ResolutionError as LocationError
from softphone.resolver import Resolver, transports_for
from softphone.transport.base import Target, TransportKind

__all__ = ["HostPort", "LocationError", "default_resolver", "locate", "locate_all"]

_default: Resolver | None = None


def default_resolver() -> Resolver:
    """A resolver on the system's DNS, shared by callers that have none of their own.

    The application keeps its own (it may name a DNS server); the headless
    tools and the embedded registrar use this one, so its cache is shared.
    """
    global _default
    if _default is None:
        _default = Resolver()
    return _default


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
                raise LocationError(
                    say("{text} is not a host or host:port", text=repr(text)), host=text
                )
        elif text.count(":") == 1:
            host, port_text = text.split(":")
        else:
            host, port_text = text, ""
        if not host:
            raise LocationError(say("{text} has no host", text=repr(text)), host=text)
        port: int | None = None
        if port_text:
            if not port_text.isdigit() or not 0 < int(port_text) < 65536:
                raise LocationError(
                    say("{text} is not a port number", text=repr(port_text)), host=host
                )
            port = int(port_text)
        return cls(host, port)


async def locate_all(
    hop: HostPort, kind: TransportKind, resolver: Resolver | None = None
) -> list[Target]:
    """Every server for *hop*, in the order to try them (RFC 3263 4).

    An account on *kind* looks for the transports `transports_for(kind)`
    gives; an explicit port skips NAPTR and SRV (RFC 3263 4.2).

    Raises:
        LocationError: no server was found or DNS failed; the message says
            so in words, and `.temporary` says whether trying later may help.
    """
    resolver = resolver or default_resolver()
    return await resolver.resolve(hop.host, transports_for(kind), port=hop.port)


async def locate(hop: HostPort, kind: TransportKind, resolver: Resolver | None = None) -> Target:
    """The first server `locate_all` finds for *hop*.

    Raises:
        LocationError: no server was found or DNS failed.
    """
    return (await locate_all(hop, kind, resolver))[0]
