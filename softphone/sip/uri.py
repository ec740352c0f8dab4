"""SIP, SIPS and tel URIs and the name-addr form (RFC 3261 19.1, 20.10, 25.1)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace
from urllib.parse import quote as _pct_quote
from urllib.parse import unquote_to_bytes

from softphone.sip import recent
from softphone.sip.errors import LocalProtocolError, ParseError
from softphone.sip.grammar import PARAM, QUOTED_STRING, TOKEN_CHARS, UNSAFE_VALUE
from softphone.sip.grammar import quote as quote_string
from softphone.sip.grammar import unquote as unquote_string
from softphone.sip.record import Record, rebuild, record

__all__ = [
    "AbsoluteUri",
    "NameAddr",
    "Params",
    "SipUri",
    "TelUri",
    "Uri",
    "format_params",
    "parse_params",
    "parse_uri",
]

Params = tuple[tuple[str, str | None], ...]

# unreserved = alphanum / mark; mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"
_UNRESERVED = r"A-Za-z0-9\-_.!~*'()"
# user = 1*( unreserved / escaped / user-unreserved ); user-unreserved adds & = + $ , ; ? /
_USER_SAFE = "!~*'()&=+$,;?/"
# password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," )
_PASSWORD_SAFE = "!~*'()&=+$,"
# paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $
_PARAM_SAFE = "!~*'()[]/:&+$"
# hnv-unreserved = [ ] / ? : + $
_HNV_SAFE = "!~*'()[]/?:+$"

_SIP_URI = re.compile(
    rf"(?:(?P<user>[{_UNRESERVED}%&=+$,;?/]+)"
    rf"(?::(?P<password>[{_UNRESERVED}%&=+$,]*))?@)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)"
    r"(?::(?P<port>[0-9]{1,5}))?"
    rf"(?P<params>(?:;[{_UNRESERVED}%\[\]/:&+$=]*)*)"
    rf"(?:\?(?P<headers>[{_UNRESERVED}%\[\]/?:+$=&]*))?"
)
# hostname = *( domainlabel "." ) toplabel [ "." ]; IPv4address; IPv6reference
# (Written without backtracking: a label is alphanumeric runs joined by
# hyphens, which is the same language as alphanum *( alphanum / "-" ) alphanum.)
_HOSTNAME = re.compile(r"(?:[A-Za-z0-9]++(?:-++[A-Za-z0-9]++)*+\.)*[A-Za-z0-9\-]++\.?+")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*")
# The usual SIP URI, a strict subset of _SIP_URI whose match splits the text
# the same way: lower-case scheme, a user part without escapes, ";" or "?",
# no password, a host name that _HOSTNAME accepts, simple parameters and no
# headers. Anything else takes the full path.
_URI_PARAM_CHARS = rf"{_UNRESERVED}\[\]/:&+$"
_SIMPLE_SIP_URI = (
    r"(sips?):"
    rf"(?:([{_UNRESERVED}&=+$,/]++)@)?"
    rf"({_HOSTNAME.pattern})"
    r"(?::([0-9]{1,5}))?"
    rf"((?:;[{_URI_PARAM_CHARS}]++(?:=[{_URI_PARAM_CHARS}]++)?)*+)"
)
_SIMPLE_SIP_URI_RE = re.compile(_SIMPLE_SIP_URI)
# absoluteURI = scheme ":" ( hier-part / opaque-part ); uric excludes spaces and < > "
_ABSOLUTE_REST = re.compile(r"[A-Za-z0-9\-_.!~*'()%;/?:@&=+$,\[\]#]+")
_PCT_BAD = re.compile(r"%(?![0-9A-Fa-f]{2})")
_NEEDS_PCT = {
    safe: re.compile(rf"[^{_UNRESERVED}{re.escape(safe)}]")
    for safe in (_USER_SAFE, _PASSWORD_SAFE, _PARAM_SAFE, _HNV_SAFE)
}
# *( SEMI generic-param ) without quoted strings or LWS: the common case.
_SIMPLE_PARAMS = re.compile(rf"(?:;[{TOKEN_CHARS}]+(?:=[{TOKEN_CHARS}\[\]:]+)?)+")
_TEL_NUMBER = re.compile(r"[0-9A-Fa-f*#+\-.()pPwW]+")


def _unescape(text: str, what: str) -> str:
    if "%" not in text:
        return text
    if _PCT_BAD.search(text) is not None:
        raise ParseError(f"Invalid % escape in URI {what}")
    return unquote_to_bytes(text).decode("utf-8", "surrogateescape")


def _escape(text: str, safe: str) -> str:
    if _NEEDS_PCT[safe].search(text) is None:
        return text
    return _pct_quote(text.encode("utf-8", "surrogateescape"), safe=safe)


def _check_text(value: str | None, what: str) -> None:
    if value is not None and (not isinstance(value, str) or UNSAFE_VALUE.search(value)):
        raise LocalProtocolError(f"CR, LF or NUL (or not a str) in {what}")


def _check_host(host: str) -> None:
    if not isinstance(host, str) or not host:
        raise LocalProtocolError("a SIP URI needs a host")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise LocalProtocolError(f"invalid IPv6 reference {host!r}") from None
        if not host.endswith("]"):
            raise LocalProtocolError(f"invalid IPv6 reference {host!r}")
    elif _HOSTNAME.fullmatch(host) is None:
        raise LocalProtocolError(f"invalid host {host!r}")


def _simple_params(text: str | None) -> Params:
    """Split `;a=b;c` that a fast-path regex has already checked (nothing to unescape)."""
    if not text:
        return ()
    if text.count(";") == 1:
        name, eq, value = text[1:].partition("=")
        return ((name, value if eq else None),)
    items: list[tuple[str, str | None]] = []
    for item in text[1:].split(";"):
        name, eq, value = item.partition("=")
        items.append((name, value if eq else None))
    return tuple(items)


def _usual_sip_uri(
    scheme: str, user: str | None, host: str, port: str | None, params_text: str | None
) -> SipUri | None:
    # The SipUri of a _SIMPLE_SIP_URI match: what SipUri.parse returns for the
    # same text (nothing to unescape, the host already checked), built in
    # place; None when the port is out of range (SipUri.parse says so).
    port_number = None
    if port is not None:
        port_number = int(port)
        if port_number > 65535:
            return None
    params = _simple_params(params_text) if params_text else ()
    # The record built without its constructor's checks (the regex made them).
    return rebuild(SipUri, (scheme, user, None, host, port_number, params, ()))


def _param(params: Params, name: str) -> str | None:
    lname = name.lower()
    for key, value in params:
        if key.lower() == lname:
            return value
    return None


def _with_params(params: Params, changes: dict[str, str | None]) -> Params:
    # Keyword names cannot hold "-": with_params(maddr=...) is fine, and a
    # trailing underscore is stripped so that reserved words work (lr_=None).
    wanted = {name.rstrip("_").replace("_", "-"): value for name, value in changes.items()}
    out = []
    for key, value in params:
        if key.lower() in {w.lower() for w in wanted}:
            match = next(w for w in wanted if w.lower() == key.lower())
            out.append((key, wanted.pop(match)))
        else:
            out.append((key, value))
    out.extend(wanted.items())
    return tuple(out)


def parse_params(text: str, what: str) -> Params:
    """Parse ``*( SEMI generic-param )`` as found after a name-addr or Via.

    Values keep their quotes (a quoted-string value is returned as written).

    Raises:
        ParseError: the text is not a sequence of parameters.
    """
    if not text or text.isspace():
        return ()
    if _SIMPLE_PARAMS.fullmatch(text) is not None:
        # The usual shape (";name=value;flag", no quotes or whitespace) needs
        # no scanning: splitting gives what the PARAM loop below would.
        simple: list[tuple[str, str | None]] = []
        for item in text[1:].split(";"):
            name, eq, value = item.partition("=")
            simple.append((name, value if eq else None))
        return tuple(simple)
    out = []
    pos = 0
    end = len(text)
    while pos < end:
        match = PARAM.match(text, pos)
        if match is None:
            raise ParseError(f"Malformed parameter in {what}")
        out.append((match.group(1), match.group(2)))
        pos = match.end()
    return tuple(out)


def format_params(params: Params) -> str:
    """Format header parameters as ``;name=value`` (values are written raw)."""
    return "".join(f";{k}" if v is None else f";{k}={v}" for k, v in params)


@record
class SipUri(Record):
    """A ``sip:`` or ``sips:`` URI (RFC 3261 19.1.1).

    ``user``, ``password``, parameter and header names and values hold
    unescaped text; ``str()`` escapes what must be escaped. A frozen record
    (see softphone.sip.record): fields ``scheme``, ``user``, ``password``,
    ``host``, ``port``, ``params``, ``headers``.

    Raises:
        LocalProtocolError: (on construction) unknown scheme, invalid host or
            port, or CR/LF/NUL in a parameter or header name.
    """

    scheme: str = "sip"
    user: str | None = None
    password: str | None = None
    host: str = ""
    port: int | None = None
    params: Params = ()
    headers: tuple[tuple[str, str], ...] = ()

    __slots__ = ()

    def __new__(
        cls,
        scheme: str = "sip",
        user: str | None = None,
        password: str | None = None,
        host: str = "",
        port: int | None = None,
        params: Params = (),
        headers: tuple[tuple[str, str], ...] = (),
    ) -> SipUri:
        if scheme not in ("sip", "sips"):
            raise LocalProtocolError(f"SipUri scheme must be sip or sips, not {scheme!r}")
        _check_host(host)
        if port is not None and not (isinstance(port, int) and 0 <= port <= 65535):
            raise LocalProtocolError(f"invalid port {port!r}")
        return rebuild(cls, (scheme, user, password, host, port, params, headers))

    @classmethod
    def parse(cls, text: str) -> SipUri:
        """Parse a ``sip:``/``sips:`` URI.

        Raises:
            ParseError: the text is not a valid SIP or SIPS URI.
        """
        simple = _SIMPLE_SIP_URI_RE.fullmatch(text)
        if simple is not None:
            uri = _usual_sip_uri(*simple.groups())
            if uri is None:
                raise ParseError("Port out of range in SIP URI")
            return uri
        colon = text.find(":")
        scheme = text[:colon].lower()
        if colon < 0 or scheme not in ("sip", "sips"):
            raise ParseError("URI scheme is not sip or sips")
        match = _SIP_URI.fullmatch(text, colon + 1)
        if match is None:
            raise ParseError("Malformed SIP URI")
        user, password, host, port, params_text, headers_text = match.groups()
        if host[0] == "[":
            try:
                ipaddress.IPv6Address(host[1:-1])
            except ValueError:
                raise ParseError("Invalid IPv6 reference in SIP URI") from None
        elif _HOSTNAME.fullmatch(host) is None:
            raise ParseError("Invalid host in SIP URI")
        port_number = None
        if port is not None:
            port_number = int(port)
            if port_number > 65535:
                raise ParseError("Port out of range in SIP URI")
        params: Params = ()
        if params_text:
            items = []
            for item in params_text[1:].split(";"):
                name, eq, value = item.partition("=")
                if not name:
                    raise ParseError("Empty parameter in SIP URI")
                if "%" in item:
                    name = _unescape(name, "parameter")
                    value = _unescape(value, "parameter")
                items.append((name, value if eq else None))
            params = tuple(items)
        headers: tuple[tuple[str, str], ...] = ()
        if headers_text is not None:
            hitems = []
            for item in headers_text.split("&"):
                name, eq, value = item.partition("=")
                if not name or not eq:
                    raise ParseError("Malformed header in SIP URI")
                hitems.append((_unescape(name, "header"), _unescape(value, "header")))
            headers = tuple(hitems)
        if user is not None and "%" in user:
            user = _unescape(user, "user")
        if password is not None and "%" in password:
            password = _unescape(password, "password")
        return rebuild(cls, (scheme, user, password, host, port_number, params, headers))

    def param(self, name: str) -> str | None:
        """Return the value of URI parameter *name* (case-insensitive).

        A parameter present without a value returns ``""``.
        """
        lname = name.lower()
        for key, value in self.params:
            if key.lower() == lname:
                return "" if value is None else value
        return None

    def with_params(self, **params: str | None) -> SipUri:
        """Return a copy with parameters set (``None`` means present without value)."""
        return replace(self, params=_with_params(self.params, params))

    @property
    def host_port(self) -> str:
        """``host`` or ``host:port``."""
        return self.host if self.port is None else f"{self.host}:{self.port}"

    def __str__(self) -> str:
        parts = [self.scheme, ":"]
        if self.user is not None:
            parts.append(_escape(self.user, _USER_SAFE))
            if self.password is not None:
                parts.append(":")
                parts.append(_escape(self.password, _PASSWORD_SAFE))
            parts.append("@")
        parts.append(self.host_port)
        for name, value in self.params:
            parts.append(";")
            parts.append(_escape(name, _PARAM_SAFE))
            if value is not None:
                parts.append("=")
                parts.append(_escape(value, _PARAM_SAFE))
        if self.headers:
            parts.append("?")
            parts.append(
                "&".join(
                    f"{_escape(name, _HNV_SAFE)}={_escape(value, _HNV_SAFE)}"
                    for name, value in self.headers
                )
            )
        return "".join(parts)


@dataclass(frozen=True)
class TelUri:
    """A ``tel:`` URI (RFC 3966): a number and its parameters.

    Raises:
        LocalProtocolError: (on construction) a number with invalid characters.
    """

    number: str
    params: Params = ()

    def __post_init__(self) -> None:
        if not isinstance(self.number, str) or _TEL_NUMBER.fullmatch(self.number) is None:
            raise LocalProtocolError(f"invalid telephone number {self.number!r}")

    @classmethod
    def parse(cls, text: str) -> TelUri:
        """Parse a ``tel:`` URI.

        Raises:
            ParseError: the text is not a tel URI.
        """
        if text[:4].lower() != "tel:":
            raise ParseError("URI scheme is not tel")
        number, *items = text[4:].split(";")
        if _TEL_NUMBER.fullmatch(number) is None:
            raise ParseError("Invalid telephone number in tel URI")
        params = []
        for item in items:
            name, eq, value = item.partition("=")
            if not name or _ABSOLUTE_REST.fullmatch(item) is None:
                raise ParseError("Malformed parameter in tel URI")
            params.append(
                (
                    _unescape(name, "parameter"),
                    _unescape(value, "parameter") if eq else None,
                )
            )
        return cls(number, tuple(params))

    def param(self, name: str) -> str | None:
        """Return the value of parameter *name*; ``""`` when present without value."""
        value = _param(self.params, name)
        return (
            ""
            if value is None and any(k.lower() == name.lower() for k, _ in self.params)
            else value
        )

    def __str__(self) -> str:
        return (
            "tel:"
            + self.number
            + "".join(
                f";{_escape(k, _PARAM_SAFE)}"
                if v is None
                else f";{_escape(k, _PARAM_SAFE)}={_escape(v, _PARAM_SAFE)}"
                for k, v in self.params
            )
        )


@dataclass(frozen=True)
class AbsoluteUri:
    """A URI of a scheme the stack does not interpret (RFC 3261 25.1 absoluteURI).

    Raises:
        LocalProtocolError: (on construction) invalid scheme or characters.
    """

    scheme: str
    rest: str

    def __post_init__(self) -> None:
        if _SCHEME.fullmatch(self.scheme) is None or _ABSOLUTE_REST.fullmatch(self.rest) is None:
            raise LocalProtocolError(f"invalid absolute URI {self.scheme!r}:{self.rest!r}")

    def __str__(self) -> str:
        return f"{self.scheme}:{self.rest}"


Uri = SipUri | TelUri | AbsoluteUri


def parse_uri(text: str) -> Uri:
    """Parse any URI: SIP/SIPS, tel, or another scheme as :class:`AbsoluteUri`.

    Raises:
        ParseError: the text is not a URI.
    """
    colon = text.find(":")
    if colon <= 0:
        raise ParseError("URI has no scheme")
    scheme = text[:colon].lower()
    if scheme == "sip" or scheme == "sips":
        return SipUri.parse(text)
    if scheme == "tel":
        return TelUri.parse(text)
    rest = text[colon + 1 :]
    if _SCHEME.fullmatch(text, 0, colon) is None or _ABSOLUTE_REST.fullmatch(rest) is None:
        raise ParseError("Malformed URI")
    return AbsoluteUri(text[:colon], rest)


# display-name = *(token LWS) / quoted-string
_DISPLAY_TOKENS = re.compile(rf"[{TOKEN_CHARS}]+(?:[ \t]+[{TOKEN_CHARS}]+)*")
# The usual header parameters after a name-addr's ">": the first one's name
# and value (the usual ";tag=..." alone), then the text of any others.
_USUAL_TAIL_PARAMS = (
    rf"(?:;([{TOKEN_CHARS}]++)(?:=([{TOKEN_CHARS}\[\]:]++))?"
    rf"((?:;[{TOKEN_CHARS}]++(?:=[{TOKEN_CHARS}\[\]:]++)?)*+))?"
)
_USUAL_TAIL = re.compile(_USUAL_TAIL_PARAMS)
# The usual name-addr: [ quoted-string without escapes / tokens ] <URI> and
# simple parameters. Whatever this does not match takes the full path, so a
# malformed value gets the same error either way.
_SIMPLE_NAME_ADDR = re.compile(
    r'(?:"([^"\\\r\n]*+)"[ \t]*+'
    rf"|([{TOKEN_CHARS}]++(?:[ \t]++[{TOKEN_CHARS}]++)*+)[ \t]*+)?"
    rf"<(?:{_SIMPLE_SIP_URI}|([^<> \t]++))>" + _USUAL_TAIL_PARAMS
)
# The address part of usual name-addrs read lately ('"Bob" <sip:bob@host>',
# the text up to its ">") -> (URI, display name): the same peers' addresses
# come in message after message, only a tag differing (see recent.py).
_ADDRESSES: dict[str, tuple[Uri, str | None]] = recent.table()
_ADDRESSES_MAX = 512


def _usual_name_addr(text: str) -> NameAddr | None:
    """The NameAddr of a value in the usual shape, or None for any other.

    The value of a _SIMPLE_NAME_ADDR match, built in place: what
    NameAddr.parse's general path returns for the same text. None sends the
    caller to that path, which also gives every error (a port above 65535
    included).
    """
    end = text.find(">") + 1
    known = _ADDRESSES.get(text[:end]) if end else None
    if known is not None:
        # A known address: only the parameters after it are read. A tail
        # holds no ">", so the whole value would have matched with the same
        # address groups.
        if end == len(text):
            return rebuild(NameAddr, (known[0], known[1], ()))
        if text.startswith(";tag=", end):
            # The usual tail, ";tag=" and letters and digits, read by str
            # methods: what the regex below gives for it.
            tag = text[end + 5 :]
            if tag.isalnum() and tag.isascii():
                return rebuild(NameAddr, (known[0], known[1], (("tag", tag),)))
        tail = _USUAL_TAIL.fullmatch(text, end)
        if tail is None:
            return None
        name, value, more = tail.groups()
        return rebuild(NameAddr, (known[0], known[1], _tail_params(name, value, more)))
    simple = _SIMPLE_NAME_ADDR.fullmatch(text)
    if simple is None:
        return None
    (
        quoted,
        tokens,
        scheme,
        user,
        host,
        port,
        uri_params,
        uri_text,
        name,
        value,
        more,
    ) = simple.groups()
    uri: Uri
    if scheme is None:
        try:
            uri = parse_uri(uri_text)
        except ParseError:
            return None
    else:
        # _usual_sip_uri's work, written out: a call per value is a good
        # part of the cost of the whole value.
        port_number = None
        if port is not None:
            port_number = int(port)
            if port_number > 65535:
                return None
        in_uri: Params = _simple_params(uri_params) if uri_params else ()
        uri = rebuild(SipUri, (scheme, user, None, host, port_number, in_uri, ()))
    display = tokens if quoted is None else quoted
    closing = len(text) - 1 if name is None else simple.start(9) - 2
    if closing == end - 1:
        # The first ">" closes the URI (there is none in the display name):
        # the address is the text up to it.
        recent.remember(_ADDRESSES, text[:end], (uri, display), _ADDRESSES_MAX)
    return rebuild(NameAddr, (uri, display, _tail_params(name, value, more)))


def _tail_params(name: str | None, value: str | None, more: str | None) -> Params:
    # The parameters as _simple_params splits them (a value holds no "=").
    if name is None:
        return ()
    if not more:
        return ((name, value),)
    return ((name, value), *_simple_params(more))


@record
class NameAddr(Record):
    """A name-addr or addr-spec with header parameters (From, To, Contact ...).

    ``display_name`` is unescaped text; ``str()`` always writes it as a quoted
    string and escapes ``"`` and ``\\``. Parameter values are kept as written
    (a quoted value keeps its quotes). A frozen record (see
    softphone.sip.record): fields ``uri``, ``display_name``, ``params``.

    Raises:
        LocalProtocolError: (on construction) CR, LF or NUL in the display
            name or a parameter, or a parameter name that is not a token.
    """

    uri: Uri
    display_name: str | None = None
    params: Params = ()

    __slots__ = ()

    def __new__(cls, uri: Uri, display_name: str | None = None, params: Params = ()) -> NameAddr:
        _check_text(display_name, "display name")
        for name, value in params:
            _check_text(value, "header parameter")
            if not isinstance(name, str) or PARAM.fullmatch(";" + name) is None:
                raise LocalProtocolError(f"invalid parameter name {name!r}")
        return rebuild(cls, (uri, display_name, params))

    @classmethod
    def parse(cls, text: str) -> NameAddr:
        """Parse ``( name-addr / addr-spec ) *( SEMI param )``.

        Raises:
            ParseError: the text is not a valid name-addr or addr-spec.
        """
        text = text.strip(" \t")
        usual = _usual_name_addr(text)
        if usual is not None:
            return usual
        display: str | None = None
        if text.startswith('"'):
            match = QUOTED_STRING.match(text)
            if match is None:
                raise ParseError("Unterminated quoted string in display name")
            display = unquote_string(match.group())
            rest = text[match.end() :].lstrip(" \t")
            if not rest.startswith("<"):
                raise ParseError("Display name not followed by <URI>")
        else:
            lt = text.find("<")
            if lt >= 0:
                name = text[:lt].strip(" \t")
                if name:
                    if _DISPLAY_TOKENS.fullmatch(name) is None:
                        raise ParseError("Display name with characters that need quoting")
                    display = name
                rest = text[lt:]
            else:
                rest = ""
        if rest:
            gt = rest.find(">")
            if gt < 0:
                raise ParseError("Unterminated <URI>")
            uri_text = rest[1:gt]
            if uri_text != uri_text.strip(" \t"):
                # name-addr = [ display-name ] LAQUOT addr-spec RAQUOT: no LWS inside.
                raise ParseError("Whitespace inside <> around the URI")
            tail = rest[gt + 1 :]
        else:
            # addr-spec: parameters after the URI belong to the header, and a
            # URI with a comma, semicolon or "?" must be in <> (RFC 3261 20.10).
            semi = text.find(";")
            uri_text = text if semi < 0 else text[:semi].rstrip(" \t")
            tail = "" if semi < 0 else text[semi:]
            if "?" in uri_text or "," in uri_text:
                raise ParseError("URI with ? or , must be enclosed in <>")
        uri = parse_uri(uri_text)
        params = parse_params(tail, "name-addr") if tail else ()
        # Parsed parts are already checked (and a display name may hold a
        # quoted-pair NUL the constructor refuses): built without its checks.
        return rebuild(cls, (uri, display, params))

    @property
    def tag(self) -> str | None:
        """The ``tag`` parameter (RFC 3261 19.3), or ``None``."""
        return _param(self.params, "tag")

    def param(self, name: str) -> str | None:
        """Return header parameter *name*; ``""`` when present without value."""
        lname = name.lower()
        for key, value in self.params:
            if key.lower() == lname:
                return "" if value is None else value
        return None

    def with_tag(self, tag: str) -> NameAddr:
        """Return a copy with the ``tag`` parameter set."""
        return replace(self, params=_with_params(self.params, {"tag": tag}))

    def __str__(self) -> str:
        uri = f"<{self.uri}>"
        if self.display_name is not None:
            uri = f"{quote_string(self.display_name)} {uri}"
        return uri + format_params(self.params)
