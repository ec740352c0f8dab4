"""What a user agent server decides before any service sees a request.

Sans-I/O and bytes in, bytes out: the RFC 3261 8.2 checks a UAS runs on a
new request (405, 416, 420, 481, 415, and OPTIONS answered for the agent),
the answer to bytes the parser refused (400, 413, 505 built from whatever
header lines can be read), and where a response goes (RFC 3261 18.2.2, RFC
3581). The asyncio agent only moves these bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from softphone.sip.errors import ParseError
from softphone.sip.fields import Via
from softphone.sip.grammar import LIST_ELEMENT, is_token
from softphone.sip.headers import Headers
from softphone.sip.message import Request, Response, new_tag
from softphone.sip.uri import SipUri, TelUri

__all__ = [
    "BUILTIN_METHODS",
    "Answer",
    "HostPort",
    "Route",
    "Uas",
    "answer_from_lines",
    "answer_unparseable",
    "response_destination",
    "stamp_via",
]

#: A host (an IP literal, IPv6 without brackets) and a port.
HostPort = tuple[str, int]

#: Methods a UAS answers itself when no service claims them.
BUILTIN_METHODS = frozenset({"OPTIONS", "ACK", "CANCEL"})

#: Methods that never create a dialog here (RFC 3428 4: MESSAGE outside a
#: session), so a To tag on one names a dialog we cannot know.
NO_DIALOG_METHODS = frozenset({"MESSAGE"})


@dataclass(frozen=True, slots=True)
class Route:
    """What the UAS knows about a method a service takes."""

    #: MIME types the service takes in a body (lower case); None means any.
    accept: tuple[str, ...] | None = None
    #: True when the service knows its dialogs and answers 481 itself.
    in_dialog: bool = True


@dataclass(frozen=True, slots=True)
class Answer:
    """A response the UAS gives without the service: status, reason, headers."""

    status: int
    reason: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    #: True when no transaction state is needed to give it (RFC 3261 8.2.7:
    #: a stateless UAS). Refusals are stateless: a retransmission is simply
    #: refused again.
    stateless: bool = True


class Uas:
    """The RFC 3261 8.2 checks for the methods services registered.

    Args:
        supported: option tags we support (RFC 3261 20.37); a Require
            outside them gets 420.
    """

    def __init__(self, *, supported: Iterable[str] = ()) -> None:
        self.supported = frozenset(supported)
        self._routes: dict[str, Route] = {}

    def add_route(
        self, method: str, *, accept: Iterable[str] | None = None, in_dialog: bool | None = None
    ) -> None:
        """Say that a service takes *method* (see `UserAgent.handle`)."""
        method = method.upper()
        if in_dialog is None:
            in_dialog = method not in NO_DIALOG_METHODS
        self._routes[method] = Route(
            tuple(a.lower() for a in accept) if accept is not None else None, in_dialog
        )

    @property
    def routes(self) -> Mapping[str, Route]:
        """The registered methods and what they take."""
        return self._routes

    @property
    def allowed_methods(self) -> list[str]:
        """The methods answered here (the Allow header, RFC 3261 20.5)."""
        return sorted(set(self._routes) | BUILTIN_METHODS)

    def check(self, request: Request) -> Answer | None:
        """Run RFC 3261 8.2's checks in its order on a new request.

        Returns the answer when the UAS answers itself (a refusal, or 200 to
        an OPTIONS no service claims), or None when the service must.
        ACK never reaches here: it is never answered (RFC 3261 17).

        Raises:
            ParseError: a header the checks read (Require, Content-Type, To)
                is malformed; answer with its status and reason.
        """
        method = request.method
        route = self._routes.get(method)
        # 8.2.1: method inspection comes first.
        if route is None and method not in ("OPTIONS", "CANCEL"):
            return Answer(
                405,
                headers=(("Allow", ", ".join(self.allowed_methods)),),
                stateless=method != "INVITE",
            )
        stateless = method != "INVITE"
        # 8.2.2.1: a Request-URI scheme we do not understand gets 416.
        if not isinstance(request.uri, SipUri | TelUri):
            return Answer(416, stateless=stateless)
        # 8.2.2.3: every Require option must be one we support (never for
        # CANCEL; ACK never reaches here).
        if method != "CANCEL":
            unsupported = [tag for tag in request.require if tag not in self.supported]
            if unsupported:
                return Answer(
                    420, headers=(("Unsupported", ", ".join(unsupported)),), stateless=stateless
                )
        if method == "CANCEL" and route is None:
            # We answer INVITEs at once with a final response, so there is
            # never anything left to cancel (RFC 3261 9.2).
            return Answer(481)
        # 8.2.3: content processing.
        if route is not None and route.accept is not None and request.body:
            content_type = request.content_type
            if content_type is None or content_type.mime.lower() not in route.accept:
                return Answer(415, headers=(("Accept", ", ".join(route.accept)),))
        # RFC 3261 12.2.2: "If the UAS wishes to reject the request because it
        # does not wish to recreate the dialog, it MUST respond to the request
        # with a 481". A service that keeps no dialogs knows none by a To tag.
        if route is not None and not route.in_dialog and request.to.tag is not None:
            return Answer(481, stateless=stateless)
        if route is None:  # OPTIONS without a service: answer for the agent (RFC 3261 11.2)
            return Answer(
                200,
                headers=(
                    ("Allow", ", ".join(self.allowed_methods)),
                    ("Accept", "text/plain, application/reginfo+xml"),
                ),
            )
        return None


# -- where a response goes and what its Via says ------------------------------------


def _split_first(line: str) -> tuple[str, str]:
    """The first comma-separated element of a header line, and the rest."""
    match = LIST_ELEMENT.match(line)
    first = match.group() if match is not None else line
    return first, line[len(first) :]


def top_via(headers: Headers) -> Via | None:
    """The top Via of *headers*, read leniently; None when there is none.

    A Via the parser refused for its version or parameters (RFC 4475
    badinv01 has ``;;,;,,``) still names the sent-protocol and sent-by a 400 goes back
    to: its well-formed parameters are kept, the rest skipped. Without even
    a sent-by there is nowhere to answer.
    """
    line = headers.get("Via")
    if line is None:
        return None
    first = _split_first(line)[0].strip()
    try:
        return Via.parse(first)
    except ParseError:
        pass
    # The sent-by after a sent-protocol of any version (RFC 4475 badvers is
    # SIP/7.0 and wants a 505 back).
    head, *rest = first.split(";")
    protocol, slash, transport_sent_by = head.rpartition("/")
    if not slash or not protocol.replace(" ", "").upper().startswith("SIP/"):
        return None
    try:
        bare = Via.parse("SIP/2.0/" + transport_sent_by.strip())
    except ParseError:
        return None
    params: list[tuple[str, str | None]] = []
    for item in rest:
        name, eq, value = (part.strip() for part in item.partition("="))
        if is_token(name) and (not eq or is_token(value)):
            params.append((name, value if eq else None))
    return Via(bare.transport, bare.host, bare.port, tuple(params))


def response_destination(via: Via, source: HostPort, *, reliable: bool) -> HostPort:
    """Where responses to a request with top *via* go (RFC 3261 18.2.2).

    On a stream, back on the connection it came in on (keyed by the source);
    on UDP, to the source port when the client asked with rport (RFC 3581
    4), else to the sent-by port (5060 by default) at the address the request
    came from.
    """
    if reliable or via.rport is not None:
        return source
    port = via.port or 5060
    return (source[0], port) if 0 < port < 65536 else source


def stamp_via(response: Response, source: HostPort, *, top: Via | None = None) -> None:
    """Add received and fill rport in the top Via of *response*.

    RFC 3261 18.2.1 adds `received` when the sent-by host differs from the
    packet's source; RFC 3581 4 fills an empty `rport` with the source port
    and then always adds `received`. A top Via that cannot be read is left
    as it is. *top* is that Via already parsed (the request's, which the
    response copied), so it is not read again.
    """
    line = response.headers.get("Via")
    via = top if top is not None else top_via(response.headers)
    if line is None or via is None:
        return
    rest = _split_first(line)[1]
    response.headers.replace_first("Via", _stamped(via, source) + rest)


def _stamped(via: Via, source: HostPort) -> str:
    # The top Via with received and rport (see `stamp_via`), as text: its
    # parts come from a parsed Via and the packet's source, so they are valid.
    host, port = source
    params = ""
    rport = False
    for name, value in via.params:
        lowered = name.lower()
        if lowered == "rport":
            params += f";{name}={port}"
            rport = True
        elif lowered != "received":
            params += f";{name}" if value is None else f";{name}={value}"
    if rport or via.host.strip("[]").lower() != host.lower():
        params = f";received={host}{params}"
    return f"SIP/2.0/{via.transport} {via.sent_by}{params}"


def answer_from_lines(
    headers: Headers,
    status: int,
    reason: str,
    *,
    to_tag: str | None,
    top: Via,
    source: HostPort,
) -> bytes:
    """A response without a body to a request with *headers*, built from its lines.

    What `Response.for_request` then `stamp_via` give, byte for byte, for a
    request the parser accepted (its top Via is *top*): every Via (the top
    one stamped with received and rport), From, To (with *to_tag* added;
    pass None when the request's To has a tag), Call-ID and CSeq, in the
    request's order. Written straight from the header lines the parser
    split (no typed response, no second scan of the bytes): the answer to
    every stored MESSAGE is made this way.
    """
    out = [f"SIP/2.0 {status} {reason}"]
    stamped = False
    for key, name, value in headers._items:
        if key not in _COPIED:
            continue
        if key == "via" and not stamped:
            stamped = True
            # Other values on the same line stay as they came.
            rest = _split_first(value)[1] if "," in value else ""
            value = _stamped(top, source) + rest
        elif key == "to" and to_tag is not None:
            value = f"{value};tag={to_tag}"
        out.append(f"{name}: {value}")
    out.append("Content-Length: 0\r\n\r\n")
    # Header text keeps undecodable bytes as surrogate escapes (as parsed).
    return "\r\n".join(out).encode("utf-8", "surrogateescape")


# -- bytes the parser refused -------------------------------------------------------------

#: Compact header names (RFC 3261 7.3.3) among those a response copies.
_COMPACT = {"v": "Via", "f": "From", "t": "To", "i": "Call-ID"}
#: What RFC 3261 8.2.6.2 copies into a response; Via keeps every value.
_COPIED = {"via": "Via", "from": "From", "to": "To", "call-id": "Call-ID", "cseq": "CSeq"}
_TO_TAG = re.compile(r";[ \t]*tag[ \t]*=", re.IGNORECASE)
#: Control characters that would corrupt a copied header line.
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_LINE_BREAK = re.compile(r"\r?\n")


def answer_unparseable(
    error: ParseError, data: bytes, source: HostPort, *, reliable: bool
) -> tuple[bytes, HostPort] | None:
    """The answer to a request we could not accept, and where it goes.

    A response needs Via, From, To, Call-ID and CSeq copied from the request
    (RFC 3261 8.2.6.2). They come from `ParseError.partial` when the parser
    could split the header lines, else from the raw bytes (a broken
    Request-Line still leaves readable header lines, and RFC 4475 3.1.2
    prefers a 400 or 505 to silence). Returns None when there is nothing to
    answer: a response, an ACK (RFC 3261 17), or no top Via a response could
    be routed by. Never raises.
    """
    try:
        found = _copied_headers(error.partial, data)
        if found is None:
            return None
        method, headers = found
        via = top_via(headers)
        if method == "ACK" or via is None:
            return None
        response = Response(status=error.status, reason=error.reason, headers=headers)
        stamp_via(response, source)
        return bytes(response), response_destination(via, source, reliable=reliable)
    except Exception:  # the raw headers themselves cannot be written back
        return None


def _copied_headers(partial: Request | None, data: bytes) -> tuple[str, Headers] | None:
    """The method and the headers a response to an unparseable request copies.

    From *partial* when the parser produced one, else read from the raw
    bytes. Single-valued fields keep their first value only (RFC 4475
    multi01 has two From lines: one is enough to answer). A To without a
    tag gets one (RFC 3261 8.2.6.2). Returns None for a response or for
    bytes with no request line.
    """
    if partial is not None:
        method = partial.method
        lines: list[tuple[str, str]] = list(partial.headers)
    else:
        raw = _raw_request(data)
        if raw is None:
            return None
        method, lines = raw
    headers = Headers()
    for name, value in lines:
        canonical = _COPIED.get(_COMPACT.get(name.strip(), name.strip()).lower())
        if canonical is None or _UNSAFE.search(value):
            continue
        if canonical != "Via" and canonical in headers:
            continue
        if canonical == "To" and not _TO_TAG.search(value.rsplit(">", 1)[-1]):
            value = f"{value};tag={new_tag()}"
        headers.add(canonical, value.strip())
    return method, headers


def _raw_request(data: bytes) -> tuple[str, list[tuple[str, str]]] | None:
    """Split a request whose start line the parser refused into header lines.

    Best effort, for answering only: folded lines are unfolded (RFC 3261
    7.3.1), anything without a colon is skipped.
    """
    head = _BLANK_LINE.split(data, maxsplit=1)[0]
    text = head.decode("utf-8", errors="replace")
    start, *rest = _LINE_BREAK.split(text)
    words = start.split()
    if not words or start.startswith("SIP/"):
        return None  # empty, or a response: never answered (RFC 3261 18.1.2)
    unfolded: list[str] = []
    for line in rest:
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += " " + line.strip()
        else:
            unfolded.append(line)
    lines: list[tuple[str, str]] = []
    for line in unfolded:
        name, colon, value = line.partition(":")
        if colon and name.strip():
            lines.append((name.strip(), value.strip()))
    return words[0], lines
