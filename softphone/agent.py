"""The user agent: transports, the transaction table, and request routing.

This is the thin asyncio adapter around the sans-I/O core in `softphone.sip`:
bytes come in from a transport, are parsed and fed to a transaction, and
whatever the transaction wants sent goes out. One timer is armed at the
earliest live transaction deadline (a finished client transaction's end,
timer K, may wait for a wake-up the loop makes anyway: `softphone.wakeups`).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import operator
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from softphone import __version__, wakeups
from softphone.direction import Direction
from softphone.listeners import Listeners
from softphone.ratelimit import FloodGuard, FloodLimits
from softphone.sip import (
    REASON_PHRASES,
    LocalProtocolError,
    ParseError,
    Request,
    Response,
    SipUri,
    new_branch,
    new_tag,
    parse,
)
from softphone.sip.events import ResponseReceived, TransactionTimedOut, TransportFailed
from softphone.sip.timers import TimerConfig
from softphone.sip.transaction import (
    AnsweredClientTransactions,
    ClientTransaction,
    CompletedTransactions,
    InviteServerTransaction,
    ServerTransaction,
    State,
    Tally,
    raw_transaction_key,
    transaction_key,
)
from softphone.sip.uas import (
    Answer,
    Uas,
    answer_from_lines,
    answer_unparseable,
    response_destination,
    stamp_via,
)
from softphone.trace import TraceEntry, TraceObserver, Traffic, redact
from softphone.transport.base import Address, Target, Transport, TransportKind
from softphone.transport.memory import MemoryNetwork
from softphone.transport.stream import StreamTransport
from softphone.transport.udp import UdpTransport

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: Methods the flood limits apply to: each new one may cost a disk write.
_RATE_LIMITED = frozenset({"MESSAGE"})

#: The largest UDP datagram the agent processes (64 KB of 1000 bytes);
#: anything larger is answered 413 from its first bytes, never parsed.
MAX_UDP_MESSAGE = 64_000

#: An end timer (K, J, D: the transaction only waits to be forgotten, RFC
#: 3261 17.1.1.2, 17.1.2.2, 17.2.2) this many seconds away or more is
#: rounded up to a whole second of the clock, so that the transactions that
#: end in the same second are freed in one wake-up, not one each.
_COALESCE_FROM = 2.0

#: How much of an oversized datagram is read to find the headers to answer.
_HEAD_PEEK = 8192

#: What finished server transactions may hold at once (their response bytes),
#: and how many there may be: a flood of requests must not grow memory.
COMPLETED_BYTES = 4 * 1024 * 1024
COMPLETED_COUNT = 20_000


class TransactionFailed(Exception):
    """A client transaction ended without a final response.

    `timed_out` is True for timer F (no answer at all), False for a
    transport error. Neither is a response from the peer: a local timeout is
    not a remote 408.
    """

    def __init__(self, reason: str, *, timed_out: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


ProvisionalCallback = Callable[[Response], None]


@dataclass(eq=False, slots=True)
class IncomingRequest:
    """A new request handed to a service, with the means to answer it."""

    request: Request
    source: Address
    transport: Transport
    _agent: UserAgent = field(repr=False)
    _entry: _ServerEntry = field(repr=False)

    @property
    def responded(self) -> bool:
        """True once a final response was given."""
        return self._entry.final_sent

    def respond(
        self,
        status: int,
        reason: str | None = None,
        *,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> Response:
        """Send a response in this request's server transaction.

        Raises:
            softphone.sip.LocalProtocolError: a final response was already sent.
        """
        return self._agent._respond(self._entry, status, reason, headers=headers, body=body)

    def answer(self, status: int) -> None:
        """Send a final response with no extra header and no body, returning nothing.

        The answer services give most (a stored MESSAGE's 200): built from
        the request's own header lines, with no typed response made.

        Raises:
            softphone.sip.LocalProtocolError: a final response was already sent.
        """
        self._agent._answer(self._entry, status)


RequestHandler = Callable[[IncomingRequest], None]


@dataclass(eq=False)
class _ClientEntry:
    tx: ClientTransaction
    key: tuple[str, str]
    target: Target
    transport: Transport
    on_response: Callable[[Response], None]
    on_failure: Callable[[TransactionFailed], None]
    done: bool = False
    #: Its responses must reach whoever waits for them before the next
    #: message is taken (see `UserAgent.request`).
    in_order: bool = True
    #: When the request went out (the agent's clock), and whether its
    #: silence has had its destination probed (`UserAgent._probe_silent`).
    sent_at: float = 0.0
    probed: bool = False


@dataclass(eq=False, slots=True)
class _ServerEntry:
    #: None while a non-INVITE transaction is in Trying and has sent
    #: nothing: Trying only absorbs retransmissions and runs no timer (RFC
    #: 3261 17.2.2), so the machine is made with the first response
    #: (`UserAgent._new_server_tx`), and not at all for an answer completed at
    #: once (`UserAgent._complete_at_once`).
    tx: ServerTransaction | InviteServerTransaction | None
    key: tuple[object, ...]
    request: Request
    source: Address
    transport: Transport
    destination: Address
    to_tag: str
    final_sent: bool = False


class UserAgent:
    """Owns transports and transactions; routes new requests to handlers.

    Services register handlers with `handle()` and send requests with
    `request()` (awaitable) or `send_request()` (callbacks).
    """

    def __init__(
        self,
        *,
        timers: TimerConfig | None = None,
        user_agent: str = f"softphone/{__version__}",
        supported: Iterable[str] = (),
        clock: Callable[[], float] | None = None,
        limits: FloodLimits | None = None,
        max_datagram: int = MAX_UDP_MESSAGE,
        completed_bytes: int = COMPLETED_BYTES,
        completed_count: int = COMPLETED_COUNT,
    ) -> None:
        """Create an agent; nothing is bound until `listen()`.

        With *limits*, new MESSAGE requests beyond them (per source address
        and overall) are answered 503 with Retry-After, and bodies over the
        cap 413, before their handler runs. A UDP datagram over *max_datagram* bytes is answered
        413 without being parsed. Finished server transactions waiting for
        retransmissions hold at most *completed_bytes* and *completed_count*
        (the oldest are forgotten first).
        """
        self.timers = timers or TimerConfig()
        self.max_datagram = max_datagram
        #: The flood limits (per source address and overall), when given.
        self.flood_guard = FloodGuard(limits) if limits is not None else None
        #: An in-memory network to bind on instead of sockets (tests, and
        #: flows run without ports); set before `listen()`.
        self.network: MemoryNetwork | None = None
        #: Who may send requests to services: None takes every source;
        #: otherwise a source it refuses gets 403 before any service runs.
        self.admit_source: Callable[[Address], bool] | None = None
        self.user_agent = user_agent
        #: The RFC 3261 8.2 checks for the methods services take (sans-I/O).
        self.uas = Uas(supported=supported)
        self._clock = clock
        self._transports: dict[TransportKind, Transport] = {}
        self._handlers: dict[str, RequestHandler] = {}
        self._client: dict[tuple[str, str], _ClientEntry] = {}
        self._server: dict[tuple[object, ...], _ServerEntry] = {}
        #: Finished UDP server transactions: key -> (response bytes, where
        #: it goes), replayed to retransmissions until timer J.
        self.completed: CompletedTransactions[tuple[object, ...], Address] = CompletedTransactions(
            max_bytes=completed_bytes, max_count=completed_count, part=_first
        )
        # How many live server transactions have each branch (key[0]): with
        # `completed.may_hold`, a new request is known not to be a
        # retransmission from one regex search, without reading its key.
        self._server_branches = Tally()
        self._heap: list[tuple[float, int, _ClientEntry | _ServerEntry]] = []
        #: Client transactions in Completed over UDP, as keys: they wait only
        #: for timer K to be forgotten, and their wake-up may come later and
        #: share another one.
        self._answered: AnsweredClientTransactions[tuple[str, str]] = AnsweredClientTransactions()
        self._counter = itertools.count()
        self._timer: wakeups.Wakeup | None = None
        self._timer_at: float | None = None
        # Trace observers by the kind of message they want: (direction, is
        # a response) -> who is shown it. An empty one builds no entry.
        self._observers: dict[tuple[Direction, bool], Listeners[[TraceEntry]]] = {
            (direction, response): Listeners("trace", log)
            for direction in Direction
            for response in (False, True)
        }
        # Whether each kind has an observer, indexed by "is a response":
        # every message in and out asks, and most kinds have none (`softphone
        # listen` traces only what it sends and the responses it gets).
        self._traced_in: tuple[bool, bool] = (False, False)
        self._traced_out: tuple[bool, bool] = (False, False)
        self._local_ip_cache: dict[tuple[str, bool], str] = {}
        self._closed = False
        #: Whether the message being received went to a client transaction
        #: whose waiter must run before the next message (`receive`).
        self._woke = False

    # -- set-up ---------------------------------------------------------------

    async def listen(
        self,
        kind: TransportKind,
        host: str = "127.0.0.1",
        port: int = 0,
        **options: object,
    ) -> Transport:
        """Bind a transport of *kind*; port 0 picks a free one.

        Options go to the stream transport (`server_ssl`, `client_ssl`).

        Raises:
            OSError: the address cannot be bound.
        """
        transport: Transport
        if self.network is not None:
            transport = self.network.bind(kind, host, port, self.receive)
        elif kind is TransportKind.UDP:
            transport = await UdpTransport.bind(host, port, self.receive, self._on_transport_error)
        else:
            transport = await StreamTransport.bind(
                kind,
                host,
                port,
                self.receive,
                self._on_transport_error,
                **options,  # type: ignore[arg-type]
            )
        self._transports[kind] = transport
        return transport

    def transport(self, kind: TransportKind) -> Transport | None:
        """The bound transport of *kind*, if any."""
        return self._transports.get(kind)

    @property
    def transports(self) -> dict[TransportKind, Transport]:
        """Every bound transport by kind."""
        return dict(self._transports)

    def handle(
        self,
        method: str,
        handler: RequestHandler,
        *,
        accept: Iterable[str] | None = None,
        in_dialog: bool | None = None,
    ) -> None:
        """Route new requests of *method* to *handler*.

        With *accept*, a request whose body has another Content-Type is
        answered 415 with an Accept header (RFC 3261 8.2.3) before the
        handler sees it.

        *in_dialog* says whether the handler takes requests inside dialogs
        (a To tag) and answers 481 itself for a dialog it does not know, as
        a NOTIFY handler does for its subscriptions. When False, the agent
        answers any request with a To tag 481 (RFC 3261 12.2.2) before the
        handler sees it. The default is False for MESSAGE, True otherwise.
        """
        method = method.upper()
        self.uas.add_route(method, accept=accept, in_dialog=in_dialog)
        self._handlers[method] = handler

    def add_observer(self, observer: TraceObserver, wants: Traffic = Traffic.ALL) -> None:
        """Call *observer* with a redacted `TraceEntry` for every message it *wants*.

        From the next message on; entries are built only for messages some
        observer wants.
        """
        for (direction, response), listeners in self._observers.items():
            if Traffic.of(direction, response) in wants:
                listeners.add(observer)
        self._observed()

    def remove_observer(self, observer: TraceObserver) -> None:
        """Stop calling *observer*."""
        for listeners in self._observers.values():
            listeners.remove(observer)
        self._observed()

    def _observed(self) -> None:
        seen = self._observers
        self._traced_in = (bool(seen[Direction.IN, False]), bool(seen[Direction.IN, True]))
        self._traced_out = (bool(seen[Direction.OUT, False]), bool(seen[Direction.OUT, True]))

    @property
    def supported(self) -> frozenset[str]:
        """Option tags we support (RFC 3261 20.37); a Require outside it gets 420."""
        return self.uas.supported

    @property
    def allowed_methods(self) -> list[str]:
        """The methods this agent answers (the Allow header, RFC 3261 20.5)."""
        return self.uas.allowed_methods

    def local_address(self, kind: TransportKind, toward: Address | None = None) -> Address:
        """The address peers reach us at on *kind*, as put in Via and Contact.

        A socket bound to a wildcard address has no single address; then the
        one the kernel would use toward *toward* is taken.

        Raises:
            LookupError: no transport of *kind* is bound.
        """
        transport = self._transports.get(kind)
        if transport is None:
            raise LookupError(f"no {kind.value} transport is listening")
        local = transport.local
        if local.host in ("0.0.0.0", "::"):
            return Address(self._local_ip(toward, ipv6=local.host == "::"), local.port)
        return local

    def contact_uri(
        self, user: str | None, kind: TransportKind, toward: Address | None = None
    ) -> SipUri:
        """A Contact URI for *user* at this agent's address on *kind*."""
        local = self.local_address(kind, toward)
        params: tuple[tuple[str, str | None], ...] = ()
        if kind is not TransportKind.UDP:
            params = (("transport", kind.value),)
        return SipUri(
            scheme="sips" if kind is TransportKind.TLS else "sip",
            user=user,
            password=None,
            host=f"[{local.host}]" if local.is_ipv6 else local.host,
            port=local.port,
            params=params,
            headers=(),
        )

    # -- sending --------------------------------------------------------------

    def send_request(
        self,
        request: Request,
        target: Target,
        *,
        on_response: Callable[[Response], None],
        on_failure: Callable[[TransactionFailed], None],
        in_order: bool = True,
    ) -> None:
        """Start a client transaction for *request* toward *target*.

        A top Via (with rport, RFC 3581, and a fresh branch) is added here;
        the request must not carry one of ours already. *on_response* is
        called for every response (provisional and final), *on_failure* once
        if the transaction ends without a final response. *in_order*: see
        `request`.

        Raises:
            LookupError: no transport of the target's kind is bound.
        """
        transport = self._transports.get(target.kind)
        if transport is None:
            raise LookupError(f"no {target.kind.value} transport is listening")
        local = self.local_address(target.kind, target.address)
        branch = new_branch()
        request.headers.insert_first(
            "Via", f"SIP/2.0/{target.kind.via_name} {local.sent_by};rport;branch={branch}"
        )
        if "Max-Forwards" not in request.headers:
            request.headers.add("Max-Forwards", "70")
        if "User-Agent" not in request.headers:
            request.headers.add("User-Agent", self.user_agent)
        now = self._now()
        tx = ClientTransaction(request, reliable=target.kind.reliable, now=now, timers=self.timers)
        entry = _ClientEntry(
            tx=tx,
            key=(branch, request.method),
            target=target,
            transport=transport,
            on_response=on_response,
            on_failure=on_failure,
            in_order=in_order,
            sent_at=now,
        )
        self._client[entry.key] = entry
        self._pump_client(entry)
        if isinstance(transport, UdpTransport):
            # Nothing listening there fails the transaction at once ("connection
            # refused"), not after timer F, so failover moves on (RFC 3263 4.3).
            # Skipped for a destination heard from lately (one socket less per
            # request under load); `_probe_silent` asks again if none answers.
            transport.probe(target.address)

    async def request(
        self,
        request: Request,
        target: Target,
        *,
        on_provisional: ProvisionalCallback | None = None,
        in_order: bool = True,
    ) -> Response:
        """Send *request* and return its final response.

        A response wakes the caller, which runs before the transport hands
        the agent the next message it has read (as if each message had a
        turn of the loop of its own). With *in_order* False the caller may
        run after the messages read with its response: for a request whose
        answer and the peer's next requests may be taken in either order
        (a SUBSCRIBE's 2xx and its NOTIFY, RFC 6665 4.1.2.4), so that a
        burst of them is read in one run.

        Raises:
            TransactionFailed: no final response (timer F or transport error).
            LookupError: no transport of the target's kind is bound.
        """
        future: asyncio.Future[Response] = asyncio.get_running_loop().create_future()

        def on_response(response: Response) -> None:
            if response.status < 200:
                if on_provisional is not None:
                    on_provisional(response)
            elif not future.done():
                future.set_result(response)

        def on_failure(failure: TransactionFailed) -> None:
            if not future.done():
                future.set_exception(failure)

        self.send_request(
            request, target, on_response=on_response, on_failure=on_failure, in_order=in_order
        )
        return await future

    # -- receiving ------------------------------------------------------------

    def receive(self, data: bytes, source: Address, transport: Transport) -> bool:
        """Process one message's bytes as if *transport* had received them.

        The entry point every transport calls: parse, match or create a
        transaction, route, answer. Whatever the bytes are, nothing is
        raised: a malformed message is answered (400, 413, ...) or dropped,
        and a failing handler is answered 500.

        Returns True when the message was a response whose waiter must run
        before the next message is taken (`request`): a transport reading a
        burst then ends its run there.
        """
        self._woke = False
        try:
            self._on_receive(data, source, transport)
        except Exception:
            # One datagram must never stop the stack (DESIGN: what must never
            # happen); the transports guard this too, but callers may not.
            log.exception("error while handling a message from %s", source)
        return self._woke

    def _on_receive(self, data: bytes, source: Address, transport: Transport) -> None:
        if self._traced_in[data.startswith(b"SIP/")]:
            self._trace(Direction.IN, transport, source, data)
        if data[:1] in (b"\r", b"\n") and not data.strip(b"\r\n"):
            return  # a CRLF keep-alive (RFC 5626 4.4.1); nothing to answer on UDP
        now = self._now()
        if (
            (self._server or self.completed)
            and not transport.kind.reliable
            and self._branch_known(data)
            and self._absorb_retransmission(data, transport, now)
        ):
            return  # a retransmission, matched by its key alone, nothing parsed
        if not transport.kind.reliable and len(data) > self.max_datagram:
            # Refused before parsing: RFC 3261 18.1.1 wants messages this big
            # on a congestion-controlled transport, and RFC 3428 5 caps a
            # MESSAGE body at 1300 bytes over UDP. 21.4.13 gives the code.
            self._answer_unparseable(
                ParseError("Message too large", 413), data[:_HEAD_PEEK], source, transport
            )
            return
        try:
            message = parse(data)
        except ParseError as exc:
            self._answer_unparseable(exc, data, source, transport)
            return
        if isinstance(message, Response):
            self._on_response(message, now)
        else:
            self._on_request(message, source, transport, now)

    def _on_response(self, response: Response, now: float) -> None:
        # RFC 3261 17.1.3: match on the top Via branch and the CSeq method.
        vias = response.via
        if not vias or vias[0].branch is None:
            log.debug("dropping a response with no branch")
            return
        key = (vias[0].branch, response.cseq.method)
        entry = self._client.get(key)
        if entry is None:
            if self._answered.absorbs(key, now):
                return  # a retransmitted final response (RFC 3261 17.1.2.2)
            # RFC 3261 18.1.2: a response matching no transaction is
            # discarded (a UA is not a proxy). RFC 4475 bcast.dat lands here.
            log.debug("dropping a response that matches no transaction")
            return
        entry.tx.receive(response, now)
        self._pump_client(entry)

    def _on_request(
        self, request: Request, source: Address, transport: Transport, now: float
    ) -> None:
        key = transaction_key(request)
        existing = self._server.get(key)
        if existing is not None:
            # A retransmission (or the ACK of an INVITE we rejected): the
            # transaction absorbs it and may replay its last response.
            if existing.tx is not None:  # (in Trying, nothing to replay)
                existing.tx.receive(request, now)
                self._pump_server(existing)
            return
        if self._replay_completed(key, transport, now):
            return  # a retransmission the cheap key read could not match
        if request.method == "ACK":
            return  # an ACK for nothing we know: RFC 3261 17.2.3, drop it
        try:
            answer = self.uas.check(request)
        except ParseError as exc:
            # parse() reads only the headers every request needs; one the
            # checks read (Require, Content-Type, To) may still be malformed.
            # That is the peer's error: answer it as parse() would have.
            answer = Answer(exc.status, exc.reason)
        if answer is None and self.admit_source is not None and not self.admit_source(source):
            # Registered through a server, requests come over its flow; one
            # sent straight to our port could claim any From (RFC 3261 26.1).
            log.info("refusing %s from %s: not our server", request.method, source)
            answer = Answer(403, "Requests are taken only from your SIP server")
        if answer is None and request.method in _RATE_LIMITED and self.flood_guard is not None:
            refusal = self.flood_guard.admit(source.host, len(request.body), now)
            if refusal is not None:
                # RFC 3261 21.5.4 / 20.33: a 503 with Retry-After asks the
                # sender to wait instead of retrying at once; nothing stored.
                log.info("refusing %s from %s: %s", request.method, source, refusal.reason)
                retry = refusal.retry_after
                answer = Answer(
                    refusal.status,
                    refusal.reason,
                    (("Retry-After", str(retry)),) if retry is not None else (),
                )
                # This answer depends on the time: a retransmission must get
                # the same one, not a 200 once a token is back (the sender's
                # transaction ended with the 503), so its bytes are kept.
                self._respond_stateless(request, source, transport, answer, key=key, now=now)
                return
        if answer is not None and answer.stateless:
            # RFC 3261 8.2.7: a refusal needs no transaction; a
            # retransmission of the request is refused again.
            self._respond_stateless(request, source, transport, answer)
            return
        reliable = transport.kind.reliable
        tx = (
            InviteServerTransaction(request, reliable=reliable, now=now, timers=self.timers)
            if request.method == "INVITE"
            else None  # made with its first response (see _ServerEntry.tx)
        )
        sent_from = (source.host, source.port)
        destination = response_destination(request.via[0], sent_from, reliable=reliable)
        entry = _ServerEntry(
            tx=tx,
            key=key,
            request=request,
            source=source,
            transport=transport,
            # Mostly the source itself (rport, or a stream): no new Address.
            destination=source if destination == sent_from else Address(*destination),
            to_tag=request.to.tag or new_tag(),
        )
        self._server[key] = entry
        self._server_branches.add(key[0])
        incoming = IncomingRequest(request, source, transport, self, entry)
        try:
            if answer is not None:
                self._give(incoming, answer)  # an INVITE's refusal: timer G resends it
            else:
                self._dispatch(incoming, entry)
        except ParseError as exc:
            # parse() reads only the headers every request needs; one read
            # later (Require, Content-Type, ...) may still be malformed. That
            # is the peer's error: answer it as parse() would have.
            log.info("refusing %s from %s: %s", request.method, source, exc.reason)
            if not entry.final_sent:
                incoming.respond(exc.status, exc.reason)
        except Exception:
            # A bug in our checks must not leave a transaction in Trying
            # for ever (it would never be answered nor freed).
            log.exception("dispatching %s failed", request.method)
            if not entry.final_sent:
                incoming.respond(500, "Server Internal Error")
        if entry.tx is None:
            return  # not answered yet, or answered from bytes: nothing queued, no timer
        self._pump_server(entry)

    def _dispatch(self, incoming: IncomingRequest, entry: _ServerEntry) -> None:
        """Hand a request that passed RFC 3261 8.2's checks to its service."""
        request = incoming.request
        handler = self._handlers[request.method]
        try:
            handler(incoming)
        except ParseError:
            raise  # a malformed header the handler read: answered by the caller
        except Exception:
            log.exception("handler for %s failed", request.method)
            if not entry.final_sent:
                incoming.respond(500, "Server Internal Error")

    @staticmethod
    def _give(incoming: IncomingRequest, answer: Answer) -> None:
        incoming.respond(answer.status, answer.reason, headers=answer.headers)

    def _respond_stateless(
        self,
        request: Request,
        source: Address,
        transport: Transport,
        answer: Answer,
        *,
        key: tuple[object, ...] | None = None,
        now: float = 0.0,
    ) -> None:
        """Answer without a transaction; with *key*, keep the bytes until timer J."""
        response = Response.for_request(
            request, answer.status, answer.reason, to_tag=request.to.tag or new_tag()
        )
        for name, value in answer.headers:
            response.headers.add(name, value)
        stamp_via(response, (source.host, source.port))
        destination = Address(
            *response_destination(
                request.via[0], (source.host, source.port), reliable=transport.kind.reliable
            )
        )
        data = bytes(response)
        if key is not None and not transport.kind.reliable:
            expires = _end_deadline(now + self.timers.timer_j(reliable=False), now)
            self.completed.add(key, data, destination, expires=expires)
            self._arm()
        self._send(transport, data, destination, None)

    def _replay_completed(
        self, key: tuple[object, ...] | None, transport: Transport, now: float
    ) -> bool:
        """Answer a retransmission of a finished transaction from its bytes."""
        if key is None or transport.kind.reliable:
            return False
        found = self.completed.get(key, now)
        if found is None:
            return False
        response, destination = found
        self._send(transport, response, destination, None)
        return True

    def _branch_known(self, data: bytes) -> bool:
        """False when the first branch parameter in *data* is no transaction's we hold.

        Most requests are new: this spares them `raw_transaction_key`. A
        branch found here that is not the top Via's costs only that read;
        a retransmission it misses is matched after parsing.
        """
        found = _BRANCH.search(data, 0, _KEY_SCAN)
        if found is None:
            return False
        branch = found.group(1).decode("utf-8", "surrogateescape")
        return branch in self._server_branches or self.completed.may_hold(branch)

    def _absorb_retransmission(self, data: bytes, transport: Transport, now: float) -> bool:
        """Handle a retransmitted request by its transaction key, read from the raw bytes.

        RFC 3261 17.2.3 matches a request to its server transaction on the
        top Via's branch and sent-by and the CSeq method alone; what else it
        carries does not matter. A finished transaction answers from its
        stored bytes; one still waiting for its answer (a MESSAGE whose row
        is being committed) absorbs it. Either way nothing more is parsed:
        under load, retransmissions must not cost as much as new requests.
        """
        key = raw_transaction_key(data)
        if key is None:
            return False
        if self._replay_completed(key, transport, now):
            return True
        existing = self._server.get(key)
        if existing is None or key[-1] == "INVITE":
            return False  # the key of an ACK is its INVITE's: parsed, to tell them apart
        if existing.tx is None:
            return True  # absorbed in Trying (RFC 3261 17.2.2)
        # The same transaction's request: what it does with it (absorb in
        # Trying, replay a provisional in Proceeding) never reads it.
        existing.tx.receive(existing.request, now)
        self._pump_server(existing)
        return True

    def _answer_unparseable(
        self, exc: ParseError, data: bytes, source: Address, transport: Transport
    ) -> None:
        """Answer a request we could not accept, if it can be answered at all."""
        found = answer_unparseable(
            exc, data, (source.host, source.port), reliable=transport.kind.reliable
        )
        if found is None:
            log.info("dropping unanswerable message from %s: %s", source, exc.reason)
            return
        response, (host, port) = found
        self._send(transport, response, Address(host, port), None)

    def _on_transport_error(self, peer: Address, transport: Transport, reason: str) -> None:
        now = self._now()
        for entry in list(self._client.values()):
            if (
                entry.transport is transport
                and entry.target.address == peer
                and entry.tx.state is not State.TERMINATED
            ):
                entry.tx.transport_failed(reason, now)
                self._pump_client(entry)

    # -- responding -----------------------------------------------------------

    def _respond(
        self,
        entry: _ServerEntry,
        status: int,
        reason: str | None,
        *,
        headers: Iterable[tuple[str, str]],
        body: bytes,
    ) -> Response:
        if entry.final_sent:
            # An answer sent from bytes leaves no state machine to refuse this.
            raise LocalProtocolError("a final response was already sent")
        response = Response.for_request(
            entry.request,
            status,
            reason,
            to_tag=None if status == 100 else entry.to_tag,
        )
        stamp_via(response, (entry.source.host, entry.source.port), top=entry.request.via[0])
        for name, value in headers:
            response.headers.add(name, value)
        if body:
            response.body = body
        if status >= 200:
            entry.final_sent = True
        (entry.tx or self._new_server_tx(entry)).respond(response, self._now())
        self._pump_server(entry)
        return response

    def _new_server_tx(self, entry: _ServerEntry) -> ServerTransaction:
        """Make the transaction of an entry that has none yet (see `_ServerEntry.tx`)."""
        tx = ServerTransaction(
            entry.request,
            reliable=entry.transport.kind.reliable,
            now=self._now(),
            timers=self.timers,
        )
        entry.tx = tx
        return tx

    def _answer(self, entry: _ServerEntry, status: int) -> None:
        if entry.final_sent:
            raise LocalProtocolError("a final response was already sent")
        tx = entry.tx
        reason = REASON_PHRASES.get(status)
        if reason is not None and status >= 200 and not isinstance(tx, InviteServerTransaction):
            request = entry.request
            data = answer_from_lines(
                request.headers,
                status,
                reason,
                # A To that has a tag gets none added (an attribute read:
                # parse() keeps the To view on the request).
                to_tag=None if request.to.tag is not None else entry.to_tag,
                top=request.via[0],
                source=(entry.source.host, entry.source.port),
            )
            if (
                tx is None  # in Trying (see _ServerEntry.tx)
                and not entry.transport.kind.reliable
                and self._server.get(entry.key) is entry
            ):
                self._complete_at_once(entry, data)
                return
            (tx or self._new_server_tx(entry)).respond_bytes(status, data, self._now())
            entry.final_sent = True
            self._pump_server(entry)
            return
        self._respond(entry, status, None, headers=(), body=b"")

    def _complete_at_once(self, entry: _ServerEntry, data: bytes) -> None:
        """Send the final answer of a non-INVITE UDP transaction still in Trying.

        The transaction would go to Completed, where its one job is to
        replay these bytes to retransmissions until timer J (RFC 3261
        17.2.2): so the bytes go straight to the completed table, with no
        state machine run and no timer of its own (the table's wake-up is
        shared by all its entries).
        """
        entry.final_sent = True
        self._forget_server(entry)
        now = self._now()
        completed = self.completed
        expires = _end_deadline(now + self.timers.timer_j(reliable=False), now)
        was_empty = not completed
        completed.add(entry.key, data, entry.destination, expires=expires)
        if was_empty or self._timer is None:
            # Only a table that was empty moves the earliest deadline; a later
            # entry expires with or after the ones already held.
            self._arm()
        self._send(entry.transport, data, entry.destination, None)

    # -- transaction plumbing -------------------------------------------------

    def _pump_client(self, entry: _ClientEntry) -> None:
        for data in entry.tx.datagrams_to_send():
            self._send(entry.transport, data, entry.target.address, entry.target.server_name)
        for event in entry.tx.events():
            if isinstance(event, ResponseReceived):
                if event.response.status >= 200:
                    entry.done = True
                if entry.in_order:
                    self._woke = True
                _call(entry.on_response, event.response)
            elif isinstance(event, TransactionTimedOut) and not entry.done:
                entry.done = True
                _call(
                    entry.on_failure,
                    TransactionFailed(f"no answer after {self.timers.timeout:g} s", timed_out=True),
                )
            elif isinstance(event, TransportFailed) and not entry.done:
                entry.done = True
                _call(entry.on_failure, TransactionFailed(event.reason, timed_out=False))
        if entry.done and entry.on_response is not _told:
            # The service has its outcome; until timer K the entry only
            # absorbs retransmitted answers. Letting go of its callbacks
            # frees what they hold (a future and the final response): with
            # 1,000 SUBSCRIBEs answered at once, that is 1,000 parsed
            # responses the collector would otherwise keep scanning.
            entry.on_response = entry.on_failure = _told
        tx = entry.tx
        if tx.state is State.TERMINATED:
            if self._client.get(entry.key) is entry:
                del self._client[entry.key]
            self._arm()  # its timers (F over TCP, K) must not wake the loop
        elif tx.state is State.COMPLETED and tx.deadline is not None:
            # Completed waits only for timer K to end it, absorbing retransmitted
            # answers (RFC 3261 17.1.2.2): the key does that, so the request,
            # its bytes and the machine go now.
            if self._client.get(entry.key) is entry:
                del self._client[entry.key]
            answered = self._answered
            was_empty = not answered
            answered.add(entry.key, expires=_end_deadline(tx.deadline, self._now()))
            if was_empty or self._timer is None:
                # Only a table that was empty moves the window; a later entry
                # ends with or after the ones already held.
                self._arm()
        else:
            self._schedule(entry, tx.deadline)

    def _pump_server(self, entry: _ServerEntry) -> None:
        tx = entry.tx
        if tx is None:
            return  # in Trying, nothing sent: nothing to send, no timer
        destination = entry.destination
        if isinstance(entry.transport, StreamTransport) and not entry.transport.has_connection(
            destination
        ):
            # RFC 3261 18.2.2: the request's connection is gone, so open one
            # to the source address at the sent-by port (not to the client's
            # ephemeral port, which nobody listens on).
            via = entry.request.via[0]
            destination = Address(entry.source.host, via.port or entry.transport.kind.default_port)
        for data in tx.datagrams_to_send():
            self._send(entry.transport, data, destination, None)
        tx.events()  # nothing in a server transaction needs the service
        if type(tx) is ServerTransaction and tx.state is State.COMPLETED:
            deadline = tx.deadline
            response = tx.last_response
            if deadline is not None and response is not None:
                # Completed only replays its response until timer J: keep the
                # bytes and drop the request and the machine (RFC 3261 17.2.2).
                if self._server.get(entry.key) is entry:
                    self._forget_server(entry)
                    expires = _end_deadline(deadline, self._now())
                    self.completed.add(entry.key, response, destination, expires=expires)
                    self._arm()
                return
        if tx.state is State.TERMINATED:
            if self._server.get(entry.key) is entry:
                self._forget_server(entry)
            self._arm()
        else:
            self._schedule(entry, tx.deadline)

    def _forget_server(self, entry: _ServerEntry) -> None:
        del self._server[entry.key]
        self._server_branches.remove(entry.key[0])

    def _schedule(self, entry: _ClientEntry | _ServerEntry, deadline: float | None) -> None:
        if deadline is None:
            return
        heapq.heappush(self._heap, (deadline, next(self._counter), entry))
        self._arm()

    @property
    def next_wakeup(self) -> float | None:
        """When the agent's one transaction timer fires next (its clock), or None.

        It is the earliest deadline a live transaction still has: a timer a
        transaction no longer needs (timer E after the final answer, RFC 3261
        17.1.2.2) never wakes the loop.
        """
        return self._timer_at if self._timer is not None else None

    def _prune(self) -> None:
        """Drop heap entries at the top whose transaction no longer has that deadline.

        Every change of a transaction's deadline pushes a new entry, so a top
        entry whose transaction is over, or is due later than the entry, is
        stale (timer E or F after the final answer): arming on it would wake
        the loop for nothing.
        """
        heap = self._heap
        while heap:
            when, _, entry = heap[0]
            tx = entry.tx
            if tx is not None and tx.state is not State.TERMINATED:
                deadline = tx.deadline
                if deadline is not None and deadline <= when:
                    break
            heapq.heappop(heap)

    def _window(self) -> tuple[float, float] | None:
        """When the timer may fire: (earliest, latest) on our clock, or None if never.

        Retransmissions and timeouts (E, F, G, H, I) and the end of finished
        server transactions (J, already coalesced) are due at their time. A
        client transaction that only waits for timer K to be forgotten may
        be forgotten up to one transaction timeout (64*T1) later: K is
        the least it waits (RFC 3261 17.1.2.2), and that wake-up can then
        be one the loop makes anyway (`softphone.wakeups`).
        """
        self._prune()
        hard = [self._heap[0][0]] if self._heap else []
        if self.completed.deadline is not None:
            hard.append(self.completed.deadline)
        due = min(hard) if hard else None
        end = self._answered.deadline
        if end is not None and (due is None or end < due):
            latest = end + self.timers.timeout
            return end, latest if due is None else min(latest, due)
        return None if due is None else (due, due)

    def _arm(self) -> None:
        # One timer for every transaction, armed in the window of the
        # earliest live deadline: moved earlier for a new one, later when the
        # earliest ended (a final answer cancels timers E and F), cancelled
        # when none is left.
        if self._closed:
            return
        window = self._window()
        if window is None:
            self._cancel_timer()
            return
        earliest, latest = window
        at = self._timer_at
        if self._timer is not None and at is not None and earliest <= at <= latest:
            return
        self._cancel_timer()
        table = wakeups.for_loop()
        offset = 0.0 if self._clock is None else table.loop_time() - self._clock()
        when = (
            earliest + offset
            if earliest == latest
            else table.choose(earliest + offset, latest + offset)
        )
        self._timer_at = when - offset
        self._timer = table.call_at(when, self._on_timer, offer=False)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._timer_at = None

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        now = self._now()
        self.completed.expire(now)
        self._answered.expire(now)
        heap = self._heap
        while heap and heap[0][0] <= now:
            _, _, entry = heapq.heappop(heap)
            tx = entry.tx
            if (
                tx is None
                or tx.state is State.TERMINATED
                or tx.deadline is None
                or tx.deadline > now
            ):
                continue  # stale: the transaction moved on since this was pushed
            try:
                tx.handle_timer(now)
                if isinstance(entry, _ClientEntry):
                    self._pump_client(entry)
                    self._probe_silent(entry)
                else:
                    self._pump_server(entry)
            except Exception:
                # One broken transaction must not stop every other timer.
                log.exception("timer of a transaction failed")
        self._arm()

    def _probe_silent(self, entry: _ClientEntry) -> None:
        """At a UDP request's first retransmission with no response yet, probe its destination.

        The probe at send time skips a destination heard from within
        `HEARD_FRESH`, so a server that died seconds after its last answer
        would only be found out by timer F (32 s). A request unanswered for
        T1 is newer news: the destination is probed unless something came
        from it since the request went out, and a "port unreachable" fails
        its transactions at once and tells the transport's loss observers
        (the keep-alive, hence the registration). Once per request: a host
        that is down without a word still ends by timer F.
        """
        if entry.probed or entry.tx.state is not State.TRYING:
            return
        transport = entry.transport
        if isinstance(transport, UdpTransport):
            entry.probed = True
            # The transport hears on the loop's clock.
            transport.probe(entry.target.address, silent_since=entry.sent_at + self._loop_offset())

    def _send(
        self, transport: Transport, data: bytes, destination: Address, server_name: str | None
    ) -> None:
        if self._traced_out[data.startswith(b"SIP/")]:
            self._trace(Direction.OUT, transport, destination, data)
        transport.send(data, destination, server_name=server_name)

    def _trace(
        self, direction: Direction, transport: Transport, remote: Address, data: bytes
    ) -> None:
        observers = self._observers[direction, data.startswith(b"SIP/")]
        if not observers:
            return  # nobody reads this kind: no entry, no redaction, no clock read
        entry = TraceEntry(
            time=time.time(),
            direction=direction,
            transport=transport.kind,
            local=transport.local,
            remote=remote,
            data=redact(data),
        )
        observers(entry)

    def _now(self) -> float:
        if self._clock is not None:
            return self._clock()
        return asyncio.get_running_loop().time()

    def _loop_offset(self) -> float:
        """The loop's clock minus ours (zero without a clock of our own)."""
        if self._clock is None:
            return 0.0
        return asyncio.get_running_loop().time() - self._clock()

    def _local_ip(self, toward: Address | None, *, ipv6: bool) -> str:
        # The kernel's routing choice for a destination, learnt by connecting
        # a UDP socket (no packet is sent); cached per destination host.
        family = socket.AF_INET6 if ipv6 else socket.AF_INET
        probe = toward.host if toward is not None else ("2001:db8::1" if ipv6 else "192.0.2.1")
        cache_key = (probe, ipv6)
        cached = self._local_ip_cache.get(cache_key)
        if cached is not None:
            return cached
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as probe_socket:
                probe_socket.connect((probe, 9))
                address = str(probe_socket.getsockname()[0])
        except OSError:
            address = "::1" if ipv6 else "127.0.0.1"
        self._local_ip_cache[cache_key] = address
        return address

    # -- shutdown -------------------------------------------------------------

    @property
    def pending_transactions(self) -> int:
        """Client and server transactions still alive."""
        return len(self._client) + len(self._server) + len(self.completed) + len(self._answered)

    def close(self) -> None:
        """Close every transport; pending client transactions fail."""
        self._closed = True
        self._cancel_timer()
        for entry in list(self._client.values()):
            if not entry.done:
                entry.done = True
                _call(entry.on_failure, TransactionFailed("the agent was closed", timed_out=False))
        self._client.clear()
        self._server.clear()
        self.completed = CompletedTransactions(
            max_bytes=self.completed.max_bytes, max_count=self.completed.max_count, part=_first
        )
        self._server_branches.clear()
        self._heap.clear()
        self._answered.clear()
        for transport in self._transports.values():
            transport.close()
        self._transports.clear()


#: The first branch parameter of a message (RFC 3261 20.42), read from its bytes.
_BRANCH = re.compile(rb";[ \t]*branch[ \t]*=[ \t]*([^;, \t\r\n]+)", re.IGNORECASE)
#: How far into a request the branch is looked for (as `raw_transaction_key`).
_KEY_SCAN = 8192


#: The branch of a transaction key (its first part; see `transaction_key`),
#: read without a Python call: asked for every finished transaction.
_first: Callable[[tuple[object, ...]], object] = operator.itemgetter(0)


def _told(_outcome: object) -> None:
    """The callback of a client transaction whose outcome was already told."""


def _call(callback: Callable[[_T], None], argument: _T) -> None:
    """Run a service's callback; its bug must not break the agent's plumbing."""
    try:
        callback(argument)
    except Exception:
        log.exception("callback %r failed", callback)


def _end_deadline(deadline: float, now: float) -> float:
    """*deadline* of an end timer, coalesced (see `_COALESCE_FROM`)."""
    if deadline - now < _COALESCE_FROM:
        return deadline
    return float(math.ceil(deadline))
