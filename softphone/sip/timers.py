"""Transaction timer values of RFC 3261 section 17 (table 4, annex A).

Every timer is derived from three base values: T1 (an estimate of the round
trip time), T2 (the longest retransmission interval for non-INVITE requests
and INVITE responses) and T4 (how long a message can stay in the network).
Nothing here reads a clock: transactions turn these durations into absolute
deadlines from the ``now`` their caller passes in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["T1", "T2", "T4", "TimerConfig", "TimerName"]

#: RTT estimate, 500 ms by default (RFC 3261 17.1.1.1).
T1 = 0.5
#: Maximum retransmit interval for non-INVITE requests and INVITE responses.
T2 = 4.0
#: Maximum duration a message will remain in the network.
T4 = 5.0


class TimerName(Enum):
    """The transaction timers of RFC 3261 table 4, named as the RFC names them."""

    #: INVITE request retransmit interval (UDP only); unused, no INVITE client.
    A = "A"
    #: INVITE transaction timeout; unused, no INVITE client.
    B = "B"
    #: Non-INVITE request retransmit interval, UDP only (17.1.2.2).
    E = "E"
    #: Non-INVITE transaction timeout, 64*T1 (17.1.2.2).
    F = "F"
    #: INVITE response retransmit interval (17.2.1).
    G = "G"
    #: Wait time for ACK receipt, 64*T1 (17.2.1).
    H = "H"
    #: Wait time for ACK retransmits, T4 for UDP, 0 for reliable (17.2.1).
    I = "I"  # noqa: E741 - the RFC's name for it
    #: Wait time for non-INVITE request retransmits, 64*T1 for UDP (17.2.2).
    J = "J"
    #: Wait time for response retransmits, T4 for UDP (17.1.2.2).
    K = "K"


@dataclass(frozen=True, kw_only=True)
class TimerConfig:
    """The base timer values, with the durations RFC 3261 derives from them.

    Attributes:
        t1: round-trip estimate in seconds (default 0.5).
        t2: cap of the retransmission interval in seconds (default 4.0).
        t4: lifetime of a message in the network in seconds (default 5.0).

    Raises:
        ValueError: if a value is not positive or ``t2`` is smaller than ``t1``.
    """

    t1: float = T1
    t2: float = T2
    t4: float = T4

    def __post_init__(self) -> None:
        if not (self.t1 > 0 and self.t2 > 0 and self.t4 > 0):
            raise ValueError("timer values must be positive")
        if self.t2 < self.t1:
            raise ValueError("T2 must not be smaller than T1")

    @property
    def timeout(self) -> float:
        """Timers B, F, H: 64*T1, the transaction timeout (32 s by default)."""
        return 64 * self.t1

    def next_retransmit_interval(self, interval: float) -> float:
        """Timers E and G: the interval after *interval*, doubled and capped at T2.

        RFC 3261 17.1.2.2: "the timer is reset with a value of MIN(2*T1, T2)
        ... the next ... MIN(4*T1, T2)"; 17.2.1 says the same of timer G.
        """
        return min(2 * interval, self.t2)

    def timer_k(self, *, reliable: bool) -> float:
        """Timer K: T4 for unreliable transports, zero for reliable ones (17.1.2.2)."""
        return 0.0 if reliable else self.t4

    def timer_j(self, *, reliable: bool) -> float:
        """Timer J: 64*T1 for unreliable transports, zero for reliable ones (17.2.2)."""
        return 0.0 if reliable else self.timeout

    def timer_i(self, *, reliable: bool) -> float:
        """Timer I: T4 for unreliable transports, zero for reliable ones (17.2.1)."""
        return 0.0 if reliable else self.t4
