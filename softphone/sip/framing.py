"""Stream framing for SIP over TCP and TLS (RFC 3261 18.3, RFC 5626 3.5.1).

On a stream, Content-Length is the only way to find where a message ends.
CRLF keep-alives may appear between messages: a double CRLF is a ping that
the transport answers with a single CRLF (a pong).
"""

from __future__ import annotations

import re

from softphone.sip.errors import ParseError

__all__ = ["StreamFramer"]

# Content-Length or its compact form "l", at the start of a header line
# (RFC 3261 7.3.3, 20.14); HCOLON = *( SP / HTAB ) ":" SWS.
_CONTENT_LENGTH = re.compile(rb"\r\n(?:content-length|l)[ \t]*:[ \t]*([^\r]*)", re.IGNORECASE)
_DIGITS = re.compile(rb"[0-9]+")


class StreamFramer:
    """Split a byte stream into whole SIP messages.

    ``feed()`` returns every complete message (header section plus exactly
    Content-Length octets of body) and drops CRLF keep-alives between them,
    counting each ``CRLFCRLF`` ping in :attr:`pings`. After a
    :class:`ParseError` the stream has lost its framing: close the connection.
    """

    def __init__(self, max_size: int = 65536) -> None:
        self.max_size = max_size
        #: Number of CRLFCRLF keep-alive pings seen so far (RFC 5626 3.5.1).
        self.pings = 0
        self._buffer = bytearray()
        # Where the header-section search may resume (avoids rescanning).
        self._scanned = 0
        #: After a 413: the header lines of the refused message that were
        #: read whole (ending in a blank line), so the transport can still
        #: answer it (RFC 3261 21.4.11); None when nothing could be read.
        self.refused_head: bytes | None = None

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes; return the messages they complete.

        Raises:
            ParseError: 413 when a header section or a declared body would
                exceed ``max_size`` (the body is never buffered; what could be
                read of the header is in :attr:`refused_head`); 400 when the
                Content-Length is missing, malformed or given twice.
        """
        buffer = self._buffer
        buffer += data
        messages: list[bytes] = []
        while True:
            # Keep-alives between messages (RFC 5626 3.5.1).
            while buffer[:2] == b"\r\n":
                if buffer[:4] == b"\r\n\r\n":
                    self.pings += 1
                    del buffer[:4]
                elif len(buffer) < 4 and b"\r\n\r\n".startswith(bytes(buffer)):
                    # Maybe the first half of a ping: wait for more.
                    return messages
                else:
                    del buffer[:2]
                self._scanned = 0
            end = buffer.find(b"\r\n\r\n", max(0, self._scanned - 3))
            if end < 0:
                self._scanned = len(buffer)
                if len(buffer) > self.max_size:
                    # The header lines that did arrive whole may still say
                    # where an answer goes (Via, From, To, Call-ID, CSeq).
                    last = buffer.rfind(b"\r\n", 0, self.max_size)
                    if last > 0:
                        self.refused_head = bytes(buffer[:last]) + b"\r\n\r\n"
                    raise ParseError("Header section too large", 413)
                return messages
            length = self._content_length(bytes(buffer[:end]))
            total = end + 4 + length
            if total > self.max_size:
                self.refused_head = bytes(buffer[: end + 4])
                raise ParseError("Message too large", 413)
            if len(buffer) < total:
                self._scanned = end
                return messages
            messages.append(bytes(buffer[:total]))
            del buffer[:total]
            self._scanned = 0

    @staticmethod
    def _content_length(head: bytes) -> int:
        values = {m.group(1).strip(b" \t") for m in _CONTENT_LENGTH.finditer(head)}
        if not values:
            # RFC 3261 18.3: the Content-Length MUST be used with stream transports.
            raise ParseError("Missing Content-Length on a stream")
        if len(values) > 1:
            raise ParseError("Multiple Content-Length headers")
        value = values.pop()
        if _DIGITS.fullmatch(value) is None:
            raise ParseError("Content-Length is not a number")
        return int(value)

    @property
    def buffered(self) -> int:
        """Number of octets held waiting for the rest of a message."""
        return len(self._buffer)
