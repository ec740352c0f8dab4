"""What a MESSAGE body means: chat text, a receipt, or a typing indication.

`decode_incoming` undoes Content-Encoding (capped, `sip.body`), unwraps CPIM
(RFC 3862) and returns one typed value: `Chat` (text to store and show),
`Receipt` (an RFC 5438 disposition notification: never shown as chat) or
`Composing` (RFC 3994: never stored). `encode_outgoing` builds what we send.
Nothing here does I/O; a bad body raises `ParseError` carrying the status
to answer with.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from softphone.sip import ContentType, Request
from softphone.sip.body import ACCEPTED_ENCODINGS, decode_content
from softphone.sip.cpim import CPIM_CONTENT_TYPE, build_cpim, parse_cpim
from softphone.sip.errors import ParseError
from softphone.sip.imdn import IMDN_CONTENT_TYPE, Imdn, parse_imdn
from softphone.sip.iscomposing import ISCOMPOSING_CONTENT_TYPE, IsComposing, parse_iscomposing

__all__ = [
    "ACCEPTED_ENCODINGS",
    "ACCEPTED_TYPES",
    "PLAIN_CONTENT_TYPE",
    "Chat",
    "Composing",
    "Receipt",
    "UnsupportedCharset",
    "decode_incoming",
    "encode_cpim",
    "html_to_text",
]

#: The content type of plain text we send (RFC 3428 9: every endpoint takes it).
PLAIN_CONTENT_TYPE = "text/plain;charset=UTF-8"

#: MIME types a received MESSAGE may carry; others get 415 with Accept.
ACCEPTED_TYPES = (
    "text/plain",
    "text/html",
    CPIM_CONTENT_TYPE,
    IMDN_CONTENT_TYPE,
    ISCOMPOSING_CONTENT_TYPE,
)
# Inside CPIM: text is chat, the other two are signalling.
_TEXT_TYPES = ("text/plain", "text/html")


@dataclass(frozen=True, slots=True)
class Chat:
    """Text a person wrote: stored, shown (always as plain text), answered 200."""

    text: str
    #: The Content-Type it came with, as sent (``text/html`` is shown as
    #: its plain text).
    content_type: str
    #: RFC 5438 ``imdn.Message-ID``: the message's identity at its sender.
    message_id: str | None = None
    #: The receipts the sender asked for (``positive-delivery``, ``display`` ...).
    disposition: frozenset[str] = frozenset()
    #: CPIM DateTime: when the sender sent it (POSIX time), if said.
    sent_at: float | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """A disposition notification about a message we sent."""

    imdn: Imdn


@dataclass(frozen=True, slots=True)
class Composing:
    """The peer is (or stopped) typing."""

    indication: IsComposing


Incoming = Chat | Receipt | Composing


def _mime(value: str) -> tuple[str, str | None]:
    try:
        parsed = ContentType.parse(value)
    except ParseError:
        return value.split(";")[0].strip().lower(), None
    return parsed.mime.lower(), parsed.charset


#: Content-Type values (lower-cased) that mean plain UTF-8 text, the usual chat.
_PLAIN_UTF8 = frozenset({"text/plain", "text/plain;charset=utf-8", "text/plain; charset=utf-8"})


def decode_incoming(request: Request) -> Incoming:
    """Read a MESSAGE's body as one of `Chat`, `Receipt`, `Composing`.

    Raises:
        ParseError: 415 for a content coding or (inner) type we do not take
            (the caller answers with Accept / Accept-Encoding); 413 when the
            body decompresses beyond 64 KiB; 400 for a malformed CPIM, IMDN
            or is-composing body.
    """
    headers = request.headers
    raw_type = headers.get("Content-Type")
    if (
        (raw_type is None or raw_type.lower() in _PLAIN_UTF8)
        and headers.get("Content-Encoding") is None
        and not looks_like_cpim(request.body)
    ):
        # The usual chat message: plain UTF-8 text as it came, what the
        # general path below decodes it to, without its typed Content-Type,
        # content decoding or codec lookup.
        return Chat(
            text=request.body.decode("utf-8", errors="replace"),
            content_type=raw_type or PLAIN_CONTENT_TYPE,
            message_id=None,
            disposition=frozenset(),
        )
    body = decode_content(request.body, headers.get("Content-Encoding"))
    outer = request.content_type
    mime = outer.mime.lower() if outer is not None else "text/plain"
    charset = outer.charset if outer is not None else None
    if mime == "text/plain" and looks_like_cpim(body):
        # Kamailio's msilo stores message/cpim as "text/plain" and sends it
        # so when the recipient registers (msilo.c m_store): read it as CPIM.
        mime = CPIM_CONTENT_TYPE
    if mime != CPIM_CONTENT_TYPE:
        raw_type = request.headers.get("Content-Type") or PLAIN_CONTENT_TYPE
        return _decode_part(
            mime, charset, body, raw_type=raw_type, message_id=None, disposition=frozenset()
        )
    cpim = parse_cpim(body)
    inner_mime, inner_charset = _mime(cpim.content_type)
    inner = cpim.body
    encoding = cpim.content_header("Content-Transfer-Encoding")
    if encoding and encoding.strip().lower() not in ("7bit", "8bit", "binary"):
        raise ParseError(f"CPIM content transfer encoding {encoding[:20]!r} refused", status=415)
    inner_coding = cpim.content_header("Content-Encoding")
    if inner_coding:
        inner = decode_content(inner, inner_coding)
    return _decode_part(
        inner_mime,
        inner_charset,
        inner,
        raw_type=cpim.content_type,
        message_id=cpim.message_id,
        disposition=cpim.disposition_notification,
        sent_at=cpim.date_time,
    )


_CPIM_FIRST = re.compile(rb"^(From|To|DateTime|NS|Subject|cc):[ \t]", re.IGNORECASE)
_CPIM_INNER = re.compile(rb"\r?\n\r?\nContent-Type:[ \t]*[A-Za-z]", re.IGNORECASE)


def looks_like_cpim(body: bytes) -> bool:
    """True when a text/plain body is a whole CPIM message (mislabelled by a server).

    Needs RFC 3862 message headers first and a blank line followed by the
    encapsulated Content-Type, which typed text practically never has.
    """
    if _CPIM_FIRST.match(body) is None:
        return False
    found = _CPIM_INNER.search(body)
    if found is None:
        return False
    head = body[: found.start()].decode("utf-8", "replace")
    return all(":" in line for line in head.splitlines() if line.strip())


def _decode_part(
    mime: str,
    charset: str | None,
    body: bytes,
    *,
    raw_type: str,
    message_id: str | None,
    disposition: frozenset[str],
    sent_at: float | None = None,
) -> Incoming:
    if mime == IMDN_CONTENT_TYPE:
        return Receipt(parse_imdn(body))
    if mime == ISCOMPOSING_CONTENT_TYPE:
        return Composing(parse_iscomposing(body))
    if mime not in _TEXT_TYPES:
        raise ParseError(f"cannot show {mime[:40]} messages", status=415)
    text = decode_text(body, charset)
    if mime == "text/html":
        # Text from the network is never rendered: HTML becomes its words.
        text = html_to_text(text)
    return Chat(
        text=text,
        content_type=raw_type,
        message_id=message_id,
        disposition=disposition,
        sent_at=sent_at,
    )


class UnsupportedCharset(ParseError):
    """The charset names a codec that is not a text encoding (base64, zlib, ...)."""

    def __init__(self, name: str) -> None:
        # RFC 3261 21.4.13: a body we cannot read as text.
        super().__init__("Unsupported charset", status=415)
        self.charset = name


def decode_text(body: bytes, charset: str | None) -> str:
    """Decode a text body by its charset; unknown charsets fall back to UTF-8.

    Undecodable bytes become U+FFFD rather than losing the message.

    Raises:
        UnsupportedCharset: Python knows the name as a bytes-to-bytes codec
            (``charset=base64``), which decodes to no text at all.
    """
    name = (charset or "utf-8").strip('"')
    try:
        info = codecs.lookup(name)
    except LookupError:
        name = "utf-8"
    else:
        if not info._is_text_encoding:
            raise UnsupportedCharset(name)
    return body.decode(name, errors="replace")


class _TextOnly(HTMLParser):
    # Only the character data is kept; tags, scripts and styles vanish.
    _BREAKS = frozenset({"br", "p", "div", "li", "tr"})
    _HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The words of an HTML fragment, without markup, for showing as plain text."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return "\n".join(line for line in lines if line)


def encode_cpim(
    *,
    from_: str,
    to: str,
    now: float,
    content_type: str,
    body: bytes,
    message_id: str,
    disposition: tuple[str, ...] = (),
    content_headers: tuple[tuple[str, str], ...] = (),
) -> tuple[str, bytes]:
    """(Content-Type, body) of a CPIM-wrapped part with an ``imdn.Message-ID``."""
    wrapped = build_cpim(
        from_=from_,
        to=to,
        date_time=now,
        content_type=content_type,
        body=body,
        message_id=message_id,
        disposition_notification=disposition,
        content_headers=content_headers,
    )
    return CPIM_CONTENT_TYPE, wrapped
