"""The one table from a SIP MESSAGE outcome to the delivery state a user sees.

Core and UI both use this module, so a response code means the same thing
in the outbox, in the history and on the bubble's icon. A failure that
happened here (a timeout, a broken connection) is kept apart from a code a
remote server sent: a local timeout is never shown as a remote 408.
"""

from __future__ import annotations

from enum import Enum

from softphone.sip.imdn import ImdnStatus, NotificationKind

__all__ = [
    "TIMER_F_SECONDS",
    "DeliveryState",
    "FailureKind",
    "after_receipt",
    "describe",
    "failure_reason",
    "from_failure",
    "from_response",
]

#: Timer F is 64*T1 with the default T1 of 500 ms (RFC 3261 17.1.2.2), the
#: time a non-INVITE client transaction waits for a final response.
TIMER_F_SECONDS = 32.0


class DeliveryState(Enum):
    """Where an outgoing message is, as far as this side can know."""

    #: Written to disk, not yet sent (offline, or waiting for registration).
    QUEUED = "queued"
    #: The MESSAGE is on the wire: no response, a 1xx, or a 401/407 challenge
    #: that the messaging service is answering with credentials.
    SENDING = "sending"
    #: A 2xx other than 202: the recipient's device took the message. This
    #: says nothing about whether a person has read it (RFC 3428 7).
    DELIVERED = "delivered"
    #: 202 Accepted: a server stored the message for later delivery, e.g.
    #: while the recipient is offline (RFC 3428 7).
    ACCEPTED = "accepted"
    #: A 3xx we did not follow, a 4xx or 5xx, or a local failure (timer F,
    #: transport error, too large, ...). The user may retry.
    FAILED = "failed"
    #: A 6xx: the recipient refused the message (RFC 3261 21.6).
    DECLINED = "declined"
    #: An IMDN "displayed" receipt came from the recipient (RFC 5438 7.2.1.2):
    #: the message was shown to a person. Never from a SIP response.
    READ = "read"

    @property
    def is_final(self) -> bool:
        """True once no further response can change the outcome of this attempt.

        QUEUED and SENDING are waiting for something; the other states are
        the answer. A FAILED message may still be retried, which starts a new
        attempt back in QUEUED.
        """
        return self not in (DeliveryState.QUEUED, DeliveryState.SENDING)


class FailureKind(Enum):
    """Failures found on this side, never by a remote server.

    Each has a sentence for the user (`failure_reason`). None of them has a
    SIP status code: a response code is only ever one a peer really sent.
    """

    #: Timer F fired: no final response within 64*T1 (RFC 3261 17.1.2.2).
    TIMEOUT = "timeout"
    #: The transport reported an error: connection refused or reset, an ICMP
    #: error, a TLS handshake that failed (RFC 3261 8.1.3.1).
    TRANSPORT_ERROR = "transport-error"
    #: The server's address could not be resolved (RFC 3263).
    NO_ROUTE = "no-route"
    #: The body is over 1300 bytes and only UDP may be used (RFC 3428 5,
    #: RFC 3261 18.1.1).
    TOO_LARGE = "too-large"
    #: The server challenged again after we answered with credentials: the
    #: user name or password was refused (RFC 3261 22.2, 22.3).
    AUTH_FAILED = "auth-failed"
    #: The application closed (or crashed) while the message was being sent,
    #: so whether it arrived is unknown; found in SENDING on the next start.
    CLOSED_BEFORE_ANSWER = "closed-before-answer"

    @property
    def reason(self) -> str:
        """The user-facing sentence, with timer F at its default length."""
        return failure_reason(self)


_FAILURE_REASONS: dict[FailureKind, str] = {
    FailureKind.TIMEOUT: "no answer from the server after {timeout} s",
    FailureKind.TRANSPORT_ERROR: "could not reach the server",
    FailureKind.NO_ROUTE: "could not find the server's address",
    FailureKind.TOO_LARGE: "message too large to send over UDP (more than 1300 bytes)",
    FailureKind.AUTH_FAILED: "the server refused the user name or password",
    FailureKind.CLOSED_BEFORE_ANSWER: "closed before the server answered",
}


def failure_reason(kind: FailureKind, *, timeout: float = TIMER_F_SECONDS) -> str:
    """The sentence that explains a local failure.

    *timeout* is the length of timer F that fired, used by
    `FailureKind.TIMEOUT` only.
    """
    return _FAILURE_REASONS[kind].format(timeout=f"{timeout:g}")


def from_response(status: int) -> DeliveryState:
    """Map a response status code to the state of the message it answers.

    401 and 407 map to SENDING: the messaging service answers the challenge
    with credentials and the message is still on its way. A challenge that
    comes back after credentials were sent is the service's to map to
    FAILED (`FailureKind.AUTH_FAILED`), since only it knows it already tried.

    Raises:
        ValueError: *status* is outside 100..699 (RFC 3261 7.2 allows no
            other class).
    """
    if not 100 <= status <= 699:
        raise ValueError(f"{status} is not a SIP status code (100..699)")
    if status < 200:
        # Provisional: RFC 3428 8 says a MESSAGE needs none, but a proxy may
        # send 100 Trying; nothing is decided yet.
        return DeliveryState.SENDING
    if status == 202:
        # RFC 3428 7: 202 means the request was accepted for later delivery,
        # not that it reached the recipient.
        return DeliveryState.ACCEPTED
    if status < 300:
        return DeliveryState.DELIVERED
    if status in (401, 407):
        return DeliveryState.SENDING
    if status < 600:
        # 3xx: we do not follow redirects for MESSAGE, so the message did not
        # go anywhere. 4xx and 5xx are failures (RFC 3261 21.4, 21.5).
        return DeliveryState.FAILED
    # RFC 3261 21.6: a 6xx is a global failure, the recipient's definitive "no".
    return DeliveryState.DECLINED


def from_failure(kind: FailureKind) -> DeliveryState:
    """The state after a local failure: always FAILED.

    Kept as its own function so a local failure never passes through
    `from_response` with an invented status code.
    """
    # Every kind maps to the same state today; callers still name what
    # happened so the mapping stays in this one table.
    return DeliveryState.FAILED


_PREFIXES: dict[DeliveryState, str] = {
    DeliveryState.QUEUED: "waiting to be sent",
    DeliveryState.SENDING: "sending",
    DeliveryState.DELIVERED: "delivered to the recipient's device",
    DeliveryState.ACCEPTED: "accepted for later delivery",
    DeliveryState.FAILED: "failed",
    DeliveryState.DECLINED: "declined by recipient",
    DeliveryState.READ: "read by the recipient",
}

# The order positive states move in; a receipt never moves a message back
# (queued < sending < accepted < delivered < read).
_RANK: dict[DeliveryState, int] = {
    DeliveryState.QUEUED: 0,
    DeliveryState.SENDING: 1,
    DeliveryState.ACCEPTED: 2,
    DeliveryState.DELIVERED: 3,
    DeliveryState.READ: 4,
}

_RECEIPT_FAILURES: dict[ImdnStatus, str] = {
    ImdnStatus.FAILED: "the recipient's device could not deliver it (receipt: failed)",
    ImdnStatus.FORBIDDEN: "the recipient's device refused it (receipt: forbidden)",
    ImdnStatus.ERROR: "the recipient's device reported an error (receipt: error)",
}


def after_receipt(
    current: DeliveryState, kind: NotificationKind, status: ImdnStatus
) -> tuple[DeliveryState, str] | None:
    """The state (and reason) an RFC 5438 receipt moves a message to, or None.

    Only a message with its SIP answer (ACCEPTED or DELIVERED, or READ) is
    moved; the caller keeps a receipt that arrives before the final response
    and applies it after. States only move forward: a late ``delivered``
    after ``displayed`` changes nothing. A ``failed``, ``forbidden`` or
    ``error`` delivery notification gives FAILED with that status as the
    reason. A display notification's ``forbidden``/``error`` only says the
    recipient will not tell us it was read: the message stays delivered.
    Processing notifications (from intermediaries) change nothing.
    """
    if current not in (DeliveryState.ACCEPTED, DeliveryState.DELIVERED, DeliveryState.READ):
        return None
    target: DeliveryState
    reason = ""
    if kind is NotificationKind.DELIVERY and status is ImdnStatus.DELIVERED:
        target = DeliveryState.DELIVERED
    elif kind is NotificationKind.DISPLAY and status is ImdnStatus.DISPLAYED:
        target = DeliveryState.READ
    elif kind is NotificationKind.DELIVERY and status in _RECEIPT_FAILURES:
        if current is DeliveryState.READ:
            return None  # a person saw it: a later failure cannot undo that
        return DeliveryState.FAILED, _RECEIPT_FAILURES[status]
    else:
        return None
    if _RANK[target] <= _RANK[current]:
        return None
    return target, reason


def describe(state: DeliveryState, code: int | None, reason: str, *, local: bool) -> str:
    """The sentence a tooltip shows for a message's state.

    A remote outcome names the code and reason phrase the server sent
    ("failed: 404 Not Found"); a local failure gives its own sentence and no
    code ("failed: no answer from the server after 32 s"), so
    the two can never be confused.

    Raises:
        ValueError: *local* is true but the state is not FAILED or a code is
            given: a local failure has no status code.
    """
    prefix = _PREFIXES[state]
    if local:
        if state is not DeliveryState.FAILED or code is not None:
            raise ValueError("a local failure is FAILED and carries no status code")
        return f"{prefix}: {reason}" if reason else prefix
    if code is None:
        return f"{prefix}: {reason}" if reason else prefix
    return f"{prefix}: {code} {reason}".rstrip()
