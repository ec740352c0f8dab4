"""SIP requests and responses: the message model, ``parse()`` and ``bytes()``.

``parse()`` is strict about everything the stack reads (start line, Via,
From, To, Call-ID, CSeq, Max-Forwards, Content-Length, Contact,
Content-Type, Expires, Date) and tolerant of headers it does not know, which
are kept raw. The views of the headers ``parse()`` checks are built by it
and kept in the message's instance dict (reading one is an attribute
lookup); the others are parsed on first access and cached in the
:class:`Headers`. Either is dropped when the headers change.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload
from weakref import ref as _weakref

from softphone.sip import recent
from softphone.sip.errors import LocalProtocolError, ParseError
from softphone.sip.fields import (
    MAX_CSEQ,
    Contact,
    ContentType,
    CSeq,
    Event,
    RetryAfter,
    SubscriptionState,
    Via,
    _usual_via,
    parse_delta_seconds,
)
from softphone.sip.grammar import CALL_ID, LINE_BREAK, TOKEN, TOKEN_CHARS, UNSAFE_VALUE
from softphone.sip.headers import _CANONICAL, Headers, split_list
from softphone.sip.record import rebuild
from softphone.sip.uri import (
    _SIMPLE_SIP_URI,
    AbsoluteUri,
    NameAddr,
    SipUri,
    TelUri,
    Uri,
    _usual_name_addr,
    _usual_sip_uri,
    parse_uri,
)

if TYPE_CHECKING:
    from softphone.sip.auth import Challenge, Credentials

__all__ = [
    "MAX_DATAGRAM",
    "MAX_HEADERS",
    "REASON_PHRASES",
    "Request",
    "Response",
    "new_branch",
    "new_call_id",
    "new_tag",
    "parse",
]

T = TypeVar("T")

#: Largest message parse() accepts: the largest UDP payload (RFC 768 length field).
MAX_DATAGRAM = 65535
#: Most header lines parse() accepts; more is a resource attack, answered 413.
MAX_HEADERS = 256

#: The branch magic cookie of RFC 3261 8.1.1.7.
MAGIC_COOKIE = "z9hG4bK"

#: Default reason phrases (RFC 3261 21, RFC 3265/6665 for 202/489, RFC 3903 412).
REASON_PHRASES: dict[int, str] = {
    100: "Trying",
    180: "Ringing",
    181: "Call Is Being Forwarded",
    182: "Queued",
    183: "Session Progress",
    200: "OK",
    202: "Accepted",
    204: "No Notification",
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Moved Temporarily",
    305: "Use Proxy",
    380: "Alternative Service",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    410: "Gone",
    412: "Conditional Request Failed",
    413: "Request Entity Too Large",
    414: "Request-URI Too Long",
    415: "Unsupported Media Type",
    416: "Unsupported URI Scheme",
    420: "Bad Extension",
    421: "Extension Required",
    423: "Interval Too Brief",
    480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist",
    482: "Loop Detected",
    483: "Too Many Hops",
    484: "Address Incomplete",
    485: "Ambiguous",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    489: "Bad Event",
    491: "Request Pending",
    493: "Undecipherable",
    500: "Server Internal Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Server Time-out",
    505: "Version Not Supported",
    513: "Message Too Large",
    600: "Busy Everywhere",
    603: "Decline",
    604: "Does Not Exist Anywhere",
    606: "Not Acceptable",
}

# rfc1123-date = wkday "," SP date1 SP time SP "GMT" (RFC 3261 20.17)
_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} "
    r"[0-9]{2}:[0-9]{2}:[0-9]{2} GMT"
)
# token *( COMMA token ), as Allow, Supported and Require are written.
_TOKEN_LIST = re.compile(rf"[{TOKEN_CHARS}]+(?:[ \t]*,[ \t]*[{TOKEN_CHARS}]+)*")
# The same list with ", " between the tokens, as it is usually written.
_USUAL_TOKEN_LIST = re.compile(rf"[{TOKEN_CHARS}]++(?:, [{TOKEN_CHARS}]++)*+")
# Header name as written -> (lookup key, canonical name): every known name in
# lower case, in its usual spelling and (compact forms) in upper case. Other
# names are added once checked (see _name_entry), up to a bound, so a line
# costs one dict lookup whatever its name.
_KEYS: dict[str, tuple[str, str]] = {}
for _lname, _canonical in _CANONICAL.items():
    for _spelling in (_lname, _canonical, _lname.upper()):
        _KEYS[_spelling] = (_canonical.lower(), _canonical)
_NAMES: dict[str, tuple[str, str]] = dict(_KEYS)
# Names from the network are remembered only while few and short: a peer
# sending endless new names must not grow memory.
_NAMES_MAX = len(_KEYS) + 512
_NAME_MAX_LENGTH = 64
# Optional views that parse() fills in when their header is absent, so that
# reading one is an attribute lookup: header key -> view name.
_ABSENT_NONE = {
    "min-expires": "min_expires",
    "event": "event",
    "subscription-state": "subscription_state",
    "authorization": "authorization",
    "proxy-authorization": "proxy_authorization",
    "retry-after": "retry_after",
}
_ABSENT_LIST = {
    "allow": "allow",
    "supported": "supported",
    "require": "require",
    "www-authenticate": "www_authenticate",
    "proxy-authenticate": "proxy_authenticate",
}
_OPTIONAL = {**_ABSENT_NONE, **_ABSENT_LIST}
# The headers every message carries, in the order parse() checks them.
_REQUIRED = (
    ("via", "Via"),
    ("from", "From"),
    ("to", "To"),
    ("call-id", "Call-ID"),
    ("cseq", "CSeq"),
)
# The headers that appear once, in the order parse() checks them: key, name.
_SINGLE = (
    ("from", "From"),
    ("to", "To"),
    ("call-id", "Call-ID"),
    ("cseq", "CSeq"),
    ("max-forwards", "Max-Forwards"),
    ("content-type", "Content-Type"),
    ("expires", "Expires"),
    ("date", "Date"),
)
_OPTIONAL_KEYS = frozenset(_OPTIONAL)
_BYTES_LIKE = (bytes, bytearray, memoryview)
# The usual Request-Line: a token method, a SIP URI of the usual shape (see
# softphone.sip.uri._SIMPLE_SIP_URI) and SIP/2.0, single spaces. Anything else
# takes the general path, which says what is wrong.
_USUAL_REQUEST_LINE = re.compile(rf"([{TOKEN_CHARS}]++) {_SIMPLE_SIP_URI} SIP/2\.0")

# Each typed view below is built from the raw values of its header (the
# lines list of the index the splitter made, or None when absent): no
# header is looked up or scanned twice.


def _single(lines: Sequence[str] | None, name: str) -> str | None:
    if lines is None:
        return None
    if len(lines) > 1:
        raise ParseError(f"Multiple {name} headers")
    return lines[0]


def _name_addr(lines: Sequence[str] | None, name: str) -> NameAddr:
    value = _single(lines, name)
    if value is None:
        raise ParseError(f"Missing {name} header")
    return _name_addr_value(value, name)


def _name_addr_value(value: str, name: str) -> NameAddr:
    usual = _usual_name_addr(value)
    if usual is not None:
        return usual
    try:
        return NameAddr.parse(value)
    except ParseError as exc:
        reason = f"Bad {name} header: {exc.reason}"
    # Tell "To: a, b" (two values where one is allowed) from a malformed value.
    try:
        elements = [NameAddr.parse(item) for item in split_list(value)]
    except ParseError:
        elements = []
    if len(elements) > 1:
        raise ParseError(f"Multiple values in {name} header")
    raise ParseError(reason)


def _from_of(lines: Sequence[str] | None) -> NameAddr:
    return _name_addr(lines, "From")


def _to_of(lines: Sequence[str] | None) -> NameAddr:
    return _name_addr(lines, "To")


def _expires_of(lines: Sequence[str] | None) -> int | None:
    value = _single(lines, "Expires")
    return None if value is None else _expires_value(value)


def _expires_value(value: str) -> int:
    # 1*DIGIT (ASCII only: str.isdigit alone takes other scripts' digits).
    if value.isdigit() and value.isascii():
        return int(value)
    return parse_delta_seconds(value, "Expires")


def _min_expires_of(lines: Sequence[str] | None) -> int | None:
    value = _single(lines, "Min-Expires")
    return None if value is None else parse_delta_seconds(value, "Min-Expires")


def _via_of(lines: Sequence[str] | None) -> list[Via]:
    if lines is not None and len(lines) == 1:
        # One usual Via line (the usual case at a UA): no loop.
        via = _usual_via(lines[0])
        if via is not None:
            return [via]
    out: list[Via] = []
    parse_via = Via.parse
    for line in lines or ():
        via = _usual_via(line)
        if via is not None:
            # One usual via-parm (no comma, quote or <): what the list
            # split and Via.parse below give for it.
            out.append(via)
            continue
        try:
            if "," in line or '"' in line or "<" in line:
                out.extend(parse_via(item) for item in split_list(line, strict=True))
            else:
                # One value on the line: what split_list(strict=True) would
                # return, without building a list.
                item = line.strip(" \t")
                if not item:
                    raise ParseError("Empty element in a header list")
                out.append(parse_via(item))
        except ParseError as exc:
            raise ParseError(f"Bad Via header: {exc.reason}") from None
    return out


def _call_id_of(lines: Sequence[str] | None) -> str:
    value = _single(lines, "Call-ID")
    if value is None:
        raise ParseError("Missing Call-ID header")
    return _call_id_value(value)


def _call_id_value(value: str) -> str:
    if CALL_ID.fullmatch(value) is None:
        raise ParseError("Bad Call-ID header")
    return value


def _cseq_of(lines: Sequence[str] | None) -> CSeq:
    value = _single(lines, "CSeq")
    if value is None:
        raise ParseError("Missing CSeq header")
    return _cseq_value(value)


# The methods a CSeq usually names (tokens, so no regex check is needed).
_USUAL_METHODS = frozenset(
    (
        "INVITE",
        "ACK",
        "BYE",
        "CANCEL",
        "OPTIONS",
        "REGISTER",
        "MESSAGE",
        "SUBSCRIBE",
        "NOTIFY",
        "PUBLISH",
        "INFO",
        "PRACK",
        "UPDATE",
        "REFER",
    )
)


def _cseq_value(value: str) -> CSeq:
    # The usual "digits SP METHOD" (already stripped by the split) is read
    # by str methods; anything else goes to CSeq.parse, which gives errors.
    number, space, method = value.partition(" ")
    if (
        space
        and method in _USUAL_METHODS
        and number.isdigit()
        and number.isascii()
        and len(number) <= 10
    ):
        seq = int(number)
        if seq <= MAX_CSEQ:
            return rebuild(CSeq, (seq, method))
    try:
        return CSeq.parse(value)
    except ParseError as exc:
        reason = exc.reason if "CSeq" in exc.reason else f"Bad CSeq header: {exc.reason}"
        raise ParseError(reason) from None


def _max_forwards_of(lines: Sequence[str] | None) -> int | None:
    value = _single(lines, "Max-Forwards")
    return None if value is None else _max_forwards_value(value)


# Each Max-Forwards value written the usual way ("70") -> its number.
_MAX_FORWARDS = {str(number): number for number in range(256)}


def _max_forwards_value(value: str) -> int:
    # Max-Forwards = 1*DIGIT; RFC 3261 20.22 limits it to 0-255.
    number = _MAX_FORWARDS.get(value)
    if number is not None:
        return number
    if value.isdigit() and value.isascii():
        number = int(value)
        if number <= 255:
            return number
    raise ParseError("Max-Forwards is not a number from 0 to 255")


def _plain_contact_params(params: tuple[tuple[str, str | None], ...]) -> bool:
    # No q and only numeric expires: nothing Contact.expires or Contact.q
    # could refuse, so they need not be read.
    for name, value in params:
        lname = name.lower()
        if lname == "q" or (
            lname == "expires" and not (value and value.isdigit() and value.isascii())
        ):
            return False
    return True


def _contact_of(lines: Sequence[str] | None) -> list[Contact]:
    if lines is None:
        return []
    if len(lines) == 1 and "," not in lines[0]:
        # One usual name-addr: what the element split and Contact.parse_list
        # below give for it (numeric parameters checked all the same).
        address = _usual_name_addr(lines[0])
        if address is not None:
            contact = rebuild(Contact, (address,))
            if address.params and not _plain_contact_params(address.params):
                try:
                    contact.expires  # noqa: B018
                    contact.q  # noqa: B018
                except ParseError as exc:
                    raise ParseError(f"Bad Contact header: {exc.reason}") from None
            return [contact]
    elements = []
    for line in lines:
        if line == "*":
            elements.append("*")
        else:
            try:
                elements.extend(split_list(line, strict=True))
            except ParseError as exc:
                raise ParseError(f"Bad Contact header: {exc.reason}") from None
    try:
        return Contact.parse_list(elements)
    except ParseError as exc:
        raise ParseError(f"Bad Contact header: {exc.reason}") from None


def _content_type_of(lines: Sequence[str] | None) -> ContentType | None:
    value = _single(lines, "Content-Type")
    return None if value is None else ContentType.parse(value)


def _date_of(lines: Sequence[str] | None) -> str | None:
    value = _single(lines, "Date")
    return None if value is None else _date_value(value)


def _date_value(value: str) -> str:
    if _DATE.fullmatch(value) is None:
        raise ParseError("Date is not an RFC 1123 date in GMT")
    return value


def _event_of(lines: Sequence[str] | None) -> Event | None:
    value = _single(lines, "Event")
    return None if value is None else Event.parse(value)


def _subscription_state_of(lines: Sequence[str] | None) -> SubscriptionState | None:
    value = _single(lines, "Subscription-State")
    return None if value is None else SubscriptionState.parse(value)


def _retry_after_of(lines: Sequence[str] | None) -> RetryAfter | None:
    value = _single(lines, "Retry-After")
    return None if value is None else RetryAfter.parse(value)


def _tokens_of(lines: Sequence[str] | None, name: str) -> list[str]:
    if lines is None:
        return []
    if len(lines) == 1 and _USUAL_TOKEN_LIST.fullmatch(lines[0]) is not None:
        return lines[0].split(", ")
    if len(lines) == 1 and _TOKEN_LIST.fullmatch(lines[0]) is not None:
        # One line of tokens and commas, checked by one regex.
        return [item.strip(" \t") for item in lines[0].split(",")]
    values = []
    for line in lines:
        values.extend(split_list(line))
    for value in values:
        if TOKEN.fullmatch(value) is None:
            raise ParseError(f"Bad {name} header")
    return values


def _challenges_of(lines: Sequence[str] | None) -> list[Challenge]:
    return [] if lines is None else _auth().parse_challenges(lines)


def _credentials_of(lines: Sequence[str] | None) -> Credentials | None:
    return None if lines is None else _auth().parse_credentials(lines[0])


_AUTH: Any = None


def _auth() -> Any:
    # softphone.sip.auth imports this module: bind it on first use, once.
    global _AUTH
    if _AUTH is None:
        from softphone.sip import auth

        _AUTH = auth
    return _AUTH


class _View(Generic[T]):
    """A typed view of one header, read like an attribute.

    ``parse()`` puts the views it builds in the message's instance dict, so
    reading one is a plain attribute lookup (this descriptor defines no
    ``__set__``, so the instance dict wins). A view not there (a message
    built by code, or one whose headers changed since) is parsed here and
    cached in its :class:`Headers` until they change.
    """

    def __init__(self, key: str, build: Callable[[Sequence[str] | None], T], doc: str) -> None:
        self._key = key
        self._build = build
        self.__doc__ = doc

    @overload
    def __get__(self, message: None, owner: type | None = None) -> _View[T]: ...
    @overload
    def __get__(self, message: _Message, owner: type | None = None) -> T: ...
    def __get__(self, message: _Message | None, owner: type | None = None) -> T | _View[T]:
        if message is None:
            return self
        headers = message._headers
        cache = headers._cache
        key = self._key
        # A test, not try/except KeyError: the first read of each view is a
        # miss, and raising costs more than a second lookup on a hit.
        if key in cache:
            return cache[key]  # type: ignore[no-any-return]
        value = cache[key] = self._build(headers._lines(key))
        return value


def _get_headers(message: _Message) -> Headers:
    # The only way to the lines from outside: the views parse() left in the
    # instance dict must be dropped if they change, so the lines learn here
    # which message to tell (Headers._changed), once, not at every parse.
    fields = message.__dict__
    headers: Headers = fields["_headers"]
    if "via" in fields and headers._owner is None:
        headers._owner = _weakref(message)
    return headers


def _set_headers(message: _Message, headers: Headers) -> None:
    fields = message.__dict__
    if "via" in fields:
        message._forget_views()
    fields["_headers"] = headers


def _tokens_view(name: str) -> Callable[[Sequence[str] | None], list[str]]:
    return lambda lines: _tokens_of(lines, name)


class _Message:
    """Typed read-only views shared by :class:`Request` and :class:`Response`.

    Each view parses its header on first access; a malformed header raises
    :class:`ParseError` from the view (``parse()`` has already validated the
    headers the stack relies on, built their views and filled in the absent
    optional ones).
    """

    body: bytes
    _headers: Headers

    #: The header lines (changing them, or assigning other headers, makes
    #: every view read the new lines).
    headers = property(_get_headers, _set_headers)

    via = _View("via", _via_of, "Every Via value, top first.")
    from_ = _View(
        "from", _from_of, "The From header. Raises: ParseError when missing or malformed."
    )
    to = _View("to", _to_of, "The To header. Raises: ParseError when missing or malformed.")
    call_id = _View(
        "call-id", _call_id_of, "The Call-ID. Raises: ParseError when missing or malformed."
    )
    cseq = _View("cseq", _cseq_of, "The CSeq. Raises: ParseError when missing or malformed.")
    contact = _View("contact", _contact_of, "Every Contact value (``Contact(None)`` for ``*``).")
    max_forwards = _View("max-forwards", _max_forwards_of, "Max-Forwards (0-255), or ``None``.")
    content_type = _View("content-type", _content_type_of, "Content-Type, or ``None``.")
    expires = _View("expires", _expires_of, "Expires in seconds, or ``None``.")
    min_expires = _View(
        "min-expires", _min_expires_of, "Min-Expires in seconds (RFC 3261 20.23), or ``None``."
    )
    date = _View(
        "date", _date_of, "The raw Date header (checked to be an RFC 1123 GMT date), or ``None``."
    )
    event = _View("event", _event_of, "Event (RFC 6665), or ``None``.")
    subscription_state = _View(
        "subscription-state", _subscription_state_of, "Subscription-State (RFC 6665), or ``None``."
    )
    allow = _View("allow", _tokens_view("Allow"), "Allow: the methods, as written.")
    supported = _View("supported", _tokens_view("Supported"), "Supported option tags.")
    require = _View("require", _tokens_view("Require"), "Require option tags.")
    www_authenticate = _View(
        "www-authenticate",
        _challenges_of,
        "Every WWW-Authenticate challenge (parsed by ``softphone.sip.auth``).",
    )
    proxy_authenticate = _View(
        "proxy-authenticate", _challenges_of, "Every Proxy-Authenticate challenge."
    )
    authorization = _View(
        "authorization",
        _credentials_of,
        "The first Authorization header's credentials, or ``None``.",
    )
    proxy_authorization = _View(
        "proxy-authorization",
        _credentials_of,
        "The first Proxy-Authorization header's credentials, or ``None``.",
    )
    retry_after = _View("retry-after", _retry_after_of, "Retry-After, or ``None``.")

    def _forget_views(self) -> None:
        # The views parse() left in the instance dict describe headers that
        # have changed or been replaced: the descriptors read the headers again.
        fields = self.__dict__
        for name in _VIEW_NAMES:
            fields.pop(name, None)

    @property
    def content_length(self) -> int:
        """The body length (what ``bytes()`` writes as Content-Length)."""
        return len(self.body)

    def _serialize(self, start_line: str) -> bytes:
        # Content-Length is always written from the body, at the place of the
        # first Content-Length line (or last), so framing can never lie.
        lines = [start_line]
        length = f"Content-Length: {len(self.body)}"
        for key, name, value in self._headers._items:
            if key == "content-length":
                if length:
                    lines.append(length)
                    length = ""
            else:
                lines.append(f"{name}: {value}")
        if length:
            lines.append(length)
        lines.append("\r\n")
        return "\r\n".join(lines).encode("utf-8", "surrogateescape") + self.body

    def _validate(
        self, views: dict[str, Any], first: dict[str, str], more: dict[str, list[str]]
    ) -> None:
        # RFC 3261 8.1.1: every request and response carries Via, From, To,
        # Call-ID and CSeq; those and the headers whose grammar has no comma
        # list appear once. The checks run in a fixed order so that the first
        # problem found is always the same one. `views` is the instance dict
        # (a copy of a template with every view's key, so it never grows)
        # and `first` and `more` the splitter's index (see _split_headers).
        get = first.get
        try:
            top_via = first["via"]
            from_ = first["from"]
            to = first["to"]
            call_id = first["call-id"]
            cseq = first["cseq"]
        except KeyError:
            for key, name in _REQUIRED:
                if key not in first:
                    raise ParseError(f"Missing {name} header") from None
            raise
        max_forwards = get("max-forwards")
        contact = get("contact")
        content_type = get("content-type")
        expires = get("expires")
        date = get("date")
        via: Sequence[str] = (top_via,)
        contacts: Sequence[str] | None = None if contact is None else (contact,)
        if more:
            for key, name in _SINGLE:
                if key in more:
                    raise ParseError(f"Multiple {name} headers")
            via = more.get("via") or via
            if contact is not None:
                contacts = more.get("contact") or contacts
        # Build the views the stack relies on, from the lines the splitter
        # indexed, in this order (the first error found is always the same
        # one); the optional views of absent headers read None (the
        # template's) or a fresh empty list. They are in the instance dict,
        # where reading one is an attribute lookup; the headers drop them if
        # they change (see Headers._changed).
        # The usual single Via first, then the general reader (which also
        # gives the errors): a call less per message.
        top = _usual_via(top_via) if len(via) == 1 else None
        views["via"] = [top] if top is not None else _via_of(via)
        # The usual name-addr first (a record is never false), then the
        # general reader, which also gives the errors: a call less per value.
        views["from_"] = _usual_name_addr(from_) or _name_addr_value(from_, "From")
        views["to"] = _usual_name_addr(to) or _name_addr_value(to, "To")
        views["call_id"] = _call_id_value(call_id)
        views["cseq"] = _cseq_value(cseq)
        if max_forwards is not None:
            views["max_forwards"] = _max_forwards_value(max_forwards)
        views["contact"] = [] if contacts is None else _contact_of(contacts)
        if content_type is not None:
            views["content_type"] = ContentType.parse(content_type)
        if expires is not None:
            views["expires"] = _expires_value(expires)
        if date is not None:
            views["date"] = _date_value(date)
        # Fresh lists: a caller may change the list a view returns.
        views["allow"] = []
        views["supported"] = []
        views["require"] = []
        views["www_authenticate"] = []
        views["proxy_authenticate"] = []
        for key in _OPTIONAL_KEYS.intersection(first):
            name = _OPTIONAL[key]
            build = _READ_BY_THE_STACK.get(key)
            if build is None:
                del views[name]
                continue
            # A header the stack reads whenever it is there is read now,
            # into the instance dict; a malformed one is left to its view,
            # which raises the same error when read (parse() does not fail
            # on it, whatever the error).
            try:
                views[name] = build(more.get(key) or (first[key],))
            except Exception:
                del views[name]


#: The attribute names of the typed views.
_VIEW_NAMES = tuple(name for name, value in vars(_Message).items() if isinstance(value, _View))
# The optional headers the stack reads whenever a message carries them (a
# SUBSCRIBE's or NOTIFY's Event and Subscription-State, a registrar's
# Authorization, a 401's challenges): parse() builds their views, by key.
_READ_BY_THE_STACK: dict[str, Callable[[Sequence[str]], Any]] = {
    "event": _event_of,
    "subscription-state": _subscription_state_of,
    "authorization": _credentials_of,
    "proxy-authorization": _credentials_of,
    "www-authenticate": _challenges_of,
    "proxy-authenticate": _challenges_of,
}
# The instance dicts of parsed messages: fields and views, the views that
# stay None when their header is absent included (see _Message._validate).
_REQUEST_FIELDS: dict[str, Any] = dict.fromkeys(
    ("method", "uri", "_headers", "body", "version", *_VIEW_NAMES)
)
_RESPONSE_FIELDS: dict[str, Any] = dict.fromkeys(
    ("status", "reason", "_headers", "body", "version", *_VIEW_NAMES)
)


def _headers_without_length(headers: Headers) -> list[tuple[str, str]]:
    return [(k, v) for k, _, v in headers._items if k != "content-length"]


def _coerce_headers(headers: Headers | Iterable[tuple[str, str]]) -> Headers:
    return headers if isinstance(headers, Headers) else Headers(headers)


def _check_body(body: Any) -> bytes:
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if not isinstance(body, bytes):
        raise LocalProtocolError("a message body must be bytes")
    return body


@dataclass(eq=False)
class Request(_Message):
    """A SIP request.

    Equality compares method, URI, headers (in order, canonical names) and
    body; Content-Length is framing derived from the body and not compared.

    Raises:
        LocalProtocolError: (on construction) a method that is not a token,
            a URI given as text that does not parse, or a body that is not bytes.
    """

    method: str
    uri: Uri
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    version: str = "SIP/2.0"

    def __post_init__(self) -> None:
        if not isinstance(self.method, str) or TOKEN.fullmatch(self.method) is None:
            raise LocalProtocolError(f"invalid method {self.method!r}")
        if isinstance(self.uri, str):
            try:
                self.uri = parse_uri(self.uri)
            except ParseError as exc:
                raise LocalProtocolError(f"invalid request URI: {exc.reason}") from None
        elif not isinstance(self.uri, SipUri | TelUri | AbsoluteUri):
            raise LocalProtocolError("request URI must be a SipUri, TelUri or AbsoluteUri")
        self.headers = _coerce_headers(self.headers)
        self.body = _check_body(self.body)
        if self.version != "SIP/2.0":
            raise LocalProtocolError("only SIP/2.0 is supported")

    def __bytes__(self) -> bytes:
        return self._serialize(f"{self.method} {self.uri} {self.version}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Request):
            return NotImplemented
        return (
            self.method == other.method
            and self.uri == other.uri
            and self.body == other.body
            and self.version == other.version
            and _headers_without_length(self._headers) == _headers_without_length(other._headers)
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(eq=False)
class Response(_Message):
    """A SIP response.

    Equality compares status, reason, headers (in order, canonical names)
    and body; Content-Length is not compared.

    Raises:
        LocalProtocolError: (on construction) a status outside 100-699, a
            reason phrase with CR, LF or NUL, or a body that is not bytes.
    """

    status: int
    reason: str
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    version: str = "SIP/2.0"

    def __post_init__(self) -> None:
        if not isinstance(self.status, int) or not 100 <= self.status <= 699:
            raise LocalProtocolError(f"status code {self.status!r} out of range")
        if not isinstance(self.reason, str) or UNSAFE_VALUE.search(self.reason):
            raise LocalProtocolError("CR, LF or NUL in a reason phrase")
        self.headers = _coerce_headers(self.headers)
        self.body = _check_body(self.body)
        if self.version != "SIP/2.0":
            raise LocalProtocolError("only SIP/2.0 is supported")

    @classmethod
    def for_request(
        cls,
        request: Request,
        status: int,
        reason: str | None = None,
        *,
        to_tag: str | None = None,
    ) -> Response:
        """Build a response to *request* as RFC 3261 8.2.6.2 says.

        Via (all, in order), From, To, Call-ID and CSeq are copied; *to_tag*
        is added to To unless it already has a tag. Works on a
        :attr:`ParseError.partial` request too (headers are copied raw).

        Raises:
            LocalProtocolError: invalid status, reason or tag.
        """
        if reason is None:
            reason = REASON_PHRASES.get(status, "Unknown")
        if to_tag is not None and TOKEN.fullmatch(to_tag) is None:
            raise LocalProtocolError(f"invalid To tag {to_tag!r}")
        items: list[tuple[str, str, str]] = []
        # The To view parse() built (one To header), so it is not read again.
        to_view = request.__dict__.get("to")
        if to_view is None:
            to_view = request._headers._cache.get("to")
        for key, name, value in request._headers._items:
            if key in ("via", "from", "call-id", "cseq") or (
                # RFC 3261 8.2.6.1: a 100 Trying copies Timestamp.
                key == "timestamp" and status == 100
            ):
                items.append((key, name, value))
            elif key == "to":
                if to_tag is not None:
                    tagged = (
                        to_view.tag is not None
                        if isinstance(to_view, NameAddr)
                        else _has_tag(value)
                    )
                    if not tagged:
                        value = f"{value};tag={to_tag}"
                items.append((key, name, value))
        return cls(status, reason, Headers._from_parsed(items))

    def __bytes__(self) -> bytes:
        return self._serialize(f"{self.version} {self.status} {self.reason}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Response):
            return NotImplemented
        return (
            self.status == other.status
            and self.reason == other.reason
            and self.body == other.body
            and self.version == other.version
            and _headers_without_length(self._headers) == _headers_without_length(other._headers)
        )

    __hash__ = None  # type: ignore[assignment]


def _has_tag(value: str) -> bool:
    try:
        return NameAddr.parse(value).tag is not None
    except ParseError:
        # A raw To we cannot parse: do not risk writing a second tag.
        return ";tag" in value.replace(" ", "").lower()


class _RandomHex:
    """Hex digits from the system's CSPRNG, read 4 KiB at a time.

    Every answered request needs a To tag (RFC 3261 19.3: cryptographically
    random); one ``getrandom`` call per tag cost more than the rest of the
    answer's bookkeeping under load. The bytes are the same CSPRNG's, used
    once each; a forked child starts with a fresh buffer.
    """

    _SIZE = 4096

    def __init__(self) -> None:
        self._buffer = b""
        self._used = 0

    def reset(self) -> None:
        self._buffer = b""
        self._used = 0

    def __call__(self, nbytes: int) -> str:
        used = self._used
        if used + nbytes > len(self._buffer):
            self._buffer = secrets.token_bytes(self._SIZE)
            used = 0
        self._used = used + nbytes
        return self._buffer[used : used + nbytes].hex()


_random_hex = _RandomHex()
os.register_at_fork(after_in_child=_random_hex.reset)


def new_branch() -> str:
    """Return a fresh Via branch starting with the magic cookie (RFC 3261 8.1.1.7)."""
    return MAGIC_COOKIE + _random_hex(10)


def new_tag() -> str:
    """Return a fresh From/To tag (RFC 3261 19.3: at least 32 bits of randomness)."""
    return _random_hex(6)


def new_call_id(host: str) -> str:
    """Return a fresh Call-ID ``random@host`` (RFC 3261 8.1.1.4).

    Raises:
        LocalProtocolError: *host* would make an invalid Call-ID.
    """
    call_id = f"{_random_hex(12)}@{host}"
    if CALL_ID.fullmatch(call_id) is None:
        raise LocalProtocolError(f"invalid host for a Call-ID: {host!r}")
    return call_id


def _name_entry(name: str) -> tuple[str, str]:
    # (key, canonical name) of a header name that is not yet in _NAMES.
    stripped = name.rstrip(" \t")  # HCOLON = *( SP / HTAB ) ":" SWS
    lname = stripped.lower()
    entry = _KEYS.get(lname)
    if entry is None:
        if TOKEN.fullmatch(stripped) is None:
            raise ParseError("Header name is not a token")
        entry = (lname, stripped)
    if len(_NAMES) < _NAMES_MAX and len(name) <= _NAME_MAX_LENGTH:
        _NAMES[name] = entry
    return entry


def _split_line(line: str) -> tuple[str, str, str]:
    # (key, canonical name, value as written) of a header line, split at its
    # first colon.
    name, colon, value = line.partition(":")
    if not colon:
        raise ParseError("Header line without a colon")
    try:
        key, canonical = _NAMES[name]
    except KeyError:
        key, canonical = _name_entry(name)
    return key, canonical, value


#: What _split_headers returns: the header lines, the first value of each
#: key, and every value of the keys on several lines.
_Split = tuple[list[tuple[str, str, str]], dict[str, str], dict[str, list[str]]]


def _split_headers(lines: list[str], head: str) -> _Split:
    # The (key, canonical name, value) lines after the start line (lines[0])
    # and the index that Headers looks names up in (key -> first value; key
    # -> every value for the keys on several lines), `lines` being `head`
    # split on CRLF. One partition per line: str methods scan far faster
    # than a regex, and a known name costs one dict lookup.
    try:
        if len(lines) > MAX_HEADERS + 1:
            raise ParseError("Too many header fields", 413)
        items: list[tuple[str, str, str]] = []
        append = items.append
        first: dict[str, str] = {}
        more: dict[str, list[str]] = {}
        names = _NAMES
        rest = iter(lines)
        next(rest)  # the start line
        for line in rest:
            # "Name: value", as nearly every line is written: the value comes
            # without its leading space (strip then returns it as it is).
            # Any other line ("F" alone, "To:x", "Via :x") is split at its
            # first colon.
            name, colon, value = line.partition(": ")
            if colon:
                # Subscripts rather than .get(): no method call per line.
                try:
                    key, canonical = names[name]
                except KeyError:
                    key, canonical, value = _split_line(line)
            else:
                key, canonical, value = _split_line(line)
            value = value.strip(" \t")
            append((key, canonical, value))
            if key not in first:
                first[key] = value
            elif key in more:
                more[key].append(value)
            else:
                more[key] = [first[key], value]
    except ParseError:
        # RFC 3261 7.3.1: a line break followed by whitespace is folded LWS.
        # A folded line always fails the split above (no colon, or a name
        # that starts with whitespace), so only then is `head` searched for
        # one; the lines are split again from the unfolded text (the start
        # line, already read as it came, is skipped either way).
        if "\r\n " not in head and "\r\n\t" not in head:
            raise
        head = LINE_BREAK.sub(" ", head)
        return _split_headers(head.split("\r\n"), head)
    return items, first, more


def parse(data: bytes) -> Request | Response:
    """Parse one SIP message (a UDP datagram or a framed stream message).

    Octets after the Content-Length body are ignored (RFC 3261 18.3); without
    Content-Length the rest of the data is the body.

    Raises:
        ParseError: the message is malformed (``status`` 400), too large
            (413) or of another SIP version (505). After the start line and
            header lines of a request could be split, ``partial`` holds that
            request with its raw headers.
    """
    # One function, not a guard around a second one: a call less per message.
    try:
        if type(data) is not bytes:
            if not isinstance(data, _BYTES_LIKE):
                raise ParseError("Message is not bytes")
            data = bytes(data)
        if len(data) > MAX_DATAGRAM:
            raise ParseError("Message too large", 413)
        # RFC 3261 7.5: CRLFs before the start line SHOULD be ignored.
        start = 0
        while data.startswith(b"\r\n", start):
            start += 2
        end = data.find(b"\r\n\r\n", start)
        if end < 0:
            raise ParseError("No empty line after the header fields")
        head = data[start:end].decode("utf-8", "surrogateescape")
        lines = head.split("\r\n")
        # A CR or LF outside a CRLF pair: what the split left in the lines. Two
        # searches of the lines joined (memchr) cost far less than counting
        # CRs and LFs in `head` (a loop over every character).
        joined = "".join(lines)
        if "\r" in joined or "\n" in joined:
            raise ParseError("Bare CR or LF in the header section")
        start_line = lines[0]

        message: Request | Response
        if start_line.startswith("SIP/"):
            version, _, tail = start_line.partition(" ")
            code, _, reason = tail.partition(" ")
            if version != "SIP/2.0":
                _check_version(version)
            status = _STATUS_CODES.get(code)
            if status is None:
                raise ParseError("Status code out of range")
            if "\x00" in reason:
                raise ParseError("NUL in the reason phrase")
            items, first, more = _split_headers(lines, head)
            message = _new(Response)
            fields = _RESPONSE_FIELDS.copy()
            fields["status"] = status
            fields["reason"] = reason
            partial = None
        else:
            # A Request-Line read lately is looked up here: a call less.
            known = _REQUEST_LINES.get(start_line)
            method, uri = _request_line(start_line) if known is None else known
            items, first, more = _split_headers(lines, head)
            message = _new(Request)
            fields = _REQUEST_FIELDS.copy()
            fields["method"] = method
            fields["uri"] = uri
            partial = message
        # One dict for the fields and the views parse() builds: a copy of a
        # template holding every key, filled in place (it never grows).
        # Headers._from_parsed's work, written out (a call less per message).
        headers = _new(Headers)
        headers._items = items
        headers._cache = {}
        headers._first = first
        headers._more = more
        headers._owner = None
        fields["_headers"] = headers
        fields["version"] = "SIP/2.0"
        message.__dict__ = fields
        try:
            fields["body"] = _body(first, more, data, end + 4)
            message._validate(fields, first, more)
            if partial is not None and fields["cseq"].method != partial.method:
                raise ParseError("CSeq method does not match the request method")
        except ParseError as exc:
            # A partial request has its fields and no views (they are read
            # from its raw headers, if at all).
            message._forget_views()
            exc.partial = partial
            raise
        return message
    except ParseError:
        raise
    except Exception as exc:  # pragma: no cover - a bug must not stop the stack
        raise ParseError(f"Unparseable message ({type(exc).__name__})") from exc


# Usual Request-Lines read lately -> (method, URI): a peer sends the same
# line request after request ("MESSAGE sip:bob@example.com SIP/2.0").
_REQUEST_LINES: dict[str, tuple[str, Uri]] = recent.table()
_REQUEST_LINES_MAX = 256


def _request_line(start_line: str) -> tuple[str, Uri]:
    # (method, URI) of a Request-Line not in _REQUEST_LINES.
    usual = _USUAL_REQUEST_LINE.fullmatch(start_line)
    if usual is not None:
        method, scheme, user, host, port, params = usual.groups()
        uri = _usual_sip_uri(scheme, user, host, port, params)
        if uri is not None:
            return recent.remember(_REQUEST_LINES, start_line, (method, uri), _REQUEST_LINES_MAX)
    # Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 7.1):
    # exactly one SP between elements and none around them.
    parts = start_line.split(" ")
    if len(parts) != 3 or not all(parts):
        if start_line != start_line.strip(" \t"):
            raise ParseError("Whitespace around the Request-Line")
        if not all(parts) or "\t" in start_line:
            raise ParseError("Request-Line elements not separated by single spaces")
        raise ParseError("Whitespace inside the Request-URI")
    method, uri_text, version = parts
    if TOKEN.fullmatch(method) is None:
        raise ParseError("Method is not a token")
    _check_version(version)
    if uri_text.startswith("<"):
        raise ParseError("Request-URI enclosed in <>")
    try:
        parsed = parse_uri(uri_text)
    except ParseError as exc:
        raise ParseError(f"Bad Request-URI: {exc.reason}") from None
    if isinstance(parsed, SipUri) and parsed.headers:
        # RFC 3261 19.1.1 table 1: headers are not allowed in a Request-URI.
        raise ParseError("Request-URI must not contain headers")
    return method, parsed


# A message whose parts parse() has already checked skips __post_init__
# (its checks are the ones above); the caller fills the instance dict.
# object.__new__ itself, not a function around it: a call less per object.
if TYPE_CHECKING:

    def _new(cls: type[T]) -> T: ...

else:
    _new = object.__new__


#: Every valid Status-Code as written -> its number (three ASCII digits, 1xx-6xx).
_STATUS_CODES = {str(code): code for code in range(100, 700)}


def _check_version(version: str) -> None:
    if version == "SIP/2.0":
        return
    if version.upper() == "SIP/2.0":
        return
    if re.fullmatch(r"SIP/[0-9]+\.[0-9]+", version, re.IGNORECASE):
        raise ParseError("SIP version not supported", 505)
    raise ParseError("Malformed SIP version")


def _body(first: dict[str, str], more: dict[str, list[str]], data: bytes, start: int) -> bytes:
    # The body: data from `start`, as long as Content-Length says.
    value = first.get("content-length")
    if value is None:
        return data[start:]
    if more and "content-length" in more:
        raise ParseError("Multiple Content-Length headers")
    if value == "0":
        return b""  # most requests and responses carry no body
    if not (value.isdigit() and value.isascii()):
        if value.startswith("-"):
            raise ParseError("Negative Content-Length")
        raise ParseError("Content-Length is not a number")
    length = int(value)
    if length > len(data) - start:
        raise ParseError("Content-Length larger than message")
    return data[start : start + length]
