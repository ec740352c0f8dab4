"""When a message that did not go out is sent again on its own: one pure table.

A message fails for one of two kinds of reason. Either nobody with an
opinion about it answered (no answer from the server, a broken connection,
a server that timed out or was overloaded), and it is sent again on its
own, with a growing pause, for up to a day after it first went out. Or the
recipient's side answered (404, 486, 480, 6xx, 415 after the plain-text
fallback, ...): that answer is kept, and only the user may try again.

No clock and no I/O here: the messaging service passes `now` in and stores
what `ResendPolicy.plan` returns, so the schedule survives a restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from softphone.sip.delivery import FailureKind

__all__ = [
    "BACKOFF",
    "HELD",
    "RESENT_CODES",
    "RESENT_FAILURES",
    "WINDOW",
    "Plan",
    "ResendPolicy",
]

#: Why a message stays queued (the reason stored with it, in English): a
#: message written before it to the same person waits for its automatic
#: resend. A person reads their messages in the order they wrote them, so
#: the later ones wait behind it and follow it when it goes again, or at
#: once when it ends for good (the recipient's answer, given up, deleted).
#: Receipts and typing notifications are not messages: they never wait.
HELD = "kept back until the earlier message is sent again, so they arrive in order"

#: The pause before each automatic resend, in seconds: the first failure
#: waits 30 s, the second 1 min, ... and every one after the seventh 1 h.
BACKOFF: tuple[float, ...] = (30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0)

#: How long after its first attempt a message is still sent again (24 h);
#: after that it stays FAILED until the user retries it.
WINDOW = 24 * 3600.0

#: Responses that are not the recipient's answer.
RESENT_CODES: frozenset[int] = frozenset(
    {
        # 408 Request Timeout: a proxy got no answer in time (RFC 3261
        # 21.4.9, 16.7 step 6 / 16.8); whether the message arrived is unknown.
        408,
        # 503 Service Unavailable: a server is overloaded or down for a
        # while; "the client MAY retry the request after the time given in
        # Retry-After" (RFC 3261 21.5.4).
        503,
        # 504 Server Time-out: the server got no answer from the next one
        # (RFC 3261 21.5.5), the proxy's version of 408.
        504,
    }
)
# Deliberately not resent: 480 Temporarily Unavailable. It is the callee's
# side speaking ("the callee's end system was contacted successfully but the
# callee is currently unavailable", RFC 3261 21.4.18): a registrar that
# knows the user has no device for them now, or a device that said so.
# Sending again on a timer would only repeat that answer; the user sees it
# and retries when the buddy is online. Every other 4xx, 5xx and 6xx is an
# answer too (404, 486, 603, ...; 415 comes back only after the plain-text
# fallback also failed).

#: Local failures that are not anybody's answer: the request may not have
#: left, or its answer was lost.
RESENT_FAILURES: frozenset[FailureKind] = frozenset(
    {
        FailureKind.TIMEOUT,
        FailureKind.TRANSPORT_ERROR,
        FailureKind.NO_ROUTE,
        FailureKind.CLOSED_BEFORE_ANSWER,
    }
)
# Not resent: TOO_LARGE (it will never fit) and AUTH_FAILED (the password
# is wrong until the user changes it).


@dataclass(frozen=True, slots=True)
class Plan:
    """What follows a failure that may be resent."""

    #: Failures counted so far (the index into the back-off table).
    attempts: int
    #: When to send it again (seconds since the epoch); None: given up.
    resend_at: float | None

    @property
    def gave_up(self) -> bool:
        """True when the message is not sent again on its own any more."""
        return self.resend_at is None


@dataclass(frozen=True, slots=True)
class ResendPolicy:
    """The back-off table and the window; tests pass short ones."""

    backoff: tuple[float, ...] = BACKOFF
    window: float = WINDOW
    #: False: nothing is planned, every failure stays as it is. For a
    #: one-shot command, which reports the outcome and leaves what next
    #: to its caller: a resend by a later run would be a second copy.
    automatic: bool = True

    def __post_init__(self) -> None:
        if not self.backoff or any(pause < 0 for pause in self.backoff):
            raise ValueError("the back-off table needs at least one pause, none negative")
        if self.window < 0:
            raise ValueError("the resend window cannot be negative")

    @staticmethod
    def resendable(*, code: int | None = None, failure: FailureKind | None = None) -> bool:
        """True when the outcome is not the recipient's answer.

        *code* is a final response's status; *failure* a local failure
        (exactly one of them is given).

        Raises:
            ValueError: neither or both are given.
        """
        if (code is None) == (failure is None):
            raise ValueError("give either a status code or a local failure")
        if failure is not None:
            return failure in RESENT_FAILURES
        return code in RESENT_CODES

    @staticmethod
    def when_connected(*, local_failure: bool) -> bool:
        """Whether a planned resend goes as soon as the connection is back.

        A local failure (no answer, a broken connection) was most likely the
        loss itself, so it goes at once; a server's 408/503/504 keeps its
        time (and a 503 its Retry-After).
        """
        return local_failure

    def delay(self, attempts: int) -> float:
        """The pause after the *attempts*-th failure (1 is the first)."""
        return self.backoff[min(max(attempts, 1), len(self.backoff)) - 1]

    def plan(
        self,
        *,
        now: float,
        attempts: int,
        first_attempt: float | None,
        retry_after: float | None = None,
    ) -> Plan:
        """The resend after a failure that `resendable` allows.

        *attempts* counts the failures before this one; *first_attempt* is
        when the message first went out (None: now). *retry_after* is a
        503's Retry-After in seconds: never sent again sooner. The last
        resend is at the end of the window at the latest; a failure at or
        after it, or a Retry-After beyond it, gives up.
        """
        count = attempts + 1
        first = now if first_attempt is None else first_attempt
        deadline = first + self.window
        if now >= deadline:
            return Plan(count, None)
        earliest = now + max(retry_after or 0.0, 0.0)
        if earliest > deadline:
            return Plan(count, None)
        at = min(max(now + self.delay(count), earliest), deadline)
        return Plan(count, at)
