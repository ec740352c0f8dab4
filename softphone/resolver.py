"""Locating SIP servers in DNS (RFC 3263): NAPTR, then SRV, then A/AAAA.

`Resolver.resolve()` turns a host (and the transports the account may use)
into an ordered list of `Target`s (`softphone.services.outbound` walks that
list for each request, RFC 3263 4.3). DNS only: nothing here sends SIP.
Lookups go through `dns.asyncresolver`, so they never block the event loop,
and answers are kept for their TTL on an injected clock.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from softphone.phrase import Phrase, say
from softphone.transport.base import Address, Target, TransportKind, is_ip_literal, parse_nameserver

log = logging.getLogger(__name__)

#: NAPTR services of RFC 3263 4.1 and the transport each one names.
NAPTR_SERVICES: dict[str, TransportKind] = {
    "SIP+D2U": TransportKind.UDP,
    "SIP+D2T": TransportKind.TCP,
    "SIPS+D2T": TransportKind.TLS,
}

#: SRV owner-name prefixes of RFC 3263 4.1 (`_sips._tcp` is SIP over TLS).
SRV_PREFIXES: dict[TransportKind, str] = {
    TransportKind.UDP: "_sip._udp",
    TransportKind.TCP: "_sip._tcp",
    TransportKind.TLS: "_sips._tcp",
}

#: Cap on how long "no such record" is remembered: a user who just fixed
#: their zone should not wait the 300 s dnspython assumes without an SOA.
DEFAULT_NEGATIVE_TTL = 30.0


class ResolutionError(Exception):
    """No server could be found for a host; the message says so in words.

    `temporary` is True when the DNS server failed (timeout, SERVFAIL,
    REFUSED) rather than answering that there is nothing: trying again
    later may work.
    """

    def __init__(self, message: Phrase | str, *, host: str, temporary: bool = False) -> None:
        super().__init__(str(message))
        #: The sentence for the user (the window translates it); str() is its English.
        self.phrase = message
        self.host = host
        self.temporary = temporary


@dataclass(frozen=True, slots=True)
class SrvRecord:
    """One SRV record (RFC 2782); `target` is a name without the final dot."""

    priority: int
    weight: int
    port: int
    target: str


@dataclass(frozen=True, slots=True)
class NaptrRecord:
    """One NAPTR record (RFC 3403) as RFC 3263 4.1 reads it."""

    order: int
    preference: int
    flags: str
    service: str
    replacement: str


@dataclass(frozen=True, slots=True)
class _Cached:
    expires: float
    records: tuple[object, ...]
    #: True when the name itself does not exist (NXDOMAIN).
    nxdomain: bool = False


class _ServerFailure(Exception):
    """The DNS server did not give an answer (as opposed to "no records").

    `fatal` for a timeout: asking the same silent server for the next record
    type would only add another timeout, so resolution stops there.
    """

    def __init__(self, message: Phrase, *, fatal: bool = False) -> None:
        super().__init__(str(message))
        self.phrase = message
        self.fatal = fatal


def transports_for(kind: TransportKind) -> tuple[TransportKind, ...]:
    """The transports to look for, in preference order, for an account on *kind*.

    A UDP account also listens on TCP (large messages, RFC 3428 5), so a
    domain that publishes only TCP is still reachable; TCP and TLS accounts
    use only their own transport.
    """
    if kind is TransportKind.UDP:
        return (TransportKind.UDP, TransportKind.TCP)
    return (kind,)


def order_srv(records: Iterable[SrvRecord], rng: random.Random) -> list[SrvRecord]:
    """Order SRV records as RFC 2782 says: by priority, by weight inside one.

    Lowest priority first. Within a priority, each pick is random with a
    chance proportional to the weight; a weight-0 record has a small chance
    (1 in the sum of weights + 1) while weighted ones remain.
    """
    by_priority: dict[int, list[SrvRecord]] = {}
    for record in records:
        by_priority.setdefault(record.priority, []).append(record)
    ordered: list[SrvRecord] = []
    for priority in sorted(by_priority):
        remaining = list(by_priority[priority])
        while remaining:
            chosen = _pick_weighted(remaining, rng)
            remaining.remove(chosen)
            ordered.append(chosen)
    return ordered


def _pick_weighted(records: list[SrvRecord], rng: random.Random) -> SrvRecord:
    # RFC 2782 draws from 0..sum inclusive over a list with the weight-0
    # records first. Taken literally, the draw 0 also lands on the first
    # weighted record and skews 3:1 into 4:1 or 3:2 depending on the order
    # the server listed them; so 0 goes to the weight-0 records only and the
    # weighted ones share 1..sum exactly in proportion.
    total = sum(r.weight for r in records)
    zeros = [r for r in records if r.weight == 0]
    if zeros and (total == 0 or rng.randint(0, total) == 0):
        return zeros[rng.randrange(len(zeros))]
    pick = rng.randint(1, total)
    running = 0
    for record in records:
        running += record.weight
        if running >= pick:
            return record
    raise AssertionError("unreachable: pick is at most the sum of weights")


class Resolver:
    """RFC 3263 server location with a TTL cache.

    One instance per application, so its cache is shared by registration,
    messaging and subscriptions.
    """

    def __init__(
        self,
        nameserver: str | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        timeout: float = 5.0,
        negative_ttl: float = DEFAULT_NEGATIVE_TTL,
        ipv6: bool = True,
    ) -> None:
        """Use *nameserver* (`HOST[:PORT]`) or, when None, the system's DNS.

        *clock* gives the time the cache runs on; *rng* orders SRV records
        of equal priority; *timeout* bounds each lookup; *ipv6* adds AAAA
        addresses (after the IPv4 ones: the transports bind IPv4 by default).

        Raises:
            ValueError: *nameserver* is not `HOST[:PORT]` with a numeric host.
        """
        self._clock = clock
        self._rng = rng or random.Random()
        self._negative_ttl = negative_ttl
        self._ipv6 = ipv6
        self._cache: dict[tuple[str, dns.rdatatype.RdataType], _Cached] = {}
        self._dns: dns.asyncresolver.Resolver | None
        self._system = nameserver is None
        self._config_error: Phrase | None = None
        if nameserver is not None:
            host, port = parse_nameserver(nameserver)
            self._dns = dns.asyncresolver.Resolver(configure=False)
            self._dns.nameservers = [dns.nameserver.Do53Nameserver(host, port)]
            self.nameserver: str | None = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        else:
            self.nameserver = None
            try:
                self._dns = dns.asyncresolver.Resolver()
            except dns.resolver.NoResolverConfiguration:
                # No resolv.conf: only the system's getaddrinfo is left.
                self._dns = None
                self._config_error = say("this computer has no DNS server configured")
        if self._dns is not None:
            self._dns.lifetime = timeout
            self._dns.timeout = timeout

    def clear_cache(self) -> None:
        """Forget every cached answer."""
        self._cache.clear()

    async def resolve(
        self,
        host: str,
        transports: Sequence[TransportKind],
        *,
        port: int | None = None,
    ) -> list[Target]:
        """Every server for *host*, in the order to try them (RFC 3263 4).

        *transports* are the ones the account may use, preferred first. A
        numeric *host* is used as it is; an explicit *port* skips NAPTR and
        SRV (RFC 3263 4.1, 4.2) and uses the first transport.

        Raises:
            ResolutionError: no server was found or DNS failed; the message
                is a sentence for the user.
            ValueError: *transports* is empty.
        """
        if not transports:
            raise ValueError("at least one transport is needed")
        preferred = transports[0]
        if is_ip_literal(host):
            address = Address(host.strip("[]"), port or preferred.default_port)
            return [Target(address, preferred)]
        name = host.rstrip(".").lower()
        if name == "localhost" or name.endswith(".localhost"):
            # RFC 6761 6.3: localhost names are the loopback, never asked of DNS.
            return [
                Target(Address(ip, port or preferred.default_port), preferred, name)
                for ip in ("127.0.0.1", "::1")[: 2 if self._ipv6 else 1]
            ]
        try:
            return await self._resolve(name, transports, port)
        except _ServerFailure as exc:
            message = say("Cannot look up {name}: {problem}", name=name, problem=exc.phrase)
            raise ResolutionError(message, host=name, temporary=True) from None

    async def _resolve(
        self, name: str, transports: Sequence[TransportKind], port: int | None
    ) -> list[Target]:
        preferred = transports[0]
        failures: list[Phrase] = []
        if port is not None:
            direct = await self._host_targets(name, port, preferred, failures)
            if not direct:
                raise self._error(name, say("the name has no address"), failures)
            return direct

        # RFC 3263 4.1: NAPTR picks the transports, in the domain's order.
        naptr = await self._naptr(name, transports, failures)
        if naptr:
            services = [(NAPTR_SERVICES[r.service.upper()], r.replacement) for r in naptr]
        else:
            services = [(kind, f"{SRV_PREFIXES[kind]}.{name}") for kind in transports]

        # RFC 3263 4.2: SRV for each, then the addresses of every SRV target.
        targets: list[Target] = []
        srv_found = False
        hosts_without_address: list[str] = []
        for kind, srv_name in services:
            records = await self._lookup(srv_name, dns.rdatatype.SRV, failures)
            srv_found = srv_found or bool(records)
            for record in order_srv(records, self._rng):  # type: ignore[arg-type]
                if record.target in ("", "."):
                    continue  # RFC 2782: "." means the service is not offered here
                addresses = await self._addresses(record.target, failures)
                if not addresses:
                    hosts_without_address.append(record.target)
                # RFC 5922 4: a TLS certificate must match the SIP domain,
                # not the SRV target, so server_name stays the domain.
                targets.extend(Target(Address(ip, record.port), kind, name) for ip in addresses)
        if srv_found:
            if targets:
                return _unique(targets)
            if not hosts_without_address:
                raise self._error(name, say("the domain says it offers no SIP service"), failures)
            names = ", ".join(dict.fromkeys(hosts_without_address))
            raise self._error(
                name, say("its SIP servers ({names}) have no address", names=names), failures
            )

        # RFC 3263 4.2: no SRV at all: the domain's own addresses, on the
        # default port of the transport chosen so far.
        kind = services[0][0]
        fallback = await self._host_targets(name, kind.default_port, kind, failures)
        if not fallback:
            raise self._error(name, say("the domain has no SIP records"), failures)
        return fallback

    # -- lookups ----------------------------------------------------------------

    async def _naptr(
        self, name: str, transports: Sequence[TransportKind], failures: list[Phrase]
    ) -> list[NaptrRecord]:
        records = await self._lookup(name, dns.rdatatype.NAPTR, failures)
        usable = [
            r
            for r in records
            if isinstance(r, NaptrRecord)
            # RFC 3263 4.1: SIP resolution only follows "s" records to SRV.
            and r.flags.lower() == "s"
            and NAPTR_SERVICES.get(r.service.upper()) in transports
            and r.replacement not in ("", ".")
        ]
        # RFC 3403 4.1: lowest order first, then lowest preference.
        return sorted(usable, key=lambda r: (r.order, r.preference))

    async def _host_targets(
        self, name: str, port: int, kind: TransportKind, failures: list[Phrase]
    ) -> list[Target]:
        addresses = await self._addresses(name, failures)
        if not addresses and self._system:
            addresses = await _getaddrinfo(name, port, ipv6=self._ipv6)
        return [Target(Address(ip, port), kind, name) for ip in addresses]

    async def _addresses(self, name: str, failures: list[Phrase]) -> list[str]:
        """IPv4 addresses first, then IPv6 ones; A and AAAA asked together."""
        kinds = [dns.rdatatype.A] + ([dns.rdatatype.AAAA] if self._ipv6 else [])
        results = await asyncio.gather(*(self._lookup(name, k, failures) for k in kinds))
        return [str(ip) for records in results for ip in records]

    async def _lookup(
        self, name: str, rdtype: dns.rdatatype.RdataType, failures: list[Phrase]
    ) -> tuple[object, ...]:
        """Records of *rdtype* at *name*, from the cache while their TTL lasts.

        A refusal or SERVFAIL is noted in *failures* and counts as no
        records, so the next step of RFC 3263 is still tried (some resolvers
        fail NAPTR queries only).

        Raises:
            _ServerFailure: the server did not answer in time (fatal).
        """
        key = (name, rdtype)
        now = self._clock()
        cached = self._cache.get(key)
        if cached is not None and cached.expires > now:
            return cached.records
        try:
            entry = await self._query(name, rdtype, now)
        except _ServerFailure as exc:
            if exc.fatal:
                raise
            failures.append(exc.phrase)
            return ()
        self._cache[key] = entry
        return entry.records

    async def _query(self, name: str, rdtype: dns.rdatatype.RdataType, now: float) -> _Cached:
        if self._dns is None:
            raise _ServerFailure(self._config_error or say("no DNS server"))
        qname = dns.name.from_text(name)
        log.debug("DNS query %s %s", dns.rdatatype.to_text(rdtype), name)
        try:
            answer = await self._dns.resolve(qname, rdtype, search=False, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN as exc:
            ttl = _negative_ttl(exc.responses().get(qname))  # type: ignore[no-untyped-call]
            return _Cached(now + min(ttl, self._negative_ttl), (), nxdomain=True)
        except dns.resolver.LifetimeTimeout:
            raise _ServerFailure(
                say("the DNS server at {server} did not answer", server=self.nameserver)
                if self.nameserver
                else say("the DNS server did not answer"),
                fatal=True,
            ) from None
        except dns.resolver.NoNameservers:
            raise _ServerFailure(
                say(
                    "the DNS server at {server} refused or failed the lookup",
                    server=self.nameserver,
                )
                if self.nameserver
                else say("the DNS server refused or failed the lookup")
            ) from None
        except dns.exception.DNSException as exc:
            raise _ServerFailure(say("the DNS lookup failed ({error})", error=str(exc))) from None
        ttl = float(answer.chaining_result.minimum_ttl)
        if answer.rrset is None:
            return _Cached(now + min(ttl, self._negative_ttl), ())
        return _Cached(now + ttl, tuple(_convert(rdata) for rdata in answer.rrset))

    def _error(self, name: str, why: Phrase, failures: list[Phrase]) -> ResolutionError:
        if failures:
            # The server's failure explains the emptiness better than "nothing".
            return ResolutionError(
                say("Cannot look up {name}: {problem}", name=name, problem=failures[0]),
                host=name,
                temporary=True,
            )
        return ResolutionError(
            say("No SIP server found for {name}: {why}", name=name, why=why), host=name
        )


def _convert(rdata: object) -> object:
    """Keep only what RFC 3263 reads, as plain values."""
    rdtype = getattr(rdata, "rdtype", None)
    if rdtype == dns.rdatatype.SRV:
        return SrvRecord(
            rdata.priority,  # type: ignore[attr-defined]
            rdata.weight,  # type: ignore[attr-defined]
            rdata.port,  # type: ignore[attr-defined]
            rdata.target.to_text(omit_final_dot=True).lower(),  # type: ignore[attr-defined]
        )
    if rdtype == dns.rdatatype.NAPTR:
        return NaptrRecord(
            rdata.order,  # type: ignore[attr-defined]
            rdata.preference,  # type: ignore[attr-defined]
            rdata.flags.decode("ascii", "replace"),  # type: ignore[attr-defined]
            rdata.service.decode("ascii", "replace"),  # type: ignore[attr-defined]
            rdata.replacement.to_text(omit_final_dot=True).lower(),  # type: ignore[attr-defined]
        )
    return str(rdata)


def _negative_ttl(response: dns.message.Message | None) -> float:
    """The negative-caching TTL of RFC 2308 5 (SOA minimum), when known."""
    if isinstance(response, dns.message.QueryMessage):
        try:
            return float(response.resolve_chaining().minimum_ttl)
        except dns.exception.DNSException:
            pass
    return DEFAULT_NEGATIVE_TTL


async def _getaddrinfo(name: str, port: int, *, ipv6: bool) -> list[str]:
    """The system's own answer (hosts file, mDNS ...), without blocking the loop."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(name, port, type=socket.SOCK_DGRAM)
    except (socket.gaierror, UnicodeError):
        return []
    families = (socket.AF_INET, socket.AF_INET6) if ipv6 else (socket.AF_INET,)
    ips = [str(info[4][0]) for family in families for info in infos if info[0] == family]
    return list(dict.fromkeys(ips))


def _unique(targets: list[Target]) -> list[Target]:
    seen: set[tuple[Address, TransportKind]] = set()
    result = []
    for target in targets:
        if (target.address, target.kind) not in seen:
            seen.add((target.address, target.kind))
            result.append(target)
    return result
