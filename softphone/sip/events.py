"""Everything a transaction can tell its owner, as frozen dataclasses.

Events are built with keyword arguments only and compared by value, so a
test can assert a whole history: ``[ResponseReceived(response=r),
TransactionTerminated()]``. Consumers match them with ``isinstance`` or
``match``, never by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from softphone.sip.timers import TimerName

if TYPE_CHECKING:
    from softphone.sip.message import Response

__all__ = [
    "Event",
    "ResponseReceived",
    "TransactionTerminated",
    "TransactionTimedOut",
    "TransportFailed",
]


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base class of transaction events."""


@dataclass(frozen=True, kw_only=True)
class ResponseReceived(Event):
    """A client transaction passes a response up (RFC 3261 17.1.2.2).

    Provisional responses are passed up each time they arrive; a final
    response exactly once: its retransmissions are absorbed.

    Attributes:
        response: the response as parsed.
    """

    response: Response


@dataclass(frozen=True, kw_only=True)
class TransactionTimedOut(Event):
    """A timer gave up on the peer.

    This is a local failure: no response ever came (timer F), or no ACK came
    for a rejected INVITE (timer H). It is never a 408 sent by anyone.

    Attributes:
        timer: which timer fired (:attr:`TimerName.F` or :attr:`TimerName.H`).
    """

    timer: TimerName


@dataclass(frozen=True, kw_only=True)
class TransportFailed(Event):
    """The transport reported it could not send (RFC 3261 17.1.4, 17.2.4).

    Attributes:
        reason: what the transport said, for the user and the trace.
    """

    reason: str


@dataclass(frozen=True, kw_only=True)
class TransactionTerminated(Event):
    """The transaction reached Terminated; its owner may forget it."""
