"""A record of every message sent and received, for the trace window and logs.

Credentials never leave in a trace: the Authorization and Proxy-Authorization
header values are replaced before anyone (a log file, the trace window) sees
the text.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass

from softphone.direction import Direction
from softphone.transport.base import Address, TransportKind

_CREDENTIALS = re.compile(
    rb"^((?:Authorization|Proxy-Authorization)[ \t]*:)[^\r\n]*(?:\r?\n[ \t]+[^\r\n]*)*",
    re.IGNORECASE | re.MULTILINE,
)

REDACTED = b" <redacted>"


def redact(data: bytes) -> bytes:
    """Return *data* with every credentials header value replaced.

    The digest response is not the password, but together with the
    challenge it allows an offline guess of it; a trace a user pastes into a
    bug report must not carry it.
    """
    head, sep, body = data.partition(b"\r\n\r\n")
    if b"authorization" not in head.lower():
        return data  # nothing to hide: no regex pass over every line
    return _CREDENTIALS.sub(lambda m: m.group(1) + REDACTED, head) + sep + body


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One message on the wire, already redacted."""

    #: Seconds since the epoch, for display.
    time: float
    direction: Direction
    transport: TransportKind
    local: Address
    remote: Address
    #: The message bytes with credentials redacted.
    data: bytes

    @property
    def text(self) -> str:
        """The message as text; undecodable bytes shown as replacement marks."""
        return self.data.decode("utf-8", errors="replace")

    @property
    def first_line(self) -> str:
        """The start line, e.g. `MESSAGE sip:bob@example.com SIP/2.0`."""
        return self.text.split("\r\n", 1)[0].split("\n", 1)[0]


TraceObserver = Callable[[TraceEntry], None]


class Traffic(enum.Flag):
    """Which messages a trace observer is shown.

    An entry is built only for a message some observer wants: a listener
    that answers a burst of MESSAGEs builds none for them when nobody reads
    the trace (no `-v`, no trace window), only its timeline's watch on what
    it sends and the responses it gets.
    """

    REQUESTS_IN = enum.auto()
    RESPONSES_IN = enum.auto()
    REQUESTS_OUT = enum.auto()
    RESPONSES_OUT = enum.auto()
    ALL = REQUESTS_IN | RESPONSES_IN | REQUESTS_OUT | RESPONSES_OUT

    @classmethod
    def of(cls, direction: Direction, response: bool) -> Traffic:
        """The kind of one message: its direction and whether it is a response."""
        if direction is Direction.IN:
            return cls.RESPONSES_IN if response else cls.REQUESTS_IN
        return cls.RESPONSES_OUT if response else cls.REQUESTS_OUT
