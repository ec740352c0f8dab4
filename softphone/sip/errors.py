"""The error family of the SIP core.

Errors are split by blame, as h11 and h2 do: :class:`LocalProtocolError`
means our own code misused the API, :class:`ParseError` means the peer sent
bytes we cannot accept, and it carries the status code to answer with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from softphone.sip.message import Request

__all__ = ["LocalProtocolError", "ParseError", "SipError"]


class SipError(Exception):
    """Base of every error the SIP core raises on purpose."""


class LocalProtocolError(SipError):
    """Our own code asked for something the protocol forbids (a bug here).

    Raised for example when a header value given to :class:`Headers`
    contains CR, LF or NUL, which would allow header injection.
    """


class ParseError(SipError):
    """The peer sent bytes that cannot be accepted.

    Attributes:
        reason: a one-line sentence a person can read; it is reused as the
            reason phrase of the response, so it never contains CR or LF.
        status: the response code to answer with (400, 413, 415, 505 ...).
        partial: when the start line and the header lines of a request could
            be split, a :class:`Request` carrying the raw headers, so that an
            agent can still answer (it needs Via, From, To, Call-ID, CSeq).
    """

    def __init__(self, reason: str, status: int = 400, partial: Request | None = None) -> None:
        # A reason phrase must stay on one line (RFC 3261 25.1 Reason-Phrase).
        reason = " ".join(reason.split())
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.partial = partial

    def __repr__(self) -> str:
        return f"ParseError({self.reason!r}, status={self.status})"
