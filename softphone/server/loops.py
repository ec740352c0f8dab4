"""Is this address the server itself? Loop prevention for the relay (RFC 5393).

A relay that sends a request to its own address forks it again on every
pass; with two such contacts one MESSAGE becomes 2, 4, 8 ... requests until
Max-Forwards runs out, which is 2^70. So the registrar refuses contacts that
name the server, the relay never sends to its own address, and a request
that carries the server's Via has been here before (482, RFC 3261 16.3
step 4).
"""

from __future__ import annotations

import functools
import ipaddress
import socket

from softphone.sip import SipUri
from softphone.transport.base import Address, is_ip_literal

__all__ = ["OwnAddresses", "is_local_ip"]

#: Names that always mean this computer.
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@functools.lru_cache(maxsize=256)
def is_local_ip(host: str) -> bool:
    """True when *host* (an IP literal) is an address of this computer.

    Binding a socket to an address succeeds only for a local one; nothing
    is sent, and the answer is cached.
    """
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if ip.is_loopback or ip.is_unspecified:
        return True
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.bind((str(ip), 0))
    except OSError:
        return False
    return True


class OwnAddresses:
    """The addresses a request reaches this server at.

    Args:
        listening: where the server is bound (UDP and TCP on one port).
        domain: the domain it serves; a URI at the domain on our port is
            ours (RFC 3263 would send it here).
    """

    def __init__(self, listening: Address, domain: str) -> None:
        self.listening = listening
        self.domain = domain.lower()
        self._wildcard = ipaddress.ip_address(listening.host).is_unspecified

    def is_own(self, host: str, port: int) -> bool:
        """True when *host*:*port* reaches this server."""
        if port != self.listening.port:
            return False
        host = host.strip("[]").lower()
        if host in _LOOPBACK_NAMES or host == self.domain:
            return True
        if not is_ip_literal(host):
            return False
        if self._wildcard:
            return is_local_ip(host)
        return ipaddress.ip_address(host) == ipaddress.ip_address(self.listening.host)

    def uri_is_own(self, uri: SipUri) -> bool:
        """True when a request to *uri* would come straight back here."""
        tls = uri.scheme == "sips" or (uri.param("transport") or "").lower() == "tls"
        port = uri.port if uri.port is not None else (5061 if tls else 5060)
        return self.is_own(uri.host, port)
