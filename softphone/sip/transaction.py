"""SIP transactions as state tables (RFC 3261 section 17).

Three machines live here:

- :class:`ClientTransaction`: the non-INVITE client transaction (17.1.2),
  used for REGISTER, MESSAGE, SUBSCRIBE, OPTIONS ...
- :class:`ServerTransaction`: the non-INVITE server transaction (17.2.2),
  which absorbs retransmitted requests and replays the last response.
- :class:`InviteServerTransaction`: the INVITE server transaction (17.2.1),
  so that an INVITE we reject is rejected reliably: the final response is
  retransmitted (timer G) until the ACK comes or timer H gives up.

Each is sans-I/O: the caller passes ``now`` in, reads ``deadline`` to know
when to call :meth:`handle_timer` again, sends what
:meth:`datagrams_to_send` returns and handles what :meth:`events` returns.
Every transition is in one ``_TRANSITIONS`` table per machine; anything not
in the table is a bug of the caller and raises :class:`LocalProtocolError`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from enum import Enum, auto
from typing import TYPE_CHECKING, Generic, TypeVar

from softphone.sip.errors import LocalProtocolError, ParseError
from softphone.sip.events import (
    Event,
    ResponseReceived,
    TransactionTerminated,
    TransactionTimedOut,
    TransportFailed,
)
from softphone.sip.fields import Via
from softphone.sip.message import Request
from softphone.sip.timers import TimerConfig, TimerName

if TYPE_CHECKING:
    from softphone.sip.message import Response

__all__ = [
    "MAGIC_COOKIE",
    "AnsweredClientTransactions",
    "ClientState",
    "ClientTransaction",
    "CompletedTransactions",
    "Input",
    "InviteServerTransaction",
    "ServerState",
    "ServerTransaction",
    "State",
    "Tally",
    "TransactionStateMachine",
    "raw_transaction_key",
    "transaction_key",
]

#: RFC 3261 8.1.1.7: branches of RFC 3261 stacks start with this cookie.
MAGIC_COOKIE = "z9hG4bK"


class State(Enum):
    """Transaction states of RFC 3261 figures 5, 6 and 7."""

    TRYING = auto()
    PROCEEDING = auto()
    COMPLETED = auto()
    #: INVITE server only: the ACK arrived, later ACKs are absorbed.
    CONFIRMED = auto()
    TERMINATED = auto()


#: Names used by the layer contract; all machines share one state enum.
ClientState = State
ServerState = State


class Input(Enum):
    """What can happen to a transaction."""

    #: A provisional response arrived (client).
    RECV_1XX = auto()
    #: A final response arrived (client).
    RECV_FINAL = auto()
    #: The request arrived again: a retransmission (server).
    RECV_REQUEST = auto()
    #: An ACK for our non-2xx final response arrived (INVITE server).
    RECV_ACK = auto()
    #: The owner sends a provisional response (server).
    SEND_1XX = auto()
    #: The owner sends a 2xx to an INVITE (INVITE server).
    SEND_2XX = auto()
    #: The owner sends a final response; 300-699 for the INVITE server.
    SEND_FINAL = auto()
    TIMER_E = auto()
    TIMER_F = auto()
    TIMER_K = auto()
    TIMER_J = auto()
    TIMER_G = auto()
    TIMER_H = auto()
    TIMER_I = auto()
    #: The transport could not send (17.1.4, 17.2.4).
    TRANSPORT_ERROR = auto()


_S = State
_I = Input

# RFC 3261 17.1.2.2 and figure 6. A response in Completed is absorbed: "any
# retransmissions of the final response that are received while in the
# 'Completed' state MUST be cause to be discarded".
_CLIENT_TRANSITIONS: dict[tuple[State, Input], State] = {
    (_S.TRYING, _I.RECV_1XX): _S.PROCEEDING,
    (_S.TRYING, _I.RECV_FINAL): _S.COMPLETED,
    (_S.TRYING, _I.TIMER_E): _S.TRYING,
    (_S.TRYING, _I.TIMER_F): _S.TERMINATED,
    (_S.TRYING, _I.TRANSPORT_ERROR): _S.TERMINATED,
    (_S.PROCEEDING, _I.RECV_1XX): _S.PROCEEDING,
    (_S.PROCEEDING, _I.RECV_FINAL): _S.COMPLETED,
    (_S.PROCEEDING, _I.TIMER_E): _S.PROCEEDING,
    (_S.PROCEEDING, _I.TIMER_F): _S.TERMINATED,
    (_S.PROCEEDING, _I.TRANSPORT_ERROR): _S.TERMINATED,
    (_S.COMPLETED, _I.RECV_1XX): _S.COMPLETED,
    (_S.COMPLETED, _I.RECV_FINAL): _S.COMPLETED,
    (_S.COMPLETED, _I.TIMER_K): _S.TERMINATED,
    (_S.COMPLETED, _I.TRANSPORT_ERROR): _S.TERMINATED,
}

# RFC 3261 17.2.2 and figure 8.
_SERVER_TRANSITIONS: dict[tuple[State, Input], State] = {
    (_S.TRYING, _I.RECV_REQUEST): _S.TRYING,
    (_S.TRYING, _I.SEND_1XX): _S.PROCEEDING,
    (_S.TRYING, _I.SEND_FINAL): _S.COMPLETED,
    (_S.TRYING, _I.TRANSPORT_ERROR): _S.TERMINATED,
    (_S.PROCEEDING, _I.RECV_REQUEST): _S.PROCEEDING,
    (_S.PROCEEDING, _I.SEND_1XX): _S.PROCEEDING,
    (_S.PROCEEDING, _I.SEND_FINAL): _S.COMPLETED,
    (_S.PROCEEDING, _I.TRANSPORT_ERROR): _S.TERMINATED,
    (_S.COMPLETED, _I.RECV_REQUEST): _S.COMPLETED,
    (_S.COMPLETED, _I.TIMER_J): _S.TERMINATED,
    (_S.COMPLETED, _I.TRANSPORT_ERROR): _S.TERMINATED,
}

# RFC 3261 17.2.1 and figure 7.
_INVITE_SERVER_TRANSITIONS: dict[tuple[State, Input], State] = {
    (_S.PROCEEDING, _I.RECV_REQUEST): _S.PROCEEDING,
    # An ACK before any final response acknowledges nothing; ACKs are never
    # answered (17.1.1.3), so dropping it is the only thing to do.
    (_S.PROCEEDING, _I.RECV_ACK): _S.PROCEEDING,
    (_S.PROCEEDING, _I.SEND_1XX): _S.PROCEEDING,
    # "If ... the TU passes a 2xx response ... the server transaction MUST
    # transition to the 'Terminated' state"; the TU retransmits 2xx itself.
    (_S.PROCEEDING, _I.SEND_2XX): _S.TERMINATED,
    (_S.PROCEEDING, _I.SEND_FINAL): _S.COMPLETED,
    (_S.PROCEEDING, _I.TRANSPORT_ERROR): _S.TERMINATED,
    (_S.COMPLETED, _I.RECV_REQUEST): _S.COMPLETED,
    (_S.COMPLETED, _I.RECV_ACK): _S.CONFIRMED,
    (_S.COMPLETED, _I.TIMER_G): _S.COMPLETED,
    (_S.COMPLETED, _I.TIMER_H): _S.TERMINATED,
    (_S.COMPLETED, _I.TRANSPORT_ERROR): _S.TERMINATED,
    (_S.CONFIRMED, _I.RECV_REQUEST): _S.CONFIRMED,
    (_S.CONFIRMED, _I.RECV_ACK): _S.CONFIRMED,
    (_S.CONFIRMED, _I.TIMER_I): _S.TERMINATED,
    (_S.CONFIRMED, _I.TRANSPORT_ERROR): _S.TERMINATED,
}

# Timers that end the transaction with a failure win over retransmission
# timers due at the same moment (a late wake-up must not retransmit first).
_TIMEOUT_TIMERS = (TimerName.F, TimerName.H)

_TIMER_INPUTS = {
    TimerName.E: Input.TIMER_E,
    TimerName.F: Input.TIMER_F,
    TimerName.K: Input.TIMER_K,
    TimerName.J: Input.TIMER_J,
    TimerName.G: Input.TIMER_G,
    TimerName.H: Input.TIMER_H,
    TimerName.I: Input.TIMER_I,
}


class TransactionStateMachine:
    """A state and the table it moves by; nothing else.

    Args:
        table: the ``(state, input) -> state`` transitions.
        state: the initial state.
    """

    def __init__(self, table: Mapping[tuple[State, Input], State], state: State) -> None:
        self.table = table
        self.state = state

    def process(self, input_: Input) -> State:
        """Move by *input_* and return the new state.

        Raises:
            LocalProtocolError: the pair is not in the table; the machine is
                then in ``TERMINATED``.
        """
        try:
            self.state = self.table[(self.state, input_)]
        except KeyError:
            old = self.state
            self.state = State.TERMINATED
            raise LocalProtocolError(
                f"input {input_.name} is not allowed in state {old.name}"
            ) from None
        return self.state


class _Transaction:
    """What all transactions share: a machine, deadlines, datagrams, events."""

    _TABLE: Mapping[tuple[State, Input], State]
    _INITIAL: State

    def __init__(self, request: Request, *, reliable: bool, timers: TimerConfig) -> None:
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self._machine = TransactionStateMachine(self._TABLE, self._INITIAL)
        self._deadlines: dict[TimerName, float] = {}
        self._datagrams: list[bytes] = []
        self._events: list[Event] = []

    @property
    def state(self) -> State:
        """The current state."""
        return self._machine.state

    @property
    def deadline(self) -> float | None:
        """When :meth:`handle_timer` must next be called, or None if never."""
        return min(self._deadlines.values(), default=None)

    def datagrams_to_send(self) -> list[bytes]:
        """Return and forget the datagrams the caller must send, in order."""
        datagrams, self._datagrams = self._datagrams, []
        return datagrams

    def events(self) -> list[Event]:
        """Return and forget the events that happened, in order."""
        events, self._events = self._events, []
        return events

    def handle_timer(self, now: float) -> None:
        """Fire every timer whose deadline is not after *now*.

        Calling it early does nothing, so a caller sharing one wake-up among
        many transactions may call every transaction's ``handle_timer``.
        """
        while self.state is not State.TERMINATED:
            due = [name for name, when in self._deadlines.items() if when <= now]
            if not due:
                return
            timeouts = [name for name in due if name in _TIMEOUT_TIMERS]
            name = timeouts[0] if timeouts else min(due, key=self._deadlines.__getitem__)
            del self._deadlines[name]
            self._process(_TIMER_INPUTS[name])
            self._on_timer(name, now)

    def transport_failed(self, reason: str, now: float) -> None:
        """Report that the transport could not send for this transaction.

        RFC 3261 17.1.4 / 17.2.4: the transaction is terminated and the
        failure reported. A transaction that already passed its final
        response up stays quiet: its owner has its outcome.

        Raises:
            LocalProtocolError: the transaction is already terminated.
        """
        old = self.state
        self._process(Input.TRANSPORT_ERROR)
        if self._reports_transport_failure(old):
            self._events.append(TransportFailed(reason=reason))
        self._terminate()

    def _process(self, input_: Input) -> State:
        old = self.state
        try:
            return self._machine.process(input_)
        except LocalProtocolError:
            if old is not State.TERMINATED:
                self._terminate()
            raise

    def _on_timer(self, name: TimerName, now: float) -> None:
        raise NotImplementedError  # pragma: no cover

    def _start(self, name: TimerName, duration: float, now: float) -> None:
        self._deadlines[name] = now + duration
        if duration == 0:
            # A zero timer (K or J over a reliable transport) fires at once.
            self.handle_timer(now)

    def _reports_transport_failure(self, old: State) -> bool:
        return True

    def _terminate(self) -> None:
        self._deadlines.clear()
        self._events.append(TransactionTerminated())


class ClientTransaction(_Transaction):
    """A non-INVITE client transaction (RFC 3261 17.1.2).

    The request is queued for sending at construction. Over an unreliable
    transport it is retransmitted by timer E: after T1, then doubling up to
    T2, and every T2 once a provisional response arrived. Timer F (64*T1)
    gives up with :class:`TransactionTimedOut`. The first final response is
    passed up as :class:`ResponseReceived`; retransmissions of it are
    absorbed in Completed for timer K (T4, or zero over reliable transports).

    Args:
        request: the request to send; not INVITE or ACK.
        reliable: whether the transport is reliable (TCP, TLS).
        now: the current time.
        timers: T1, T2, T4.

    Raises:
        LocalProtocolError: *request* is an INVITE or an ACK.
    """

    _TABLE = _CLIENT_TRANSITIONS
    _INITIAL = State.TRYING

    def __init__(
        self,
        request: Request,
        *,
        reliable: bool,
        now: float,
        timers: TimerConfig = TimerConfig(),  # noqa: B008 - frozen, so sharing is safe
    ) -> None:
        if request.method in ("INVITE", "ACK"):
            raise LocalProtocolError(f"{request.method} needs an INVITE client transaction")
        super().__init__(request, reliable=reliable, timers=timers)
        self._request_bytes = bytes(request)
        self._datagrams.append(self._request_bytes)
        self._interval = timers.t1
        if not reliable:
            # 17.1.2.2: "If an unreliable transport is in use, the client
            # transaction MUST set timer E to fire in T1 seconds."
            self._deadlines[TimerName.E] = now + timers.t1
        self._deadlines[TimerName.F] = now + timers.timeout

    def receive(self, response: Response, now: float) -> None:
        """Feed a response matched to this transaction.

        Raises:
            LocalProtocolError: the transaction is already terminated.
        """
        input_ = Input.RECV_1XX if response.status < 200 else Input.RECV_FINAL
        old = self.state
        new = self._process(input_)
        if old is State.COMPLETED:
            return  # a retransmission of the final response: absorbed
        self._events.append(ResponseReceived(response=response))
        if new is State.COMPLETED:
            del self._deadlines[TimerName.F]
            self._deadlines.pop(TimerName.E, None)
            self._start(TimerName.K, self.timers.timer_k(reliable=self.reliable), now)

    def _on_timer(self, name: TimerName, now: float) -> None:
        if name is TimerName.E:
            self._datagrams.append(self._request_bytes)
            if self.state is State.PROCEEDING:
                # 17.1.2.2: in Proceeding, "the timer is reset with a value of T2".
                self._interval = self.timers.t2
            else:
                self._interval = self.timers.next_retransmit_interval(self._interval)
            self._deadlines[TimerName.E] = now + self._interval
        elif name is TimerName.F:
            self._events.append(TransactionTimedOut(timer=TimerName.F))
            self._terminate()
        else:  # K
            self._terminate()

    def _reports_transport_failure(self, old: State) -> bool:
        # The owner already has the final response: one outcome per request.
        return old is not State.COMPLETED


class _ServerBase(_Transaction):
    """Server side: remembers the last response to replay it."""

    def __init__(self, request: Request, *, reliable: bool, timers: TimerConfig) -> None:
        super().__init__(request, reliable=reliable, timers=timers)
        self._last_response: bytes | None = None

    @property
    def last_response(self) -> bytes | None:
        """The bytes of the last response sent, replayed to retransmissions."""
        return self._last_response

    def _send(self, response: Response) -> None:
        self._last_response = bytes(response)
        self._datagrams.append(self._last_response)

    def _replay(self) -> None:
        if self._last_response is not None:
            self._datagrams.append(self._last_response)


class ServerTransaction(_ServerBase):
    """A non-INVITE server transaction (RFC 3261 17.2.2).

    A retransmitted request is absorbed: before any response silently, later
    by sending the last response again. After a final response the
    transaction stays Completed for timer J (64*T1 over unreliable
    transports, zero over reliable ones) to keep answering retransmissions;
    after that, the same request would start a new transaction.

    Args:
        request: the request that created the transaction; not INVITE or ACK.
        reliable: whether the transport is reliable.
        now: the current time.
        timers: T1, T2, T4.

    Raises:
        LocalProtocolError: *request* is an INVITE or an ACK.
    """

    _TABLE = _SERVER_TRANSITIONS
    _INITIAL = State.TRYING

    def __init__(
        self,
        request: Request,
        *,
        reliable: bool,
        now: float,
        timers: TimerConfig = TimerConfig(),  # noqa: B008 - frozen, so sharing is safe
    ) -> None:
        if request.method in ("INVITE", "ACK"):
            raise LocalProtocolError(f"{request.method} needs an INVITE server transaction")
        super().__init__(request, reliable=reliable, timers=timers)

    def receive(self, request: Request, now: float) -> None:
        """Feed a retransmission of the request.

        Raises:
            LocalProtocolError: the transaction is already terminated.
        """
        self._process(Input.RECV_REQUEST)
        # 17.2.2: in Trying "any retransmissions of the request ... MUST be
        # discarded"; in Proceeding and Completed the last response is resent.
        self._replay()

    def respond(self, response: Response, now: float) -> None:
        """Send a provisional or final response.

        Raises:
            LocalProtocolError: a final response was already sent, or the
                transaction is terminated.
        """
        self.respond_bytes(response.status, bytes(response), now)

    def respond_bytes(self, status: int, data: bytes, now: float) -> None:
        """`respond` with the response already serialised; *status* is its code.

        Raises:
            LocalProtocolError: a final response was already sent, or the
                transaction is terminated.
        """
        new = self._process(Input.SEND_1XX if status < 200 else Input.SEND_FINAL)
        self._last_response = data
        self._datagrams.append(data)
        if new is State.COMPLETED:
            self._start(TimerName.J, self.timers.timer_j(reliable=self.reliable), now)

    def _on_timer(self, name: TimerName, now: float) -> None:
        self._terminate()  # J is the only timer


class InviteServerTransaction(_ServerBase):
    """An INVITE server transaction (RFC 3261 17.2.1), enough to reject calls.

    A final non-2xx response is retransmitted by timer G (T1 doubling up to
    T2, unreliable transports only) until the ACK arrives; timer H (64*T1)
    gives up with ``TransactionTimedOut(timer=H)``. After the ACK, timer I
    (T4, zero if reliable) absorbs ACK retransmissions. A 2xx ends the
    transaction at once: its retransmission belongs to the TU. No 100 Trying
    is sent automatically: the owner is expected to answer within 200 ms.

    Args:
        request: the INVITE.
        reliable: whether the transport is reliable.
        now: the current time.
        timers: T1, T2, T4.

    Raises:
        LocalProtocolError: *request* is not an INVITE.
    """

    _TABLE = _INVITE_SERVER_TRANSITIONS
    _INITIAL = State.PROCEEDING

    def __init__(
        self,
        request: Request,
        *,
        reliable: bool,
        now: float,
        timers: TimerConfig = TimerConfig(),  # noqa: B008 - frozen, so sharing is safe
    ) -> None:
        if request.method != "INVITE":
            raise LocalProtocolError(f"{request.method} needs a non-INVITE server transaction")
        super().__init__(request, reliable=reliable, timers=timers)
        self._interval = timers.t1

    def receive(self, request: Request, now: float) -> None:
        """Feed a retransmitted INVITE or the ACK for our final response.

        Raises:
            LocalProtocolError: the transaction is already terminated.
        """
        old = self.state
        if request.method == "ACK":
            if self._process(Input.RECV_ACK) is State.CONFIRMED and old is State.COMPLETED:
                del self._deadlines[TimerName.H]
                self._deadlines.pop(TimerName.G, None)
                self._start(TimerName.I, self.timers.timer_i(reliable=self.reliable), now)
            return
        self._process(Input.RECV_REQUEST)
        if old is not State.CONFIRMED:
            # 17.2.1: a retransmitted INVITE gets the most recent provisional
            # response (Proceeding) or the final response (Completed) again.
            self._replay()

    def respond(self, response: Response, now: float) -> None:
        """Send a provisional or final response.

        Raises:
            LocalProtocolError: a final response was already sent, or the
                transaction is terminated.
        """
        if response.status < 200:
            input_ = Input.SEND_1XX
        elif response.status < 300:
            input_ = Input.SEND_2XX
        else:
            input_ = Input.SEND_FINAL
        new = self._process(input_)
        self._send(response)
        if new is State.TERMINATED:
            self._terminate()
        elif new is State.COMPLETED:
            if not self.reliable:
                self._deadlines[TimerName.G] = now + self._interval
            self._deadlines[TimerName.H] = now + self.timers.timeout

    def _on_timer(self, name: TimerName, now: float) -> None:
        if name is TimerName.G:
            self._replay()
            self._interval = self.timers.next_retransmit_interval(self._interval)
            self._deadlines[TimerName.G] = now + self._interval
        elif name is TimerName.H:
            self._events.append(TransactionTimedOut(timer=TimerName.H))
            self._terminate()
        else:  # I
            self._terminate()


def transaction_key(message: Request | Response) -> tuple[str, ...]:
    """Return the key that matches a message to its transaction.

    For RFC 3261 branches (starting with :data:`MAGIC_COOKIE`) the key is
    ``(branch, sent-by, method)`` of the top Via and CSeq, with ACK mapped to
    INVITE so that the ACK for a non-2xx final response finds the INVITE
    server transaction (17.1.3, 17.2.3). CANCEL keeps its own method, so it
    is a transaction of its own.

    Requests from RFC 2543 peers (no magic cookie, or the bare cookie as in
    RFC 4475 3.3.14 badbranch) are matched as 17.2.3 describes: Request-URI, To tag (not for
    INVITE/ACK: the ACK carries the tag of our response), From tag, Call-ID,
    CSeq and the top Via. The two kinds of keys never collide (different
    lengths).

    Raises:
        ParseError: the message has no valid Via or CSeq.
    """
    via = message.via[0]
    cseq = message.cseq
    method = "INVITE" if cseq.method == "ACK" else cseq.method
    branch = via.branch or ""
    sent_by = via.sent_by.lower()
    # RFC 4475 3.3.14: a branch that is the bare cookie is treated as absent.
    rfc3261 = branch.startswith(MAGIC_COOKIE) and len(branch) > len(MAGIC_COOKIE)
    if rfc3261 or not isinstance(message, Request):
        return (branch, sent_by, method)
    to_tag = "" if method == "INVITE" else (message.to.tag or "")
    return (
        str(message.uri),
        to_tag,
        message.from_.tag or "",
        message.call_id,
        f"{cseq.seq} {method}",
        str(via),
    )


#: How far into a request `raw_transaction_key` looks for Via and CSeq.
_KEY_SCAN = 8192


def raw_transaction_key(data: bytes) -> tuple[str, ...] | None:
    """The `transaction_key` of a request read from its raw bytes, cheaply.

    Only the top Via and the CSeq method are read (RFC 3261 17.2.3), so a
    retransmission of a finished transaction can be answered from stored
    bytes without parsing the rest. Returns None whenever the cheap read is
    not sure (a response, folded or compact-less oddities, an RFC 2543
    branch): the caller then parses the message in full, which gives the
    same key for every request this returns one for.
    """
    if data.startswith(b"SIP/"):
        return None
    end = data.find(b"\r\n\r\n", 0, _KEY_SCAN)
    lines = data[: end if end >= 0 else _KEY_SCAN].split(b"\r\n")
    via: bytes | None = None
    cseq: bytes | None = None
    for line in lines[1:]:
        if line.startswith((b" ", b"\t")):
            return None  # folded lines: leave them to the parser
        name, _, value = line.partition(b":")
        name = name.rstrip().lower()
        if via is None and name in (b"via", b"v"):
            via = value
        elif name == b"cseq":
            if cseq is not None:
                return None  # two CSeq lines: the parser refuses those
            cseq = value
    if via is None or cseq is None:
        return None
    words = cseq.split()
    if len(words) != 2:
        return None
    try:
        top = Via.parse(via.split(b",", 1)[0].strip().decode("utf-8", "surrogateescape"))
        method = words[1].decode("ascii")
    except (ParseError, UnicodeDecodeError):
        return None
    branch = top.branch or ""
    if not (branch.startswith(MAGIC_COOKIE) and len(branch) > len(MAGIC_COOKIE)):
        return None
    return (branch, top.sent_by.lower(), "INVITE" if method == "ACK" else method)


_K = TypeVar("_K", bound=Hashable)
_C = TypeVar("_C")


@dataclass(slots=True)
class _Completed(Generic[_C]):
    response: bytes
    context: _C
    expires: float
    size: int


class Tally:
    """How many times each value was added and not yet removed (only counts above zero kept)."""

    __slots__ = ("_counts",)

    def __init__(self) -> None:
        self._counts: dict[Hashable, int] = {}

    def add(self, value: Hashable) -> None:
        self._counts[value] = self._counts.get(value, 0) + 1

    def remove(self, value: Hashable) -> None:
        left = self._counts[value] - 1
        if left:
            self._counts[value] = left
        else:
            del self._counts[value]

    def __contains__(self, value: object) -> bool:
        return value in self._counts

    def clear(self) -> None:
        self._counts.clear()


class CompletedTransactions(Generic[_K, _C]):
    """Non-INVITE server transactions in Completed, kept as bytes only.

    RFC 3261 17.2.2: in Completed the transaction's one job is to answer a
    retransmitted request with the final response again until timer J. So
    what is kept is the key, the response's bytes, when J fires, and a small
    *context* of the caller's (where the response goes), never the request.
    The total is capped: past *max_bytes* or *max_count* the oldest go first
    (their retransmissions, if any, are then taken as new requests, which
    the services already deduplicate, RFC 3261 8.2.2.2).

    Args:
        max_bytes: the most response and key bytes held at once.
        max_count: the most transactions held at once.

    Raises:
        ValueError: a cap is not positive.
    """

    #: What one entry costs beyond its response bytes (key, record, index).
    OVERHEAD = 256

    def __init__(
        self,
        *,
        max_bytes: int = 4 * 1024 * 1024,
        max_count: int = 20_000,
        part: Callable[[_K], Hashable] | None = None,
    ) -> None:
        if max_bytes <= 0 or max_count <= 0:
            raise ValueError("the caps must be positive")
        self.max_bytes = max_bytes
        self.max_count = max_count
        self._entries: OrderedDict[_K, _Completed[_C]] = OrderedDict()
        self._bytes = 0
        #: Entries dropped before their timer J because of the caps.
        self.evicted = 0
        # With *part*: how many held keys have each part (`may_hold`).
        self._part = part
        self._parts = Tally()

    def may_hold(self, part: Hashable) -> bool:
        """False when no held key has *part* (as the *part* callable gives it)."""
        return self._part is None or part in self._parts

    def add(self, key: _K, response: bytes, context: _C, *, expires: float) -> None:
        """Keep *response* for retransmissions of *key* until *expires*."""
        entries = self._entries
        if key in entries:
            self.discard(key)
        size = len(response) + self.OVERHEAD
        entries[key] = _Completed(response, context, expires, size)
        self._bytes += size
        if self._part is not None:
            self._parts.add(self._part(key))
        while entries and (self._bytes > self.max_bytes or len(entries) > self.max_count):
            self._pop_oldest()
            self.evicted += 1

    def get(self, key: _K, now: float) -> tuple[bytes, _C] | None:
        """The response bytes and context for a retransmission of *key*."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= now:  # timer J fired: a new request now
            self.discard(key)
            return None
        return entry.response, entry.context

    def discard(self, key: _K) -> None:
        """Forget *key* if it is held."""
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size
            self._forget_part(key)

    def _forget_part(self, key: _K) -> None:
        if self._part is not None:
            self._parts.remove(self._part(key))

    def expire(self, now: float) -> None:
        """Forget every transaction whose timer J fired by *now*."""
        # Timer J is the same for every entry, so insertion order is expiry
        # order; an entry with a shorter J behind a longer one waits a bit.
        while self._entries:
            entry = next(iter(self._entries.values()))
            if entry.expires > now:
                return
            self._pop_oldest()

    @property
    def deadline(self) -> float | None:
        """When `expire` next has work, or None when nothing is held."""
        if not self._entries:
            return None
        return next(iter(self._entries.values())).expires

    @property
    def bytes_held(self) -> int:
        """Response bytes plus `OVERHEAD` per entry, for the caps."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def _pop_oldest(self) -> None:
        key, entry = self._entries.popitem(last=False)
        self._bytes -= entry.size
        self._forget_part(key)


class AnsweredClientTransactions(Generic[_K]):
    """Non-INVITE client transactions in Completed over UDP, kept as keys only.

    RFC 3261 17.1.2.2: once the final response was passed up, the client
    transaction stays in Completed until timer K only to "buffer any
    additional response retransmissions". So what is kept is the key and
    when K fires: not the request, its bytes or the machine (with 1,000
    SUBSCRIBEs answered at once, 1,000 of each for T4).
    """

    __slots__ = ("_ends",)

    def __init__(self) -> None:
        # Key -> when timer K fires. Timer K is the same for every entry
        # (T4), so insertion order is expiry order; one with a shorter K
        # behind a longer one is forgotten a little late.
        self._ends: dict[_K, float] = {}

    def add(self, key: _K, *, expires: float) -> None:
        """Absorb retransmitted final responses of *key* until *expires*."""
        ends = self._ends
        ends.pop(key, None)
        ends[key] = expires

    def absorbs(self, key: _K, now: float) -> bool:
        """True when a response for *key* is a retransmission to absorb."""
        expires = self._ends.get(key)
        if expires is None:
            return False
        if expires <= now:  # timer K fired
            del self._ends[key]
            return False
        return True

    def expire(self, now: float) -> None:
        """Forget every transaction whose timer K fired by *now*."""
        ends = self._ends
        while ends:
            key = next(iter(ends))
            if ends[key] > now:
                return
            del ends[key]

    @property
    def deadline(self) -> float | None:
        """When `expire` next has work, or None when nothing is held."""
        ends = self._ends
        return ends[next(iter(ends))] if ends else None

    def clear(self) -> None:
        """Forget every transaction."""
        self._ends.clear()

    def __len__(self) -> int:
        return len(self._ends)
